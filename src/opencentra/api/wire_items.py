"""An add-item body as Centra's webshop APIs take it, handed to the storefront's ``cart.add_item``.

``POST /items/{item}`` (Checkout API) and ``POST /selections/{id}/items/{item}`` (Shop API) take the
same optional body: ``comment``, ``productUrl`` and ``additionalFields`` (the latter two kept on the
line and shown there). Shared plumbing: adapters may not import each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from opencentra import storefront
from opencentra.storefront import CheckoutState, SelectionKey, Storefront, Visitor


class ItemWire(Protocol):
    @property
    def comment(self) -> str | None: ...
    @property
    def productUrl(self) -> str | None: ...  # noqa: N802 - Centra's field name
    @property
    def additionalFields(self) -> Mapping[str, Any] | None: ...  # noqa: N802


async def add_item(
    shop: Storefront, cart: Visitor | SelectionKey, item: str, quantity: int, body: ItemWire | None
) -> CheckoutState:
    if body is None:
        return await storefront.cart.add_item(shop, cart, item, quantity)
    return await storefront.cart.add_item(
        shop,
        cart,
        item,
        quantity,
        comment=body.comment,
        product_url=body.productUrl,
        additional_fields=body.additionalFields,
    )
