"""The Mailer implementations, SMTP settings, and purging expired sessions (task, lifespan, CLI)."""

from __future__ import annotations

import asyncio
import smtplib
import threading
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import func, select, update
from starlette.testclient import TestClient
from tests.helpers import make_store

from opencentra import worker
from opencentra.app import create_app
from opencentra.config import Settings, from_environment
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import ValidationFailed
from opencentra.mail import Email, LogMailer, RecordingMailer, SmtpConfig, SmtpMailer, mailer_for
from opencentra.maintenance import purge_all_expired_sessions
from opencentra.selection import services as selections
from opencentra.selection.models import ShopperSession


def test_smtp_url_settings() -> None:
    config = SmtpConfig.from_url("smtps://user%40x:p%2Fw@mail.example:2465?from=shop@example.com")
    assert (config.host, config.port, config.implicit_tls, config.sender) == (
        "mail.example",
        2465,
        True,
        "shop@example.com",
    )
    assert (config.username, config.password) == ("user@x", "p/w")
    assert "p/w" not in repr(config)
    plain = SmtpConfig.from_url("smtp://localhost?starttls=yes")
    assert (plain.port, plain.starttls, plain.sender, plain.username) == (25, True, "noreply@localhost", None)
    assert from_environment({"OPENCENTRA_SMTP_URL": "smtp://mail:25"}).smtp_url == "smtp://mail:25"
    with pytest.raises(ValidationFailed) as error:
        from_environment({"OPENCENTRA_SMTP_URL": "http://user:secret@mail"})
    assert "secret" not in str(error.value)
    assert isinstance(mailer_for(None), LogMailer)
    assert isinstance(mailer_for("smtp://mail"), SmtpMailer)
    assert from_environment({"OPENCENTRA_SESSION_PURGE_SECONDS": "60"}).session_purge_seconds == 60
    with pytest.raises(ValidationFailed):
        from_environment({"OPENCENTRA_SESSION_PURGE_SECONDS": "-1"})
    with pytest.raises(ValidationFailed):
        from_environment({"OPENCENTRA_SESSION_PURGE_SECONDS": "soon"})
    assert from_environment({"OPENCENTRA_PRICE_HISTORY_SECONDS": "0"}).price_history_seconds == 0
    with pytest.raises(ValidationFailed):
        from_environment({"OPENCENTRA_PRICE_HISTORY_SECONDS": "-5"})


async def test_recording_mailer_keeps_messages() -> None:
    mailer = RecordingMailer()
    await mailer.send(Email("a@example.com", "Hello", "Body"))
    assert mailer.sent == [Email("a@example.com", "Hello", "Body")]


async def test_smtp_mailer_delivers(monkeypatch: pytest.MonkeyPatch) -> None:
    delivered: list[tuple[str, Any]] = []

    class FakeSMTP:
        def __init__(self, host: str, port: int, timeout: float) -> None:
            delivered.append(("connect", (host, port)))

        def __enter__(self) -> FakeSMTP:
            return self

        def __exit__(self, *exc: object) -> None:
            delivered.append(("quit", None))

        def starttls(self, context: object) -> None:
            delivered.append(("starttls", None))

        def login(self, user: str, password: str) -> None:
            delivered.append(("login", user))

        def send_message(self, message: EmailMessage) -> None:
            delivered.append(("send", (message["From"], message["To"], message["Subject"], message.get_content())))

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    mailer = SmtpMailer(SmtpConfig.from_url("smtp://me:pw@mail.example:587?from=shop@example.com&starttls=1"))
    await mailer.send(Email("to@example.com", "Subject", "Text"))
    assert delivered == [
        ("connect", ("mail.example", 587)),
        ("starttls", None),
        ("login", "me"),
        ("send", ("shop@example.com", "to@example.com", "Subject", "Text\n")),
        ("quit", None),
    ]


async def test_smtp_failure_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    # Nothing listens on port 1: the shopper's request must still succeed.
    mailer = SmtpMailer(SmtpConfig.from_url("smtp://user:topsecret@127.0.0.1:1"))
    await mailer.send(Email("to@example.com", "Subject", "Text with a secret link"))
    assert any("could not send" in r.getMessage() for r in caplog.records)
    assert all("topsecret" not in r.getMessage() and "secret link" not in r.getMessage() for r in caplog.records)


async def _expired_session(db: Database, store_id: int) -> int:
    created = await selections.create_session(db, store_id)
    async with db.write() as session:
        await session.execute(
            update(ShopperSession)
            .where(ShopperSession.id == created.session.id)
            .values(expires_at=utcnow() - timedelta(days=1))
        )
    return created.session.id


async def _session_count(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(ShopperSession)) or 0)


async def test_purge_in_batches(db: Database) -> None:
    store = await make_store(db)
    for _ in range(5):
        await _expired_session(db, store)
    await selections.create_session(db, store)
    assert await purge_all_expired_sessions(db, batch=2) == 5
    assert await _session_count(db) == 1
    assert await purge_all_expired_sessions(db) == 0


async def test_background_purger(db: Database) -> None:
    store = await make_store(db)
    await _expired_session(db, store)
    off = Settings(session_purge_seconds=0, price_history_seconds=0, renewal_seconds=0, webhooks_deliver_seconds=0)
    assert worker.loop_names(off) == []
    loops = worker.start_loops(db, replace(off, session_purge_seconds=0.05), mailer=RecordingMailer())
    assert loops.names == ["session purge"]
    for _ in range(100):
        await asyncio.sleep(0.05)
        if await _session_count(db) == 0:
            break
    await loops.stop(grace_seconds=5)
    assert all(task.done() for task in loops.tasks.values())
    assert await _session_count(db) == 0


def test_the_app_lifespan_runs_the_purger(database_url: str) -> None:
    database = Database.from_url(database_url)
    app = create_app(Settings(database_url=database_url, session_purge_seconds=0.05), database=database)
    with TestClient(app) as client:
        assert client.portal is not None
        store = client.portal.call(make_store, database)
        client.portal.call(_expired_session, database, store)
        for _ in range(100):
            if client.portal.call(_session_count, database) == 0:
                break
            threading.Event().wait(0.05)
        assert client.portal.call(_session_count, database) == 0
        client.portal.call(database.dispose)
    from tests.conftest import _truncate_all

    _truncate_all(database_url)


def test_purge_sessions_command(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from opencentra.cli import main

    async def prepare() -> None:
        database = Database.from_url(database_url)
        try:
            store = await make_store(database)
            await _expired_session(database, store)
            await _expired_session(database, store)
            await selections.create_session(database, store)
        finally:
            await database.dispose()

    async def count() -> int:
        database = Database.from_url(database_url)
        try:
            return await _session_count(database)
        finally:
            await database.dispose()

    try:
        asyncio.run(prepare())
        main(["purge-sessions", "--database", database_url])
        assert "purged 2 expired sessions" in capsys.readouterr().err
        assert asyncio.run(count()) == 1
        main(["purge-sessions", "--database", database_url])
        assert "purged 0 expired sessions" in capsys.readouterr().err
    finally:
        from tests.conftest import _truncate_all

        _truncate_all(database_url)
