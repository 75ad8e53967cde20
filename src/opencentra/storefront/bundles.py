"""Bundles as the Checkout API shows and prices them.

``bundleInfo`` on products comes from ``catalogue_bundle_infos`` (built with
the catalogue snapshot); the components a selection line of a bundle holds,
and the price of a dynamic bundle as chosen, from ``bundle_lines``.
Placing an order turns each bundle line into its component lines through
``order_plans`` and ``opencentra.orders.bundle_lines``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog import bundles
from opencentra.catalog.bundle_models import Bundle, BundlePriceType
from opencentra.catalog.models import Display, DisplayItem
from opencentra.errors import NotFound, ValidationFailed
from opencentra.pricing import bundle_prices
from opencentra.pricing.prices import PriceInfo, pricelist_currency
from opencentra.selection.models import SelectionLine


@dataclass(frozen=True)
class BundleComponentView:
    section_id: int
    item: str | None
    display_item_id: int | None
    product_size_id: int
    quantity: int


@dataclass(frozen=True)
class BundleSectionInfo:
    section_id: int
    quantity: int
    optional: bool
    # Display item ids (the API's product ids) that can fill the section in this store.
    products: tuple[int, ...]


@dataclass(frozen=True)
class BundleInfoData:
    bundle_id: int
    type: str
    price_type: str
    discount_bp: int
    sections: tuple[BundleSectionInfo, ...]
    # None when a price it needs is missing from the pricelist.
    min_price: Decimal | None
    max_price: Decimal | None
    min_before: Decimal | None
    max_before: Decimal | None
    items_price: Decimal | None


async def catalogue_bundle_infos(
    session: AsyncSession, store_id: int, market_id: int, pricelist_id: int, variant_ids: Iterable[int], at: datetime
) -> dict[int, BundleInfoData]:
    """``bundleInfo`` of the bundles among these variants, keyed by the bundle's variant id."""
    found = await bundles.bundles_of_variants(session, variant_ids)
    if not found:
        return {}
    option_variants = {o.variant_id for b in found.values() for s in b.sections for o in s.options}
    items: dict[int, list[int]] = {}
    if option_variants:
        rows = await session.execute(
            select(DisplayItem.variant_id, DisplayItem.id)
            .join(Display, Display.id == DisplayItem.display_id)
            .where(Display.store_id == store_id, Display.active.is_(True), DisplayItem.variant_id.in_(option_variants))
            .order_by(DisplayItem.id)
        )
        for variant_id, item_id in rows:
            items.setdefault(variant_id, []).append(item_id)
    ranges = await bundle_prices.price_ranges(session, found.values(), pricelist_id, market_id, at)
    decimals = (await pricelist_currency(session, pricelist_id)).decimals

    def amount(minor: int | None) -> Decimal | None:
        return None if minor is None else Decimal(minor).scaleb(-decimals)

    infos: dict[int, BundleInfoData] = {}
    for variant_id, bundle in found.items():
        price = ranges.get(bundle.id)
        infos[variant_id] = BundleInfoData(
            bundle_id=bundle.id,
            type=bundle.type,
            price_type=bundle.price_type,
            discount_bp=bundle.discount_bp,
            sections=tuple(
                BundleSectionInfo(
                    section_id=section.id,
                    quantity=section.quantity,
                    optional=section.optional,
                    products=tuple(i for o in section.options for i in items.get(o.variant_id, ())),
                )
                for section in bundle.sections
            ),
            min_price=amount(price.min_minor) if price else None,
            max_price=amount(price.max_minor) if price else None,
            min_before=amount(price.min_before_minor) if price else None,
            max_before=amount(price.max_before_minor) if price else None,
            items_price=amount(price.items_minor) if price else None,
        )
    return infos


@dataclass(frozen=True)
class BundleLineData:
    components: tuple[BundleComponentView, ...]
    # Dynamic bundles: the price as chosen (None: a component has no price, or the bundle is static).
    price: PriceInfo | None


