"""The demo's two bundles, made through the bundle services (called by ``seed._create_base``).

- "Tee & Tote Set": fixed, static price; a black Organic Cotton Tee in the
  set's size and a Canvas Tote.
- "Winter Accessories Duo": flexible, dynamic price with 15 % off; a Ribbed
  Beanie in either colour, and optionally a Silk Scarf.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from opencentra.catalog import bundles, displays, products
from opencentra.catalog.bundle_models import BundlePriceType, BundleType
from opencentra.catalog.products import ProductSpec, SizeSpec, VariantSpec
from opencentra.db.engine import Database
from opencentra.pricing import prices

_SET_PRICES = {"SEK": "599.00", "EUR": "59.00", "USD": "69.00"}


async def create_demo_bundles(
    db: Database,
    *,
    store_id: int,
    market_ids: Sequence[int],
    pricelists: Mapping[str, int],
    tax_group_id: int,
    category_id: int,
    clothing: tuple[int, Sequence[int]],
    one_size: tuple[int, Sequence[int]],
    variants_by_number: Mapping[str, Sequence[int]],
) -> None:
    """``clothing`` and ``one_size``: (size chart id, its size ids)."""
    made = []
    for number, name, (chart_id, size_ids), description in (
        ("OC-B001", "Tee & Tote Set", clothing, "An Organic Cotton Tee and a Canvas Tote, together."),
        ("OC-B002", "Winter Accessories Duo", one_size, "Pick a beanie; add the silk scarf if you like."),
    ):
        product = await products.create_product(
            db,
            ProductSpec(
                name=name,
                product_number=number,
                size_chart_id=chart_id,
                tax_group_id=tax_group_id,
                variants=[
                    VariantSpec(name="Bundle", variant_number="01", sizes=[SizeSpec(size_id=s) for s in size_ids])
                ],
            ),
        )
        variant_id = product.variants[0].id
        await displays.create_display(
            db,
            displays.DisplaySpec(
                store_id=store_id,
                product_id=product.id,
                name=name,
                variant_ids=[variant_id],
                market_ids=market_ids,
                category_ids=[category_id],
                description=description,
                short_description=description,
            ),
        )
        made.append(variant_id)
    for currency, pricelist_id in pricelists.items():
        await prices.set_prices(
            db, pricelist_id, [prices.PriceSpec(variant_id=made[0], price=Decimal(_SET_PRICES[currency]))]
        )
    await bundles.create_bundle(
        db,
        made[0],
        bundle_type=BundleType.FIXED,
        price_type=BundlePriceType.STATIC,
        sections=[
            bundles.SectionSpec([variants_by_number["OC-1001"][0]]),
            bundles.SectionSpec([variants_by_number["OC-1009"][0]]),
        ],
    )
    await bundles.create_bundle(
        db,
        made[1],
        bundle_type=BundleType.FLEXIBLE,
        price_type=BundlePriceType.DYNAMIC,
        discount_bp=1500,
        sections=[
            bundles.SectionSpec(list(variants_by_number["OC-1011"])),
            bundles.SectionSpec([variants_by_number["OC-1012"][0]], optional=True),
        ],
    )
