"""Bundles added to the Checkout API test shop (tests/api/checkout/conftest.py ``build_shop``).

- "Gift Set": fixed, static 250 SEK; a black tee (size follows the set's
  size) and one scarf.
- "Duo": flexible, dynamic with 10% off; one tee of either colour (the
  shopper names the size) and optionally two pairs of jeans.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from tests.api.checkout.conftest import ShopIds

from opencentra.catalog import bundles, displays, products
from opencentra.catalog.bundle_models import BundlePriceType, BundleType
from opencentra.catalog.models import SizeChart
from opencentra.catalog.products import ProductSpec, SizeSpec, VariantSpec
from opencentra.db.engine import Database
from opencentra.pricing import prices


@dataclass(frozen=True)
class BundleIds:
    gift_set: int
    duo: int
    # bundle items by name: "gift-S", "gift-M", "gift-L", "duo"
    items: dict[str, str]
    sizes: dict[str, int]
    products: dict[str, int]
    sections: dict[str, list[int]]
    variants: dict[str, int]


async def _chart(tx: Database, name: str) -> tuple[int, dict[str, int]]:
    async with tx.read() as session:
        chart = await session.scalar(
            select(SizeChart).where(SizeChart.name == name).options(selectinload(SizeChart.sizes))
        )
        assert chart is not None
        return chart.id, {s.name: s.id for s in chart.sizes}


async def add_bundles(db: Database, shop: ShopIds) -> BundleIds:
    async with db.atomic() as tx:
        letters, letter_sizes = await _chart(tx, "Letters")
        one, one_sizes = await _chart(tx, "One")
        items: dict[str, str] = {}
        size_ids: dict[str, int] = {}
        product_ids: dict[str, int] = {}
        variant_ids: dict[str, int] = {}
        made = []
        for key, name, number, chart_id, chart_sizes in (
            ("gift", "Gift Set", "GIFT", letters, letter_sizes),
            ("duo", "Duo", "DUO", one, one_sizes),
        ):
            product = await products.create_product(
                tx,
                ProductSpec(
                    name=name,
                    product_number=number,
                    size_chart_id=chart_id,
                    variants=[
                        VariantSpec(
                            name="Set",
                            variant_number="-SET",
                            sizes=[SizeSpec(size_id=s, sku=f"-{n}") for n, s in chart_sizes.items()],
                        )
                    ],
                ),
            )
            variant = product.variants[0]
            display = await displays.create_display(
                tx,
                displays.DisplaySpec(
                    store_id=shop.store,
                    product_id=product.id,
                    name=name,
                    variant_ids=[variant.id],
                    market_ids=list(shop.markets.values()),
                    category_ids=[shop.categories["shop"]],
                ),
            )
            item = display.items[0]
            product_ids[key] = item.id
            variant_ids[key] = variant.id
            by_size = {s.size_id: s.id for s in variant.sizes}
            for size_name, size_id in chart_sizes.items():
                label = key if key == "duo" else f"{key}-{size_name}"
                items[label] = f"{item.id}-{by_size[size_id]}"
                size_ids[label] = by_size[size_id]
            made.append(variant.id)
        await prices.set_prices(tx, shop.pricelists["SEK"], [prices.PriceSpec(variant_id=made[0], price=Decimal(250))])
        await prices.set_prices(tx, shop.pricelists["EUR"], [prices.PriceSpec(variant_id=made[0], price=Decimal(25))])
        gift = await bundles.create_bundle(
            tx,
            made[0],
            bundle_type=BundleType.FIXED,
            price_type=BundlePriceType.STATIC,
            sections=[
                bundles.SectionSpec([shop.variants["tee-black"]]),
                bundles.SectionSpec([shop.variants["scarf-print"]]),
            ],
        )
        duo = await bundles.create_bundle(
            tx,
            made[1],
            bundle_type=BundleType.FLEXIBLE,
            price_type=BundlePriceType.DYNAMIC,
            discount_bp=1000,
            sections=[
                bundles.SectionSpec([shop.variants["tee-black"], shop.variants["tee-white"]]),
                bundles.SectionSpec([shop.variants["jeans-blue"]], quantity=2, optional=True),
            ],
        )
    return BundleIds(
        gift_set=gift.id,
        duo=duo.id,
        items=items,
        sizes=size_ids,
        products=product_ids,
        sections={"gift": [s.id for s in gift.sections], "duo": [s.id for s in duo.sections]},
        variants=variant_ids,
    )
