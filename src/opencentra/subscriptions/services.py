"""Subscription plans: create and change them, offer them on displays, price lines bought on one.

Each change is one transaction with its outbox event (object type
``subscription_plan``; the storefront's catalogue cache sees it and rebuilds,
so products show their plans at once).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog.models import Display
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events.outbox import record
from opencentra.money import round_money
from opencentra.orders.models import OrderLine
from opencentra.pricing.prices import PriceInfo
from opencentra.subscriptions.models import (
    DisplaySubscriptionPlan,
    IntervalType,
    OrderLineSubscription,
    SubscriptionPlan,
)

MAX_INTERVAL = 1000


@dataclass(frozen=True, slots=True)
class PlanInfo:
    """A plan as the storefront shows and prices it."""

    id: int
    name: str
    interval_value: int
    interval_type: str
    discount_bp: int

    @property
    def discount_percent(self) -> Decimal:
        return Decimal(self.discount_bp) / 100


@dataclass(frozen=True)
class PlanSpec:
    store_id: int
    name: str
    interval_value: int
    interval_type: str
    # Percent off items bought on the plan (Centra's ``discountPercent``); 0 to 100, two decimals.
    discount_percent: Decimal = Decimal(0)
    active: bool = True


def _info(plan: SubscriptionPlan) -> PlanInfo:
    return PlanInfo(plan.id, plan.name, plan.interval_value, plan.interval_type, plan.discount_bp)


def _checked(name: str, interval_value: int, interval_type: str, discount_percent: Decimal) -> tuple[str, str, int]:
    if not name.strip():
        raise ValidationFailed("a plan needs a name", field="name")
    if len(name) > 255:
        raise ValidationFailed("name is longer than 255 characters", field="name")
    if isinstance(interval_value, bool) or not 1 <= interval_value <= MAX_INTERVAL:
        raise ValidationFailed(f"interval must be 1 to {MAX_INTERVAL}", field="intervalValue")
    try:
        kind = IntervalType(interval_type.strip().lower())
    except ValueError:
        raise ValidationFailed("interval type must be day, week, month or year", field="intervalType") from None
    discount = Decimal(discount_percent)
    if not discount.is_finite() or not 0 <= discount <= 100:
        raise ValidationFailed("discount must be 0 to 100 percent", field="discountPercent")
    bp = discount * 100
    if bp != bp.to_integral_value():
        raise ValidationFailed("discount has at most two decimals", field="discountPercent")
    return name.strip(), kind.value, int(bp)


async def create_plan(db: Database, spec: PlanSpec) -> PlanInfo:
    name, kind, bp = _checked(spec.name, spec.interval_value, spec.interval_type, spec.discount_percent)
    async with db.write() as session:
        plan = SubscriptionPlan(
            store_id=spec.store_id,
            name=name,
            interval_value=spec.interval_value,
            interval_type=kind,
            discount_bp=bp,
            active=spec.active,
        )
        session.add(plan)
        await session.flush()
        await record(session, "subscription_plan", plan.id, "created", {"name": name}, store_id=spec.store_id)
        return _info(plan)


async def update_plan(
    db: Database,
    plan_id: int,
    *,
    name: str | None = None,
    interval_value: int | None = None,
    interval_type: str | None = None,
    discount_percent: Decimal | None = None,
    active: bool | None = None,
) -> PlanInfo:
    """Change a plan; lines already ordered keep the copy they were bought on."""
    async with db.write() as session:
        plan = await session.get(SubscriptionPlan, plan_id, with_for_update=True)
        if plan is None:
            raise NotFound("subscription plan not found", field="subscriptionPlan")
        checked_name, kind, bp = _checked(
            plan.name if name is None else name,
            plan.interval_value if interval_value is None else interval_value,
            plan.interval_type if interval_type is None else interval_type,
            Decimal(plan.discount_bp) / 100 if discount_percent is None else discount_percent,
        )
        plan.name, plan.interval_type, plan.discount_bp = checked_name, kind, bp
        if interval_value is not None:
            plan.interval_value = interval_value
        if active is not None:
            plan.active = active
        await session.flush()
        await record(session, "subscription_plan", plan.id, "updated", {"name": plan.name}, store_id=plan.store_id)
        return _info(plan)


async def set_display_plans(db: Database, display_id: int, plan_ids: Sequence[int]) -> None:
    """Offer exactly these plans (in this order) on a display; plans of another store are refused."""
    async with db.write() as session:
        store_id = await session.scalar(select(Display.store_id).where(Display.id == display_id))
        if store_id is None:
            raise NotFound("display not found", field="display")
        wanted = list(dict.fromkeys(plan_ids))
        found = set(
            await session.scalars(
                select(SubscriptionPlan.id).where(
                    SubscriptionPlan.id.in_(wanted), SubscriptionPlan.store_id == store_id
                )
            )
        )
        missing = [plan_id for plan_id in wanted if plan_id not in found]
        if missing:
            raise NotFound(f"subscription plan {missing[0]} not found in this store", field="subscriptionPlans")
        await session.execute(delete(DisplaySubscriptionPlan).where(DisplaySubscriptionPlan.display_id == display_id))
        for sort_order, plan_id in enumerate(wanted):
            session.add(DisplaySubscriptionPlan(display_id=display_id, plan_id=plan_id, sort_order=sort_order))
        await session.flush()
        await record(
            session, "subscription_plan", display_id, "display_plans_set", {"plans": wanted}, store_id=store_id
        )


async def plans_by_display(session: AsyncSession, store_id: int) -> dict[int, tuple[PlanInfo, ...]]:
    """The active plans each of the store's displays offers, in the display's order."""
    rows = await session.execute(
        select(DisplaySubscriptionPlan.display_id, SubscriptionPlan)
        .join(SubscriptionPlan, SubscriptionPlan.id == DisplaySubscriptionPlan.plan_id)
        .where(SubscriptionPlan.store_id == store_id, SubscriptionPlan.active.is_(True))
        .order_by(DisplaySubscriptionPlan.display_id, DisplaySubscriptionPlan.sort_order, SubscriptionPlan.id)
    )
    found: dict[int, list[PlanInfo]] = {}
    for display_id, plan in rows:
        found.setdefault(display_id, []).append(_info(plan))
    return {display_id: tuple(plans) for display_id, plans in found.items()}


def with_plan_discount(price: PriceInfo, plan: PlanInfo) -> PriceInfo:
    """The price of one unit bought on ``plan``: its discount off the current (campaign) price."""
    if not plan.discount_bp:
        return price
    decimals = price.currency_decimals
    discounted = round_money(price.price * (10_000 - plan.discount_bp) / 10_000, decimals)
    return dataclasses.replace(price, price=discounted, price_minor=int(discounted.scaleb(decimals)))


async def record_order_line_plans_in(
    session: AsyncSession, lines: Sequence[OrderLine], plans: Iterable[PlanInfo | None]
) -> None:
    """Keep, per order line, the plan it was bought on (``plans`` in the order of ``lines``)."""
    for line, plan in zip(lines, plans, strict=True):
        if plan is None:
            continue
        session.add(
            OrderLineSubscription(
                order_line_id=line.id,
                plan_id=plan.id,
                name=plan.name,
                interval_value=plan.interval_value,
                interval_type=plan.interval_type,
                discount_bp=plan.discount_bp,
            )
        )
    await session.flush()


async def order_line_plans(session: AsyncSession, order_line_ids: Iterable[int]) -> dict[int, PlanInfo]:
    """The plan copies of these order lines (lines bought one-off are absent)."""
    ids = list(order_line_ids)
    if not ids:
        return {}
    rows = await session.scalars(select(OrderLineSubscription).where(OrderLineSubscription.order_line_id.in_(ids)))
    return {
        row.order_line_id: PlanInfo(row.plan_id or 0, row.name, row.interval_value, row.interval_type, row.discount_bp)
        for row in rows
    }
