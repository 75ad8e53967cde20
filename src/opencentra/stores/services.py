"""Store setup: the use cases behind the admin UI and the demo seed.

Reference data (currencies, languages, countries, tax groups) is created with
idempotent ``ensure_*`` functions, so running a seed twice changes nothing.
Everything else is ``create_*`` / ``set_*`` and raises ``Conflict`` on
duplicates. Country, currency and language arguments are codes ("SE", "SEK",
"sv"), as the APIs and seed data speak them; other objects are ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from opencentra.db.base import Base
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events import outbox
from opencentra.money import to_minor
from opencentra.stores._db import DatabaseOrSession, insert_or_ignore, unit_of_work
from opencentra.stores.models import (
    DEFAULT_TIMEZONE,
    AllocationRule,
    AllocationRuleWarehouse,
    Country,
    CountryState,
    Currency,
    Language,
    Market,
    MarketCountry,
    OversellingMode,
    PaymentBehaviour,
    PaymentMethod,
    PaymentMethodMarket,
    Pricelist,
    PricelistCountry,
    ShippingMethod,
    ShippingMethodCountry,
    ShippingPrice,
    StockMaster,
    Store,
    StoreType,
    TaxGroup,
    TaxRule,
    Warehouse,
)
from opencentra.stores.shipping_defaults import set_default_shipping_in
from opencentra.stores.warehouse_settings import AllocationPolicy, Location, StockOwnership, set_location_in

_M = TypeVar("_M", bound=Base)


# --- input normalisation -------------------------------------------------------


def _name(value: str, field: str = "name") -> str:
    cleaned = value.strip()
    if not cleaned:
        raise ValidationFailed(f"{field} must not be empty", field=field)
    return cleaned


def _code(value: str, length: int, field: str) -> str:
    cleaned = value.strip().upper()
    if len(cleaned) != length or not cleaned.isascii() or not cleaned.isalpha():
        raise ValidationFailed(f"{field} must be {length} letters, got {value!r}", field=field)
    return cleaned


def country_code(value: str, field: str = "country") -> str:
    """An ISO 3166 alpha-2 code, upper-cased."""
    return _code(value, 2, field)


def currency_code(value: str, field: str = "currency") -> str:
    """An ISO 4217 code, upper-cased."""
    return _code(value, 3, field)


def language_code(value: str, field: str = "language") -> str:
    cleaned = value.strip().lower()
    if not cleaned or len(cleaned) > 16:
        raise ValidationFailed(f"{field} must be a language code such as 'en', got {value!r}", field=field)
    return cleaned


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(f"unknown time zone {value!r}; use an IANA name", field="timezone") from None
    return value


def _unique_codes(codes: Iterable[str], field: str) -> list[str]:
    seen: dict[str, None] = {}
    for raw in codes:
        seen[country_code(raw, field)] = None
    return list(seen)


# --- loading ---------------------------------------------------------------------


async def _get(session: AsyncSession, model: type[_M], object_id: int, field: str) -> _M:
    found = await session.get(model, object_id)
    if found is None:
        raise NotFound(f"{field} {object_id} does not exist", field=field)
    return found


async def _countries(session: AsyncSession, codes: Iterable[str], field: str = "countries") -> list[Country]:
    wanted = _unique_codes(codes, field)
    if not wanted:
        return []
    rows = {c.code: c for c in await session.scalars(select(Country).where(Country.code.in_(wanted)))}
    missing = [code for code in wanted if code not in rows]
    if missing:
        raise ValidationFailed(f"unknown country code(s): {', '.join(missing)}", field=field)
    return [rows[code] for code in wanted]


async def _language(session: AsyncSession, code: str, field: str = "language") -> Language:
    normalised = language_code(code, field)
    found = await session.scalar(select(Language).where(Language.code == normalised))
    if found is None:
        raise ValidationFailed(f"unknown language {normalised!r}", field=field)
    return found


async def _currency(session: AsyncSession, code: str, field: str = "currency") -> Currency:
    normalised = currency_code(code, field)
    found = await session.scalar(select(Currency).where(Currency.code == normalised))
    if found is None:
        raise ValidationFailed(f"unknown currency {normalised!r}", field=field)
    return found


async def _store_market(session: AsyncSession, store_id: int, market_id: int, field: str = "market") -> Market:
    market = await session.get(Market, market_id)
    if market is None or market.store_id != store_id:
        raise ValidationFailed(f"market {market_id} is not a market of store {store_id}", field=field)
    return market


async def _store_pricelist(
    session: AsyncSession, store_id: int, pricelist_id: int, field: str = "pricelist"
) -> Pricelist:
    pricelist = await session.get(Pricelist, pricelist_id)
    if pricelist is None or pricelist.store_id != store_id:
        raise ValidationFailed(f"pricelist {pricelist_id} is not a pricelist of store {store_id}", field=field)
    return pricelist


async def _reload(session: AsyncSession, model: type[_M], object_id: int, *options: Any) -> _M:
    """Re-read with relationships loaded, so the caller can use them after commit."""
    found = await session.get(model, object_id, options=options, populate_existing=True)
    assert found is not None  # written in this same transaction
    return found


# --- reference data ------------------------------------------------------------------


async def ensure_currency(
    db: Database,
    code: str,
    name: str,
    *,
    decimals: int = 2,
    iso_number: str | None = None,
    decimal_point: str = ".",
    thousands_separator: str = ",",
    prefix: str = "",
    suffix: str = "",
) -> Currency:
    """Create the currency unless it exists; an existing one is returned as is."""
    normalised = currency_code(code)
    if not 0 <= decimals <= 4:
        raise ValidationFailed("decimals must be between 0 and 4", field="decimals")
    async with db.write() as session:
        await insert_or_ignore(
            session,
            Currency,
            {
                "code": normalised,
                "name": _name(name),
                "iso_number": iso_number,
                "decimals": decimals,
                "decimal_point": decimal_point,
                "thousands_separator": thousands_separator,
                "prefix": prefix,
                "suffix": suffix,
                "denominator": 10**decimals,
            },
            ["code"],
        )
        return (await session.scalars(select(Currency).where(Currency.code == normalised))).one()


async def ensure_language(db: Database, code: str, name: str) -> Language:
    """Create the language unless it exists; an existing one is returned as is."""
    normalised = language_code(code)
    async with db.write() as session:
        await insert_or_ignore(
            session,
            Language,
            {"code": normalised, "name": _name(name)},
            ["code"],
        )
        return (await session.scalars(select(Language).where(Language.code == normalised))).one()


async def ensure_country(
    db: Database,
    code: str,
    name: str,
    *,
    eu: bool = False,
    default_language: str | None = None,
    states: Sequence[tuple[str, str]] = (),
) -> Country:
    """Create the country unless it exists, and add any of ``states`` (code, name) it lacks.

    An existing country keeps its name, EU flag and language.
    """
    normalised = country_code(code)
    async with db.write() as session:
        language_id = (await _language(session, default_language)).id if default_language else None
        await insert_or_ignore(
            session,
            Country,
            {"code": normalised, "name": _name(name), "eu": eu, "default_language_id": language_id},
            ["code"],
        )
        country_id = (await session.scalars(select(Country.id).where(Country.code == normalised))).one()
        for state_code, state_name in states:
            await insert_or_ignore(
                session,
                CountryState,
                {
                    "country_id": country_id,
                    "code": _name(state_code, "states").upper(),
                    "name": _name(state_name, "states"),
                },
                ["country_id", "code"],
            )
        return await _reload(session, Country, country_id, selectinload(Country.states))


# --- stores --------------------------------------------------------------------------


async def create_store(
    db: Database,
    name: str,
    *,
    type: StoreType = StoreType.DTC,
    overselling_mode: OversellingMode = OversellingMode.STANDARD,
    autoconfirm_orders: bool = False,
    timezone: str = DEFAULT_TIMEZONE,
    default_language: str | None = None,
    active: bool = True,
) -> Store:
    """A new store. Its default market and pricelist are set by the first
    ``create_market`` / ``create_pricelist`` (or ``set_store_defaults``)."""
    cleaned = _name(name)
    async with db.write() as session:
        if await session.scalar(select(Store.id).where(Store.name == cleaned)) is not None:
            raise Conflict(f"a store named {cleaned!r} exists", field="name")
        language_id = (await _language(session, default_language)).id if default_language else None
        store = Store(
            name=cleaned,
            type=StoreType(type),
            overselling_mode=OversellingMode(overselling_mode),
            autoconfirm_orders=autoconfirm_orders,
            timezone=_timezone(timezone),
            default_language_id=language_id,
            active=active,
        )
        session.add(store)
        await session.flush()
        return store


async def update_store(
    db: Database,
    store_id: int,
    *,
    name: str | None = None,
    overselling_mode: OversellingMode | None = None,
    autoconfirm_orders: bool | None = None,
    timezone: str | None = None,
    active: bool | None = None,
) -> Store:
    """Change store settings; arguments left as None keep their value."""
    async with db.write() as session:
        store = await _get(session, Store, store_id, "store")
        if name is not None:
            cleaned = _name(name)
            clash = await session.scalar(select(Store.id).where(Store.name == cleaned, Store.id != store_id))
            if clash is not None:
                raise Conflict(f"a store named {cleaned!r} exists", field="name")
            store.name = cleaned
        if overselling_mode is not None:
            store.overselling_mode = OversellingMode(overselling_mode)
        if autoconfirm_orders is not None:
            store.autoconfirm_orders = autoconfirm_orders
        if timezone is not None:
            store.timezone = _timezone(timezone)
        if active is not None:
            store.active = active
        await session.flush()
        return store


async def set_store_defaults(
    db: Database,
    store_id: int,
    *,
    market_id: int | None = None,
    pricelist_id: int | None = None,
    language: str | None = None,
) -> Store:
    """Point the store's fallbacks for geo-location at its own market/pricelist
    and a language; arguments left as None keep their value."""
    async with db.write() as session:
        store = await _get(session, Store, store_id, "store")
        if market_id is not None:
            store.default_market_id = (await _store_market(session, store_id, market_id)).id
        if pricelist_id is not None:
            store.default_pricelist_id = (await _store_pricelist(session, store_id, pricelist_id)).id
        if language is not None:
            store.default_language_id = (await _language(session, language)).id
        await session.flush()
        return store


# --- markets ---------------------------------------------------------------------------


async def _assign_market_countries(session: AsyncSession, market: Market, codes: Iterable[str]) -> None:
    countries = await _countries(session, codes)
    ids = [c.id for c in countries]
    if ids:
        taken = (
            await session.execute(
                select(Country.code, Market.name)
                .join(MarketCountry, MarketCountry.country_id == Country.id)
                .join(Market, Market.id == MarketCountry.market_id)
                .where(
                    MarketCountry.store_id == market.store_id,
                    MarketCountry.country_id.in_(ids),
                    MarketCountry.market_id != market.id,
                )
                .order_by(Country.code)
            )
        ).all()
        if taken:
            listed = ", ".join(f"{code} (market {name!r})" for code, name in taken)
            raise Conflict(f"a country geo-locates to one market per store; taken: {listed}", field="countries")
    await session.execute(delete(MarketCountry).where(MarketCountry.market_id == market.id))
    session.add_all(MarketCountry(store_id=market.store_id, market_id=market.id, country_id=i) for i in ids)
    await session.flush()


async def create_market(
    db: Database,
    store_id: int,
    name: str,
    *,
    countries: Iterable[str] = (),
    uri: str | None = None,
    allocation_rule_id: int | None = None,
    active: bool = True,
    make_default: bool = False,
    comment: str | None = None,
) -> Market:
    """A market geo-located by ``countries``; the store's first market becomes its default."""
    cleaned = _name(name)
    async with db.write() as session:
        store = await _get(session, Store, store_id, "store")
        if await session.scalar(select(Market.id).where(Market.store_id == store_id, Market.name == cleaned)):
            raise Conflict(f"store {store_id} has a market named {cleaned!r}", field="name")
        if allocation_rule_id is not None:
            await _get(session, AllocationRule, allocation_rule_id, "allocation_rule")
        market = Market(
            store_id=store_id,
            name=cleaned,
            uri=_name(uri, "uri") if uri is not None else None,
            active=active,
            allocation_rule_id=allocation_rule_id,
            comment=comment or None,
        )
        session.add(market)
        await session.flush()
        await _assign_market_countries(session, market, countries)
        if make_default or store.default_market_id is None:
            store.default_market_id = market.id
            await session.flush()
        loaded = await _reload(session, Market, market.id, selectinload(Market.countries))
        await outbox.record(
            session,
            "market",
            market.id,
            "created",
            {"name": cleaned, "active": active, "countries": [c.code for c in loaded.countries]},
            store_id=store_id,
        )
        return loaded


