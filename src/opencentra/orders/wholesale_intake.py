"""Wholesale orders inserted through the Order API (POST /order with ``accountId``/``buyerId``).

A wholesale store's orders belong to an account, and usually to one of its
buyers. The account must be in the order's store and active; a buyer must
belong to the account (given alone, it names its account). Centra makes
``accountId`` required for B2B, so a wholesale store refuses an order
without one. What the caller leaves out comes from the account: its market
and pricelist, and, without an address, the buyer's billing address and
email. The links are set in the transaction that inserts the order and are
named in an ``order`` ``updated`` event.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.address import read_address
from opencentra.errors import ValidationFailed
from opencentra.events.outbox import record
from opencentra.orders.models import Order
from opencentra.stores.models import Store, StoreType
from opencentra.wholesale.models import Account, AccountStatus, Buyer

if TYPE_CHECKING:
    from opencentra.orders.intake import IntakeOrder


@dataclass(frozen=True, slots=True)
class WholesaleLinks:
    account: Account
    buyer: Buyer | None

    def fill(self, spec: IntakeOrder) -> IntakeOrder:
        """The order with the account's market and pricelist and the buyer's address where none was given."""
        changes: dict[str, object] = {}
        if spec.market_id is None and not spec.market_name:
            changes["market_id"] = self.account.market_id
        if spec.pricelist_id is None and not spec.pricelist_name and self.account.pricelist_id is not None:
            changes["pricelist_id"] = self.account.pricelist_id
        if self.buyer is not None:
            if not spec.billing.country and spec.shipping is None:
                changes["billing"] = read_address(self.buyer, "billing_")
            if not spec.email and self.buyer.email:
                changes["email"] = self.buyer.email
        return dataclasses.replace(spec, **changes) if changes else spec  # type: ignore[arg-type]

    async def attach_in(self, session: AsyncSession, order: Order) -> None:
        order.account_id = self.account.id
        order.buyer_id = self.buyer.id if self.buyer is not None else None
        await session.flush()
        await record(
            session,
            "order",
            order.id,
            "updated",
            {"change": "wholesale", "account_id": order.account_id, "buyer_id": order.buyer_id},
            store_id=order.store_id,
        )


async def wholesale_links(
    session: AsyncSession, store_id: int, account_id: int | None, buyer_id: int | None
) -> WholesaleLinks | None:
    """The account and buyer the order is for, checked; None for a retail order."""
    store_type = await session.scalar(select(Store.type).where(Store.id == store_id))
    if account_id is None and buyer_id is None:
        if store_type == StoreType.WHOLESALE:
            raise ValidationFailed("required for a wholesale order", field="accountId")
        return None
    if store_type != StoreType.WHOLESALE:
        raise ValidationFailed("accountId and buyerId are for wholesale stores only", field="accountId")
    buyer = None
    if buyer_id is not None:
        buyer = await session.get(Buyer, buyer_id)
        if buyer is None or buyer.store_id != store_id:
            raise ValidationFailed(f"buyer {buyer_id} not found", field="buyerId")
        if account_id is None:
            account_id = buyer.account_id
        elif buyer.account_id != account_id:
            raise ValidationFailed(f"buyer {buyer_id} does not belong to account {account_id}", field="buyerId")
        if buyer.status != AccountStatus.ACTIVE:
            raise ValidationFailed(f"buyer {buyer_id} is inactive", field="buyerId")
    account = await session.get(Account, account_id)
    if account is None or account.store_id != store_id:
        raise ValidationFailed(f"account {account_id} not found", field="accountId")
    if account.status != AccountStatus.ACTIVE:
        raise ValidationFailed(f"account {account_id} is inactive", field="accountId")
    return WholesaleLinks(account=account, buyer=buyer)
