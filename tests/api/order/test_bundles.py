"""Bundles over the Order API: the four "Bundles in orders/shipments" modes, and POST /stock refusing bundles.

The bundle is Centra's documented example: a jacket (200) and a cap (100) in
a fixed bundle at a static 150, so the components show 100 and 50.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from tests.api.order.conftest import Wms, World, make_plugin, order_draft
from tests.conftest import ApiHarness

from opencentra import orders
from opencentra.catalog import bundles, displays, products, sizes
from opencentra.catalog.bundle_models import BundlePriceType, BundleType
from opencentra.catalog.products import ProductSpec, SizeSpec, VariantSpec
from opencentra.db.engine import Database
from opencentra.inventory import services as inventory
from opencentra.orders.bundle_lines import insert_order_with_bundles
from opencentra.orders.models import Order
from opencentra.pricing import bundle_prices, prices

NOW = datetime(2030, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Kit:
    bundle: int
    bundle_size: int
    jacket: int
    cap: int


async def _kit(db: Database, world: World) -> Kit:
    async with db.atomic() as tx:
        chart = await sizes.create_size_chart(tx, "One", ["One Size"])
        (one,) = chart.sizes
        made: dict[str, Any] = {}
        for key, number, price in (("jacket", "JKT", 200), ("cap", "CAP", 100), ("kit", "KIT", 150)):
            product = await products.create_product(
                tx,
                ProductSpec(
                    name=key.title(),
                    product_number=number,
                    size_chart_id=chart.id,
                    variants=[VariantSpec("Std", "STD", [SizeSpec(one.id, None, "")])],
                ),
            )
            variant = product.variants[0]
            await prices.set_prices(tx, world.pricelist, [prices.PriceSpec(variant.id, Decimal(price))])
            await displays.create_display(
                tx,
                displays.DisplaySpec(store_id=world.store, product_id=product.id, name=key, variant_ids=[variant.id]),
            )
            if key != "kit":
                await inventory.set_physical(tx, world.stockholm, variant.sizes[0].id, 10)
            made[key] = variant
        bundle = await bundles.create_bundle(
            tx,
            made["kit"].id,
            bundle_type=BundleType.FIXED,
            price_type=BundlePriceType.STATIC,
            sections=[bundles.SectionSpec([made["jacket"].id]), bundles.SectionSpec([made["cap"].id])],
        )
    return Kit(bundle.id, made["kit"].sizes[0].id, made["jacket"].sizes[0].id, made["cap"].sizes[0].id)


async def _order(db: Database, world: World, kit: Kit) -> Order:
    """One tee and one kit, as checkout places them."""
    async with db.write() as session:
        bundle = await bundles.bundle_of_variant(session, (await bundles.get_bundle(db, kit.bundle)).variant_id)
        assert bundle is not None
        chosen = await bundles.choose_components(session, world.store, kit.bundle_size, {})
        price = await bundle_prices.line_price(session, bundle, chosen, world.pricelist, world.sweden, NOW)
        assert price is not None
        plan = bundles.plan_order_lines(bundle, 1, price, chosen)
        draft = order_draft(world, (world.small, 1))
        kit_line = orders.LineDraft("Kit", 1, price.unit_minor, product_size_id=kit.bundle_size, tax_bp=2500)
        draft = replace(draft, lines=[*draft.lines, kit_line], tax_minor=5000)
        return await insert_order_with_bundles(session, draft, {1: plan})


@pytest.fixture
def kit(api: ApiHarness, world: World) -> Kit:
    return api.call(_kit, world)


def _client(api: ApiHarness, world: World, mode: int, uri: str) -> Wms:
    base, secret = make_plugin(api, world, uri=uri, bundles_in_orders=mode, bundles_in_shipments=mode)
    return Wms(api, world, base, secret)


def _prices(products_: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (p["name"], p["originalPrice"], p["price"], p["isBundle"], p.get("isPartOfBundle"), p["qty"]) for p in products_
    ]


def test_the_four_bundle_modes_in_orders(api: ApiHarness, world: World, kit: Kit) -> None:
    order = api.call(_order, world, kit)
    tee, kit_line, jacket, cap = order.lines
    part = str(kit_line.id)
    assert order.items_total_minor == 10000 + 15000
    seen = {}
    for mode in (1, 2, 3, 4):
        (found,) = _client(api, world, mode, f"wms{mode}").get("/orders")["orders"]
        seen[mode] = found["products"]
        assert found["totalItemsPrice"] == 250
    assert _prices(seen[1]) == [
        ("The Tee", 100, 100, False, None, 1),
        ("Jacket", 200, 100, False, part, 1),
        ("Cap", 100, 50, False, part, 1),
    ]
    assert _prices(seen[2]) == [("The Tee", 100, 100, False, None, 1), ("Kit", 300, 150, True, None, 1)]
    assert _prices(seen[2][1]["bundle"]) == [("Jacket", 200, 100, False, part, 1), ("Cap", 100, 50, False, part, 1)]
    assert seen[2][1]["lineId"] == part
    assert _prices(seen[3]) == [("The Tee", 100, 100, False, None, 1), ("Kit", 150, 0, True, None, 1)]
    assert _prices(seen[4]) == [
        ("The Tee", 100, 100, False, None, 1),
        ("Kit", 150, 0, True, None, 1),
        ("Jacket", 200, 100, False, part, 1),
        ("Cap", 100, 50, False, part, 1),
    ]
    # The components carry the stock.
    assert [w["itemQty"] for w in seen[4][2]["warehouses"]] == [1]
    assert seen[4][1]["warehouses"] == []
    assert (jacket.product_size_id, cap.product_size_id, tee.product_size_id) == (kit.jacket, kit.cap, world.small)


def test_bundle_modes_in_shipments(api: ApiHarness, world: World, kit: Kit) -> None:
    order = api.call(_order, world, kit)
    _tee, kit_line, jacket, cap = order.lines
    api.call(orders.create_shipment, order.id, {jacket.id: 1, cap.id: 1}, good_to_go=True)
    part = str(kit_line.id)
    (only_items,) = _client(api, world, 1, "ship1").get("/shipments")["shipments"]
    assert _prices(only_items["products"]) == [
        ("Jacket", 200, 100, False, part, 1),
        ("Cap", 100, 50, False, part, 1),
    ]
    assert only_items["products"][0]["warehouses"] == [{"name": "Stockholm", "itemQty": "1"}]
    (nested,) = _client(api, world, 2, "ship2").get("/shipments")["shipments"]
    assert _prices(nested["products"]) == [("Kit", 300, 150, True, None, 1)]
    assert len(nested["products"][0]["bundle"]) == 2
    (only_bundles,) = _client(api, world, 3, "ship3").get("/shipments")["shipments"]
    assert _prices(only_bundles["products"]) == [("Kit", 150, 0, True, None, 1)]
    (side_by_side,) = _client(api, world, 4, "ship4").get("/shipments")["shipments"]
    assert [p["name"] for p in side_by_side["products"]] == ["Kit", "Jacket", "Cap"]
    # The shipment's value is what the components cost in the bundle, plus shipping (first shipment).
    assert nested["grandTotalValue"] == 150 + 49


def test_post_stock_refuses_a_bundle_and_changes_nothing(api: ApiHarness, world: World, kit: Kit) -> None:
    wms = _client(api, world, 2, "stock")
    answer = wms.send("POST", "/stock", {"products": [{"product": "KITSTD", "quantity": 5}]})
    assert answer == {
        "status": "no",
        "msg": "Some of the products were not updated",
        "errors": {"productsAreBundles": ["KITSTD"]},
    }
    assert wms.levels(world.stockholm, kit.bundle_size) == (0, 0)
    # Mixed with a real product and an unknown one: the others are told apart, the real one is set.
    mixed = wms.send(
        "POST",
        "/stock",
        {
            "products": [
                {"product": "KITSTD", "quantity": 5},
                {"product": "NOPE", "quantity": 1},
                {"product": "CAPSTD", "quantity": 4},
            ]
        },
    )
    assert mixed["status"] == "no"
    assert mixed["errors"] == {"productsNotFound": ["NOPE"], "productsAreBundles": ["KITSTD"]}
    assert wms.levels(world.stockholm, kit.cap) == (4, 0)
    assert wms.levels(world.stockholm, kit.bundle_size) == (0, 0)
    listed = wms.get("/stock", sku="KITSTD")["products"]
    # The bundle's own figures are untouched; GET /stock shows what its components can fill (4 caps).
    assert [(p["physicalStock"], p["allocatedStock"], p["availableStock"]) for p in listed] == [(4, 0, 4)]


def test_stocking_a_bundle_directly_is_refused(api: ApiHarness, world: World, kit: Kit) -> None:
    from opencentra.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        api.call(inventory.set_physical, world.stockholm, kit.bundle_size, 3)
    with pytest.raises(ValidationFailed):
        api.call(inventory.set_stock, world.stockholm, {kit.bundle_size: 3})


def test_shipping_the_components_completes_an_order_with_a_bundle(api: ApiHarness, world: World, kit: Kit) -> None:
    order = api.call(_order, world, kit)
    tee, _kit_line, jacket, cap = order.lines
    api.call(
        orders.create_shipment,
        order.id,
        {tee.id: 1, jacket.id: 1, cap.id: 1},
        capture=True,
        shipped=orders.ShipInfo(carrier="PostNord"),
    )
    done = api.call(orders.get_order, order.id)
    assert int(done.status) == 4
    # Shipping took the components off the shelf.
    wms = _client(api, world, 1, "after")
    assert wms.levels(world.stockholm, kit.jacket) == (9, 0)
    assert wms.levels(world.stockholm, kit.cap) == (9, 0)


def test_post_order_with_a_bundle_takes_component_stock(
    api: ApiHarness, world: World, kit: Kit, examples: list[dict[str, Any]]
) -> None:
    from tests.api.order.shapes import find

    wms = _client(api, world, 2, "create")
    request = find(examples, "101.create-order", "Request example")
    request["products"] = [{"qty": 2, "sku": "KITSTD"}]
    request["voucherCodes"] = []
    created = wms.send("POST", "/order", request)
    [number] = created["orders"]
    [shown] = wms.get("/orders", order=number)["orders"]
    assert _prices(shown["products"]) == [("Kit", 300, 150, True, None, 2)]
    assert [(p["name"], p["price"], p["qty"]) for p in shown["products"][0]["bundle"]] == [
        ("Jacket", 100, 2),
        ("Cap", 50, 2),
    ]
    assert wms.levels(world.stockholm, kit.jacket) == (10, 2)
    assert wms.levels(world.stockholm, kit.cap) == (10, 2)
    # Not enough of a component: Centra's "out of stock" code, nothing taken.
    short = wms.send("POST", "/order", {**request, "products": [{"qty": 9, "sku": "KITSTD"}]})
    assert short["code"] == -2
    assert wms.levels(world.stockholm, kit.cap) == (10, 2)


def test_shipping_a_bundle_line_ships_its_components(api: ApiHarness, world: World, kit: Kit) -> None:
    order = api.call(_order, world, kit)
    tee, kit_line, _jacket, _cap = order.lines
    wms = _client(api, world, 3, "only-bundles")
    shipped = wms.send(
        "POST",
        "/shipments",
        {"order": order.number, "products": {str(tee.id): 1, str(kit_line.id): 1}, "capture": True},
    )
    [shown] = wms.get("/shipments", status="inprogress")["shipments"]
    assert _prices(shown["products"]) == [("The Tee", 100, 100, False, None, 1), ("Kit", 150, 0, True, None, 1)]
    done = wms.send("PUT", "/shipment", {"shipment": shipped["shipment"]})
    assert done["status"] == "ok"
    assert int(api.call(orders.get_order, order.id).status) == 4
    assert wms.levels(world.stockholm, kit.jacket) == (9, 0)
