"""What every API reports about an order's money: its totals, and its VAT per line and per rate.

The Order API, GraphQL and the Checkout API's receipt print an order's tax
from here, so they print the same figures. The arithmetic is the one VAT
rule, ``opencentra.stores.tax.document_vat``: VAT rounded half up once per
rate on what the order charges at that rate (its items plus the rate's share
of shipping, handling and discounts), and the items' VAT at each rate shared
over its lines by largest remainder so that the lines add up exactly.
Shipments and returns are documents of their own, taxed by the same rule.

Everything here is pure (no I/O) and works on rows the caller has loaded, so
a page of orders costs no query more than its lines. Amounts are integer
minor units of the order's currency, as the database keeps them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Protocol

from opencentra.money import from_minor, to_minor
from opencentra.orders.state import OrderStatus
from opencentra.stores.tax import document_vat, per_unit

# What the arithmetic reads: the ORM rows and the read views (``orders.lookups``) both have it.


class _OrderLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def status(self) -> OrderStatus: ...
    @property
    def currency_id(self) -> int: ...
    @property
    def currency_decimals(self) -> int: ...
    @property
    def items_total_minor(self) -> int: ...
    @property
    def discount_minor(self) -> int: ...
    @property
    def shipping_minor(self) -> int: ...
    @property
    def handling_minor(self) -> int: ...
    @property
    def grand_total_minor(self) -> int: ...


class _LineLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def quantity(self) -> int: ...
    @property
    def quantity_cancelled(self) -> int: ...
    @property
    def unit_price_minor(self) -> int: ...
    @property
    def tax_bp(self) -> int: ...


class _ShipmentLike(Protocol):
    @property
    def amount_minor(self) -> int: ...


class _ShipmentLineLike(Protocol):
    @property
    def order_line_id(self) -> int: ...
    @property
    def quantity(self) -> int: ...


class _ReturnLike(Protocol):
    @property
    def refund_minor(self) -> int: ...


class _ReturnLineLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def order_line_id(self) -> int: ...
    @property
    def quantity(self) -> int: ...
    @property
    def unit_price_minor(self) -> int: ...


@dataclass(frozen=True, slots=True)
class LineTax:
    """One line of a document: what it costs and the VAT it carries."""

    line_id: int
    tax_bp: int
    # The units these figures are for (an order line's units still charged).
    quantity: int
    unit_price_minor: int
    # unit price × quantity, VAT included.
    total_minor: int
    # The line's share of its rate's item VAT.
    tax_minor: int
    # ``tax_minor`` per unit, rounded half up (shown per unit; need not add up).
    unit_tax_minor: int

    @property
    def total_without_tax_minor(self) -> int:
        return self.total_minor - self.tax_minor

    @property
    def unit_price_without_tax_minor(self) -> int:
        return self.unit_price_minor - self.unit_tax_minor


@dataclass(frozen=True, slots=True)
class RateTax:
    """VAT at one rate: on the items at that rate plus their share of the order-level amounts."""

    tax_bp: int
    total_minor: int
    tax_minor: int

    @property
    def total_without_tax_minor(self) -> int:
        return self.total_minor - self.tax_minor


@dataclass(frozen=True, slots=True)
class DocumentTax:
    """The VAT of an order, a shipment or a return."""

    decimals: int
    # What the document charges, VAT included.
    total_minor: int
    # By line id (return line id for a return, order line id otherwise), in the document's order.
    lines: Mapping[int, LineTax]
    # Ordered by rate, rate 0 included; they add up to ``tax_minor``.
    rates: tuple[RateTax, ...]
    # The VAT of the items alone (the lines add up to it).
    items_tax_minor: int
    tax_minor: int
    # The rate with the largest share of the total (ties: the higher rate).
    main_tax_bp: int

    def group(self, line_id: int, tax_bp: int, members: Iterable[int], quantity: int, unit_price_minor: int) -> LineTax:
        """A line shown for several (a bundle at its price, for its components): their VAT summed."""
        tax = sum(self.lines[member].tax_minor for member in members if member in self.lines)
        unit_tax = to_minor(per_unit(from_minor(tax, self.decimals), quantity, self.decimals), self.decimals)
        return LineTax(line_id, tax_bp, quantity, unit_price_minor, unit_price_minor * quantity, tax, unit_tax)


@dataclass(frozen=True, slots=True)
class OrderAmounts:
    """An order's totals and VAT, as every API reports them."""

    order_id: int
    currency_id: int
    decimals: int
    items_total_minor: int
    discount_minor: int
    shipping_minor: int
    handling_minor: int
    grand_total_minor: int
    tax: DocumentTax


