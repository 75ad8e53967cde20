"""The demo data: a fashion brand's retail (DTC) and wholesale stores.

Everything is created through the domain services, in one transaction
(``Database.atomic``), so a failed seed leaves the database as it was. The
optional generated catalogue (``products=N``, for benchmarks) is written with
bulk inserts instead: one service call per product would take minutes for
100,000 products. It writes the same rows and the same events.

Re-running leaves existing data as it is and only issues fresh secrets (the
plugins' keys, the GraphQL token, the SOAP and admin passwords), because a
secret is shown only when issued and only its hash is kept.
"""

from __future__ import annotations

import secrets as _random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog import brands, categories, displays, products, sizes
from opencentra.catalog.models import (
    Category,
    Display,
    DisplayCategory,
    DisplayItem,
    DisplayMarket,
    Product,
    ProductSize,
    ProductVariant,
    Size,
    SizeChart,
)
from opencentra.catalog.products import ProductSpec, SizeSpec, VariantSpec, gtin_check_digit
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.demo.bundles import create_demo_bundles
from opencentra.demo.extras import seed_extras
from opencentra.errors import NotFound
from opencentra.events.models import Event
from opencentra.integration import services as integration
from opencentra.integration.models import PluginType
from opencentra.integration.permissions import ALL_PERMISSIONS
from opencentra.inventory import services as inventory
from opencentra.inventory.models import Stock
from opencentra.pricing import campaigns, prices, vouchers
from opencentra.pricing.models import Price
from opencentra.stores import services as stores
from opencentra.stores.models import (
    Currency,
    Market,
    OversellingMode,
    PaymentBehaviour,
    Pricelist,
    Store,
    StoreType,
    TaxGroup,
    Warehouse,
)

DTC_STORE = "OpenCentra Demo Retail"
WHOLESALE_STORE = "OpenCentra Demo Wholesale"
PRIMARY_WAREHOUSE = "Stockholm Central"
SECONDARY_WAREHOUSE = "Berlin Outlet"
GENERATED_PREFIX = "OC-GEN-"
GRAPHQL_TOKEN_NAME = "OpenCentra demo integration"
SOAP_USERNAME = "demo-erp"
ADMIN_USERNAME = "admin"
CLOTHING_SIZES = ("XS", "S", "M", "L", "XL")
GENERATED_BATCH = 500

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SeededStore:
    id: int
    name: str
    type: str


@dataclass(frozen=True)
class SeededPlugin:
    id: int
    store: int
    type: str
    uri: str
    base: str
    secret: str


@dataclass(frozen=True)
class DemoResult:
    stores: list[SeededStore]
    plugins: list[SeededPlugin]
    graphql_token: str
    soap_username: str
    soap_password: str
    admin_username: str
    admin_password: str
    created: bool
    generated_products: int

    def to_json(self) -> dict[str, Any]:
        """Exactly the keys of the command-line contract in shared/design.md."""
        return {
            "stores": [{"id": s.id, "name": s.name, "type": s.type} for s in self.stores],
            "plugins": [
                {"id": p.id, "store": p.store, "type": p.type, "uri": p.uri, "base": p.base, "secret": p.secret}
                for p in self.plugins
            ],
            "graphql_token": self.graphql_token,
            "soap": {"username": self.soap_username, "password": self.soap_password},
            "admin": {"username": self.admin_username, "password": self.admin_password},
        }


# --- the hand-made catalogue -----------------------------------------------------


@dataclass(frozen=True)
class _DemoProduct:
    number: str
    name: str
    brand: str
    category: str
    colours: Sequence[str]
    # Prices per currency code.
    price: dict[str, str]
    one_size: bool = False
    description: str = ""


