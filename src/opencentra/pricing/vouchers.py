"""Vouchers: creating and cloning them, reading them, finding the ones a selection may use, redeeming them.

``create_voucher`` and ``clone_voucher`` share one set of checks (``_check_spec``,
``stores.markets.check_markets_of_store``) and one insert; ``create_voucher`` returns the
voucher as stored (``VoucherRowView``), ``clone_voucher`` and ``voucher_view`` a ``VoucherView``,
so an API that created or cloned a voucher need not read it again.

Lookups return ``VoucherRule`` values resolved for one currency; the money
they take off is computed by ``opencentra.pricing.totals.price_selection``.
Whatever makes a voucher unusable (unknown, inactive, outside its dates, not
in this market, used up, no amount in this currency) looks the same to the
shopper: ``NotFound(field="voucher")``, so codes cannot be probed for state.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from opencentra.catalog.uris import check_uri
from opencentra.db.engine import Database
from opencentra.db.listing import of_row
from opencentra.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from opencentra.events import outbox
from opencentra.money import from_minor
from opencentra.pricing import _refs
from opencentra.pricing._amounts import exact_minor
from opencentra.pricing.campaigns import check_window
from opencentra.pricing.models import Voucher, VoucherAmount, VoucherMarket, VoucherMinimumTotal, VoucherType
from opencentra.pricing.totals import VoucherRule
from opencentra.stores.markets import check_markets_of_store

MAX_CODE_LENGTH = 64

# Printable, no whitespace and no "/", which proxies mangle in path segments
# even when it is percent-encoded.
_CODE = re.compile(r"[^\s/\x00-\x1f\x7f]{1,64}")


@dataclass(frozen=True)
class VoucherSpec:
    """A voucher to create. Give exactly one of ``percent_off_bp`` and
    ``amounts`` (currency id -> amount), and/or ``free_shipping``."""

    store_id: int
    name: str
    type: VoucherType = VoucherType.CODE
    code: str | None = None
    uri: str | None = None
    active: bool = True
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    # Empty: every market of the store.
    market_ids: Sequence[int] = ()
    priority: int = 0
    stop_processing: bool = False
    # None: unlimited.
    usage_limit: int | None = None
    percent_off_bp: int | None = None
    amounts: Mapping[int, Decimal] = field(default_factory=dict)
    free_shipping: bool = False
    minimum_totals: Mapping[int, Decimal] = field(default_factory=dict)


def normalize_code(code: str) -> str | None:
    """The lookup key for a code (case- and width-insensitive), or None if it
    cannot be a code at all."""
    normalized = unicodedata.normalize("NFKC", code.strip()).casefold()
    if len(normalized) > MAX_CODE_LENGTH or not _CODE.fullmatch(normalized):
        return None
    return normalized


async def _currency_decimals(session: AsyncSession, currency_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted(set(currency_ids))
    if not ids:
        return {}
    currencies = _refs.currencies
    rows = await session.execute(select(currencies.c.id, currencies.c.decimals).where(currencies.c.id.in_(ids)))
    return {row[0]: row[1] for row in rows}


@dataclass(frozen=True, slots=True)
class VoucherRowView:
    """A voucher as stored; its amounts, minimum totals and markets are read apart, in batches."""

    id: int
    store_id: int
    name: str
    type: VoucherType
    code: str | None
    uri: str | None
    active: bool
    starts_at: datetime | None
    ends_at: datetime | None
    priority: int
    stop_processing: bool
    # None: unlimited.
    usage_limit: int | None
    used_count: int
    percent_off_bp: int | None
    free_shipping: bool
    created_at: datetime
    updated_at: datetime


def voucher_row_view(row: Voucher) -> VoucherRowView:
    # The type column holds the enum's value.
    return replace(of_row(VoucherRowView, row), type=VoucherType(row.type))


@dataclass(frozen=True, slots=True)
class VoucherView(VoucherRowView):
    """A voucher as it stands, with what it owns: what the APIs show of it. Amounts are per currency
    id; ``pricelist_amounts`` gives each of the store's pricelists the amount in its currency."""

    market_ids: tuple[int, ...]
    amounts: Mapping[int, Decimal]
    minimum_totals: Mapping[int, Decimal]
    pricelist_amounts: Mapping[int, Decimal]


