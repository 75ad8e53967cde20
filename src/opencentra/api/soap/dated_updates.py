"""``deliverywindows_Update``, ``pricealterationdates_Update`` and ``invoices_Update``.

Upserts by the ERP's ids through the ID conversion table, one transaction per
item, like the other ``*_Update`` operations (``updates.batch``). Each calls the
same domain use cases as GraphQL: ``wholesale.scoped`` for delivery windows,
``pricing.create_price_alteration`` for price alteration dates, and
``orders.scoped`` for invoices, which in OpenCentra are captured shipments.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from opencentra import orders, pricing, wholesale
from opencentra.api.soap.envelope import child, children, path_text, text
from opencentra.api.soap.items import SHIPMENT, VARIANT, Operation, batch, choice, required_id, yes
from opencentra.api.soap.session import SoapCall, internal_id, remember
from opencentra.api.soap.updates import current_order, order_key
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.integers import whole_number

DELIVERY_WINDOW, PRICE_ALTERATION, INVOICE = "deliverywindow", "pricealteration", "invoice"


def _date(raw: str, field: str) -> date:
    """``2020-11-30`` (Centra's examples), or a date and time of which the date is kept."""
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise ValidationFailed(f"{raw!r} is not a date (YYYY-MM-DD)", field=field) from None


def _start(raw: str, field: str) -> datetime:
    """A start: a date is its midnight UTC; a date and time without an offset is UTC."""
    try:
        value = datetime.fromisoformat(raw.replace(" ", "T"))
    except ValueError:
        raise ValidationFailed(f"{raw!r} is not a date (YYYY-MM-DD)", field=field) from None
    if len(raw) <= 10:
        value = datetime.combine(value.date(), time(0), UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# --- delivery windows -------------------------------------------------------------------------------

_WINDOW_STATUS = {
    "active": wholesale.DeliveryWindowStatus.ACTIVE,
    "inactive": wholesale.DeliveryWindowStatus.INACTIVE,
    "canceled": wholesale.DeliveryWindowStatus.CANCELLED,
    "cancelled": wholesale.DeliveryWindowStatus.CANCELLED,
}
_DELIVERY_TYPE = {"stock": wholesale.VariantDeliveryType.STOCK, "preorder": wholesale.VariantDeliveryType.PREORDER}


async def _variant(tx: Database, node: etree._Element) -> int:
    ext = required_id(node)
    found = await internal_id(tx, VARIANT, ext)
    if found is None:
        raise NotFound(f"unknown variation {ext}: send it with products_Update first", field="variation")
    return found


async def _window_variants(
    tx: Database, node: etree._Element, ext: str, notices: list[str]
) -> list[wholesale.WindowVariantInput]:
    given: list[wholesale.WindowVariantInput] = []
    for variation in children(child(node, "variations"), "variation"):
        variant_id = await _variant(tx, variation)
        kind = choice(text(variation, "type"), tuple(_DELIVERY_TYPE), "type")
        limit = text(variation, "variationlimit")
        if text(variation, "productlimit"):
            notices.append(f"deliverywindow {ext}: productlimit is not kept (a limit is per variation or size)")
        given.append(
            wholesale.WindowVariantInput(
                variant_id=variant_id,
                delivery_type=_DELIVERY_TYPE[kind] if kind else None,
                limit_value=whole_number(limit, "variationlimit") if limit else None,
                limit_on=wholesale.LimitOn.PRODUCT_VARIANT if limit else None,
            )
        )
    return given


async def _delivery_window(call: SoapCall, tx: Database, node: etree._Element, notices: list[str]) -> None:
    ext = required_id(node)
    status = choice(text(node, "status"), tuple(_WINDOW_STATUS), "status")
    at_once = yes(text(node, "atonce"), "atonce")
    start, stop = text(node, "startdate"), text(node, "stopdate")
    dates = wholesale.PreorderInput(
        delivery_start=_date(start, "startdate") if start else None,
        delivery_end=_date(stop, "stopdate") if stop else None,
    )
    found = await internal_id(tx, DELIVERY_WINDOW, ext)
    if found is None:
        window_is_at_once = bool(at_once)
    else:
        async with tx.read() as session:
            current = (await wholesale.delivery_window_views_by_id(session, [found]))[found]
        window_is_at_once = current.at_once
        if at_once is not None and at_once != current.at_once:
            raise ValidationFailed("a delivery window cannot change between at once and pre-order", field="atonce")
    has_dates = dates != wholesale.PreorderInput()
    if window_is_at_once and has_dates:
        notices.append(f"deliverywindow {ext}: an at-once window has no start and stop dates; they are not kept")
    given = wholesale.DeliveryWindowInput(
        name=text(node, "description") or None,
        status=_WINDOW_STATUS[status] if status else None,
        at_once=wholesale.AtOnceInput() if window_is_at_once and found is None else None,
        preorder=dates if not window_is_at_once and (has_dates or found is None) else None,
    )
    if found is None:
        created = await wholesale.scoped.create_delivery_window(
            tx, replace(given, name=given.name or ext), store_scope=None
        )
        found = created.id
        await remember(tx, DELIVERY_WINDOW, found, ext)
        notices.append(f"Added new delivery window: {ext}")
    elif given != wholesale.DeliveryWindowInput():
        await wholesale.scoped.update_delivery_window(tx, found, given, store_scope=None)
    variants = await _window_variants(tx, node, ext, notices)
    if variants:
        _, skipped = await wholesale.scoped.set_delivery_window_variants(tx, found, variants)
        notices.extend(f"deliverywindow {ext}: {message}" for _, message in skipped)
    removed = [await _variant(tx, v) for v in children(child(node, "variationsremove"), "variation")]
    if removed:
        _, skipped = await wholesale.scoped.unset_delivery_window_variants(tx, found, removed)
        notices.extend(f"deliverywindow {ext}: {message}" for _, message in skipped)


# --- price alteration dates -------------------------------------------------------------------------

_ALTERATION_STATUS = {"active": True, "inactive": False, "canceled": False, "cancelled": False}


async def _price_alteration(call: SoapCall, tx: Database, node: etree._Element, notices: list[str]) -> None:
    ext = required_id(node)
    status = choice(text(node, "status"), tuple(_ALTERATION_STATUS), "status")
    active = _ALTERATION_STATUS[status] if status else None
    name = text(node, "name") or None
    raw_start = text(node, "startdate")
    starts_at = _start(raw_start, "startdate") if raw_start else None
    found = await internal_id(tx, PRICE_ALTERATION, ext)
    if found is None:
        if starts_at is None:
            raise ValidationFailed("startdate is required for a new price alteration date", field="startdate")
        created = await pricing.create_price_alteration(
            tx, call.store(text(node, "store")), name or ext, starts_at=starts_at, active=bool(active)
        )
        await remember(tx, PRICE_ALTERATION, created.id, ext)
        notices.append(f"Added new price alteration date: {ext}")
        return
    store = text(node, "store")
    if store:
        call.store(store)  # a store-bound user may not name another store
    try:
        await pricing.update_price_alteration(
            tx, found, name=name, starts_at=starts_at, active=active, store_scope=call.user.store_id
        )
    except NotFound as error:
        if error.field != "id":
            raise
        raise NotFound(f"price alteration date {ext} not found", field="id") from None


# --- invoices ---------------------------------------------------------------------------------------

# What an invoice carries that OpenCentra derives from its shipment and order instead of keeping.
_DERIVED = (
    "serialno",
    "documenttype",
    "currency",
    "currencyrate",
    "basecurrency",
    "total",
    "vat",
    "totalpaid",
    "invoicedate",
    "orderdate",
    "duedate",
    "buyer",
    "account",
    "refund",
    "paymentterms",
    "shippingterms",
    "internalinformation",
    "ponumber",
    "billingaddress",
    "shippingaddress",
    "items",
    "locked",
)
_INVOICE_STATUS = ("paid", "unpaid", "open", "pending", "sent", "cancelled", "canceled")


async def _invoice_shipment(call: SoapCall, tx: Database, node: etree._Element) -> int:
    """The shipment an unknown invoice id is for: ``shipment/id`` (its ERP id or number) in ``order/id``."""
    shipment_ext = path_text(node, "shipment", "id")
    if not shipment_ext:
        raise ValidationFailed("shipment/id is required for a new invoice", field="shipment")
    shipment_id = await internal_id(tx, SHIPMENT, shipment_ext)
    order_ext = path_text(node, "order", "id")
    if shipment_id is None and order_ext:
        order = await current_order(tx, await order_key(tx, order_ext), call.user.store_id)
        shipment_id = next((s.id for s in order.shipments if s.number == shipment_ext), None)
    if shipment_id is None:
        raise NotFound(f"unknown shipment {shipment_ext}", field="shipment")
    return shipment_id


async def _invoice(call: SoapCall, tx: Database, node: etree._Element, notices: list[str]) -> None:
    ext = required_id(node)
    status = choice(text(node, "status"), _INVOICE_STATUS, "status")
    shipment_id = await internal_id(tx, INVOICE, ext)
    if shipment_id is None:
        shipment_id = await _invoice_shipment(call, tx, node)
        await remember(tx, INVOICE, shipment_id, ext)
        notices.append(f"Added new invoice: {ext}")
    # Capturing the shipment is what marks its invoice paid; again is a no-op. Anything else only checks the scope.
    await orders.scoped.update_shipment(
        tx, shipment_id, good_to_go=None, paid=True if status == "paid" else None, store_scope=call.user.store_id
    )
    ignored = [name for name in _DERIVED if child(node, name) is not None]
    if ignored:
        notices.append(f"invoice {ext}: {', '.join(ignored)} not kept (an invoice is its shipment in OpenCentra)")


OPERATIONS: dict[str, Operation] = {
    "deliverywindows_Update": batch("deliverywindows", "deliverywindow", "deliverywindow", _delivery_window),
    "pricealterationdates_Update": batch(
        "pricealterationdates", "pricealterationdate", "pricealterationdate", _price_alteration
    ),
    "invoices_Update": batch("invoices", "invoice", "invoice", _invoice),
}
