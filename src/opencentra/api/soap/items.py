"""What every ``*_Update`` item shares: the batch of one transaction per item, ERP ids, and field parsing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from opencentra import integration
from opencentra.api.soap.envelope import child, children, text
from opencentra.api.soap.session import Outcome, SoapCall
from opencentra.db.engine import Database
from opencentra.errors import DomainError, ValidationFailed
from opencentra.integers import whole_number

ItemHandler = Callable[[SoapCall, Database, etree._Element, list[str]], Awaitable[None]]
Operation = Callable[[SoapCall, etree._Element], Awaitable[Outcome]]

# Object types in the ID conversion table.
MARKET, PRICELIST, WAREHOUSE, SIZE_CHART, PRODUCT, VARIANT, CUSTOMER = (
    "market",
    "pricelist",
    "warehouse",
    "size_chart",
    "product",
    "variant",
    "customer",
)
ORDER, SHIPMENT, REFUND = "order", "shipment", "refund"
PAYMENT_TERMS, SHIPPING_TERMS, SALES_REP = "paymentterm", "shippingterm", "salesrep"
ACCOUNT, BUYER = "account", "buyer"


def batch(container: str, item: str, label: str, handler: ItemHandler) -> Operation:
    async def run(call: SoapCall, element: etree._Element) -> Outcome:
        outcome = Outcome()
        for index, node in enumerate(children(child(element, container), item), start=1):
            ident = text(node, "id")
            where = f"{label} {ident}" if ident else f"{label} #{index}"
            notices: list[str] = []
            try:
                async with call.db.atomic() as tx:
                    # One item at a time instance-wide: upserts by ERP id cannot race (see take_soap_write_turn).
                    await integration.take_soap_write_turn(tx)
                    await handler(call, tx, node, notices)
            except DomainError as error:
                named = f" ({error.field})" if error.field else ""
                outcome.errors.append(f"{where}: {error.message}{named}")
            else:
                outcome.notices.extend(notices)
        return outcome

    return run


def required_id(node: etree._Element) -> str:
    ident = text(node, "id")
    if not ident:
        raise ValidationFailed("id is required", field="id")
    if len(ident) > 200:
        raise ValidationFailed("id is longer than 200 characters", field="id")
    return ident


def quantity(raw: str, field: str) -> int:
    return whole_number(raw, field, minimum=0)


def amount(raw: str, field: str) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationFailed(f"{raw!r} is not a number", field=field) from None
    if not value.is_finite() or value < 0:
        raise ValidationFailed(f"{raw!r} is not an amount", field=field)
    return value


def choice(raw: str | None, allowed: tuple[str, ...], field: str) -> str | None:
    if raw is None or raw == "":
        return None
    value = raw.lower()
    if value not in allowed:
        raise ValidationFailed(f"{raw!r} is not one of {', '.join(allowed)}", field=field)
    return value


def yes(raw: str | None, field: str) -> bool | None:
    value = choice(raw, ("yes", "no", "true", "false", "1", "0"), field)
    return None if value is None else value in ("yes", "true", "1")
