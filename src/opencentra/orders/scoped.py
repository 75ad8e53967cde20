"""Changing orders, shipments and returns as an integration bound to a store does, each answering its view.

Each use case is one transaction (``Database.atomic``): the check that the
caller may see the object (``store_scope``: the one store it may see, None
for every store; an object of another store is not found, with the same
message as one that does not exist), the change through the ordinary
service, and the read of the result. So an API renders the answer without a
second read, and a refused call changes nothing.

Amounts come as the caller gave them (``GivenAmount``, ``ReturnCosts``) and
are turned into the order currency's minor units here, by the same rule for
every API.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.address import Address
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.orders import editing, orders, payments, returns, shipments
from opencentra.orders.lookups import (
    OrderView,
    PaymentEntryView,
    ReturnLineView,
    ReturnView,
    ShipmentView,
    order_view,
    payment_entry_view,
    return_line_view,
    return_view,
    shipment_view,
)
from opencentra.orders.models import Order, Return, Shipment, ShipmentLine
from opencentra.stores.models import Country, Currency, Store, StoreType


@dataclass(frozen=True, slots=True)
class OrderKey:
    """An order as a caller names it: by internal id or by number.

    ``shown`` is how the caller named it ("ID 00ab..." or "number 5"), for the message when it is not found.
    """

    order_id: int | None = None
    number: int | None = None
    shown: str = ""


# --- finding and reading inside the use case's transaction --------------------------------------------------


async def _order_id(session: AsyncSession, key: OrderKey, store_scope: int | None, field: str = "order") -> int:
    statement = select(Order.id, Order.store_id)
    if key.order_id is not None:
        statement = statement.where(Order.id == key.order_id)
    elif key.number is not None:
        statement = statement.where(Order.number == key.number)
    else:
        raise NotFound("Exactly one input field should be provided: id or number", field=field)
    found = (await session.execute(statement)).first()
    if found is None or (store_scope is not None and found[1] != store_scope):
        raise NotFound(f"Could not find Order with {key.shown}", field=field)
    return int(found[0])


async def _shipment_order_id(session: AsyncSession, shipment_id: int, store_scope: int | None) -> int:
    found = (
        await session.execute(
            select(Shipment.order_id, Order.store_id)
            .join(Order, Order.id == Shipment.order_id)
            .where(Shipment.id == shipment_id)
        )
    ).first()
    if found is None or (store_scope is not None and found[1] != store_scope):
        raise NotFound(f"Could not find Shipment with ID {shipment_id}", field="id")
    return int(found[0])


async def _check_return(session: AsyncSession, return_id: int, store_scope: int | None) -> None:
    store_id = await session.scalar(
        select(Order.store_id).join(Return, Return.order_id == Order.id).where(Return.id == return_id)
    )
    if store_id is None or (store_scope is not None and store_id != store_scope):
        raise NotFound(f"Could not find Return with ID {return_id}", field="id")


async def _order(session: AsyncSession, order_id: int) -> OrderView:
    # populate_existing: the services may have changed the row with statements the session did not see.
    found = (
        await session.execute(
            select(Order, Store.type)
            .join(Store, Store.id == Order.store_id)
            .where(Order.id == order_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    return order_view(found[0], found[1])


async def _shipment(session: AsyncSession, shipment_id: int) -> tuple[ShipmentView, OrderView]:
    row = (
        await session.scalars(
            select(Shipment).where(Shipment.id == shipment_id).execution_options(populate_existing=True)
        )
    ).one()
    return shipment_view(row), await _order(session, row.order_id)


async def _return(session: AsyncSession, return_id: int) -> tuple[ReturnView, OrderView]:
    row = (
        await session.scalars(select(Return).where(Return.id == return_id).execution_options(populate_existing=True))
    ).one()
    return return_view(row), await _order(session, row.order_id)


# --- orders ---------------------------------------------------------------------------------------------------


async def confirm_order(db: Database, key: OrderKey, *, store_scope: int | None) -> OrderView:
    async with db.atomic() as tx, tx.write() as session:
        order_id = await _order_id(session, key, store_scope)
        await orders.confirm_order(tx, order_id)
        return await _order(session, order_id)


async def cancel_order(db: Database, key: OrderKey, *, store_scope: int | None) -> OrderView:
    async with db.atomic() as tx, tx.write() as session:
        order_id = await _order_id(session, key, store_scope)
        await orders.cancel_order(tx, order_id)
        return await _order(session, order_id)


async def set_orders_lock(
    db: Database, keys: Sequence[OrderKey], locked: bool, *, store_scope: int | None
) -> list[OrderView]:
    """Lock or unlock all the orders or none: one unknown order (field ``orders.<index>``) refuses the call."""
    async with db.atomic() as tx, tx.write() as session:
        ids = [await _order_id(session, key, store_scope, f"orders.{index}") for index, key in enumerate(keys)]
        await editing.set_orders_lock(tx, ids, locked)
        return [await _order(session, order_id) for order_id in dict.fromkeys(ids)]


@dataclass(frozen=True, slots=True)
class Unallocation:
    order: OrderView
    # (index in the request, message) for lines that had less allocated than asked.
    warnings: list[tuple[int, str]]


async def unallocate_order(
    db: Database,
    key: OrderKey,
    lines: Sequence[tuple[int, int]] | None,
    warehouse_ids: Sequence[int] | None,
    *,
    remove_from_stock: bool,
    store_scope: int | None,
) -> Unallocation:
    async with db.atomic() as tx, tx.write() as session:
        order_id = await _order_id(session, key, store_scope)
        result = await editing.unallocate_order(tx, order_id, lines, warehouse_ids, remove_from_stock=remove_from_stock)
        return Unallocation(await _order(session, order_id), list(result.warnings))


async def release_remaining_authorization(
    db: Database, key: OrderKey, *, store_scope: int | None
) -> tuple[OrderView, PaymentEntryView]:
    async with db.atomic() as tx, tx.write() as session:
        order_id = await _order_id(session, key, store_scope)
        transaction = await editing.release_remaining_authorization(tx, order_id)
        return await _order(session, order_id), payment_entry_view(transaction)


# --- editing a placed order --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GivenAmount:
    """An amount as the caller gave it, in a currency it names; ``field`` is where, for errors."""

    value: Decimal
    currency: str
    field: str


@dataclass(frozen=True, slots=True)
class CountryChoice:
    """A country by its ISO code or by its id."""

    code: str | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class AddressChange:
    """New address fields (None: unchanged); the country comes from ``country``."""

    address: Address
    country: CountryChoice | None
    # Where the address was given ("billingAddress"), for errors.
    field: str


@dataclass(frozen=True, slots=True)
class LineAddition:
    product_size_id: int
    quantity: int
    unit_price: GivenAmount | None = None
    display_id: int | None = None
    tax_group_id: int | None = None


@dataclass(frozen=True, slots=True)
class OrderChanges:
    billing: AddressChange | None = None
    shipping: AddressChange | None = None
    # The customer's (or buyer's) first and last name; they change the billing address.
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    customer_id: int | None = None
    hold: bool | None = None
    hold_reason: str | None = None
    shipping_cost: GivenAmount | None = None
    cancel_lines: Sequence[editing.LineCancel] = field(default_factory=tuple)
    cancellation_comment: str | None = None
    add_lines: Sequence[LineAddition] = field(default_factory=tuple)


def _minor(amount: GivenAmount, currency: str, decimals: int) -> int:
    """A given amount in the order's currency as minor units."""
    if amount.currency.strip().upper() != currency:
        raise ValidationFailed(f"the amount must be in the order's currency, {currency}", field=amount.field)
    scaled = amount.value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise ValidationFailed("the amount has more decimals than the currency", field=amount.field)
    return int(scaled)


