"""Supplier module: purchase orders to suppliers and the deliveries that bring the goods in.

The public face: reading supplier orders and deliveries
(``list_supplier_orders``, ``get_supplier_order``, ``list_deliveries``,
``get_delivery``), accepting a delivery (``accept_delivery``,
``accept_delivery_by_keys``) and the customer orders a delivery fills
(``delivery_reservations``, and ``reserving_orders`` for those an
integration's scope reaches).
"""

from opencentra.suppliers.records import SupplierOrderRecord, SupplierRecord
from opencentra.suppliers.reservations import reserving_orders
from opencentra.suppliers.services import (
    DeliveryView,
    OrderLineSpec,
    ProductLine,
    Reservation,
    accept_delivery,
    accept_delivery_by_keys,
    create_supplier,
    create_supplier_order,
    delivery_quantity,
    delivery_reservations,
    get_delivery,
    get_supplier_order,
    list_deliveries,
    list_supplier_orders,
    products_quantity,
)

__all__ = [
    "DeliveryView",
    "OrderLineSpec",
    "ProductLine",
    "Reservation",
    "SupplierOrderRecord",
    "SupplierRecord",
    "accept_delivery",
    "accept_delivery_by_keys",
    "create_supplier",
    "create_supplier_order",
    "delivery_quantity",
    "delivery_reservations",
    "get_delivery",
    "get_supplier_order",
    "list_deliveries",
    "list_supplier_orders",
    "products_quantity",
    "reserving_orders",
]
