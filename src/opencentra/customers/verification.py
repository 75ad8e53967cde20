"""Email verification: the link that proves a customer reads mail at their email.

Registering proves only that someone knows an email address. A guest who
checked out with ``guest@example.com`` left a non-registered customer with
that email; anyone registering it takes over that customer row, so the
account must not show the guest's orders (names, street addresses) to
whoever registered. ``Customer.email_verified_at`` says the email is proven;
which orders an account shows follows from it (``storefront.account``).
Changing the email unverifies it.

Proving an email takes both halves of the account: the link mailed to
the address (an ``id`` and a secret code, as for password resets), used by a
session logged in to the account. The link alone is not enough, or the
owner of the email, clicking "confirm" in a mail they did not ask for,
would hand their orders to whoever registered their email. A completed
password reset verifies too: its link went to the same address, and it
logs every other session out.

The code is 128 random bits shown once (in the link); only its SHA-256 is
stored, compared in constant time. A link is used once, expires after
``VERIFICATION_LIFETIME``, and verifies nothing once the customer's email
has changed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.customers.models import Customer, EmailVerification
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import ValidationFailed
from opencentra.events.outbox import record

VERIFICATION_LIFETIME = timedelta(days=3)
MAX_SECRET = 128


@dataclass(frozen=True)
class IssuedVerification:
    verification_id: int
    secret: str
    customer_id: int
    email: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _invalid() -> ValidationFailed:
    return ValidationFailed("the verification link is invalid or has expired", field="i")


async def issue_verification(db: Database, customer_id: int) -> IssuedVerification | None:
    """A new link for the registered customer's unverified email; None when there is nothing to verify."""
    secret = secrets.token_hex(16)
    async with db.write() as session:
        customer = await session.get(Customer, customer_id)
        if (
            customer is None
            or not customer.registered
            or customer.anonymized_at is not None
            or customer.email_verified_at is not None
        ):
            return None
        verification = EmailVerification(
            customer_id=customer.id,
            email=customer.email,
            token_hash=_digest(secret),
            expires_at=utcnow() + VERIFICATION_LIFETIME,
        )
        session.add(verification)
        await session.flush()
        return IssuedVerification(verification.id, secret, customer.id, customer.email)


async def verify_email(
    db: Database, store_id: int, customer_id: int, verification_id: str | int, secret: str
) -> Customer:
    """Use a verification link once, logged in as ``customer_id``: their email is verified from now on."""
    try:
        ident = int(verification_id)
    except (TypeError, ValueError):
        raise _invalid() from None
    if not isinstance(secret, str) or not 0 < ident < 2**63 or len(secret) > MAX_SECRET:
        raise _invalid()
    async with db.write() as session:
        owner = await session.scalar(select(EmailVerification.customer_id).where(EmailVerification.id == ident))
        if owner is None or owner != customer_id:
            raise _invalid()
        # The customer first, then the link: the order change_email locks them in.
        customer = await session.scalar(select(Customer).where(Customer.id == customer_id).with_for_update())
        verification = await session.scalar(
            select(EmailVerification).where(EmailVerification.id == ident).with_for_update()
        )
        if (
            verification is None
            or verification.used_at is not None
            or verification.expires_at <= utcnow()
            or not hmac.compare_digest(verification.token_hash, _digest(secret))
        ):
            raise _invalid()
        if (
            customer is None
            or verification.customer_id != customer_id
            or customer.store_id != store_id
            or not customer.registered
            or customer.anonymized_at is not None
            or customer.email != verification.email
        ):
            raise _invalid()
        await mark_verified_in(session, customer)
        return customer


async def mark_verified_in(session: AsyncSession, customer: Customer) -> None:
    """The customer proved their email (in the caller's transaction): pending links are spent."""
    now = utcnow()
    await session.execute(
        update(EmailVerification)
        .where(EmailVerification.customer_id == customer.id, EmailVerification.used_at.is_(None))
        .values(used_at=now)
    )
    if customer.email_verified_at is None:
        customer.email_verified_at = now
        await session.flush()
        await record(
            session, "customer", customer.id, "updated", {"changed": ["email_verified"]}, store_id=customer.store_id
        )
