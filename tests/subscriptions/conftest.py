"""The Checkout API shop and browser, reused: subscriptions are bought through the storefront."""

from dataclasses import replace
from typing import Any

import pytest
from tests.api.checkout.conftest import (  # noqa: F401  (fixtures, registered by import)
    _cheap_password_hashing,
    _fresh_caches,
    browser,
    shop,
)

from opencentra import app as app_module
from opencentra.config import Settings
from opencentra.db.engine import Database
from opencentra.worker import Loops, start_loops


def _loops_without_renewals(db: Database, settings: Settings, **kwargs: Any) -> Loops:
    return start_loops(db, replace(settings, renewal_seconds=0), **kwargs)


@pytest.fixture(autouse=True)
def _no_background_renewals(monkeypatch: pytest.MonkeyPatch) -> None:
    """The apps these tests start run no renewal loop of their own: the tests run renewals at the
    moments they choose (a test of the loop puts the real one back)."""
    monkeypatch.setattr(app_module, "start_loops", _loops_without_renewals)