def charged_units(order: _OrderLike, line: _LineLike) -> int:
    """The units of a line the order charges for.

    Editing an order takes cancelled units off its totals, so they carry no
    VAT. A cancelled order keeps the totals it was placed with, so all its
    units count.
    """
    if order.status == OrderStatus.CANCELLED:
        return line.quantity
    return line.quantity - line.quantity_cancelled


def _document(decimals: int, total_minor: int, lines: Iterable[tuple[int, int, int, int]]) -> DocumentTax:
    """VAT of (line id, unit price, units, rate) lines in a document that charges ``total_minor``."""
    given = list(lines)
    vat = document_vat(
        {line_id: (from_minor(unit * quantity, decimals), rate) for line_id, unit, quantity, rate in given},
        from_minor(total_minor, decimals),
        decimals,
    )

    def minor(amount: Decimal) -> int:
        return to_minor(amount, decimals)

    found: dict[int, LineTax] = {}
    for line_id, unit, quantity, rate in given:
        share = vat.lines[line_id]
        found[line_id] = LineTax(
            line_id, rate, quantity, unit, unit * quantity, minor(share), minor(per_unit(share, quantity, decimals))
        )
    return DocumentTax(
        decimals=decimals,
        total_minor=total_minor,
        lines=MappingProxyType(found),
        rates=tuple(RateTax(part.rate_bp, minor(part.gross), minor(part.vat)) for part in vat.total.parts),
        items_tax_minor=minor(vat.items.vat),
        tax_minor=minor(vat.vat),
        main_tax_bp=vat.total.main_rate_bp,
    )


def order_amounts(order: _OrderLike, lines: Iterable[_LineLike]) -> OrderAmounts:
    """An order's amounts, from the order and all its lines."""
    decimals = order.currency_decimals
    tax = _document(
        decimals,
        order.grand_total_minor,
        ((line.id, line.unit_price_minor, charged_units(order, line), line.tax_bp) for line in lines),
    )
    return OrderAmounts(
        order_id=order.id,
        currency_id=order.currency_id,
        decimals=decimals,
        items_total_minor=order.items_total_minor,
        discount_minor=order.discount_minor,
        shipping_minor=order.shipping_minor,
        handling_minor=order.handling_minor,
        grand_total_minor=order.grand_total_minor,
        tax=tax,
    )


def shipment_tax(
    order: _OrderLike,
    order_lines: Mapping[int, _LineLike],
    shipment: _ShipmentLike,
    lines: Iterable[_ShipmentLineLike],
) -> DocumentTax:
    """A shipment's VAT: its units at their lines' prices, and what it captures beyond them
    (the order-level amounts the first shipment carries). Lines are keyed by order line id."""
    entries = []
    for line in lines:
        order_line = order_lines[line.order_line_id]
        entries.append((order_line.id, order_line.unit_price_minor, line.quantity, order_line.tax_bp))
    return _document(order.currency_decimals, shipment.amount_minor, entries)


def return_tax(
    order: _OrderLike, order_lines: Mapping[int, _LineLike], returned: _ReturnLike, lines: Iterable[_ReturnLineLike]
) -> DocumentTax:
    """A return's VAT: the VAT in its refund (returned units, shipping and handling given back,
    less the voucher value and the return cost). Lines are keyed by return line id."""
    return _document(
        order.currency_decimals,
        returned.refund_minor,
        ((line.id, line.unit_price_minor, line.quantity, order_lines[line.order_line_id].tax_bp) for line in lines),
    )
