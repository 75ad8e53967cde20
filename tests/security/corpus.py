"""Hostile inputs: what an attacker sends instead of a request.

Each ``Case`` turns one REST route into the hostile requests it stands for,
so the same corpus is sent to every route of every API (and ``GRAPHQL_CASES``
to ``/graphql``). Bodies that name fields take them from the route's own
OpenAPI request schema, so a new endpoint gets field-by-field attacks with
no work. To add an attack, add a ``Case`` (or a ``GraphQLCase``); the test
module sends it everywhere.

XML payloads go to every endpoint even though no API reads XML yet: the
SOAP adapter will, and a parser that expands entities or fetches external
ones must never be reachable.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from tests.security.surface import Route

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# One byte over the default OPENCENTRA_MAX_BODY_BYTES.
OVERSIZED = 1_000_001
DEPTH = 10_000
LONG = 100_000

XXE = (
    b'<?xml version="1.0"?>\n'
    b'<!DOCTYPE order [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b"<order><id>&xxe;</id></order>"
)
XXE_PARAMETER = (
    b'<?xml version="1.0"?>\n'
    b'<!DOCTYPE order [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>\n'
    b"<order/>"
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'.encode() for n in range(1, 10)
    )
    + b"]>\n<lolz>&lol9;</lolz>"
)
SOAP_XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
    b"<soapenv:Body><login><username>&xxe;</username></login></soapenv:Body></soapenv:Envelope>"
)
# What a leaked file or an expanded entity would put in an answer.
LEAK_MARKERS = (b"root:x:0:0", b"lollollollollollollol")

# Values a number field, a path id or a quantity must refuse cleanly.
HOSTILE_NUMBERS: tuple[object, ...] = (
    -1,
    0,
    10**30,
    "١٢٣",  # Arabic-Indic digits
    "²",  # superscript two: str.isdigit() says yes, int() says no
)
HOSTILE_STRINGS: tuple[object, ...] = (
    "nul\x00 esc\x1b[31m nonchar\ufffe\uffff bom\ufeff quote' OR '1'='1 <script>",
    "x" * LONG,
)
HOSTILE_SHAPES: tuple[object, ...] = ({"nested": {"deeper": [1]}}, [1, "two", None])
HOSTILE_PATH_VALUES: tuple[str, ...] = (
    "-1",
    "99999999999999999999999999",
    "%D9%A1%D9%A2%D9%A3",  # ١٢٣
    "%C2%B2",  # ²
    "%00",
    "%FF%FE",  # not UTF-8
    "9" * 5000,  # past Python's 4,300-digit limit for int()
)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    content: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)


Build = Callable[[Route, str, "Fields"], Iterator[Request]]


@dataclass(frozen=True)
class Fields:
    """What a route's OpenAPI description says about its inputs."""

    body: tuple[str, ...]
    query: tuple[str, ...]
    # It declares a request body (so it reads one).
    reads_body: bool = False


@dataclass(frozen=True)
class Case:
    name: str
    build: Build
    # Methods it applies to; empty: every method.
    methods: frozenset[str] = BODY_METHODS


def _json(value: Any) -> bytes:
    # The standard library, not orjson: it writes integers of any size.
    return json.dumps(value, ensure_ascii=False).encode()


def _raw(*bodies: bytes, content_type: str = "application/json") -> Build:
    def build(route: Route, path: str, fields: Fields) -> Iterator[Request]:
        for body in bodies:
            yield Request(route.method, path, body, {"Content-Type": content_type})

    return build


def _per_field(values: tuple[object, ...]) -> Build:
    """Each of the route's body fields set to each value, the other fields absent."""

    def build(route: Route, path: str, fields: Fields) -> Iterator[Request]:
        names = fields.body or ("id", "order", "quantity", "item", "email")
        for value in values:
            yield Request(
                route.method, path, _json({name: value for name in names}), {"Content-Type": "application/json"}
            )

    return build


