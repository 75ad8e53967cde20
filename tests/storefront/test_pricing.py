"""Pricing a selection: the pure arithmetic every answer, payment and order shares."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from opencentra.pricing.models import VoucherType
from opencentra.pricing.prices import PriceInfo
from opencentra.pricing.totals import VoucherRule
from opencentra.storefront.catalog import ItemData, ProductData
from opencentra.storefront.pricing import LineInput, price_lines
from opencentra.storefront.reference import CurrencyInfo
from opencentra.stores.options import ShippingOption

SEK = CurrencyInfo(1, "SEK", "Swedish krona", 2, ".", ",", "", " SEK", 100)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _product(tax_group: int | None) -> ProductData:
    return ProductData(
        display_item_id=1, display_id=1, product_id=1, variant_id=1, name="Tee", uri="tee", sku="T", product_sku="T",
        brand=None, collection=None, variant_name="Black", country_origin="", excerpt="", description="",
        meta_title="", meta_description="", meta_keywords="", stock_unit="", canonical_category=None, categories=(),
        item_quantity_minimum=1, item_quantity_multiple_of=1, tax_group_id=tax_group, price=None, size_x=(),
        size_y=(), divider_symbol="x", items=(), media=(), attributes=(), related=(), created_at=NOW,
        modified_at=NOW, sort_key=(0, 1, 0, 1), search_tokens=frozenset(),
    )  # fmt: skip


def _line(key: str, price: str, quantity: int, tax_group: int | None = 1) -> LineInput:
    minor = int(Decimal(price) * 100)
    info = PriceInfo(1, Decimal(price), Decimal(price), minor, minor, 2, None, False, False)
    size = ItemData("1-1", 1, 1, "M", 0, 0, "", "T")
    return LineInput(key, "1-1", quantity, None, _product(tax_group), size, info)


def test_vat_inside_items_and_shipping() -> None:
    shipping = ShippingOption(1, "Standard", "standard", 5_000, None)
    priced = price_lines([_line("a", "100", 3)], [], shipping, {1: 2500}, SEK)
    assert (priced.items_total, priced.shipping_price, priced.grand_total) == (Decimal(300), Decimal(50), Decimal(350))
    # 25 % VAT inside 350 (shipping takes the items' rate): 70.
    assert priced.tax == Decimal("70.00")
    assert priced.tax_bp == 2500


def test_free_shipping_threshold_counts_after_vouchers() -> None:
    shipping = ShippingOption(1, "Standard", "standard", 5_000, 100_000)
    ten = VoucherRule(1, "10%", VoucherType.CODE, "TEN", percent_off_bp=1000)
    full = price_lines([_line("a", "1000", 1)], [], shipping, {1: 2500}, SEK)
    assert full.shipping_price == 0
    discounted = price_lines([_line("a", "1000", 1)], [ten], shipping, {1: 2500}, SEK)
    assert (discounted.items_discount, discounted.shipping_price) == (Decimal(100), Decimal(50))
    assert discounted.grand_total == Decimal(950)


def test_mixed_rates_split_shipping_vat() -> None:
    shipping = ShippingOption(1, "Standard", "standard", 1_000, None)
    priced = price_lines([_line("a", "100", 1, 1), _line("b", "100", 1, 2)], [], shipping, {1: 2500, 2: 600}, SEK)
    # 210 gross: 105 at 25 % (21.00) and 105 at 6 % (5.94).
    assert priced.tax == Decimal("26.94")
    assert priced.tax_bp == 2500


@settings(max_examples=200, deadline=None)
@given(
    prices=st.lists(st.decimals(min_value=0, max_value=10_000, places=2), min_size=0, max_size=5),
    quantities=st.lists(st.integers(min_value=1, max_value=50), min_size=5, max_size=5),
    shipping_minor=st.integers(min_value=0, max_value=100_000),
    percent=st.integers(min_value=0, max_value=10_000),
    amount=st.decimals(min_value=0, max_value=5_000, places=2),
    free_shipping=st.booleans(),
    rate=st.sampled_from([0, 600, 1200, 2500]),
)
def test_totals_always_add_up(
    prices: list[Decimal],
    quantities: list[int],
    shipping_minor: int,
    percent: int,
    amount: Decimal,
    free_shipping: bool,
    rate: int,
) -> None:
    lines = [_line(str(i), str(p), quantities[i]) for i, p in enumerate(prices)]
    vouchers = [
        VoucherRule(1, "p", VoucherType.CODE, "P", percent_off_bp=percent or None, free_shipping=free_shipping),
        VoucherRule(2, "a", VoucherType.AUTO, None, amount_off=amount or None),
    ]
    priced = price_lines(lines, vouchers, ShippingOption(1, "S", None, shipping_minor, None), {1: rate}, SEK)
    assert priced.grand_total == (
        priced.items_total - priced.items_discount + priced.shipping_price - priced.shipping_discount
    )
    assert sum((line.total for line in priced.lines), Decimal(0)) == priced.items_total - priced.items_discount
    assert priced.grand_total >= 0
    assert 0 <= priced.tax <= priced.grand_total
    if rate == 0:
        assert priced.tax == 0
