"""Erasing a customer's personal data (GDPR): the customer, their selections and their orders, in one transaction.

Orders stay (invoices must be kept) but lose names, contact details and
addresses; the country stays for tax records. The customer's own rows are
``customers.services.anonymize_in``; this use case adds the orders, which
only the orders domain may change.
"""

from __future__ import annotations

from sqlalchemy import select

from opencentra.customers.models import Customer
from opencentra.customers.services import PERSONAL_ADDRESS_COLUMNS, anonymize_in
from opencentra.db.engine import Database
from opencentra.events.outbox import record
from opencentra.orders.models import Order


async def anonymize_customer(db: Database, customer_id: int) -> Customer:
    """Erase the customer's personal data everywhere it is kept; irreversible."""
    async with db.write() as session:
        customer = await anonymize_in(session, customer_id)
        personal: dict[str, object] = dict.fromkeys(PERSONAL_ADDRESS_COLUMNS)
        orders = (await session.scalars(select(Order).where(Order.customer_id == customer.id))).all()
        for order in orders:
            for name, value in personal.items():
                setattr(order, name, value)
            order.email = customer.email
        await session.flush()
        for order in orders:
            await record(session, "order", order.id, "updated", {"anonymized": True}, store_id=order.store_id)
        return customer
