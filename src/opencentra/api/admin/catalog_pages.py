"""The catalogue: products (shared by every store, as in Centra) with their variants and sizes, the
store's displays, prices in the store's pricelists, and stock per warehouse.

The list pages by keyset (``after`` = the last id shown), so the last page
of 100,000 products costs what the first does. Every change is one domain
use case, the same the GraphQL Integration API calls: ``catalog.create_product``
and ``update_product``, ``create_variant`` and ``update_variant``,
``create_product_size``, ``create_display`` and ``update_display`` (scoped to the
store), ``pricing.set_prices`` and ``inventory.set_stock``. A refused value is
shown beside its field, each form's fields named apart (``variant_<id>_name``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from opencentra import catalog, inventory, stores
from opencentra.api.admin.web import BASE, Page, redirect
from opencentra.catalog import (
    KEEP,
    DisplayChanges,
    DisplaySpec,
    NameFilter,
    ProductChanges,
    ProductSpec,
    ProductStatus,
    SizeSpec,
    SortKey,
    VariantChanges,
    VariantSpec,
    Window,
)
from opencentra.errors import DomainError, NotFound, ValidationFailed
from opencentra.integers import parse_int
from opencentra.money import from_minor
from opencentra.pricing import PriceSpec, prices_of_variants, set_prices
from opencentra.stores import store_settings

PAGE_SIZE = 50
MAX_SEARCH = 200
# A listing's pricelists and warehouses: a store has a handful; more than this is not a page.
MAX_COLUMNS = 100
# Size charts offered when a product is created: a catalogue has a few dozen.
MAX_CHARTS = 500
_AMOUNT = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,6})?")
STATUSES = [status.value for status in ProductStatus]
TARGETS = [target.value for target in inventory.StockTarget]


async def product_list(current: Page) -> Response:
    """The catalogue by id, 50 a page; search by an exact product number or a part of the name."""
    store_id = current.store_id()
    store = await store_settings(current.db, store_id)
    query = current.request.query_params
    search = query.get("q", "").strip()[:MAX_SEARCH]
    after = parse_int(query.get("after", "0")) or 0
    async with current.db.read() as session:
        rows = await catalog.products_after(session, after=after, search=search, limit=PAGE_SIZE + 1)
    base = {"q": search} if search else {}
    return current.render(
        "products.html",
        store=store,
        q=search,
        rows=rows[:PAGE_SIZE],
        first=urlencode(base) if after else None,
        next=urlencode(base | {"after": rows[PAGE_SIZE - 1].id}) if len(rows) > PAGE_SIZE else None,
    )


@dataclass(frozen=True, slots=True)
class _SizeRow:
    id: int
    name: str
    sku: str
    ean: str | None
    # warehouse id -> (physical, allocated, available)
    stock: dict[int, tuple[int, int, int]]


@dataclass(frozen=True, slots=True)
class _VariantRow:
    variant: catalog.VariantView
    sizes: list[_SizeRow]
    # pricelist id -> the price as typed in a form ("" when the variant has none there)
    prices: dict[int, str]


async def _product_page(current: Page, store_id: int, product_id: int, status: int = 200, **values: Any) -> Response:
    store = await store_settings(current.db, store_id)
    async with current.db.read() as session:
        product = (await catalog.products_by_id(session, [product_id])).get(product_id)
        if product is None:
            raise NotFound("no such product")
        variants = (await catalog.variants_of_products(session, [product_id])).get(product_id, [])
        variant_ids = [v.id for v in variants]
        sizes_of = await catalog.sizes_of_variants(session, variant_ids)
        size_names = await catalog.sizes_by_id(session, [s.size_id for rows in sizes_of.values() for s in rows])
        displays = [
            d
            for d in (await catalog.displays_of_products(session, [product_id])).get(product_id, [])
            if d.store_id == store_id
        ]
        price_rows = await prices_of_variants(session, variant_ids)
        chart_sizes = (await catalog.sizes_of_charts(session, [product.size_chart_id])).get(product.size_chart_id, [])
    pricelists = await stores.pricelist_page(current.db, store_id=store_id, limit=MAX_COLUMNS)
    markets = await stores.market_page(current.db, store_id=store_id, limit=MAX_COLUMNS)
    currencies = await stores.currencies_by_id(current.db, {p.currency_id for p in pricelists})
    warehouses = await stores.warehouse_page(current.db, limit=MAX_COLUMNS)
    size_ids = [s.id for rows in sizes_of.values() for s in rows]
    levels = await inventory.stock_levels(current.db, product_size_ids=size_ids) if size_ids else []
    stock: dict[int, dict[int, tuple[int, int, int]]] = {}
    for level in levels:
        stock.setdefault(level.product_size_id, {})[level.warehouse_id] = (
            level.physical,
            level.allocated,
            level.available,
        )
    decimals = {p.id: currencies[p.currency_id].decimals for p in pricelists if p.currency_id in currencies}
    rows = [
        _VariantRow(
            variant=variant,
            sizes=[
                _SizeRow(
                    s.id,
                    size_names[s.size_id].name if s.size_id in size_names else "",
                    s.sku,
                    s.ean,
                    stock.get(s.id, {}),
                )
                for s in sizes_of.get(variant.id, [])
            ],
            prices={
                p.pricelist_id: str(from_minor(p.price_minor, decimals[p.pricelist_id]))
                for p in price_rows.get(variant.id, [])
                if p.pricelist_id in decimals
            },
        )
        for variant in variants
    ]
    return current.render(
        "product.html",
        status,
        store=store,
        product=product,
        variants=rows,
        displays=displays,
        pricelists=pricelists,
        currencies=currencies,
        warehouses=warehouses,
        statuses=STATUSES,
        targets=TARGETS,
        chart_sizes=chart_sizes,
        markets=markets,
        errors=values.pop("errors", {}),
        posted=values.pop("posted", {}),
        **values,
    )


async def product_detail(current: Page) -> Response:
    """A product: name and status, its displays in this store, prices in the store's pricelists, stock."""
    store_id = current.store_id()
    product_id = _id(current, "product_id")
    saved = current.request.query_params.get("saved", "")
    return await _product_page(current, store_id, product_id, saved=saved)


