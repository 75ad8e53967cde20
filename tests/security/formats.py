"""What each API's answers must look like, even when the request was hostile.

Every API has its own error shape (docs/architecture.md, "Adapters"); an
answer in another shape, an HTML error page or a Python traceback means an
error escaped the adapter's error format.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from opencentra.integration.models import PluginType

GRAPHQL = "graphql"
_TRACEBACK = re.compile(rb"Traceback \(most recent call last\)|File \"/[^\"]+\.py\", line \d+|sqlalchemy\.exc\.")


def assert_no_traceback(response: Any) -> None:
    assert not _TRACEBACK.search(response.content), f"a traceback or internal error in the body: {response.text[:500]}"


def body_of(response: Any) -> Any:
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("application/json"), f"{response.status_code} {content_type}: {response.text[:300]}"
    return orjson.loads(response.content)


def assert_api_format(api: PluginType | str, response: Any) -> None:
    """An answer (error or not) that the API's own clients can read; never a 5xx or a traceback."""
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    assert_no_traceback(response)
    content_type = response.headers.get("content-type", "")
    if api == PluginType.ORDER and content_type.startswith(("application/xml", "application/pdf")):
        return  # xml=1 asked for XML; a document can be a PDF
    if api == GRAPHQL:
        _graphql(response)
        return
    body = body_of(response)
    assert isinstance(body, dict), body
    if api == PluginType.ORDER:
        _order_api(response.status_code, body)
        return
    if response.status_code < 400:
        return
    if api in {PluginType.CHECKOUT, PluginType.SHOP}:
        assert isinstance(body.get("errors"), dict) and body["errors"], body
    elif api == PluginType.SUBSCRIPTION:
        assert body.get("error") is True and isinstance(body.get("status"), str), body
    else:  # pragma: no cover - a new API needs its shape here
        raise AssertionError(f"no error format known for {api}")


def _order_api(status_code: int, body: dict[str, Any]) -> None:
    """``{"status": "ok"|"no", "msg": ...}``; the allocation-request endpoints use
    ``errorMessages`` (and PUT ``success``) instead (spec §1.6)."""
    if "success" in body:
        assert isinstance(body.get("errorMessages"), list | dict), body
        assert status_code < 400 or body["success"] is False, body
        return
    status = body.get("status")
    if status != "no" and status_code < 400:
        return
    assert status in {"no", "Not Allowed"}, body
    assert status == "Not Allowed" or "msg" in body or "errorMessages" in body, body


def _graphql(response: Any) -> None:
    body = body_of(response)
    assert isinstance(body, dict), body
    if response.status_code == 200 and "errors" not in body:
        assert "data" in body, body
        return
    errors = body.get("errors")
    assert isinstance(errors, list) and errors, body
    for error in errors:
        assert isinstance(error.get("message"), str), error
        assert error["message"] != "", error


def refusal(api: PluginType, response: Any, status: int) -> dict[str, Any]:
    """A refusal with ``status`` in the API's own shape; its body."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text[:300]}"
    assert_api_format(api, response)
    body: dict[str, Any] = body_of(response)
    return body
