"""Request bodies, lenient the way Centra's clients need.

Ids and quantities may come as JSON integers or strings of the digits 0-9
(``params.WholeNumber``: not ``2.0``, ``true``, ``"+1"``, ``" 1"`` or
``"1_000"``, all of which plain pydantic ints take), booleans as ``true`` or
``"true"`` (the order-flow example sends ``"termsAndConditions": "true"``),
and unknown keys are allowed (clients send fields for plugins we do not
run). Anything that cannot be read is a 400 with the field named.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from opencentra.api.checkout.params import WholeNumber
from opencentra.api.wire_address import WireAddress
from opencentra.selection import MAX_LINE_QUANTITY

Text = Annotated[str, StringConstraints(max_length=2000)]
Short = Annotated[str, StringConstraints(max_length=255)]
Id = Annotated[WholeNumber, Field(ge=1, le=2**62)]


class Body(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)


class AddressBody(WireAddress, Body):
    """An address (``opencentra.api.wire_address``) with the Checkout API's lenient body rules."""


class SortOrderBody(Body):
    field: Short
    order: Literal["asc", "desc", "ASC", "DESC"] = "asc"


class UriFilterBody(Body):
    uri: Short
    for_: list[Literal["product", "category"]] = Field(default_factory=list, alias="for")


