"""Ids and quantities are ASCII digits (or JSON integers): what Python's int() would also take is refused."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from tests.api.order.conftest import Wms

from opencentra.db.engine import Database
from opencentra.orders.models import Shipment

pytestmark = pytest.mark.usefixtures("wire_only")

# Each would be read as a valid number by int() (or by pydantic's lax int).
LENIENT = ["1_000", "+1", " 1", "1 ", "１", "٣", "01", "1.0", "\x1c1"]


@pytest.fixture
def wire_only(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("wire-format check; runs on SQLite only")


async def _shipments(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count(Shipment.id))) or 0)


def _no(answer: dict[str, Any], *words: str) -> None:
    assert answer["status"] == "no", answer
    text = str(answer["msg"]).lower()
    assert all(word.lower() in text for word in words), answer


def test_lenient_numbers_in_bodies_and_parameters_are_refused(wms: Wms) -> None:
    world = wms.world
    order = wms.place((world.small, 2))
    number = order.number
    [line] = [p["lineId"] for p in wms.get("/orders", order=number)["orders"][0]["products"]]
    stock = wms.levels(world.stockholm, world.small)
    for raw in LENIENT:
        padded = raw.replace("1", str(number)) if raw not in ("１", "٣") else raw
        _no(wms.get("/orders", order=padded), "whole number")
        _no(wms.send("POST", "/shipments", {"order": padded, "products": {line: 1}}), "whole number")
        _no(wms.send("POST", "/shipments", {"order": number, "products": {line: raw}}), "whole number")
        _no(wms.send("POST", "/shipments", {"order": number, "products": {f"+{line}": 1}}), "whole number")
        _no(wms.get("/shipments", order=padded), "whole number")
        _no(wms.get("/orders", limit=raw), "whole number")
        _no(wms.get(f"/supplier-orders/{quote(raw, safe='')}"), "whole number")
        _no(wms.get(f"/shipments/{quote(raw, safe='')}"), "shipment does not exist")
    # JSON values pydantic's int would turn into 1 and 2: a boolean and a float.
    for value in (True, float(number), f"{number}.0", f"{number}e0"):
        _no(wms.send("POST", "/shipments", {"order": value, "products": {line: 1}}), "order")
        _no(wms.send("POST", "/shipments", {"order": number, "products": {line: value}}), "products")
    assert wms.api.call(_shipments) == 0
    assert wms.levels(world.stockholm, world.small) == stock
    # The plain spellings still work.
    created = wms.send("POST", "/shipments", {"order": str(number), "products": {str(line): "1"}, "capture": False})
    assert created["status"] == "ok", created
    shipment = created["shipment"]
    assert wms.get(f"/shipments/{shipment}")["status"] == "ok"
    for spelled in (f" {shipment}", f"{shipment} ", f"+{shipment}", f"{shipment}-1"):
        _no(wms.get(f"/shipments/{quote(spelled, safe='')}"), "shipment does not exist")