def _per_query(values: tuple[object, ...]) -> Build:
    def build(route: Route, path: str, fields: Fields) -> Iterator[Request]:
        for value in values:
            if fields.query:
                yield Request(route.method, path, params={name: str(value) for name in fields.query})

    return build


def _per_path(route: Route, path: str, fields: Fields) -> Iterator[Request]:
    """Each path parameter replaced by each hostile value (the others keep their plausible values)."""
    for name in route.parameters:
        for value in HOSTILE_PATH_VALUES:
            yield Request(route.method, path.replace(f"{{{name}}}", value))


def _nested(depth: int) -> Iterator[bytes]:
    yield b"[" * depth + b"]" * depth
    yield b'{"a":' * depth + b"1" + b"}" * depth


def _oversized(route: Route, path: str, fields: Fields) -> Iterator[Request]:
    name = fields.body[0] if fields.body else "comment"
    padding = OVERSIZED - len(_json({name: ""}))
    yield Request(route.method, path, _json({name: "x" * padding}), {"Content-Type": "application/json"})


CASES: tuple[Case, ...] = (
    # Bodies: one of each kind to every route that takes a body.
    Case("malformed-json", _raw(b'{"order": [1, ', b'{"order": "\xff\xfe"}')),
    Case("json-not-an-object", _raw(b"[]")),
    Case("json-non-finite", _raw(b'{"quantity": NaN, "order": Infinity, "amount": -1e999}')),
    Case("json-huge-number-literal", _raw(b'{"quantity": 1' + b"0" * 5000 + b', "order": -1e' + b"9" * 400 + b"}")),
    Case("json-deeply-nested", _raw(next(_nested(DEPTH)))),
    Case("oversized-body", _oversized),
    Case("xml-entities", _raw(XXE, BILLION_LAUGHS, content_type="application/xml")),
    Case("form-encoded", _raw(b"order=1&quantity=%00&order[]=x", content_type="application/x-www-form-urlencoded")),
    # Fields: the route's own body fields, each kind of bad value in turn.
    Case("wrong-types", _per_field(HOSTILE_SHAPES)),
    Case("hostile-numbers", _per_field(HOSTILE_NUMBERS)),
    Case("hostile-strings", _per_field(HOSTILE_STRINGS)),
    # Paths and query strings.
    Case("hostile-path-values", _per_path, methods=frozenset()),
    Case("hostile-query-numbers", _per_query(HOSTILE_NUMBERS), methods=frozenset({"GET"})),
    Case("hostile-query-strings", _per_query(HOSTILE_STRINGS[:1]), methods=frozenset({"GET"})),
)


def fields_of(app: FastAPI) -> dict[tuple[str, str], Fields]:
    """Per ``(METHOD, path)``: the body properties and query parameters its OpenAPI description names."""
    document = app.openapi()
    schemas = document.get("components", {}).get("schemas", {})

    def properties(schema: Mapping[str, Any]) -> list[str]:
        if "$ref" in schema:
            return properties(schemas[schema["$ref"].rsplit("/", 1)[1]])
        names = list(schema.get("properties", {}))
        for option in schema.get("anyOf", []) + schema.get("allOf", []) + schema.get("oneOf", []):
            names += properties(option)
        return names

    found: dict[tuple[str, str], Fields] = {}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            request_body = operation.get("requestBody", {})
            body = request_body.get("content", {}).get("application/json", {}).get("schema", {})
            query = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
            names = tuple(dict.fromkeys(properties(body)))
            found[(method.upper(), path)] = Fields(names, tuple(query), reads_body=bool(request_body))
    return found


# --- GraphQL ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphQLCase:
    name: str
    bodies: tuple[bytes, ...]
    content_type: str = "application/json"


def _query(query: str, variables: Any = None) -> bytes:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    return _json(body)


