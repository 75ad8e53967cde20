"""Gift certificates: define them, put one in a selection, and issue its credit voucher with the order.

Centra's rules, as its gift-certificate guide states them: a certificate
cannot be mixed with products (adding one empties the selection, adding a
product removes the certificate), a selection holds one at a time, and buying
one creates a credit voucher. Here that voucher is a one-use code voucher for
the amount, in the currency it was bought in; the buyer redeems it with
POST /vouchers like any other code.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events.outbox import record
from opencentra.giftcards.models import (
    GiftCertificate,
    GiftCertificateAmount,
    GiftCertificateType,
    IssuedGiftCertificate,
    SelectionGiftCertificate,
)
from opencentra.pricing.models import Voucher, VoucherAmount, VoucherType
from opencentra.pricing.vouchers import normalize_code
from opencentra.stores.models import Currency

# Far above any real gift, far below what would overflow a total.
MAX_AMOUNT = Decimal(1_000_000)
_CODE_ALPHABET = string.ascii_uppercase + string.digits
CODE_LENGTH = 16
_LINE_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class GiftCertificateSpec:
    store_id: int
    uri: str
    name: str
    type: GiftCertificateType
    # Predetermined certificates: the amount per currency id.
    amounts: Mapping[int, Decimal] = field(default_factory=dict)
    currency_of_sale_only: bool = True
    show_gift_amount: bool = False
    active: bool = True


@dataclass(frozen=True)
class CertificateInfo:
    id: int
    uri: str
    name: str
    type: GiftCertificateType
    currency_of_sale_only: bool
    show_gift_amount: bool
    # currency id -> amount in minor units (predetermined certificates).
    amounts_minor: Mapping[int, int]


@dataclass(frozen=True)
class GiftLine:
    """The certificate a selection is buying, priced."""

    line_id: str
    certificate: CertificateInfo
    amount: Decimal
    currency_id: int


def _info(row: GiftCertificate, amounts: Mapping[int, int]) -> CertificateInfo:
    return CertificateInfo(
        id=row.id,
        uri=row.uri,
        name=row.name,
        type=GiftCertificateType(row.type),
        currency_of_sale_only=row.currency_of_sale_only,
        show_gift_amount=row.show_gift_amount,
        amounts_minor=dict(amounts),
    )


def _minor(amount: Decimal, decimals: int, field: str) -> int:
    """An amount in minor units; more decimals than the currency has, or not above 0, is refused."""
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed("must be above zero", field=field)
    if amount > MAX_AMOUNT:
        raise ValidationFailed(f"must be at most {MAX_AMOUNT}", field=field)
    scaled = amount.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise ValidationFailed(f"has more than {decimals} decimals", field=field)
    return int(scaled)


async def create_gift_certificate(db: Database, spec: GiftCertificateSpec) -> CertificateInfo:
    uri = spec.uri.strip()
    if not uri or len(uri) > 100 or "/" in uri or any(c.isspace() for c in uri):
        raise ValidationFailed("a uri is 1-100 characters without spaces or '/'", field="giftCertificate")
    name = spec.name.strip()
    if not name or len(name) > 255:
        raise ValidationFailed("name is required (at most 255 characters)", field="name")
    kind = GiftCertificateType(spec.type)
    if kind is GiftCertificateType.PREDETERMINED and not spec.amounts:
        raise ValidationFailed("a predetermined certificate needs an amount per currency", field="amountByCurrency")
    if kind is GiftCertificateType.ANY and spec.amounts:
        raise ValidationFailed("an any-amount certificate has no fixed amounts", field="amountByCurrency")
    async with db.write() as session:
        taken = await session.scalar(
            select(GiftCertificate.id).where(GiftCertificate.store_id == spec.store_id, GiftCertificate.uri == uri)
        )
        if taken is not None:
            raise Conflict(f"gift certificate {uri!r} already exists in this store", field="giftCertificate")
        rows = await session.execute(select(Currency.id, Currency.decimals).where(Currency.id.in_(list(spec.amounts))))
        decimals: dict[int, int] = {currency_id: places for currency_id, places in rows}
        if missing := sorted(set(spec.amounts) - set(decimals)):
            raise NotFound(f"currencies {missing} not found", field="currency")
        amounts = {
            currency_id: _minor(Decimal(amount), decimals[currency_id], "amountByCurrency")
            for currency_id, amount in spec.amounts.items()
        }
        row = GiftCertificate(
            store_id=spec.store_id,
            uri=uri,
            name=name,
            type=kind.value,
            currency_of_sale_only=spec.currency_of_sale_only,
            show_gift_amount=spec.show_gift_amount,
            active=spec.active,
        )
        session.add(row)
        await session.flush()
        for currency_id, minor in amounts.items():
            session.add(GiftCertificateAmount(certificate_id=row.id, currency_id=currency_id, amount_minor=minor))
        await session.flush()
        await record(session, "gift_certificate", row.id, "created", {"uri": uri}, store_id=spec.store_id)
        return _info(row, amounts)


async def find_certificate_in(session: AsyncSession, store_id: int, uri: str) -> CertificateInfo:
    """An active certificate of the store by its API id; NotFound(``giftCertificate``) otherwise."""
    if len(uri) > 100 or not uri.isprintable():
        # Never a stored id (and PostgreSQL refuses NUL in text).
        raise NotFound("not found", field="giftCertificate")
    row = await session.scalar(
        select(GiftCertificate).where(
            GiftCertificate.store_id == store_id,
            GiftCertificate.uri == uri.strip(),
            GiftCertificate.active.is_(True),
        )
    )
    if row is None:
        raise NotFound("not found", field="giftCertificate")
    rows = await session.execute(
        select(GiftCertificateAmount.currency_id, GiftCertificateAmount.amount_minor).where(
            GiftCertificateAmount.certificate_id == row.id
        )
    )
    amounts: dict[int, int] = {currency_id: minor for currency_id, minor in rows}
    return _info(row, amounts)


def parse_amount(raw: str, decimals: int) -> int:
    """The shopper's chosen amount (path segment ``/amount/{amount}``) in minor units."""
    text = raw.strip().replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed("must be a number", field="amount") from None
    return _minor(amount, decimals, "amount")


