"""An address as Centra's webshop APIs write it, read into the domain's ``Address``.

The Checkout API and the Shop API take the same address fields (``firstName``,
``zipCode``, ``country`` ...) in their bodies and the same checkout fields
(``address``, ``shippingAddress``, ``newsletter``, ``additionalNotes``). Each
adapter keeps its own body base (the Checkout API lets unknown keys through,
Shop API v1 refuses them) and mixes these fields in, so the reading is written
once. Adapters may not import each other; this module is shared plumbing.
"""

from __future__ import annotations

from typing import Annotated, Protocol

from pydantic import BaseModel, StringConstraints

from opencentra.address import Address
from opencentra.storefront import CheckoutFields

Short = Annotated[str, StringConstraints(max_length=255)]
Email = Annotated[str, StringConstraints(max_length=254)]


class WireAddressFields(BaseModel):
    """The address fields; no ``model_config`` here, so the adapter's body base decides."""

    firstName: Short | None = None  # noqa: N815 - Centra's field names
    lastName: Short | None = None  # noqa: N815
    company: Short | None = None
    phoneNumber: Short | None = None  # noqa: N815
    address1: Short | None = None
    address2: Short | None = None
    zipCode: Short | None = None  # noqa: N815
    city: Short | None = None
    state: Short | None = None
    country: Short | None = None
    vatNumber: Short | None = None  # noqa: N815
    identityNumber: Short | None = None  # noqa: N815

    def to_address(self) -> Address:
        return Address(
            first_name=self.firstName,
            last_name=self.lastName,
            company=self.company,
            phone_number=self.phoneNumber,
            address1=self.address1,
            address2=self.address2,
            zip_code=self.zipCode,
            city=self.city,
            state=self.state,
            country=self.country.upper() if self.country else self.country,
            vat_number=self.vatNumber,
            identity_number=self.identityNumber,
        )


class WireAddress(WireAddressFields):
    """A checkout address: the fields plus ``email`` and ``newsletter``."""

    email: Email | None = None
    newsletter: bool | None = None


class CheckoutFieldsWire(Protocol):
    """What a body with checkout fields has (PUT /payment-fields, checkout-fields, POST /payment)."""

    @property
    def address(self) -> WireAddress | None: ...
    @property
    def shippingAddress(self) -> WireAddress | None: ...  # noqa: N802 - Centra's field name
    @property
    def newsletter(self) -> bool | None: ...
    @property
    def additionalNotes(self) -> str | None: ...  # noqa: N802
    @property
    def comment(self) -> str | None: ...


def checkout_fields(body: CheckoutFieldsWire) -> CheckoutFields:
    """The checkout fields of a body; a top-level ``newsletter`` wins over ``address.newsletter``,
    ``additionalNotes`` over ``comment``."""
    address = body.address
    newsletter = body.newsletter if body.newsletter is not None else (address.newsletter if address else None)
    return CheckoutFields(
        email=address.email if address is not None else None,
        address=address.to_address() if address is not None else None,
        shipping_address=body.shippingAddress.to_address() if body.shippingAddress is not None else None,
        newsletter=newsletter,
        comment=body.additionalNotes if body.additionalNotes is not None else body.comment,
    )
