"""Stock per size per warehouse.

``physical`` is what is on the shelf; ``allocated`` is the part of it promised
to orders that have not shipped. Available (free to allocate) is the
difference and is never stored, so it cannot drift. The CHECKs make
overselling impossible at the database level as well as in the services.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.db.base import Base, TimestampMixin


class Stock(TimestampMixin, Base):
    __tablename__ = "stock"
    __table_args__ = (
        UniqueConstraint("warehouse_id", "product_size_id"),
        CheckConstraint("physical >= 0", name="physical_non_negative"),
        CheckConstraint("allocated >= 0", name="allocated_non_negative"),
        CheckConstraint("allocated <= physical", name="allocated_within_physical"),
        # Availability is asked per size across a market's warehouses.
        Index("ix_stock_product_size_id", "product_size_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # RESTRICT: a warehouse is emptied before it is deleted.
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="RESTRICT"))
    product_size_id: Mapped[int] = mapped_column(ForeignKey("product_sizes.id", ondelete="CASCADE"))
    physical: Mapped[int] = mapped_column(default=0)
    allocated: Mapped[int] = mapped_column(default=0)

    @property
    def available(self) -> int:
        return self.physical - self.allocated
