"""What an adapter reads of a supplier and a supplier order, as read-only types.

The supplier use cases return the stored rows; an adapter that prints them
names their types through these protocols, so it depends on the fields it
reads and not on the tables behind them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class SupplierRecord(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def country(self) -> str | None: ...


class SupplierOrderRecord(Protocol):
    """A purchase order to a supplier: when it leaves and arrives, and the supplier's message."""

    @property
    def id(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def etd(self) -> datetime | None: ...
    @property
    def eta(self) -> datetime | None: ...
    @property
    def message(self) -> str: ...
