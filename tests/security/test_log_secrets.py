"""No secret reaches a log: every record of a run of typical flows is searched for every secret.

The flows run against a real uvicorn server (in this process, with the
access-log filters ``opencentra serve`` installs), so uvicorn's access and
error logs are part of the scan, and through the command line in this
process, as an operator would issue keys. Logging is at DEBUG for the
``opencentra``, ``uvicorn`` and ``sqlalchemy`` loggers, SQL and its rows
included. The secrets: plugin keys and GraphQL tokens (issued by the CLI and
by a re-run of the demo seed), the SOAP and admin passwords, shoppers'
passwords, session tokens, and the codes in password-reset and
email-verification links, and the ``/metrics`` token. The flows include a
shopper's checkout (an order paid with the test provider).

The same records also go through the JSON format (``OPENCENTRA_LOG_FORMAT=json``,
``opencentra.logs``) as the server's root handler would write them: every line
is one JSON object with a ``correlation_id``, the access log's lines carry the
id their response echoed, and no secret is in that text either.
"""

from __future__ import annotations

import dataclasses
import importlib
import io
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx2 as httpx
import pytest
import uvicorn
from tests.security.surface import adapter_apps
from tests.security.world import World
from typer.testing import CliRunner

from opencentra.access_log import uvicorn_log_config
from opencentra.app import create_app
from opencentra.cli import app as cli
from opencentra.config import Settings
from opencentra.demo.seed import seed_demo
from opencentra.integration.models import PluginType
from opencentra.logs import CorrelationIdFilter, JsonFormatter
from opencentra.mail import Email, LogMailer, RecordingMailer

LOGGERS = ("opencentra", "uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy")
FRONTEND = "https://logscan.example"


class RecordAndLog:
    """Keeps each email (the test needs the codes in its links) and logs it as the server does without SMTP."""

    def __init__(self) -> None:
        self.recorder = RecordingMailer()
        self.logger = LogMailer()

    async def send(self, email: Email) -> None:
        await self.recorder.send(email)
        await self.logger.send(email)

    @property
    def sent(self) -> list[Email]:
        return self.recorder.sent


