"""POST /order, POST /orders (batch) and POST /order/{id}: orders inserted by an ERP, a POS or a marketplace.

Needs the plugin setting "Allow Order Create". Failures carry Centra's
create-order code: -1 a product cannot be added, -2 stock, -3 empty order,
-4 required fields missing, -5 order number taken, -6 customer registration
failed, -7 anything else.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Body, Depends
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from opencentra import orders
from opencentra.address import Address
from opencentra.api.errors import validation_fields
from opencentra.api.order import wire
from opencentra.api.order.access import OrderApi, order_api
from opencentra.api.order.bodies import OrderAddress, OrderComplete, OrderCreate, Payment
from opencentra.api.order.customers import consent_inputs
from opencentra.api.order.envelope import ask_xml, echo, message, ok, respond
from opencentra.api.order.orders import DOCUMENTED
from opencentra.errors import Conflict, DomainError, NotFound, OutOfStock, PermissionDenied, ValidationFailed
from opencentra.orders import TransactionKind, TransactionStatus

router = APIRouter()
_STATUS = {0: TransactionStatus.PENDING, 1: TransactionStatus.SUCCESS, 2: TransactionStatus.FAILED}


def error_code(error: DomainError) -> int:
    field = error.field or ""
    if isinstance(error, OutOfStock):
        return -2
    if isinstance(error, NotFound) and field.startswith("products."):
        return -1
    if isinstance(error, ValidationFailed) and field == "products" and "empty" in error.message:
        return -3
    if isinstance(error, Conflict) and field == "number":
        return -5
    if field in ("customer", "customerId", "email") and not isinstance(error, ValidationFailed):
        return -6
    if isinstance(error, ValidationFailed):
        return -4
    return -7


def _address(given: OrderAddress | None, prefix: str) -> Address | None:
    if given is None:
        return None
    country = wire.text(given.country, f"{prefix}.country", limit=2)
    return Address(
        first_name=wire.text(given.firstName or given.attn, f"{prefix}.firstName", limit=100),
        last_name=wire.text(given.lastName, f"{prefix}.lastName", limit=100),
        company=wire.text(given.company, f"{prefix}.company", limit=200),
        phone_number=wire.text(given.cell or given.tele, f"{prefix}.tele", limit=50),
        address1=wire.text(given.address, f"{prefix}.address", limit=200),
        address2=wire.text(given.coaddress, f"{prefix}.coaddress", limit=200),
        zip_code=wire.text(given.zipcode, f"{prefix}.zipcode", limit=32),
        city=wire.text(given.city, f"{prefix}.city", limit=100),
        state=wire.text(given.state, f"{prefix}.state", limit=100),
        country=country.upper() if country else None,
    )


def payments(payment: Payment | None) -> list[orders.PaymentRecord]:
    found: list[orders.PaymentRecord] = []
    if payment is None:
        return found
    for kind, step in ((TransactionKind.AUTHORIZE, payment.auth), (TransactionKind.CAPTURE, payment.capture)):
        if step is None:
            continue
        name = "auth" if kind == TransactionKind.AUTHORIZE else "capture"
        status = wire.integer(step.status, f"payment.{name}.status")
        if status not in _STATUS:
            raise ValidationFailed("invalid value, expected 0, 1 or 2", field=f"payment.{name}.status")
        if step.amount is None:
            raise ValidationFailed("required", field=f"payment.{name}.amount")
        found.append(
            orders.PaymentRecord(
                kind=kind,
                status=_STATUS[status],
                amount=wire.decimal(step.amount, f"payment.{name}.amount"),
                transaction=wire.text(step.transaction, f"payment.{name}.transaction", limit=200),
                method=wire.text(step.method, f"payment.{name}.method", limit=64),
            )
        )
    return found


def _price(value: Any, field: str) -> Decimal | None:
    return None if value is None else wire.decimal(value, field)


def intake_order(api: OrderApi, body: OrderCreate) -> orders.IntakeOrder:
    billing = _address(body.invoiceAddress or body.address, "invoiceAddress")
    delivery = _address(body.deliveryAddress, "deliveryAddress")
    account_id = wire.optional_integer(body.accountId, "accountId", minimum=1)
    buyer_id = wire.optional_integer(body.buyerId, "buyerId", minimum=1)
    # B2B orders may leave the address (and its email) to the buyer's.
    b2b = account_id is not None or buyer_id is not None
    if billing is None and delivery is None and not b2b:
        raise ValidationFailed("required", field="address")
    email = next(
        (a.email for a in (body.invoiceAddress, body.address, body.deliveryAddress) if a is not None and a.email),
        None,
    )
    if not email and not b2b:
        raise ValidationFailed("required", field="email")
    lines = []
    for index, product in enumerate(body.products or []):
        prefix = f"products.{index}"
        text = {k: str(v) for k, v in (product.itemText or {}).items() if v not in (None, "")}
        lines.append(
            orders.IntakeLine(
                quantity=wire.integer(product.qty, f"{prefix}.qty", minimum=1),
                stock_item_id=wire.optional_integer(product.id, f"{prefix}.id", minimum=1),
                ean=wire.text(product.ean or product.upc, f"{prefix}.ean", limit=64) or None,
                sku=wire.text(product.sku, f"{prefix}.sku", limit=200) or None,
                item=wire.text(product.item, f"{prefix}.item", limit=64) or None,
                unit_price=_price(product.unitPrice, f"{prefix}.unitPrice"),
                original_price=_price(product.originalPrice, f"{prefix}.originalPrice"),
                comment=wire.text(product.comment, f"{prefix}.comment", limit=2000),
                text=text,
            )
        )
    tz = api.timezone
    attributes = {str(k): "" if v is None else str(v) for k, v in (body.extraAttributes or {}).items()}
    return orders.IntakeOrder(
        store_id=api.plugin.store_id,
        email=email or "",
        billing=billing or delivery or Address(),
        shipping=delivery,
        lines=lines,
        allowed_markets=api.settings.markets or None,
        market_id=wire.optional_integer(body.marketId, "marketId"),
        market_name=wire.text(body.market, "market", limit=128),
        pricelist_id=wire.optional_integer(body.pricelistId, "pricelistId"),
        pricelist_name=wire.text(body.pricelist, "pricelist", limit=128),
        customer_id=wire.optional_integer(body.customerId, "customerId"),
        shipping_method_uri=wire.text(body.shippingList, "shippingList", limit=128),
        shipping_value=_price(body.shippingValue, "shippingValue"),
        voucher_value=_price(body.voucherValue, "voucherValue"),
        number=wire.optional_integer(body.orderNumber, "orderNumber", minimum=1),
        take_stock=bool(wire.flag(body.adjustStock, "adjustStock", True)),
        backorder=bool(wire.flag(body.forceCreate, "forceCreate", False)),
        # "comment" (2024 docs) and "otherComment" (2021 docs) are the same field.
        comment=wire.text(body.comment if body.comment is not None else body.otherComment, "comment", limit=10000),
        internal_comment=wire.text(body.internalComment, "internalComment", limit=10000),
        po_number=wire.text(body.poNumber, "poNumber", limit=100),
        order_date=wire.optional_when(body.orderDate, "orderDate", tz),
        delivery_date=wire.optional_when(body.deliveryDate, "deliveryDate", tz),
        cancel_date=wire.optional_when(body.cancelDate, "cancelDate", tz),
        incomplete=bool(wire.flag(body.createOnly, "createOnly", False)),
        extra_attributes=attributes,
        payment_provider=f"plugin:{body.payment.id}" if body.payment and body.payment.id is not None else "external",
        payments=payments(body.payment),
        consents=consent_inputs(body.consents),
        account_id=account_id,
        buyer_id=buyer_id,
    )


async def _create(api: OrderApi, body: OrderCreate) -> dict[str, Any]:
    """One order; the result is its own envelope (the batch endpoint nests them)."""
    try:
        if not api.settings.allow_order_create:
            raise PermissionDenied("order creation is not allowed for this plugin", field="allow_order_create")
        spec = intake_order(api, body)
        order = await orders.create_external_order(api.db, spec)
    except DomainError as error:
        return {"status": "no", "code": error_code(error), "msg": message(error)}
    if spec.incomplete:
        return ok(order=order.number)
    return ok(orders=[order.number])


@router.post("/order", responses=DOCUMENTED)
async def create_order(request: Request, body: OrderCreate, api: OrderApi = Depends(order_api)) -> Response:  # noqa: B008
    """Insert an order (``createOnly`` leaves it incomplete until POST /order/{id})."""
    ask_xml(request, body.xml)
    return respond(request, await _create(api, body))


@router.post("/orders", responses=DOCUMENTED)
async def create_orders(
    request: Request,
    body: dict[str, Any] = Body(...),  # noqa: B008
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """Insert several orders, keyed by the caller's own keys; each succeeds or fails on its own."""
    results: dict[str, Any] = {}
    for key, payload in body.items():
        if key == "xml":
            ask_xml(request, payload)
            continue
        try:
            parsed = OrderCreate.model_validate(payload)
        except ValidationError as invalid:
            fields = validation_fields(invalid)  # type: ignore[arg-type]
            results[key] = {"status": "no", "code": -4, "msg": fields}
            continue
        results[key] = await _create(api, parsed)
    return respond(request, results)


@router.post("/order/{order_number}", responses=DOCUMENTED)
async def complete_order(
    request: Request,
    order_number: str,
    body: OrderComplete,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """Place an order made with ``createOnly``, or add payment steps and details to an order (repeatable)."""
    ask_xml(request, body.xml)
    number = wire.integer(order_number, "order", minimum=1)
    echo(request, order=number)
    order_id = await orders.find_order_id(api.db, api.write_scope, number)
    tz = api.timezone
    completion = orders.Completion(
        payments=payments(body.payment),
        payment_provider=f"plugin:{body.payment.id}" if body.payment and body.payment.id is not None else None,
        internal_comment=wire.text(body.internalComment, "internalComment", limit=10000),
        comment=wire.text(body.comment, "comment", limit=10000),
        po_number=wire.text(body.poNumber, "poNumber", limit=100),
        order_date=wire.optional_when(body.orderDate, "orderDate", tz),
        delivery_date=wire.optional_when(body.deliveryDate, "deliveryDate", tz),
        cancel_date=wire.optional_when(body.cancelDate, "cancelDate", tz),
    )
    order = await orders.complete_external_order(api.db, order_id, completion)
    return respond(request, {"orders": [str(order.number)], "status": "ok"})
