"""What an adapter reads of a placed order's line, as a read-only type.

The order read views (``orders.queries.OrderDetails``) hold the stored lines;
an adapter that prints a line names its type through ``OrderLineRecord``, so
it depends on the fields it reads and not on the table behind them. A stored
line satisfies the protocol as it is; so would a frozen view of one.
"""

from __future__ import annotations

from typing import Protocol


class OrderLineRecord(Protocol):
    """One line of an order: the product bought, how many, at what price and VAT rate."""

    @property
    def id(self) -> int: ...
    @property
    def product_size_id(self) -> int | None: ...
    @property
    def product_name(self) -> str: ...
    @property
    def variant_name(self) -> str | None: ...
    @property
    def size_name(self) -> str | None: ...
    @property
    def sku(self) -> str | None: ...
    @property
    def ean(self) -> str | None: ...
    @property
    def quantity(self) -> int: ...
    @property
    def unit_price_minor(self) -> int: ...
    @property
    def original_unit_price_minor(self) -> int: ...
    @property
    def tax_bp(self) -> int: ...
    @property
    def comment(self) -> str | None: ...
