"""The hostile-input corpus, sent to every route of every API with valid credentials.

Valid credentials, so the input reaches the code that parses it. For every
answer: never a 5xx, never a traceback or an internal exception's text, the
API's own error format, nothing leaked from an XML entity; and after each
case the server still answers its health check.

A case that still fails because its fix is in flight is marked
``xfail(strict=True)`` with the finding it waits for (``PENDING``); when the
fix lands the case passes, strict xfail turns that into a failure, and the
mark comes off.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount
from tests.security.corpus import (
    BILLION_LAUGHS,
    CASES,
    DEPTH,
    GRAPHQL_CASES,
    LEAK_MARKERS,
    SOAP_XXE,
    XXE,
    Case,
    Fields,
    GraphQLCase,
    Request,
    fields_of,
)
from tests.security.formats import GRAPHQL, assert_api_format, assert_no_traceback
from tests.security.surface import Route, adapter_apps, rest_routes
from tests.security.world import World

from opencentra.config import Settings
from opencentra.integration.models import PluginType

ROUTES = rest_routes()
# Requests in flight at once: the server must answer each the same as if it came alone.
PARALLEL = 8
# One route per handler: an alias (``/supplier-delivery`` beside ``/supplier-deliveries``) parses the same way.
HANDLED = list({(r.api, r.handler or r.id): r for r in ROUTES}.values())
# Cases that fail until a fix lands: case name (GraphQL ones as "graphql-<name>") -> the finding, e.g.
# "hostile-numbers": "issue 11 #N pending: strict integer parsing". Empty: every fix is in.
PENDING: dict[str, str] = {}


def _marks(name: str) -> list[pytest.MarkDecorator]:
    reason = PENDING.get(name)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


@cache
def _fields(app: Any) -> dict[PluginType, dict[tuple[str, str], Fields]]:
    return {kind: fields_of(adapter) for kind, adapter in adapter_apps(app).items()}


@pytest.fixture(scope="module")
def credentials(world: World) -> dict[PluginType, dict[str, str]]:
    """Store A's secrets, and for the Checkout API one session, so no request pays for a new one."""
    found = {api: {"API-Authorization": plugin.secret} for api, plugin in world.a.plugins.items()}
    checkout = world.a.plugins[PluginType.CHECKOUT]
    token = world.client.get(f"{checkout.base}/selection").json()["token"]
    found[PluginType.CHECKOUT] = {"Authorization": f"Bearer {checkout.secret}", "API-Token": token}
    return found


def _check(answer: Any, api: PluginType | str, what: str) -> str | None:
    """Why ``answer`` breaks the rules, or None."""
    try:
        assert_api_format(api, answer)
        for marker in LEAK_MARKERS:
            assert marker not in answer.content, f"leaked {marker!r}"
    except AssertionError as error:
        return f"{what}: {str(error)[:300]}"
    return None


def _call(request: Request, headers: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
    """``Client.send_all``'s form of a corpus request."""
    kwargs: dict[str, Any] = {"content": request.content, "headers": {**headers, **request.headers}}
    if request.params:
        kwargs["params"] = dict(request.params)
    return request.method, request.path, kwargs


def _healthy(world: World) -> None:
    answer = world.client.get("/healthz")
    assert answer.status_code == 200 and answer.json()["status"] == "ok", answer.text


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=_marks(c.name)) for c in CASES])
def test_rest_apis_survive(world: World, credentials: dict[PluginType, dict[str, str]], case: Case) -> None:
    fields = _fields(world.client.app)
    victim = world.a
    failures: list[str] = []
    batch: list[tuple[Route, Request]] = []
    for route in HANDLED:
        if case.methods and route.method not in case.methods:
            continue
        plugin = victim.plugins[route.api]
        # Parameters stay "{name}" so a case can put its own values there; the rest get plausible ones.
        path = plugin.base + route.concrete({p: f"{{{p}}}" for p in route.parameters})
        built = case.build(route, path, fields[route.api].get((route.method, route.path), Fields((), ())))
        batch += [(route, replace(r, path=route.fill(r.path, victim.path_values()))) for r in built]
    answers = world.client.send_all([_call(r, credentials[route.api]) for route, r in batch], parallel=PARALLEL)
    sent = len(answers)
    for (route, request), answer in zip(batch, answers, strict=True):
        problem = _check(answer, route.api, f"{route.id} {request.path[:80]} {(request.content or b'')[:60]!r}")
        if problem:
            failures.append(problem)
    _healthy(world)
    assert sent, f"{case.name} sent nothing"
    assert not failures, f"{len(failures)} of {sent} requests:\n" + "\n".join(failures[:25])


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=_marks(f"graphql-{c.name}")) for c in GRAPHQL_CASES])
def test_graphql_survives(world: World, case: GraphQLCase) -> None:
    failures: list[str] = []
    headers = {"Authorization": f"Bearer {world.admin_token}", "Content-Type": case.content_type}
    for body in case.bodies:
        answer = world.client.post("/graphql", content=body, headers=headers)
        problem = _check(answer, GRAPHQL, repr(body[:100]))
        if problem:
            failures.append(problem)
    _healthy(world)
    assert not failures, "\n".join(failures)


