"""Request bodies of the Order API, as documented field by field.

The models name every documented field so that the OpenAPI document (and
schemathesis) know them, but they accept Centra's loose values: a flag as
``true``, ``1`` or ``"1"``, an id as a number or a string. The routes read
the values with ``opencentra.api.order.wire``, which says precisely what was
wrong with one. Unknown fields are kept, not refused: Centra ignores them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, StrictInt

Flag = bool | int | str | None
# StrictInt: a JSON ``true`` or ``2.0`` is not an id (plain ``int`` would make them 1 and 2);
# strings are read by ``wire.integer`` (``opencentra.integers``).
Id = StrictInt | str
Amount = float | int | str | None


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow")

    xml: Flag = None


class OrderUpdate(_Body):
    order: Id
    internalComment: str | None = None  # noqa: N815 - Centra's field names
    replaceInternalComment: Flag = None  # noqa: N815
    comment: str | None = None
    replaceComment: Flag = None  # noqa: N815
    extraAttributes: dict[str, Any] | None = None  # noqa: N815


class ShipmentCreate(_Body):
    order: Id
    products: dict[str, Any]
    gtg: Flag = None
    capture: Flag = None
    shipped: Flag = None
    carrier: str | None = None
    service: str | None = None
    packages: StrictInt | str | None = None
    tracking: str | None = None
    returnSlipTracking: str | None = None  # noqa: N815
    sendEmail: Flag = None  # noqa: N815
    deductPreviousCosts: Flag = None  # noqa: N815
    createAlways: Flag = None  # noqa: N815


class ShipmentUpdate(_Body):
    gtg: Flag = None
    products: dict[str, Any] | None = None


class ShipmentComplete(_Body):
    order: Id | None = None
    shipment: Id
    capture: Flag = None
    gtg: Flag = None
    shipped: Flag = None
    carrier: str | None = None
    service: str | None = None
    packages: StrictInt | str | None = None
    tracking: str | None = None
    returnSlipTracking: str | None = None  # noqa: N815
    sendEmail: Flag = None  # noqa: N815
    internalComment: str | None = None  # noqa: N815


class CaptureRequest(_Body):
    shipment: Id
    order: Id | None = None


class Refund(BaseModel):
    model_config = ConfigDict(extra="allow")

    refundPayment: Flag = None  # noqa: N815
    sendEmail: Flag = None  # noqa: N815


class ReturnCreate(_Body):
    shipment: Id
    products: dict[str, Any] | None = None
    returnStock: Flag = None  # noqa: N815
    handlingCost: Amount = None  # noqa: N815
    handlingCostFromShipment: Flag = None  # noqa: N815
    shippingCost: Amount = None  # noqa: N815
    shippingCostFromShipment: Flag = None  # noqa: N815
    voucherValue: Amount = None  # noqa: N815
    voucherValueFromShipment: Flag = None  # noqa: N815
    returnCost: Amount = None  # noqa: N815
    comment: str | None = None
    createdAt: str | None = None  # noqa: N815
    refund: Refund | None = None


class ReturnUpdate(_Body):
    completed: Flag = None
    refundPayment: Flag = None  # noqa: N815
    sendEmail: Flag = None  # noqa: N815


class StockEntry(BaseModel):
    model_config = ConfigDict(extra="allow")

    product: Id
    quantity: Any = None
    costPrice: Amount = None  # noqa: N815
    costPriceCurrency: str | None = None  # noqa: N815


class StockUpdate(_Body):
    products: list[StockEntry]


class CustomerConsent(BaseModel):
    model_config = ConfigDict(extra="allow")

    key: str
    consented: Flag = None
    version: str | None = None
    language: str | None = None


class CustomerUpdate(_Body):
    email: str | None = None
    firstName: str | None = None  # noqa: N815
    lastName: str | None = None  # noqa: N815
    address1: str | None = None
    address2: str | None = None
    zipCode: str | None = None  # noqa: N815
    city: str | None = None
    state: str | None = None
    country: str | None = None
    phoneNumber: str | None = None  # noqa: N815
    newsletter: Flag = None
    gender: str | None = None
    consents: list[CustomerConsent] | None = None


class VoucherCreate(_Body):
    name: str | None = None
    code: str | None = None
    startDate: str | None = None  # noqa: N815
    stopDate: str | None = None  # noqa: N815
    type: str | None = None
    value: Amount = None
    valueByPricelist: dict[str, Any] | None = None  # noqa: N815
    store: Id | None = None
    markets: StrictInt | str | list[Id] | None = None
    limit: StrictInt | str | None = None
    status: Flag = None
    conversionHtml: str | None = None  # noqa: N815


class VoucherClone(_Body):
    name: str | None = None
    code: str | None = None
    stopDate: str | None = None  # noqa: N815
    conversionHtml: str | None = None  # noqa: N815


class CheckFirst(_Body):
    orderNumber: Any = None  # noqa: N815
    warehouseId: Any = None  # noqa: N815
    accepted: Any = None


class AllocationRequestUpdate(_Body):
    id: Any = None
    status: Any = None


class DeliveryAccept(_Body):
    products: dict[str, Any]
    insertStock: Flag = None  # noqa: N815


class OrderAddress(BaseModel):
    model_config = ConfigDict(extra="allow")

    email: str | None = None
    firstName: str | None = None  # noqa: N815
    lastName: str | None = None  # noqa: N815
    company: str | None = None
    attn: str | None = None
    tele: str | None = None
    cell: str | None = None
    address: str | None = None
    coaddress: str | None = None
    city: str | None = None
    zipcode: str | None = None
    state: str | None = None
    country: str | None = None


class OrderProduct(BaseModel):
    model_config = ConfigDict(extra="allow")

    qty: Any = None
    id: Any = None
    ean: Any = None
    sku: Any = None
    item: Any = None
    upc: Any = None
    unitPrice: Amount = None  # noqa: N815
    originalPrice: Amount = None  # noqa: N815
    comment: str | None = None
    itemText: dict[str, Any] | None = None  # noqa: N815
    localizedProdSize: dict[str, Any] | None = None  # noqa: N815


class PaymentStep(BaseModel):
    model_config = ConfigDict(extra="allow")

    response: Any = None
    status: Any = None
    transaction: Any = None
    method: Any = None
    amount: Amount = None
    external_url: Any = None


class Payment(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: Any = None
    auth: PaymentStep | None = None
    capture: PaymentStep | None = None


class OrderCreate(_Body):
    invoiceAddress: OrderAddress | None = None  # noqa: N815
    deliveryAddress: OrderAddress | None = None  # noqa: N815
    address: OrderAddress | None = None
    pricelistId: Any = None  # noqa: N815
    pricelist: Any = None
    marketId: Any = None  # noqa: N815
    market: Any = None
    customerRegister: Flag = None  # noqa: N815
    customerId: Any = None  # noqa: N815
    customerSetNewPassword: Flag = None  # noqa: N815
    createdFromOrigin: dict[str, Any] | None = None  # noqa: N815
    extraAttributes: dict[str, Any] | None = None  # noqa: N815
    products: list[OrderProduct] | None = None
    shippingList: Any = None  # noqa: N815
    shippingValue: Amount = None  # noqa: N815
    voucherValue: Amount = None  # noqa: N815
    applyVouchers: Flag = None  # noqa: N815
    voucherCodes: list[Any] | None = None  # noqa: N815
    orderNumber: Any = None  # noqa: N815
    sendEmail: Flag = None  # noqa: N815
    adjustStock: Flag = None  # noqa: N815
    forceCreate: Flag = None  # noqa: N815
    comment: Any = None
    otherComment: Any = None  # noqa: N815
    internalComment: Any = None  # noqa: N815
    poNumber: Any = None  # noqa: N815
    orderDate: Any = None  # noqa: N815
    deliveryDate: Any = None  # noqa: N815
    cancelDate: Any = None  # noqa: N815
    warehouseGroup: Any = None  # noqa: N815
    createOnly: Flag = None  # noqa: N815
    internalOrder: Flag = None  # noqa: N815
    payment: Payment | None = None
    # Stored on the order's customer, as PUT /customers/{id} takes them.
    consents: list[CustomerConsent] | None = None
    # B2B (wholesale stores): accountId is required there; see orders.wholesale_intake.
    accountId: Any = None  # noqa: N815
    buyerId: Any = None  # noqa: N815
    buyerName: Any = None  # noqa: N815
    deliveryWindow: Any = None  # noqa: N815


class OrderComplete(_Body):
    payment: Payment | None = None
    buyerName: Any = None  # noqa: N815
    internalComment: Any = None  # noqa: N815
    comment: Any = None
    poNumber: Any = None  # noqa: N815
    orderDate: Any = None  # noqa: N815
    deliveryDate: Any = None  # noqa: N815
    cancelDate: Any = None  # noqa: N815
    warehouseGroup: Any = None  # noqa: N815
