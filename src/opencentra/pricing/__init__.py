"""Pricing: prices, campaigns, price alterations, vouchers and the totals they make.

The voucher use cases every API calls are importable from here:
``create_voucher``, ``clone_voucher`` (one transaction, all or nothing) and
``voucher_view``; the clone and the read return a ``VoucherView``.
``prices_of_variants`` and ``campaign_variants_of_variants`` read the stored
prices and campaign discounts of many variants at once (read views). The
other modules (``prices``, ``campaigns``, ``alterations``, ``totals``...)
are imported by name for now.
"""

from opencentra.pricing.models import VoucherType
from opencentra.pricing.variant_prices import (
    CampaignVariantView,
    VariantPriceView,
    campaign_variants_of_variants,
    prices_of_variants,
)
from opencentra.pricing.vouchers import (
    UnknownMarkets,
    VoucherSpec,
    VoucherView,
    clone_voucher,
    create_voucher,
    voucher_view,
)

__all__ = [
    "CampaignVariantView",
    "UnknownMarkets",
    "VariantPriceView",
    "VoucherSpec",
    "VoucherType",
    "VoucherView",
    "campaign_variants_of_variants",
    "clone_voucher",
    "create_voucher",
    "prices_of_variants",
    "voucher_view",
]
