"""Item ``stock`` as a number, for plugins set to show it that way (``stock_as_number``).

Centra's Checkout API prints an item's ``stock`` as ``"yes"``/``"no"`` or, if
the plugin is configured so, as the number of units a shopper can buy. The
product shape always renders the flag; for the plugins that want numbers the
finished product bodies are rewritten here, so the default path pays nothing.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from opencentra.api.context import context_from_scope
from opencentra.catalog import parse_item_id
from opencentra.errors import DomainError
from opencentra.integration import CheckoutSettings
from opencentra.storefront import StockSnapshot


def wants_numbers(request: Request) -> bool:
    settings = context_from_scope(request.scope).plugin.settings
    return isinstance(settings, CheckoutSettings) and settings.stock_as_number


def _size_of(item: str) -> int | None:
    try:
        return parse_item_id(item)[1]
    except (DomainError, ValueError):
        return None


def with_stock_numbers(body: dict[str, Any], stock: StockSnapshot) -> None:
    """Replace ``"yes"``/``"no"`` by free units (never below 0) in a product body and its full related products."""
    for item in body.get("items", ()):
        size_id = _size_of(item["item"])
        if size_id is not None:
            item["stock"] = max(stock.units(size_id), 0)
    for related in body.get("relatedProducts", ()):
        if "items" in related:
            with_stock_numbers(related, stock)
