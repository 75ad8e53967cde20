"""Geo-location: which market, pricelist, currency and language a country gets,
and which countries a store ships to.

Resolution follows Centra: a country mapped to an active market (pricelist)
of the store gets that one, otherwise the store's default. A country is
shippable when it belongs to an active market, an active pricelist and an
active shipping method of the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from opencentra.errors import NotFound, ValidationFailed
from opencentra.stores._db import DatabaseOrSession, unit_of_work
from opencentra.stores.models import (
    Country,
    CountryState,
    Currency,
    Language,
    Market,
    MarketCountry,
    Pricelist,
    PricelistCountry,
    ShippingMethod,
    ShippingMethodCountry,
    Store,
)
from opencentra.stores.services import country_code


@dataclass(frozen=True)
class Location:
    """Where a shopper is, and what that gives them in one store."""

    store_id: int
    country_id: int
    country_code: str
    state: str | None  # the state's code, when the country has states
    market_id: int
    pricelist_id: int
    currency_id: int
    currency_code: str
    language_id: int | None
    language_code: str | None
    shippable: bool


def _shippable(store_id: int) -> ColumnElement[bool]:
    """True for a ``countries`` row the store ships to."""
    in_market = exists().where(
        MarketCountry.country_id == Country.id,
        MarketCountry.store_id == store_id,
        Market.id == MarketCountry.market_id,
        Market.active.is_(True),
    )
    in_pricelist = exists().where(
        PricelistCountry.country_id == Country.id,
        PricelistCountry.store_id == store_id,
        Pricelist.id == PricelistCountry.pricelist_id,
        Pricelist.active.is_(True),
    )
    in_shipping = exists().where(
        ShippingMethodCountry.country_id == Country.id,
        ShippingMethod.id == ShippingMethodCountry.shipping_method_id,
        ShippingMethod.store_id == store_id,
        ShippingMethod.active.is_(True),
    )
    return and_(in_market, in_pricelist, in_shipping)


async def _store(session: AsyncSession, store_id: int) -> Store:
    store = await session.get(Store, store_id)
    if store is None:
        raise NotFound(f"store {store_id} does not exist", field="store")
    return store


async def _state_code(session: AsyncSession, country: Country, state: str | None) -> str | None:
    """The state's code; accepts a code or a name. None for countries without states."""
    codes = list(await session.scalars(select(CountryState.code).where(CountryState.country_id == country.id)))
    if not codes:
        return None
    if state is None or not state.strip():
        return None
    wanted = state.strip()
    match = await session.scalar(
        select(CountryState.code).where(
            CountryState.country_id == country.id,
            or_(CountryState.code == wanted.upper(), func.lower(CountryState.name) == wanted.lower()),
        )
    )
    if match is None:
        raise ValidationFailed(f"country {country.code} has no state {state!r}", field="state")
    return match


async def _market_id(session: AsyncSession, store: Store, country: Country) -> int:
    mapped = await session.scalar(
        select(Market.id)
        .join(MarketCountry, MarketCountry.market_id == Market.id)
        .where(MarketCountry.store_id == store.id, MarketCountry.country_id == country.id, Market.active.is_(True))
    )
    if mapped is not None:
        return mapped
    if store.default_market_id is None:
        raise NotFound(f"store {store.id} has no market for {country.code} and no default market", field="market")
    return store.default_market_id


async def _pricelist(session: AsyncSession, store: Store, country: Country) -> Pricelist:
    default = await session.get(Pricelist, store.default_pricelist_id) if store.default_pricelist_id else None
    # A country may have one pricelist per currency; prefer the default's currency.
    candidates = list(
        await session.scalars(
            select(Pricelist)
            .join(PricelistCountry, PricelistCountry.pricelist_id == Pricelist.id)
            .where(
                PricelistCountry.store_id == store.id,
                PricelistCountry.country_id == country.id,
                Pricelist.active.is_(True),
            )
            .order_by(Pricelist.id)
        )
    )
    if default is not None:
        candidates.sort(key=lambda p: p.currency_id != default.currency_id)
    if candidates:
        return candidates[0]
    if default is None:
        raise NotFound(
            f"store {store.id} has no pricelist for {country.code} and no default pricelist", field="pricelist"
        )
    return default


async def resolve_location(db: DatabaseOrSession, store_id: int, country: str, state: str | None = None) -> Location:
    """The market, pricelist, currency and language a shopper in ``country`` gets.

    Unknown countries and states raise ``ValidationFailed`` (field ``country``
    / ``state``); a store with neither a mapping nor a default raises
    ``NotFound`` (field ``market`` / ``pricelist``).
    """
    code = country_code(country)
    async with unit_of_work(db, write=False) as session:
        store = await _store(session, store_id)
        found = await session.scalar(select(Country).where(Country.code == code))
        if found is None:
            raise ValidationFailed(f"unknown country {code!r}", field="country")
        state_code = await _state_code(session, found, state)
        market_id = await _market_id(session, store, found)
        pricelist = await _pricelist(session, store, found)
        currency = await session.get(Currency, pricelist.currency_id)
        assert currency is not None  # foreign key
        language_id = found.default_language_id or store.default_language_id
        language = await session.get(Language, language_id) if language_id is not None else None
        shippable = bool(await session.scalar(select(_shippable(store_id)).where(Country.id == found.id)))
        return Location(
            store_id=store.id,
            country_id=found.id,
            country_code=found.code,
            state=state_code,
            market_id=market_id,
            pricelist_id=pricelist.id,
            currency_id=currency.id,
            currency_code=currency.code,
            language_id=language.id if language else None,
            language_code=language.code if language else None,
            shippable=shippable,
        )


async def shippable_countries(db: DatabaseOrSession, store_id: int) -> list[Country]:
    """Countries the store ships to, by name, each with its states loaded."""
    async with unit_of_work(db, write=False) as session:
        await _store(session, store_id)
        rows = await session.scalars(
            select(Country)
            .where(_shippable(store_id))
            .order_by(Country.name, Country.code)
            .options(selectinload(Country.states))
        )
        return list(rows)


async def is_shippable(db: DatabaseOrSession, store_id: int, country: str) -> bool:
    """Whether the store ships to ``country`` (False for unknown codes)."""
    code = country_code(country)
    async with unit_of_work(db, write=False) as session:
        found = await session.scalar(select(_shippable(store_id)).where(Country.code == code))
        return bool(found)