def _views(components: Sequence[bundles.ChosenComponent]) -> tuple[BundleComponentView, ...]:
    return tuple(
        BundleComponentView(c.section_id, c.item, c.display_item_id, c.product_size_id, c.quantity) for c in components
    )


async def _components_of(
    session: AsyncSession, store_id: int, line: SelectionLine, chosen: Mapping[int, list[bundles.ChosenComponent]]
) -> list[bundles.ChosenComponent] | None:
    """What a bundle line holds: its recorded choices, else (added as a plain item) the default ones."""
    if line.id in chosen:
        return chosen[line.id]
    try:
        return await bundles.choose_components(session, store_id, line.product_size_id, {})
    except (ValidationFailed, NotFound):
        return None


async def bundle_lines(
    session: AsyncSession,
    store_id: int,
    lines: Sequence[tuple[SelectionLine, int]],
    pricelist_id: int,
    market_id: int,
    at: datetime,
) -> dict[str, BundleLineData]:
    """For the bundle lines among (selection line, product variant id): components, and dynamic prices."""
    found = await bundles.bundles_of_variants(session, {variant_id for _line, variant_id in lines})
    if not found:
        return {}
    bundle_rows = [(line, found[variant_id]) for line, variant_id in lines if variant_id in found]
    chosen = await bundles.choices_of_lines(session, [line.id for line, _b in bundle_rows])
    currency = await pricelist_currency(session, pricelist_id)
    result: dict[str, BundleLineData] = {}
    for line, bundle in bundle_rows:
        components = await _components_of(session, store_id, line, chosen)
        if components is None:
            result[line.line_id] = BundleLineData((), None)
            continue
        price = None
        if bundle.price_type == BundlePriceType.DYNAMIC:
            price = _price_info(
                bundle,
                await bundle_prices.line_price(session, bundle, components, pricelist_id, market_id, at),
                currency.decimals,
            )
        result[line.line_id] = BundleLineData(_views(components), price)
    return result


def _price_info(bundle: Bundle, price: bundles.BundleLinePrice | None, decimals: int) -> PriceInfo | None:
    if price is None:
        return None
    before = max(price.before_minor, price.unit_minor)
    return PriceInfo(
        variant_id=bundle.variant_id,
        price=Decimal(price.unit_minor).scaleb(-decimals),
        price_before_discount=Decimal(before).scaleb(-decimals),
        price_minor=price.unit_minor,
        price_before_discount_minor=before,
        currency_decimals=decimals,
        campaign=None,
        show_as_on_sale=price.unit_minor < before,
        show_as_new=False,
    )


async def order_plans(
    session: AsyncSession,
    store_id: int,
    market_id: int,
    pricelist_id: int,
    lines: Sequence[tuple[SelectionLine, int, int, int]],
    at: datetime,
) -> dict[int, bundles.BundleOrderPlan]:
    """Plans for the bundle lines among (selection line, variant id, unit price paid, draft index)."""
    found = await bundles.bundles_of_variants(session, {variant_id for _l, variant_id, _p, _i in lines})
    if not found:
        return {}
    rows = [(line, found[v], paid, index) for line, v, paid, index in lines if v in found]
    chosen = await bundles.choices_of_lines(session, [line.id for line, _b, _p, _i in rows])
    plans: dict[int, bundles.BundleOrderPlan] = {}
    for line, bundle, paid, index in rows:
        components = chosen.get(line.id)
        if components is None:
            components = await bundles.choose_components(session, store_id, line.product_size_id, {})
        price = await bundle_prices.line_price(session, bundle, components, pricelist_id, market_id, at)
        if price is None:
            price = bundles.BundleLinePrice(paid, paid, tuple((0, 0) for _c in components))
        # What the shopper pays (after campaigns and plan discounts) is what the components share.
        price = bundles.BundleLinePrice(paid, price.before_minor, price.components)
        plans[index] = bundles.plan_order_lines(bundle, line.quantity, price, components)
    return plans
