"""The SOAP ERP API at ``/ams/system/service/module/soap/api``: SOAP 1.1, document/literal.

``GET ?wsdl`` serves the static WSDL (``centra.wsdl``) with this instance's
address filled in. ``POST`` takes one operation per request; the login in its
body is checked (throttled) before anything else is read from it. Updates
answer Centra's ``result`` (``success``, ``errors``, ``notices``), a bad login
included; the event operations answer a bad login with a SOAP fault, so an
ERP can never take "no login" for "no events".
"""

from __future__ import annotations

import os
from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from opencentra import events as outbox
from opencentra import integration
from opencentra.api.body_limit import BodyTooLarge
from opencentra.api.context import AppContext
from opencentra.api.dispatch import APP_CONTEXT_KEY
from opencentra.api.soap import dated_updates, events, updates
from opencentra.api.soap.envelope import SoapFault, child, fault_document, parse_request, result_document, text
from opencentra.api.soap.session import LOGIN_POLICY, SoapCall
from opencentra.errors import DomainError, Unauthorized
from opencentra.integers import whole_number
from opencentra.integration import soap_login
from opencentra.ratelimit.throttle import Throttles, TooManyAttempts

PATH = "/ams/system/service/module/soap/api"
LOG_DAYS_VARIABLE = "OPENCENTRA_SOAP_LOG_DAYS"
XML = "text/xml; charset=utf-8"
_ADDRESS_PLACEHOLDER = b"http://localhost/ams/system/service/module/soap/api"
UPDATES = {**updates.OPERATIONS, **dated_updates.OPERATIONS}


def _wsdl() -> bytes:
    return resources.files("opencentra.api.soap").joinpath("centra.wsdl").read_bytes()


class SoapApp:
    def __init__(self, log_days: int = integration.SOAP_LOG_DAYS) -> None:
        self.wsdl = _wsdl()
        self.throttle = Throttles()
        # How long each SOAP user's request and response log is kept; 0 keeps none.
        self.log_days = log_days

    async def handle(self, request: Request) -> Response:
        if request.method == "GET":
            if "wsdl" in {key.lower() for key in request.query_params}:
                location = str(request.url.replace(query="", fragment="")).encode()
                return Response(self.wsdl.replace(_ADDRESS_PLACEHOLDER, location), media_type=XML)
            return _fault(SoapFault("send SOAP requests with POST; the WSDL is at ?wsdl"), 405)
        if request.method != "POST":
            return _fault(SoapFault("send SOAP requests with POST"), 405)
        context: AppContext = getattr(request.state, APP_CONTEXT_KEY)
        try:
            body = await request.body()
        except BodyTooLarge:
            return _fault(SoapFault("request body is too large"), 413)
        try:
            parsed = parse_request(body, max_bytes=context.settings.soap_max_body_bytes)
        except SoapFault as fault:
            return _fault(fault, 400)
        operation = parsed.operation
        is_event_call = operation in events.OPERATIONS
        if not is_event_call and operation not in UPDATES:
            return _fault(SoapFault(f"unknown operation {operation!r}"), 400)
        login = child(parsed.element, "login")
        username, password = text(login, "username") or "", text(login, "password") or ""
        address = request.client.host if request.client else None
        throttle = self.throttle.get(context.settings.redis_url)
        try:
            async with throttle.attempt(LOGIN_POLICY, address=address, field="login"):
                user = await soap_login(context.db, username, password)
        except TooManyAttempts:
            return _fault(SoapFault("too many failed logins; try again later"), 429)
        except Unauthorized:
            if is_event_call:
                return _fault(SoapFault("Login failed: wrong username or password"), 401)
            return _xml(result_document(False, ["Login failed: wrong username or password"], []))
        # The user's queue starts at its first authenticated call (see docs/compatibility/soap-api.md).
        await outbox.ensure_consumer(context.db, user.consumer)
        response = await self._answer(SoapCall(db=context.db, user=user), operation, parsed.element, is_event_call)
        await integration.record_soap_call(
            context.db,
            soap_user_id=user.user_id,
            operation=operation,
            status=response.status_code,
            request=body,
            response=bytes(response.body),
            keep_days=self.log_days,
        )
        return response

    async def _answer(self, call: SoapCall, operation: str, element: Any, is_event_call: bool) -> Response:
        try:
            if is_event_call:
                return _xml(await events.OPERATIONS[operation](call, element))
            outcome = await UPDATES[operation](call, element)
        except SoapFault as fault:
            return _fault(fault, 400 if fault.code == "Client" else 500)
        except DomainError as error:
            return _fault(SoapFault(error.message), 400)
        return _xml(result_document(not outcome.errors, outcome.errors, outcome.notices))


def _xml(document: bytes, status: int = 200) -> Response:
    return Response(document, status_code=status, media_type=XML)


def _fault(fault: SoapFault, status: int) -> Response:
    return _xml(fault_document(fault), status)


def create_soap_app() -> SoapApp:
    """The SOAP endpoint; ``OPENCENTRA_SOAP_LOG_DAYS`` (default 30, 0: off) sets how long calls are logged."""
    raw = os.environ.get(LOG_DAYS_VARIABLE, "").strip()
    days = whole_number(raw, LOG_DAYS_VARIABLE) if raw else integration.SOAP_LOG_DAYS
    return SoapApp(log_days=days)
