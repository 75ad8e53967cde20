"""The postal address as Centra has it: one per customer, two per selection and order.

A value every domain shares (customers, selections, orders, wholesale
accounts), so it sits beside ``money`` below them all.

Selections and orders keep their own copy (a snapshot), so editing a customer's
address later never rewrites an order that was already placed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column


@dataclass(frozen=True, slots=True)
class Address:
    """An address value; ``None`` means "not given" (and, in updates, "unchanged")."""

    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    phone_number: str | None = None
    address1: str | None = None
    address2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    state: str | None = None
    # ISO 3166 alpha-2, upper case.
    country: str | None = None
    vat_number: str | None = None
    identity_number: str | None = None

    def merged(self, changes: Address) -> Address:
        """This address with every field that ``changes`` gives replaced."""
        given = {f.name: getattr(changes, f.name) for f in fields(changes) if getattr(changes, f.name) is not None}
        return replace(self, **given)


ADDRESS_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Address))
# Centra's shipping address has no VAT or identity number.
SHIPPING_FIELDS: tuple[str, ...] = tuple(n for n in ADDRESS_FIELDS if n not in ("vat_number", "identity_number"))


def read_address(row: Any, prefix: str, names: tuple[str, ...] = ADDRESS_FIELDS) -> Address:
    """Build an ``Address`` from a row's ``<prefix><field>`` columns."""
    return Address(**{name: getattr(row, prefix + name) for name in names})


def write_address(row: Any, prefix: str, address: Address, names: tuple[str, ...] = ADDRESS_FIELDS) -> None:
    """Copy every field of ``address`` into the row's ``<prefix><field>`` columns."""
    for name in names:
        setattr(row, prefix + name, getattr(address, name))


class BillingAddressColumns:
    """``billing_*`` columns: the payer's address."""

    billing_first_name: Mapped[str | None] = mapped_column(String(100))
    billing_last_name: Mapped[str | None] = mapped_column(String(100))
    billing_company: Mapped[str | None] = mapped_column(String(200))
    billing_phone_number: Mapped[str | None] = mapped_column(String(50))
    billing_address1: Mapped[str | None] = mapped_column(String(200))
    billing_address2: Mapped[str | None] = mapped_column(String(200))
    billing_zip_code: Mapped[str | None] = mapped_column(String(32))
    billing_city: Mapped[str | None] = mapped_column(String(100))
    billing_state: Mapped[str | None] = mapped_column(String(100))
    billing_country: Mapped[str | None] = mapped_column(String(2))
    billing_vat_number: Mapped[str | None] = mapped_column(String(64))
    billing_identity_number: Mapped[str | None] = mapped_column(String(64))


class ShippingAddressColumns:
    """``shipping_*`` columns: where the goods go."""

    shipping_first_name: Mapped[str | None] = mapped_column(String(100))
    shipping_last_name: Mapped[str | None] = mapped_column(String(100))
    shipping_company: Mapped[str | None] = mapped_column(String(200))
    shipping_phone_number: Mapped[str | None] = mapped_column(String(50))
    shipping_address1: Mapped[str | None] = mapped_column(String(200))
    shipping_address2: Mapped[str | None] = mapped_column(String(200))
    shipping_zip_code: Mapped[str | None] = mapped_column(String(32))
    shipping_city: Mapped[str | None] = mapped_column(String(100))
    shipping_state: Mapped[str | None] = mapped_column(String(100))
    shipping_country: Mapped[str | None] = mapped_column(String(2))
