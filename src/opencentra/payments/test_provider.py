"""The built-in test provider: behaves as its payment method's ``behaviour`` says.

- ``success``: authorized at once; the order is placed by POST /payment.
- ``redirect``, ``form``, ``javascript``: the browser is sent back to the
  shop's return page carrying ``reference`` and a one-time ``signature``; the
  shop forwards them to POST /payment-result, which verifies them.
- ``decline``: refused at once.

No money moves. The signature is random and only its SHA-256 is kept, so the
stored state cannot be replayed into a valid return.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from opencentra.payments.provider import (
    Authorized,
    Declined,
    FormAction,
    JavascriptAction,
    PaymentOutcome,
    PaymentRequest,
    RedirectAction,
    Started,
)
from opencentra.stores.models import PaymentBehaviour

DECLINE_MESSAGE = "The test provider declined the payment."


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _with_query(url: str, params: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(part for part in (parts.query, urlencode(params)) if part)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


class TestProvider:
    name = "test"

    async def start(self, request: PaymentRequest) -> Started:
        behaviour = request.behaviour or PaymentBehaviour.SUCCESS
        if behaviour is PaymentBehaviour.SUCCESS:
            return Started(outcome=Authorized(reference=f"test-{request.reference}"))
        if behaviour is PaymentBehaviour.DECLINE:
            return Started(outcome=Declined(DECLINE_MESSAGE))
        signature = secrets.token_hex(20)
        fields = {
            "centraPaymentMethod": request.method_uri,
            "selection": request.selection,
            "reference": request.reference,
            "amount": str(request.amount_minor),
            "currency": request.currency_code,
            "signature": signature,
        }
        state = {"signature_sha256": _digest(signature)}
        if behaviour is PaymentBehaviour.REDIRECT:
            return Started(action=RedirectAction(_with_query(request.return_url, fields)), state=state)
        if behaviour is PaymentBehaviour.FORM:
            form_id = f"form-{request.reference}"
            inputs = "".join(
                f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}" />'
                for name, value in fields.items()
            )
            markup = (
                f'<form id="{form_id}" action="{html.escape(request.return_url)}" accept-charset="UTF-8" '
                f'method="post">{inputs}<noscript><input type="submit" /></noscript>'
                f"<script>document.getElementById('{form_id}').submit();</script></form>"
            )
            return Started(action=FormAction(html=markup, fields=fields, url=request.return_url), state=state)
        # javascript: the widget answers the shop's callback by sending the browser back.
        target = json.dumps(_with_query(request.return_url, fields))
        code = f"window.location.assign({target});"
        return Started(action=JavascriptAction(code=code, fields=fields), state=state)

    async def verify(
        self, request: PaymentRequest, state: Mapping[str, Any], fields: Mapping[str, str]
    ) -> PaymentOutcome:
        expected = state.get("signature_sha256")
        presented = fields.get("signature")
        if (
            not isinstance(expected, str)
            or not isinstance(presented, str)
            or fields.get("reference") != request.reference
            or not hmac.compare_digest(_digest(presented), expected)
        ):
            return Declined("The payment could not be verified.")
        return Authorized(reference=f"test-{request.reference}")
