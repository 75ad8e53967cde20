"""GraphQL Integration API permission names, as Centra's documentation uses them.

A token carries a subset of these; the demo token carries all of them.
"""

from __future__ import annotations

_READ_WRITE = (
    "Account", "Attribute", "Brand", "Buyer", "Collection", "DeliveryWindow", "Display", "Folder",
    "Market", "Order", "Price", "Pricelist", "Product", "ProductVariant", "Shipment", "SizeChart",
    "Warehouse", "Customer", "Voucher", "Campaign", "Category", "Return", "Store", "ProductMedia",
    "PaymentTerms", "ShippingTerms", "SalesRepresentative", "Subscription",
)  # fmt: skip
_READ_ONLY = (
    "AdminUser", "Allocation", "AllocationRule", "BrickAndMortar", "Country", "Invoice", "Language",
    "Localization", "PaymentHistory", "ProductSize", "Purchaser", "PurchaseOrder", "ShippingOption",
    "StorePlugin", "WarehouseDelivery", "CentraIP", "Currency", "StockChange", "Event",
)  # fmt: skip
_WRITE_ONLY = ("MeasurementChart", "StockChange", "Event", "Localization")
_NESTED = (
    "Order.shippingAddress:read", "Order.billingAddress:read", "Order.isLocked:write",
    "Order.attributes:read", "Order.internalComment:read", "Shipment.shippingAddress:read",
    "Purchaser.billingAddress:read", "Buyer.billingAddress:read", "Invoice.billingAddress:read",
    "Customer.attributes:read", "Market.comment:read", "Payment.cancel:write",
    "Product.attributes:read", "ProductMedia.attributes:read", "ProductSize.stockTotals:read",
    "ProductVariant.stock:read", "ProductVariant.stockTotals:read", "AdminUser.email:read",
    "Folder.Product:read", "Product.Folder:read",
    "SubscriptionContract.shippingAddress:read", "SubscriptionContract.billingAddress:read",
)  # fmt: skip

ALL_PERMISSIONS: tuple[str, ...] = tuple(
    sorted(
        {f"{name}:read" for name in _READ_WRITE + _READ_ONLY}
        | {f"{name}:write" for name in _READ_WRITE + _WRITE_ONLY}
        | set(_NESTED)
    )
)
