"""Outbound webhooks: the Centra Webhook plugin's deliveries and the Shop API plugin's push URL
(``shop_push``), fed by the events outbox, each plugin through an outbox consumer of its own.

Entry points (the app's background task, the CLI) call ``deliver_due``; the
rest is the delivery log and manual retry. Details: docs/compatibility/webhooks.md.
"""

from opencentra.webhooks.guard import UnsafeUrl, check_url
from opencentra.webhooks.models import DeliveryStatus
from opencentra.webhooks.services import (
    AttemptView,
    DeliveryView,
    RunResult,
    attempts,
    deliver_due,
    deliveries,
    issue_signing_secret,
    purge_log,
    retry_delivery,
)
from opencentra.webhooks.signing import SIGNATURE_HEADER, signature, verify

__all__ = [
    "SIGNATURE_HEADER",
    "AttemptView",
    "DeliveryStatus",
    "DeliveryView",
    "RunResult",
    "UnsafeUrl",
    "attempts",
    "check_url",
    "deliver_due",
    "deliveries",
    "issue_signing_secret",
    "purge_log",
    "retry_delivery",
    "signature",
    "verify",
]
