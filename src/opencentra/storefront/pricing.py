"""Pricing a selection: lines, vouchers, shipping and VAT, through the shared domain rules.

The arithmetic is ``opencentra.pricing.totals.price_selection`` (vouchers,
shipping) and ``opencentra.stores.tax`` (VAT); this module only gathers their
inputs. Views price with the cached catalogue; placing an order and starting
a payment price again from the database (``fresh=True``), so the amount a
shopper pays never comes from a cache.

DTC prices include VAT. The VAT is ``document_vat``, the rule every API
reports an order's VAT with: what the selection charges beyond its items
(shipping, less vouchers) is shared over the items' VAT rates in proportion
to their totals, and VAT is rounded once per rate. The order placed from a
selection therefore reports the VAT the selection showed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog.items import load_items
from opencentra.giftcards.services import GiftLine, gift_line_in
from opencentra.money import round_money
from opencentra.pricing.models import Voucher, VoucherType
from opencentra.pricing.prices import PriceInfo, price_for_variants
from opencentra.pricing.totals import AppliedVoucher, VoucherRule, price_selection
from opencentra.pricing.totals import SelectionLine as TotalsLine
from opencentra.pricing.vouchers import applicable_vouchers
from opencentra.selection.models import Selection, SelectionLine
from opencentra.storefront.bundles import BundleComponentView, bundle_lines
from opencentra.storefront.cache import CheckoutCache
from opencentra.storefront.catalog import CatalogSnapshot, ItemData, ProductData
from opencentra.storefront.reference import CurrencyInfo, StoreReference
from opencentra.stores.options import ShippingOption, shipping_options
from opencentra.stores.services import tax_rates
from opencentra.stores.tax import document_vat
from opencentra.subscriptions.services import PlanInfo, with_plan_discount


@dataclass(frozen=True)
class PricedLine:
    line_id: str
    item: str
    quantity: int
    comment: str | None
    product: ProductData
    size: ItemData
    price: PriceInfo
    tax_bp: int
    total_before_vouchers: Decimal
    voucher_discount: Decimal
    total: Decimal
    voucher_discounts: tuple[tuple[int, Decimal], ...]
    # The subscription plan the line is bought on; its discount is already in ``price``.
    subscription_plan: PlanInfo | None = None
    # A bundle line's components, as chosen.
    bundle: tuple[BundleComponentView, ...] = ()
    # Add-item extras: the page the item was added from, and plugin data.
    product_url: str | None = None
    additional_fields: Mapping[str, Any] | None = None

    @property
    def unit_before_discount(self) -> Decimal:
        return self.price.price_before_discount


@dataclass(frozen=True)
class PricedSelection:
    currency: CurrencyInfo
    lines: tuple[PricedLine, ...]
    # Lines that cannot be sold now (item gone from the market, or no price).
    dropped: tuple[str, ...]
    vouchers: tuple[AppliedVoucher, ...]
    shipping: ShippingOption | None
    items_total: Decimal
    items_before_discount: Decimal
    items_discount: Decimal
    shipping_price: Decimal
    shipping_discount: Decimal
    handling: Decimal
    total_quantity: int
    grand_total: Decimal
    tax: Decimal
    tax_bp: int
    # A gift certificate the selection is buying instead of products (then ``lines`` is empty).
    gift: GiftLine | None = None

    @property
    def total_discount(self) -> Decimal:
        return self.items_discount + self.shipping_discount


@dataclass(frozen=True)
class LineInput:
    line_id: str
    item: str
    quantity: int
    comment: str | None
    product: ProductData
    size: ItemData
    price: PriceInfo
    subscription_plan: PlanInfo | None = None
    bundle: tuple[BundleComponentView, ...] = ()
    # Add-item extras kept on the line (``SelectionLine.product_url``, ``additional_fields``).
    product_url: str | None = None
    additional_fields: Mapping[str, Any] | None = None


def _zero(decimals: int) -> Decimal:
    return round_money(Decimal(0), decimals)


def price_lines(
    lines: Sequence[LineInput],
    vouchers: Sequence[VoucherRule],
    shipping: ShippingOption | None,
    rates: Mapping[int | None, int],
    currency: CurrencyInfo,
    *,
    dropped: Sequence[str] = (),
) -> PricedSelection:
    """Total the lines; pure, so views, payments and orders agree to the cent."""
    decimals = currency.decimals
    totals_lines = [TotalsLine(key=line.line_id, unit_price=line.price.price, quantity=line.quantity) for line in lines]
    # Free shipping thresholds compare with what the items cost after vouchers.
    first = price_selection(totals_lines, vouchers, Decimal(0), decimals)
    items_after = first.items_total - first.items_discount
    minor = int(items_after.scaleb(decimals))
    shipping_price = Decimal(shipping.price_for(minor)).scaleb(-decimals) if shipping else Decimal(0)
    result = price_selection(totals_lines, vouchers, round_money(shipping_price, decimals), decimals)

    priced: list[PricedLine] = []
    for line, totals in zip(lines, result.lines, strict=True):
        rate = rates.get(line.product.tax_group_id, 0)
        priced.append(
            PricedLine(
                line_id=line.line_id,
                item=line.item,
                quantity=line.quantity,
                comment=line.comment,
                product=line.product,
                size=line.size,
                price=line.price,
                tax_bp=rate,
                total_before_vouchers=totals.total_before_discount,
                voucher_discount=totals.discount,
                total=totals.total,
                voucher_discounts=tuple((d.voucher_id, d.amount) for d in totals.discounts),
                subscription_plan=line.subscription_plan,
                bundle=line.bundle,
                product_url=line.product_url,
                additional_fields=line.additional_fields,
            )
        )
    # As the order will keep it: each line at its price before vouchers, and the grand total.
    vat = document_vat(
        {index: (line.total_before_vouchers, line.tax_bp) for index, line in enumerate(priced)},
        result.grand_total,
        decimals,
    )
    before = sum((line.price.price_before_discount * line.quantity for line in lines), _zero(decimals))
    return PricedSelection(
        currency=currency,
        lines=tuple(priced),
        dropped=tuple(dropped),
        vouchers=result.vouchers,
        shipping=shipping,
        items_total=result.items_total,
        items_before_discount=before,
        items_discount=result.items_discount,
        shipping_price=result.shipping_price,
        shipping_discount=result.shipping_discount,
        handling=_zero(decimals),
        total_quantity=result.total_quantity,
        grand_total=result.grand_total,
        tax=vat.vat,
        tax_bp=vat.total.main_rate_bp,
    )


def _size(product: ProductData, product_size_id: int) -> ItemData | None:
    return next((i for i in product.items if i.product_size_id == product_size_id), None)


async def _line_inputs(
    session: AsyncSession,
    lines: Sequence[SelectionLine],
    catalogue: CatalogSnapshot,
    *,
    fresh: bool,
    at: datetime,
) -> tuple[list[LineInput], list[str]]:
    inputs: list[LineInput] = []
    dropped: list[str] = []
    products: dict[str, tuple[SelectionLine, ProductData, ItemData]] = {}
    for line in lines:
        product = catalogue.by_display_item.get(line.display_item_id)
        size = _size(product, line.product_size_id) if product is not None else None
        if product is None or size is None:
            dropped.append(line.line_id)
            continue
        products[line.line_id] = (line, product, size)
    prices: Mapping[int, PriceInfo]
    if fresh and products:
        on_sale = await load_items(session, {size.item for _l, _p, size in products.values()}, catalogue.market_id)
        for line_id, (_line, _product, size) in list(products.items()):
            if size.item not in on_sale:
                dropped.append(line_id)
                del products[line_id]
        variant_ids = {product.variant_id for _l, product, _s in products.values()}
        prices = await price_for_variants(session, catalogue.pricelist_id, catalogue.market_id, variant_ids, at)
    else:
        prices = {p.variant_id: p.price for _l, p, _s in products.values() if p.price is not None}
    # Bundle lines: the components they hold, and what a dynamic bundle costs as chosen.
    # The catalogue knows which products are bundles, so a cart without one asks nothing more.
    bundle_rows = [(line, product.variant_id) for line, product, _s in products.values() if product.bundle_info]
    bundled = (
        await bundle_lines(session, catalogue.store_id, bundle_rows, catalogue.pricelist_id, catalogue.market_id, at)
        if bundle_rows
        else {}
    )
    for line_id, (line, product, size) in products.items():
        bundle = bundled.get(line_id)
        price = bundle.price if bundle is not None and bundle.price is not None else prices.get(product.variant_id)
        if price is None:
            dropped.append(line_id)
            continue
        plan = None
        if line.subscription_plan_id is not None:
            # A plan the display no longer offers leaves the line a one-off purchase.
            plan = next((p for p in product.subscription_plans if p.id == line.subscription_plan_id), None)
            if plan is not None:
                price = with_plan_discount(price, plan)
        components = bundle.components if bundle is not None else ()
        inputs.append(
            LineInput(
                line.line_id,
                size.item,
                line.quantity,
                line.comment,
                product,
                size,
                price,
                plan,
                components,
                product_url=line.product_url,
                additional_fields=line.additional_fields,
            )
        )
    return inputs, dropped


class Lookups:
    """Where pricing reads shipping, tax and voucher rules: the database, or
    (for showing a selection, never for charging it) the per-process cache."""

    def __init__(self, session: AsyncSession, cache: CheckoutCache | None = None) -> None:
        self.session = session
        self.cache = cache

    async def shipping(self, store_id: int, country_id: int, pricelist_id: int, market_id: int) -> list[ShippingOption]:
        async def load() -> list[ShippingOption]:
            return await shipping_options(
                self.session, store_id, country_id=country_id, pricelist_id=pricelist_id, market_id=market_id
            )

        if self.cache is None:
            return await load()
        return await self.cache.remember(("shipping", store_id, country_id, pricelist_id, market_id), load)

    async def tax(self, groups: frozenset[int], country: str, state: str | None) -> dict[int, int]:
        async def load() -> dict[int, int]:
            return await tax_rates(self.session, groups, country, state)

        if self.cache is None:
            return await load()
        return await self.cache.remember(("tax", groups, country, state), load)

    async def vouchers(
        self, store_id: int, market_id: int, currency_id: int, at: datetime, held: list[int]
    ) -> list[VoucherRule]:
        if self.cache is not None and not held and not await self._any_automatic(store_id):
            return []
        return await applicable_vouchers(self.session, store_id, market_id, currency_id, at, voucher_ids=held)

    async def _any_automatic(self, store_id: int) -> bool:
        async def load() -> bool:
            found = await self.session.scalar(
                select(Voucher.id)
                .where(Voucher.store_id == store_id, Voucher.type == VoucherType.AUTO.value, Voucher.active.is_(True))
                .limit(1)
            )
            return found is not None

        assert self.cache is not None
        return await self.cache.remember(("auto-vouchers", store_id), load)


async def price_selection_in(
    session: AsyncSession,
    selection: Selection,
    catalogue: CatalogSnapshot,
    reference: StoreReference,
    *,
    at: datetime,
    fresh: bool = False,
    cache: CheckoutCache | None = None,
) -> PricedSelection:
    """Price a selection (its lines and vouchers loaded) where it is now.

    ``fresh`` reads prices, shipping, tax and vouchers from the database (for
    payments and orders); otherwise the catalogue snapshot and, given a
    ``cache``, its memoized rules are used (for showing the selection).
    """
    lookups = Lookups(session, None if fresh else cache)
    currency = reference.currency_of(selection.pricelist_id)
    inputs, dropped = await _line_inputs(session, selection.lines, catalogue, fresh=fresh, at=at)
    held = [v.voucher_id for v in selection.vouchers]
    vouchers = await lookups.vouchers(selection.store_id, selection.market_id, currency.id, at, held)
    shipping = None
    rates: dict[int | None, int] = {}
    country = reference.countries.get(selection.country_id) if selection.country_id else None
    if country is not None:
        options = await lookups.shipping(selection.store_id, country.id, selection.pricelist_id, selection.market_id)
        shipping = next((o for o in options if o.shipping_method_id == selection.shipping_method_id), None)
        groups = frozenset(line.product.tax_group_id for line in inputs if line.product.tax_group_id is not None)
        if groups:
            for group_id, rate in (await lookups.tax(groups, country.code, selection.state)).items():
                rates[group_id] = rate
    priced = price_lines(inputs, vouchers, shipping, rates, currency, dropped=dropped)
    if not selection.lines:
        gift = await gift_line_in(session, selection.id, currency.decimals)
        if gift is not None and gift.currency_id == currency.id:
            return priced_gift(gift, currency)
    return priced


def priced_gift(gift: GiftLine, currency: CurrencyInfo) -> PricedSelection:
    """A selection buying a gift certificate: its amount is the total. No shipping (nothing
    ships), no vouchers, and no VAT (a multi-purpose voucher is taxed when it is spent)."""
    zero = _zero(currency.decimals)
    return PricedSelection(
        currency=currency,
        lines=(),
        dropped=(),
        vouchers=(),
        shipping=None,
        items_total=gift.amount,
        items_before_discount=gift.amount,
        items_discount=zero,
        shipping_price=zero,
        shipping_discount=zero,
        handling=zero,
        total_quantity=1,
        grand_total=gift.amount,
        tax=zero,
        tax_bp=0,
        gift=gift,
    )
