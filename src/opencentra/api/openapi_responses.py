"""The answers an adapter's OpenAPI document declares beyond each route's success.

Each adapter's error format (``install_error_format``) answers an unknown path,
a wrong method, a refused secret, a too-large body or a domain error with its
own status codes and body; routes only declare their success. An adapter passes
``error_responses(...)`` once as its app's ``responses=`` default, so every
operation documents those answers too and a client (or schemathesis) reading
the document learns every status and body it can get.
"""

from __future__ import annotations

import http
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI

OpenApiResponses = dict[int | str, dict[str, Any]]

# The status codes every REST adapter can answer whatever the route: a missing or
# wrong secret, an unknown path, a wrong method, a body over the app-wide limit.
EDGE_STATUSES = (401, 404, 405, 413)
# The statuses ``api.errors.http_status`` gives domain errors.
DOMAIN_STATUSES = (400, 401, 403, 404, 406, 409, 410)

# The Checkout and Shop APIs' error body: ``{"errors": {field: message}}`` (the
# Checkout API adds the session ``token``, a refused payment or a stock shortage more).
ERRORS_OBJECT: dict[str, Any] = {
    "type": "object",
    "required": ["errors"],
    "properties": {"token": {"type": "string"}, "errors": {"type": "object"}},
}


def error_responses(schema: dict[str, Any], statuses: Iterable[int]) -> OpenApiResponses:
    """``responses=`` for an app: each of ``statuses`` answered with a JSON body of ``schema``."""
    return {
        status: {"description": http.HTTPStatus(status).phrase, "content": {"application/json": {"schema": schema}}}
        for status in sorted(set(statuses))
    }


def declare_xml_alternatives(app: FastAPI) -> None:
    """Every JSON answer of ``app`` may come as ``application/xml`` instead (the Order API's ``xml=1``).

    Added to the generated document rather than to each route: the choice is the
    caller's on every route, success and failure alike.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            for path_item in document.get("paths", {}).values():
                for operation in path_item.values():
                    responses = operation.get("responses", {}) if isinstance(operation, dict) else {}
                    for response in responses.values():
                        content = response.get("content", {})
                        if "application/json" in content:
                            content.setdefault("application/xml", {"schema": {"type": "string"}})
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


# The Checkout and Shop APIs' answers besides each route's success: the domain errors'
# statuses (406 a refused payment, 410 items out of stock), the edge's, and 429 for a
# throttled login or password reset.
ERRORS_OBJECT_RESPONSES = error_responses(ERRORS_OBJECT, (*EDGE_STATUSES, *DOMAIN_STATUSES, 429))