async def _address(session: AsyncSession, change: AddressChange | None) -> Address | None:
    if change is None:
        return None
    country = None
    if change.country is not None:
        statement = select(Country.code)
        if change.country.code is not None:
            statement = statement.where(Country.code == change.country.code.strip().upper())
        else:
            statement = statement.where(Country.id == change.country.id)
        country = await session.scalar(statement)
        if country is None:
            raise ValidationFailed("Could not find that country", field=f"{change.field}.country")
    return _with_country(change, country)


def _with_country(change: AddressChange, country: str | None) -> Address:
    given = change.address
    return Address(
        first_name=given.first_name,
        last_name=given.last_name,
        company=given.company,
        phone_number=given.phone_number,
        address1=given.address1,
        address2=given.address2,
        zip_code=given.zip_code,
        city=given.city,
        state=given.state,
        country=country,
        vat_number=given.vat_number,
    )


async def edit_order(
    db: Database, key: OrderKey, changes: OrderChanges, *, wholesale: bool, store_scope: int | None
) -> OrderView:
    """Change a placed order of the kind the caller names (a wholesale or a direct-to-consumer one)."""
    async with db.atomic() as tx, tx.write() as session:
        order_id = await _order_id(session, key, store_scope)
        store_type, currency, decimals = (
            await session.execute(
                select(Store.type, Currency.code, Order.currency_decimals)
                .join(Order, Order.store_id == Store.id)
                .join(Currency, Currency.id == Order.currency_id)
                .where(Order.id == order_id)
            )
        ).one()
        if (store_type == StoreType.WHOLESALE) != wholesale:
            kind = "a wholesale" if wholesale else "a direct-to-consumer"
            raise ValidationFailed(f"The order is not {kind} order", field="order")
        additions = [
            editing.LineAdd(
                product_size_id=line.product_size_id,
                quantity=line.quantity,
                unit_price_minor=_minor(line.unit_price, currency, decimals) if line.unit_price else None,
                display_id=line.display_id,
                tax_group_id=line.tax_group_id,
            )
            for line in changes.add_lines
        ]
        billing = await _address(session, changes.billing)
        if changes.first_name is not None or changes.last_name is not None:
            names = Address(first_name=changes.first_name, last_name=changes.last_name)
            billing = names if billing is None else billing.merged(names)
        edit = editing.OrderEdit(
            billing=billing,
            shipping=await _address(session, changes.shipping),
            email=changes.email,
            customer_id=changes.customer_id,
            hold=changes.hold,
            hold_reason=changes.hold_reason,
            shipping_minor=_minor(changes.shipping_cost, currency, decimals) if changes.shipping_cost else None,
            cancel_lines=list(changes.cancel_lines),
            cancellation_comment=changes.cancellation_comment,
            add_lines=additions,
        )
        await editing.edit_order(tx, order_id, edit)
        return await _order(session, order_id)


