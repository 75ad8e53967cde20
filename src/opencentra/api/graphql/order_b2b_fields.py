"""Order fields Centra's "Fetching ALL the data" example reads, besides the account's terms.

- ``Order.paymentMethod``: the store's payment method the order was paid
  with (null for orders inserted with an outside payment, which name none).
- ``OrderLine.brand``: the brand of the line's product (needs ``Brand:read``).
- ``AppliedDiscount.discount``: OpenCentra keeps an order's discount as one
  sum, so the voucher shown is the first one its selection carried when it
  was placed (null for orders without a selection or voucher); needs
  ``Voucher:read``.
- ``WholesaleOrder.deliveryWindows``: orders do not record a window, so
  these are the windows that sell any of the order's variants in the
  order's market (needs ``DeliveryWindow:read``).

Every lookup goes through the request's DataLoaders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.types import Info

from opencentra.api.graphql.permissions import check
from opencentra.catalog import brands_by_id
from opencentra.orders import models as orders
from opencentra.pricing import models as pricing
from opencentra.selection.models import SelectionVoucher
from opencentra.stores import models as store_models
from opencentra.wholesale import models as wholesale

if TYPE_CHECKING:
    from opencentra.api.graphql.catalog import Brand
    from opencentra.api.graphql.promotions import Voucher
    from opencentra.api.graphql.wholesale import DeliveryWindow


@strawberry.type
class PaymentMethod:
    id: int
    name: str
    uri: str
    plugin: str


async def order_payment_method(info: Info[Any, Any], order: orders.Order) -> PaymentMethod | None:
    if order.payment_method_id is None:
        return None
    row = await info.context.loaders.one(store_models.PaymentMethod).load(order.payment_method_id)
    if row is None:
        return None
    return PaymentMethod(id=row.id, name=row.name, uri=row.uri, plugin=row.provider)


async def _variant_id(info: Info[Any, Any], product_size_id: int | None) -> int | None:
    if product_size_id is None:
        return None
    size = await info.context.loaders.product_size.load(product_size_id)
    return None if size is None else int(size.variant_id)


async def line_brand(info: Info[Any, Any], line: orders.OrderLine) -> Brand | None:
    from opencentra.api.graphql.catalog import Brand

    check(info, "Brand:read")
    variant_id = await _variant_id(info, line.product_size_id)
    if variant_id is None:
        return None
    variant = await info.context.loaders.variant.load(variant_id)
    product = None if variant is None else await info.context.loaders.product.load(variant.product_id)
    if product is None or product.brand_id is None:
        return None
    row = await info.context.loaders.keyed("brands", brands_by_id).load(product.brand_id)
    return Brand.of(row) if row is not None else None


async def applied_voucher(info: Info[Any, Any], selection_id: int | None) -> Voucher | None:
    from opencentra.api.graphql.promotions import Voucher

    check(info, "Voucher:read")
    if selection_id is None:
        return None
    found = await info.context.loaders.many(SelectionVoucher, SelectionVoucher.selection_id).load(selection_id)
    if not found:
        return None
    row = await info.context.loaders.one(pricing.Voucher).load(found[0].voucher_id)
    return Voucher.of(row) if row is not None else None


async def order_delivery_windows(info: Info[Any, Any], order: orders.Order) -> list[DeliveryWindow]:
    from opencentra.api.graphql.wholesale import delivery_window_object

    check(info, "DeliveryWindow:read")
    lines = await info.context.loaders.many(orders.OrderLine, orders.OrderLine.order_id).load(order.id)
    variant_ids = {v for v in [await _variant_id(info, line.product_size_id) for line in lines] if v is not None}
    window_ids: set[int] = set()
    for variant_id in sorted(variant_ids):
        sold = await info.context.loaders.many(
            wholesale.DeliveryWindowVariant, wholesale.DeliveryWindowVariant.variant_id
        ).load(variant_id)
        window_ids |= {row.delivery_window_id for row in sold}
    found: list[DeliveryWindow] = []
    for window_id in sorted(window_ids):
        markets = await info.context.loaders.many(
            wholesale.DeliveryWindowMarket, wholesale.DeliveryWindowMarket.delivery_window_id
        ).load(window_id)
        if order.market_id not in {m.market_id for m in markets}:
            continue
        row = await info.context.loaders.one(wholesale.DeliveryWindow).load(window_id)
        if row is not None:
            found.append(delivery_window_object(row))
    return found