@dataclass(frozen=True)
class _Names:
    """The parts of a spec that are checked and normalized before any read."""

    name: str
    type: VoucherType
    code: str | None
    code_normalized: str | None
    uri: str | None


def _check_spec(spec: VoucherSpec) -> _Names:
    name = spec.name.strip()
    if not name or len(name) > 255:
        raise ValidationFailed("name is required (at most 255 characters)", field="name")
    voucher_type = VoucherType(spec.type)
    code = spec.code.strip() if spec.code is not None and spec.code.strip() else None
    code_normalized = normalize_code(code) if code is not None else None
    if code is not None and code_normalized is None:
        raise ValidationFailed("a code is 1-64 characters without spaces or '/'", field="code")
    if voucher_type is VoucherType.CODE and code is None:
        raise ValidationFailed("a code voucher needs a code", field="code")
    uri = check_uri(spec.uri) if spec.uri is not None else None
    if voucher_type is VoucherType.URL and uri is None:
        raise ValidationFailed("a url voucher needs a uri", field="uri")
    check_window(spec.starts_at, spec.ends_at)
    if spec.usage_limit is not None and spec.usage_limit <= 0:
        raise ValidationFailed("usage limit must be positive (or none for unlimited)", field="usage_limit")
    if spec.percent_off_bp is not None and not 0 < spec.percent_off_bp <= 10_000:
        raise ValidationFailed("percent off must be above 0 and at most 100%", field="percent_off")
    if spec.percent_off_bp is not None and spec.amounts:
        raise ValidationFailed("a voucher takes either a percent or an amount off", field="amounts")
    if spec.percent_off_bp is None and not spec.amounts and not spec.free_shipping:
        raise ValidationFailed("a voucher needs an action: percent off, amount off or free shipping", field="action")
    if len(set(spec.market_ids)) != len(spec.market_ids):
        raise ValidationFailed("a market is listed twice", field="markets")
    return _Names(name, voucher_type, code, code_normalized, uri)


async def _insert(session: AsyncSession, spec: VoucherSpec, names: _Names) -> Voucher:
    """Add the voucher ``spec`` (``names``: its checked parts) in the caller's write transaction,
    after the checks that need the database."""
    if await session.scalar(select(_refs.stores.c.id).where(_refs.stores.c.id == spec.store_id)) is None:
        raise NotFound(f"store {spec.store_id} not found", field="store")
    await check_markets_of_store(session, spec.store_id, spec.market_ids)
    decimals = await _currency_decimals(session, [*spec.amounts, *spec.minimum_totals])
    if missing := sorted(set(spec.amounts).union(spec.minimum_totals) - set(decimals)):
        raise NotFound(f"currencies {missing} not found", field="currency")
    amounts = []
    for currency_id, amount in spec.amounts.items():
        minor = exact_minor(amount, decimals[currency_id], field="amounts")
        if minor == 0:
            raise ValidationFailed("an amount off must be above zero", field="amounts")
        amounts.append(VoucherAmount(currency_id=currency_id, amount_minor=minor))
    minimums = []
    for currency_id, amount in spec.minimum_totals.items():
        minor = exact_minor(amount, decimals[currency_id], field="minimum_totals")
        if minor == 0:
            raise ValidationFailed("a minimum total must be above zero", field="minimum_totals")
        minimums.append(VoucherMinimumTotal(currency_id=currency_id, amount_minor=minor))
    if names.code_normalized is not None:
        taken = await session.scalar(
            select(Voucher.id).where(
                Voucher.store_id == spec.store_id, Voucher.code_normalized == names.code_normalized
            )
        )
        if taken is not None:
            raise Conflict(f"voucher code {names.code!r} is already used in this store", field="code")
    if names.uri is not None:
        taken = await session.scalar(
            select(Voucher.id).where(Voucher.store_id == spec.store_id, Voucher.uri == names.uri)
        )
        if taken is not None:
            raise Conflict(f"voucher uri {names.uri!r} is already used in this store", field="uri")

    voucher = Voucher(
        store_id=spec.store_id,
        name=names.name,
        type=names.type.value,
        code=names.code,
        code_normalized=names.code_normalized,
        uri=names.uri,
        active=spec.active,
        starts_at=spec.starts_at,
        ends_at=spec.ends_at,
        priority=spec.priority,
        stop_processing=spec.stop_processing,
        usage_limit=spec.usage_limit,
        used_count=0,
        percent_off_bp=spec.percent_off_bp,
        free_shipping=spec.free_shipping,
        amounts=amounts,
        minimum_totals=minimums,
        markets=[VoucherMarket(market_id=m) for m in spec.market_ids],
    )
    session.add(voucher)
    await session.flush()
    await outbox.record(
        session,
        "voucher",
        voucher.id,
        "created",
        {"name": names.name, "type": voucher.type, "code": names.code, "uri": names.uri},
        store_id=spec.store_id,
    )
    return voucher