def _id(current: Page, name: str) -> int:
    value = parse_int(str(current.request.path_params.get(name, "")))
    if value is None:
        raise NotFound(f"no such {name}")
    return value


def _form_id(current: Page, name: str) -> int:
    value = parse_int(current.text(name))
    if value is None:
        raise ValidationFailed("Choose one from the page.", field=name)
    return value


async def _save_product(current: Page, store_id: int, product_id: int) -> None:
    name = current.text("name")
    status = current.text("status")
    if not name:
        raise ValidationFailed("Enter a name.", field="name")
    if len(name) > 255:
        raise ValidationFailed("At most 255 characters.", field="name")
    if status not in STATUSES:
        raise ValidationFailed("Choose a status from the list.", field="status")
    number = current.text("product_number")
    changes = ProductChanges(name=name, status=ProductStatus(status), product_number=number if number else KEEP)
    await catalog.update_product(current.db, product_id, changes)


async def _save_display(current: Page, store_id: int, product_id: int) -> None:
    display_id = _form_id(current, "display")
    name = current.text("display_name")
    if not name:
        raise ValidationFailed("Enter a name.", field=f"display_name_{display_id}")
    if len(name) > 255:
        raise ValidationFailed("At most 255 characters.", field=f"display_name_{display_id}")
    async with current.db.read() as session:
        found = (await catalog.displays_by_id(session, [display_id])).get(display_id)
    # A display of another product or store is not on this page: not found, whatever it is.
    if found is None or found.product_id != product_id or found.store_id != store_id:
        raise NotFound("no such display")
    changes = DisplayChanges(name=name, active=current.flag("active"))
    await catalog.update_display(current.db, display_id, changes, store_scope=store_id)


