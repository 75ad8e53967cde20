"""Every gift certificate a store sells, read at once (the Shop API's ``GET /gift-certificates``)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.giftcards.models import GiftCertificate, GiftCertificateAmount
from opencentra.giftcards.services import CertificateInfo, _info


async def certificates_of_store(session: AsyncSession, store_id: int) -> list[CertificateInfo]:
    """The store's active certificates by uri, with their amounts per currency id. Two statements."""
    rows = list(
        await session.scalars(
            select(GiftCertificate)
            .where(GiftCertificate.store_id == store_id, GiftCertificate.active.is_(True))
            .order_by(GiftCertificate.uri)
        )
    )
    if not rows:
        return []
    amounts: dict[int, dict[int, int]] = defaultdict(dict)
    for certificate_id, currency_id, minor in await session.execute(
        select(
            GiftCertificateAmount.certificate_id, GiftCertificateAmount.currency_id, GiftCertificateAmount.amount_minor
        ).where(GiftCertificateAmount.certificate_id.in_([row.id for row in rows]))
    ):
        amounts[certificate_id][currency_id] = minor
    return [_info(row, amounts.get(row.id, {})) for row in rows]