async def set_market_countries(db: Database, market_id: int, countries: Iterable[str]) -> Market:
    """Replace the countries that geo-locate to this market."""
    async with db.write() as session:
        market = await _get(session, Market, market_id, "market")
        await _assign_market_countries(session, market, countries)
        return await _reload(session, Market, market.id, selectinload(Market.countries))


async def set_market_allocation_rule(db: Database, market_id: int, allocation_rule_id: int | None) -> Market:
    """Choose the warehouses (through a rule) the market sells from; None sells from none."""
    async with db.write() as session:
        market = await _get(session, Market, market_id, "market")
        if allocation_rule_id is not None:
            await _get(session, AllocationRule, allocation_rule_id, "allocation_rule")
        market.allocation_rule_id = allocation_rule_id
        await session.flush()
        return await _reload(session, Market, market.id, selectinload(Market.countries))


# --- pricelists ---------------------------------------------------------------------------


async def _assign_pricelist_countries(session: AsyncSession, pricelist: Pricelist, codes: Iterable[str]) -> None:
    countries = await _countries(session, codes)
    ids = [c.id for c in countries]
    if ids:
        taken = (
            await session.execute(
                select(Country.code, Pricelist.name)
                .join(PricelistCountry, PricelistCountry.country_id == Country.id)
                .join(Pricelist, Pricelist.id == PricelistCountry.pricelist_id)
                .where(
                    PricelistCountry.store_id == pricelist.store_id,
                    PricelistCountry.currency_id == pricelist.currency_id,
                    PricelistCountry.country_id.in_(ids),
                    PricelistCountry.pricelist_id != pricelist.id,
                )
                .order_by(Country.code)
            )
        ).all()
        if taken:
            listed = ", ".join(f"{code} (pricelist {name!r})" for code, name in taken)
            raise Conflict(
                f"a country geo-locates to one pricelist per currency per store; taken: {listed}", field="countries"
            )
    await session.execute(delete(PricelistCountry).where(PricelistCountry.pricelist_id == pricelist.id))
    session.add_all(
        PricelistCountry(
            store_id=pricelist.store_id, pricelist_id=pricelist.id, currency_id=pricelist.currency_id, country_id=i
        )
        for i in ids
    )
    await session.flush()