def fragment_bomb(levels: int) -> str:
    """``...F<levels>`` stands for 2**levels copies of one field."""
    fragments = ["fragment F0 on Query { rateLimits { type } }"]
    fragments += [f"fragment F{n} on Query {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, levels + 1)]
    return f"query {{ ...F{levels} }}\n" + "\n".join(fragments)


def _aliases(count: int) -> str:
    return "{ " + " ".join(f"a{n}: rateLimits {{ type }}" for n in range(count)) + " }"


GRAPHQL_CASES: tuple[GraphQLCase, ...] = (
    GraphQLCase("malformed-json", (b'{"query": ', b"\xff\xfe", b"\x00", b"")),
    GraphQLCase("json-not-a-request", (b"[]", b'[{"query": "{ rateLimits { type } }"}]', b"null", b'"{ x }"', b"1")),
    GraphQLCase(
        "wrong-types",
        (
            _json({"query": 1}),
            _json({"query": ["{ rateLimits { type } }"]}),
            _json({"query": "{ rateLimits { type } }", "variables": [1]}),
            _json({"query": "{ rateLimits { type } }", "operationName": 5}),
            _query("query($id: Int!) { order(id: $id) { id } }", {"id": "1"}),
            _query("query($id: Int!) { market(id: $id) { id } }", {"id": {"nested": 1}}),
        ),
    ),
    GraphQLCase(
        "hostile-numbers",
        (
            *(
                _query("query($id: Int!) { market(id: $id) { id } }", {"id": value})
                for value in (2**31, 2**63, -(2**63) - 1, 10**30, 1e308, -1, 0, 0.5, "١٢٣")
            ),
            _query("{ market(id: 99999999999999999999999) { id } }"),
            _query("{ orders(limit: -1) { id } }"),
            _query("{ orders(limit: 2147483647, page: 2147483647) { id } }"),
            _query("{ orderConnection(first: -5) { totalCount } }"),
            b'{"query": "{ market(id: 1) { id } }", "variables": {"x": 1' + b"0" * 5000 + b"}}",
        ),
    ),
    GraphQLCase(
        "hostile-strings",
        (
            _query('{ order(id: "nul\\u0000byte") { id } }'),
            _query('{ order(id: "non\ufffecharacter") { id } }'),
            _query("query($id: String!) { order(id: $id) { id } }", {"id": "nul\x00\ufffe"}),
            _query('{ order(id: "' + "x" * LONG + '") { id } }'),
            _query("{ rateLimits { type } }\x00"),
        ),
    ),
    GraphQLCase(
        "deeply-nested",
        (
            _query("{" * DEPTH + "}" * DEPTH),
            _query("{ rateLimits " + "{ type " * DEPTH + "}" * DEPTH + " }"),
            _query("query($v: Int) { rateLimits { type } }", {"v": json.loads(next(_nested(500)))}),
            b'{"query": "{ rateLimits { type } }", "variables": ' + b'{"a":' * DEPTH + b"1" + b"}" * DEPTH + b"}",
            _query("{ orders(where: " + "{AND: " * 500 + "{}" + "}" * 500 + ") { id } }"),
        ),
    ),
    GraphQLCase(
        "fragment-bombs",
        (
            _query(fragment_bomb(20)),
            _query(fragment_bomb(40)),
            _query("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
            _query(
                "query { ...A } fragment A on Query { rateLimits { type } ...B ...B ...B } "
                "fragment B on Query { rateLimits { type } ...C ...C ...C } fragment C on Query { rateLimits { type } }"
            ),
        ),
    ),
    GraphQLCase(
        "aliases-and-tokens",
        (
            _query(_aliases(5000)),
            _query("{ rateLimits @include(if: true)" + " @skip(if: false)" * 5000 + " { type } }"),
            _query("\n".join(f"query Q{n} {{ rateLimits {{ type }} }}" for n in range(2000))),
        ),
    ),
    GraphQLCase("oversized-body", (_query("{ rateLimits { type } }" + " " * OVERSIZED),)),
    GraphQLCase("xml-external-entities", (XXE, XXE_PARAMETER, SOAP_XXE), content_type="application/xml"),
    GraphQLCase("xml-billion-laughs", (BILLION_LAUGHS,), content_type="text/xml"),
)
