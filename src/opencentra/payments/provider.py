"""The provider seam: what a payment provider is asked, and what it may answer.

The checkout calls ``start`` when the shopper submits the payment step and
``verify`` with the fields the shopper's browser brought back from the
provider's page. A provider keeps whatever it needs between the two in
``Started.state`` (the checkout stores it with the payment attempt), so a
provider needs no tables of its own.

After the order exists, the order domain calls ``capture`` when a shipment
is captured and ``refund`` when a return (or a goodwill refund) pays money
back, each with the authorization's reference and an idempotency key that is
the same every time the same operation is asked for. The answer is
``Settled`` (the money moved; its transaction id) or ``Declined`` (nothing
moved). The order domain records a ``PaymentTransaction`` only for a
settled operation, so a declined capture leaves the order as it was.

Stored payment methods (subscriptions): a provider that can charge a shopper
again without them answers an authorization with ``Authorized.stored_token``,
its recurring reference for the method (tokenised at the first payment). A
``StoredPaymentProvider`` then takes merchant-initiated charges on that token
with ``charge_stored``, idempotent by key like ``capture``. Providers without
it are still ``PaymentProvider``s; subscriptions refuse them by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from opencentra.stores.models import PaymentBehaviour


@dataclass(frozen=True)
class PaymentRequest:
    """One attempt to pay for a selection."""

    # Our reference for the attempt: 32 hex characters, unique.
    reference: str
    selection: str
    amount_minor: int
    currency_code: str
    currency_decimals: int
    method_uri: str
    return_url: str
    failed_url: str
    # Only the test provider reads this.
    behaviour: PaymentBehaviour | None = None
    email: str | None = None


@dataclass(frozen=True)
class RedirectAction:
    url: str


@dataclass(frozen=True)
class FormAction:
    html: str
    fields: Mapping[str, str]
    url: str


@dataclass(frozen=True)
class JavascriptAction:
    code: str
    fields: Mapping[str, str]


@dataclass(frozen=True)
class Authorized:
    """The money is authorized; ``reference`` is the provider's transaction id."""

    reference: str
    # The provider's token for charging this method again (merchant-initiated), if it keeps one.
    # Not part of equality: the authorization is the same whether or not the method was kept.
    stored_token: str | None = field(default=None, compare=False)
    # What the shopper sees for the stored method ("Visa ending 4242").
    stored_label: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Declined:
    """The provider said no. ``code`` is machine-readable (``failed``, ``COUNTRY_MISMATCH``)."""

    message: str
    code: str = "failed"


@dataclass(frozen=True)
class Settled:
    """A capture or refund went through; ``reference`` is the provider's transaction id, if it gives one."""

    reference: str | None = None


PaymentAction = RedirectAction | FormAction | JavascriptAction
PaymentOutcome = Authorized | Declined
# What ``capture`` and ``refund`` answer.
Settlement = Settled | Declined


@dataclass(frozen=True)
class Started:
    """What ``start`` answers: an action for the browser, or already an outcome.

    ``state`` is kept with the attempt and handed back to ``verify``; it must
    be JSON-serialisable and should hold hashes rather than secrets.
    """

    action: PaymentAction | None = None
    outcome: PaymentOutcome | None = None
    state: Mapping[str, Any] = field(default_factory=dict)


class PaymentProvider(Protocol):
    name: str

    async def start(self, request: PaymentRequest) -> Started: ...

    async def verify(
        self, request: PaymentRequest, state: Mapping[str, Any], fields: Mapping[str, str]
    ) -> PaymentOutcome: ...

    async def capture(self, reference: str | None, amount_minor: int, idempotency_key: str) -> Settlement:
        """Take ``amount_minor`` of the authorization ``reference``; asked again with the same key, answer the same."""
        ...

    async def refund(self, reference: str | None, amount_minor: int, idempotency_key: str) -> Settlement:
        """Pay ``amount_minor`` of what was captured under ``reference`` back; idempotent by key."""
        ...


@runtime_checkable
class StoredPaymentProvider(Protocol):
    """A provider that charges a stored method without the shopper (renewals)."""

    name: str

    async def charge_stored(
        self, token: str, amount_minor: int, currency_code: str, idempotency_key: str
    ) -> Settlement:
        """Charge ``amount_minor`` to the stored method; asked again with the same key, answer the same."""
        ...
