"""Size charts (the sizes a product comes in) and measurement charts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select

from opencentra.catalog._checks import required_text
from opencentra.catalog.models import MeasurementChart, Size, SizeChart
from opencentra.db.engine import Database
from opencentra.errors import Conflict, ValidationFailed
from opencentra.events import outbox


async def create_size_chart(db: Database, name: str, sizes: Sequence[str], *, divider_symbol: str = "x") -> SizeChart:
    """Create a size chart with its sizes in the given order (``sizes`` loaded)."""
    name = required_text(name, field="name")
    divider_symbol = required_text(divider_symbol, field="divider_symbol", max_length=8)
    size_names = [required_text(size, field="sizes", max_length=64) for size in sizes]
    if not size_names:
        raise ValidationFailed("a size chart needs at least one size", field="sizes")
    if len(set(size_names)) != len(size_names):
        raise ValidationFailed("size names must be unique within a chart", field="sizes")
    async with db.write() as session:
        if await session.scalar(select(SizeChart.id).where(SizeChart.name == name)) is not None:
            raise Conflict(f"a size chart named {name!r} already exists", field="name")
        chart = SizeChart(
            name=name,
            divider_symbol=divider_symbol,
            sizes=[Size(name=size, position=position) for position, size in enumerate(size_names)],
        )
        session.add(chart)
        await session.flush()
        await outbox.record(
            session,
            "size_chart",
            chart.id,
            "created",
            {"name": chart.name, "sizes": [{"id": s.id, "name": s.name} for s in chart.sizes]},
        )
        return chart


async def create_measurement_chart(
    db: Database,
    name: str,
    *,
    unit: str,
    row_names: Sequence[str],
    column_names: Sequence[str],
    cells: Mapping[str, Mapping[str, str]],
) -> MeasurementChart:
    """Create a measurement chart; every cell must name a known row and column."""
    name = required_text(name, field="name")
    unit = required_text(unit, field="unit", max_length=16)
    rows = [required_text(row, field="row_names", max_length=255) for row in row_names]
    columns = [required_text(col, field="column_names", max_length=255) for col in column_names]
    if len(set(rows)) != len(rows):
        raise ValidationFailed("row names must be unique", field="row_names")
    if len(set(columns)) != len(columns):
        raise ValidationFailed("column names must be unique", field="column_names")
    table: dict[str, dict[str, str]] = {}
    for row, values in cells.items():
        if row not in rows:
            raise ValidationFailed(f"cells name an unknown row {row!r}", field="cells")
        for col, value in values.items():
            if col not in columns:
                raise ValidationFailed(f"cells name an unknown column {col!r}", field="cells")
            table.setdefault(row, {})[col] = str(value)
    async with db.write() as session:
        chart = MeasurementChart(name=name, unit=unit, row_names=rows, column_names=columns, cells=table)
        session.add(chart)
        await session.flush()
        await outbox.record(session, "measurement_chart", chart.id, "created", {"name": chart.name})
        return chart
