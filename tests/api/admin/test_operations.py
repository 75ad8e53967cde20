"""SYSTEM > Operations: the outbox's newest events, consumer lags and the SOAP call log (administrators only)."""

from __future__ import annotations

from tests.api.admin.conftest import Browser
from tests.conftest import ApiHarness

from opencentra import events
from opencentra.db.engine import Database
from opencentra.events.outbox import record
from opencentra.integration import record_soap_call
from opencentra.integration import services as integration
from opencentra.integration.admin_access import list_soap_users


async def _events(db: Database, store_id: int, count: int) -> None:
    """Events as a domain change leaves them (each use case's own events are tested beside it)."""
    async with db.write() as session:
        for number in range(count):
            await record(session, "product", number + 1, "updated", {"name": f"<i>Shop {number}</i>"}, store_id)


def test_operations_show_the_outbox_and_the_soap_log(
    api: ApiHarness, root: Browser, manager: Browser, admin_world: dict[str, int]
) -> None:
    api.call(events.ensure_consumer, "soap:erp")
    api.call(_events, admin_world["first"], 3)
    api.call(integration.create_soap_user, username="erp")
    (user,) = [u for u in api.call(list_soap_users) if u.username == "erp"]
    api.call(
        record_soap_call,
        soap_user_id=user.id,
        operation="products_update",
        status=200,
        request=b"<login><password>hunter2</password></login><x>&lt;script&gt;</x>",
        response=b"<ok/>",
    )

    page = root.get("/ams/system/operations")
    assert page.status_code == 200
    assert "soap:erp" in page.text
    lags = {lag.consumer: lag for lag in api.call(events.consumer_lags)}
    assert f"<td>soap:erp</td><td>{lags['soap:erp'].position}</td><td>{lags['soap:erp'].lag}</td>" in page.text
    newest = api.call(events.recent_events, limit=1)[0]
    assert f"<td>{newest.id}</td>" in page.text
    assert "<i>Shop" not in page.text  # payloads are escaped
    assert "No calls logged." not in page.text and "products_update" not in page.text  # no user chosen yet

    log = root.get("/ams/system/operations", params={"soap_user": "erp"})
    assert "products_update" in log.text
    assert "hunter2" not in log.text and "***" in log.text
    assert "<script>" not in log.text.replace('<script src="/ams/static/admin.js" defer></script>', "")
    assert root.get("/ams/system/operations", params={"soap_user": "nobody", "before": "-1"}).status_code == 200
    assert root.get("/ams/system/operations", params={"before": str(newest.id)}).status_code == 200
    assert manager.get("/ams/system/operations").status_code == 403