async def _save_price(current: Page, store_id: int, product_id: int) -> None:
    variant_id = _form_id(current, "variant")
    pricelist_id = _form_id(current, "pricelist")
    field = f"price_{variant_id}_{pricelist_id}"
    text = current.text("price")
    if _AMOUNT.fullmatch(text) is None:
        raise ValidationFailed("Enter an amount such as 199 or 199.50.", field=field)
    async with current.db.read() as session:
        variant = (await catalog.variants_by_id(session, [variant_id])).get(variant_id)
    pricelists = await stores.pricelist_page(current.db, store_id=store_id, ids=[pricelist_id], limit=1)
    if variant is None or variant.product_id != product_id or not pricelists:
        raise NotFound("no such variant or pricelist")
    try:
        await set_prices(current.db, pricelist_id, [PriceSpec(variant_id=variant_id, price=Decimal(text))])
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field=field) from None


async def _save_stock(current: Page, store_id: int, product_id: int) -> None:
    size_id = _form_id(current, "size")
    warehouse_id = _form_id(current, "warehouse")
    field = f"stock_{size_id}_{warehouse_id}"
    value = parse_int(current.text("quantity"))
    if value is None:
        raise ValidationFailed("Enter a whole number, 0 or more.", field=field)
    target = current.text("target", inventory.StockTarget.PHYSICAL.value)
    if target not in TARGETS:
        raise ValidationFailed("Choose physical or free to allocate.", field=field)
    async with current.db.read() as session:
        sizes = await catalog.product_sizes_by_id(session, [size_id])
        variant = (
            (await catalog.variants_by_id(session, [sizes[size_id].variant_id])).get(sizes[size_id].variant_id)
            if size_id in sizes
            else None
        )
    if variant is None or variant.product_id != product_id:
        raise NotFound("no such size")
    try:
        await inventory.set_stock(current.db, warehouse_id, {size_id: value}, target=inventory.StockTarget(target))
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field=field) from None


@contextmanager
def _fields(prefix: str, **aliases: str) -> Iterator[None]:
    """A domain refusal named after this form's own field: ``prefix`` + the domain's field (or its alias)."""
    try:
        yield
    except NotFound as error:
        if error.field in (None, "product", "variant", "store", "id"):
            raise
        raise ValidationFailed(error.message, field=f"{prefix}{aliases.get(error.field, error.field)}") from None
    except DomainError as error:
        name = aliases.get(error.field or "form", error.field or "form")
        raise ValidationFailed(error.message, field=f"{prefix}{name}") from None


def _chosen_ids(current: Page, name: str) -> list[int]:
    """The ticked ids of a group of checkboxes; anything but a number is not one of ours."""
    chosen: list[int] = []
    for value in current.values(name)[:MAX_COLUMNS]:
        number = parse_int(value)
        if number is None:
            raise ValidationFailed("Choose from the list.", field=name)
        if number not in chosen:
            chosen.append(number)
    return chosen


async def _own_variant(current: Page, product_id: int) -> catalog.VariantView:
    variant_id = _form_id(current, "variant")
    async with current.db.read() as session:
        variant = (await catalog.variants_by_id(session, [variant_id])).get(variant_id)
    if variant is None or variant.product_id != product_id:
        raise NotFound("no such variant")
    return variant


async def _add_variant(current: Page, store_id: int, product_id: int) -> None:
    """A new variant with the ticked sizes of the product's size chart."""
    sizes = [SizeSpec(size_id=size_id) for size_id in _chosen_ids(current, "new_variant_sizes")]
    spec = VariantSpec(
        name=current.text("new_variant_name"),
        variant_number=current.text("new_variant_number"),
        sizes=sizes,
        active=current.flag("new_variant_active"),
    )
    with _fields("new_variant_", variant_number="number", size="sizes", ean="sizes", size_chart="sizes"):
        await catalog.create_variant(current.db, product_id, spec)


