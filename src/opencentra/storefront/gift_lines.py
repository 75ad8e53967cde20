"""Buying a gift certificate through the storefront session.

POST /items/gift-certificates/{certificate}[/amount/{amount}] makes the
certificate the selection's only line: a predetermined certificate costs its
amount in the session's currency, an any-amount one the amount the shopper
names (in the currency's units, e.g. ``/amount/250`` or ``/amount/19.90``).
DELETE /lines/{line} removes it. Paying places an order with one line for the
certificate and issues its credit voucher (``giftcards.services.issue_in``).
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.giftcards.models import GiftCertificateType, IssuedGiftCertificate, SelectionGiftCertificate
from opencentra.giftcards.services import (
    CertificateInfo,
    GiftLine,
    find_certificate_in,
    issued_for_order,
    parse_amount,
    remove_from_selection_in,
)
from opencentra.mail import Mailer, gift_certificate_email
from opencentra.orders import LineDraft
from opencentra.orders.models import Order
from opencentra.selection.models import Selection, SelectionLine
from opencentra.selection.services import check_open
from opencentra.storefront.state import CheckoutState
from opencentra.storefront.storefront import Cart, Change, Storefront, changing
from opencentra.stores.models import Currency

MAX_AMOUNT_TEXT = 32


async def add_gift_certificate(
    shop: Storefront, cart: Cart, certificate_uri: str, amount: str | None = None
) -> CheckoutState:
    """The certificate becomes the selection's only line (products in it are removed)."""
    if amount is not None and len(amount) > MAX_AMOUNT_TEXT:
        raise ValidationFailed("must be a number", field="amount")
    async with changing(shop, cart) as change:
        certificate = await find_certificate_in(change.session, shop.channel.store_id, certificate_uri)
        assert change.row.pricelist_id is not None
        currency = change.reference.currency_of(change.row.pricelist_id)
        if certificate.type is GiftCertificateType.PREDETERMINED:
            if amount is not None:
                raise ValidationFailed("this gift certificate has a fixed amount", field="amount")
            amount_minor = certificate.amounts_minor.get(currency.id)
            if amount_minor is None:
                raise NotFound(f"not sold in {currency.code}", field="giftCertificate")
        else:
            if amount is None:
                raise ValidationFailed("required: choose the amount with /amount/{amount}", field="amount")
            amount_minor = parse_amount(amount, currency.decimals)
        selection = await change.selection()
        check_open(selection)
        await _put_in_selection(change.session, selection, certificate, amount_minor, currency.id)
        selection.updated_at = utcnow()
    return await change.after()


async def _put_in_selection(
    session: AsyncSession, selection: Selection, certificate: CertificateInfo, amount_minor: int, currency_id: int
) -> None:
    """Make the certificate the selection's only line (its product lines and any other certificate go)."""
    await session.execute(delete(SelectionLine).where(SelectionLine.selection_id == selection.id))
    session.expire(selection, ["lines"])
    await session.execute(delete(SelectionGiftCertificate).where(SelectionGiftCertificate.selection_id == selection.id))
    session.add(
        SelectionGiftCertificate(
            selection_id=selection.id,
            line_id=secrets.token_hex(16),
            certificate_id=certificate.id,
            amount_minor=amount_minor,
            currency_id=currency_id,
        )
    )
    await session.flush()


async def remove_gift_line(shop: Storefront, cart: Cart, line_id: str) -> CheckoutState:
    """DELETE /lines/{line} for a certificate line; NotFound(``line``) when it is not the selection's."""
    async with changing(shop, cart) as change:
        selection = await change.current_selection()
        if selection is None or not await remove_from_selection_in(change.session, selection.id, line_id):
            raise NotFound("line not found", field="line")
        selection.updated_at = utcnow()
    return await change.after()


async def buying_gift_in(change: Change, selection: Selection) -> bool:
    """Whether the selection is buying a certificate in its current currency (one bought in
    another currency, before the shopper moved, no longer counts)."""
    currency_id = change.reference.currency_of(selection.pricelist_id).id
    found = await change.session.scalar(
        select(SelectionGiftCertificate.id).where(
            SelectionGiftCertificate.selection_id == selection.id, SelectionGiftCertificate.currency_id == currency_id
        )
    )
    return found is not None


def gift_line_draft(gift: GiftLine, decimals: int) -> LineDraft:
    """The order line for a certificate: no product, no stock, no VAT."""
    amount_minor = int(gift.amount.scaleb(decimals))
    return LineDraft(
        product_name=gift.certificate.name,
        quantity=1,
        unit_price_minor=amount_minor,
        original_unit_price_minor=amount_minor,
        sku=gift.certificate.uri,
        tax_bp=0,
    )


async def deliver_gift_certificate(db: Database, order_id: int, mailer: Mailer) -> bool:
    """Email the buyer the code of the certificate an order bought; once per order, however
    often it is asked (a replayed payment result sends nothing). Whether an email went out."""
    async with db.write() as session:
        claimed = (
            await session.execute(
                update(IssuedGiftCertificate)
                .where(IssuedGiftCertificate.order_id == order_id, IssuedGiftCertificate.emailed_at.is_(None))
                .values(emailed_at=utcnow())
                .returning(IssuedGiftCertificate.id)
            )
        ).first()
        if claimed is None:
            return False
        issued = await issued_for_order(session, order_id)
        order = await session.get(Order, order_id)
        currency = await session.get(Currency, issued.currency_id) if issued is not None else None
    if issued is None or order is None or currency is None or issued.code is None:
        return False
    amount = f"{Decimal(issued.amount_minor).scaleb(-currency.decimals)} {currency.code}"
    await mailer.send(gift_certificate_email(order.email, issued.certificate_name, amount, issued.code))
    return True
