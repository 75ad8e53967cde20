"""Building a product in the admin: create it, add variants and sizes, edit a variant, show it in a store,
price it and stock it, each form refusing bad values beside its own field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tests.api.admin.conftest import Browser
from tests.api.admin.test_auth import JUNK_VALUES
from tests.api.order.conftest import build_world
from tests.conftest import ApiHarness

from opencentra import catalog, events, inventory, pricing
from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.integration.admin_access import AdminRole, set_admin_access


async def _state(db: Database, product_id: int) -> dict[str, object]:
    """The product as the domain reads it back: variants with their size names, displays and prices."""
    async with db.read() as session:
        product = (await catalog.products_by_id(session, [product_id]))[product_id]
        variants = (await catalog.variants_of_products(session, [product_id])).get(product_id, [])
        sizes_of = await catalog.sizes_of_variants(session, [v.id for v in variants])
        names = await catalog.sizes_by_id(session, [s.size_id for rows in sizes_of.values() for s in rows])
        displays = (await catalog.displays_of_products(session, [product_id])).get(product_id, [])
        markets = await catalog.markets_of_displays(session, [d.id for d in displays])
        items = await catalog.variants_of_displays(session, [d.id for d in displays])
        prices = await pricing.prices_of_variants(session, [v.id for v in variants])
    return {
        "product": product,
        "variants": {
            v.variant_number: (
                v.name,
                v.active,
                [(names[s.size_id].name, s.sku, s.ean) for s in sizes_of.get(v.id, [])],
            )
            for v in variants
        },
        "variant_ids": {v.variant_number: v.id for v in variants},
        "size_ids": {(v.variant_number, names[s.size_id].name): s.id for v in variants for s in sizes_of.get(v.id, [])},
        "displays": [(d.store_id, d.name, d.active) for d in displays],
        "display_markets": {d.id: sorted(m.id for m in markets.get(d.id, [])) for d in displays},
        "display_variants": {d.id: [v.id for v in items.get(d.id, [])] for d in displays},
        "prices": {(v, p.pricelist_id): p.price_minor for v, rows in prices.items() for p in rows},
    }


async def _chart_sizes(db: Database, chart_id: int) -> dict[str, int]:
    async with db.read() as session:
        found = await catalog.sizes_of_charts(session, [chart_id])
    return {s.name: s.id for s in found.get(chart_id, [])}


def _field_error(text: str, field: str) -> bool:
    return f'class="field-error" data-field="{field}"' in text


def test_a_store_manager_builds_a_product_from_the_forms(api: ApiHarness) -> None:
    world = api.call(build_world)
    api.call(integration.set_admin_password, username="keeper", password="keeper password")
    api.call(set_admin_access, username="keeper", role=AdminRole.STORE_MANAGER, store_ids=[world.store])
    keeper = Browser(api)
    assert keeper.login("keeper", "keeper password").status_code == 303
    base = f"/ams/stores/{world.store}/products"
    assert f'href="/ams/stores/{world.store}/products/new"' in keeper.get(base).text

    form = keeper.get(f"{base}/new")
    assert form.status_code == 200
    (chart_id,) = [int(v) for v in re.findall(r'<option value="(\d+)">Letters</option>', form.text)]
    sizes = api.call(_chart_sizes, chart_id)

    # Refused beside its field, the typed values kept.
    answer = keeper.post(f"{base}/new", {"name": "", "product_number": "HOOD", "size_chart": str(chart_id)})
    assert answer.status_code == 400 and _field_error(answer.text, "name") and 'value="HOOD"' in answer.text
    answer = keeper.post(f"{base}/new", {"name": "Hood", "product_number": "TEE", "size_chart": str(chart_id)})
    assert answer.status_code == 400 and _field_error(answer.text, "product_number")  # Tee's number
    answer = keeper.post(f"{base}/new", {"name": "Hood", "product_number": "HOOD", "size_chart": "999999"})
    assert answer.status_code == 400 and _field_error(answer.text, "size_chart")
    answer = keeper.post(
        f"{base}/new", {"name": "Hood", "product_number": "HOOD", "size_chart": str(chart_id), "status": "gone"}
    )
    assert answer.status_code == 400 and _field_error(answer.text, "status")

    before = api.call(events.recent_events, limit=1)[0].id
    answer = keeper.post(
        f"{base}/new",
        {"name": "<b>Hood</b>", "product_number": "HOOD", "size_chart": str(chart_id), "status": "active"},
    )
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(rf"{base}/(\d+)\?saved=created", answer.headers["location"])
    assert found
    product_id = int(found.group(1))
    page = keeper.get(answer.headers["location"])
    assert page.status_code == 200 and "Saved." in page.text
    assert "&lt;b&gt;Hood&lt;/b&gt;" in page.text and "<b>Hood" not in page.text
    # The same use case as the Integration API: the outbox has the product's event.
    assert any(
        e.object_type == "product" and e.object_id == product_id
        for e in api.call(events.recent_events, limit=20)
        if e.id > before
    )

    def post(action: str, **form: Any) -> str:
        answer = keeper.post(f"{base}/{product_id}/{action}", form)
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == f"{base}/{product_id}?saved={action}"
        return keeper.get(answer.headers["location"]).text

    def refused(action: str, field: str, form: Mapping[str, Any]) -> None:
        answer = keeper.post(f"{base}/{product_id}/{action}", dict(form))
        assert answer.status_code == 400, answer.text
        assert _field_error(answer.text, field), (field, answer.text)

    keeper.get(f"{base}/{product_id}")
    add_black: dict[str, Any] = {
        "new_variant_name": "Black",
        "new_variant_number": "HOOD-BLK",
        "new_variant_sizes": [str(sizes["S"]), str(sizes["M"])],
        "new_variant_active": "on",
    }
    assert "HOOD-BLK" in post("add-variant", **add_black)
    refused("add-variant", "new_variant_number", add_black)  # the number is taken
    refused("add-variant", "new_variant_name", add_black | {"new_variant_name": "", "new_variant_number": "X"})
    refused("add-variant", "new_variant_sizes", add_black | {"new_variant_number": "X", "new_variant_sizes": "x"})
    refused("add-variant", "new_variant_sizes", add_black | {"new_variant_number": "X", "new_variant_sizes": "999999"})
    post("add-variant", new_variant_name="Grey", new_variant_number="HOOD-GRY", new_variant_sizes=str(sizes["M"]))

    state = api.call(_state, product_id)
    assert state["variants"] == {
        "HOOD-BLK": ("Black", True, [("S", "", None), ("M", "", None)]),
        "HOOD-GRY": ("Grey", False, [("M", "", None)]),
    }
    variant_ids = state["variant_ids"]
    assert isinstance(variant_ids, dict)
    black, grey = variant_ids["HOOD-BLK"], variant_ids["HOOD-GRY"]

    post("variant", variant=str(grey), variant_name="Heather grey", variant_number="HOOD-HGR", variant_active="on")
    refused(
        "variant",
        f"variant_{grey}_variant_number",
        {"variant": grey, "variant_name": "G", "variant_number": "HOOD-BLK"},
    )
    refused("variant", f"variant_{grey}_name", {"variant": grey, "variant_name": "", "variant_number": "HOOD-HGR"})

    post("add-size", variant=str(grey), size_id=str(sizes["S"]), sku="HGR-S", ean="4006381333931")
    refused("add-size", f"size_{grey}_size", {"variant": grey, "size_id": sizes["S"], "sku": "", "ean": ""})
    refused("add-size", f"size_{black}_ean", {"variant": black, "size_id": sizes["S"], "ean": "123"})
    refused("add-size", f"size_{grey}_size", {"variant": grey, "size_id": "x"})

    post(
        "add-display",
        new_display_name="Hood",
        new_display_variants=[str(black), str(grey)],
        new_display_markets=str(world.sweden),
        new_display_active="on",
    )
    refused("add-display", "new_display_uri", {"new_display_name": "Hood", "new_display_variants": black})
    refused(
        "add-display",
        "new_display_markets",
        {"new_display_name": "Other", "new_display_variants": black, "new_display_markets": "999999"},
    )
    refused("add-display", "new_display_variants", {"new_display_name": "Other", "new_display_variants": world.variant})

    state = api.call(_state, product_id)
    assert state["variants"] == {
        "HOOD-BLK": ("Black", True, [("S", "", None), ("M", "", None)]),
        "HOOD-HGR": ("Heather grey", True, [("M", "", None), ("S", "HGR-S", "4006381333931")]),
    }
    assert state["displays"] == [(world.store, "Hood", True)]
    assert list(state["display_markets"].values()) == [[world.sweden]]  # type: ignore[attr-defined]
    assert list(state["display_variants"].values()) == [[black, grey]]  # type: ignore[attr-defined]

    post("price", variant=str(black), pricelist=str(world.pricelist), price="499")
    size_ids = state["size_ids"]
    assert isinstance(size_ids, dict)
    post("stock", size=str(size_ids[("HOOD-BLK", "M")]), warehouse=str(world.stockholm), quantity="7")
    assert api.call(_state, product_id)["prices"] == {(black, world.pricelist): 49900}
    levels = api.call(inventory.stock_levels, product_size_ids=[size_ids[("HOOD-BLK", "M")]])
    assert [(level.warehouse_id, level.physical) for level in levels] == [(world.stockholm, 7)]

    # Another product's variant is not on this page.
    assert (
        keeper.post(f"{base}/{product_id}/variant", {"variant": str(world.variant), "variant_name": "X"}).status_code
        == 404
    )
    assert keeper.post(f"{base}/{world.product}/add-size", {"variant": str(black), "size_id": "1"}).status_code == 404
    # Without the CSRF token nothing is made.
    assert (
        keeper.post(f"{base}/new", {"name": "N", "product_number": "N", "size_chart": chart_id}, csrf=False).status_code
        == 403
    )

    # Hostile values in every field of every new form: refused or saved, never a 5xx.
    fields = (
        "name", "product_number", "size_chart", "status", "variant", "variant_name", "variant_number",
        "variant_active", "size_id", "sku", "ean", "new_variant_name", "new_variant_number", "new_variant_sizes",
        "new_display_name", "new_display_uri", "new_display_variants", "new_display_markets",
    )  # fmt: skip
    for junk in JUNK_VALUES:
        values = dict.fromkeys(fields, junk)
        assert keeper.post(f"{base}/new", values).status_code < 500, junk[:10]
        for action in ("add-variant", "variant", "add-size", "add-display"):
            answer = keeper.post(f"{base}/{product_id}/{action}", values)
            assert answer.status_code < 500, (action, junk[:10], answer.text)


def test_a_visitor_and_another_store_cannot_create(
    api: ApiHarness, browser: Browser, manager: Browser, admin_world: dict[str, int]
) -> None:
    assert browser.get(f"/ams/stores/{admin_world['first']}/products/new").status_code == 303  # to the login
    assert manager.get(f"/ams/stores/{admin_world['second']}/products/new").status_code == 404
    answer = manager.post(f"/ams/stores/{admin_world['second']}/products/new", {"name": "N", "product_number": "N"})
    assert answer.status_code == 404
