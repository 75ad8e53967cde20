"""Contracts and subscriptions as the back office lists them: filtered, sorted and paged, in a few statements.

An integration (the GraphQL Integration API) asks with ``ContractFilter`` or
``SubscriptionFilter``, sort keys and a window (``opencentra.db.listing``);
each page is read in a fixed number of statements whatever its size. The
changes the back office makes are the same services the shopper's APIs call
(``contracts``), plus the quantity of one subscription by its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.db.listing import CHUNK, Between, SortKey, TextMatch, Window, between_conditions, page, text_conditions
from opencentra.errors import Conflict, ValidationFailed
from opencentra.events.outbox import record
from opencentra.subscriptions.contracts import (
    ContractView,
    SubscriptionView,
    _check_quantity,
    _locked_subscription,
    _subscription_view,
    _views,
)
from opencentra.subscriptions.models import (
    ContractSubscription,
    SubscriptionContract,
    SubscriptionPaymentStatus,
    SubscriptionStatus,
)


def _checked(
    values: Sequence[str] | None, allowed: type[SubscriptionStatus | SubscriptionPaymentStatus], field: str
) -> list[str] | None:
    if values is None:
        return None
    known = {member.value for member in allowed}
    wrong = [value for value in values if value not in known]
    if wrong:
        raise ValidationFailed(f"unknown {field} {wrong[0]!r}: use one of {', '.join(sorted(known))}", field=field)
    return list(values)


@dataclass(frozen=True, slots=True)
class ContractFilter:
    """Which contracts: None in a field matches every value; ``statuses`` keeps contracts with
    at least one subscription in one of them."""

    store_ids: Sequence[int] | None = None
    ids: Sequence[int] | None = None
    customer_ids: Sequence[int] | None = None
    email: TextMatch | None = None
    statuses: Sequence[str] | None = None
    created: Between[datetime] | None = None


@dataclass(frozen=True, slots=True)
class SubscriptionFilter:
    store_ids: Sequence[int] | None = None
    ids: Sequence[int] | None = None
    contract_ids: Sequence[int] | None = None
    customer_ids: Sequence[int] | None = None
    statuses: Sequence[str] | None = None
    payment_statuses: Sequence[str] | None = None
    next_order_date: Between[date] | None = None


_CONTRACT_SORT = {
    "id": SubscriptionContract.id,
    "created_at": SubscriptionContract.created_at,
    "updated_at": SubscriptionContract.updated_at,
}
_SUBSCRIPTION_SORT = {
    "id": ContractSubscription.id,
    "next_order_date": ContractSubscription.next_order_date,
    "created_at": ContractSubscription.created_at,
    "updated_at": ContractSubscription.updated_at,
}


def _contract_statement(where: ContractFilter) -> Select[SubscriptionContract]:
    conditions: list[ColumnElement[bool]] = [
        *text_conditions(SubscriptionContract.email, _lowered(where.email)),
        *between_conditions(SubscriptionContract.created_at, where.created),
    ]
    if where.store_ids is not None:
        conditions.append(SubscriptionContract.store_id.in_(list(where.store_ids)))
    if where.ids is not None:
        conditions.append(SubscriptionContract.id.in_(list(where.ids)))
    if where.customer_ids is not None:
        conditions.append(SubscriptionContract.customer_id.in_(list(where.customer_ids)))
    statuses = _checked(where.statuses, SubscriptionStatus, "status")
    if statuses is not None:
        conditions.append(
            exists().where(
                ContractSubscription.contract_id == SubscriptionContract.id, ContractSubscription.status.in_(statuses)
            )
        )
    return select(SubscriptionContract).where(*conditions)


def _lowered(match: TextMatch | None) -> TextMatch | None:
    """Emails are stored lower-cased: equality ignores case, as Centra's does."""
    if match is None or match.equals is None:
        return match
    return TextMatch(equals=match.equals.strip().lower(), contains=match.contains)


def _subscription_statement(where: SubscriptionFilter) -> Select[ContractSubscription]:
    conditions: list[ColumnElement[bool]] = [
        *between_conditions(ContractSubscription.next_order_date, where.next_order_date)
    ]
    if where.ids is not None:
        conditions.append(ContractSubscription.id.in_(list(where.ids)))
    if where.contract_ids is not None:
        conditions.append(ContractSubscription.contract_id.in_(list(where.contract_ids)))
    statuses = _checked(where.statuses, SubscriptionStatus, "status")
    if statuses is not None:
        conditions.append(ContractSubscription.status.in_(statuses))
    payments = _checked(where.payment_statuses, SubscriptionPaymentStatus, "paymentStatus")
    if payments is not None:
        conditions.append(ContractSubscription.payment_status.in_(payments))
    statement = select(ContractSubscription).where(*conditions)
    if where.store_ids is not None or where.customer_ids is not None:
        statement = statement.join(SubscriptionContract, SubscriptionContract.id == ContractSubscription.contract_id)
        if where.store_ids is not None:
            statement = statement.where(SubscriptionContract.store_id.in_(list(where.store_ids)))
        if where.customer_ids is not None:
            statement = statement.where(SubscriptionContract.customer_id.in_(list(where.customer_ids)))
    return statement


async def contract_page(
    session: AsyncSession, where: ContractFilter, sort: Sequence[SortKey], window: Window
) -> list[ContractView]:
    """A page of contracts (sort by ``id``, ``created_at``, ``updated_at``, then id), each with its
    subscriptions and stored payment method: four statements whatever the page size."""
    rows = await page(session, _contract_statement(where), sort, _CONTRACT_SORT, window, lambda row: row)
    return await _views(session, rows)


async def subscription_page(
    session: AsyncSession, where: SubscriptionFilter, sort: Sequence[SortKey], window: Window
) -> list[SubscriptionView]:
    """A page of subscriptions (sort by ``id``, ``next_order_date``, ``created_at``, ``updated_at``)."""
    return await page(session, _subscription_statement(where), sort, _SUBSCRIPTION_SORT, window, _subscription_view)


async def contracts_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, ContractView]:
    """The contracts with these ids (for a subscription's ``contract``), in a fixed number of statements."""
    wanted = list(dict.fromkeys(ids))
    rows: list[SubscriptionContract] = []
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        rows.extend(await session.scalars(select(SubscriptionContract).where(SubscriptionContract.id.in_(chunk))))
    return {view.id: view for view in await _views(session, rows)}


async def set_subscription_quantity(
    db: Database, subscription_id: int, quantity: int, *, store_id: int | None = None
) -> SubscriptionView:
    """How many of the item each renewal orders; a cancelled subscription cannot change."""
    _check_quantity(quantity)
    async with db.write() as session:
        sub, contract = await _locked_subscription(session, subscription_id, None, store_id)
        if sub.status == SubscriptionStatus.CANCELLED:
            raise Conflict("the subscription is cancelled", field="status")
        if sub.quantity != quantity:
            sub.quantity = quantity
            sub.updated_at = utcnow()
            await session.flush()
            await record(
                session,
                "subscription",
                sub.id,
                "changed",
                {"contract": contract.id, "quantity": quantity},
                store_id=contract.store_id,
            )
        return _subscription_view(sub)
