"""Price alterations: dated replacement prices per pricelist (Centra's ``PriceAlteration``).

An alteration is created inactive or active with a start; ``set_altered_prices``
fills in its prices for one pricelist. ``in_force`` is what
``opencentra.pricing.prices.price_for_variants`` asks, so every API (the
Checkout API, Shop API, order intake) sells at the altered price once the
alteration is active and its start has passed. Of several alterations in
force for a variant, the one that started last wins. The delivery windows an
alteration names are recorded and reported, but do not narrow where its
prices apply: the pricing service does not know a selection's window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Integer, column, delete, func, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog.models import ProductVariant
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events import outbox
from opencentra.pricing import _refs
from opencentra.pricing._amounts import exact_minor
from opencentra.pricing.alteration_models import AlteredPrice, PriceAlteration, PriceAlterationDeliveryWindow
from opencentra.pricing.queries import (
    AlteredPriceView,
    PriceAlterationView,
    altered_price_view,
    price_alteration_view,
)

MAX_PRICES = 1000

# The wholesale domain's delivery windows, addressed by name like ``_refs``.
_delivery_windows = table("delivery_windows", column("id", Integer))


@dataclass(frozen=True)
class AlteredPriceSpec:
    variant_id: int
    price: Decimal
    recommended_retail_price: Decimal | None = None


@dataclass(frozen=True)
class AlteredPriceInForce:
    price_alteration_id: int
    price_minor: int


def checked_price(amount: Decimal, decimals: int) -> Decimal:
    """``amount`` if it is a price in a currency with ``decimals`` (else ``ValidationFailed``)."""
    exact_minor(amount, decimals, field="price")
    return amount


def _clean_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 255:
        raise ValidationFailed("name is required (at most 255 characters)", field="name")
    return cleaned


def _check_start(starts_at: datetime) -> datetime:
    if starts_at.tzinfo is None:
        raise ValidationFailed("starts_at needs a timezone", field="starts_at")
    return starts_at


def _payload(row: PriceAlteration) -> dict[str, object]:
    return {"name": row.name, "active": row.active, "starts_at": row.starts_at.isoformat()}


async def _set_delivery_windows(session: AsyncSession, alteration_id: int, window_ids: Sequence[int]) -> list[int]:
    wanted = list(dict.fromkeys(window_ids))
    known = set(await session.scalars(select(_delivery_windows.c.id).where(_delivery_windows.c.id.in_(wanted))))
    if missing := [i for i in wanted if i not in known]:
        raise NotFound(f"Could not find DeliveryWindow with ID {missing[0]}", field="delivery_windows")
    await session.execute(
        delete(PriceAlterationDeliveryWindow).where(PriceAlterationDeliveryWindow.price_alteration_id == alteration_id)
    )
    session.add_all(
        PriceAlterationDeliveryWindow(price_alteration_id=alteration_id, delivery_window_id=i) for i in wanted
    )
    await session.flush()
    return wanted


async def create_price_alteration(
    db: Database,
    store_id: int,
    name: str,
    *,
    starts_at: datetime,
    active: bool = False,
    delivery_window_ids: Sequence[int] = (),
) -> PriceAlterationView:
    """A price alteration without prices yet; ``delivery_window_ids`` are recorded and reported."""
    cleaned = _clean_name(name)
    _check_start(starts_at)
    async with db.write() as session:
        if await session.scalar(select(_refs.stores.c.id).where(_refs.stores.c.id == store_id)) is None:
            raise NotFound(f"Could not find Store with ID {store_id}", field="store")
        row = PriceAlteration(store_id=store_id, name=cleaned, starts_at=starts_at, active=active)
        session.add(row)
        await session.flush()
        windows = await _set_delivery_windows(session, row.id, delivery_window_ids)
        payload = {**_payload(row), "delivery_windows": windows}
        await outbox.record(session, "price_alteration", row.id, "created", payload, store_id=store_id)
        return price_alteration_view(row)


async def update_price_alteration(
    db: Database,
    alteration_id: int,
    *,
    name: str | None = None,
    starts_at: datetime | None = None,
    active: bool | None = None,
    delivery_window_ids: Sequence[int] | None = None,
    store_scope: int | None = None,
) -> PriceAlterationView:
    """Change name, start, status or delivery windows (replaced as a set); None keeps a value.

    ``store_scope``: the one store the caller may change (None: any); another store's alteration is not found.
    """
    async with db.write() as session:
        row = await session.get(PriceAlteration, alteration_id)
        if row is None or (store_scope is not None and row.store_id != store_scope):
            raise NotFound(f"Could not find PriceAlteration with ID {alteration_id}", field="id")
        if name is not None:
            row.name = _clean_name(name)
        if starts_at is not None:
            row.starts_at = _check_start(starts_at)
        if active is not None:
            row.active = active
        payload = _payload(row)
        if delivery_window_ids is not None:
            payload["delivery_windows"] = await _set_delivery_windows(session, row.id, delivery_window_ids)
        await session.flush()
        await outbox.record(session, "price_alteration", row.id, "updated", payload, store_id=row.store_id)
        return price_alteration_view(row)


async def set_altered_prices(
    db: Database,
    alteration_id: int,
    pricelist_id: int,
    prices: Sequence[AlteredPriceSpec],
    *,
    store_scope: int | None = None,
) -> list[AlteredPriceView]:
    """Create or replace the alteration's prices of variants in one pricelist of its store.

    ``store_scope`` as for ``update_price_alteration``.
    """
    if len(prices) > MAX_PRICES:
        raise ValidationFailed(f"at most {MAX_PRICES} prices per call", field="prices")
    variant_ids = [spec.variant_id for spec in prices]
    if len(set(variant_ids)) != len(variant_ids):
        raise ValidationFailed("a variant is priced twice", field="prices")
    async with db.write() as session:
        alteration = await session.get(PriceAlteration, alteration_id)
        if alteration is None or (store_scope is not None and alteration.store_id != store_scope):
            raise NotFound(f"Could not find PriceAlteration with ID {alteration_id}", field="priceAlteration")
        pricelists, currencies = _refs.pricelists, _refs.currencies
        found = (
            await session.execute(
                select(pricelists.c.store_id, currencies.c.decimals)
                .select_from(pricelists.join(currencies, currencies.c.id == pricelists.c.currency_id))
                .where(pricelists.c.id == pricelist_id)
            )
        ).first()
        if found is None or found[0] != alteration.store_id:
            raise NotFound(f"Could not find Pricelist with ID {pricelist_id}", field="pricelist")
        decimals: int = found[1]
        amounts: list[tuple[AlteredPriceSpec, int, int | None]] = []
        for spec in prices:
            price_minor = exact_minor(spec.price, decimals, field="price")
            rrp = spec.recommended_retail_price
            rrp_minor = exact_minor(rrp, decimals, field="recommended_retail_price") if rrp is not None else None
            amounts.append((spec, price_minor, rrp_minor))
        known = set(await session.scalars(select(ProductVariant.id).where(ProductVariant.id.in_(variant_ids))))
        if missing := sorted(set(variant_ids) - known):
            raise NotFound(f"variants {missing} not found", field="prices")
        existing = {
            row.variant_id: row
            for row in await session.scalars(
                select(AlteredPrice).where(
                    AlteredPrice.price_alteration_id == alteration_id,
                    AlteredPrice.pricelist_id == pricelist_id,
                    AlteredPrice.variant_id.in_(variant_ids),
                )
            )
        }
        rows: list[AlteredPrice] = []
        for spec, price_minor, rrp_minor in amounts:
            row = existing.get(spec.variant_id)
            if row is None:
                row = AlteredPrice(
                    price_alteration_id=alteration_id, pricelist_id=pricelist_id, variant_id=spec.variant_id
                )
                session.add(row)
            row.price_minor = price_minor
            row.recommended_retail_price_minor = rrp_minor
            rows.append(row)
        await session.flush()
        await outbox.record(
            session,
            "price_alteration",
            alteration_id,
            "updated",
            {
                **_payload(alteration),
                "pricelist": pricelist_id,
                "prices": [{"variant": r.variant_id, "price_minor": r.price_minor} for r in rows],
            },
            store_id=alteration.store_id,
        )
        return [altered_price_view(row) for row in rows]


async def in_force(
    session: AsyncSession, store_id: int, pricelist_id: int, variant_ids: Sequence[int], at: datetime
) -> dict[int, AlteredPriceInForce]:
    """The altered price of each variant in force at ``at`` (latest start wins, then newest alteration)."""
    if not variant_ids:
        return {}
    rows = await session.execute(
        select(AlteredPrice.variant_id, AlteredPrice.price_minor, PriceAlteration.id, PriceAlteration.starts_at)
        .join(PriceAlteration, PriceAlteration.id == AlteredPrice.price_alteration_id)
        .where(
            PriceAlteration.store_id == store_id,
            PriceAlteration.active.is_(True),
            PriceAlteration.starts_at <= at,
            AlteredPrice.pricelist_id == pricelist_id,
            AlteredPrice.variant_id.in_(variant_ids),
        )
    )
    best: dict[int, tuple[tuple[datetime, int], AlteredPriceInForce]] = {}
    for variant_id, price_minor, alteration_id, starts_at in rows:
        rank = (starts_at, alteration_id)
        if variant_id not in best or rank > best[variant_id][0]:
            best[variant_id] = (rank, AlteredPriceInForce(alteration_id, price_minor))
    return {variant_id: found for variant_id, (_rank, found) in best.items()}


async def next_start(session: AsyncSession, store_id: int, after: datetime) -> datetime | None:
    """When an active alteration of the store next comes into force (prices change then without an event)."""
    found: datetime | None = await session.scalar(
        select(func.min(PriceAlteration.starts_at)).where(
            PriceAlteration.store_id == store_id, PriceAlteration.active.is_(True), PriceAlteration.starts_at > after
        )
    )
    return found
