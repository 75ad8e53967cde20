"""Payment providers behind one seam.

A provider turns a payment request into an action for the shopper's browser
(redirect, form, javascript, or an immediate answer) and later verifies what
came back on the return page. A provider that also keeps stored methods
(``StoredPaymentProvider``, found by ``stored_provider_for``) tokenises one at
the first payment (``Authorized.stored_token``) and charges it later without
the shopper (``charge_stored``, idempotent by key). ``providers.provider_for(name)`` finds one; the
built-in ``test`` provider answers as its payment method's behaviour says,
and captures and refunds whatever it is asked unless told to refuse.
"""

from opencentra.payments.provider import (
    Authorized,
    Declined,
    FormAction,
    JavascriptAction,
    PaymentAction,
    PaymentOutcome,
    PaymentProvider,
    PaymentRequest,
    RedirectAction,
    Settled,
    Settlement,
    Started,
    StoredPaymentProvider,
)
from opencentra.payments.registry import UnknownProvider, provider_for, register_provider, stored_provider_for

__all__ = [
    "Authorized",
    "Declined",
    "FormAction",
    "JavascriptAction",
    "PaymentAction",
    "PaymentOutcome",
    "PaymentProvider",
    "PaymentRequest",
    "RedirectAction",
    "Settled",
    "Settlement",
    "Started",
    "StoredPaymentProvider",
    "UnknownProvider",
    "provider_for",
    "register_provider",
    "stored_provider_for",
]
