"""GET /products, GET /stock and POST /stock: the catalogue and stock per stock item (size).

Stock read here is summed over the plugin's primary and virtual
warehouses. A stock write sets the absolute physical count (or, with the
plugin's ``stock_update_target = "available"``, what is free to allocate) in
the primary warehouse only, never in any other; a value below what is
allocated is clamped to it, as Centra does.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from opencentra import inventory
from opencentra.api.order import wire
from opencentra.api.order.access import OrderApi, order_api
from opencentra.api.order.bodies import StockUpdate
from opencentra.api.order.envelope import ask_xml, ok, respond
from opencentra.api.order.orders import DOCUMENTED, MAX_LIMIT
from opencentra.db.base import utcnow
from opencentra.errors import ValidationFailed
from opencentra.inventory import ProductSheet, StockItem, StockItemFilter, product_page, stock_page, totals_for

router = APIRouter()
Param = Annotated[str | None, Query()]


def _filter(api: OrderApi, params: dict[str, str | None]) -> StockItemFilter:
    tz = api.timezone
    return StockItemFilter(
        sku=params.get("sku") or None,
        ean=params.get("ean") or params.get("upc") or None,
        product_id=wire.optional_integer(params.get("productId"), "productId"),
        variant_id=wire.optional_integer(params.get("variantId"), "variantId"),
        stock_item_id=wire.optional_integer(params.get("stockItemId"), "stockItemId"),
        created_since=wire.optional_when(params.get("created"), "created", tz),
        modified_since=wire.optional_when(params.get("modified"), "modified", tz),
        stock_modified_since=wire.optional_when(params.get("stock_modified"), "stock_modified", tz),
        stock_warehouses=api.stock_warehouses,
    )


def _paging(limit: str | None, page: str | None) -> tuple[int | None, int, int]:
    """(limit, offset, page number); without ``limit`` everything comes in one page."""
    if limit in (None, ""):
        return None, 0, 1
    size = wire.integer(limit, "limit", minimum=1)
    if size > MAX_LIMIT:
        raise ValidationFailed(f"limit is at most {MAX_LIMIT}", field="limit")
    number = 1 if page in (None, "") else wire.integer(page, "page", minimum=1, maximum=10**9)
    return size, (number - 1) * size, number


def _links(size: int | None, number: int, more: bool) -> dict[str, str]:
    """Centra's ``previous``/``next``: relative query strings for the neighbouring pages."""
    if size is None:
        return {}
    links = {}
    if number > 1:
        links["previous"] = f"?limit={size}&page={number - 1}"
    if more:
        links["next"] = f"?limit={size}&page={number + 1}"
    return links


def identity(item: StockItem) -> dict[str, Any]:
    return {
        "sku": item.sku,
        "productId": item.product_id,
        "variantSku": item.variant_sku,
        "variantId": item.variant_id,
        "sizeSku": item.size_sku,
        "brand": item.brand,
        "collection": item.collection,
        "product": item.product,
        "variant": item.variant,
        "size": item.size,
        "sizeComment": "",
        "stockItemId": item.id,
        "ean": item.ean or "",
        "upc": None,
        "weight": wire.weight(item.weight_kg),
        "weightUnit": "kg",
        "countryOfOrigin": item.country_of_origin or "",
        "harmCode": item.harm_code,
        "harmDescription": item.harm_description,
        "active": int(item.active),
    }


def _product_row(api: OrderApi, item: StockItem, sheet: ProductSheet | None, with_attributes: bool) -> dict[str, Any]:
    row = identity(item)
    sheet = sheet or ProductSheet(product_id=item.product_id)
    row.update(
        {
            "createdAt": wire.show_date(item.created_at, api.timezone),
            "name": sheet.name,
            "description": sheet.description,
            "shortDescription": sheet.short_description,
            "comment": item.comment,
            "metaTitle": sheet.meta_title,
            "metaDescription": sheet.meta_description,
            "metaKeywords": sheet.meta_keywords,
            "folder": "",
            "store": sheet.store,
            "categories": sheet.categories,
            "categoryName": sheet.category_name,
            "images": sheet.images + sheet.variant_images.get(item.variant_id, []),
            "prices": [
                {
                    "id": str(price.pricelist_id),
                    "price": wire.amount_text(price.price_minor, price.decimals),
                    "pricelist": price.pricelist,
                    "currency": price.currency,
                    "campaigns": [
                        {
                            "id": str(offer.campaign_id),
                            "campaign": offer.name,
                            "price": wire.amount(offer.price_minor, price.decimals),
                        }
                        for offer in price.campaigns
                    ],
                }
                for price in sheet.prices.get(item.variant_id, [])
            ],
        }
    )
    if with_attributes:
        # Custom attributes as flat fields, as Centra prints them; never over a standard field.
        for key, value in {**sheet.attributes, **sheet.variant_attributes.get(item.variant_id, {})}.items():
            row.setdefault(key, value)
    return row


