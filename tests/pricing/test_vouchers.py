"""Vouchers: creation rules, cloning, reading, lookups a shopper can trigger, redemption."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from opencentra import pricing
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from opencentra.events.models import Event
from opencentra.pricing.models import Voucher, VoucherAmount, VoucherMarket, VoucherMinimumTotal, VoucherType
from opencentra.pricing.totals import VoucherRule
from opencentra.pricing.vouchers import (
    VoucherSpec,
    applicable_vouchers,
    create_voucher,
    find_voucher,
    find_voucher_by_uri,
    normalize_code,
    redeem_vouchers,
)

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def test_normalize_code() -> None:
    assert normalize_code("  Summer10 ") == "summer10"
    assert normalize_code("ＳＵＭＭＥＲ１０") == "summer10"  # full-width letters and digits
    assert normalize_code("TEST+CODE") == "test+code"
    for bad in ("", "   ", "two words", "a/b", "x" * 65, "tab\tbed", "nul\x00"):
        assert normalize_code(bad) is None, bad


async def find(db: Database, world: Any, code: str, **where: Any) -> VoucherRule:
    args = {"market_id": world.market_se, "currency_id": world.sek, "at": NOW, **where}
    async with db.read() as session:
        return await find_voucher(session, world.store, code, args["market_id"], args["currency_id"], args["at"])


async def test_create_voucher_rejects(db: Database, world: Any) -> None:
    await create_voucher(db, VoucherSpec(world.store, "Summer", code="SUMMER10", percent_off_bp=1_000))
    base = {"store_id": world.store, "name": "V", "code": "NEW"}
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"code": "summer10", "percent_off_bp": 500}, Conflict, "code"),
        ({"code": None, "percent_off_bp": 500}, ValidationFailed, "code"),
        ({"code": "has space", "percent_off_bp": 500}, ValidationFailed, "code"),
        ({"type": VoucherType.URL, "percent_off_bp": 500}, ValidationFailed, "uri"),
        ({"name": " ", "percent_off_bp": 500}, ValidationFailed, "name"),
        ({}, ValidationFailed, "action"),
        ({"percent_off_bp": 0}, ValidationFailed, "percent_off"),
        ({"percent_off_bp": 10_001}, ValidationFailed, "percent_off"),
        ({"percent_off_bp": 500, "amounts": {world.sek: Decimal(50)}}, ValidationFailed, "amounts"),
        ({"amounts": {world.jpy: Decimal("1.5")}}, ValidationFailed, "amounts"),
        ({"amounts": {world.sek: Decimal(0)}}, ValidationFailed, "amounts"),
        ({"amounts": {999: Decimal(5)}}, NotFound, "currency"),
        ({"free_shipping": True, "usage_limit": 0}, ValidationFailed, "usage_limit"),
        ({"free_shipping": True, "market_ids": [world.other_market]}, ValidationFailed, "markets"),
        ({"free_shipping": True, "starts_at": NOW, "ends_at": NOW - DAY}, ValidationFailed, "ends_at"),
        ({"free_shipping": True, "store_id": 999}, NotFound, "store"),
    ]
    for change, error, field in cases:
        with pytest.raises(error) as raised:
            await create_voucher(db, VoucherSpec(**{**base, **change}))
        assert getattr(raised.value, "field", None) == field, change
    # Codes are per store.
    await create_voucher(db, VoucherSpec(world.other_store, "Theirs", code="summer10", free_shipping=True))


async def test_find_voucher_applies_every_rule(db: Database, world: Any) -> None:
    summer = await create_voucher(
        db, VoucherSpec(world.store, "Summer", code="SUMMER10", percent_off_bp=1_000, priority=3, stop_processing=True)
    )
    specs = [
        VoucherSpec(world.store, "Off", code="OFF", percent_off_bp=500, active=False),
        VoucherSpec(world.store, "Later", code="LATER", percent_off_bp=500, starts_at=NOW + DAY),
        VoucherSpec(world.store, "Old", code="OLD", percent_off_bp=500, starts_at=NOW - 2 * DAY, ends_at=NOW),
        VoucherSpec(world.store, "Sweden", code="SEONLY", free_shipping=True, market_ids=[world.market_se]),
        VoucherSpec(world.store, "Once", code="ONCE", percent_off_bp=500, usage_limit=1),
        VoucherSpec(world.store, "Fifty", code="FIFTY", amounts={world.sek: Decimal(50), world.eur: Decimal("4.5")}),
        VoucherSpec(world.store, "Min", code="MIN", percent_off_bp=500, minimum_totals={world.sek: Decimal(500)}),
        VoucherSpec(world.store, "Auto", type=VoucherType.AUTO, code="AUTOCODE", percent_off_bp=500),
        VoucherSpec(world.other_store, "Theirs", code="THEIRS", percent_off_bp=500),
    ]
    for spec in specs:
        await create_voucher(db, spec)

    rule = await find(db, world, " summer10 ")
    assert (rule.voucher_id, rule.code, rule.name, rule.type) == (summer.id, "SUMMER10", "Summer", VoucherType.CODE)
    assert (rule.percent_off_bp, rule.priority, rule.stop_processing) == (1_000, 3, True)

    assert (await find(db, world, "LATER", at=NOW + DAY)).name == "Later"
    assert (await find(db, world, "OLD", at=NOW - DAY)).name == "Old"
    assert (await find(db, world, "SEONLY")).free_shipping
    assert (await find(db, world, "FIFTY")).amount_off == Decimal("50.00")
    assert (await find(db, world, "FIFTY", currency_id=world.eur)).amount_off == Decimal("4.50")
    assert (await find(db, world, "MIN")).minimum_total == Decimal("500.00")

    unusable: list[tuple[str, dict[str, Any]]] = [
        ("nope", {}),
        ("", {}),
        ("a/b", {}),
        ("x" * 10_000, {}),
        ("OFF", {}),
        ("LATER", {}),
        ("OLD", {}),
        ("SEONLY", {"market_id": world.market_us}),
        ("FIFTY", {"currency_id": world.jpy}),
        ("MIN", {"currency_id": world.jpy}),
        ("AUTOCODE", {}),
        ("THEIRS", {}),
    ]
    for code, where in unusable:
        with pytest.raises(NotFound) as raised:
            await find(db, world, code, **where)
        assert raised.value.field == "voucher", code

    once = await find(db, world, "once")
    async with db.write() as session:
        await redeem_vouchers(session, [once.voucher_id, summer.id])
    with pytest.raises(NotFound):
        await find(db, world, "ONCE")
    with pytest.raises(Conflict) as used_up:
        async with db.write() as session:
            await redeem_vouchers(session, [once.voucher_id])
    assert used_up.value.field == "voucher"
    # Unlimited vouchers keep working.
    assert (await find(db, world, "SUMMER10")).voucher_id == summer.id


async def test_url_and_auto_vouchers(db: Database, world: Any) -> None:
    landing = await create_voucher(
        db, VoucherSpec(world.store, "Landing", type=VoucherType.URL, uri="insta-15", percent_off_bp=1_500)
    )
    low = await create_voucher(db, VoucherSpec(world.store, "Low", type=VoucherType.AUTO, free_shipping=True))
    high = await create_voucher(
        db, VoucherSpec(world.store, "High", type=VoucherType.AUTO, percent_off_bp=500, priority=10)
    )
    await create_voucher(
        db,
        VoucherSpec(world.store, "US auto", type=VoucherType.AUTO, percent_off_bp=500, market_ids=[world.market_us]),
    )
    await create_voucher(
        db, VoucherSpec(world.store, "Future auto", type=VoucherType.AUTO, percent_off_bp=500, starts_at=NOW + DAY)
    )
    held = await create_voucher(db, VoucherSpec(world.store, "Held", code="HELD", percent_off_bp=200))
    expired = await create_voucher(
        db, VoucherSpec(world.store, "Expired", code="GONE", percent_off_bp=200, ends_at=NOW - DAY)
    )
    await create_voucher(db, VoucherSpec(world.other_store, "Theirs", type=VoucherType.AUTO, free_shipping=True))

    async with db.read() as session:
        rule = await find_voucher_by_uri(session, world.store, "insta-15", world.market_se, world.sek, NOW)
        assert (rule.voucher_id, rule.percent_off_bp) == (landing.id, 1_500)
        with pytest.raises(NotFound):
            await find_voucher_by_uri(session, world.store, "unknown", world.market_se, world.sek, NOW)
        rules = await applicable_vouchers(
            session, world.store, world.market_se, world.sek, NOW, [held.id, expired.id, 999]
        )
    assert [r.voucher_id for r in rules] == [high.id, low.id, held.id]


# --- cloning and reading -----------------------------------------------------------------------------


async def _template(db: Database, world: Any, **change: Any) -> Voucher:
    spec = {
        "store_id": world.store,
        "name": "Template",
        "code": "TEMPLATE",
        "active": False,
        "starts_at": NOW - DAY,
        "ends_at": NOW + DAY,
        "market_ids": [world.market_se],
        "priority": 2,
        "stop_processing": True,
        "usage_limit": 5,
        "amounts": {world.sek: Decimal(50), world.eur: Decimal("4.5")},
        "minimum_totals": {world.sek: Decimal(500)},
        **change,
    }
    return await create_voucher(db, VoucherSpec(**spec))


async def _rows(db: Database) -> tuple[int, ...]:
    """How many rows every voucher table, and the voucher events, hold."""
    async with db.read() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(model))
            for model in (Voucher, VoucherAmount, VoucherMarket, VoucherMinimumTotal)
        ]
        counts.append(await session.scalar(select(func.count()).where(Event.object_type == "voucher")))
    return tuple(int(count or 0) for count in counts)


async def test_clone_copies_the_template_with_its_own_code_and_end(db: Database, world: Any) -> None:
    template = await _template(db, world)

    clone = await pricing.clone_voucher(db, template.id, code="CLONE-1", ends_at=NOW + 10 * DAY)

    assert clone.id != template.id
    assert (clone.store_id, clone.name, clone.type, clone.code) == (
        world.store,
        "Template",
        VoucherType.CODE,
        "CLONE-1",
    )
    assert (clone.starts_at, clone.ends_at, clone.active) == (NOW - DAY, NOW + 10 * DAY, False)
    assert (clone.market_ids, clone.priority, clone.stop_processing) == ((world.market_se,), 2, True)
    assert (clone.usage_limit, clone.used_count, clone.percent_off_bp) == (5, 0, None)
    assert clone.amounts == {world.sek: Decimal("50.00"), world.eur: Decimal("4.50")}
    assert clone.minimum_totals == {world.sek: Decimal("500.00")}
    # Each of the store's pricelists gets the amount in its currency; the JPY one has none.
    assert clone.pricelist_amounts == {world.pricelist_sek: Decimal("50.00")}
    # What the clone returns is what reading it gives: no second read is needed.
    assert await pricing.voucher_view(db, clone.id) == clone
    assert await pricing.voucher_view(db, 999_999) is None

    # A name of its own; a template starting after the clone's end gives a clone without a start.
    later = await pricing.clone_voucher(db, template.id, code="CLONE-2", ends_at=NOW - 2 * DAY, name="Early")
    assert (later.name, later.starts_at, later.ends_at) == ("Early", None, NOW - 2 * DAY)


async def test_clone_refusals(db: Database, world: Any) -> None:
    template = await _template(db, world)
    auto = await create_voucher(db, VoucherSpec(world.store, "Auto", type=VoucherType.AUTO, percent_off_bp=500))
    rows = await _rows(db)

    with pytest.raises(NotFound) as missing:
        await pricing.clone_voucher(db, 999_999, code="X", ends_at=NOW + DAY)
    assert missing.value.field == "voucher"
    with pytest.raises(ValidationFailed) as automatic:
        await pricing.clone_voucher(db, auto.id, code="X", ends_at=NOW + DAY)
    assert automatic.value.field == "type"
    with pytest.raises(PermissionDenied) as elsewhere:
        await pricing.clone_voucher(db, template.id, code="X", ends_at=NOW + DAY, store_ids=[world.other_store])
    assert elsewhere.value.field == "voucher"
    # The rules of create_voucher hold for a clone: a code is unique in its store.
    with pytest.raises(Conflict) as taken:
        await pricing.clone_voucher(db, template.id, code="template", ends_at=NOW + DAY)
    assert taken.value.field == "code"

    assert await _rows(db) == rows


async def test_a_clone_is_all_or_nothing(db: Database, world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    template = await _template(db, world)
    # A market that is not the store's (left behind by some other writer): the one market check refuses it.
    async with db.write() as session:
        session.add(VoucherMarket(voucher_id=template.id, market_id=world.other_market))
    rows = await _rows(db)

    with pytest.raises(pricing.UnknownMarkets) as unknown:
        await pricing.clone_voucher(db, template.id, code="CLONE-1", ends_at=NOW + DAY)
    assert unknown.value.market_ids == [world.other_market]
    assert await _rows(db) == rows

    # A failure after the voucher, its amounts and markets were written: they go too.
    async with db.write() as session:
        await session.execute(delete(VoucherMarket).where(VoucherMarket.market_id == world.other_market))
    rows = await _rows(db)

    async def fail(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr("opencentra.pricing.vouchers.outbox.record", fail)
    with pytest.raises(RuntimeError):
        await pricing.clone_voucher(db, template.id, code="CLONE-1", ends_at=NOW + DAY)
    assert await _rows(db) == rows


async def test_create_voucher_names_the_markets_it_refuses(db: Database, world: Any) -> None:
    with pytest.raises(pricing.UnknownMarkets) as unknown:
        await create_voucher(
            db,
            VoucherSpec(
                world.store, "V", code="V", free_shipping=True, market_ids=[world.market_us, 999, world.other_market]
            ),
        )
    assert unknown.value.field == "markets"
    assert unknown.value.market_ids == sorted([999, world.other_market])