async def create_pricelist(
    db: Database,
    store_id: int,
    name: str,
    currency: str,
    *,
    countries: Iterable[str] = (),
    active: bool = True,
    make_default: bool = False,
    default_shipping_method_id: int | None = None,
) -> Pricelist:
    """A pricelist in one currency; the store's first pricelist becomes its default."""
    cleaned = _name(name)
    async with db.write() as session:
        store = await _get(session, Store, store_id, "store")
        if await session.scalar(select(Pricelist.id).where(Pricelist.store_id == store_id, Pricelist.name == cleaned)):
            raise Conflict(f"store {store_id} has a pricelist named {cleaned!r}", field="name")
        pricelist = Pricelist(
            store_id=store_id, name=cleaned, currency_id=(await _currency(session, currency)).id, active=active
        )
        session.add(pricelist)
        await session.flush()
        await _assign_pricelist_countries(session, pricelist, countries)
        if default_shipping_method_id is not None:
            await set_default_shipping_in(session, pricelist, default_shipping_method_id)
        if make_default or store.default_pricelist_id is None:
            store.default_pricelist_id = pricelist.id
            await session.flush()
        loaded = await _reload(
            session, Pricelist, pricelist.id, selectinload(Pricelist.currency), selectinload(Pricelist.countries)
        )
        await outbox.record(
            session,
            "pricelist",
            pricelist.id,
            "created",
            {
                "name": cleaned,
                "currency": loaded.currency.code,
                "active": active,
                "countries": [c.code for c in loaded.countries],
                "default_shipping_method": default_shipping_method_id,
            },
            store_id=store_id,
        )
        return loaded


