"""Wholesale use cases: accounts, buyers, delivery windows and the variants sold in them.

Each function is one transaction and writes one outbox event. Inputs are
checked before anything is written, so a refused call changes nothing.
A field left ``None`` in an update keeps its value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.address import Address, read_address, write_address
from opencentra.catalog.models import ProductVariant
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events.outbox import record
from opencentra.stores.models import AllocationRule, Country, Market, Pricelist, Store, StoreType
from opencentra.wholesale.models import (
    Account,
    AccountDeliveryWindowDiscount,
    AccountStatus,
    AllocationOrder,
    Buyer,
    DeliveryWindow,
    DeliveryWindowKind,
    DeliveryWindowMarket,
    DeliveryWindowStatus,
    DeliveryWindowVariant,
    LimitOn,
    LimitType,
    VariantDeliveryType,
)
from opencentra.wholesale.terms import AccountTermsInput, apply_account_terms_in

MAX_VARIANTS_PER_CALL = 100
"""Centra takes at most 100 variants in one ``setDeliveryWindowVariants`` call."""


def discount_bp(percent: Decimal, field_name: str) -> int:
    """A percentage (14.3) as basis points (1430); at most two decimals, 0-100."""
    points = percent * 100
    if points != points.to_integral_value() or not 0 <= points <= 10_000:
        raise ValidationFailed("a discount is 0-100 percent with at most two decimals", field=field_name)
    return int(points)


def _name(value: str, field_name: str = "name") -> str:
    cleaned = value.strip()
    if not cleaned or len(cleaned) > 255:
        raise ValidationFailed("a name is 1-255 characters", field=field_name)
    return cleaned


def _url(value: str | None) -> str | None:
    if value is not None and len(value) > 500:
        raise ValidationFailed("websiteUrl is at most 500 characters", field="websiteUrl")
    return value


# --- accounts -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryWindowDiscount:
    delivery_window_id: int
    percent: Decimal


@dataclass(frozen=True, slots=True)
class AccountInput:
    """Create: ``name`` and ``market_id`` are required. Update: only what is given changes."""

    name: str | None = None
    status: AccountStatus | None = None
    market_id: int | None = None
    pricelist_id: int | None = None
    website_url: str | None = None
    discount_percent: Decimal | None = None
    discount_visible: bool | None = None
    add_delivery_window_discounts: Sequence[DeliveryWindowDiscount] = ()
    # Ids of the discount entries (AccountDeliveryWindowDiscount) to remove.
    remove_delivery_window_discounts: Sequence[int] = ()
    # Payment/shipping terms, sales representative and carrier details (wholesale.terms).
    terms: AccountTermsInput | None = None


async def _wholesale_market(session: AsyncSession, market_id: int) -> Market:
    market = await session.get(Market, market_id)
    if market is None:
        raise NotFound(f"Could not find Market with ID {market_id}", field="market")
    store_type = await session.scalar(select(Store.type).where(Store.id == market.store_id))
    if store_type != StoreType.WHOLESALE:
        raise ValidationFailed(f"Market {market_id} is not in a wholesale store", field="market")
    return market


async def _apply_account(session: AsyncSession, account: Account, given: AccountInput) -> None:
    if given.name is not None:
        account.name = _name(given.name)
    if given.status is not None:
        account.status = given.status
    if given.market_id is not None:
        market = await _wholesale_market(session, given.market_id)
        account.market_id, account.store_id = market.id, market.store_id
    if given.pricelist_id is not None:
        store_id = await session.scalar(select(Pricelist.store_id).where(Pricelist.id == given.pricelist_id))
        if store_id is None:
            raise NotFound(f"Could not find Pricelist with ID {given.pricelist_id}", field="pricelist")
        if store_id != account.store_id:
            raise ValidationFailed("the pricelist belongs to another store than the market", field="pricelist")
        account.pricelist_id = given.pricelist_id
    if given.website_url is not None:
        account.website_url = _url(given.website_url)
    if given.pricelist_id is None and given.market_id is not None and account.pricelist_id is not None:
        store_id = await session.scalar(select(Pricelist.store_id).where(Pricelist.id == account.pricelist_id))
        if store_id != account.store_id:
            raise ValidationFailed("the account's pricelist belongs to another store than the market", field="market")
    if given.discount_percent is not None:
        account.discount_bp = discount_bp(given.discount_percent, "discounts.generalDiscount.discountPercent")
    if given.discount_visible is not None:
        account.discount_visible = given.discount_visible


async def _apply_window_discounts(session: AsyncSession, account: Account, given: AccountInput) -> None:
    if given.remove_delivery_window_discounts:
        found = set(
            await session.scalars(
                select(AccountDeliveryWindowDiscount.id).where(
                    AccountDeliveryWindowDiscount.account_id == account.id,
                    AccountDeliveryWindowDiscount.id.in_(given.remove_delivery_window_discounts),
                )
            )
        )
        missing = [i for i in given.remove_delivery_window_discounts if i not in found]
        if missing:
            raise NotFound(
                f"Could not find delivery window discount with ID {missing[0]} on this account",
                field="discounts.removeDeliveryWindowDiscounts",
            )
        await session.execute(delete(AccountDeliveryWindowDiscount).where(AccountDeliveryWindowDiscount.id.in_(found)))
    for index, entry in enumerate(given.add_delivery_window_discounts):
        where = f"discounts.addDeliveryWindowDiscounts.{index}"
        if await session.get(DeliveryWindow, entry.delivery_window_id) is None:
            raise NotFound(f"Could not find DeliveryWindow with ID {entry.delivery_window_id}", field=where)
        points = discount_bp(entry.percent, f"{where}.discountPercent")
        current = await session.scalar(
            select(AccountDeliveryWindowDiscount).where(
                AccountDeliveryWindowDiscount.account_id == account.id,
                AccountDeliveryWindowDiscount.delivery_window_id == entry.delivery_window_id,
            )
        )
        if current is None:
            session.add(
                AccountDeliveryWindowDiscount(
                    account_id=account.id, delivery_window_id=entry.delivery_window_id, discount_bp=points
                )
            )
        else:
            current.discount_bp = points
    await session.flush()


async def create_account(db: Database, given: AccountInput) -> Account:
    if given.name is None:
        raise ValidationFailed("an account needs a name", field="name")
    if given.market_id is None:
        raise ValidationFailed("an account needs a market", field="market")
    async with db.write() as session:
        account = Account(name=_name(given.name), status=AccountStatus.ACTIVE, discount_bp=0, discount_visible=False)
        await _apply_account(session, account, given)
        if given.terms is not None:
            await apply_account_terms_in(session, account, given.terms)
        session.add(account)
        await session.flush()
        await _apply_window_discounts(session, account, given)
        await record(session, "account", account.id, "created", {"name": account.name}, store_id=account.store_id)
        return account


async def update_account(db: Database, account_id: int, given: AccountInput) -> Account:
    async with db.write() as session:
        account = await session.get(Account, account_id, with_for_update=True)
        if account is None:
            raise NotFound(f"Could not find Account with ID {account_id}", field="id")
        await _apply_account(session, account, given)
        if given.terms is not None:
            await apply_account_terms_in(session, account, given.terms)
        await _apply_window_discounts(session, account, given)
        account.updated_at = utcnow()
        await session.flush()
        await record(session, "account", account.id, "updated", {"name": account.name}, store_id=account.store_id)
        return account


# --- buyers -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BuyerAddress:
    address: Address = field(default_factory=Address)
    email: str | None = None
    cell_phone_number: str | None = None
    fax_number: str | None = None


@dataclass(frozen=True, slots=True)
class BuyerInput:
    """Create: ``account_id`` is required; the store defaults to the account's."""

    account_id: int | None = None
    store_id: int | None = None
    status: AccountStatus | None = None
    website_url: str | None = None
    receive_auto_emails: bool | None = None
    billing_address: BuyerAddress | None = None


