"""Per-type settings of API plugins, validated strictly.

A setting of the wrong type or an unknown setting is refused with the field's
name, so a typo in an admin form or on the command line never silently does
nothing.
"""

from __future__ import annotations

import enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from opencentra.errors import ValidationFailed
from opencentra.integration.models import PluginType


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CheckoutSettings(_Settings):
    """Checkout API plugin (hybrid client/server mode)."""

    # Empty means origins are not checked, as in Centra.
    allowed_origins: tuple[str, ...] = ()
    # Markets this plugin sells in; empty means all markets of the store.
    markets: tuple[int, ...] = ()
    # Frontend base URL used in password-reset links.
    frontend_url: str | None = None
    allow_flexible_bundles: bool = False
    # Days an anonymous selection (and its session) is kept.
    session_days: int = Field(default=30, ge=1, le=3650)
    # Item ``stock`` as the number of units a shopper can buy instead of "yes"/"no".
    stock_as_number: bool = False


class ShopSettings(_Settings):
    """Shop API plugin (stateless server mode, selections by id)."""

    markets: tuple[int, ...] = ()
    # Where changed ids are POSTed (opencentra.webhooks.shop_push; docs/compatibility/shop-api.md, "Push URL").
    push_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://[^\s]+$")


class BundleMode(enum.IntEnum):
    """How bundles appear in Order API responses (Centra's four modes)."""

    ONLY_CONTAINING_ITEMS = 1
    CONTAINING_ITEMS_IN_BUNDLES = 2
    ONLY_BUNDLES = 3
    BUNDLES_AND_CONTAINING_ITEMS = 4


class OrderSettings(_Settings):
    """Order API plugin (WMS/ERP). Names follow the spec's settings table."""

    markets: tuple[int, ...] = ()
    additional_stores: tuple[int, ...] = ()
    # Order statuses the plugin returns (Centra codes 0-6).
    order_statuses: tuple[int, ...] = (1, 2, 3, 4)
    include_hold_and_waiting_for_payment: bool = False
    newest_first: bool = True
    primary_warehouse: int | None = None
    virtual_warehouses: tuple[int, ...] = ()
    supplier_delivery_warehouse: int | None = None
    allow_order_create: bool = False
    # Stored as JSON numbers, which strict mode would not turn back into the enum.
    bundles_in_orders: BundleMode = Field(default=BundleMode.CONTAINING_ITEMS_IN_BUNDLES, strict=False)
    bundles_in_shipments: BundleMode = Field(default=BundleMode.CONTAINING_ITEMS_IN_BUNDLES, strict=False)
    # None allows every endpoint; otherwise only those named ("GET /orders").
    allowed_endpoints: tuple[str, ...] | None = None
    # "physical" (default) or "available": what POST /stock sets.
    stock_update_target: str = Field(default="physical", pattern="^(physical|available)$")
    capture_on_shipment: bool = True


class SubscriptionSettings(_Settings):
    """The old Subscription API plugin, kept for compatibility."""

    markets: tuple[int, ...] = ()
    default_interval_days: int = Field(default=14, ge=1, le=3650)


class WebhookSettings(_Settings):
    """Centra Webhook plugin: where events are POSTed (opencentra.webhooks; docs/compatibility/webhooks.md)."""

    # http(s) only; ports 80 and 443 only, and no private address, unless OPENCENTRA_WEBHOOKS_ALLOW_PRIVATE.
    url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://[^\s]+$")
    # Object types sent (Centra's event triggers: order, shipment, customer, account, return, ...); empty: none.
    events: tuple[str, ...] = ()
    timeout_seconds: int = Field(default=5, ge=1, le=30)
    # Further attempts after the first failed one (Centra: up to 3).
    retries: int = Field(default=3, ge=0, le=10)


PluginSettings = CheckoutSettings | ShopSettings | OrderSettings | SubscriptionSettings | WebhookSettings

SETTINGS_BY_TYPE: dict[PluginType, type[_Settings]] = {
    PluginType.CHECKOUT: CheckoutSettings,
    PluginType.SHOP: ShopSettings,
    PluginType.ORDER: OrderSettings,
    PluginType.SUBSCRIPTION: SubscriptionSettings,
    PluginType.WEBHOOK: WebhookSettings,
}


def _json_ready(raw: dict[str, Any]) -> dict[str, Any]:
    # Settings arrive from JSON (lists) but the models hold tuples; strict mode
    # would refuse a list for a tuple, which is not a type error to a user.
    return {key: tuple(value) if isinstance(value, list) else value for key, value in raw.items()}


def parse_settings(plugin_type: PluginType | str, raw: dict[str, Any] | None) -> PluginSettings:
    """Validate settings for a plugin type; raise ``ValidationFailed`` naming the field."""
    try:
        kind = PluginType(plugin_type)
    except ValueError:
        allowed = ", ".join(t.value for t in PluginType)
        raise ValidationFailed(f"unknown plugin type {plugin_type!r}; use one of {allowed}", field="type") from None
    if raw is not None and not isinstance(raw, dict):
        raise ValidationFailed("settings must be an object", field="settings")
    model = SETTINGS_BY_TYPE[kind]
    try:
        parsed = model.model_validate(_json_ready(raw or {}))
    except ValidationError as exc:
        first = exc.errors()[0]
        location = ".".join(str(part) for part in first["loc"]) or "settings"
        raise ValidationFailed(f"setting {location!r}: {first['msg']}", field=f"settings.{location}") from None
    assert isinstance(parsed, CheckoutSettings | ShopSettings | OrderSettings | SubscriptionSettings | WebhookSettings)
    return parsed


def settings_to_json(settings: PluginSettings) -> dict[str, Any]:
    return settings.model_dump(mode="json")