async def set_pricelist_countries(db: Database, pricelist_id: int, countries: Iterable[str]) -> Pricelist:
    """Replace the countries that geo-locate to this pricelist."""
    async with db.write() as session:
        pricelist = await _get(session, Pricelist, pricelist_id, "pricelist")
        await _assign_pricelist_countries(session, pricelist, countries)
        return await _reload(
            session, Pricelist, pricelist.id, selectinload(Pricelist.currency), selectinload(Pricelist.countries)
        )


# --- warehouses and allocation rules ----------------------------------------------------------


def warehouse_threshold(value: int) -> int:
    if not 0 <= value <= 1_000_000:
        raise ValidationFailed("threshold must be between 0 and 1000000", field="threshold")
    return value


async def create_warehouse(
    db: Database,
    name: str,
    *,
    stock_master: StockMaster = StockMaster.INTERNAL,
    threshold: int = 0,
    hidden_from_stock_view: bool = False,
    stock_ownership: StockOwnership = StockOwnership.OWN,
    allocation_policy: AllocationPolicy = AllocationPolicy.CHECK_FIRST,
    location: Location | None = None,
) -> Warehouse:
    cleaned = _name(name)
    async with db.write() as session:
        if await session.scalar(select(Warehouse.id).where(Warehouse.name == cleaned)) is not None:
            raise Conflict(f"a warehouse named {cleaned!r} exists", field="name")
        warehouse = Warehouse(
            name=cleaned,
            stock_master=StockMaster(stock_master),
            threshold=warehouse_threshold(threshold),
            hidden_from_stock_view=hidden_from_stock_view,
            stock_ownership=StockOwnership(stock_ownership).value,
            allocation_policy=AllocationPolicy(allocation_policy).value,
        )
        session.add(warehouse)
        await session.flush()
        where = await set_location_in(session, warehouse.id, location) if location is not None else None
        await outbox.record(
            session,
            "warehouse",
            warehouse.id,
            "created",
            {
                "name": cleaned,
                "stock_master": warehouse.stock_master.value,
                "threshold": warehouse.threshold,
                "hidden_from_stock_view": hidden_from_stock_view,
                "stock_ownership": warehouse.stock_ownership,
                "allocation_policy": warehouse.allocation_policy,
                "location": where,
            },
        )
        return warehouse


