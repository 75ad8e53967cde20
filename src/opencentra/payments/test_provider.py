"""The built-in test provider: behaves as its payment method's ``behaviour`` says.

- ``success``: authorized at once; the order is placed by POST /payment.
- ``redirect``, ``form``, ``javascript``: the browser is sent back to the
  shop's return page carrying ``reference`` and a one-time ``signature``; the
  shop forwards them to POST /payment-result, which verifies them.
- ``decline``: refused at once.

No money moves. The signature is random and only its SHA-256 is kept, so the
stored state cannot be replayed into a valid return.

Captures and refunds are settled and remembered in ``transactions`` (in
memory, per process), so tests can see what the order domain asked for. An
operation asked again with the same idempotency key answers as the first
time and is not remembered twice. To test failures, a capture or refund is
declined when its authorization reference contains ``refuse-capture`` or
``refuse-refund``, or after ``refuse("capture" | "refund", reference)``.

Stored methods: every authorization is tokenised (``stored_token``
``test-token-<reference>``), and ``charge_stored`` charges the token like a
capture (remembered, idempotent by key, kind ``charge``). A card that starts
failing: a payment method whose uri contains ``failing`` pays the first time
but its token holds ``refuse-charge``, so every later charge is declined; or
``refuse("charge", token)`` from a test, undone by ``allow``.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit, urlunsplit

from opencentra.payments.provider import (
    Authorized,
    Declined,
    FormAction,
    JavascriptAction,
    PaymentOutcome,
    PaymentRequest,
    RedirectAction,
    Settled,
    Settlement,
    Started,
)
from opencentra.stores.models import PaymentBehaviour

DECLINE_MESSAGE = "The test provider declined the payment."
CAPTURE_DECLINED = "The test provider refused the capture."
CHARGE_DECLINED = "The test provider declined the stored card."
REFUND_DECLINED = "The test provider refused the refund."

MoneyMove = Literal["capture", "refund", "charge"]
_DECLINED: dict[MoneyMove, str] = {
    "capture": CAPTURE_DECLINED,
    "refund": REFUND_DECLINED,
    "charge": CHARGE_DECLINED,
}
# How many captures and refunds the provider remembers.
MEMORY = 10_000


@dataclass(frozen=True)
class TestTransaction:
    """One capture or refund the test provider was asked for."""

    __test__ = False  # not a pytest test class

    kind: MoneyMove
    reference: str | None
    amount_minor: int
    idempotency_key: str
    settled: bool
    # The provider's id for it: "test-capture-1", "test-refund-2", ...
    transaction_id: str | None = None


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _with_query(url: str, params: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(part for part in (parts.query, urlencode(params)) if part)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _authorized(request: PaymentRequest) -> Authorized:
    """An authorization, tokenised for later charges (a ``failing`` method's token refuses them)."""
    failing = "refuse-charge-" if "failing" in request.method_uri else ""
    return Authorized(
        reference=f"test-{request.reference}",
        stored_token=f"test-token-{failing}{request.reference}",
        stored_label=f"Test card ({request.method_uri})",
    )


class TestProvider:
    __test__ = False  # not a pytest test class
    name = "test"

    def __init__(self) -> None:
        self.transactions: list[TestTransaction] = []
        self._by_key: dict[tuple[MoneyMove, str | None, str], TestTransaction] = {}
        self._refusing: set[tuple[MoneyMove, str]] = set()
        self._counter = 0

    def refuse(self, kind: MoneyMove, reference: str) -> None:
        """Decline every ``kind`` on this authorization reference from now on."""
        self._refusing.add((kind, reference))

    def allow(self, kind: MoneyMove, reference: str) -> None:
        self._refusing.discard((kind, reference))

    def transactions_for(self, reference: str | None) -> list[TestTransaction]:
        return [t for t in self.transactions if t.reference == reference]

    async def capture(self, reference: str | None, amount_minor: int, idempotency_key: str) -> Settlement:
        return self._move("capture", reference, amount_minor, idempotency_key)

    async def refund(self, reference: str | None, amount_minor: int, idempotency_key: str) -> Settlement:
        return self._move("refund", reference, amount_minor, idempotency_key)

    async def charge_stored(
        self, token: str, amount_minor: int, currency_code: str, idempotency_key: str
    ) -> Settlement:
        if not token.startswith("test-token-"):
            return Declined("The test provider does not know this stored card.", code="unknown_token")
        return self._move("charge", token, amount_minor, idempotency_key)

    def _move(self, kind: MoneyMove, reference: str | None, amount_minor: int, key: str) -> Settlement:
        # Keyed with the reference too: ids (and so keys) restart in every fresh database.
        earlier = self._by_key.get((kind, reference, key))
        if earlier is not None and earlier.settled:
            return Settled(earlier.transaction_id)
        refused = amount_minor < 0 or (
            reference is not None and ((kind, reference) in self._refusing or f"refuse-{kind}" in reference)
        )
        self._counter += 1
        transaction_id = None if refused else f"test-{kind}-{self._counter}"
        done = TestTransaction(kind, reference, amount_minor, key, not refused, transaction_id)
        if len(self.transactions) >= MEMORY:
            # A long-running demo server: forget the older half rather than grow without end.
            forgotten, self.transactions = self.transactions[: MEMORY // 2], self.transactions[MEMORY // 2 :]
            for old in forgotten:
                self._by_key.pop((old.kind, old.reference, old.idempotency_key), None)
        self.transactions.append(done)
        self._by_key[(kind, reference, key)] = done
        if refused:
            return Declined(_DECLINED[kind])
        return Settled(transaction_id)

    async def start(self, request: PaymentRequest) -> Started:
        behaviour = request.behaviour or PaymentBehaviour.SUCCESS
        if behaviour is PaymentBehaviour.SUCCESS:
            return Started(outcome=_authorized(request))
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
        return _authorized(request)
