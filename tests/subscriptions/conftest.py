"""The Checkout API shop and browser, reused: subscriptions are bought through the storefront."""

import pytest
from tests.api.checkout.conftest import (  # noqa: F401  (fixtures, registered by import)
    _cheap_password_hashing,
    _fresh_caches,
    browser,
    shop,
)

from opencentra import app as app_module


@pytest.fixture(autouse=True)
def _no_background_renewals(monkeypatch: pytest.MonkeyPatch) -> None:
    """The apps these tests start run no renewal loop of their own: the tests run renewals at the
    moments they choose (a test of the loop puts the real one back)."""
    monkeypatch.setattr(app_module, "start_renewal_runner", lambda *args, **kwargs: None)