async def _set_rule_warehouses(session: AsyncSession, rule_id: int, warehouse_ids: Sequence[int]) -> None:
    if len(set(warehouse_ids)) != len(warehouse_ids):
        raise ValidationFailed("a warehouse appears twice in the allocation rule", field="warehouses")
    known = set(await session.scalars(select(Warehouse.id).where(Warehouse.id.in_(warehouse_ids))))
    missing = [str(i) for i in warehouse_ids if i not in known]
    if missing:
        raise ValidationFailed(f"unknown warehouse id(s): {', '.join(missing)}", field="warehouses")
    # A Core DELETE first: the ORM would flush the new rows before deleting the
    # old ones and trip the unique (rule, priority) constraint.
    await session.execute(delete(AllocationRuleWarehouse).where(AllocationRuleWarehouse.allocation_rule_id == rule_id))
    session.add_all(
        AllocationRuleWarehouse(allocation_rule_id=rule_id, warehouse_id=warehouse_id, priority=position)
        for position, warehouse_id in enumerate(warehouse_ids, start=1)
    )
    await session.flush()


def _rule_loaded() -> Any:
    return selectinload(AllocationRule.entries).selectinload(AllocationRuleWarehouse.warehouse)


async def create_allocation_rule(db: Database, name: str, warehouse_ids: Sequence[int]) -> AllocationRule:
    """A rule drawing from ``warehouse_ids`` in the order given (first = highest priority)."""
    cleaned = _name(name)
    async with db.write() as session:
        if await session.scalar(select(AllocationRule.id).where(AllocationRule.name == cleaned)) is not None:
            raise Conflict(f"an allocation rule named {cleaned!r} exists", field="name")
        rule = AllocationRule(name=cleaned)
        session.add(rule)
        await session.flush()
        await _set_rule_warehouses(session, rule.id, warehouse_ids)
        return await _reload(session, AllocationRule, rule.id, _rule_loaded())