_PRODUCTS: tuple[_DemoProduct, ...] = (
    _DemoProduct("OC-1001", "Organic Cotton Tee", "Northbound", "Women/Tops", ("Black", "Off White"),
                 {"SEK": "399.00", "EUR": "39.00", "USD": "45.00"}, description="A heavyweight organic cotton tee."),
    _DemoProduct("OC-1002", "Linen Button-Up Shirt", "Northbound", "Men/Shirts", ("Sand", "Navy"),
                 {"SEK": "899.00", "EUR": "89.00", "USD": "99.00"}, description="Breathable European linen."),
    _DemoProduct("OC-1003", "Wrap Midi Dress", "Atelier Sol", "Women/Dresses", ("Terracotta",),
                 {"SEK": "1499.00", "EUR": "149.00", "USD": "169.00"}, description="Fluid viscose wrap dress."),
    _DemoProduct("OC-1004", "Merino Crew Knit", "Northbound", "Men/Knitwear", ("Charcoal", "Oat"),
                 {"SEK": "1299.00", "EUR": "129.00", "USD": "139.00"}, description="Fine-gauge merino wool."),
    _DemoProduct("OC-1005", "Relaxed Chino", "Harbour & Co", "Men/Trousers", ("Khaki", "Black"),
                 {"SEK": "999.00", "EUR": "99.00", "USD": "109.00"}),
    _DemoProduct("OC-1006", "Pleated Wide Trousers", "Atelier Sol", "Women/Trousers", ("Ecru",),
                 {"SEK": "1199.00", "EUR": "119.00", "USD": "129.00"}),
    _DemoProduct("OC-1007", "Recycled Down Jacket", "Harbour & Co", "Women/Outerwear", ("Forest", "Black"),
                 {"SEK": "2999.00", "EUR": "299.00", "USD": "329.00"}, description="Recycled down, water-repellent."),
    _DemoProduct("OC-1008", "Wool Overcoat", "Harbour & Co", "Men/Outerwear", ("Camel",),
                 {"SEK": "3999.00", "EUR": "399.00", "USD": "449.00"}),
    _DemoProduct("OC-1009", "Canvas Tote", "Northbound", "Accessories", ("Natural",),
                 {"SEK": "299.00", "EUR": "29.00", "USD": "35.00"}, one_size=True),
    _DemoProduct("OC-1010", "Leather Card Holder", "Atelier Sol", "Accessories", ("Cognac", "Black"),
                 {"SEK": "499.00", "EUR": "49.00", "USD": "55.00"}, one_size=True),
    _DemoProduct("OC-1011", "Ribbed Beanie", "Northbound", "Accessories", ("Rust", "Grey"),
                 {"SEK": "349.00", "EUR": "35.00", "USD": "39.00"}, one_size=True),
    _DemoProduct("OC-1012", "Silk Scarf", "Atelier Sol", "Accessories", ("Print",),
                 {"SEK": "799.00", "EUR": "79.00", "USD": "89.00"}, one_size=True),
)  # fmt: skip

_CATEGORY_TREE = ("Women/Tops", "Women/Dresses", "Women/Trousers", "Women/Outerwear", "Men/Shirts",
                  "Men/Knitwear", "Men/Trousers", "Men/Outerwear", "Accessories")  # fmt: skip

# market name -> (countries, pricelist name, currency, allocation rule warehouses in order)
_DTC_MARKETS = {
    "Nordics": (("SE", "DK", "FI"), "SEK", "SEK"),
    "Europe": (("DE", "FR", "NL"), "EUR", "EUR"),
    "North America": (("US", "CA"), "USD", "USD"),
}
_WHOLESALE_COUNTRIES = ("SE", "DE", "FR", "NL")
# currency -> (standard, express, standard is free from)
_SHIPPING_PRICES = {
    "SEK": ("49.00", "149.00", "999.00"),
    "EUR": ("4.95", "14.95", "99.00"),
    "USD": ("5.95", "19.95", "120.00"),
}
_TAX_BP = {"SE": 2500, "DK": 2500, "FI": 2550, "DE": 1900, "FR": 2000, "NL": 2100, "US": 0, "CA": 500}


def _ean(kind: int, number: int, size_index: int) -> str:
    """A valid EAN-13 from the GS1 restricted range 2x, unique per (kind, product, size)."""
    body = f"2{kind}{number:07d}{size_index:03d}"
    return body + gtin_check_digit(body)


@dataclass
class _Ids:
    dtc_store: int
    wholesale_store: int
    markets: dict[str, int]
    pricelists: dict[str, int]
    wholesale_market: int
    wholesale_pricelist: int
    primary_warehouse: int
    secondary_warehouse: int
    clothing_chart: int
    clothing_sizes: list[int]
    categories: dict[str, int]
    tax_group: int


