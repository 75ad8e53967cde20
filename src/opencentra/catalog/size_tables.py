"""Growing a size chart one size at a time, as an ERP pushes its size tables (SOAP ``sizes_Update``).

A chart's existing sizes never change (orders and stock point at them); a new
name is appended after the last position. Adding a name the chart already has
is a no-op, so a repeated push writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from opencentra.catalog._checks import required_text
from opencentra.catalog.models import Size, SizeChart
from opencentra.db.engine import Database
from opencentra.errors import NotFound
from opencentra.events import outbox


@dataclass(frozen=True, slots=True)
class ChartSize:
    """A size of a chart, and whether this call added it."""

    id: int
    size_chart_id: int
    name: str
    added: bool


async def ensure_chart_size(db: Database, chart_id: int, name: str) -> ChartSize:
    """The chart's size called ``name``, appended if it has none yet."""
    name = required_text(name, field="size", max_length=64)
    async with db.write() as session:
        chart = await session.get(SizeChart, chart_id)
        if chart is None:
            raise NotFound(f"size chart {chart_id} not found", field="sizetable")
        found = await session.scalar(select(Size).where(Size.size_chart_id == chart_id, Size.name == name))
        if found is not None:
            return ChartSize(found.id, chart_id, found.name, added=False)
        last = await session.scalar(select(func.max(Size.position)).where(Size.size_chart_id == chart_id))
        size = Size(size_chart_id=chart_id, name=name, position=(last + 1) if last is not None else 0)
        session.add(size)
        await session.flush()
        await outbox.record(session, "size_chart", chart_id, "updated", {"size_added": {"id": size.id, "name": name}})
        return ChartSize(size.id, chart_id, name, added=True)