async def _edit_variant(current: Page, store_id: int, product_id: int) -> None:
    variant = await _own_variant(current, product_id)
    changes = VariantChanges(
        name=current.text("variant_name"),
        variant_number=current.text("variant_number"),
        active=current.flag("variant_active"),
    )
    with _fields(f"variant_{variant.id}_"):
        await catalog.update_variant(current.db, variant.id, changes)


async def _add_size(current: Page, store_id: int, product_id: int) -> None:
    """Activate one more size of the chart on a variant, with its SKU and EAN."""
    variant = await _own_variant(current, product_id)
    prefix = f"size_{variant.id}_"
    size_id = parse_int(current.text("size_id"))
    if size_id is None:
        raise ValidationFailed("Choose a size from the list.", field=f"{prefix}size")
    spec = SizeSpec(size_id=size_id, ean=current.text("ean") or None, sku=current.text("sku"))
    with _fields(prefix):
        await catalog.create_product_size(current.db, variant.id, spec)


async def _add_display(current: Page, store_id: int, product_id: int) -> None:
    """Show the product in this store: a display with the ticked variants and markets."""
    spec = DisplaySpec(
        store_id=store_id,
        product_id=product_id,
        name=current.text("new_display_name"),
        uri=current.text("new_display_uri") or None,
        variant_ids=_chosen_ids(current, "new_display_variants"),
        market_ids=_chosen_ids(current, "new_display_markets"),
        active=current.flag("new_display_active"),
    )
    with _fields("new_display_"):
        await catalog.create_display(current.db, spec, store_scope=store_id)


_ACTIONS = {
    "product": _save_product,
    "display": _save_display,
    "price": _save_price,
    "stock": _save_stock,
    "add-variant": _add_variant,
    "variant": _edit_variant,
    "add-size": _add_size,
    "add-display": _add_display,
}


async def product_new(current: Page) -> Response:
    """A new product: name, product number, size chart and status; variants follow on its page."""
    store_id = current.store_id()
    store = await store_settings(current.db, store_id)
    async with current.db.read() as session:
        charts = await catalog.size_chart_page(session, NameFilter(), [SortKey("name")], Window(MAX_CHARTS))
    errors: dict[str, str] = {}
    if current.request.method == "POST":
        try:
            created = await _create_product(current, {chart.id for chart in charts})
        except DomainError as error:
            errors = {error.field or "form": error.message}
        else:
            return redirect(f"{BASE}/stores/{store_id}/products/{created.id}?saved=created")
    return current.render(
        "product_new.html",
        400 if errors else 200,
        store=store,
        charts=charts,
        statuses=STATUSES,
        errors=errors,
        posted=dict(current.form),
    )


async def _create_product(current: Page, chart_ids: set[int]) -> catalog.ProductView:
    chart_id = parse_int(current.text("size_chart"))
    if chart_id is None or chart_id not in chart_ids:
        raise ValidationFailed("Choose a size chart from the list.", field="size_chart")
    status = current.text("status", ProductStatus.ACTIVE.value)
    if status not in STATUSES:
        raise ValidationFailed("Choose a status from the list.", field="status")
    spec = ProductSpec(
        name=current.text("name"),
        product_number=current.text("product_number"),
        size_chart_id=chart_id,
        variants=[],
        status=ProductStatus(status),
    )
    return await catalog.create_product(current.db, spec)


async def product_action(current: Page) -> Response:
    """Save one form of the product page; a refused value is shown beside its field (400)."""
    store_id = current.store_id()
    product_id = _id(current, "product_id")
    action = _ACTIONS.get(str(current.request.path_params.get("action", "")))
    if action is None:
        raise NotFound("no such action")
    try:
        await action(current, store_id, product_id)
    except NotFound:
        raise
    except DomainError as error:
        errors = {error.field or "form": error.message}
        return await _product_page(current, store_id, product_id, 400, errors=errors, posted=dict(current.form))
    return redirect(f"{BASE}/stores/{store_id}/products/{product_id}?saved={current.request.path_params['action']}")
