"""Selection lines bought on a subscription plan.

POST /items/{item} with ``subscriptionPlan`` adds units on a plan the item's
display offers; PUT /lines/{line}/subscription-plan/{plan} puts a line on a
plan (or another one) and DELETE .../subscription-plan makes it a one-off
purchase again. A line on a plan is its own line: units of the same item on
another plan, or on none, are other lines. The plan's discount comes off the
line's unit price in the shared pricing (``checkout.pricing``).
"""

from __future__ import annotations

from opencentra.catalog.items import parse_item_id
from opencentra.db.base import utcnow
from opencentra.errors import NotFound, ValidationFailed
from opencentra.integers import parse_int
from opencentra.selection.models import Selection
from opencentra.selection.services import add_line_in, check_open, find_line
from opencentra.storefront.cart import MAX_COMMENT, _room, check_quantity, with_line
from opencentra.storefront.catalog import ProductData
from opencentra.storefront.state import CheckoutState
from opencentra.storefront.storefront import Cart, Change, Storefront, changing


def plan_id_of(key: str | int) -> int:
    """A plan id from the path or body; anything else is an unknown plan."""
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    number = parse_int(str(key))
    if number is None:
        raise NotFound("not found", field="subscriptionPlan")
    return number


async def _product(change: Change, display_item_id: int) -> ProductData | None:
    row = change.row
    assert row.market_id is not None
    assert row.pricelist_id is not None
    catalogue = await change.shop.cache.catalogue(change.session, row.store_id, row.market_id, row.pricelist_id)
    return catalogue.by_display_item.get(display_item_id)


def _offered(product: ProductData | None, plan_id: int) -> None:
    if product is None or all(plan.id != plan_id for plan in product.subscription_plans):
        raise NotFound("not found", field="subscriptionPlan")


async def add_item_on_plan(
    shop: Storefront,
    cart: Cart,
    item: str,
    plan_key: str | int,
    quantity: int = 1,
    *,
    comment: str | None = None,
) -> CheckoutState:
    """Add units of an item bought on a subscription plan its display offers."""
    check_quantity(quantity)
    if comment is not None and len(comment) > MAX_COMMENT:
        raise ValidationFailed(f"comment is longer than {MAX_COMMENT} characters", field="comment")
    plan_id = plan_id_of(plan_key)
    display_item_id, product_size_id = parse_item_id(item)
    async with changing(shop, cart) as change:
        product = await _product(change, display_item_id)
        if product is None or all(size.product_size_id != product_size_id for size in product.items):
            raise NotFound("product item not found", field="item")
        _offered(product, plan_id)
        selection = await change.selection()
        room = await _room(change, selection, product_size_id, item, display_item_id, quantity)
        added = None
        if room:
            added = await add_line_in(
                change.session,
                selection,
                display_item_id,
                product_size_id,
                room,
                comment=comment or None,
                subscription_plan_id=plan_id,
            )
    return with_line(await change.after(), added.line_id if added is not None else None)


async def _line_selection(change: Change) -> Selection:
    selection = await change.current_selection()
    if selection is None:
        raise NotFound("line not found", field="line")
    return selection


async def set_line_plan(shop: Storefront, cart: Cart, line_id: str, plan_key: str | int) -> CheckoutState:
    """PUT /lines/{line}/subscription-plan/{plan}: the line's units are now bought on this plan."""
    async with changing(shop, cart) as change:
        selection = await _line_selection(change)
        line = find_line(selection, line_id)
        check_open(selection)
        plan_id = plan_id_of(plan_key)
        _offered(await _product(change, line.display_item_id), plan_id)
        line.subscription_plan_id = plan_id
        selection.updated_at = utcnow()
        await change.session.flush()
    return await change.after()


async def remove_line_plan(shop: Storefront, cart: Cart, line_id: str) -> CheckoutState:
    """DELETE /lines/{line}/subscription-plan: a one-off purchase again (fine if it had no plan)."""
    async with changing(shop, cart) as change:
        selection = await _line_selection(change)
        line = find_line(selection, line_id)
        check_open(selection)
        if line.subscription_plan_id is not None:
            line.subscription_plan_id = None
            selection.updated_at = utcnow()
            await change.session.flush()
    return await change.after()
