"""A store's reference data as plain values: currencies, languages, countries,
markets and pricelists, and which country geo-locates where.

Read in a handful of queries and kept per process for a short while (see
``opencentra.storefront.cache``), because every selection response lists
countries and languages and most requests need the session's currency.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.errors import NotFound
from opencentra.stores.geo import shippable_countries
from opencentra.stores.models import (
    Country,
    CountryState,
    Currency,
    Language,
    Market,
    MarketCountry,
    OversellingMode,
    Pricelist,
    PricelistCountry,
    Store,
    StoreType,
)


@dataclass(frozen=True, slots=True)
class CurrencyInfo:
    id: int
    code: str
    name: str
    decimals: int
    decimal_point: str
    thousands_separator: str
    prefix: str
    suffix: str
    denominator: int


@dataclass(frozen=True, slots=True)
class LanguageInfo:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class StateInfo:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class CountryInfo:
    id: int
    code: str
    name: str
    eu: bool
    default_language_id: int | None
    states: tuple[StateInfo, ...]

    def state(self, code: str | None) -> StateInfo | None:
        if code is None:
            return None
        return next((s for s in self.states if s.code == code), None)


@dataclass(frozen=True, slots=True)
class MarketInfo:
    id: int
    name: str
    uri: str | None
    active: bool
    allocation_rule_id: int | None


@dataclass(frozen=True, slots=True)
class PricelistInfo:
    id: int
    name: str
    currency_id: int
    active: bool


@dataclass(frozen=True)
class StoreReference:
    store_id: int
    store_type: StoreType
    overselling_mode: OversellingMode
    timezone: str
    default_market_id: int | None
    default_pricelist_id: int | None
    default_language_id: int | None
    currencies: dict[int, CurrencyInfo]
    languages: dict[int, LanguageInfo]
    countries: dict[int, CountryInfo]
    markets: dict[int, MarketInfo]
    pricelists: dict[int, PricelistInfo]
    market_of_country: dict[int, int]
    pricelists_of_country: dict[int, tuple[int, ...]]
    # Countries the store ships to, in display order (by name).
    shippable: tuple[int, ...]

    def country_by_code(self, code: str) -> CountryInfo | None:
        wanted = code.strip().upper()
        return next((c for c in self.countries.values() if c.code == wanted), None)

    def language_by_code(self, code: str) -> LanguageInfo | None:
        wanted = code.strip().lower()
        return next((lang for lang in self.languages.values() if lang.code == wanted), None)

    def currency_of(self, pricelist_id: int) -> CurrencyInfo:
        return self.currencies[self.pricelists[pricelist_id].currency_id]

    def locate(self, country_id: int) -> tuple[int | None, int | None]:
        """The (market, pricelist) a shopper in the country gets; for display only.

        The same rule as ``opencentra.stores.geo.resolve_location``, which the
        use cases call when a shopper actually moves.
        """
        market_id = self.market_of_country.get(country_id, self.default_market_id)
        candidates = [p for p in self.pricelists_of_country.get(country_id, ()) if self.pricelists[p].active]
        default = self.pricelists.get(self.default_pricelist_id) if self.default_pricelist_id else None
        if default is not None:
            candidates.sort(key=lambda p: (self.pricelists[p].currency_id != default.currency_id, p))
        pricelist_id = candidates[0] if candidates else self.default_pricelist_id
        return market_id, pricelist_id


async def load_reference(session: AsyncSession, store_id: int) -> StoreReference:
    store = await session.get(Store, store_id)
    if store is None:
        raise NotFound(f"store {store_id} not found", field="store")
    currencies = {
        c.id: CurrencyInfo(
            c.id, c.code, c.name, c.decimals, c.decimal_point, c.thousands_separator, c.prefix, c.suffix, c.denominator
        )
        for c in await session.scalars(select(Currency))
    }
    languages = {row.id: LanguageInfo(row.id, row.code, row.name) for row in await session.scalars(select(Language))}
    states: dict[int, list[StateInfo]] = {}
    for state in await session.scalars(select(CountryState).order_by(CountryState.name)):
        states.setdefault(state.country_id, []).append(StateInfo(state.id, state.code, state.name))
    countries = {
        c.id: CountryInfo(c.id, c.code, c.name, c.eu, c.default_language_id, tuple(states.get(c.id, ())))
        for c in await session.scalars(select(Country).order_by(Country.name))
    }
    markets = {
        m.id: MarketInfo(m.id, m.name, m.uri, m.active, m.allocation_rule_id)
        for m in await session.scalars(select(Market).where(Market.store_id == store_id).order_by(Market.id))
    }
    pricelists = {
        p.id: PricelistInfo(p.id, p.name, p.currency_id, p.active)
        for p in await session.scalars(select(Pricelist).where(Pricelist.store_id == store_id).order_by(Pricelist.id))
    }
    market_of_country: dict[int, int] = {}
    for country_id, market_id in await session.execute(
        select(MarketCountry.country_id, MarketCountry.market_id)
        .join(Market, Market.id == MarketCountry.market_id)
        .where(MarketCountry.store_id == store_id, Market.active.is_(True))
    ):
        market_of_country[country_id] = market_id
    pricelists_of_country: dict[int, list[int]] = {}
    for country_id, pricelist_id in await session.execute(
        select(PricelistCountry.country_id, PricelistCountry.pricelist_id)
        .where(PricelistCountry.store_id == store_id)
        .order_by(PricelistCountry.pricelist_id)
    ):
        pricelists_of_country.setdefault(country_id, []).append(pricelist_id)
    shippable = tuple(c.id for c in await shippable_countries(session, store_id))
    return StoreReference(
        store_id=store.id,
        store_type=StoreType(store.type),
        overselling_mode=OversellingMode(store.overselling_mode),
        timezone=store.timezone,
        default_market_id=store.default_market_id,
        default_pricelist_id=store.default_pricelist_id,
        default_language_id=store.default_language_id,
        currencies=currencies,
        languages=languages,
        countries=countries,
        markets=markets,
        pricelists=pricelists,
        market_of_country=market_of_country,
        pricelists_of_country={k: tuple(v) for k, v in pricelists_of_country.items()},
        shippable=shippable,
    )
