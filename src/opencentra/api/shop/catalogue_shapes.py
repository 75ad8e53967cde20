"""The Shop API's catalogue on the wire (spec §2.2 and §2.3).

Collections are objects keyed by id (a GET with an id answers the bare
object); ids are strings; every market, pricelist and language is in each
answer at once. Prices come twice, formatted in the pricelist's currency and
``...AsNumber``, as in the Checkout API.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from opencentra.api.wire_amounts import priced
from opencentra.catalog import (
    BrandDetailView,
    CollectionDetailView,
    MeasurementChartView,
    StoreCategoryView,
    StoreProductView,
)
from opencentra.giftcards import CertificateInfo
from opencentra.inventory import MarketStock
from opencentra.pricing import CampaignOnSaleView, MarketPrices, PriceInfo
from opencentra.storefront import CurrencyInfo, StoreReference

Body = dict[str, Any]

# Keys a custom attribute may not take over: the product's own fields.
_WEIGHT_UNIT = "g"


# --- small collections ---------------------------------------------------------------------


def brand_body(brand: BrandDetailView) -> Body:
    return {
        "brand": str(brand.id),
        "name": brand.name,
        "uri": brand.uri,
        "metaTitle": brand.meta_title,
        "metaDescription": brand.meta_description,
        "metaKeywords": brand.meta_keywords,
    }


def collection_body(collection: CollectionDetailView) -> Body:
    return {"collection": str(collection.id), "name": collection.name, "uri": collection.uri}


def measurement_chart_body(chart: MeasurementChartView) -> Body:
    return {
        "measurementChart": str(chart.id),
        "name": chart.name,
        "unit": chart.unit,
        "rowNames": list(chart.row_names),
        "columnNames": list(chart.column_names),
        "rows": {row: dict(chart.cells.get(row, {})) for row in chart.row_names},
    }


def campaign_site_body(market_id: int, name: str, uri: str) -> Body:
    # A campaign site is a market's uri: entering it moves the shopper into that market.
    return {"campaignSite": uri, "name": name, "market": str(market_id), "goTo": ""}


def campaign_body(campaign: CampaignOnSaleView, products_on_sale: Mapping[int, Mapping[int, Sequence[int]]]) -> Body:
    return {
        "campaign": str(campaign.id),
        "name": campaign.name,
        "markets": {
            str(market_id): {
                "pricelists": {
                    str(pricelist_id): {"productsOnSale": [str(p) for p in products]}
                    for pricelist_id, products in by_pricelist.items()
                }
            }
            for market_id, by_pricelist in products_on_sale.items()
        },
    }


def categories_body(categories: Sequence[StoreCategoryView], root: int | None = None) -> Body:
    """The tree below ``root`` (None: the roots), keyed by id, each with its children nested."""
    children: dict[int | None, list[StoreCategoryView]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)

    def body(category: StoreCategoryView) -> Body:
        return {
            "category": str(category.id),
            "name": category.name,
            "uri": category.uri,
            "completeUri": category.complete_uri,
            "metaTitle": category.meta_title,
            "metaDescription": category.meta_description,
            "metaKeywords": category.meta_keywords,
            "sortOrder": str(category.sort_order),
            "sortString": f"s{category.sort_order}",
            "localized": {code: dict(fields) for code, fields in category.localized.items()},
            "categories": {str(c.id): body(c) for c in children.get(category.id, [])},
            "products": [str(p) for p in category.product_ids],
        }

    if root is not None:
        return next(body(c) for c in categories if c.id == root)
    return {str(c.id): body(c) for c in children.get(None, [])}


def gift_certificate_body(certificate: CertificateInfo, currencies: Mapping[int, CurrencyInfo]) -> Body:
    body: Body = {
        "giftCertificate": certificate.uri,
        "name": certificate.name,
        "currencyOfSaleOnly": certificate.currency_of_sale_only,
        "showGiftAmount": certificate.show_gift_amount,
        "type": certificate.type.value,
    }
    if certificate.amounts_minor:
        by_currency: Body = {}
        for currency_id, minor in sorted(certificate.amounts_minor.items()):
            currency = currencies.get(currency_id)
            if currency is not None:
                by_currency[currency.code] = priced("amount", Decimal(minor).scaleb(-currency.decimals), currency)
        body["amountByCurrency"] = by_currency
    return body


# --- products ------------------------------------------------------------------------------


def _price_body(price: PriceInfo, currency: CurrencyInfo) -> Body:
    return {
        **priced("price", price.price, currency),
        **priced("priceBeforeDiscount", price.price_before_discount, currency),
        **priced("priceReduction", price.price_before_discount - price.price, currency),
        "discountPercent": price.discount_percent,
        "showAsOnSale": price.show_as_on_sale,
        "newProduct": price.show_as_new,
    }


def _media_body(url: str) -> Body:
    mime_type, _ = mimetypes.guess_type(url.split("?", 1)[0])
    # Image sizes are not stored: every image has one source size, "standard".
    return {"type": "image", "sources": {"standard": [{"url": url, "mimeType": mime_type or ""}]}}


def _with_attributes(body: Body, attributes: Sequence[tuple[str, str]]) -> Body:
    """Custom attributes as extra keys (``swatch__desc`` nests as ``swatch.desc``); never over a product field."""
    for key, value in attributes:
        head, _, tail = key.partition("__")
        if tail:
            nested = body.setdefault(head, {})
            if isinstance(nested, dict):
                nested.setdefault(tail, value)
        else:
            body.setdefault(key, value)
    return body


def product_body(
    product: StoreProductView,
    reference: StoreReference,
    prices: MarketPrices,
    stock: MarketStock,
    charts: Mapping[int, MeasurementChartView],
) -> Body:
    """One product in every market, pricelist and language (§2.3)."""
    canonical = next((c for c in product.categories if c.id == product.canonical_category_id), None)
    country = reference.country_by_code(product.country_of_origin) if product.country_of_origin else None
    variant_prices = prices.get(product.variant_id, {})
    chart = charts.get(product.measurement_chart_id) if product.measurement_chart_id is not None else None
    markets: Body = {}
    for market_id in product.market_ids:
        by_pricelist = variant_prices.get(market_id, {})
        markets[str(market_id)] = {
            "stockOfAllItems": sum(stock.get(i.product_size_id, {}).get(market_id, 0) for i in product.items),
            "pricesByPricelist": {
                str(pricelist_id): _price_body(price, reference.currency_of(pricelist_id))
                for pricelist_id, price in sorted(by_pricelist.items())
                if pricelist_id in reference.pricelists
            },
        }
    localized: Body = {code: dict(fields) for code, fields in product.localized.items()}
    for code, names in product.localized_categories.items():
        localized.setdefault(code, {})["categories"] = {str(cid): {"name": name} for cid, name in names.items()}
    body: Body = {
        "product": str(product.display_item_id),
        "name": product.name,
        "uri": product.uri,
        "canonicalUri": f"{canonical.complete_uri}/{product.uri}" if canonical else product.uri,
        "canonicalCategory": str(canonical.id) if canonical else "",
        "productSku": product.product_sku,
        "sku": product.sku,
        "silkProduct": str(product.product_id),
        "silkVariant": str(product.variant_id),
        "silkProductName": product.product_name,
        "silkVariantName": product.variant_name,
        "variantName": product.variant_name,
        "brand": str(product.brand.id) if product.brand else "",
        "brandName": product.brand.name if product.brand else "",
        "collection": str(product.collection.id) if product.collection else "",
        "collectionName": product.collection.name if product.collection else "",
        "excerpt": product.excerpt,
        "description": product.description,
        "metaTitle": product.meta_title,
        "metaDescription": product.meta_description,
        "metaKeywords": product.meta_keywords,
        "stockUnit": product.stock_unit,
        "weight": str(product.weight_grams) if product.weight_grams is not None else "",
        "weightUnit": _WEIGHT_UNIT,
        "harmCode": product.harmonized_code,
        "harmCodeDescription": product.harmonized_code_description,
        "countryOfOrigin": product.country_of_origin,
        "countryOfOriginName": country.name if country else "",
        "measurementChart": str(chart.id) if chart else "",
        "measurementChartRows": measurement_chart_body(chart)["rows"] if chart else {},
        "createdAt": product.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "modifiedAt": product.modified_at.strftime("%Y-%m-%d %H:%M:%S"),
        "media": [_media_body(m.url) for m in product.media],
        "categories": {
            str(c.id): {"category": str(c.id), "uri": c.complete_uri, "name": c.name, "sortOrder": str(c.sort_order)}
            for c in product.categories
        },
        "items": {
            i.item: {
                "item": i.item,
                "name": i.name,
                "ean": i.ean,
                "sku": i.sku,
                "stockByMarket": {str(m): stock.get(i.product_size_id, {}).get(m, 0) for m in product.market_ids},
            }
            for i in product.items
        },
        "markets": markets,
        "localized": localized,
    }
    return _with_attributes(body, product.attributes)