async def _reference_data(db: Database) -> None:
    for code, name in (("en", "English"), ("sv", "Swedish"), ("de", "German")):
        await stores.ensure_language(db, code, name)
    await stores.ensure_currency(db, "SEK", "Swedish krona", iso_number="752", decimal_point=",",
                                 thousands_separator=" ", suffix=" SEK")  # fmt: skip
    await stores.ensure_currency(db, "EUR", "Euro", iso_number="978", prefix="€")
    await stores.ensure_currency(db, "USD", "US dollar", iso_number="840", prefix="$")
    await stores.ensure_country(db, "SE", "Sweden", eu=True, default_language="sv")
    await stores.ensure_country(db, "DK", "Denmark", eu=True, default_language="en")
    await stores.ensure_country(db, "FI", "Finland", eu=True, default_language="en")
    await stores.ensure_country(db, "DE", "Germany", eu=True, default_language="de")
    await stores.ensure_country(db, "FR", "France", eu=True, default_language="en")
    await stores.ensure_country(db, "NL", "Netherlands", eu=True, default_language="en")
    await stores.ensure_country(db, "CA", "Canada", default_language="en")
    await stores.ensure_country(
        db, "US", "United States", default_language="en",
        states=(("CA", "California"), ("NY", "New York"), ("TX", "Texas"), ("WA", "Washington")),
    )  # fmt: skip


