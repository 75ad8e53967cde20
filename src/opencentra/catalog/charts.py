"""Removing size charts and measurement charts, which products may still use.

A chart in use is refused rather than cascaded: removing it would strip the
sizes (and their stock) or the measurements off live products.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from opencentra.catalog.models import MeasurementChart, Product, ProductSize, Size, SizeChart
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound
from opencentra.events import outbox


async def delete_size_chart(db: Database, chart_id: int) -> None:
    """Delete a size chart and its sizes; refused while a product uses it or one of its sizes."""
    async with db.write() as session:
        chart = await session.get(SizeChart, chart_id)
        if chart is None:
            raise NotFound(f"Could not find SizeChart with ID {chart_id}", field="id")
        products = await session.scalar(select(func.count()).where(Product.size_chart_id == chart_id))
        if products:
            raise Conflict(f"Size chart {chart_id} is used by {products} product(s) and cannot be removed", field="id")
        sizes_in_use = await session.scalar(
            select(func.count())
            .select_from(ProductSize)
            .join(Size, Size.id == ProductSize.size_id)
            .where(Size.size_chart_id == chart_id)
        )
        if sizes_in_use:
            raise Conflict(f"Sizes of size chart {chart_id} are active on variants; it cannot be removed", field="id")
        name = chart.name
        await session.execute(delete(Size).where(Size.size_chart_id == chart_id))
        await session.execute(delete(SizeChart).where(SizeChart.id == chart_id))
        await outbox.record(session, "size_chart", chart_id, "deleted", {"name": name})


async def delete_measurement_chart(db: Database, chart_id: int) -> None:
    """Delete a measurement chart; refused while a product shows it."""
    async with db.write() as session:
        chart = await session.get(MeasurementChart, chart_id)
        if chart is None:
            raise NotFound(f"Could not find MeasurementChart with ID {chart_id}", field="id")
        products = await session.scalar(select(func.count()).where(Product.measurement_chart_id == chart_id))
        if products:
            raise Conflict(
                f"Measurement chart {chart_id} is used by {products} product(s) and cannot be removed", field="id"
            )
        name = chart.name
        await session.execute(delete(MeasurementChart).where(MeasurementChart.id == chart_id))
        await outbox.record(session, "measurement_chart", chart_id, "deleted", {"name": name})
