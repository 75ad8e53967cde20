"""Pricing: prices, campaigns, price alterations, vouchers and the totals they make.

The public face, for the APIs:

- the voucher use cases ``create_voucher``, ``clone_voucher`` (one
  transaction, all or nothing) and ``voucher_view``, which return a
  ``VoucherView``;
- the price alteration use cases ``create_price_alteration``,
  ``update_price_alteration`` and ``set_altered_prices``, and ``delete_campaign``;
  each takes the caller's ``store_scope`` where a store's object is named by id;
- read views in batches by key, for dataloaders (``vouchers_by_id``,
  ``markets_of_vouchers``, ``campaigns_of_markets``, ``prices_of_variants``...),
  and paged lists (``voucher_page``, ``campaign_page``, ``price_alteration_page``,
  ``altered_price_page``; ``pricing.queries``).

The other modules (``prices``, ``campaigns``, ``totals``...) are the domain's
own building blocks; other domains and the demo seed import them by name.
"""

from opencentra.pricing.alterations import MAX_PRICES as MAX_ALTERED_PRICES
from opencentra.pricing.alterations import (
    AlteredPriceSpec,
    checked_price,
    create_price_alteration,
    set_altered_prices,
    update_price_alteration,
)
from opencentra.pricing.campaign_changes import delete_campaign
from opencentra.pricing.campaigns import CampaignVariantSpec, create_campaign
from opencentra.pricing.history import LOWEST_PRICE_DAYS
from opencentra.pricing.market_prices import (
    CampaignOnSaleView,
    MarketPrices,
    active_pricelist_ids,
    campaigns_on_sale,
    prices_in_markets,
)
from opencentra.pricing.models import VoucherType
from opencentra.pricing.prices import PriceInfo, PriceSpec, set_prices
from opencentra.pricing.promotion_changes import update_campaign, update_voucher
from opencentra.pricing.queries import (
    AlteredPriceFilter,
    AlteredPriceView,
    AmountView,
    CampaignFilter,
    CampaignView,
    PriceAlterationFilter,
    PriceAlterationView,
    VoucherFilter,
    altered_price_page,
    amounts_of_vouchers,
    campaign_page,
    campaigns_by_id,
    campaigns_of_markets,
    delivery_windows_of_alterations,
    markets_of_campaigns,
    markets_of_vouchers,
    minimum_totals_of_vouchers,
    price_alteration_page,
    price_alterations_by_id,
    variants_of_campaigns,
    voucher_page,
    vouchers_by_id,
)
from opencentra.pricing.variant_prices import (
    CampaignVariantView,
    VariantPriceView,
    campaign_variants_of_variants,
    prices_of_variants,
)
from opencentra.pricing.vouchers import (
    VoucherRowView,
    VoucherSpec,
    VoucherView,
    clone_voucher,
    create_voucher,
    voucher_view,
)
from opencentra.stores.markets import UnknownMarkets

__all__ = [
    "LOWEST_PRICE_DAYS",
    "MAX_ALTERED_PRICES",
    "AlteredPriceFilter",
    "AlteredPriceSpec",
    "AlteredPriceView",
    "AmountView",
    "CampaignFilter",
    "CampaignOnSaleView",
    "CampaignVariantSpec",
    "CampaignVariantView",
    "CampaignView",
    "MarketPrices",
    "PriceAlterationFilter",
    "PriceAlterationView",
    "PriceInfo",
    "PriceSpec",
    "UnknownMarkets",
    "VariantPriceView",
    "VoucherFilter",
    "VoucherRowView",
    "VoucherSpec",
    "VoucherType",
    "VoucherView",
    "active_pricelist_ids",
    "altered_price_page",
    "amounts_of_vouchers",
    "campaign_page",
    "campaign_variants_of_variants",
    "campaigns_by_id",
    "campaigns_of_markets",
    "campaigns_on_sale",
    "checked_price",
    "clone_voucher",
    "create_campaign",
    "create_price_alteration",
    "create_voucher",
    "delete_campaign",
    "delivery_windows_of_alterations",
    "markets_of_campaigns",
    "markets_of_vouchers",
    "minimum_totals_of_vouchers",
    "price_alteration_page",
    "price_alterations_by_id",
    "prices_in_markets",
    "prices_of_variants",
    "set_altered_prices",
    "set_prices",
    "update_campaign",
    "update_price_alteration",
    "update_voucher",
    "variants_of_campaigns",
    "voucher_page",
    "voucher_view",
    "vouchers_by_id",
]
