"""Checkout use cases called directly (no HTTP): overselling modes and payments."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select
from tests.api.checkout.conftest import CHECKOUT_ADDRESS, ShopIds, build_shop

from opencentra.address import Address
from opencentra.db.engine import Database
from opencentra.errors import NotFound
from opencentra.inventory import services as inventory
from opencentra.orders.models import Order, OrderAllocation
from opencentra.payments import RedirectAction
from opencentra.pricing.models import Voucher
from opencentra.storefront import cart, payment
from opencentra.storefront.cache import CheckoutCache
from opencentra.storefront.cart import CheckoutFields
from opencentra.storefront.payment import OrderPlaced, PaymentInput, PaymentPending, StockShort
from opencentra.storefront.shopper import Channel, Visitor
from opencentra.storefront.storefront import Storefront, current_state
from opencentra.stores.models import OversellingMode


def _storefront(db: Database, shop: ShopIds) -> Storefront:
    return Storefront(
        db, CheckoutCache(poll_seconds=0), Channel(store_id=shop.store, plugin_id=shop.plugin, server_mode=False)
    )


def _pay(method: str = "test-card") -> PaymentInput:
    address = Address(country="SE", first_name="Test")
    return PaymentInput(
        payment_method=method,
        return_page="https://shop.example/return",
        terms_and_conditions=True,
        fields=CheckoutFields(email=CHECKOUT_ADDRESS["email"], address=address),
    )


async def _visitor(shop_front: Storefront) -> Visitor:
    state = await current_state(shop_front, Visitor())
    assert state.shopper.token is not None
    return Visitor(token=state.shopper.token)


async def _allocated(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.coalesce(func.sum(OrderAllocation.quantity), 0))) or 0)


async def test_overselling_off_places_orders_without_stock(db: Database) -> None:
    shop = await build_shop(db, overselling=OversellingMode.OFF, stock=1)
    front = _storefront(db, shop)
    visitor = await _visitor(front)
    await cart.add_item(front, visitor, shop.items["tee-black-S"], 3)
    answer = await payment.start_payment(front, visitor, _pay())
    assert isinstance(answer, OrderPlaced)
    assert answer.order.lines[0].quantity == 3
    # One unit is allocated; the rest is a back-order.
    assert await _allocated(db) == 1


async def test_standard_mode_trims_at_payment_start(db: Database) -> None:
    shop = await build_shop(db, stock=2)
    front = _storefront(db, shop)
    visitor = await _visitor(front)
    await cart.add_item(front, visitor, shop.items["tee-black-S"], 3)
    short = await payment.start_payment(front, visitor, _pay())
    assert isinstance(short, StockShort)
    assert short.unavailable[0].available == 2
    assert short.state.selection.priced.lines[0].quantity == 2
    assert short.cancellation is None


async def test_aggressive_mode_checks_again_after_authorization(db: Database) -> None:
    shop = await build_shop(db, overselling=OversellingMode.AGGRESSIVE, stock=2)
    front = _storefront(db, shop)
    visitor = await _visitor(front)
    await cart.add_item(front, visitor, shop.items["tee-black-S"], 2)
    pending = await payment.start_payment(front, visitor, _pay("test-redirect"))
    assert isinstance(pending, PaymentPending)
    # Someone else buys the stock while the shopper is at the provider.
    await inventory.set_physical(db, shop.warehouse, shop.sizes["tee-black-S"], 1)
    assert isinstance(pending.action, RedirectAction)
    fields = dict(parse_qsl(urlsplit(pending.action.url).query))
    result = await payment.payment_result(front, visitor, fields)
    assert isinstance(result, StockShort)
    assert result.cancellation == Decimal("450.00")  # two tees and standard shipping, not charged
    async with db.read() as session:
        assert await session.scalar(select(func.count(Order.id))) == 0


async def test_voucher_uses_are_counted_and_used_up(db: Database) -> None:
    shop = await build_shop(db)
    front = _storefront(db, shop)
    async with db.write() as session:
        voucher = await session.scalar(select(Voucher).where(Voucher.code == "WELCOME10"))
        assert voucher is not None
        voucher.usage_limit = 1
    first, second = await _visitor(front), await _visitor(front)
    for visitor in (first, second):
        await cart.add_item(front, visitor, shop.items["tee-black-S"])
        state = await cart.add_voucher(front, visitor, "WELCOME10")
        assert state.selection.priced.items_discount == Decimal(20)
    assert isinstance(await payment.start_payment(front, first, _pay()), OrderPlaced)
    # The second shopper's voucher is used up: the selection reprices without it.
    assert (await current_state(front, second)).selection.priced.items_discount == 0
    with pytest.raises(NotFound):
        await cart.add_voucher(front, await _visitor(front), "WELCOME10")