async def _apply_buyer(session: AsyncSession, buyer: Buyer, given: BuyerInput) -> None:
    if given.account_id is not None:
        account = await session.get(Account, given.account_id)
        if account is None:
            raise NotFound(f"Could not find Account with ID {given.account_id}", field="account")
        buyer.account_id = account.id
        if given.store_id is None:
            buyer.store_id = account.store_id
    if given.store_id is not None:
        store_type = await session.scalar(select(Store.type).where(Store.id == given.store_id))
        if store_type is None:
            raise NotFound(f"Could not find Store with ID {given.store_id}", field="store")
        if store_type != StoreType.WHOLESALE:
            raise ValidationFailed(f"Store {given.store_id} is not a wholesale store", field="store")
        buyer.store_id = given.store_id
    if given.status is not None:
        buyer.status = given.status
    if given.website_url is not None:
        buyer.website_url = _url(given.website_url)
    if given.receive_auto_emails is not None:
        buyer.receive_auto_emails = given.receive_auto_emails
    if given.billing_address is not None:
        await _apply_buyer_address(session, buyer, given.billing_address)


async def _apply_buyer_address(session: AsyncSession, buyer: Buyer, given: BuyerAddress) -> None:
    prefix = "billingAddress"
    if given.email is not None:
        email = given.email.strip()
        if "@" not in email or len(email) > 254:
            raise ValidationFailed("email is not an e-mail address", field=f"{prefix}.email")
        buyer.email = email
    address = given.address
    if address.country is not None:
        code = address.country.strip().upper()
        if await session.scalar(select(Country.id).where(Country.code == code)) is None:
            raise NotFound(f"Could not find Country with code {address.country}", field=f"{prefix}.country")
        address = replace(address, country=code)
    write_address(buyer, "billing_", read_address(buyer, "billing_").merged(address))
    for value, column in (
        (given.cell_phone_number, "billing_cell_phone_number"),
        (given.fax_number, "billing_fax_number"),
    ):
        if value is not None:
            setattr(buyer, column, value)