async def create_voucher(db: Database, spec: VoucherSpec) -> VoucherRowView:
    """Create a voucher.

    Raises ``UnknownMarkets`` (a ``ValidationFailed``) for markets that are
    not the store's.
    """
    names = _check_spec(spec)
    async with db.write() as session:
        return voucher_row_view(await _insert(session, spec, names))


async def _view(session: AsyncSession, voucher: Voucher) -> VoucherView:
    """``voucher`` (with ``amounts``, ``minimum_totals`` and ``markets`` loaded) as a read view."""
    decimals = await _currency_decimals(
        session, [a.currency_id for a in voucher.amounts] + [m.currency_id for m in voucher.minimum_totals]
    )
    amounts = {a.currency_id: from_minor(a.amount_minor, decimals[a.currency_id]) for a in voucher.amounts}
    pricelist_amounts: dict[int, Decimal] = {}
    if amounts:
        pricelists = _refs.pricelists
        rows = await session.execute(
            select(pricelists.c.id, pricelists.c.currency_id)
            .where(pricelists.c.store_id == voucher.store_id)
            .order_by(pricelists.c.id)
        )
        pricelist_amounts = {pricelist_id: amounts[currency] for pricelist_id, currency in rows if currency in amounts}
    row = voucher_row_view(voucher)
    return VoucherView(
        **{stored.name: getattr(row, stored.name) for stored in fields(VoucherRowView)},
        market_ids=tuple(m.market_id for m in voucher.markets),
        amounts=amounts,
        minimum_totals={
            m.currency_id: from_minor(m.amount_minor, decimals[m.currency_id]) for m in voucher.minimum_totals
        },
        pricelist_amounts=pricelist_amounts,
    )


_LOADED = (selectinload(Voucher.amounts), selectinload(Voucher.minimum_totals), selectinload(Voucher.markets))


async def _load(session: AsyncSession, voucher_id: int) -> Voucher | None:
    found: Voucher | None = await session.scalar(select(Voucher).where(Voucher.id == voucher_id).options(*_LOADED))
    return found


async def voucher_view(db: Database, voucher_id: int) -> VoucherView | None:
    """One voucher, or None if there is none with that id."""
    async with db.read() as session:
        voucher = await _load(session, voucher_id)
        return None if voucher is None else await _view(session, voucher)