@router.get("/products", responses=DOCUMENTED)
async def list_products(
    request: Request,
    sku: Param = None,
    ean: Param = None,
    productId: Param = None,  # noqa: N803 - Centra's parameter names
    variantId: Param = None,  # noqa: N803
    stockItemId: Param = None,  # noqa: N803
    modified: Param = None,
    created: Param = None,
    limit: Param = None,
    page: Param = None,
    include: Param = None,
    xml: Param = None,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """One row per stock item (size), with prices, categories and, with ``include=attributes``, attributes."""
    where = _filter(api, dict(request.query_params))
    size, offset, number = _paging(limit, page)
    with_attributes = "attributes" in (include or "").split(",")
    items, sheets = await product_page(
        api.db,
        where,
        api.store_ids,
        limit=None if size is None else size + 1,
        offset=offset,
        at=utcnow(),
        with_attributes=with_attributes,
    )
    more = size is not None and len(items) > size
    items = items[:size] if size is not None else items
    products = [_product_row(api, item, sheets.get(item.product_id), with_attributes) for item in items]
    return respond(request, ok(products=products, **_links(size, number, more)))


@router.get("/stock", responses=DOCUMENTED)
async def list_stock(
    request: Request,
    sku: Param = None,
    ean: Param = None,
    upc: Param = None,
    productId: Param = None,  # noqa: N803
    variantId: Param = None,  # noqa: N803
    stockItemId: Param = None,  # noqa: N803
    modified: Param = None,
    stock_modified: Param = None,
    created: Param = None,
    limit: Param = None,
    page: Param = None,
    include: Param = None,
    exclude: Param = None,
    xml: Param = None,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """Physical, allocated and available stock per stock item, over the primary and virtual warehouses."""
    where = _filter(api, dict(request.query_params))
    size, offset, number = _paging(limit, page)
    items, totals = await stock_page(
        api.db, where, api.stock_warehouses, limit=None if size is None else size + 1, offset=offset
    )
    more = size is not None and len(items) > size
    items = items[:size] if size is not None else items
    hide_physical = "physicalStock" in (exclude or "").split(",")
    rows = []
    for item in items:
        total = totals_for(totals, item.id)
        row = identity(item)
        row["createdAt"] = wire.show_date(item.created_at, api.timezone)
        # The POS guide's stock rows carry it, always null there; categories are on /products.
        row["categoryName"] = None
        if not hide_physical:
            row["physicalStock"] = total.physical
        row["allocatedStock"] = total.allocated
        row["availableStock"] = total.available
        rows.append(row)
    return respond(request, ok(products=rows, **_links(size, number, more)))


@router.post("/stock", responses=DOCUMENTED)
# An older client's spelling; same handler, left out of the schema.
@router.put("/stock", include_in_schema=False)
async def update_stock(request: Request, body: StockUpdate, api: OrderApi = Depends(order_api)) -> Response:  # noqa: B008
    """Set absolute stock in the plugin's primary warehouse; ``product`` is an EAN or the full SKU."""
    ask_xml(request, body.xml)
    warehouse = api.settings.primary_warehouse
    if warehouse is None:
        raise ValidationFailed("the plugin has no primary warehouse to update", field="primary_warehouse")
    wanted: dict[str, int] = {}
    for index, entry in enumerate(body.products):
        key = str(entry.product).strip()
        if not key:
            raise ValidationFailed("required", field=f"products.{index}.product")
        wanted[key] = wire.integer(entry.quantity, f"products.{index}.quantity", minimum=0)
    if not wanted:
        raise ValidationFailed("required", field="products")
    result = await inventory.set_stock_by_keys(
        api.db, warehouse, wanted, target=inventory.StockTarget(api.settings.stock_update_target)
    )
    if result.not_found or result.bundles:
        # Bundles have no stock of their own (it follows their components): they are never set.
        errors: dict[str, list[str]] = {}
        if result.not_found:
            errors["productsNotFound"] = result.not_found
        if result.bundles:
            errors["productsAreBundles"] = result.bundles
        return respond(request, {"status": "no", "msg": "Some of the products were not updated", "errors": errors})
    return respond(request, ok())
