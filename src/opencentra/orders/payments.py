"""Capturing a shipment's amount and refunding an order, through the order's payment provider.

A capture is claimed with a conditional UPDATE (``captured`` false to true),
so it happens exactly once; refunds are taken with a conditional UPDATE too,
so they never add up to more than was captured. The provider is asked inside
the order's transaction: a refusal changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra import payments as providers
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, ValidationFailed
from opencentra.orders._rows import (
    complete_if_done,
    load_shipment,
    lock_order,
    lock_shipment,
    order_event,
    shipment_event,
)
from opencentra.orders.models import Order, PaymentTransaction, Refund, Shipment, TransactionKind, TransactionStatus
from opencentra.orders.state import OrderStatus


@dataclass(frozen=True, slots=True)
class Capture:
    shipment: Shipment
    # False when the shipment was already captured (capturing again is a no-op).
    captured_now: bool
    transaction: PaymentTransaction | None


async def capture_shipment(db: Database, shipment_id: int, *, reference: str | None = None) -> Capture:
    """Capture the shipment's amount, exactly once.

    The claim is a conditional UPDATE (``captured = false`` to ``true``): of two
    concurrent captures only one changes the row, and the other returns
    ``captured_now=False`` without touching the payment, as Centra treats a
    repeated capture as a no-op.
    """
    async with db.write() as session:
        order, shipment = await lock_shipment(session, shipment_id)
        claimed, transaction = await capture_in(session, order, shipment, reference=reference)
        return Capture(
            shipment=await load_shipment(session, shipment.id), captured_now=claimed, transaction=transaction
        )


async def capture_in(
    session: AsyncSession, order: Order, shipment: Shipment, *, reference: str | None
) -> tuple[bool, PaymentTransaction | None]:
    """Claim the capture with a conditional UPDATE: (False, None) if it was already captured.

    The transaction is None when nothing was left to capture (the order was paid in full elsewhere).
    """
    if order.status == OrderStatus.CANCELLED:
        raise Conflict("can not capture a cancelled order", field="order")
    claimed = await session.scalar(
        update(Shipment)
        .where(Shipment.id == shipment.id, Shipment.captured.is_(False))
        .values(captured=True, updated_at=utcnow())
        .returning(Shipment.id)
        .execution_options(synchronize_session=False)
    )
    if claimed is None:
        return False, None
    # An order paid in full elsewhere (captured when it was inserted) has nothing left to capture.
    await session.refresh(order)
    due = min(shipment.amount_minor, max(order.grand_total_minor - order.captured_minor, 0))
    if due == 0:
        shipment = await load_shipment(session, shipment.id)
        await shipment_event(session, order, shipment, "updated")
        await complete_if_done(session, order)
        return True, None
    key = f"capture:shipment:{shipment.id}"
    settled = await _provider_moves("capture", order, due, reference or order.payment_reference, key)
    if settled is None:
        raise Conflict("capture failed", field="capture")
    transaction = PaymentTransaction(
        order_id=order.id,
        shipment_id=shipment.id,
        kind=TransactionKind.CAPTURE,
        status=TransactionStatus.SUCCESS,
        amount_minor=due,
        provider=order.payment_provider,
        reference=settled or reference or order.payment_reference,
        idempotency_key=key,
    )
    session.add(transaction)
    await session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(captured_minor=Order.captured_minor + due)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    await session.refresh(order)
    shipment = await load_shipment(session, shipment.id)
    await shipment_event(session, order, shipment, "updated")
    await order_event(session, order, "captured", shipment=shipment.number, amount_minor=due)
    await complete_if_done(session, order)
    return True, transaction


async def _provider_moves(kind: str, order: Order, amount_minor: int, reference: str | None, key: str) -> str | None:
    """Ask the order's payment provider to capture or refund; None when it declined.

    Answers the provider's transaction id ("" when it gives none). An order
    whose provider this server does not run (``manual``, or one inserted by
    an integration that was paid elsewhere) is recorded as settled. The call
    happens inside the order's transaction, so a refusal changes nothing.
    """
    try:
        provider = providers.provider_for(order.payment_provider)
    except providers.UnknownProvider:
        return ""
    move = getattr(provider, kind, None)
    if move is None:  # a provider registered before the seam had captures and refunds
        return ""
    answer = await move(reference, amount_minor, key)
    if isinstance(answer, providers.Settled):
        return answer.reference or ""
    if answer is True:
        return ""
    return None


async def refund_order(db: Database, order_id: int, amount_minor: int, *, reason: str | None = None) -> Refund:
    """Refund part of what was captured, without a return (e.g. a goodwill refund)."""
    async with db.write() as session:
        order = await lock_order(session, order_id)
        return await refund_in(session, order, amount_minor, return_id=None, reason=reason)


async def refund_in(
    session: AsyncSession, order: Order, amount_minor: int, *, return_id: int | None, reason: str | None
) -> Refund:
    if amount_minor < 1:
        raise ValidationFailed("a refund must be more than zero", field="amount")
    # Conditional: refunds can never add up to more than was captured.
    took = await session.scalar(
        update(Order)
        .where(Order.id == order.id, Order.refunded_minor + amount_minor <= Order.captured_minor)
        .values(refunded_minor=Order.refunded_minor + amount_minor)
        .returning(Order.id)
        .execution_options(synchronize_session=False)
    )
    if took is None:
        raise Conflict("cannot refund more than was captured", field="amount")
    refund = Refund(order_id=order.id, return_id=return_id, amount_minor=amount_minor, reason=reason)
    session.add(refund)
    await session.flush()
    key = f"refund:{refund.id}"
    settled = await _provider_moves("refund", order, amount_minor, order.payment_reference, key)
    if settled is None:
        raise Conflict("refund failed", field="refund")
    session.add(
        PaymentTransaction(
            order_id=order.id,
            refund_id=refund.id,
            kind=TransactionKind.REFUND,
            status=TransactionStatus.SUCCESS,
            amount_minor=amount_minor,
            provider=order.payment_provider,
            reference=settled or order.payment_reference,
            idempotency_key=key,
        )
    )
    await session.flush()
    await session.refresh(order)
    await order_event(session, order, "refunded", refund=refund.id, amount_minor=amount_minor)
    return refund
