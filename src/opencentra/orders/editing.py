"""Changes integrations make to placed orders: lock, edit, cancel lines, unallocate, release, delete returns.

These are the GraphQL Integration API's order edits (``setOrdersLock``,
``updateDirectToConsumerOrder``/``updateWholesaleOrder``, ``unallocateOrder``,
``releaseRemainingOrderAuthorization``, ``deleteReturn``). Each function is
one transaction that locks the order row first, checks everything before it
writes, and records an outbox event.

Locking. A locked order is owned by an integration: Centra then stops staff
editing it in the admin, while the APIs keep working. OpenCentra's admin is
not built yet, so the flag is stored and reported (``Order.isLocked``) and
every API may still change the order, as in Centra.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from opencentra.address import SHIPPING_FIELDS, Address, read_address, write_address
from opencentra.catalog.models import DisplayItem, Product, ProductSize, ProductVariant, Size
from opencentra.customers.models import Customer
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events.outbox import record
from opencentra.inventory import services as inventory
from opencentra.orders.models import (
    Order,
    OrderAllocation,
    OrderLine,
    PaymentTransaction,
    Return,
    ReturnLine,
    ReturnStatus,
    Shipment,
    ShipmentLine,
    ShipmentLineWarehouse,
    ShipmentStatus,
    TransactionKind,
    TransactionStatus,
)
from opencentra.orders.orders import add_allocation
from opencentra.orders.state import FINAL, OrderStatus
from opencentra.orders.views import charged_units
from opencentra.pricing.models import Price
from opencentra.stores.models import OversellingMode, Store, TaxGroup, TaxRule
from opencentra.stores.tax import document_vat_minor


async def _lock(session: AsyncSession, order_id: int) -> Order:
    order = await session.scalar(
        select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound("order does not exist", field="order")
    return order


async def _event(session: AsyncSession, order: Order, change: str, **extra: Any) -> None:
    order.updated_at = utcnow()
    await session.flush()
    payload = {"change": change, "status": int(order.status), **extra}
    await record(session, "order", order.id, "updated", payload, store_id=order.store_id)


def _check_open(order: Order, what: str) -> None:
    if order.status in FINAL or order.status == OrderStatus.INCOMPLETE:
        raise Conflict(f"{what} is not possible on a {order.status.name.lower()} order", field="order")


# --- lock ------------------------------------------------------------------------


async def set_orders_lock(db: Database, order_ids: Sequence[int], locked: bool) -> list[Order]:
    """Lock or unlock several orders at once; all of them or, if one is missing, none."""
    async with db.write() as session:
        changed: list[Order] = []
        for order_id in dict.fromkeys(order_ids):
            order = await _lock(session, order_id)
            if order.locked != locked:
                order.locked = locked
                await _event(session, order, "locked" if locked else "unlocked", locked=locked)
            changed.append(order)
        return changed


# --- edit ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineCancel:
    line_id: int
    quantity: int
    # REMOVE_FROM_STOCK: the units are gone (damaged, lost), not put back on the shelf.
    remove_from_stock: bool = False


@dataclass(frozen=True, slots=True)
class LineAdd:
    """A line added to a placed order (Centra's ``addLines``, wholesale)."""

    product_size_id: int
    quantity: int
    # Tax included, in the order's currency; None takes the variant's price in the order's pricelist.
    unit_price_minor: int | None = None
    display_id: int | None = None
    # The tax group whose rule for the order's country sets the line's rate; None is untaxed.
    tax_group_id: int | None = None


@dataclass(frozen=True, slots=True)
class OrderEdit:
    """What to change; ``None`` keeps the current value. Addresses merge field by field."""

    billing: Address | None = None
    shipping: Address | None = None
    email: str | None = None
    customer_id: int | None = None
    hold: bool | None = None
    hold_reason: str | None = None
    shipping_minor: int | None = None
    cancel_lines: Sequence[LineCancel] = field(default_factory=tuple)
    cancellation_comment: str | None = None
    add_lines: Sequence[LineAdd] = field(default_factory=tuple)


async def _retax(session: AsyncSession, order: Order) -> None:
    """Set the order's tax by the one VAT rule from its lines' charged units and its grand total."""
    lines = await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id))
    order.tax_minor = document_vat_minor(
        ((line.unit_price_minor * charged_units(order, line), line.tax_bp) for line in lines),
        order.grand_total_minor,
        order.currency_decimals,
    )