async def set_allocation_rule_warehouses(db: Database, rule_id: int, warehouse_ids: Sequence[int]) -> AllocationRule:
    """Replace the rule's warehouses and their order."""
    async with db.write() as session:
        await _get(session, AllocationRule, rule_id, "allocation_rule")
        await _set_rule_warehouses(session, rule_id, warehouse_ids)
        return await _reload(session, AllocationRule, rule_id, _rule_loaded())


# --- shipping and payment ------------------------------------------------------------------------


@dataclass(frozen=True)
class ShippingPriceInput:
    """A shipping price in the pricelist's currency; ``market_id`` narrows it to one market."""

    pricelist_id: int
    price: Decimal
    free_from: Decimal | None = None
    market_id: int | None = None


async def create_shipping_method(
    db: Database,
    store_id: int,
    name: str,
    *,
    countries: Iterable[str],
    prices: Sequence[ShippingPriceInput],
    uri: str | None = None,
    active: bool = True,
    sort_order: int = 0,
) -> ShippingMethod:
    """A shipping method for ``countries``, priced per pricelist (and optionally per market)."""
    cleaned = _name(name)
    async with db.write() as session:
        await _get(session, Store, store_id, "store")
        clash = select(ShippingMethod.id).where(ShippingMethod.store_id == store_id, ShippingMethod.name == cleaned)
        if await session.scalar(clash) is not None:
            raise Conflict(f"store {store_id} has a shipping method named {cleaned!r}", field="name")
        method = ShippingMethod(
            store_id=store_id,
            name=cleaned,
            uri=_name(uri, "uri") if uri is not None else None,
            active=active,
            sort_order=sort_order,
        )
        session.add(method)
        await session.flush()
        session.add_all(
            ShippingMethodCountry(shipping_method_id=method.id, country_id=c.id)
            for c in await _countries(session, countries)
        )
        seen: set[tuple[int, int | None]] = set()
        for entry in prices:
            key = (entry.pricelist_id, entry.market_id)
            if key in seen:
                raise ValidationFailed("two prices for the same pricelist and market", field="prices")
            seen.add(key)
            pricelist = await _store_pricelist(session, store_id, entry.pricelist_id, "prices")
            if entry.market_id is not None:
                await _store_market(session, store_id, entry.market_id, "prices")
            decimals = (await _get(session, Currency, pricelist.currency_id, "currency")).decimals
            if entry.price < 0 or (entry.free_from is not None and entry.free_from < 0):
                raise ValidationFailed("shipping prices must not be negative", field="prices")
            session.add(
                ShippingPrice(
                    shipping_method_id=method.id,
                    pricelist_id=pricelist.id,
                    market_id=entry.market_id,
                    price_minor=to_minor(entry.price, decimals),
                    free_from_minor=to_minor(entry.free_from, decimals) if entry.free_from is not None else None,
                )
            )
        await session.flush()
        return await _reload(
            session,
            ShippingMethod,
            method.id,
            selectinload(ShippingMethod.countries),
            selectinload(ShippingMethod.prices),
        )


async def create_payment_method(
    db: Database,
    store_id: int,
    name: str,
    uri: str,
    *,
    market_ids: Iterable[int] = (),
    provider: str = "test",
    behaviour: PaymentBehaviour | None = None,
    active: bool = True,
    sort_order: int = 0,
) -> PaymentMethod:
    """A payment method offered in ``market_ids``. The test provider's
    ``behaviour`` defaults to success; other providers have none."""
    cleaned_uri = _name(uri, "uri")
    cleaned_provider = _name(provider, "provider").lower()
    if behaviour is None and cleaned_provider == "test":
        behaviour = PaymentBehaviour.SUCCESS
    async with db.write() as session:
        await _get(session, Store, store_id, "store")
        clash = select(PaymentMethod.id).where(PaymentMethod.store_id == store_id, PaymentMethod.uri == cleaned_uri)
        if await session.scalar(clash) is not None:
            raise Conflict(f"store {store_id} has a payment method with uri {cleaned_uri!r}", field="uri")
        method = PaymentMethod(
            store_id=store_id,
            name=_name(name),
            uri=cleaned_uri,
            provider=cleaned_provider,
            behaviour=PaymentBehaviour(behaviour) if behaviour is not None else None,
            active=active,
            sort_order=sort_order,
        )
        session.add(method)
        await session.flush()
        for market_id in dict.fromkeys(market_ids):
            await _store_market(session, store_id, market_id, "markets")
            session.add(PaymentMethodMarket(payment_method_id=method.id, market_id=market_id))
        await session.flush()
        return await _reload(session, PaymentMethod, method.id, selectinload(PaymentMethod.markets))