async def _create_base(db: Database) -> _Ids:
    await _reference_data(db)
    primary = await stores.create_warehouse(db, PRIMARY_WAREHOUSE)
    secondary = await stores.create_warehouse(db, SECONDARY_WAREHOUSE)
    rules = {
        "Nordics": await stores.create_allocation_rule(db, "Nordics: Stockholm first", [primary.id, secondary.id]),
        "Europe": await stores.create_allocation_rule(db, "Europe: Berlin first", [secondary.id, primary.id]),
        "North America": await stores.create_allocation_rule(db, "North America: Stockholm", [primary.id]),
    }
    tax_group = await stores.ensure_tax_group(db, "Standard rate")
    for country, rate in _TAX_BP.items():
        await stores.set_tax_rule(db, tax_group.id, country, rate)
    await stores.set_tax_rule(db, tax_group.id, "US", 725, state="CA")
    await stores.set_tax_rule(db, tax_group.id, "US", 400, state="NY")

    dtc = await stores.create_store(
        db, DTC_STORE, type=StoreType.DTC, overselling_mode=OversellingMode.STANDARD,
        autoconfirm_orders=True, timezone="Europe/Stockholm", default_language="en",
    )  # fmt: skip
    wholesale = await stores.create_store(
        db, WHOLESALE_STORE, type=StoreType.WHOLESALE, autoconfirm_orders=False, default_language="en"
    )
    markets: dict[str, int] = {}
    pricelists: dict[str, int] = {}
    for name, (countries, pricelist_name, currency) in _DTC_MARKETS.items():
        market = await stores.create_market(
            db, dtc.id, name, countries=countries, allocation_rule_id=rules[name].id, make_default=name == "Nordics"
        )
        pricelist = await stores.create_pricelist(
            db, dtc.id, pricelist_name, currency, countries=countries, make_default=name == "Nordics"
        )
        markets[name] = market.id
        pricelists[currency] = pricelist.id
    wholesale_market = await stores.create_market(
        db, wholesale.id, "Wholesale Europe", countries=_WHOLESALE_COUNTRIES, allocation_rule_id=rules["Europe"].id
    )
    wholesale_pricelist = await stores.create_pricelist(
        db, wholesale.id, "Wholesale EUR", "EUR", countries=_WHOLESALE_COUNTRIES
    )

    shipping_lists = [
        (dtc.id, name, countries, pricelists[currency], currency)
        for name, (countries, _pricelist, currency) in _DTC_MARKETS.items()
    ]
    shipping_lists.append((wholesale.id, "Wholesale Europe", _WHOLESALE_COUNTRIES, wholesale_pricelist.id, "EUR"))
    for store_id, market_name, countries, pricelist_id, currency in shipping_lists:
        standard, express, free_from = _SHIPPING_PRICES[currency]
        await stores.create_shipping_method(
            db, store_id, f"Standard {market_name}", countries=countries, sort_order=1,
            prices=[stores.ShippingPriceInput(pricelist_id, Decimal(standard), free_from=Decimal(free_from))],
        )  # fmt: skip
        await stores.create_shipping_method(
            db, store_id, f"Express {market_name}", countries=countries, sort_order=2,
            prices=[stores.ShippingPriceInput(pricelist_id, Decimal(express))],
        )  # fmt: skip
    all_dtc_markets = list(markets.values())
    for sort, (name, uri, behaviour) in enumerate(
        (
            ("Test card (approved)", "test-card", PaymentBehaviour.SUCCESS),
            ("Test redirect", "test-redirect", PaymentBehaviour.REDIRECT),
            ("Test form", "test-form", PaymentBehaviour.FORM),
            ("Test javascript widget", "test-javascript", PaymentBehaviour.JAVASCRIPT),
            ("Test card (declined)", "test-decline", PaymentBehaviour.DECLINE),
        ),
        start=1,
    ):
        await stores.create_payment_method(
            db, dtc.id, name, uri, market_ids=all_dtc_markets, behaviour=behaviour, sort_order=sort
        )
    await stores.create_payment_method(
        db, wholesale.id, "Test invoice", "test-invoice", market_ids=[wholesale_market.id],
        behaviour=PaymentBehaviour.SUCCESS,
    )  # fmt: skip

    clothing = await sizes.create_size_chart(db, "Clothing", CLOTHING_SIZES)
    one_size = await sizes.create_size_chart(db, "One size", ("One Size",))
    brand_ids = {
        name: (await brands.create_brand(db, name)).id for name in ("Northbound", "Atelier Sol", "Harbour & Co")
    }
    collection = await brands.create_collection(db, "Autumn/Winter 2026")
    category_ids = await _categories(db, dtc.id)

    clothing_sizes = await _size_ids(db, clothing.id)
    one_size_ids = await _size_ids(db, one_size.id)
    ids = _Ids(
        dtc_store=dtc.id,
        wholesale_store=wholesale.id,
        markets=markets,
        pricelists=pricelists,
        wholesale_market=wholesale_market.id,
        wholesale_pricelist=wholesale_pricelist.id,
        primary_warehouse=primary.id,
        secondary_warehouse=secondary.id,
        clothing_chart=clothing.id,
        clothing_sizes=clothing_sizes,
        categories=category_ids,
        tax_group=tax_group.id,
    )

    campaign_variants: list[campaigns.CampaignVariantSpec] = []
    variants_by_number: dict[str, list[int]] = {}
    for index, item in enumerate(_PRODUCTS, start=1):
        chart_sizes = one_size_ids if item.one_size else clothing_sizes
        product = await products.create_product(
            db,
            ProductSpec(
                name=item.name,
                product_number=item.number,
                size_chart_id=one_size.id if item.one_size else clothing.id,
                brand_id=brand_ids[item.brand],
                collection_id=collection.id,
                tax_group_id=tax_group.id,
                country_of_origin="PT",
                harmonized_code="6109100010",
                weight_grams=400,
                variants=[
                    VariantSpec(
                        name=colour,
                        variant_number=f"{v + 1:02d}",
                        sizes=[
                            SizeSpec(size_id=size_id, ean=_ean(1, index * 10 + v, s), sku=f"{s + 1:02d}")
                            for s, size_id in enumerate(chart_sizes)
                        ],
                    )
                    for v, colour in enumerate(item.colours)
                ],
            ),
        )
        variant_ids = await _variant_ids(db, product.id)
        variants_by_number[item.number] = variant_ids
        for store_id, market_ids in ((dtc.id, all_dtc_markets), (wholesale.id, [wholesale_market.id])):
            await displays.create_display(
                db,
                displays.DisplaySpec(
                    store_id=store_id,
                    product_id=product.id,
                    name=item.name,
                    variant_ids=variant_ids,
                    market_ids=market_ids,
                    category_ids=[category_ids[item.category]] if store_id == dtc.id else [],
                    description=item.description,
                    short_description=item.description,
                ),
            )
        for currency, pricelist_id in pricelists.items():
            await prices.set_prices(
                db,
                pricelist_id,
                [prices.PriceSpec(variant_id=v, price=Decimal(item.price[currency])) for v in variant_ids],
            )
        wholesale_price = (Decimal(item.price["EUR"]) / 2).quantize(Decimal("0.01"))
        await prices.set_prices(
            db, wholesale_pricelist.id, [prices.PriceSpec(variant_id=v, price=wholesale_price) for v in variant_ids]
        )
        for size_id in await _product_size_ids(db, variant_ids):
            await inventory.set_physical(db, primary.id, size_id, 25 + (size_id % 7) * 5)
            if size_id % 2 == 0:
                await inventory.set_physical(db, secondary.id, size_id, 10)
        if item.number in {"OC-1003", "OC-1007"}:
            campaign_variants.extend(campaigns.CampaignVariantSpec(variant_id=v, discount_bp=2000) for v in variant_ids)
    await campaigns.create_campaign(
        db, dtc.id, "Autumn sale", market_ids=[markets["Europe"], markets["Nordics"]], variants=campaign_variants
    )
    await create_demo_bundles(
        db,
        store_id=dtc.id,
        market_ids=all_dtc_markets,
        pricelists=pricelists,
        tax_group_id=tax_group.id,
        category_id=category_ids["Accessories"],
        clothing=(clothing.id, clothing_sizes),
        one_size=(one_size.id, one_size_ids),
        variants_by_number=variants_by_number,
    )
    currencies = await _currency_ids(db)
    await vouchers.create_voucher(
        db, vouchers.VoucherSpec(store_id=dtc.id, name="Welcome 10%", code="WELCOME10", percent_off_bp=1000)
    )
    await vouchers.create_voucher(
        db,
        vouchers.VoucherSpec(
            store_id=dtc.id, name="100 off", code="SAVE100",
            amounts={currencies["SEK"]: Decimal(100), currencies["EUR"]: Decimal(10), currencies["USD"]: Decimal(10)},
            minimum_totals={currencies["SEK"]: Decimal(1000), currencies["EUR"]: Decimal(100),
                            currencies["USD"]: Decimal(100)},
        ),
    )  # fmt: skip
    await vouchers.create_voucher(
        db, vouchers.VoucherSpec(store_id=dtc.id, name="Free shipping", code="FREESHIP", free_shipping=True)
    )
    return ids


