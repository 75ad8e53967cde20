"""The catalogue in the admin: keyset-paged list and search, a product's page, and its edit forms."""

from __future__ import annotations

import re

import pytest
from tests.api.admin.conftest import Browser
from tests.api.admin.test_auth import JUNK_VALUES
from tests.api.admin.test_orders import counted_statements
from tests.api.order.conftest import build_world
from tests.conftest import ApiHarness

from opencentra import catalog, inventory, pricing
from opencentra.catalog import products, sizes
from opencentra.catalog.products import ProductSpec, SizeSpec, VariantSpec
from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.integration.admin_access import AdminRole, set_admin_access


async def _variant_prices(db: Database, variant_id: int) -> dict[int, int]:
    async with db.read() as session:
        found = await pricing.prices_of_variants(session, [variant_id])
    return {p.pricelist_id: p.price_minor for p in found.get(variant_id, [])}


async def _product(db: Database, product_id: int) -> catalog.ProductView:
    async with db.read() as session:
        return (await catalog.products_by_id(session, [product_id]))[product_id]


async def _displays(db: Database, product_id: int) -> list[catalog.DisplayView]:
    async with db.read() as session:
        return (await catalog.displays_of_products(session, [product_id]))[product_id]


def test_a_product_page_edits_through_the_domain(api: ApiHarness, root: Browser, admin_world: dict[str, int]) -> None:
    world = api.call(build_world)
    api.call(integration.set_admin_password, username="keeper", password="keeper password")
    api.call(set_admin_access, username="keeper", role=AdminRole.STORE_MANAGER, store_ids=[world.store])
    keeper = Browser(api)
    assert keeper.login("keeper", "keeper password").status_code == 303
    base = f"/ams/stores/{world.store}/products"

    listing = keeper.get(base)
    assert listing.status_code == 200
    assert f'href="{base}/{world.product}">Tee</a>' in listing.text
    assert ">Tee</a>" in keeper.get(base, params={"q": "TEE"}).text  # the exact product number
    assert ">Tee</a>" in keeper.get(base, params={"q": "te"}).text  # part of the name
    assert "No products." in keeper.get(base, params={"q": "nothing like it"}).text
    assert keeper.get(base, params={"after": "x", "q": "%_\\"}).status_code == 200

    page = keeper.get(f"{base}/{world.product}")
    assert page.status_code == 200
    assert 'value="The Tee"' in page.text and 'value="100.00"' in page.text
    assert "10 / 0 / 10" in page.text  # Stockholm's small: physical / allocated / free

    def save(action: str, **form: str) -> None:
        answer = keeper.post(f"{base}/{world.product}/{action}", form)
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == f"{base}/{world.product}?saved={action}"

    def refused(action: str, field: str, **form: str) -> str:
        answer = keeper.post(f"{base}/{world.product}/{action}", form)
        assert answer.status_code == 400, answer.text
        assert f'class="field-error" data-field="{field}"' in answer.text
        return answer.text

    save("product", name="<script>alert(1)</script> Tee", status="inactive")
    product = api.call(_product, world.product)
    assert (product.name, product.status.value) == ("<script>alert(1)</script> Tee", "inactive")
    shown = keeper.get(f"{base}/{world.product}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Tee" in shown and "<script>alert" not in shown
    refused("product", "name", name="", status="active")
    refused("product", "status", name="Tee", status="sold out")
    assert api.call(_product, world.product).name.endswith(" Tee")

    (display,) = api.call(_displays, world.product)
    save("display", display=str(display.id), display_name="The New Tee")  # no "active": unchecked
    (display,) = api.call(_displays, world.product)
    assert (display.name, display.active) == ("The New Tee", False)
    refused("display", f"display_name_{display.id}", display=str(display.id), display_name="")

    save("price", variant=str(world.variant), pricelist=str(world.pricelist), price="120.50")
    assert api.call(_variant_prices, world.variant) == {world.pricelist: 12050}
    price_field = f"price_{world.variant}_{world.pricelist}"
    for junk in ("abc", "-1", "1e3", "1.123"):  # 1.123: SEK has two decimals, the domain says so
        refused("price", price_field, variant=str(world.variant), pricelist=str(world.pricelist), price=junk)
    assert api.call(_variant_prices, world.variant) == {world.pricelist: 12050}

    save("stock", size=str(world.small), warehouse=str(world.stockholm), quantity="4", target="physical")
    save("stock", size=str(world.medium), warehouse=str(world.virtual), quantity="3", target="available")
    levels = {
        (level.product_size_id, level.warehouse_id): level.physical
        for level in api.call(inventory.stock_levels, product_size_ids=[world.small, world.medium])
    }
    assert levels[(world.small, world.stockholm)] == 4
    assert levels[(world.medium, world.virtual)] == 3
    stock_field = f"stock_{world.small}_{world.stockholm}"
    for quantity, target in (("-1", "physical"), ("x", "physical"), ("2", "borrowed")):
        refused("stock", stock_field, size=str(world.small), warehouse=str(world.stockholm), quantity=quantity,
                target=target)  # fmt: skip

    # Ids that are not this product's, or not this store's, are pages that do not exist.
    assert (
        keeper.post(f"{base}/{world.product}/stock", {"size": "999999", "warehouse": "1", "quantity": "1"}).status_code
        == 404
    )
    assert keeper.post(f"{base}/{world.product}/teleport", {}).status_code == 404
    assert keeper.get(f"{base}/999999").status_code == 404
    assert keeper.get(f"/ams/stores/{admin_world['first']}/products/{world.product}").status_code == 404
    other = f"/ams/stores/{admin_world['first']}/products/{world.product}/display"
    answer = root.post(other, {"display": str(display.id), "display_name": "Hijacked"})
    assert answer.status_code == 404
    assert api.call(_displays, world.product)[0].name == "The New Tee"

    # Hostile values in every field of every form: refused or saved, never a 5xx.
    fields = ("name", "status", "display", "display_name", "variant", "pricelist", "price", "size", "warehouse")
    for action in ("product", "display", "price", "stock"):
        for junk in JUNK_VALUES:
            answer = keeper.post(
                f"{base}/{world.product}/{action}", dict.fromkeys((*fields, "quantity", "target"), junk)
            )
            assert answer.status_code < 500, (action, junk[:10], answer.text)


async def _many_products(db: Database, count: int) -> None:
    chart = await sizes.create_size_chart(db, "One", ["One size"])
    async with db.atomic() as tx:
        for number in range(count):
            await products.create_product(
                tx,
                ProductSpec(
                    name=f"Item {number:04}",
                    product_number=f"N{number:04}",
                    size_chart_id=chart.id,
                    variants=[
                        VariantSpec("One", f"N{number:04}-1", [SizeSpec(chart.sizes[0].id, None, f"N{number:04}-1-1")])
                    ],
                ),
            )


_NEXT = re.compile(r'href="\?([^"]+)" rel="next"')


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_catalogue_pages_by_keyset_in_a_fixed_number_of_statements(
    api: ApiHarness, root: Browser, admin_world: dict[str, int]
) -> None:
    """Speed that does not depend on the machine: every page, first or last, costs the same statements,
    reading from the last id shown rather than skipping rows."""
    api.call(_many_products, 120)
    base = f"/ams/stores/{admin_world['first']}/products"
    counts, seen, query = [], [], ""
    while True:
        with counted_statements(api) as statements:
            answer = root.get(f"{base}?{query}")
        assert answer.status_code == 200
        counts.append(len(statements))
        # An index range from the last id shown (SQLite spells every LIMIT with an OFFSET 0).
        assert any("products.id >" in s for s in statements), statements
        seen += re.findall(r">Item (\d{4})</a>", answer.text)
        found = _NEXT.search(answer.text)
        if found is None:
            break
        query = found.group(1).replace("&amp;", "&")
    assert len(counts) == 3 and len(set(counts)) == 1, counts
    assert seen == [f"{n:04}" for n in range(120)]
    searched = root.get(base, params={"q": "Item 01"}).text
    assert re.findall(r">Item (\d{4})</a>", searched) == [f"{n:04}" for n in range(100, 120)]
