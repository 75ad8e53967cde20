"""Structured logs (``OPENCENTRA_LOG_FORMAT=json``): one JSON object a line.

Each line carries ``time`` (UTC), ``level``, ``logger``, ``message`` and the
request's ``correlation_id`` (``X-Correlation-ID``, null outside a request).
Access-log lines add ``client``, ``method``, ``path`` (query values already
redacted by ``access_log.RedactQueryValues``), ``http_version`` and
``status``. The formatter writes only what the record's message and
arguments hold, as the text format does, so it shows nothing the text
format would not (tests/security/test_log_secrets.py scans both).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from opencentra.correlation import correlation_id

_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class CorrelationIdFilter(logging.Filter):
    """On a handler: notes the current request's correlation id on each record as it is logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "correlation_id"):
            record.correlation_id = correlation_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", None) or correlation_id.get(),
        }
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == len(_ACCESS_FIELDS):
            line.update(zip(_ACCESS_FIELDS, args, strict=True))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)