async def gift_line_in(session: AsyncSession, selection_id: int, decimals: int) -> GiftLine | None:
    """The certificate the selection is buying, or None."""
    row = (
        await session.execute(
            select(SelectionGiftCertificate, GiftCertificate)
            .join(GiftCertificate, GiftCertificate.id == SelectionGiftCertificate.certificate_id)
            .where(SelectionGiftCertificate.selection_id == selection_id)
        )
    ).first()
    if row is None:
        return None
    gift, certificate = row
    return GiftLine(
        line_id=gift.line_id,
        certificate=_info(certificate, {}),
        amount=Decimal(gift.amount_minor).scaleb(-decimals),
        currency_id=gift.currency_id,
    )


async def remove_from_selection_in(session: AsyncSession, selection_id: int, line_id: str) -> bool:
    """Remove the selection's certificate line; whether there was one with this id."""
    if _LINE_ID.fullmatch(line_id) is None:
        return False
    result = await session.execute(
        delete(SelectionGiftCertificate).where(
            SelectionGiftCertificate.selection_id == selection_id, SelectionGiftCertificate.line_id == line_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


def _new_code() -> str:
    return "GC-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def issue_in(
    session: AsyncSession, *, store_id: int, order_id: int, gift: GiftLine, decimals: int
) -> IssuedGiftCertificate:
    """The credit voucher an order bought: one use, the amount off, in the currency it was bought in."""
    code = _new_code()
    amount_minor = int(gift.amount.scaleb(decimals))
    voucher = Voucher(
        store_id=store_id,
        name=f"Gift certificate {gift.certificate.name}"[:255],
        type=VoucherType.CODE.value,
        code=code,
        code_normalized=normalize_code(code),
        active=True,
        priority=0,
        stop_processing=False,
        usage_limit=1,
        used_count=0,
        free_shipping=False,
        amounts=[VoucherAmount(currency_id=gift.currency_id, amount_minor=amount_minor)],
        minimum_totals=[],
        markets=[],
    )
    session.add(voucher)
    await session.flush()
    issued = IssuedGiftCertificate(
        order_id=order_id,
        certificate_id=gift.certificate.id,
        voucher_id=voucher.id,
        amount_minor=amount_minor,
        currency_id=gift.currency_id,
    )
    session.add(issued)
    await session.flush()
    # The code is a bearer secret: the events carry ids only.
    await record(
        session, "voucher", voucher.id, "created", {"type": voucher.type, "giftCertificate": True}, store_id=store_id
    )
    await record(
        session,
        "gift_certificate",
        gift.certificate.id,
        "issued",
        {"order": order_id, "voucher": voucher.id, "amountMinor": amount_minor},
        store_id=store_id,
    )
    return issued


@dataclass(frozen=True)
class IssuedView:
    certificate_uri: str | None
    certificate_name: str
    code: str | None
    amount_minor: int
    currency_id: int


async def issued_for_order(session: AsyncSession, order_id: int) -> IssuedView | None:
    row = (
        await session.execute(
            select(IssuedGiftCertificate, GiftCertificate, Voucher)
            .outerjoin(GiftCertificate, GiftCertificate.id == IssuedGiftCertificate.certificate_id)
            .outerjoin(Voucher, Voucher.id == IssuedGiftCertificate.voucher_id)
            .where(IssuedGiftCertificate.order_id == order_id)
        )
    ).first()
    if row is None:
        return None
    issued, certificate, voucher = row
    return IssuedView(
        certificate_uri=certificate.uri if certificate is not None else None,
        certificate_name=certificate.name if certificate is not None else "Gift certificate",
        code=voucher.code if voucher is not None else None,
        amount_minor=issued.amount_minor,
        currency_id=issued.currency_id,
    )
