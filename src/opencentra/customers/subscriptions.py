"""Newsletter and back-in-stock sign-ups, from shoppers who may not have an account."""

from __future__ import annotations

from sqlalchemy import select, update

from opencentra.customers.models import BackInStockSubscription, Customer, NewsletterSubscription
from opencentra.customers.services import normalize_email
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.db.upsert import insert_or_ignore
from opencentra.events.outbox import record


async def subscribe_newsletter(
    db: Database,
    store_id: int,
    email: str,
    *,
    country: str | None = None,
    language: str | None = None,
    display_item_id: int | None = None,
    product_size_id: int | None = None,
) -> bool:
    """Sign an email up; True if it was new. A customer with that email gets the flag too."""
    normalized = normalize_email(email)
    async with db.write() as session:
        customer = await session.scalar(
            select(Customer).where(Customer.store_id == store_id, Customer.email == normalized)
        )
        created = await insert_or_ignore(
            session,
            NewsletterSubscription,
            {
                "store_id": store_id,
                "email": normalized,
                "customer_id": customer.id if customer else None,
                "country": country,
                "language": language,
                "display_item_id": display_item_id,
                "product_size_id": product_size_id,
                "created_at": utcnow(),
            },
            ["store_id", "email"],
        )
        if customer is not None and not customer.newsletter:
            await session.execute(update(Customer).where(Customer.id == customer.id).values(newsletter=True))
            await record(session, "customer", customer.id, "updated", {"changed": ["newsletter"]}, store_id=store_id)
        if created is not None:
            await record(
                session,
                "newsletter_subscription",
                created,
                "created",
                {"email": normalized, "country": country, "language": language},
                store_id=store_id,
            )
        return created is not None


async def subscribe_back_in_stock(
    db: Database,
    store_id: int,
    email: str,
    *,
    display_item_id: int,
    product_size_id: int,
    country: str,
    state: str | None = None,
    language: str | None = None,
) -> bool:
    """Ask to be told when the item is back in ``country``; True if it was new."""
    normalized = normalize_email(email)
    async with db.write() as session:
        customer_id = await session.scalar(
            select(Customer.id).where(Customer.store_id == store_id, Customer.email == normalized)
        )
        created = await insert_or_ignore(
            session,
            BackInStockSubscription,
            {
                "store_id": store_id,
                "email": normalized,
                "customer_id": customer_id,
                "display_item_id": display_item_id,
                "product_size_id": product_size_id,
                "country": country,
                "state": state,
                "language": language,
                "created_at": utcnow(),
            },
            ["store_id", "email", "product_size_id", "country"],
        )
        if created is not None:
            await record(
                session,
                "back_in_stock_subscription",
                created,
                "created",
                {"email": normalized, "product_size": product_size_id, "country": country},
                store_id=store_id,
            )
        return created is not None
