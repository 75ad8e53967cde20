"""Shop API v1 behaviour: the list of operations, their help, ``<base>/v1/...`` and batch requests.

- ``GET <base>/v1`` (and ``GET <base>``) lists every operation, each with a
  ``helpUri``; ``GET <base>/v1/help/<uri>`` describes the operations on that
  uri (method, summary, description and parameters, from the OpenAPI document).
- ``<base>/v1/<uri>`` is ``<base>/<uri>``: every route here already speaks v1
  (strict bodies, ``errors`` objects), as on Centra's "Symfony sites".
- ``POST <base>`` with ``{name: {method, uri, request}}`` runs the named
  operations in order through this same app, stops at the first answer of
  400 or more, and answers ``{name: {httpCode, httpHeader, response}}``. A
  ``{"previousResponse": "first:selection", "default": ...}`` anywhere in a
  ``uri`` array or in a ``request`` is replaced by that field of an earlier
  answer (Centra's v0-to-v1 notes).

Each operation is an ordinary request to the app (same plugin, same guard's
verdict, same error shapes, its own transaction), so a batch adds no way to
do what a single request cannot.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from opencentra.errors import NotFound, ValidationFailed

router = APIRouter(tags=["v1"])

MAX_OPERATIONS = 50
# How deep a request may nest: far more than any operation takes, well inside Python's recursion limit.
MAX_DEPTH = 64
METHODS = ("GET", "POST", "PUT", "DELETE")
# Marks a request made by a batch, which may not start another batch.
BATCH_SCOPE_KEY = "opencentra.shop.batch"
_OPERATION_KEYS = frozenset({"method", "uri", "request"})
_REFERENCE_KEYS = frozenset({"previousResponse", "default"})
# Routing state that a request made from inside another must not inherit.
_ROUTING_KEYS = frozenset({"endpoint", "route", "path_params", "router", "app", "app_root_path"})


def _json(body: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status_code, media_type="application/json")


# --- the list of operations and their help -------------------------------------------------


def _operations(request: Request) -> list[tuple[str, str]]:
    """(method, uri relative to the base) of every documented operation, in route order; not this module's own."""
    found = []
    for context in iter_route_contexts(request.app.routes):
        route = context.route
        if not isinstance(route, APIRoute) or not route.include_in_schema or context.path is None:
            continue
        uri = context.path.lstrip("/")
        if uri in ("", "v1") or uri.startswith("v1/"):
            continue
        for method in sorted(set(context.methods or ()) - {"HEAD"}):
            found.append((method, uri))
    return found


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + str(request.scope.get("root_path", ""))


@router.get("/v1")
@router.get("/")
async def operations(request: Request) -> Response:
    """Every operation of this API, each with a ``helpUri``."""
    base = _base(request)
    return _json(
        {
            "operations": [
                {"method": method, "uri": uri, "helpUri": f"{base}/v1/help/{uri}"}
                for method, uri in _operations(request)
            ]
        }
    )


@router.get("/v1/help/{uri:path}")
async def help_for(request: Request, uri: str) -> Response:
    """What the operations on ``uri`` (as ``GET <base>/v1`` lists it) take."""
    wanted = uri.strip("/")
    document = request.app.openapi().get("paths", {}).get(f"/{wanted}", {})
    found = []
    for method, listed in _operations(request):
        if listed != wanted:
            continue
        described = document.get(method.lower(), {})
        found.append(
            {
                "method": method,
                "uri": listed,
                "summary": described.get("summary", ""),
                "description": described.get("description", ""),
                "parameters": [
                    {"name": p.get("name"), "in": p.get("in"), "required": bool(p.get("required"))}
                    for p in described.get("parameters", [])
                ],
            }
        )
    if not found:
        return _json({"errors": {"uri": "not found"}}, 404)
    return _json({"uri": wanted, "operations": found})


# --- running a request inside this one -----------------------------------------------------


@dataclass
class Answer:
    status: int
    body: bytes


def _scope_for(scope: Scope, method: str, path: str, query: str, body: bytes | None) -> Scope:
    inner = {k: v for k, v in scope.items() if k not in _ROUTING_KEYS and not k.startswith("fastapi")}
    full = scope.get("root_path", "") + path
    drop = {b"content-length", b"content-type", b"transfer-encoding"}
    headers = [(k, v) for k, v in scope["headers"] if k.lower() not in drop]
    if body is not None:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    inner.update(method=method, path=full, raw_path=full.encode(), query_string=query.encode(), headers=headers)
    inner[BATCH_SCOPE_KEY] = True
    return inner


async def _run(request: Request, method: str, path: str, query: str, body: bytes | None) -> Answer:
    """One request to this app, answered in full."""
    given = False

    async def receive() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body or b"", "more_body": False}
        # The client never leaves: a streamed answer must not stop early.
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}  # pragma: no cover - never reached

    status = 500
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    try:
        await request.app(_scope_for(request.scope, method, path, query, body), receive, send)
    except Exception:
        # The app answered 500 (and logged it) before raising.
        status = 500
    return Answer(status, b"".join(chunks))


# --- <base>/v1/<uri> -----------------------------------------------------------------------


