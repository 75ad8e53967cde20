"""The test provider's captures and refunds: settled, remembered, idempotent, refusable."""

from __future__ import annotations

from opencentra.payments import Declined, Settled
from opencentra.payments.test_provider import TestProvider


async def test_captures_and_refunds_are_settled_and_remembered() -> None:
    provider = TestProvider()
    captured = await provider.capture("auth-1", 12_500, "capture:shipment:1")
    refunded = await provider.refund("auth-1", 2_500, "refund:1")
    assert captured == Settled("test-capture-1")
    assert refunded == Settled("test-refund-2")
    assert [(t.kind, t.amount_minor, t.settled) for t in provider.transactions_for("auth-1")] == [
        ("capture", 12_500, True),
        ("refund", 2_500, True),
    ]


async def test_the_same_key_answers_the_same_and_is_remembered_once() -> None:
    provider = TestProvider()
    first = await provider.capture("auth-2", 100, "capture:shipment:7")
    again = await provider.capture("auth-2", 100, "capture:shipment:7")
    assert first == again
    assert len(provider.transactions) == 1


async def test_refusals_by_reference_or_by_switch() -> None:
    provider = TestProvider()
    assert isinstance(await provider.capture("psp-refuse-capture", 100, "k1"), Declined)
    assert isinstance(await provider.capture("psp-refuse-refund", 100, "k2"), Settled)
    assert isinstance(await provider.refund("psp-refuse-refund", 100, "k3"), Declined)
    provider.refuse("capture", "auth-3")
    declined = await provider.capture("auth-3", 100, "k4")
    assert isinstance(declined, Declined) and "capture" in declined.message
    # A declined attempt may be retried with the same key once the provider agrees.
    provider.allow("capture", "auth-3")
    assert isinstance(await provider.capture("auth-3", 100, "k4"), Settled)
    assert [t.settled for t in provider.transactions_for("auth-3")] == [False, True]
