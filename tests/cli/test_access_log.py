"""The access log keeps the names of query parameters, never their values.

The old Subscription API takes its key as ``?secret=``; before this, ``opencentra
serve`` wrote it to the access log in plain text.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import AccessFormatter

from opencentra.access_log import RedactQueryValues, redact_query, uvicorn_log_config

CLI = [sys.executable, "-c", "from opencentra.cli import main; main()"]
SECRET = "s3cr3t-Abc_123"


@pytest.mark.parametrize(
    ("target", "logged"),
    [
        ("/api/subscription/?secret=" + SECRET, "/api/subscription/?secret=[redacted]"),
        ("/orders?xml=1&limit=5", "/orders?xml=[redacted]&limit=[redacted]"),
        ("/orders", "/orders"),
        ("/orders?", "/orders?"),
        (f"/x?{SECRET}", "/x?[redacted]"),  # a bare parameter could be the secret itself
        (f"/x?a=1;secret={SECRET}", "/x?a=[redacted]"),
        ("/x?" + "k" * 43 + "=1", "/x?[redacted]"),  # as long as a secret: not kept as a name
        ('/x?a"b=1&&c[d]=2&e%20f=3', "/x?[redacted]&c[d]=[redacted]&e%20f=[redacted]"),
    ],
)
def test_redact_query(target: str, logged: str) -> None:
    assert redact_query(target) == logged


def test_uvicorns_access_formatter_never_sees_the_secret() -> None:
    # The record exactly as uvicorn's protocols log it.
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/api/subscription/?secret={SECRET}&xml=1", "1.1", 401),
        None,
    )
    assert RedactQueryValues().filter(record)
    line = AccessFormatter(fmt=LOGGING_CONFIG["formatters"]["access"]["fmt"], use_colors=False).format(record)
    assert SECRET not in line
    assert '"GET /api/subscription/?secret=[redacted]&xml=[redacted] HTTP/1.1" 401' in line


def test_the_filter_sits_on_the_access_logger() -> None:
    config = uvicorn_log_config()
    assert config["loggers"]["uvicorn.access"]["filters"] == ["redact_query_values"]
    assert "filters" not in LOGGING_CONFIG["loggers"]["uvicorn.access"]  # uvicorn's own dict is left alone


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_the_served_access_log_has_no_query_values(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "access.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), "--database", f"sqlite:///{tmp_path / 'log.db'}"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            # Migrating and starting can take a while on a busy machine; a server that
            # exits fails at once, with its output.
            for _ in range(1200):
                if process.poll() is not None:
                    pytest.fail(f"the server exited: {log.read_text()}")
                try:
                    if _get(f"{base}/healthz") == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            else:
                pytest.fail("the server did not start")
            # No such plugin (404), but the line is logged all the same.
            assert _get(f"{base}/api/subscription/?secret={SECRET}") == 404
        finally:
            process.terminate()
            process.wait(timeout=10)
    text = log.read_text()
    assert "/api/subscription/?secret=[redacted]" in text
    assert SECRET not in text
