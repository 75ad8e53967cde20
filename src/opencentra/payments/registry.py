"""Finding the provider for a payment method's ``provider`` name."""

from __future__ import annotations

from opencentra.errors import ValidationFailed
from opencentra.payments.provider import PaymentProvider, StoredPaymentProvider
from opencentra.payments.test_provider import TestProvider

_providers: dict[str, PaymentProvider] = {"test": TestProvider()}


class UnknownProvider(ValidationFailed):
    """A payment method names a provider this server does not run."""


def register_provider(provider: PaymentProvider) -> None:
    """Make a provider available under its ``name`` (replacing one of that name)."""
    _providers[provider.name] = provider


def provider_for(name: str) -> PaymentProvider:
    provider = _providers.get(name)
    if provider is None:
        raise UnknownProvider(f"payment provider {name!r} is not available on this server", field="paymentMethod")
    return provider


def stored_provider_for(name: str) -> StoredPaymentProvider:
    """The provider under ``name`` if it can charge stored methods (merchant-initiated charges)."""
    provider = provider_for(name)
    if not isinstance(provider, StoredPaymentProvider):
        raise UnknownProvider(f"payment provider {name!r} cannot charge a stored payment method", field="paymentMethod")
    return provider
