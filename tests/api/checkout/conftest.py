"""A small shop for the Checkout API tests, and a browser-like client that keeps its token."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient
from tests.conftest import ApiHarness

from opencentra.catalog import brands, categories, displays, products, sizes
from opencentra.catalog.products import ProductSpec, SizeSpec, VariantSpec
from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.inventory import services as inventory
from opencentra.pricing import campaigns, prices, vouchers
from opencentra.stores import services as stores
from opencentra.stores.models import OversellingMode, PaymentBehaviour

BASE = "/api/checkout"
ORIGIN = "https://shop.example"


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    # Caches check for changes on every request, so tests see what they just wrote.
    monkeypatch.setenv("OPENCENTRA_CHECKOUT_CACHE_SECONDS", "0")


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # argon2id with production costs takes ~180 ms a hash; these tests are about
    # the API, not the hash (tests/customers covers that with the real costs).
    from argon2 import PasswordHasher

    from opencentra import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheap.hash("opencentra-dummy-password"))


@dataclass
class ShopIds:
    store: int
    plugin: int
    secret: str
    markets: dict[str, int]
    pricelists: dict[str, int]
    warehouse: int
    # item ids by name, e.g. "tee-black-M"
    items: dict[str, str]
    products: dict[str, int]
    sizes: dict[str, int]
    categories: dict[str, int]
    brand: int
    collection: int
    variants: dict[str, int] = field(default_factory=dict)


async def build_shop(
    db: Database,
    *,
    overselling: OversellingMode = OversellingMode.STANDARD,
    stock: int = 10,
    allowed_origins: tuple[str, ...] = (),
) -> ShopIds:
    """Sweden (SEK), Germany (EUR) and the US (USD, states) in three markets; three products."""
    async with db.atomic() as tx:
        for code, name in (("en", "English"), ("sv", "Swedish"), ("de", "German")):
            await stores.ensure_language(tx, code, name)
        await stores.ensure_currency(tx, "SEK", "Swedish krona", suffix=" SEK")
        await stores.ensure_currency(tx, "EUR", "Euro", prefix="€")
        await stores.ensure_currency(tx, "USD", "US dollar", prefix="$")
        await stores.ensure_country(tx, "SE", "Sweden", eu=True, default_language="sv")
        await stores.ensure_country(tx, "DK", "Denmark", eu=True, default_language="en")
        await stores.ensure_country(tx, "DE", "Germany", eu=True, default_language="de")
        await stores.ensure_country(tx, "NO", "Norway", default_language="en")
        await stores.ensure_country(
            tx, "US", "United States", default_language="en", states=(("CA", "California"), ("NY", "New York"))
        )
        warehouse = await stores.create_warehouse(tx, "Main")
        rule = await stores.create_allocation_rule(tx, "Main only", [warehouse.id])
        store = await stores.create_store(
            tx, "Test Shop", overselling_mode=overselling, autoconfirm_orders=True, default_language="en"
        )
        markets = {}
        pricelists = {}
        for name, countries, currency in (
            ("Nordics", ("SE", "DK"), "SEK"),
            ("Europe", ("DE",), "EUR"),
            ("America", ("US",), "USD"),
        ):
            market = await stores.create_market(
                tx, store.id, name, countries=countries, allocation_rule_id=rule.id, uri=f"{name.lower()}-vip"
            )
            pricelist = await stores.create_pricelist(tx, store.id, currency, currency, countries=countries)
            markets[name] = market.id
            pricelists[currency] = pricelist.id
        tax = await stores.ensure_tax_group(tx, "Standard")
        for country, rate in (("SE", 2500), ("DK", 2500), ("DE", 1900), ("US", 0)):
            await stores.set_tax_rule(tx, tax.id, country, rate)
        await stores.set_tax_rule(tx, tax.id, "US", 725, state="CA")
        for name, countries, currency, price, free_from in (
            ("Standard", ("SE", "DK"), "SEK", "50", "1000"),
            ("Express", ("SE", "DK"), "SEK", "150", None),
            ("Standard EU", ("DE",), "EUR", "5", None),
            ("Standard US", ("US",), "USD", "6", None),
        ):
            await stores.create_shipping_method(
                tx,
                store.id,
                name,
                countries=countries,
                uri=name.lower().replace(" ", "-"),
                prices=[
                    stores.ShippingPriceInput(
                        pricelists[currency], Decimal(price), free_from=Decimal(free_from) if free_from else None
                    )
                ],
            )
        for sort, (uri, behaviour) in enumerate(
            (
                ("test-card", PaymentBehaviour.SUCCESS),
                ("test-redirect", PaymentBehaviour.REDIRECT),
                ("test-form", PaymentBehaviour.FORM),
                ("test-javascript", PaymentBehaviour.JAVASCRIPT),
                ("test-decline", PaymentBehaviour.DECLINE),
            )
        ):
            await stores.create_payment_method(
                tx,
                store.id,
                uri.replace("-", " ").title(),
                uri,
                market_ids=list(markets.values()),
                behaviour=behaviour,
                sort_order=sort,
            )
        chart = await sizes.create_size_chart(tx, "Letters", ("S", "M", "L"))
        one = await sizes.create_size_chart(tx, "One", ("One Size",))
        brand = await brands.create_brand(tx, "Northbound")
        collection = await brands.create_collection(tx, "Autumn")
        shop_category = await categories.create_category(tx, store.id, "Shop")
        tops = await categories.create_category(tx, store.id, "Tops", parent_id=shop_category.id)
        bottoms = await categories.create_category(tx, store.id, "Bottoms", parent_id=shop_category.id)
        accessories = await categories.create_category(tx, store.id, "Accessories")

        chart_sizes = [s.id for s in chart.sizes]
        one_sizes = [s.id for s in one.sizes]
        items: dict[str, str] = {}
        product_ids: dict[str, int] = {}
        size_ids: dict[str, int] = {}
        variant_ids: dict[str, int] = {}
        catalogue = (
            ("tee", "Organic Tee", "TEE", chart.id, chart_sizes, ("Black", "White"), tops.id, ("200", "20", "25")),
            ("jeans", "Grön Jeans", "JNS", chart.id, chart_sizes, ("Blue",), bottoms.id, ("800", "80", "90")),
            ("scarf", "Silk Scarf", "SCF", one.id, one_sizes, ("Print",), accessories.id, ("100", "10", "12")),
        )
        for key, name, number, chart_id, chart_size_ids, colours, category_id, amounts in catalogue:
            product = await products.create_product(
                tx,
                ProductSpec(
                    name=name,
                    product_number=number,
                    size_chart_id=chart_id,
                    brand_id=brand.id,
                    collection_id=collection.id,
                    tax_group_id=tax.id,
                    variants=[
                        VariantSpec(
                            name=colour,
                            variant_number=f"-{colour[:3].upper()}",
                            sizes=[SizeSpec(size_id=s, sku=f"-{i}") for i, s in enumerate(chart_size_ids)],
                        )
                        for colour in colours
                    ],
                ),
            )
            display = await displays.create_display(
                tx,
                displays.DisplaySpec(
                    store_id=store.id,
                    product_id=product.id,
                    name=name,
                    variant_ids=[v.id for v in product.variants],
                    market_ids=list(markets.values()),
                    category_ids=[category_id],
                    description=f"The {name.lower()}.",
                    short_description=f"A {name.lower()}",
                ),
            )
            for currency, amount in zip(("SEK", "EUR", "USD"), amounts, strict=True):
                await prices.set_prices(
                    tx,
                    pricelists[currency],
                    [prices.PriceSpec(variant_id=v.id, price=Decimal(amount)) for v in product.variants],
                )
            for variant, item in zip(product.variants, display.items, strict=True):
                colour = variant.name.lower()
                product_ids[f"{key}-{colour}"] = item.id
                variant_ids[f"{key}-{colour}"] = variant.id
                for product_size in variant.sizes:
                    size_name = next(s.name for s in (chart.sizes + one.sizes) if s.id == product_size.size_id)
                    label = f"{key}-{colour}-{size_name}"
                    items[label] = f"{item.id}-{product_size.id}"
                    size_ids[label] = product_size.id
                    await inventory.set_physical(tx, warehouse.id, product_size.id, stock)
        await campaigns.create_campaign(
            tx,
            store.id,
            "Scarf sale",
            market_ids=[markets["Nordics"]],
            variants=[campaigns.CampaignVariantSpec(variant_id=variant_ids["scarf-print"], discount_bp=2000)],
        )
        currency_ids = {c: (await stores.ensure_currency(tx, c, c)).id for c in ("SEK", "EUR", "USD")}
        await vouchers.create_voucher(
            tx, vouchers.VoucherSpec(store_id=store.id, name="Welcome 10%", code="WELCOME10", percent_off_bp=1000)
        )
        await vouchers.create_voucher(
            tx, vouchers.VoucherSpec(store_id=store.id, name="Free shipping", code="FREESHIP", free_shipping=True)
        )
        await vouchers.create_voucher(
            tx,
            vouchers.VoucherSpec(
                store_id=store.id, name="Everything free", code="FREEALL", percent_off_bp=10_000, free_shipping=True
            ),
        )
        await vouchers.create_voucher(
            tx,
            vouchers.VoucherSpec(
                store_id=store.id,
                name="100 off",
                code="SAVE100",
                amounts={currency_ids["SEK"]: Decimal(100)},
                minimum_totals={currency_ids["SEK"]: Decimal(500)},
            ),
        )
    plugin, secret = await integration.create_plugin(
        db,
        store_id=store.id,
        plugin_type="checkout",
        uri="checkout",
        settings={"allowed_origins": list(allowed_origins), "frontend_url": "https://shop.example"},
    )
    return ShopIds(
        store=store.id,
        plugin=plugin.id,
        secret=secret,
        markets=markets,
        pricelists=pricelists,
        warehouse=warehouse.id,
        items=items,
        products=product_ids,
        sizes=size_ids,
        categories={"shop": shop_category.id, "tops": tops.id, "bottoms": bottoms.id, "accessories": accessories.id},
        brand=brand.id,
        collection=collection.id,
        variants=variant_ids,
    )


class Browser:
    """A storefront client: keeps the token from each answer and sends it back."""

    def __init__(self, client: TestClient, *, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.token: str | None = None
        self.headers = dict(headers or {})

    def request(self, method: str, path: str, json: Any = None, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if self.token is not None and "api-token" not in {k.lower() for k in headers}:
            headers["API-Token"] = self.token
        response = self.client.request(method, BASE + path, json=json, headers=headers, **kwargs)
        if response.headers.get("content-type", "").startswith("application/json"):
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("token"), str):
                self.token = body["token"]
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PUT", path, json, **kwargs)

    def delete(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("DELETE", path, json, **kwargs)


@pytest.fixture
def shop(api: ApiHarness) -> ShopIds:
    return api.call(build_shop)


@pytest.fixture
def browser(api: ApiHarness, shop: ShopIds) -> Browser:
    return Browser(api.client)


@pytest.fixture
def server(api: ApiHarness, shop: ShopIds) -> Browser:
    """Server mode: the shared secret on every request."""
    return Browser(api.client, headers={"Authorization": f"Bearer {shop.secret}"})


CHECKOUT_ADDRESS = {
    "email": "shopper@example.com",
    "firstName": "Test",
    "lastName": "Shopper",
    "address1": "Street 1",
    "zipCode": "12345",
    "city": "Malmo",
    "country": "SE",
    "phoneNumber": "123456",
}


def pay_body(method: str = "test-card", **extra: Any) -> dict[str, Any]:
    return {
        "paymentMethod": method,
        "paymentReturnPage": "https://shop.example/return",
        "paymentFailedPage": "https://shop.example/failed",
        "termsAndConditions": True,
        "address": dict(CHECKOUT_ADDRESS),
        **extra,
    }


@pytest.fixture
def wire_only(database_url: str) -> None:
    """For checks of the wire format alone: one backend is enough."""
    if not database_url.startswith("sqlite"):
        pytest.skip("wire-format check; runs on SQLite only")


def adapter_state(api: ApiHarness) -> Any:
    """The Checkout API adapter's per-app state (caches, throttle, mailer)."""
    from starlette.routing import Mount

    from opencentra.integration.models import PluginType

    mount = next(r for r in api.client.app.routes if isinstance(r, Mount) and r.path == "/api")  # type: ignore[attr-defined]
    edge = mount.app.adapters[PluginType.CHECKOUT].app
    return edge.app.state


def capture_mail(api: ApiHarness) -> list[tuple[str, str]]:
    """Send password-reset links to a list instead of nowhere."""
    import dataclasses

    sent: list[tuple[str, str]] = []
    state = adapter_state(api)
    state.checkout = dataclasses.replace(state.checkout, mailer=lambda to, link: sent.append((to, link)))
    return sent