class ProductsBody(Body):
    skipFirst: WholeNumber = Field(default=0, ge=0, le=10_000_000)  # noqa: N815
    limit: WholeNumber | None = Field(default=None, ge=0, le=10_000)
    categories: list[Id] = Field(default_factory=list, max_length=1000)
    collections: list[Id] = Field(default_factory=list, max_length=1000)
    brands: list[Id] = Field(default_factory=list, max_length=1000)
    products: list[Id] = Field(default_factory=list, max_length=10_000)
    silkProduct: Id | None = None  # noqa: N815
    search: Text | None = None
    relatedProducts: bool = False  # noqa: N815
    onlyAvailable: bool = False  # noqa: N815
    uri: UriFilterBody | None = None
    sortOrder: list[SortOrderBody] = Field(default_factory=list, max_length=10)  # noqa: N815
    # Server mode only.
    market: Id | None = None
    pricelist: Id | Literal["all"] | None = None
    language: Short | None = None

    def attribute_filters(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Extra keys like ``"swatch.desc": ["Red"]`` or ``"items.name": ["M"]``."""
        found = []
        for key, value in (self.model_extra or {}).items():
            if isinstance(value, list) and all(isinstance(v, str | int) for v in value) and len(key) <= 100:
                found.append((key, tuple(str(v) for v in value)))
        return tuple(sorted(found))


class CategoriesBody(Body):
    market: Id | None = None
    pricelist: Id | None = None
    language: Short | None = None


class UriBody(Body):
    uri: Short
    for_: list[Literal["product", "category"]] = Field(default_factory=list, alias="for")
    limit: WholeNumber | None = Field(default=None, ge=0, le=10_000)
    skipFirst: WholeNumber = Field(default=0, ge=0, le=10_000_000)  # noqa: N815
    market: Id | None = None
    pricelist: Id | None = None
    language: Short | None = None


class ItemBody(Body):
    productUrl: Text | None = None  # noqa: N815
    comment: Text | None = None
    subscriptionPlan: Id | None = None  # noqa: N815
    additionalFields: dict[str, Any] | None = Field(default=None, max_length=50)  # noqa: N815


class QuantityEntry(Body):
    quantity: WholeNumber = Field(ge=0, le=MAX_LINE_QUANTITY)


class LineEntry(QuantityEntry):
    line: Annotated[str, StringConstraints(max_length=64)]


class ItemEntry(QuantityEntry):
    item: Annotated[str, StringConstraints(max_length=64)]


class BulkItemsBody(Body):
    lines: list[LineEntry] = Field(default_factory=list, max_length=500)
    items: list[ItemEntry] = Field(default_factory=list, max_length=500)


class CountryBody(Body):
    language: Short | None = None


class SelectionBody(Body):
    country: Short | None = None
    state: Short | None = None
    market: Id | None = None
    pricelist: Id | None = None
    language: Short | None = None


class VoucherBody(Body):
    voucher: Annotated[str, StringConstraints(max_length=200)]


class OptionalVoucherBody(Body):
    voucher: Annotated[str, StringConstraints(max_length=200)] | None = None


class CampaignSiteBody(Body):
    uri: Short


class PaymentFieldsBody(Body):
    address: AddressBody | None = None
    shippingAddress: AddressBody | None = None  # noqa: N815
    newsletter: bool | None = None
    additionalNotes: Text | None = None  # noqa: N815
    comment: Text | None = None
    termsAndConditions: bool | None = None  # noqa: N815


class PaymentBody(PaymentFieldsBody):
    paymentMethod: Short | None = None  # noqa: N815
    paymentReturnPage: Text = ""  # noqa: N815
    paymentFailedPage: Text = ""  # noqa: N815
    paymentInitiateOnly: bool = False  # noqa: N815
    ipAddress: Short | None = None  # noqa: N815

    @field_validator("termsAndConditions", mode="before")
    @classmethod
    def _terms(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in {"1", "on", "yes"}:
            return True
        return value


class PaymentResultBody(Body):
    paymentMethodFields: dict[str, Any] = Field(default_factory=dict)  # noqa: N815

    def fields(self) -> dict[str, str]:
        return {
            str(k)[:200]: str(v)[:2000] for k, v in self.paymentMethodFields.items() if isinstance(v, str | int | float)
        }


class RegisterBody(AddressBody):
    email: Annotated[str, StringConstraints(max_length=254)]
    password: Annotated[str, StringConstraints(max_length=1000, strip_whitespace=False)]
    gender: Short | None = None
    address: AddressBody | None = None
    # OpenCentra: the storefront page for the email verification link (default verify-email).
    verificationLinkUri: Annotated[str, StringConstraints(max_length=500)] | None = None  # noqa: N815


class LoginBody(Body):
    password: Annotated[str, StringConstraints(max_length=1000, strip_whitespace=False)]


class CustomerUpdateBody(AddressBody):
    gender: Short | None = None
    language: Short | None = None
    address: AddressBody | None = None


class EmailBody(Body):
    newEmail: Annotated[str, StringConstraints(max_length=254)] | None = None  # noqa: N815
    email: Annotated[str, StringConstraints(max_length=254)] | None = None


class PasswordBody(Body):
    password: Annotated[str, StringConstraints(max_length=1000, strip_whitespace=False)]
    newPassword: Annotated[str, StringConstraints(max_length=1000, strip_whitespace=False)]  # noqa: N815


class OrdersBody(Body):
    from_: WholeNumber = Field(default=0, ge=0, le=10_000_000, alias="from")
    size: WholeNumber | None = Field(default=None, ge=0, le=100)


class ResetEmailBody(Body):
    linkUri: Annotated[str, StringConstraints(max_length=500)] | None = None  # noqa: N815


class ResetBody(Body):
    id: Annotated[str, StringConstraints(max_length=40)] | int
    i: Annotated[str, StringConstraints(max_length=128)]
    newPassword: Annotated[str, StringConstraints(max_length=1000, strip_whitespace=False)]  # noqa: N815


class VerificationEmailBody(Body):
    linkUri: Annotated[str, StringConstraints(max_length=500)] | None = None  # noqa: N815


class VerificationBody(Body):
    """The ``id`` and ``i`` of an emailed verification link."""

    id: Annotated[str, StringConstraints(max_length=40)] | int
    i: Annotated[str, StringConstraints(max_length=128)]


class NewsletterBody(Body):
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    country: Short | None = None
    language: Short | None = None
    product: Id | None = None
    item: Annotated[str, StringConstraints(max_length=64)] | None = None
    # A honeypot: people leave it empty, bots fill it in.
    email_field: Short | None = None


class ShipToBody(Body):
    country: Short
    state: Short | None = None


class BackInStockBody(Body):
    item: Annotated[str, StringConstraints(max_length=64)]
    shipTo: ShipToBody  # noqa: N815
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    language: Short | None = None


class AddressSearchBody(Body):
    identityNumber: Short | None = None  # noqa: N815
    paymentMethod: Short | None = None  # noqa: N815


class UpsellBody(Body):
    products: list[Id] = Field(default_factory=list, max_length=100)