async def clone_voucher(
    db: Database,
    template_id: int,
    *,
    code: str,
    ends_at: datetime,
    name: str | None = None,
    store_ids: Collection[int] | None = None,
) -> VoucherView:
    """A new code voucher like ``template_id``, with its own code and end (and name, if given).

    It takes the template's markets, action, amounts, minimum totals, limit,
    priority and status; it starts when the template does, unless that is
    not before ``ends_at`` (then it has no start). One transaction: a clone
    that breaks any rule of ``create_voucher`` leaves nothing behind.

    Raises ``NotFound`` (field ``voucher``) for no such template,
    ``PermissionDenied`` (field ``voucher``) for one whose store is not among
    ``store_ids`` (when given), and ``ValidationFailed`` (field ``type``) for
    an auto voucher, which has no code to clone.
    """
    async with db.write() as session:
        template = await _load(session, template_id)
        if template is None:
            raise NotFound(f"voucher {template_id} not found", field="voucher")
        if template.type == VoucherType.AUTO:
            raise ValidationFailed("an auto voucher has no code, so it cannot be cloned", field="type")
        if store_ids is not None and template.store_id not in store_ids:
            raise PermissionDenied(f"voucher {template_id} belongs to another store", field="voucher")
        decimals = await _currency_decimals(
            session, [a.currency_id for a in template.amounts] + [m.currency_id for m in template.minimum_totals]
        )
        spec = VoucherSpec(
            store_id=template.store_id,
            name=name or template.name,
            type=VoucherType.CODE,
            code=code,
            active=template.active,
            starts_at=template.starts_at if template.starts_at and template.starts_at < ends_at else None,
            ends_at=ends_at,
            market_ids=[m.market_id for m in template.markets],
            priority=template.priority,
            stop_processing=template.stop_processing,
            usage_limit=template.usage_limit,
            percent_off_bp=template.percent_off_bp,
            amounts={a.currency_id: from_minor(a.amount_minor, decimals[a.currency_id]) for a in template.amounts},
            free_shipping=template.free_shipping,
            minimum_totals={
                m.currency_id: from_minor(m.amount_minor, decimals[m.currency_id]) for m in template.minimum_totals
            },
        )
        return await _view(session, await _insert(session, spec, _check_spec(spec)))


def _in_window(at: datetime) -> list[ColumnElement[bool]]:
    return [
        Voucher.active.is_(True),
        or_(Voucher.starts_at.is_(None), Voucher.starts_at <= at),
        or_(Voucher.ends_at.is_(None), Voucher.ends_at > at),
    ]


def _rule(voucher: Voucher, market_id: int, currency_id: int, decimals: int, at: datetime) -> VoucherRule | None:
    """The voucher as a rule for this market and currency, or None if unusable."""
    if not voucher.active:
        return None
    if voucher.starts_at is not None and at < voucher.starts_at:
        return None
    if voucher.ends_at is not None and at >= voucher.ends_at:
        return None
    if voucher.markets and market_id not in {m.market_id for m in voucher.markets}:
        return None
    if voucher.usage_limit is not None and voucher.used_count >= voucher.usage_limit:
        return None
    amount_off = None
    if voucher.amounts:
        amount = next((a.amount_minor for a in voucher.amounts if a.currency_id == currency_id), None)
        if amount is None:
            return None
        amount_off = from_minor(amount, decimals)
    minimum_total = None
    if voucher.minimum_totals:
        # A minimum set only for other currencies cannot be checked here.
        minimum = next((m.amount_minor for m in voucher.minimum_totals if m.currency_id == currency_id), None)
        if minimum is None:
            return None
        minimum_total = from_minor(minimum, decimals)
    return VoucherRule(
        voucher_id=voucher.id,
        name=voucher.name,
        type=VoucherType(voucher.type),
        code=voucher.code,
        priority=voucher.priority,
        stop_processing=voucher.stop_processing,
        percent_off_bp=voucher.percent_off_bp,
        amount_off=amount_off,
        free_shipping=voucher.free_shipping,
        minimum_total=minimum_total,
    )


