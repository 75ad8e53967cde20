"""Vouchers: creation rules, lookups a shopper can trigger, redemption."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.pricing.models import VoucherType
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
