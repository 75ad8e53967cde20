"""``serve`` bounds its graceful shutdown: SIGTERM drains requests in flight, but not forever."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn

from opencentra import cli


def test_serve_drains_requests_for_a_bounded_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda _app, **options: calls.append(options))
    monkeypatch.setattr(cli, "_migrate", lambda _url: None)
    # serve writes the database URL to the environment for its workers; restored afterwards.
    monkeypatch.setenv("OPENCENTRA_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    cli.main(["serve"])
    # Under the 30 s an orchestrator waits between SIGTERM and SIGKILL (test_crash.py shows the drain).
    assert 0 < calls[-1]["timeout_graceful_shutdown"] < 30


def test_serve_gives_workers_time_to_start_before_its_supervisor_kills_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda _app, **options: calls.append(options))
    monkeypatch.setattr(cli, "_migrate", lambda _url: None)
    monkeypatch.setenv("OPENCENTRA_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    cli.main(["serve"])
    # uvicorn's default, 5 s, is less than a worker's imports take on busy cores: workers were killed
    # as hung before serving, again and again (test_workers.py runs two under load).
    assert calls[-1]["timeout_worker_healthcheck"] >= 60
