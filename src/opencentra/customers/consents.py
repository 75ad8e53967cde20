"""Customer consents: what a customer agreed (or declined) to, by the merchant's consent key.

A consent given again with the same key replaces the earlier answer (and
keeps its creation time); a key the store has never seen is created, as
Centra does. Fields a caller leaves out keep their stored values. Every
change writes a ``customer`` outbox event in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.customers.models import Customer, CustomerConsent
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events.outbox import record

KEY_LIMIT = 100


@dataclass(frozen=True, slots=True)
class ConsentInput:
    key: str
    consented: bool
    # None: keep what is stored (an empty string for a new consent).
    name: str | None = None
    text: str | None = None
    version: str | None = None
    language: str | None = None


def _check(consents: Sequence[ConsentInput]) -> None:
    seen: set[str] = set()
    for index, consent in enumerate(consents):
        key = consent.key.strip()
        if not key or len(key) > KEY_LIMIT:
            raise ValidationFailed(f"a consent key has 1 to {KEY_LIMIT} characters", field=f"consents.{index}.key")
        if key in seen:
            raise ValidationFailed(f"consent {key!r} is given twice", field=f"consents.{index}.key")
        seen.add(key)
        for name, limit in (("name", 255), ("version", 32), ("language", 16)):
            value = getattr(consent, name)
            if value is not None and len(value) > limit:
                raise ValidationFailed(f"at most {limit} characters", field=f"consents.{index}.{name}")


async def record_consents_in(session: AsyncSession, customer_id: int, consents: Sequence[ConsentInput]) -> None:
    """Store the customer's answers in the caller's transaction."""
    if not consents:
        return
    _check(consents)
    customer = await session.scalar(select(Customer).where(Customer.id == customer_id))
    if customer is None or customer.anonymized_at is not None:
        raise NotFound("the customer was not found", field="customer")
    stored = {
        c.key: c
        for c in await session.scalars(
            select(CustomerConsent).where(
                CustomerConsent.customer_id == customer_id,
                CustomerConsent.key.in_([c.key.strip() for c in consents]),
            )
        )
    }
    for given in consents:
        key = given.key.strip()
        row = stored.get(key)
        if row is None:
            row = CustomerConsent(customer_id=customer_id, key=key, name="", text="", version="", language="")
            session.add(row)
        row.consented = given.consented
        for name in ("name", "text", "version", "language"):
            value = getattr(given, name)
            if value is not None:
                setattr(row, name, value)
    await session.flush()
    await record(
        session,
        "customer",
        customer_id,
        "updated",
        {"changed": ["consents"], "consents": sorted(c.key.strip() for c in consents)},
        store_id=customer.store_id,
    )


async def record_consents(db: Database, customer_id: int, consents: Sequence[ConsentInput]) -> None:
    async with db.write() as session:
        await record_consents_in(session, customer_id, consents)