async def _decimals_of(session: AsyncSession, currency_id: int) -> int:
    decimals = (await _currency_decimals(session, [currency_id])).get(currency_id)
    if decimals is None:
        raise NotFound(f"currency {currency_id} not found", field="currency")
    return decimals


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None:
        raise ValueError("voucher lookups need a timezone-aware datetime")


async def find_voucher(
    session: AsyncSession, store_id: int, code: str, market_id: int, currency_id: int, at: datetime
) -> VoucherRule:
    """The code voucher a shopper entered, if usable now in this market and currency."""
    _require_aware(at)
    normalized = normalize_code(code)
    if normalized is None:
        raise NotFound("voucher not found", field="voucher")
    voucher = await session.scalar(
        select(Voucher)
        .where(
            Voucher.store_id == store_id,
            Voucher.code_normalized == normalized,
            Voucher.type == VoucherType.CODE.value,
        )
        .options(*_LOADED)
    )
    rule = _rule(voucher, market_id, currency_id, await _decimals_of(session, currency_id), at) if voucher else None
    if rule is None:
        raise NotFound("voucher not found", field="voucher")
    return rule


async def find_voucher_by_uri(
    session: AsyncSession, store_id: int, uri: str, market_id: int, currency_id: int, at: datetime
) -> VoucherRule:
    """The url voucher for a landing uri, if usable now in this market and currency."""
    _require_aware(at)
    voucher = await session.scalar(
        select(Voucher)
        .where(Voucher.store_id == store_id, Voucher.uri == uri, Voucher.type == VoucherType.URL.value)
        .options(*_LOADED)
    )
    rule = _rule(voucher, market_id, currency_id, await _decimals_of(session, currency_id), at) if voucher else None
    if rule is None:
        raise NotFound("voucher not found", field="voucher")
    return rule


async def applicable_vouchers(
    session: AsyncSession,
    store_id: int,
    market_id: int,
    currency_id: int,
    at: datetime,
    voucher_ids: Iterable[int] = (),
) -> list[VoucherRule]:
    """The auto vouchers usable now plus those of ``voucher_ids`` (the ones a
    selection holds) that are still usable, in the order they apply.

    Vouchers that stopped being usable are left out rather than raising: a
    selection recomputed tomorrow simply loses an expired code.
    """
    _require_aware(at)
    held = sorted(set(voucher_ids))
    wanted = Voucher.type == VoucherType.AUTO.value
    if held:
        wanted = or_(wanted, Voucher.id.in_(held))
    vouchers = await session.scalars(
        select(Voucher).where(Voucher.store_id == store_id, wanted, *_in_window(at)).options(*_LOADED)
    )
    decimals = await _decimals_of(session, currency_id)
    rules = [rule for v in vouchers if (rule := _rule(v, market_id, currency_id, decimals, at)) is not None]
    return sorted(rules, key=lambda r: (-r.priority, r.voucher_id))


async def redeem_vouchers(session: AsyncSession, voucher_ids: Iterable[int]) -> None:
    """Count one use of each voucher as an order is placed.

    A conditional UPDATE, so two orders racing for a voucher's last use cannot
    both get it; the loser gets ``Conflict(field="voucher")`` and its
    transaction rolls back.
    """
    for voucher_id in sorted(set(voucher_ids)):
        result = await session.execute(
            update(Voucher)
            .where(
                Voucher.id == voucher_id,
                or_(Voucher.usage_limit.is_(None), Voucher.used_count < Voucher.usage_limit),
            )
            .values(used_count=Voucher.used_count + 1)
            .returning(Voucher.used_count, Voucher.store_id)
        )
        row = result.first()
        if row is None:
            raise Conflict(f"voucher {voucher_id} is used up or gone", field="voucher")
        used_count, store_id = row
        await outbox.record(session, "voucher", voucher_id, "redeemed", {"used_count": used_count}, store_id=store_id)