# --- tax -------------------------------------------------------------------------------------------


async def ensure_tax_group(db: Database, name: str) -> TaxGroup:
    """Create the tax group unless it exists; returned with its rules."""
    cleaned = _name(name)
    async with db.write() as session:
        await insert_or_ignore(session, TaxGroup, {"name": cleaned}, ["name"])
        group_id = (await session.scalars(select(TaxGroup.id).where(TaxGroup.name == cleaned))).one()
        return await _reload(session, TaxGroup, group_id, selectinload(TaxGroup.rules))


async def set_tax_rule(
    db: Database, tax_group_id: int, country: str, rate_bp: int, *, state: str | None = None
) -> TaxRule:
    """Set the group's rate in a country (or in one of its states), creating or replacing the rule."""
    if not 0 <= rate_bp <= 10_000:
        raise ValidationFailed("rate_bp must be between 0 and 10000 (0-100 %)", field="rate_bp")
    async with db.write() as session:
        await _get(session, TaxGroup, tax_group_id, "tax_group")
        (found,) = await _countries(session, [country], "country")
        state_id: int | None = None
        if state is not None:
            state_id = await session.scalar(
                select(CountryState.id).where(
                    CountryState.country_id == found.id, CountryState.code == state.strip().upper()
                )
            )
            if state_id is None:
                raise ValidationFailed(f"country {found.code} has no state {state!r}", field="state")
        rule = await session.scalar(
            select(TaxRule).where(
                TaxRule.tax_group_id == tax_group_id,
                TaxRule.country_id == found.id,
                TaxRule.state_id.is_(None) if state_id is None else TaxRule.state_id == state_id,
            )
        )
        if rule is None:
            rule = TaxRule(tax_group_id=tax_group_id, country_id=found.id, state_id=state_id, rate_bp=rate_bp)
            session.add(rule)
        else:
            rule.rate_bp = rate_bp
        await session.flush()
        return rule


async def tax_rates(
    db: DatabaseOrSession, tax_group_ids: Iterable[int], country: str, state: str | None = None
) -> dict[int, int]:
    """The rate in basis points per tax group for a country (and state).

    A state's rule beats the country's; a group with no rule there is untaxed
    (0). Takes a ``Database`` or the caller's session, so basket totals can
    ask for all their groups inside their own transaction in one query.
    """
    group_ids = list(dict.fromkeys(tax_group_ids))
    if not group_ids:
        return {}
    async with unit_of_work(db, write=False) as session:
        (found,) = await _countries(session, [country], "country")
        state_id: int | None = None
        if state is not None and state.strip():
            state_id = await session.scalar(
                select(CountryState.id).where(
                    CountryState.country_id == found.id, CountryState.code == state.strip().upper()
                )
            )
            if state_id is None:
                raise ValidationFailed(f"country {found.code} has no state {state!r}", field="state")
        rules = await session.execute(
            select(TaxRule.tax_group_id, TaxRule.state_id, TaxRule.rate_bp).where(
                TaxRule.tax_group_id.in_(group_ids),
                TaxRule.country_id == found.id,
                TaxRule.state_id.is_(None)
                if state_id is None
                else or_(TaxRule.state_id.is_(None), TaxRule.state_id == state_id),
            )
        )
        rates = dict.fromkeys(group_ids, 0)
        specific: set[int] = set()
        for group_id, rule_state_id, rate_bp in rules:
            if rule_state_id is not None:
                rates[group_id] = rate_bp
                specific.add(group_id)
            elif group_id not in specific:
                rates[group_id] = rate_bp
        return rates


async def tax_rate_bp(db: DatabaseOrSession, tax_group_id: int, country: str, state: str | None = None) -> int:
    """The rate of one tax group in a country (and state); see ``tax_rates``."""
    return (await tax_rates(db, [tax_group_id], country, state))[tax_group_id]