async def _cancel_lines(session: AsyncSession, order: Order, cancels: Sequence[LineCancel]) -> list[dict[str, int]]:
    wanted: dict[int, int] = {}
    removing: dict[int, bool] = {}
    for index, cancel in enumerate(cancels):
        if cancel.quantity < 1:
            raise ValidationFailed("quantity must be at least 1", field=f"cancelLines.{index}.quantity")
        wanted[cancel.line_id] = wanted.get(cancel.line_id, 0) + cancel.quantity
        removing[cancel.line_id] = removing.get(cancel.line_id, False) or cancel.remove_from_stock
    lines = {
        line.id: line
        for line in await session.scalars(
            select(OrderLine).where(OrderLine.order_id == order.id, OrderLine.id.in_(wanted))
        )
    }
    for index, cancel in enumerate(cancels):
        line = lines.get(cancel.line_id)
        if line is None:
            raise NotFound(
                f"Could not find OrderLine with ID {cancel.line_id} on this order", field=f"cancelLines.{index}.line"
            )
        left = line.quantity - line.quantity_shipped - line.quantity_cancelled
        if wanted[line.id] > left:
            raise ValidationFailed(
                f"line {line.id} has {left} units left to cancel, not {wanted[line.id]}",
                field=f"cancelLines.{index}.quantity",
            )
    done: list[dict[str, int]] = []
    for line_id, quantity in wanted.items():
        line = lines[line_id]
        await _drop_allocations(session, line, quantity, remove_from_stock=removing[line_id])
        line.quantity_cancelled += quantity
        value = line.unit_price_minor * quantity
        order.items_total_minor -= value
        done.append({"line": line_id, "quantity": quantity})
    order.grand_total_minor = max(
        order.items_total_minor + order.shipping_minor + order.handling_minor - order.discount_minor, 0
    )
    return done


async def _drop_allocations(session: AsyncSession, line: OrderLine, quantity: int, *, remove_from_stock: bool) -> int:
    """Free up to ``quantity`` units allocated to a line; how many were allocated and freed.

    Units not allocated (a back-order) need no stock change. ``remove_from_stock``
    takes the freed units out of physical stock as well.
    """
    allocations = list(
        await session.scalars(
            select(OrderAllocation).where(OrderAllocation.order_line_id == line.id).order_by(OrderAllocation.id.desc())
        )
    )
    # Units on shipments not yet shipped keep their allocation until they leave.
    assigned = dict(
        (
            await session.execute(
                select(ShipmentLineWarehouse.warehouse_id, func.sum(ShipmentLineWarehouse.quantity))
                .join(ShipmentLine, ShipmentLine.id == ShipmentLineWarehouse.shipment_line_id)
                .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
                .where(ShipmentLine.order_line_id == line.id, Shipment.status != ShipmentStatus.COMPLETED)
                .group_by(ShipmentLineWarehouse.warehouse_id)
            )
        ).all()
    )
    left = quantity
    for allocation in allocations:
        step = min(allocation.quantity - int(assigned.get(allocation.warehouse_id, 0)), left)
        if step <= 0:
            continue
        await _free(session, allocation, line, step, remove_from_stock=remove_from_stock)
        left -= step
        if left == 0:
            break
    take = quantity - left
    await session.flush()
    return take


