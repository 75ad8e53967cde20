"""``OPENCENTRA_LOG_FORMAT=json``: the logging configuration ``opencentra serve`` hands uvicorn."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import pytest

from opencentra.access_log import uvicorn_log_config
from opencentra.correlation import correlation_id


@pytest.fixture
def configured() -> Iterator[io.StringIO]:
    """The JSON configuration, its handlers writing to one buffer; logging restored afterwards."""
    stream = io.StringIO()
    config = uvicorn_log_config("json")
    for handler in config["handlers"].values():
        handler.pop("stream", None)
        handler["class"] = "logging.StreamHandler"
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    names = ("uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy")
    loggers = {name: logging.getLogger(name) for name in names}
    saved = {name: (lg.handlers[:], lg.level, lg.propagate, lg.filters[:]) for name, lg in loggers.items()}
    logging.config.dictConfig(config)
    for handler in [*root.handlers, *logging.getLogger("uvicorn.access").handlers]:
        handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        yield stream
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, (handlers, level, propagate, filters) in saved.items():
            loggers[name].handlers[:] = handlers
            loggers[name].setLevel(level)
            loggers[name].propagate = propagate
            loggers[name].filters[:] = filters


def test_every_line_is_json_with_the_correlation_id(configured: io.StringIO) -> None:
    token = correlation_id.set("req-123")
    try:
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "10.0.0.1:5000", "GET", "/api/sub/x?secret=abc", "1.1", 200
        )
        logging.getLogger("opencentra.mail").info("would send a mail to %s", "someone@example.com")
        logging.getLogger("sqlalchemy.engine").info("SELECT 1")  # below SQLAlchemy's level: not written
    finally:
        correlation_id.reset(token)
    logging.getLogger("uvicorn.error").info("outside a request")
    lines = [json.loads(line) for line in configured.getvalue().splitlines()]
    access, mail, outside = lines
    assert access["correlation_id"] == mail["correlation_id"] == "req-123"
    assert outside["correlation_id"] is None
    # The access log's query values stay redacted in JSON too.
    assert (access["method"], access["path"], access["status"]) == ("GET", "/api/sub/x?secret=[redacted]", 200)
    assert "abc" not in configured.getvalue()
    assert {"time", "level", "logger", "message"} <= set(mail)
