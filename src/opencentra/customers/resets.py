"""Password resets: a one-time link (``id`` and a secret ``i``) that expires.

The secret is 128 random bits shown once (in the link); only its SHA-256 is
stored. Asking for a reset never says whether the email is registered.

Using the link logs out every shopper session of the customer (whoever knew
the old password is out), and verifies the email: the link went to it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from opencentra.customers.models import Customer, PasswordReset
from opencentra.customers.services import check_password_rule, log_out_everywhere_in, normalize_email
from opencentra.customers.verification import mark_verified_in
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import ValidationFailed
from opencentra.events.outbox import record
from opencentra.integers import as_int
from opencentra.passwords import hash_password

RESET_LIFETIME = timedelta(hours=2)


@dataclass(frozen=True)
class IssuedReset:
    reset_id: int
    secret: str
    customer_id: int
    email: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _invalid() -> ValidationFailed:
    return ValidationFailed("the reset link is invalid or has expired", field="i")


async def request_password_reset(db: Database, store_id: int, email: str) -> IssuedReset | None:
    """A reset for the registered customer with this email; None for anyone else."""
    try:
        normalized = normalize_email(email)
    except ValidationFailed:
        return None
    secret = secrets.token_hex(16)
    async with db.write() as session:
        customer = await session.scalar(
            select(Customer).where(
                Customer.store_id == store_id, Customer.email == normalized, Customer.registered.is_(True)
            )
        )
        if customer is None or customer.anonymized_at is not None:
            return None
        reset = PasswordReset(customer_id=customer.id, token_hash=_digest(secret), expires_at=utcnow() + RESET_LIFETIME)
        session.add(reset)
        await session.flush()
        await record(
            session,
            "customer",
            customer.id,
            "updated",
            {"password_reset": "requested", "reset": reset.id},
            store_id=store_id,
        )
        return IssuedReset(reset.id, secret, customer.id, customer.email)


async def reset_password(db: Database, store_id: int, reset_id: str | int, secret: str, new_password: str) -> Customer:
    """Use a reset link once to set a new password; the customer it belongs to is returned."""
    check_password_rule(new_password)
    ident = as_int(reset_id)
    if ident is None:
        raise _invalid()
    if not isinstance(secret, str) or not 0 < ident < 2**63 or len(secret) > 128:
        raise _invalid()
    password_hash = await hash_password(new_password)
    async with db.write() as session:
        owner = await session.scalar(select(PasswordReset.customer_id).where(PasswordReset.id == ident))
        if owner is None:
            raise _invalid()
        # The customer first, then the link: the order change_email locks them in.
        customer = await session.scalar(select(Customer).where(Customer.id == owner).with_for_update())
        reset = await session.scalar(select(PasswordReset).where(PasswordReset.id == ident).with_for_update())
        if (
            reset is None
            or reset.used_at is not None
            or reset.expires_at <= utcnow()
            or not hmac.compare_digest(reset.token_hash, _digest(secret))
        ):
            raise _invalid()
        if customer is None or customer.store_id != store_id or not customer.registered:
            raise _invalid()
        reset.used_at = utcnow()
        customer.password_hash = password_hash
        # Any other pending link for this customer stops working too.
        await session.execute(
            update(PasswordReset)
            .where(PasswordReset.customer_id == customer.id, PasswordReset.used_at.is_(None))
            .values(used_at=utcnow())
        )
        await log_out_everywhere_in(session, customer.id)
        await session.flush()
        await record(session, "customer", customer.id, "updated", {"changed": ["password"]}, store_id=customer.store_id)
        await mark_verified_in(session, customer)
        return customer