async def _add_lines(session: AsyncSession, order: Order, additions: Sequence[LineAdd]) -> list[int]:
    """Add lines, taking their stock as the order's store allows (short stock is a back-order if it oversells)."""
    overselling = await session.scalar(select(Store.overselling_mode).where(Store.id == order.store_id))
    added: list[int] = []
    for index, addition in enumerate(additions):
        where = f"addLines.{index}"
        if addition.quantity < 1:
            raise ValidationFailed("quantity must be at least 1", field=f"{where}.quantity")
        size = await session.get(ProductSize, addition.product_size_id)
        if size is None:
            raise NotFound(
                f"Could not find ProductSize with ID {addition.product_size_id}", field=f"{where}.productSize"
            )
        variant = await session.get(ProductVariant, size.variant_id)
        assert variant is not None
        product = await session.get(Product, variant.product_id)
        assert product is not None
        display_item_id = None
        if addition.display_id is not None:
            display_item_id = await session.scalar(
                select(DisplayItem.id).where(
                    DisplayItem.display_id == addition.display_id, DisplayItem.variant_id == variant.id
                )
            )
            if display_item_id is None:
                raise NotFound(
                    f"Display {addition.display_id} does not show product variant {variant.id}",
                    field=f"{where}.display",
                )
        price = addition.unit_price_minor
        if price is None:
            price = await session.scalar(
                select(Price.price_minor).where(
                    Price.pricelist_id == order.pricelist_id, Price.variant_id == variant.id
                )
            )
            if price is None:
                raise ValidationFailed(
                    "the order's pricelist has no price for this variant; give unitPrice", field=f"{where}.unitPrice"
                )
        if price < 0:
            raise ValidationFailed("unitPrice cannot be negative", field=f"{where}.unitPrice")
        tax_bp = 0
        if addition.tax_group_id is not None:
            if await session.get(TaxGroup, addition.tax_group_id) is None:
                raise NotFound(f"Could not find TaxGroup with ID {addition.tax_group_id}", field=f"{where}.taxGroup")
            rate = await session.scalar(
                select(TaxRule.rate_bp).where(
                    TaxRule.tax_group_id == addition.tax_group_id,
                    TaxRule.country_id == order.country_id,
                    TaxRule.state_id.is_(None),
                )
            )
            tax_bp = int(rate or 0)
        line = OrderLine(
            order_id=order.id,
            product_size_id=size.id,
            display_item_id=display_item_id,
            product_name=product.name,
            variant_name=variant.name,
            size_name=await session.scalar(select(Size.name).where(Size.id == size.size_id)),
            sku=size.sku,
            quantity=addition.quantity,
            quantity_shipped=0,
            quantity_returned=0,
            quantity_cancelled=0,
            unit_price_minor=price,
            original_unit_price_minor=price,
            discount_minor=0,
            tax_bp=tax_bp,
        )
        session.add(line)
        await session.flush()
        taken = await inventory.allocate(
            session, order.market_id, [(size.id, addition.quantity)], partial=overselling == OversellingMode.OFF
        )
        for allocation in taken:
            await add_allocation(session, line.id, allocation.warehouse_id, allocation.quantity)
        value = price * addition.quantity
        order.items_total_minor += value
        added.append(line.id)
    order.grand_total_minor = max(
        order.items_total_minor + order.shipping_minor + order.handling_minor - order.discount_minor, 0
    )
    return added


async def _free(
    session: AsyncSession, allocation: OrderAllocation, line: OrderLine, quantity: int, *, remove_from_stock: bool
) -> None:
    """Take ``quantity`` units off one allocation: back to the shelf, or out of stock altogether."""
    if line.product_size_id is not None:
        if remove_from_stock:
            await inventory.ship(session, allocation.warehouse_id, line.product_size_id, quantity)
        else:
            await inventory.release(
                session, [inventory.Allocation(allocation.warehouse_id, line.product_size_id, quantity)]
            )
    if quantity == allocation.quantity:
        await session.delete(allocation)
    else:
        allocation.quantity -= quantity


