"""Orders with bundles: a bundle line becomes its own order line plus one line per component.

The caller drafts a bundle like any line (its price is the bundle's price)
and passes a plan per bundle line; ``insert_order_with_bundles`` replaces
that line with:

- the bundle line: no stock of its own, priced at what rounding could not put
  on whole component units (usually 0);
- one line per component, taking that component's stock, priced at its share
  of the bundle price in proportion to its own price.

The lines' prices add up to exactly what the shopper paid, and the stock of
every component is allocated by ``insert_order`` in the same transaction (a
conditional UPDATE per stock row), so two buyers never get the last unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog import bundles
from opencentra.catalog.bundles import BundleOrderPlan, link_order_lines_in
from opencentra.catalog.models import ProductSize
from opencentra.db.base import utcnow
from opencentra.errors import OutOfStock, ValidationFailed
from opencentra.inventory.stock_items import load_stock_items
from opencentra.orders.models import Order, OrderLine
from opencentra.orders.orders import LineDraft, OrderDraft, insert_order
from opencentra.pricing import bundle_prices


async def insert_order_with_bundles(
    session: AsyncSession, draft: OrderDraft, plans: Mapping[int, BundleOrderPlan]
) -> Order:
    """``insert_order`` where ``plans`` (by draft line index) turns bundle lines into their components."""
    if not plans:
        return await insert_order(session, draft)
    items = await load_stock_items(session, {c.product_size_id for plan in plans.values() for c in plan.components})
    lines: list[LineDraft] = []
    # draft line index -> (bundle line position, component positions) in the expanded draft
    positions: dict[int, tuple[int, list[int]]] = {}
    origin: dict[int, tuple[int, int]] = {}
    for index, line in enumerate(draft.lines):
        plan = plans.get(index)
        if plan is None:
            origin[len(lines)] = (index, 1)
            lines.append(line)
            continue
        bundle_at = len(lines)
        origin[bundle_at] = (index, 1)
        lines.append(
            replace(
                line,
                product_size_id=None,
                unit_price_minor=plan.residual_unit_minor,
                original_unit_price_minor=plan.residual_unit_minor,
            )
        )
        component_at: list[int] = []
        for component in plan.components:
            item = items.get(component.product_size_id)
            origin[len(lines)] = (index, component.units_per_bundle)
            component_at.append(len(lines))
            lines.append(
                LineDraft(
                    product_name=item.product if item else line.product_name,
                    quantity=line.quantity * component.units_per_bundle,
                    unit_price_minor=component.unit_price_minor,
                    original_unit_price_minor=component.original_unit_price_minor,
                    product_size_id=component.product_size_id,
                    display_item_id=component.display_item_id,
                    variant_name=item.variant if item else None,
                    size_name=item.size if item else None,
                    sku=item.full_sku if item else None,
                    ean=item.ean if item else None,
                    tax_bp=line.tax_bp,
                )
            )
        positions[index] = (bundle_at, component_at)
    try:
        order = await insert_order(session, replace(draft, lines=lines))
    except OutOfStock as short:
        raise _as_draft_lines(short, draft, origin) from None
    for index, (bundle_at, component_at) in positions.items():
        await link_order_lines_in(
            session, order.lines[bundle_at].id, [order.lines[p].id for p in component_at], plans[index]
        )
    return order


def _as_draft_lines(short: OutOfStock, draft: OrderDraft, origin: Mapping[int, tuple[int, int]]) -> OutOfStock:
    """The shortfall told per line of the caller's draft: a short component makes its bundle short."""
    unavailable: list[dict[str, object]] = []
    for entry in short.unavailable:
        position = entry.get("line")
        if not isinstance(position, int) or position not in origin:
            unavailable.append(entry)
            continue
        index, units = origin[position]
        requested, available = entry.get("requested"), entry.get("available")
        line = draft.lines[index]
        if units == 1 and line.product_size_id == entry.get("product_size_id"):
            unavailable.append({**entry, "line": index})
            continue
        unavailable.append(
            {
                **entry,
                "line": index,
                "product_size_id": line.product_size_id,
                "requested": line.quantity,
                "available": (available // units) if isinstance(available, int) else available,
                "component_requested": requested,
            }
        )
    first = unavailable[0]["line"] if unavailable else 0
    return OutOfStock(short.message, field=f"products.{first}", unavailable=unavailable)


def lines_of_draft(order_lines: Sequence[OrderLine], plans: Mapping[int, BundleOrderPlan]) -> list[OrderLine]:
    """Per line of the caller's draft, its order line (a bundle's own line, not its components)."""
    found: list[OrderLine] = []
    position = 0
    while position < len(order_lines):
        plan = plans.get(len(found))
        found.append(order_lines[position])
        position += 1 + (len(plan.components) if plan is not None else 0)
    return found


async def plans_for_drafts(
    session: AsyncSession, store_id: int, market_id: int, pricelist_id: int, lines: Sequence[LineDraft]
) -> dict[int, BundleOrderPlan]:
    """Plans for the draft lines that name a bundle size, with the bundle's default components.

    For orders inserted by an integration (Order API POST /order): it names
    the bundle item only, so each section takes its only option (a flexible
    bundle whose sections offer a choice is refused, naming the line). The
    line's unit price is what the components share.
    """
    sizes = {line.product_size_id for line in lines if line.product_size_id is not None}
    bundle_sizes = await bundles.is_bundle_size(session, sizes)
    if not bundle_sizes:
        return {}
    plans: dict[int, BundleOrderPlan] = {}
    for index, line in enumerate(lines):
        if line.product_size_id not in bundle_sizes:
            continue
        variant_id = await session.scalar(select(ProductSize.variant_id).where(ProductSize.id == line.product_size_id))
        bundle = await bundles.bundle_of_variant(session, variant_id) if variant_id is not None else None
        if bundle is None:  # pragma: no cover - is_bundle_size said it is one
            continue
        try:
            chosen = await bundles.choose_components(session, store_id, line.product_size_id, {})
        except ValidationFailed as error:
            raise ValidationFailed(f"bundle: {error.message}", field=f"products.{index}") from None
        price = await bundle_prices.line_price(session, bundle, chosen, pricelist_id, market_id, utcnow())
        own = price.components if price is not None else tuple((0, 0) for _c in chosen)
        paid = bundles.BundleLinePrice(line.unit_price_minor, line.unit_price_minor, own)
        plans[index] = bundles.plan_order_lines(bundle, line.quantity, paid, chosen)
    return plans
