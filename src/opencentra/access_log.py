"""The access log, without the values of query strings.

uvicorn logs every request's path with its query string, and query strings
carry secrets: the old Subscription API takes its key as ``?secret=``, and
other parameters carry shoppers' searches and e-mail addresses. A log is
read by more people, kept longer and copied further than the database, so
``RedactQueryValues`` keeps each parameter's name and replaces its value
with ``[redacted]``: ``/api/subscription/?secret=[redacted]&xml=[redacted]``.
A parameter without ``=``, or whose name does not look like one (other
characters, or longer than 32: our secrets have 43), is redacted whole,
since it could be the secret itself.

``uvicorn_log_config()`` is uvicorn's own logging configuration with that
filter on the ``uvicorn.access`` logger; ``opencentra serve`` passes it to
every worker.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

REDACTED = "[redacted]"
_PARAMETER_NAME = re.compile(r"[A-Za-z0-9_.\-\[\]%]{1,32}")
# The position of the path in uvicorn's access-log arguments:
# (client address, method, path with query string, HTTP version, status).
_PATH_ARG = 2


def redact_query(target: str) -> str:
    """``path?a=1&b`` as ``path?a=[redacted]&[redacted]``; a target without a query as it is."""
    path, separator, query = target.partition("?")
    if not separator:
        return target
    parameters = []
    for parameter in query.split("&"):
        name, equals, _value = parameter.partition("=")
        if equals and _PARAMETER_NAME.fullmatch(name):
            parameters.append(f"{name}={REDACTED}")
        elif parameter:
            parameters.append(REDACTED)
    return f"{path}?{'&'.join(parameters)}"


class RedactQueryValues(logging.Filter):
    """On the ``uvicorn.access`` logger: the logged path keeps its query's names, not its values."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > _PATH_ARG:
            target = args[_PATH_ARG]
            if isinstance(target, str) and "?" in target:
                record.args = (*args[:_PATH_ARG], redact_query(target), *args[_PATH_ARG + 1 :])
        return True


def uvicorn_log_config(log_format: str = "text") -> dict[str, Any]:
    """uvicorn's default logging, with query values redacted from the access log.

    ``json``: every line one JSON object with the correlation id
    (``opencentra.logs``), for uvicorn's loggers and, through the root
    logger, OpenCentra's own; SQLAlchemy stays at warnings (at INFO it would
    log every statement).
    """
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_query_values"] = {"()": f"{__name__}.RedactQueryValues"}
    config["loggers"]["uvicorn.access"]["filters"] = ["redact_query_values"]
    if log_format == "json":
        config["filters"]["correlation_id"] = {"()": "opencentra.logs.CorrelationIdFilter"}
        config["formatters"] = {"json": {"()": "opencentra.logs.JsonFormatter"}}
        config["handlers"] = {
            name: {**handler, "formatter": "json", "filters": ["correlation_id"]}
            for name, handler in config["handlers"].items()
        }
        config["root"] = {"handlers": ["default"], "level": "INFO"}
        config["loggers"]["sqlalchemy"] = {"level": "WARNING"}
    return config