async def create_buyer(db: Database, given: BuyerInput) -> Buyer:
    if given.account_id is None:
        raise ValidationFailed("a buyer needs an account", field="account")
    async with db.write() as session:
        buyer = Buyer(status=AccountStatus.ACTIVE, receive_auto_emails=False)
        await _apply_buyer(session, buyer, given)
        session.add(buyer)
        await session.flush()
        await record(session, "buyer", buyer.id, "created", {"account": buyer.account_id}, store_id=buyer.store_id)
        return buyer


async def update_buyer(db: Database, buyer_id: int, given: BuyerInput) -> Buyer:
    async with db.write() as session:
        buyer = await session.get(Buyer, buyer_id, with_for_update=True)
        if buyer is None:
            raise NotFound(f"Could not find Buyer with ID {buyer_id}", field="id")
        await _apply_buyer(session, buyer, given)
        buyer.updated_at = utcnow()
        await session.flush()
        await record(session, "buyer", buyer.id, "updated", {"account": buyer.account_id}, store_id=buyer.store_id)
        return buyer


# --- delivery windows ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AtOnceInput:
    days_from_now: int | None = None
    selectable_date: bool | None = None


@dataclass(frozen=True, slots=True)
class PreorderInput:
    delivery_start: date | None = None
    delivery_end: date | None = None
    sales_start: date | None = None
    sales_end: date | None = None
    allocation_order: AllocationOrder | None = None


@dataclass(frozen=True, slots=True)
class DeliveryWindowInput:
    """Create: ``name`` and exactly one of ``at_once``/``preorder``. ``market_ids`` replaces the markets."""

    name: str | None = None
    status: DeliveryWindowStatus | None = None
    allocation_rule_id: int | None = None
    default_variant_delivery_type: VariantDeliveryType | None = None
    delivery_dates_visible: bool | None = None
    selectable_by_buyers: bool | None = None
    selected_by_default: bool | None = None
    market_ids: Sequence[int] | None = None
    at_once: AtOnceInput | None = None
    preorder: PreorderInput | None = None


def _check_range(start: date | None, end: date | None, field_name: str) -> None:
    if start is not None and end is not None and start > end:
        raise ValidationFailed("the range ends before it starts", field=field_name)


