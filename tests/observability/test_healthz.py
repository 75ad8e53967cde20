"""``/healthz`` of a busy process needs no statement of its own: the process's last successful statement
shows the database reachable. Idle, it checks live; unreachable, it answers 503 (counted, never timed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from starlette.testclient import TestClient

from opencentra import app as app_module
from opencentra.app import create_app
from opencentra.config import Settings
from opencentra.db.engine import Database
from opencentra.db.migrate import upgrade


class _Statements(list[str]):
    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.append(statement)


@pytest.fixture
def served(tmp_path: Path) -> Any:
    url = f"sqlite:///{tmp_path / 'health.db'}"
    upgrade(url)
    database = Database.from_url(url)
    statements = _Statements()
    event.listen(database.engine.sync_engine, "before_cursor_execute", statements)
    with TestClient(create_app(Settings(database_url=url), database=database)) as client:
        yield client, statements
        assert client.portal is not None
        client.portal.call(database.dispose)


def test_a_busy_process_answers_from_its_last_statement(served: Any) -> None:
    client, statements = served
    assert client.get("/healthz").status_code == 200  # live: a SELECT 1
    statements.clear()
    for _ in range(5):
        answer = client.get("/healthz")
        assert answer.status_code == 200 and answer.json()["database"] == "sqlite"
    assert statements == []


def test_an_idle_process_checks_live(served: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client, statements = served
    monkeypatch.setattr(app_module, "HEALTH_FRESH_SECONDS", 0.0)
    statements.clear()
    assert client.get("/healthz").status_code == 200
    assert [s for s in statements if s != "BEGIN"] == ["SELECT 1"]  # SQLite's hook sends its own BEGIN


def test_an_unreachable_database_is_503(tmp_path: Path) -> None:
    # A directory where the database file should be: every connection fails.
    url = f"sqlite:///{tmp_path}"
    with TestClient(create_app(Settings(database_url=url))) as client:
        answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "database": "unreachable"}
