"""The built-in test provider: one behaviour per payment method, verified returns."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from opencentra.errors import ValidationFailed
from opencentra.payments import (
    Authorized,
    Declined,
    FormAction,
    JavascriptAction,
    PaymentRequest,
    RedirectAction,
    provider_for,
    register_provider,
)
from opencentra.payments.test_provider import TestProvider
from opencentra.stores.models import PaymentBehaviour


def _request(
    behaviour: PaymentBehaviour | None, *, return_url: str = "https://shop.example/back?x=1"
) -> PaymentRequest:
    return PaymentRequest(
        reference="a" * 32,
        selection="b" * 32,
        amount_minor=12_345,
        currency_code="SEK",
        currency_decimals=2,
        method_uri="test",
        return_url=return_url,
        failed_url="https://shop.example/failed",
        behaviour=behaviour,
    )


async def test_success_and_decline_answer_at_once() -> None:
    provider = TestProvider()
    for behaviour in (PaymentBehaviour.SUCCESS, None):
        started = await provider.start(_request(behaviour))
        assert started.action is None
        assert started.outcome == Authorized(reference=f"test-{'a' * 32}")
    declined = await provider.start(_request(PaymentBehaviour.DECLINE))
    assert isinstance(declined.outcome, Declined)
    assert declined.outcome.code == "failed"


async def test_redirect_form_and_javascript_come_back_signed() -> None:
    provider = TestProvider()
    request = _request(PaymentBehaviour.REDIRECT)
    redirect = await provider.start(request)
    assert isinstance(redirect.action, RedirectAction)
    url = urlsplit(redirect.action.url)
    assert (url.netloc, url.path) == ("shop.example", "/back")
    fields = dict(parse_qsl(url.query))
    assert fields["x"] == "1"
    assert fields["reference"] == request.reference
    # Only a hash of the one-time signature is kept.
    assert fields["signature"] not in str(redirect.state)
    assert await provider.verify(request, redirect.state, fields) == Authorized(f"test-{'a' * 32}")
    for bad in ({**fields, "signature": "0" * 40}, {**fields, "reference": "c" * 32}, {}, {"signature": ""}):
        assert isinstance(await provider.verify(request, redirect.state, bad), Declined)
    assert isinstance(await provider.verify(request, {}, fields), Declined)

    form = await provider.start(_request(PaymentBehaviour.FORM, return_url='https://shop.example/"><script>'))
    assert isinstance(form.action, FormAction)
    assert "<script>document" in form.action.html
    assert '"><script>' not in form.action.html  # the return URL is escaped
    assert await provider.verify(request, form.state, form.action.fields) == Authorized(f"test-{'a' * 32}")

    script = await provider.start(_request(PaymentBehaviour.JAVASCRIPT))
    assert isinstance(script.action, JavascriptAction)
    assert script.action.code.startswith("window.location.assign(")
    assert await provider.verify(request, script.state, script.action.fields) == Authorized(f"test-{'a' * 32}")


def test_the_registry() -> None:
    assert isinstance(provider_for("test"), TestProvider)
    with pytest.raises(ValidationFailed) as unknown:
        provider_for("adyen")
    assert unknown.value.field == "paymentMethod"

    class Other(TestProvider):
        name = "other"

    register_provider(Other())
    assert isinstance(provider_for("other"), Other)