async def _categories(db: Database, store_id: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for path in _CATEGORY_TREE:
        parent: int | None = None
        parts = path.split("/")
        for depth in range(len(parts)):
            key = "/".join(parts[: depth + 1])
            if key not in found:
                found[key] = (await categories.create_category(db, store_id, parts[depth], parent_id=parent)).id
            parent = found[key]
    return found


async def _size_ids(db: Database, chart_id: int) -> list[int]:
    async with db.read() as session:
        return list(
            (await session.scalars(select(Size.id).where(Size.size_chart_id == chart_id).order_by(Size.position))).all()
        )


async def _variant_ids(db: Database, product_id: int) -> list[int]:
    async with db.read() as session:
        query = select(ProductVariant.id).where(ProductVariant.product_id == product_id).order_by(ProductVariant.id)
        return list((await session.scalars(query)).all())


async def _product_size_ids(db: Database, variant_ids: Sequence[int]) -> list[int]:
    async with db.read() as session:
        query = select(ProductSize.id).where(ProductSize.variant_id.in_(variant_ids)).order_by(ProductSize.id)
        return list((await session.scalars(query)).all())


async def _currency_ids(db: Database) -> dict[str, int]:
    async with db.read() as session:
        return {code: id_ for id_, code in (await session.execute(select(Currency.id, Currency.code))).all()}


async def _load_ids(db: Database) -> _Ids | None:
    async with db.read() as session:
        dtc = await session.scalar(select(Store).where(Store.name == DTC_STORE))
        wholesale = await session.scalar(select(Store).where(Store.name == WHOLESALE_STORE))
        if dtc is None or wholesale is None:
            return None
        markets = {m.name: m.id for m in (await session.scalars(select(Market).where(Market.store_id == dtc.id))).all()}
        wholesale_market = await session.scalar(select(Market.id).where(Market.store_id == wholesale.id))
        pricelist_rows = (
            await session.execute(
                select(Pricelist.name, Pricelist.id, Pricelist.store_id).where(
                    Pricelist.store_id.in_([dtc.id, wholesale.id])
                )
            )
        ).all()
        warehouses = {w.name: w.id for w in (await session.scalars(select(Warehouse))).all()}
        chart = await session.scalar(select(SizeChart.id).where(SizeChart.name == "Clothing"))
        category_rows = (
            await session.execute(
                select(Category.id, Category.name, Category.parent_id).where(Category.store_id == dtc.id)
            )
        ).all()
    assert wholesale_market is not None
    assert chart is not None
    async with db.read() as session:
        tax_group = await session.scalar(select(TaxGroup.id).where(TaxGroup.name == "Standard rate"))
    assert tax_group is not None
    return _Ids(
        dtc_store=dtc.id,
        wholesale_store=wholesale.id,
        markets=markets,
        pricelists={name: id_ for name, id_, store in pricelist_rows if store == dtc.id},
        wholesale_market=wholesale_market,
        wholesale_pricelist=next(id_ for _n, id_, store in pricelist_rows if store == wholesale.id),
        primary_warehouse=warehouses[PRIMARY_WAREHOUSE],
        secondary_warehouse=warehouses[SECONDARY_WAREHOUSE],
        clothing_chart=chart,
        clothing_sizes=await _size_ids(db, chart),
        categories=_category_paths(category_rows),
        tax_group=tax_group,
    )


def _category_paths(rows: Sequence[Any]) -> dict[str, int]:
    """``{"Women/Tops": id}`` from (id, name, parent_id) rows."""
    by_id = {row[0]: row for row in rows}

    def path(category_id: int) -> str:
        _id, name, parent = by_id[category_id]
        return f"{path(parent)}/{name}" if parent is not None else str(name)

    return {path(row[0]): row[0] for row in rows}


# --- the generated catalogue (bulk) ------------------------------------------------

_ADJECTIVES = ("Classic", "Relaxed", "Slim", "Boxy", "Cropped", "Oversized", "Tailored", "Washed", "Soft", "Everyday")
_MATERIALS = ("Cotton", "Linen", "Wool", "Denim", "Jersey", "Cashmere", "Corduroy", "Twill", "Poplin", "Fleece")
_GARMENTS = ("Tee", "Shirt", "Sweater", "Hoodie", "Trousers", "Shorts", "Jacket", "Dress", "Skirt", "Cardigan")
_COLOURS = ("Black", "White", "Navy", "Olive", "Sand", "Grey", "Rust", "Sky")
_GENERATED_CATEGORIES = ("Women/Tops", "Men/Shirts", "Men/Knitwear", "Women/Dresses", "Men/Trousers")


async def _count_generated(db: Database) -> int:
    async with db.read() as session:
        count = await session.scalar(
            select(func.count()).select_from(Product).where(Product.product_number.like(f"{GENERATED_PREFIX}%"))
        )
        return int(count or 0)


def _table(model: Any) -> Table:
    """The model's table: Core inserts skip the ORM's per-row bookkeeping (most of a bulk insert's CPU)."""
    table: Table = model.__table__
    return table


async def _insert_returning_ids(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their new ids, in the order given.

    PostgreSQL batches ``INSERT ... RETURNING`` in order. SQLite cannot
    promise the order of a multi-row RETURNING, so SQLAlchemy would send one
    statement per row (a thread hop each through aiosqlite: most of the time
    of a 100,000-product seed). There the ids are given instead: the seed
    holds SQLite's only write lock (``BEGIN IMMEDIATE``), so the next ids are
    exactly the ones SQLite would have chosen, and one executemany does it.
    """
    if not rows:
        return []
    if session.get_bind().dialect.name != "sqlite":
        table = _table(model)
        result = await session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        return list(result.all())
    first = int(await session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    await session.execute(insert(_table(model)), [{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)])
    return ids


async def _generate_batch(session: AsyncSession, ids: _Ids, numbers: range) -> None:
    now = utcnow()
    product_rows: list[dict[str, Any]] = []
    for n in numbers:
        name = f"{_ADJECTIVES[n % 10]} {_MATERIALS[(n // 10) % 10]} {_GARMENTS[(n // 100) % 10]} {n}"
        product_rows.append(
            {"name": name, "product_number": f"{GENERATED_PREFIX}{n:06d}", "size_chart_id": ids.clothing_chart,
             "tax_group_id": ids.tax_group, "status": "active", "country_of_origin": "PT", "weight_grams": 350,
             "created_at": now, "updated_at": now}
        )  # fmt: skip
    product_ids = await _insert_returning_ids(session, Product, product_rows)
    variant_ids = await _insert_returning_ids(
        session,
        ProductVariant,
        [{"product_id": p, "name": _COLOURS[n % len(_COLOURS)], "variant_number": "01", "active": True, "sort_order": 0}
         for p, n in zip(product_ids, numbers, strict=True)],
    )  # fmt: skip
    size_rows = [
        {"variant_id": v, "size_id": size_id, "ean": _ean(9, n, s), "sku": f"{s + 1:02d}"}
        for v, n in zip(variant_ids, numbers, strict=True)
        for s, size_id in enumerate(ids.clothing_sizes)
    ]
    size_ids = await _insert_returning_ids(session, ProductSize, size_rows)
    display_ids = await _insert_returning_ids(
        session,
        Display,
        [{"store_id": ids.dtc_store, "product_id": p, "name": row["name"], "uri": str(row["product_number"]).lower(),
          "active": True, "sort_order": n, "created_at": now, "updated_at": now}
         for p, row, n in zip(product_ids, product_rows, numbers, strict=True)],
    )  # fmt: skip
    await session.execute(
        insert(_table(DisplayItem)),
        [{"display_id": d, "variant_id": v, "sort_order": 0} for d, v in zip(display_ids, variant_ids, strict=True)],
    )
    await session.execute(
        insert(_table(DisplayMarket)),
        [{"display_id": d, "market_id": m} for d in display_ids for m in ids.markets.values()],
    )
    await session.execute(
        insert(_table(DisplayCategory)),
        [{"display_id": d, "category_id": ids.categories[_GENERATED_CATEGORIES[n % 5]], "sort_order": 0}
         for d, n in zip(display_ids, numbers, strict=True)],
    )  # fmt: skip
    base = {"SEK": Decimal(10), "EUR": Decimal(1), "USD": Decimal("1.1")}
    price_rows = []
    for v, n in zip(variant_ids, numbers, strict=True):
        euros = 19 + (n * 7) % 180
        for currency, pricelist_id in ids.pricelists.items():
            minor = int((base[currency] * euros * 100).to_integral_value())
            price_rows.append({"pricelist_id": pricelist_id, "variant_id": v, "price_minor": minor, "updated_at": now})
    await session.execute(insert(_table(Price)), price_rows)
    stock_rows = [
        {"warehouse_id": ids.primary_warehouse, "product_size_id": s, "physical": 5 + s % 40, "allocated": 0}
        for s in size_ids
    ]
    stock_ids = await _insert_returning_ids(session, Stock, stock_rows)
    events = [
        {"store_id": None, "object_type": "product", "object_id": p, "action": "created", "created_at": now,
         "payload": {"product_number": row["product_number"], "name": row["name"]}}
        for p, row in zip(product_ids, product_rows, strict=True)
    ] + [
        {"store_id": ids.dtc_store, "object_type": "display", "object_id": d, "action": "created", "created_at": now,
         "payload": {"product": p}}
        for d, p in zip(display_ids, product_ids, strict=True)
    ] + [
        {"store_id": None, "object_type": "stock", "object_id": s, "action": "created", "created_at": now,
         "payload": {"warehouse_id": row["warehouse_id"], "product_size_id": row["product_size_id"],
                     "physical": row["physical"], "allocated": 0, "available": row["physical"], "reason": "seed"}}
        for s, row in zip(stock_ids, stock_rows, strict=True)
    ]  # fmt: skip
    await session.execute(insert(_table(Event)), events)


async def _top_up_generated(db: Database, ids: _Ids, target: int, progress: Progress | None) -> int:
    existing = await _count_generated(db)
    if target <= existing:
        return existing
    async with db.write() as session:
        for start in range(existing + 1, target + 1, GENERATED_BATCH):
            numbers = range(start, min(start + GENERATED_BATCH, target + 1))
            await _generate_batch(session, ids, numbers)
            if progress is not None:
                progress(numbers[-1] - existing, target - existing)
    return target


# --- credentials ------------------------------------------------------------------

_DEMO_PLUGINS: tuple[tuple[PluginType, str, dict[str, Any] | None], ...] = (
    (PluginType.CHECKOUT, "checkout", {"allowed_origins": [], "allow_flexible_bundles": True}),
    (PluginType.SHOP, "shop", {}),
    (PluginType.ORDER, "order", None),
    (PluginType.SUBSCRIPTION, "subscription", {}),
)


async def _issue_plugins(db: Database, ids: _Ids) -> list[SeededPlugin]:
    existing = {(p.type, p.uri): p for p in await integration.list_plugins(db, store_id=ids.dtc_store)}
    seeded: list[SeededPlugin] = []
    for plugin_type, uri, settings in _DEMO_PLUGINS:
        if settings is None:
            settings = {
                "markets": sorted(ids.markets.values()),
                "primary_warehouse": ids.primary_warehouse,
                "virtual_warehouses": [ids.secondary_warehouse],
                "allow_order_create": True,
            }
        found = existing.get((plugin_type, uri))
        if found is None:
            plugin, secret = await integration.create_plugin(
                db, store_id=ids.dtc_store, plugin_type=plugin_type, uri=uri, settings=settings
            )
            plugin_id = plugin.id
        else:
            plugin_id, secret = found.id, (await integration.rotate_plugin_secret(db, found.id)).secret
        seeded.append(SeededPlugin(plugin_id, ids.dtc_store, plugin_type.value, uri, f"/api/{uri}", secret))
    return seeded


async def _issue_token(db: Database) -> str:
    existing = await integration.find_token_by_name(db, GRAPHQL_TOKEN_NAME)
    if existing is not None:
        return (await integration.rotate_token(db, existing.id)).secret
    _token, secret = await integration.create_token(
        db, name=GRAPHQL_TOKEN_NAME, permissions=list(ALL_PERMISSIONS), lifetime=timedelta(days=30)
    )
    return secret


async def _issue_soap_password(db: Database) -> str:
    try:
        return await integration.rotate_soap_password(db, SOAP_USERNAME)
    except NotFound:
        return await integration.create_soap_user(db, username=SOAP_USERNAME)


async def seed_demo(db: Database, *, products: int = 0, progress: Progress | None = None) -> DemoResult:
    """Create the demo data if missing, grow the generated catalogue to
    ``products`` items, and issue fresh demo secrets, all in one transaction."""
    async with db.atomic() as tx:
        ids = await _load_ids(tx)
        created = ids is None
        if ids is None:
            ids = await _create_base(tx)
        await seed_extras(tx, store_id=ids.dtc_store)
        generated = await _top_up_generated(tx, ids, products, progress)
        plugins = await _issue_plugins(tx, ids)
        token = await _issue_token(tx)
        soap_password = await _issue_soap_password(tx)
        admin_password = _random.token_urlsafe(12)
        await integration.set_admin_password(tx, username=ADMIN_USERNAME, password=admin_password)
    return DemoResult(
        stores=[
            SeededStore(ids.dtc_store, DTC_STORE, StoreType.DTC.value.upper()),
            SeededStore(ids.wholesale_store, WHOLESALE_STORE, StoreType.WHOLESALE.value.upper()),
        ],
        plugins=plugins,
        graphql_token=token,
        soap_username=SOAP_USERNAME,
        soap_password=soap_password,
        admin_username=ADMIN_USERNAME,
        admin_password=admin_password,
        created=created,
        generated_products=generated,
    )