class _Forward(Response):
    """Answers by running the request, with ``/v1`` taken off its path, through this app."""

    def __init__(self, request: Request, path: str) -> None:
        super().__init__()
        self.inner = _scope_for(request.scope, request.method, path, request.url.query, None)
        # Keep the request's own body and content type: it is read from the client, as it comes.
        self.inner["headers"] = request.scope["headers"]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.inner.pop(BATCH_SCOPE_KEY, None)
        if scope.get(BATCH_SCOPE_KEY):
            self.inner[BATCH_SCOPE_KEY] = True
        await scope["app"](self.inner, receive, send)


@router.api_route("/v1/{uri:path}", methods=list(METHODS), include_in_schema=False)
async def v1(request: Request, uri: str) -> Response:
    """``<base>/v1/<uri>``: the same operation as ``<base>/<uri>``."""
    if uri == "v1" or uri.startswith("v1/"):
        # One ``v1`` only: each would run the app once more inside this request.
        raise NotFound("not found", field="endpoint")
    return _Forward(request, "/" + uri)


# --- batch requests ------------------------------------------------------------------------


def _refused(field: str, message: str) -> RequestValidationError:
    """A malformed batch: 400 ``{"errors": {field: message}}``, as any v1 body."""
    return RequestValidationError([{"loc": ("body", field), "msg": message, "type": "value_error"}])


class _Missing(Exception):
    def __init__(self, reference: str) -> None:
        self.reference = reference


def _is_reference(value: Any) -> bool:
    return isinstance(value, dict) and "previousResponse" in value and set(value) <= _REFERENCE_KEYS


def _lookup(answers: dict[str, Any], reference: Any, default: Any, has_default: bool) -> Any:
    if not isinstance(reference, str):
        raise _Missing(str(reference)[:200])
    name, *keys = reference.split(":")
    if name not in answers:
        if has_default:
            return default
        raise _Missing(reference)
    value = answers[name]
    for key in keys:
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            if has_default:
                return default
            raise _Missing(reference)
    if value is None and has_default:
        return default
    return value


def _resolve(value: Any, answers: dict[str, Any], depth: int = 0) -> Any:
    """``value`` with every ``previousResponse`` reference replaced by what it points to."""
    if depth > MAX_DEPTH:
        raise ValidationFailed(f"nested more than {MAX_DEPTH} deep", field="request")
    if _is_reference(value):
        return _lookup(answers, value["previousResponse"], value.get("default"), "default" in value)
    if isinstance(value, dict):
        return {k: _resolve(v, answers, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, answers, depth + 1) for v in value]
    return value


def _segment(value: Any, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationFailed("a uri segment must be a string or a number", field=f"{name}.uri")
    return quote(str(value), safe="")


def _target(uri: Any, name: str) -> tuple[str, str]:
    """(path, query) of an operation's uri: a string, or its segments."""
    if isinstance(uri, str):
        path, _sep, query = uri.partition("?")
        return "/" + path.strip("/"), query
    if isinstance(uri, list) and uri:
        return "/" + "/".join(_segment(part, name) for part in uri), ""
    raise ValidationFailed("must be a string or an array of segments", field=f"{name}.uri")


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    uri: Any
    request: Any


def _operations_of(raw: bytes) -> list[Operation]:
    try:
        batch = orjson.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError:
        raise _refused("request", "malformed JSON") from None
    if not isinstance(batch, dict) or not batch:
        raise _refused("request", "a batch is an object of named operations")
    if len(batch) > MAX_OPERATIONS:
        raise _refused("request", f"at most {MAX_OPERATIONS} operations")
    found = []
    for name, operation in batch.items():
        if not isinstance(operation, dict):
            raise _refused(name, "an operation is an object {method, uri, request}")
        for key in operation:
            if key not in _OPERATION_KEYS:
                raise _refused(f"{name}.{key}", "unknown")
        method = operation.get("method", "GET")
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise _refused(f"{name}.method", f"must be one of {', '.join(METHODS)}")
        if "uri" not in operation:
            raise _refused(f"{name}.uri", "required")
        found.append(Operation(name, method.upper(), operation["uri"], operation.get("request")))
    return found


def _entry(status: int, response: Any) -> dict[str, Any]:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return {"httpCode": status, "httpHeader": f"HTTP/1.1 {status} {phrase}".rstrip(), "response": response}


def _parsed(body: bytes) -> Any:
    try:
        return orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return body.decode(errors="replace")


@router.post("/v1")
@router.post("/")
async def batch(request: Request) -> Response:
    """Run named operations in order; stop at the first error. 400 when the batch itself is malformed."""
    if request.scope.get(BATCH_SCOPE_KEY):
        raise _refused("request", "a batch cannot run inside a batch")
    operations = _operations_of(await request.body())
    answers: dict[str, Any] = {}
    out: dict[str, Any] = {}
    for operation in operations:
        try:
            path, query = _target(_resolve(operation.uri, answers), operation.name)
            body = _resolve(operation.request, answers)
        except _Missing as missing:
            errors = {"previousResponse": f"not found: {missing.reference}"}
            out[operation.name] = _entry(400, {"errors": errors})
            break
        except ValidationFailed as refused:
            out[operation.name] = _entry(400, {"errors": {refused.field or "uri": refused.message}})
            break
        raw = orjson.dumps(body) if body is not None else None
        answer = await _run(request, operation.method, path, query, raw)
        response = _parsed(answer.body)
        answers[operation.name] = response
        out[operation.name] = _entry(answer.status, response)
        if answer.status >= 400:
            break
    return _json(out)
