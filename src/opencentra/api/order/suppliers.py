"""Supplier module: supplier orders, incoming deliveries and accepting them (by EAN, or by SKU on ``/sku``).

Deliveries are listed and accepted only for the plugin's "Supplier Delivery
Warehouse". Both ``/supplier-deliveries/...`` and the singular
``/supplier-delivery/...`` that Centra's own example uses are served.
Supplier dates print as ``YYYY-mm-dd HH:MM``; cost as a string ("9.40").

``/details`` lists the customer orders whose back-ordered units the delivery
will fill (first come, first served; see ``suppliers.delivery_reservations``),
each with the delivery's products and the units it brings that order.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from opencentra import suppliers
from opencentra.address import SHIPPING_FIELDS, read_address
from opencentra.api.order import wire
from opencentra.api.order.access import OrderApi, order_api
from opencentra.api.order.bodies import DeliveryAccept
from opencentra.api.order.envelope import ask_xml, ok, respond
from opencentra.api.order.orders import DOCUMENTED
from opencentra.api.order.wholesale_views import supplier_terms_json
from opencentra.errors import NotFound, ValidationFailed
from opencentra.orders import OrderDetails

router = APIRouter()


def _header(
    api: OrderApi, order: suppliers.SupplierOrderRecord, supplier: suppliers.SupplierRecord, quantity: int
) -> dict[str, Any]:
    tz = api.timezone
    return {
        "orderId": str(order.id),
        "supplierName": supplier.name,
        "supplierCountry": supplier.country or "",
        "created": wire.show_minutes(order.created_at, tz),
        "ETD": wire.show_minutes(order.etd, tz),
        "ETA": wire.show_minutes(order.eta, tz),
        "message": order.message,
        "productsQty": quantity,
    }


def _delivery(api: OrderApi, view: suppliers.DeliveryView) -> dict[str, Any]:
    delivery = view.delivery
    tz = api.timezone
    body = _header(api, view.order, view.supplier, suppliers.products_quantity(delivery.lines))
    return {
        "id": str(delivery.id),
        "orderId": str(view.order.id),
        "deliveryId": delivery.number,
        **{k: v for k, v in body.items() if k != "orderId"},
        "ETD": wire.show_minutes(delivery.etd, tz),
        "ETA": wire.show_minutes(delivery.eta, tz),
    }


def _products(lines: list[suppliers.ProductLine]) -> list[dict[str, Any]]:
    return [
        {
            "sku": line.item.sku,
            "variantSku": line.item.variant_sku,
            "sizeSku": line.item.size_sku,
            "brand": line.item.brand or "",
            "collection": line.item.collection or "",
            "product": line.item.product,
            "variant": line.item.variant,
            "size": line.item.size,
            "ean": line.item.ean or "",
            "upc": "",
            "weight": wire.weight(line.item.weight_kg),
            "weightUnit": "kg",
            "quantity": line.quantity,
            "cost": wire.amount_text(line.cost_minor, line.decimals),
            "costCurrency": line.currency,
        }
        for line in lines
    ]


def _warehouse(api: OrderApi) -> int:
    warehouse = api.settings.supplier_delivery_warehouse
    if warehouse is None:
        raise NotFound("the plugin has no supplier delivery warehouse", field="delivery")
    return warehouse


@router.get("/supplier-orders", responses=DOCUMENTED)
async def list_supplier_orders(
    request: Request,
    xml: str | None = None,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    found = await suppliers.list_supplier_orders(api.db)
    orders = [_header(api, o, s, suppliers.products_quantity(o.lines)) for o, s in found]
    return respond(request, ok(orders=orders))


@router.get("/supplier-orders/{order_id}", responses=DOCUMENTED)
async def get_supplier_order(
    request: Request,
    order_id: str,
    xml: str | None = None,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    identifier = wire.integer(order_id, "order", minimum=1)
    order, supplier, products = await suppliers.get_supplier_order(api.db, identifier)
    body = _header(api, order, supplier, suppliers.products_quantity(order.lines))
    return respond(request, ok(order={**body, "products": _products(products)}))


async def _list_deliveries(request: Request, api: OrderApi) -> Response:
    warehouse = api.settings.supplier_delivery_warehouse
    found = [] if warehouse is None else await suppliers.list_deliveries(api.db, warehouse)
    return respond(request, ok(deliveries=[_delivery(api, view) for view in found]))


def _reserving_order(details: OrderDetails, products: list[suppliers.ProductLine]) -> dict[str, Any]:
    order = details.order
    delivery = read_address(order, "shipping_", SHIPPING_FIELDS)
    last = order.shipments[-1] if order.shipments else None
    return {
        "orderId": str(order.number),
        "accountId": str(order.account_id) if order.account_id else "",
        **supplier_terms_json(details.wholesale, delivery),
        "carrier": (last.carrier if last else None) or "",
        "service": (last.service if last else None) or "",
        "other": order.comment or "",
        "poNumber": order.po_number or "",
        "deliveryName": " ".join(p for p in (delivery.first_name, delivery.last_name) if p),
        "deliveryCompany": delivery.company or "",
        "deliveryEmail": order.email,
        "deliveryCell": delivery.phone_number or "",
        "deliveryTele": "",
        "deliveryAddress": delivery.address1 or "",
        "deliveryCoaddress": delivery.address2 or "",
        "deliveryZipcode": delivery.zip_code or "",
        "deliveryCity": delivery.city or "",
        "deliveryState": delivery.state or "",
        "deliveryCountry": delivery.country or "",
        "products": _products(products),
    }


async def _reserving_orders(api: OrderApi, reservations: list[suppliers.Reservation]) -> list[dict[str, Any]]:
    """The orders (of the plugin's markets) whose back-orders the delivery fills, with the units it brings them."""
    found = await suppliers.reserving_orders(api.db, api.write_scope, reservations)
    return [_reserving_order(details, products) for details, products in found]


def _delivery_reference(reference: str) -> str:
    """A delivery's id or number (``"12-1"``), read strictly; anything else is not found."""
    return str(wire.id_or_number(reference, "delivery", not_found="supplier delivery not found"))


async def _get_delivery(request: Request, api: OrderApi, reference: str, *, details: bool) -> Response:
    reference = _delivery_reference(reference)
    if details:
        view, reservations = await suppliers.delivery_reservations(api.db, _warehouse(api), reference)
        body = _delivery(api, view)
        body["orders"] = await _reserving_orders(api, reservations)
        return respond(request, ok(delivery=body))
    view, products = await suppliers.get_delivery(api.db, _warehouse(api), reference)
    body = _delivery(api, view)
    body["products"] = _products(products)
    return respond(request, ok(delivery=body))


async def _accept(request: Request, api: OrderApi, reference: str, body: DeliveryAccept, *, by_sku: bool) -> Response:
    ask_xml(request, body.xml)
    reference = _delivery_reference(reference)
    warehouse = _warehouse(api)
    wanted = {str(k): wire.integer(v, f"products.{k}", minimum=0) for k, v in body.products.items()}
    if not wanted:
        raise ValidationFailed("required", field="products")
    insert = bool(wire.flag(body.insertStock, "insertStock", True))
    follow_up = await suppliers.accept_delivery_by_keys(
        api.db, warehouse, reference, wanted, by_sku=by_sku, insert_stock=insert
    )
    if follow_up is None:
        return respond(request, ok())
    view, _ = await suppliers.get_delivery(api.db, warehouse, str(follow_up.id))
    return respond(request, ok(additionalDelivery=_delivery(api, view)))


for _prefix in ("/supplier-deliveries", "/supplier-delivery"):

    @router.get(_prefix, responses=DOCUMENTED)
    async def list_deliveries(
        request: Request,
        xml: str | None = None,
        api: OrderApi = Depends(order_api),  # noqa: B008
    ) -> Response:
        """Deliveries still to come into the plugin's supplier delivery warehouse."""
        return await _list_deliveries(request, api)

    @router.get(_prefix + "/{delivery_id}", responses=DOCUMENTED)
    async def get_delivery(
        request: Request,
        delivery_id: str,
        xml: str | None = None,
        api: OrderApi = Depends(order_api),  # noqa: B008
    ) -> Response:
        """One delivery by its internal id or its number ("957-1"), with its products."""
        return await _get_delivery(request, api, delivery_id, details=False)

    @router.get(_prefix + "/{delivery_id}/details", responses=DOCUMENTED)
    async def get_delivery_details(
        request: Request,
        delivery_id: str,
        xml: str | None = None,
        api: OrderApi = Depends(order_api),  # noqa: B008
    ) -> Response:
        return await _get_delivery(request, api, delivery_id, details=True)

    @router.post(_prefix + "/{delivery_id}", responses=DOCUMENTED)
    async def accept_delivery(
        request: Request,
        delivery_id: str,
        body: DeliveryAccept,
        api: OrderApi = Depends(order_api),  # noqa: B008
    ) -> Response:
        """Accept the delivery with the units that came, keyed by EAN; stock goes into the warehouse."""
        return await _accept(request, api, delivery_id, body, by_sku=False)

    @router.post(_prefix + "/{delivery_id}/sku", responses=DOCUMENTED)
    async def accept_delivery_by_sku(
        request: Request,
        delivery_id: str,
        body: DeliveryAccept,
        api: OrderApi = Depends(order_api),  # noqa: B008
    ) -> Response:
        """As POST /supplier-deliveries/{id}, keyed by the full SKU (product + variant + size)."""
        return await _accept(request, api, delivery_id, body, by_sku=True)
