"""Order fields Centra's "Fetching ALL the data" example reads, besides the account's terms.

- ``Order.paymentMethod``: the store's payment method the order was paid
  with (null for orders inserted with an outside payment, which name none).
- ``OrderLine.brand``: the brand of the line's product (needs ``Brand:read``).
- ``AppliedDiscount.discount``: OpenCentra keeps an order's discount as one
  sum, so the voucher shown is the first one its selection carried when it
  was placed (null for orders without a selection or voucher, and, as
  ``voucher(id:)``, for a voucher of another store than the token's); needs
  ``Voucher:read``.
- ``WholesaleOrder.deliveryWindows``: orders do not record a window, so
  these are the windows that sell any of the order's variants in the
  order's market (``orders.delivery_windows_of_orders``; needs
  ``DeliveryWindow:read``).

Every lookup goes through the request's DataLoaders.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from opencentra.api.graphql.catalog import Brand
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.wholesale import DeliveryWindow, load_delivery_window
from opencentra.catalog import brands_by_id
from opencentra.orders import OrderLineView, OrderView


@strawberry.type
class PaymentMethod:
    id: int
    name: str
    uri: str
    plugin: str


async def order_payment_method(info: Info[Any, Any], order: OrderView) -> PaymentMethod | None:
    if order.payment_method_id is None:
        return None
    row = await info.context.loaders.payment_method.load(order.payment_method_id)
    if row is None:
        return None
    return PaymentMethod(id=row.id, name=row.name, uri=row.uri, plugin=row.provider)


async def _variant_id(info: Info[Any, Any], product_size_id: int | None) -> int | None:
    if product_size_id is None:
        return None
    size = await info.context.loaders.product_size.load(product_size_id)
    return None if size is None else int(size.variant_id)


async def line_brand(info: Info[Any, Any], line: OrderLineView) -> Brand | None:
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


async def order_delivery_windows(info: Info[Any, Any], order: OrderView) -> list[DeliveryWindow]:
    check(info, "DeliveryWindow:read")
    found: list[DeliveryWindow] = []
    for window_id in await info.context.loaders.order_delivery_windows.load(order.id):
        window = await load_delivery_window(info, window_id)
        if window is not None:
            found.append(window)
    return found
