"""``POST /graphql``: authentication, the rate-limit verdict as HTTP, and Centra's envelope.

Order of work for one request: read the token (``Authorization: Bearer``,
any case, or the ``graphql-access`` cookie) and authenticate it; parse the
JSON body; execute (the ``RateLimitExtension`` costs and charges the
operation between validation and execution); answer 429 with
``Retry-After`` if a bucket refused, otherwise 200 with ``data``, ``errors``
and ``extensions {complexity, permissionsUsed, appVersion}``.

A request that fails before execution (syntax or validation errors) is
still charged one request, so malformed traffic is metered like any other.
Unauthenticated requests are refused with 401 before any bucket is touched:
a stranger cannot spend the instance's shared quota.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from opencentra import __version__
from opencentra.api.body_limit import BodyTooLarge
from opencentra.api.context import AppContext
from opencentra.api.dispatch import APP_CONTEXT_KEY
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.limits import make_store, rate_limit_key, refusal_errors, retry_after_header
from opencentra.api.graphql.schema import schema as default_schema
from opencentra.config import Settings
from opencentra.errors import DomainError, Unauthorized
from opencentra.integration import authenticate_token
from opencentra.ratelimit import Cost, RateLimitStore, Verdict

logger = logging.getLogger(__name__)

APP_VERSION = f"v{__version__}"
COOKIE = "graphql-access"
INTERNAL = "internal"


def _bearer(request: Request) -> str | None:
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.strip().partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


def presented_token(request: Request) -> str | None:
    bearer = _bearer(request)
    if bearer is not None:
        return bearer
    cookie = request.cookies.get(COOKIE)
    return cookie.strip() if cookie and cookie.strip() else None


def forgeable(request: Request) -> bool:
    """A cookie-authenticated request a cross-site page could have made (CSRF).

    A browser adds the ``graphql-access`` cookie to a form another site posts
    here, but no form can send ``Content-Type: application/json``: that needs
    a CORS preflight, which this endpoint never grants. So the cookie counts
    only on a JSON request; the ``Authorization`` header needs no such check.
    """
    if _bearer(request) is not None or not request.cookies.get(COOKIE, "").strip():
        return False
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    return media_type != "application/json"


def format_error(error: GraphQLError) -> dict[str, Any]:
    """Centra's error shape; unexpected failures say nothing about our internals."""
    original = error.original_error
    if original is not None and not isinstance(original, (GraphQLError, DomainError)):
        logger.error("GraphQL resolver failed", exc_info=original)
        formatted: dict[str, Any] = {"message": "Internal server error", "extensions": {"category": INTERNAL}}
        if error.locations:
            formatted["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
        if error.path:
            formatted["path"] = list(error.path)
        return formatted
    formatted = dict(error.formatted)
    if isinstance(original, DomainError):
        formatted["message"] = original.message
        formatted["extensions"] = {"category": original.code, **({"field": original.field} if original.field else {})}
    elif "extensions" not in formatted and not error.path:
        formatted["extensions"] = {"category": "graphql"}
    return formatted


def _json(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def _problem(message: str, category: str, status: int, extensions: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {"errors": [{"message": message, "extensions": {"category": category}}]}
    body["extensions"] = extensions or {"complexity": 0, "permissionsUsed": [], "appVersion": APP_VERSION}
    return _json(body, status)


GRAPHIQL = """<!doctype html>
<html><head><meta charset="utf-8"><title>OpenCentra GraphiQL</title>
<link rel="stylesheet" href="https://unpkg.com/graphiql@3/graphiql.min.css"></head>
<body style="margin:0"><div id="graphiql" style="height:100vh"></div>
<script src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
<script src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
<script src="https://unpkg.com/graphiql@3/graphiql.min.js"></script>
<script>
const fetcher = GraphiQL.createFetcher({url: window.location.pathname});
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {fetcher, defaultHeaders: '{"Authorization": "Bearer <token>"}'}));
</script></body></html>"""


class GraphQLApp:
    """The ASGI endpoint; ``rate_limits`` is replaceable (tests plug in a store with a manual clock)."""

    def __init__(self, settings: Settings, rate_limits: RateLimitStore | None = None) -> None:
        self.settings = settings
        self.rate_limits: RateLimitStore = rate_limits if rate_limits is not None else make_store(settings)
        self.schema = default_schema

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.handle(request)
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        if request.method == "GET":
            if self.settings.graphiql and "text/html" in request.headers.get("accept", ""):
                return HTMLResponse(GRAPHIQL)
            return _problem("Send GraphQL requests with POST", "request", 405)
        if request.method != "POST":
            return _problem("Send GraphQL requests with POST", "request", 405)
        if forgeable(request):
            return _problem(f"With the {COOKIE} cookie, send Content-Type: application/json", "request", 415)
        app_context: AppContext = getattr(request.state, APP_CONTEXT_KEY)
        try:
            token = await authenticate_token(app_context.db, presented_token(request))
        except Unauthorized as error:
            return _problem(f"Unauthorized: {error.message}", "authentication", 401)
        try:
            raw = await request.body()
        except BodyTooLarge:  # the app-wide limit, refused while the body streamed in
            return _problem("The request body is too large", "request", 413)
        parsed = _parse_body(raw)
        if isinstance(parsed, str):
            return _problem(parsed, "request", 400)
        query, variables, operation_name = parsed
        context = GraphQLContext(
            db=app_context.db,
            token=token,
            rate_limits=self.rate_limits,
            rate_limit_key=rate_limit_key(self.settings, token),
            operation_name=operation_name,
        )
        try:
            errors, data = await self._execute(context, query, variables, operation_name)
        finally:
            await context.close()
        if not context.charged:
            # Failed before execution: still one request, and still subject to the limit.
            decision = await self.rate_limits.consume(context.rate_limit_key, Cost())
            context.charged = True
            if not decision.allowed:
                context.refused = decision
                errors = [GraphQLError(e.message, extensions=e.extensions) for e in refusal_errors(decision, Cost())]
                data = None
        body: dict[str, Any] = {}
        if errors:
            body["errors"] = [format_error(error) for error in errors]
        if context.executed:
            body["data"] = data
        body["extensions"] = {
            "complexity": context.complexity,
            "permissionsUsed": list(context.permissions_used),
            "appVersion": APP_VERSION,
        }
        refused = context.refused
        if refused is not None:
            if refused.verdict is Verdict.EXCEEDS_QUOTA:
                return _json(body, 400)
            return _json(body, 429, {"Retry-After": retry_after_header(refused)})
        return _json(body)

    async def _execute(
        self, context: GraphQLContext, query: str, variables: dict[str, Any] | None, operation_name: str | None
    ) -> tuple[list[GraphQLError], Any]:
        try:
            result = await self.schema.execute(
                query, variable_values=variables, context_value=context, operation_name=operation_name
            )
        except (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError) as error:
            message = str(error) or "The operation cannot be run"
            return [GraphQLError(message, extensions={"category": "graphql"})], None
        return list(result.errors or []), result.data


def _parse_body(raw: bytes) -> tuple[str, dict[str, Any] | None, str | None] | str:
    """``(query, variables, operationName)``, or why the body is not a GraphQL request."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return 'The body must be JSON: {"query": ..., "variables": {...}}'
    if not isinstance(body, dict):
        return "The body must be a JSON object"
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        return 'The body needs a "query" string'
    variables = body.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return '"variables" must be an object'
    operation_name = body.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        return '"operationName" must be a string'
    return query, variables, operation_name or None


def create_graphql_app(settings: Settings, rate_limits: RateLimitStore | None = None) -> GraphQLApp:
    return GraphQLApp(settings, rate_limits)