def test_every_body_over_the_limit_is_refused(world: World, credentials: dict[PluginType, dict[str, str]]) -> None:
    """``OPENCENTRA_MAX_BODY_BYTES`` holds for every route that reads a body: 413 in the API's own format."""
    fields = _fields(world.client.app)
    body = b'{"comment": "' + b"x" * Settings().max_body_bytes + b'"}'
    batch = [
        (route, world.a.plugins[route.api].base + route.concrete(world.a.path_values()))
        for route in HANDLED
        if fields[route.api].get((route.method, route.path), Fields((), ())).reads_body
    ]
    assert {route.api for route, _ in batch} >= {PluginType.ORDER, PluginType.CHECKOUT}
    sent = [
        (
            route.method,
            url,
            {"content": body, "headers": {**credentials[route.api], "Content-Type": "application/json"}},
        )
        for route, url in batch
    ]
    answers = world.client.send_all(sent, parallel=PARALLEL)
    wrong = [
        f"{route.id}: {answer.status_code} {answer.text[:120]}"
        for (route, _url), answer in zip(batch, answers, strict=True)
        if answer.status_code != 413 or _check(answer, route.api, route.id)
    ]
    assert not wrong, "\n".join(wrong)
    graphql = world.client.post(
        "/graphql",
        content=body,
        headers={"Authorization": f"Bearer {world.admin_token}", "Content-Type": "application/json"},
    )
    assert graphql.status_code == 413, graphql.text
    assert_api_format(GRAPHQL, graphql)


def test_routes_outside_the_apis_survive_xml_and_junk(world: World) -> None:
    """Every route of the app itself that is not a plugin API or ``/graphql`` (today ``/healthz``; the SOAP
    endpoint, when it comes, at its fixed path): XML bombs and junk, with no credentials."""
    routes = [
        (method, context.path)
        for context in iter_route_contexts(world.client.app.routes)
        if context.path and not isinstance(context.original_route, Mount) and context.path != "/graphql"
        for method in sorted(context.methods or {"GET"})
        if method != "HEAD"
    ]
    assert ("GET", "/healthz") in routes
    bodies = [(XXE, "application/xml"), (BILLION_LAUGHS, "text/xml"), (SOAP_XXE, "text/xml; charset=utf-8")]
    bodies += [(b"\xff\xfe<", "application/soap+xml"), (b'{"a":' * DEPTH, "application/json")]
    failures = []
    for method, path in routes:
        for body, content_type in bodies:
            answer = world.client.request(method, path, content=body, headers={"Content-Type": content_type})
            if answer.status_code >= 500 or any(marker in answer.content for marker in LEAK_MARKERS):
                failures.append(f"{method} {path} {body[:40]!r}: {answer.status_code} {answer.text[:200]}")
            else:
                assert_no_traceback(answer)
    _healthy(world)
    assert not failures, "\n".join(failures)


def test_unknown_plugins_and_the_health_check_survive_too(world: World) -> None:
    for path in ("/api/%00", "/api/" + "a" * 5000, "/api/%EF%BF%BE/orders", "/api/order/%00/orders", "/healthz/%00"):
        answer = world.client.get(path)
        assert answer.status_code < 500, (path, answer.text)
    for header, value in (
        ("X-Correlation-ID", "x" * 10_000),
        ("X-Correlation-ID", "line\r\nbreak"),
        ("API-Token", "x" * 10_000),
        ("Accept", "*/*; api-token=" + "x" * 10_000),
        ("Origin", "null"),
    ):
        checkout = world.a.plugins[PluginType.CHECKOUT].base
        try:
            answer = world.client.get(f"{checkout}/selection", headers={header: value})
        except ValueError:
            continue  # the HTTP client itself refuses to send it
        assert_api_format(PluginType.CHECKOUT, answer)
    _healthy(world)


def test_order_api_xml_is_always_well_formed(world: World) -> None:
    """``xml=1`` answers stay parseable XML even when stored text holds characters XML 1.0 forbids."""
    from lxml import etree  # type: ignore[import-untyped]

    plugin = world.a.plugins[PluginType.ORDER]
    headers = {"API-Authorization": plugin.secret}
    comment = "nul\x00 esc\x1b nonchar\ufffe\uffff bom\ufeff ok"
    stored = world.client.put(
        f"{plugin.base}/orders", json={"order": world.a.order_numbers[0], "internalComment": comment}, headers=headers
    )
    assert_api_format(PluginType.ORDER, stored)
    for route in (r for r in ROUTES if r.api is PluginType.ORDER and r.method == "GET"):
        path = plugin.base + route.concrete(world.a.path_values())
        answer = world.client.get(path, params={"xml": "1"}, headers=headers)
        assert_api_format(PluginType.ORDER, answer)
        if answer.headers.get("content-type", "").startswith("application/xml"):
            etree.fromstring(answer.content, etree.XMLParser(resolve_entities=False, no_network=True))