async def edit_order(db: Database, order_id: int, edit: OrderEdit) -> Order:
    if edit.shipping_minor is not None and edit.shipping_minor < 0:
        raise ValidationFailed("shipping cost cannot be negative", field="shippingCost")
    if edit.email is not None and ("@" not in edit.email or len(edit.email.strip()) > 254):
        raise ValidationFailed("email is not an e-mail address", field="customerInfo.email")
    async with db.write() as session:
        order = await _lock(session, order_id)
        _check_open(order, "changing the order")
        changed: list[str] = []
        if edit.billing is not None:
            write_address(order, "billing_", read_address(order, "billing_").merged(edit.billing))
            changed.append("billing_address")
        if edit.shipping is not None:
            current = read_address(order, "shipping_", SHIPPING_FIELDS)
            write_address(order, "shipping_", current.merged(edit.shipping), SHIPPING_FIELDS)
            changed.append("shipping_address")
        if edit.email is not None:
            order.email = edit.email.strip().lower()
            changed.append("email")
        if edit.customer_id is not None:
            store_id = await session.scalar(select(Customer.store_id).where(Customer.id == edit.customer_id))
            if store_id is None or store_id != order.store_id:
                raise NotFound(f"Could not find Customer with ID {edit.customer_id}", field="customer")
            order.customer_id = edit.customer_id
            changed.append("customer")
        if edit.hold is not None and edit.hold != order.hold:
            order.hold = edit.hold
            changed.append("hold")
        if edit.hold_reason:
            order.internal_comment = _append(order.internal_comment, edit.hold_reason)
        if edit.shipping_minor is not None and edit.shipping_minor != order.shipping_minor:
            order.grand_total_minor += edit.shipping_minor - order.shipping_minor
            order.shipping_minor = edit.shipping_minor
            changed.append("shipping")
        if edit.add_lines:
            added = await _add_lines(session, order, edit.add_lines)
            changed.append("add_lines")
            extra_added: dict[str, Any] = {"added": added}
        else:
            extra_added = {}
        cancelled: list[dict[str, int]] = []
        if edit.cancel_lines:
            cancelled = await _cancel_lines(session, order, edit.cancel_lines)
            changed.append("cancel_lines")
            if edit.cancellation_comment:
                order.internal_comment = _append(order.internal_comment, edit.cancellation_comment)
        if order.grand_total_minor < order.captured_minor:
            raise Conflict("the order would total less than is already captured; refund instead", field="order")
        if {"shipping", "add_lines", "cancel_lines"} & set(changed):
            await _retax(session, order)
        if changed:
            await _event(session, order, "edited", fields=changed, cancelled=cancelled, **extra_added)
        await session.flush()
        return order


def _append(current: str | None, addition: str) -> str:
    return addition if not current else f"{current}\n{addition}"


# --- unallocate ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unallocated:
    order: Order
    # (index in the request, message) for lines that had less allocated than asked.
    warnings: list[tuple[int, str]]


async def unallocate_order(
    db: Database,
    order_id: int,
    lines: Sequence[tuple[int, int]] | None = None,
    warehouse_ids: Sequence[int] | None = None,
    *,
    remove_from_stock: bool = False,
) -> Unallocated:
    """Give back the stock an order holds: ``lines`` as ``(order line id, quantity)``, or every line.

    ``warehouse_ids`` limits it to those warehouses. Asking for more than is
    allocated frees what there is and warns, as Centra does; the units stay on
    the order as a back-order.
    """
    async with db.write() as session:
        order = await _lock(session, order_id)
        _check_open(order, "unallocating")
        all_lines = {
            line.id: line for line in await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))
        }
        requested: list[tuple[int, int | None]] = (
            [(line_id, quantity) for line_id, quantity in lines]
            if lines is not None
            else [(i, None) for i in all_lines]
        )
        for index, (line_id, quantity) in enumerate(requested):
            if line_id not in all_lines:
                raise NotFound(
                    f"Could not find OrderLine with ID {line_id} on this order", field=f"unallocate.{index}.orderLine"
                )
            if quantity is not None and quantity < 1:
                raise ValidationFailed("quantity must be at least 1", field=f"unallocate.{index}.quantity")
        warnings: list[tuple[int, str]] = []
        freed: list[dict[str, int]] = []
        for index, (line_id, quantity) in enumerate(requested):
            line = all_lines[line_id]
            statement = select(OrderAllocation).where(OrderAllocation.order_line_id == line_id)
            if warehouse_ids is not None:
                statement = statement.where(OrderAllocation.warehouse_id.in_(warehouse_ids))
            allocations = list(await session.scalars(statement.order_by(OrderAllocation.id.desc())))
            held = sum(a.quantity for a in allocations)
            want = held if quantity is None else quantity
            if want > held:
                warnings.append((index, f"Order line {line_id} had only {held} allocated; {held} unallocated"))
            left = min(want, held)
            for allocation in allocations:
                if left == 0:
                    break
                step = min(allocation.quantity, left)
                warehouse_id = allocation.warehouse_id
                await _free(session, allocation, line, step, remove_from_stock=remove_from_stock)
                freed.append({"line": line_id, "warehouse": warehouse_id, "quantity": step})
                left -= step
        await session.flush()
        if freed:
            await _event(session, order, "unallocated", allocations=freed)
        return Unallocated(order=order, warnings=warnings)


