"""A bundle line's components on the wire (a selection item's ``bundle``), as the Checkout API and
the Shop API both write them: ``[{section, item, product, quantity}]``, the product id as a string.
Shared plumbing: adapters may not import each other."""

from __future__ import annotations

from typing import Any

from opencentra.storefront import BundleComponentView


def bundle_items_body(components: tuple[BundleComponentView, ...]) -> list[dict[str, Any]]:
    return [
        {
            "section": component.section_id,
            "item": component.item,
            "product": str(component.display_item_id) if component.display_item_id is not None else None,
            "quantity": component.quantity,
        }
        for component in components
    ]