async def _apply_window(session: AsyncSession, window: DeliveryWindow, given: DeliveryWindowInput) -> None:
    if given.name is not None:
        window.name = _name(given.name)
    if given.status is not None:
        window.status = given.status
    if given.allocation_rule_id is not None:
        if await session.get(AllocationRule, given.allocation_rule_id) is None:
            raise NotFound(f"Could not find AllocationRule with ID {given.allocation_rule_id}", field="allocationRule")
        window.allocation_rule_id = given.allocation_rule_id
    if given.default_variant_delivery_type is not None:
        window.default_variant_delivery_type = given.default_variant_delivery_type
    for attribute in ("delivery_dates_visible", "selectable_by_buyers", "selected_by_default"):
        value = getattr(given, attribute)
        if value is not None:
            setattr(window, attribute, value)
    if given.at_once is not None:
        if window.kind != DeliveryWindowKind.AT_ONCE:
            raise ValidationFailed("atOnce fields apply only to an at-once delivery window", field="atOnce")
        if given.at_once.days_from_now is not None:
            if given.at_once.days_from_now < 0:
                raise ValidationFailed("daysFromNow cannot be negative", field="atOnce.daysFromNow")
            window.days_from_now = given.at_once.days_from_now
        if given.at_once.selectable_date is not None:
            window.selectable_date = given.at_once.selectable_date
    if given.preorder is not None:
        if window.kind != DeliveryWindowKind.PREORDER:
            raise ValidationFailed("preorder fields apply only to a pre-order delivery window", field="preorder")
        p = given.preorder
        for attribute in ("delivery_start", "delivery_end", "sales_start", "sales_end", "allocation_order"):
            value = getattr(p, attribute)
            if value is not None:
                setattr(window, attribute, value)
        _check_range(window.delivery_start, window.delivery_end, "preorder.deliveryDateRange")
        _check_range(window.sales_start, window.sales_end, "preorder.salesDateRange")


async def _set_markets(session: AsyncSession, window: DeliveryWindow, market_ids: Sequence[int]) -> None:
    wanted = list(dict.fromkeys(market_ids))
    for index, market_id in enumerate(wanted):
        try:
            await _wholesale_market(session, market_id)
        except (NotFound, ValidationFailed) as error:
            raise type(error)(error.message, field=f"markets.{index}") from None
    await session.execute(
        delete(DeliveryWindowMarket).where(
            DeliveryWindowMarket.delivery_window_id == window.id, DeliveryWindowMarket.market_id.not_in(wanted)
        )
    )
    present = set(
        await session.scalars(
            select(DeliveryWindowMarket.market_id).where(DeliveryWindowMarket.delivery_window_id == window.id)
        )
    )
    session.add_all(DeliveryWindowMarket(delivery_window_id=window.id, market_id=m) for m in wanted if m not in present)
    await session.flush()


async def create_delivery_window(db: Database, given: DeliveryWindowInput) -> DeliveryWindow:
    if given.name is None:
        raise ValidationFailed("a delivery window needs a name", field="name")
    if (given.at_once is None) == (given.preorder is None):
        raise ValidationFailed("give exactly one of atOnce or preorder", field="atOnce")
    kind = DeliveryWindowKind.AT_ONCE if given.at_once is not None else DeliveryWindowKind.PREORDER
    async with db.write() as session:
        window = DeliveryWindow(
            name=_name(given.name),
            kind=kind,
            status=DeliveryWindowStatus.ACTIVE,
            default_variant_delivery_type=VariantDeliveryType.STOCK,
            delivery_dates_visible=False,
            selectable_by_buyers=False,
            selected_by_default=False,
        )
        if kind == DeliveryWindowKind.AT_ONCE:
            window.days_from_now, window.selectable_date = 0, False
        else:
            window.allocation_order = AllocationOrder.FIFO
        await _apply_window(session, window, given)
        session.add(window)
        await session.flush()
        if given.market_ids is not None:
            await _set_markets(session, window, given.market_ids)
        await record(session, "delivery_window", window.id, "created", {"name": window.name, "kind": kind})
        return window


async def update_delivery_window(db: Database, window_id: int, given: DeliveryWindowInput) -> DeliveryWindow:
    async with db.write() as session:
        window = await _lock_window(session, window_id, "id")
        await _apply_window(session, window, given)
        if given.market_ids is not None:
            await _set_markets(session, window, given.market_ids)
        window.updated_at = utcnow()
        await session.flush()
        await record(session, "delivery_window", window.id, "updated", {"name": window.name, "status": window.status})
        return window