# --- shipments ----------------------------------------------------------------------------------------------------


async def create_shipment(
    db: Database, key: OrderKey, lines: dict[int, int], *, good_to_go: bool, store_scope: int | None
) -> tuple[ShipmentView, OrderView]:
    """A shipment of ``{order_line_id: quantity}`` of the order."""
    async with db.atomic() as tx, tx.write() as session:
        order_id = await _order_id(session, key, store_scope)
        created = await shipments.create_shipment(tx, order_id, lines, good_to_go=good_to_go)
        return await _shipment(session, created.id)


@dataclass(frozen=True, slots=True)
class Shipping:
    """How a shipment went out; None leaves a detail as it is."""

    shipped_at: datetime | None = None
    carrier: str | None = None
    service: str | None = None
    tracking_number: str | None = None
    return_slip_tracking: str | None = None
    packages: int | None = None


async def complete_shipment(
    db: Database, shipment_id: int, shipping: Shipping, *, store_scope: int | None
) -> tuple[ShipmentView, OrderView]:
    async with db.atomic() as tx, tx.write() as session:
        await _shipment_order_id(session, shipment_id, store_scope)
        await shipments.complete_shipment(
            tx,
            shipment_id,
            carrier=shipping.carrier,
            service=shipping.service,
            tracking_number=shipping.tracking_number,
            return_slip_tracking=shipping.return_slip_tracking,
            packages=shipping.packages,
            shipped_at=shipping.shipped_at,
        )
        return await _shipment(session, shipment_id)


@dataclass(frozen=True, slots=True)
class Captured:
    shipment: ShipmentView
    order: OrderView
    # False when the shipment was already captured (capturing again changes nothing).
    captured_now: bool
    entry: PaymentEntryView | None


async def capture_shipment(db: Database, shipment_id: int, *, store_scope: int | None) -> Captured:
    async with db.atomic() as tx, tx.write() as session:
        await _shipment_order_id(session, shipment_id, store_scope)
        capture = await payments.capture_shipment(tx, shipment_id)
        shipment, order = await _shipment(session, shipment_id)
        entry = None if capture.transaction is None else payment_entry_view(capture.transaction)
        return Captured(shipment, order, capture.captured_now, entry)


async def update_shipment(
    db: Database, shipment_id: int, *, good_to_go: bool | None, paid: bool | None, store_scope: int | None
) -> tuple[ShipmentView, OrderView]:
    """Set Good-To-Go and capture (``paid``); a captured shipment cannot be marked unpaid."""
    async with db.atomic() as tx, tx.write() as session:
        await _shipment_order_id(session, shipment_id, store_scope)
        if paid is False and await session.scalar(select(Shipment.captured).where(Shipment.id == shipment_id)):
            raise NotFound("a captured shipment cannot be marked unpaid", field="isPaid")
        if good_to_go is not None:
            await shipments.set_good_to_go(tx, shipment_id, good_to_go)
        if paid:
            await payments.capture_shipment(tx, shipment_id)
        return await _shipment(session, shipment_id)


