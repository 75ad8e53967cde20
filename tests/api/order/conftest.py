"""A small retail world for the Order API tests, built through the domain services.

One store (Autoconfirm Orders on, Europe/Stockholm) with two markets:
"Sweden" draws from Stockholm then Virtual, "Norway" only from Stockholm.
The plugin sees Sweden only; its primary warehouse is Stockholm, Virtual is
its virtual warehouse, and Elsewhere belongs to no one. One product (Tee,
black) in sizes S and M with EANs, priced 100.00 SEK at 25 % VAT.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import ApiHarness

from opencentra import orders
from opencentra.address import Address
from opencentra.catalog import brands, displays, products, sizes
from opencentra.catalog.products import ProductSpec, SizeSpec, VariantSpec
from opencentra.customers import services as customers
from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.inventory import services as inventory
from opencentra.pricing import prices
from opencentra.stores import services as stores

FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures"
EAN_S = "7350000000016"
EAN_M = "7350000000023"


@dataclass(frozen=True)
class World:
    store: int
    sweden: int
    norway: int
    pricelist: int
    currency: int
    stockholm: int
    virtual: int
    elsewhere: int
    product: int
    variant: int
    small: int
    medium: int
    customer: int
    shipping_method: int


async def build_world(db: Database) -> World:
    # One transaction for the whole world: much faster than one per service call.
    async with db.atomic() as tx:
        return await _build(tx)


async def _build(db: Database) -> World:
    currency = await stores.ensure_currency(db, "SEK", "Swedish krona")
    await stores.ensure_country(db, "SE", "Sweden", eu=True)
    await stores.ensure_country(db, "NO", "Norway")
    await stores.ensure_country(db, "US", "United States")
    store = await stores.create_store(db, "Retail", autoconfirm_orders=True, timezone="Europe/Stockholm")
    stockholm = await stores.create_warehouse(db, "Stockholm")
    virtual = await stores.create_warehouse(db, "Virtual")
    elsewhere = await stores.create_warehouse(db, "Elsewhere")
    both = await stores.create_allocation_rule(db, "Stockholm then virtual", [stockholm.id, virtual.id])
    only = await stores.create_allocation_rule(db, "Stockholm", [stockholm.id])
    sweden = await stores.create_market(
        db, store.id, "Sweden", countries=["SE"], allocation_rule_id=both.id, make_default=True
    )
    norway = await stores.create_market(db, store.id, "Norway", countries=["NO"], allocation_rule_id=only.id)
    pricelist = await stores.create_pricelist(db, store.id, "SEK", "SEK", countries=["SE", "NO"], make_default=True)
    shipping = await stores.create_shipping_method(
        db,
        store.id,
        "Standard",
        uri="standard",
        countries=["SE", "NO"],
        prices=[stores.ShippingPriceInput(pricelist_id=pricelist.id, price=Decimal("49"))],
    )
    chart = await sizes.create_size_chart(db, "Letters", ["S", "M"])
    small_size, medium_size = chart.sizes
    brand = await brands.create_brand(db, "Acme")
    product = await products.create_product(
        db,
        ProductSpec(
            name="Tee",
            product_number="TEE",
            size_chart_id=chart.id,
            brand_id=brand.id,
            country_of_origin="PT",
            weight_grams=170,
            harmonized_code="6109",
            variants=[
                VariantSpec("Black", "BLK", [SizeSpec(small_size.id, EAN_S, "S"), SizeSpec(medium_size.id, EAN_M, "M")])
            ],
        ),
    )
    variant = product.variants[0]
    small, medium = (size.id for size in variant.sizes)
    await prices.set_prices(db, pricelist.id, [prices.PriceSpec(variant.id, Decimal("100"))])
    await displays.create_display(
        db, displays.DisplaySpec(store_id=store.id, product_id=product.id, name="The Tee", variant_ids=[variant.id])
    )
    await inventory.set_physical(db, stockholm.id, small, 10)
    await inventory.set_physical(db, stockholm.id, medium, 10)
    await inventory.set_physical(db, virtual.id, small, 2)
    await inventory.set_physical(db, elsewhere.id, small, 7)
    # A registered customer without paying for a password hash (argon2 takes ~0.2 s).
    async with db.write() as session:
        customer = await customers.ensure_guest_customer(
            session, store.id, "ada@example.com", address=Address(first_name="Ada", last_name="L", country="SE")
        )
        customer.registered = True
    return World(
        store=store.id,
        sweden=sweden.id,
        norway=norway.id,
        pricelist=pricelist.id,
        currency=currency.id,
        stockholm=stockholm.id,
        virtual=virtual.id,
        elsewhere=elsewhere.id,
        product=product.id,
        variant=variant.id,
        small=small,
        medium=medium,
        customer=customer.id,
        shipping_method=shipping.id,
    )


def order_draft(world: World, *lines: tuple[int, int], **changes: Any) -> orders.OrderDraft:
    """An order as checkout would place it: ``lines`` are (size id, quantity) at 100.00 incl. 25 % VAT."""
    base = orders.OrderDraft(
        store_id=world.store,
        market_id=world.sweden,
        pricelist_id=world.pricelist,
        currency_id=world.currency,
        customer_id=world.customer,
        email="ada@example.com",
        billing=Address(first_name="Ada", last_name="L", address1="Storgatan 1", city="Lund", country="SE"),
        lines=[
            orders.LineDraft(
                "The Tee",
                quantity,
                10000,
                product_size_id=size,
                variant_name="Black",
                size_name="S" if size == world.small else "M",
                tax_bp=2500,
            )
            for size, quantity in (lines or ((world.small, 2),))
        ],
        shipping_minor=4900,
        tax_minor=4980,
        shipping_method_id=world.shipping_method,
        payment_provider="test",
        payment_reference="psp-1",
    )
    return replace(base, **changes)


class Wms:
    """An Order API client: the harness plus the plugin's base and secret."""

    def __init__(self, api: ApiHarness, world: World, base: str, secret: str) -> None:
        self.api = api
        self.world = world
        self.base = base
        self.headers = {"API-Authorization": secret}

    def get(self, path: str, **params: Any) -> Any:
        response = self.api.client.get(self.base + path, params=params, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def send(self, method: str, path: str, body: Any = None, *, status: int = 200) -> Any:
        response = self.api.client.request(method, self.base + path, json=body, headers=self.headers)
        assert response.status_code == status, response.text
        return response.json()

    def place(self, *lines: tuple[int, int], **changes: Any) -> orders.Order:
        return self.api.call(orders.create_order, order_draft(self.world, *lines, **changes))

    def levels(self, warehouse: int, size: int) -> tuple[int, int]:
        found = self.api.call(inventory.stock_levels, warehouse_ids=[warehouse], product_size_ids=[size])
        return (found[0].physical, found[0].allocated) if found else (0, 0)


def make_plugin(api: ApiHarness, world: World, uri: str = "wms", **settings: Any) -> tuple[str, str]:
    values: dict[str, Any] = {
        "markets": [world.sweden],
        "primary_warehouse": world.stockholm,
        "virtual_warehouses": [world.virtual],
        "allow_order_create": True,
        **settings,
    }
    plugin, secret = api.call(
        lambda db: integration.create_plugin(db, store_id=world.store, plugin_type="order", uri=uri, settings=values)
    )
    return plugin.base, secret


@pytest.fixture
def world(api: ApiHarness) -> World:
    return api.call(build_world)


@pytest.fixture
def wms(api: ApiHarness, world: World) -> Wms:
    base, secret = make_plugin(api, world)
    return Wms(api, world, base, secret)


def fixture_examples(name: str = "order-api.examples.jsonl") -> list[dict[str, Any]]:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"Centra's documented examples are not at {path} (../shared/fixtures next to the repo)")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def examples() -> list[dict[str, Any]]:
    return fixture_examples()