async def _lock_window(session: AsyncSession, window_id: int, field_name: str) -> DeliveryWindow:
    window = await session.get(DeliveryWindow, window_id, with_for_update=True)
    if window is None:
        raise NotFound(f"Could not find DeliveryWindow with ID {window_id}", field=field_name)
    return window


@dataclass(frozen=True, slots=True)
class WindowVariantInput:
    variant_id: int
    delivery_type: VariantDeliveryType | None = None
    limit_value: int | None = None
    limit_type: LimitType | None = None
    limit_on: LimitOn | None = None


async def set_delivery_window_variants(
    db: Database, window_id: int, variants: Sequence[WindowVariantInput]
) -> tuple[DeliveryWindow, list[tuple[int, str]]]:
    """Add (or change) variants in a window: the valid ones are saved, the others come back as warnings.

    Warnings are ``(index in variants, message)``.
    """
    if len(variants) > MAX_VARIANTS_PER_CALL:
        raise ValidationFailed(f"at most {MAX_VARIANTS_PER_CALL} variants in one call", field="variants")
    warnings: list[tuple[int, str]] = []
    async with db.write() as session:
        window = await _lock_window(session, window_id, "deliveryWindow")
        ids = [v.variant_id for v in variants]
        known = set(await session.scalars(select(ProductVariant.id).where(ProductVariant.id.in_(ids))))
        current = {
            row.variant_id: row
            for row in await session.scalars(
                select(DeliveryWindowVariant).where(DeliveryWindowVariant.delivery_window_id == window.id)
            )
        }
        seen: set[int] = set()
        changed: list[int] = []
        for index, given in enumerate(variants):
            if given.variant_id not in known:
                warnings.append((index, f"Could not find ProductVariant with ID {given.variant_id}"))
                continue
            if given.variant_id in seen:
                warnings.append((index, f"Duplicate product variant ID {given.variant_id} skipped"))
                continue
            if given.limit_value is not None and given.limit_value < 0:
                warnings.append((index, "a limit cannot be negative"))
                continue
            seen.add(given.variant_id)
            row = current.get(given.variant_id)
            if row is None:
                row = DeliveryWindowVariant(
                    delivery_window_id=window.id,
                    variant_id=given.variant_id,
                    delivery_type=window.default_variant_delivery_type,
                )
                session.add(row)
            if given.delivery_type is not None:
                row.delivery_type = given.delivery_type
            if given.limit_value is not None or given.limit_type is not None or given.limit_on is not None:
                row.limit_value = given.limit_value
                row.limit_type = given.limit_type or LimitType.HIGH
                row.limit_on = given.limit_on or LimitOn.PRODUCT_VARIANT
            changed.append(given.variant_id)
        if changed:
            window.updated_at = utcnow()
            await session.flush()
            await record(session, "delivery_window", window.id, "updated", {"variants_set": changed})
        return window, warnings


async def unset_delivery_window_variants(
    db: Database, window_id: int, variant_ids: Sequence[int]
) -> tuple[DeliveryWindow, list[tuple[int, str]]]:
    """Take variants out of a window; a variant not in it is a warning."""
    warnings: list[tuple[int, str]] = []
    async with db.write() as session:
        window = await _lock_window(session, window_id, "deliveryWindow")
        present = set(
            await session.scalars(
                select(DeliveryWindowVariant.variant_id).where(
                    DeliveryWindowVariant.delivery_window_id == window.id,
                    DeliveryWindowVariant.variant_id.in_(variant_ids),
                )
            )
        )
        for index, variant_id in enumerate(variant_ids):
            if variant_id not in present:
                warnings.append((index, f"Product variant with ID {variant_id} is not in this delivery window"))
        if present:
            await session.execute(
                delete(DeliveryWindowVariant).where(
                    DeliveryWindowVariant.delivery_window_id == window.id,
                    DeliveryWindowVariant.variant_id.in_(present),
                )
            )
            window.updated_at = utcnow()
            await session.flush()
            await record(session, "delivery_window", window.id, "updated", {"variants_unset": sorted(present)})
        return window, warnings