def _production_filters() -> Iterator[tuple[logging.Logger, logging.Filter]]:
    """The filters ``opencentra serve`` puts on loggers (``access_log.uvicorn_log_config``)."""
    config = uvicorn_log_config()
    for name, logger_config in config["loggers"].items():
        for filter_name in logger_config.get("filters", []):
            module, _, attribute = config["filters"][filter_name]["()"].rpartition(".")
            yield logging.getLogger(name), getattr(importlib.import_module(module), attribute)()


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` on a real uvicorn server on a free local port, its logs going to the root logger."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="debug", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    filters = list(_production_filters())
    for logger, log_filter in filters:
        logger.addFilter(log_filter)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    try:
        yield caplog
    finally:
        for logger, log_filter in filters:
            logger.removeFilter(log_filter)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the JSON format's root handler writes (``access_log.uvicorn_log_config("json")``)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(CorrelationIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    # Another test in this worker may have left a logging configuration behind (uvicorn's own turns
    # the access log's propagation off): every logger scanned must reach the root handler here.
    loggers = [logging.getLogger(name) for name in LOGGERS]
    saved = [(logger.propagate, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.propagate, logger.disabled = True, False
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        for logger, (propagate, disabled) in zip(loggers, saved, strict=True):
            logger.propagate, logger.disabled = propagate, disabled


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _secret_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("secret: ")).removeprefix("secret: ").strip()


def _link_codes(email: Email) -> list[str]:
    link = next(line for line in email.text.splitlines() if line.startswith(FRONTEND))
    query = dict(parse_qsl(urlsplit(link).query))
    return [link, query["i"]]


def test_no_secret_reaches_any_log(world: World, captured: pytest.LogCaptureFixture, json_log: io.StringIO) -> None:
    secrets: dict[str, str] = {}
    url = world.database_url

    # An operator issues keys with the command line.
    checkout_out = _cli(
        "plugin", "create", "--database", url, "--store", str(world.a.id), "--type", "checkout",
        "--uri", "logscan", "--settings", json.dumps({"frontend_url": FRONTEND}),
    )  # fmt: skip
    secrets["checkout key (CLI)"] = _secret_line(checkout_out)
    order_out = _cli(
        "plugin", "create", "--database", url, "--store", str(world.a.id), "--type", "order", "--uri", "logscan-order"
    )
    secrets["order key (CLI)"] = _secret_line(order_out)
    plugin_id = order_out.split()[1]
    secrets["order key (rotated)"] = _secret_line(_cli("plugin", "rotate-secret", plugin_id, "--database", url))
    secrets["GraphQL token (CLI)"] = _cli(
        "token", "create", "--database", url, "--name", "logscan", "-p", "Order:read", "-p", "Customer:read",
        "--store", str(world.a.id),
    ).strip()  # fmt: skip
    subscription_out = _cli(
        "plugin", "create", "--database", url, "--store", str(world.a.id), "--type", "subscription",
        "--uri", "logscan-sub",
    )  # fmt: skip
    secrets["subscription key (CLI)"] = _secret_line(subscription_out)
    # The demo seed re-issues every demo secret.
    demo = world.call(seed_demo)
    for plugin in demo.plugins:
        secrets[f"demo {plugin.type} key"] = plugin.secret
    secrets["demo GraphQL token"] = demo.graphql_token
    secrets["demo SOAP password"] = demo.soap_password
    secrets["demo admin password"] = demo.admin_password

    secrets["metrics token"] = "logscan-metrics-token-" + "7" * 20
    app = create_app(Settings(database_url=url, plugin_cache_seconds=0, metrics_token=secrets["metrics token"]))
    mailer = RecordAndLog()
    checkout_app = adapter_apps(app)[PluginType.CHECKOUT]
    checkout_app.state.checkout = dataclasses.replace(checkout_app.state.checkout, mailer=mailer)
    with serving(app) as base, httpx.Client(base_url=base) as http:
        server_mode = {"Authorization": f"Bearer {secrets['checkout key (CLI)']}"}
        # Integrations use their keys.
        assert (
            http.get(
                "/api/logscan-order/orders", headers={"API-Authorization": secrets["order key (rotated)"]}
            ).status_code
            == 200
        )
        assert (
            http.get("/api/logscan-order/orders", headers={"API-Authorization": secrets["order key (CLI)"]}).status_code
            == 401
        )
        assert http.get("/api/logscan/markets", headers=server_mode).status_code == 200
        assert (
            http.get("/api/logscan-sub/anything", params={"secret": secrets["subscription key (CLI)"]}).status_code
            == 404
        )
        graphql = http.post(
            "/graphql",
            json={"query": "{ orders { id } customers { email } }"},
            headers={"Authorization": f"Bearer {secrets['GraphQL token (CLI)']}"},
        )
        assert graphql.status_code == 200, graphql.text
        assert (
            http.post(
                "/graphql", json={"query": "{ orders { id } }"}, headers={"Authorization": "Bearer wrong"}
            ).status_code
            == 401
        )

        # A shopper registers, logs in, changes the password, forgets it and resets it.
        shopper = "logscan@example.com"
        passwords = ["first-Passw0rd!", "second-Passw0rd!", "third-Passw0rd!"]
        registered = http.post("/api/logscan/register", json={"email": shopper, "password": passwords[0]})
        assert registered.status_code == 200, registered.text
        token = registered.json()["token"]
        secrets["session token"] = token
        session = {"API-Token": token}
        assert http.post("/api/logscan/logout", headers=session).status_code == 200
        failed = http.post(f"/api/logscan/login/{shopper}", json={"password": "wrong-guess-123"}, headers=session)
        assert failed.status_code == 406, failed.text
        logged_in = http.post(f"/api/logscan/login/{shopper}", json={"password": passwords[0]}, headers=session)
        assert logged_in.status_code == 200, logged_in.text
        changed = http.put(
            "/api/logscan/password", json={"password": passwords[0], "newPassword": passwords[1]}, headers=session
        )
        assert changed.status_code == 200, changed.text
        # The shopper buys something (the test provider's card payment).
        products = http.post("/api/logscan/products", json={"limit": 20}, headers=session)
        assert products.status_code == 200, products.text
        item = next(i["item"] for p in products.json()["products"] for i in p["items"])
        added = http.post(f"/api/logscan/items/{item}", headers=session)
        assert added.status_code == 200, added.text
        method = added.json()["selection"]["paymentMethod"]
        address = {"email": shopper, "firstName": "Log", "lastName": "Scan", "country": "SE",
                   "address1": "Street 1", "zipCode": "11122", "city": "Stockholm"}  # fmt: skip
        paid = http.post(
            "/api/logscan/payment",
            json={"paymentMethod": method, "paymentReturnPage": "https://shop.example/return",
                  "paymentFailedPage": "https://shop.example/failed", "termsAndConditions": True,
                  "address": address},
            headers=session,
        )  # fmt: skip
        assert paid.status_code == 200, paid.text
        correlation = paid.headers["x-correlation-id"]
        scraped = http.get("/metrics", headers={"Authorization": f"Bearer {secrets['metrics token']}"})
        assert scraped.status_code == 200, scraped.text
        fresh = http.get("/api/logscan/selection").json()["token"]
        secrets["second session token"] = fresh
        asked = http.post(f"/api/logscan/password-reset-email/{shopper}", json={}, headers={"API-Token": fresh})
        assert asked.status_code == 200, asked.text
        resets = [m for m in mailer.sent if m.kind == "password-reset"]
        assert len(resets) == 1, [m.kind for m in mailer.sent]
        link, code = _link_codes(resets[0])
        secrets["reset link"], secrets["reset code"] = link, code
        reset_id = dict(parse_qsl(urlsplit(link).query))["id"]
        done = http.post(
            "/api/logscan/password-reset",
            json={"id": reset_id, "i": code, "newPassword": passwords[2]},
            headers={"API-Token": fresh},
        )
        assert done.status_code == 200, done.text
        for email in mailer.sent:
            if email.kind != "password-reset":
                link, code = _link_codes(email)
                secrets[f"{email.kind} link"], secrets[f"{email.kind} code"] = link, code
        for n, password in enumerate(passwords):
            secrets[f"shopper password {n}"] = password

    records = captured.records
    names = {record.name.split(".")[0] for record in records}
    assert {"uvicorn", "sqlalchemy", "opencentra"} <= names, f"the scan saw no records from some loggers: {names}"
    assert any(r.name == "uvicorn.access" for r in records), "uvicorn's access log was not captured"
    leaks = []
    for record in records:
        text = _everything(record)
        for what, secret in secrets.items():
            if secret and secret in text:
                leaks.append(f"{what} in {record.name} {record.levelname}: {text[:300]}")
    assert not leaks, "\n".join(leaks)

    # The same records as JSON lines: parseable, with the correlation id, and without a secret.
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert lines
    assert all("correlation_id" in line for line in lines)
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert access and all(line["correlation_id"] for line in access)
    assert any(line["correlation_id"] == correlation and line["path"] == "/api/logscan/payment" for line in access)
    text = json_log.getvalue()
    json_leaks = [what for what, secret in secrets.items() if secret and secret in text]
    assert not json_leaks, f"in the JSON log: {json_leaks}"


def _everything(record: logging.LogRecord) -> str:
    """The formatted message, its arguments, the exception and any extra attributes of a record."""
    parts = [record.getMessage(), repr(record.args)]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        parts.append(record.stack_info)
    standard = logging.LogRecord("", 0, "", 0, "", (), None).__dict__
    parts += [repr(value) for key, value in record.__dict__.items() if key not in standard]
    return "\n".join(parts)
