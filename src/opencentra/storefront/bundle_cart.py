"""Putting a bundle in the selection (Checkout API POST /items/bundles/{item}).

The shopper names the bundle's item and, per section, the component item
that fills it; a section left out takes its only option, and an optional
section left out stays empty. A bundle with other choices is another line;
the same choices again add to the line that has them.
"""

from __future__ import annotations

from collections.abc import Mapping

from opencentra.catalog import bundles
from opencentra.catalog.bundle_models import BundleType
from opencentra.catalog.items import parse_item_id
from opencentra.db.base import utcnow
from opencentra.errors import NotFound, ValidationFailed
from opencentra.selection.models import Selection
from opencentra.selection.services import check_open, new_line_in
from opencentra.storefront.cart import MAX_COMMENT, MAX_QUANTITY, _room, check_quantity
from opencentra.storefront.state import CheckoutState
from opencentra.storefront.storefront import Cart, Change, Storefront, changing

# A bound on the work one request can ask for.
MAX_SECTION_CHOICES = 100


async def add_bundle(
    shop: Storefront,
    visitor: Cart,
    item: str,
    chosen: Mapping[int, str | None],
    quantity: int = 1,
    *,
    comment: str | None = None,
    allow_flexible: bool = True,
) -> CheckoutState:
    """``allow_flexible``: the plugin sells flexible bundles (Centra's plugin setting; fixed ones always)."""
    check_quantity(quantity)
    if comment is not None and len(comment) > MAX_COMMENT:
        raise ValidationFailed(f"comment is longer than {MAX_COMMENT} characters", field="comment")
    if len(chosen) > MAX_SECTION_CHOICES:
        raise ValidationFailed(f"at most {MAX_SECTION_CHOICES} sections", field="sections")
    try:
        display_item_id, product_size_id = parse_item_id(item)
    except ValidationFailed:
        raise NotFound("bundle not found", field="item") from None
    async with changing(shop, visitor) as change:
        row = change.row
        assert row.market_id is not None
        assert row.pricelist_id is not None
        catalogue = await shop.cache.catalogue(change.session, row.store_id, row.market_id, row.pricelist_id)
        product = catalogue.by_display_item.get(display_item_id)
        if product is None or all(size.product_size_id != product_size_id for size in product.items):
            raise NotFound("bundle not found", field="item")
        bundle = await bundles.bundle_of_variant(change.session, product.variant_id)
        if bundle is None:
            raise NotFound("bundle not found", field="item")
        if bundle.type == BundleType.FLEXIBLE and not allow_flexible:
            raise NotFound("flexible bundles are not enabled in this plugin", field="item")
        components = await bundles.choose_components(change.session, row.store_id, product_size_id, chosen)
        selection = await change.selection()
        room = await _room(change, selection, product_size_id, item, display_item_id, quantity)
        if room:
            await _add_line(change, selection, display_item_id, product_size_id, room, components, comment or None)
    return await change.after()


async def _add_line(
    change: Change,
    selection: Selection,
    display_item_id: int,
    product_size_id: int,
    quantity: int,
    components: list[bundles.ChosenComponent],
    comment: str | None,
) -> None:
    check_open(selection)
    same_item = [
        line
        for line in selection.lines
        if (line.display_item_id, line.product_size_id, line.comment) == (display_item_id, product_size_id, comment)
        and line.subscription_plan_id is None
    ]
    recorded = await bundles.choices_of_lines(change.session, [line.id for line in same_item])
    key = bundles.choice_key(components)
    for line in same_item:
        if line.id in recorded and bundles.choice_key(recorded[line.id]) == key:
            line.quantity = min(line.quantity + quantity, MAX_QUANTITY)
            break
    else:
        line = await new_line_in(change.session, selection, display_item_id, product_size_id, quantity, comment=comment)
        await change.session.flush()
        bundles.record_choices(change.session, line.id, components)
    selection.updated_at = utcnow()
    await change.session.flush()