async def delete_shipment(db: Database, shipment_id: int, *, store_scope: int | None) -> None:
    async with db.atomic() as tx, tx.write() as session:
        await _shipment_order_id(session, shipment_id, store_scope)
        await shipments.delete_shipment(tx, shipment_id)


# --- returns ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReturnCosts:
    """What a return gives back or keeps, as the caller gave it in the order's currency (None: nothing)."""

    shipping: Decimal | None = None
    handling: Decimal | None = None
    voucher: Decimal | None = None
    # Take the amount from the shipment instead.
    shipping_from_shipment: bool = False
    handling_from_shipment: bool = False
    voucher_from_shipment: bool = False


def _cost_minor(value: Decimal | None, decimals: int, name: str) -> int:
    if value is None:
        return 0
    amount = value.scaleb(decimals)
    if amount != amount.to_integral_value() or amount < 0:
        raise ValidationFailed(f"{name} has more decimals than the currency or is negative", field=name)
    return int(amount)


async def create_return(
    db: Database,
    shipment_id: int,
    lines: Sequence[tuple[int, int]],
    *,
    return_stock: bool,
    comment: str | None,
    costs: ReturnCosts,
    store_scope: int | None,
) -> tuple[ReturnView, OrderView]:
    """Return ``(shipment line id, quantity)`` units of a shipment."""
    async with db.atomic() as tx, tx.write() as session:
        await _shipment_order_id(session, shipment_id, store_scope)
        found = await session.execute(
            select(ShipmentLine.id, ShipmentLine.order_line_id).where(ShipmentLine.shipment_id == shipment_id)
        )
        order_lines = {shipment_line: order_line for shipment_line, order_line in found}
        decimals = int(
            await session.scalar(
                select(Order.currency_decimals)
                .join(Shipment, Shipment.order_id == Order.id)
                .where(Shipment.id == shipment_id)
            )
            or 0
        )
        quantities: dict[int, int] = {}
        for index, (shipment_line, quantity) in enumerate(lines):
            order_line = order_lines.get(shipment_line)
            if order_line is None:
                raise NotFound(
                    f"Could not find ShipmentLine with ID {shipment_line} on this shipment",
                    field=f"lines.{index}.shipmentLine",
                )
            quantities[order_line] = quantities.get(order_line, 0) + quantity
        amounts = returns.ReturnAmounts(
            shipping_minor=_cost_minor(costs.shipping, decimals, "shippingCost"),
            handling_minor=_cost_minor(costs.handling, decimals, "handlingCost"),
            voucher_minor=_cost_minor(costs.voucher, decimals, "voucherValue"),
            shipping_from_shipment=costs.shipping_from_shipment,
            handling_from_shipment=costs.handling_from_shipment,
            voucher_from_shipment=costs.voucher_from_shipment,
        )
        created = await returns.create_return(
            tx, shipment_id, quantities, return_stock=return_stock, comment=comment, amounts=amounts
        )
        return await _return(session, created.id)


async def complete_return(db: Database, return_id: int, *, store_scope: int | None) -> tuple[ReturnView, OrderView]:
    async with db.atomic() as tx, tx.write() as session:
        await _check_return(session, return_id, store_scope)
        await returns.complete_return(tx, return_id)
        return await _return(session, return_id)


async def reopen_return(db: Database, return_id: int, *, store_scope: int | None) -> tuple[ReturnView, OrderView]:
    async with db.atomic() as tx, tx.write() as session:
        await _check_return(session, return_id, store_scope)
        await returns.reopen_return(tx, return_id)
        return await _return(session, return_id)


@dataclass(frozen=True, slots=True)
class DeletedReturn:
    """A return as it was before it was deleted, with its lines."""

    returned: ReturnView
    order: OrderView
    lines: tuple[ReturnLineView, ...]


async def delete_return(db: Database, return_id: int, *, store_scope: int | None) -> DeletedReturn:
    async with db.atomic() as tx, tx.write() as session:
        await _check_return(session, return_id, store_scope)
        deleted = await editing.delete_return(tx, return_id)
        return DeletedReturn(
            return_view(deleted),
            await _order(session, deleted.order_id),
            tuple(return_line_view(line) for line in deleted.lines),
        )