# --- payments ----------------------------------------------------------------------


async def release_remaining_authorization(db: Database, order_id: int) -> PaymentTransaction:
    """Let go of what is authorized but not captured, so the shopper's money is free again.

    Recorded as a ``cancel`` payment transaction for the uncaptured amount;
    after it the order cannot be captured for more than it already was.
    """
    async with db.write() as session:
        order = await _lock(session, order_id)
        if order.status == OrderStatus.CANCELLED:
            raise Conflict("the order is cancelled; its authorization is already released", field="order")
        released = await session.scalar(
            select(func.count(PaymentTransaction.id)).where(
                PaymentTransaction.order_id == order.id, PaymentTransaction.kind == TransactionKind.CANCEL
            )
        )
        remaining = order.grand_total_minor - order.captured_minor
        if released or remaining <= 0:
            raise Conflict("there is no remaining authorization to release", field="order")
        transaction = PaymentTransaction(
            order_id=order.id,
            kind=TransactionKind.CANCEL,
            status=TransactionStatus.SUCCESS,
            amount_minor=remaining,
            provider=order.payment_provider,
            reference=order.payment_reference,
            idempotency_key=f"release:order:{order.id}",
        )
        session.add(transaction)
        # What stays payable is what was captured.
        order.grand_total_minor = order.captured_minor
        await _event(session, order, "authorization_released", amount=remaining)
        return transaction


# --- returns -----------------------------------------------------------------------


async def delete_return(db: Database, return_id: int) -> Return:
    """Delete a return that is neither completed nor refunded; its units can be returned again.

    Returns the deleted return with its lines loaded, for the caller to show.
    """
    async with db.write() as session:
        order_id = await session.scalar(select(Return.order_id).where(Return.id == return_id))
        if order_id is None:
            raise NotFound(f"Could not find Return with ID {return_id}", field="id")
        order = await _lock(session, order_id)
        returned = await session.get(Return, return_id, populate_existing=True)
        assert returned is not None
        if returned.status == ReturnStatus.COMPLETED:
            raise Conflict("a completed return cannot be deleted; uncomplete it first", field="id")
        if returned.refunded:
            raise Conflict("a refunded return cannot be deleted", field="id")
        lines = list(await session.scalars(select(ReturnLine).where(ReturnLine.return_id == returned.id)))
        for line in lines:
            await session.execute(
                update(ShipmentLine)
                .where(ShipmentLine.id == line.shipment_line_id)
                .values(quantity_returned=ShipmentLine.quantity_returned - line.quantity)
            )
            await session.execute(
                update(OrderLine)
                .where(OrderLine.id == line.order_line_id)
                .values(quantity_returned=OrderLine.quantity_returned - line.quantity)
            )
        session.expunge_all()
        await session.execute(delete(Return).where(Return.id == returned.id))
        await record(session, "return", return_id, "deleted", {"order": order.id}, store_id=order.store_id)
        order = await _lock(session, order_id)
        await _event(session, order, "return_deleted", **{"return": return_id})
        set_committed_value(returned, "lines", lines)
        return returned


__all__ = [
    "LineCancel",
    "OrderEdit",
    "Unallocated",
    "delete_return",
    "edit_order",
    "release_remaining_authorization",
    "set_orders_lock",
    "unallocate_order",
]
