"""Vouchers and campaigns: the ``vouchers``/``voucher``, ``campaigns``/``campaign`` roots and ``createVoucher``.

Vouchers are ``pricing.vouchers`` rows: a percent or amounts off items
and/or free shipping, with an optional minimum items total per currency.
Campaigns are percentage markdowns of variants in markets (read only here).
"""

# Sort enums carry Centra's wire names (id_ASC, updatedAt_DESC), which are mixedCase.
# ruff: noqa: N815

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

import strawberry
from strawberry.types import Info

from opencentra import pricing, stores
from opencentra.api.graphql.catalog import CampaignVariant
from opencentra.api.graphql.common import (
    DateTimeTz,
    MonetaryValue,
    Status,
    StringFilter,
    UserError,
    UserWarning,
    money,
    status_of,
    user_error,
)
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.listing import sort_keys, text_match, window
from opencentra.api.graphql.sorting import CampaignSort, VoucherSort
from opencentra.api.graphql.stock import IdRef, MonetaryValueInput
from opencentra.api.graphql.stores import Market, Store, load_store
from opencentra.errors import DomainError, NotFound, ValidationFailed


@strawberry.enum
class VoucherType(enum.Enum):
    CODE = "CODE"
    AUTO = "AUTO"
    URL = "URL"


_TYPES = {
    VoucherType.CODE: pricing.VoucherType.CODE,
    VoucherType.AUTO: pricing.VoucherType.AUTO,
    VoucherType.URL: pricing.VoucherType.URL,
}


async def _amounts(info: Info[Any, Any], amounts: Sequence[pricing.AmountView]) -> list[MonetaryValue]:
    found: list[MonetaryValue] = []
    for amount in amounts:
        currency = await info.context.loaders.currency.load(amount.currency_id)
        if currency is not None:
            found.append(money(amount.amount_minor, currency.id, currency.decimal_digits))
    return found


async def _markets(info: Info[Any, Any], market_ids: list[int]) -> list[Market]:
    found = await info.context.loaders.keyed("markets", stores.markets_by_id).load_many(market_ids)
    return [Market.of(row) for row in found if row is not None]


@strawberry.type
class Voucher:
    id: int
    name: str
    type: VoucherType
    status: Status
    code: str | None
    uri: str | None
    start_date: DateTimeTz | None
    end_date: DateTimeTz | None
    priority: int
    stop_processing: bool
    usage_limit: int = strawberry.field(description="0 means unlimited, as in Centra.")
    used_count: int
    percent_off: float | None
    free_shipping: bool
    created_at: DateTimeTz
    updated_at: DateTimeTz
    _store_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: pricing.VoucherRowView) -> Voucher:
        return cls(
            id=row.id,
            name=row.name,
            type=VoucherType(row.type.upper()),
            status=status_of(row.active),
            code=row.code,
            uri=row.uri,
            start_date=row.starts_at,
            end_date=row.ends_at,
            priority=row.priority,
            stop_processing=row.stop_processing,
            usage_limit=row.usage_limit or 0,
            used_count=row.used_count,
            percent_off=None if row.percent_off_bp is None else row.percent_off_bp / 100,
            free_shipping=row.free_shipping,
            created_at=row.created_at,
            updated_at=row.updated_at,
            _store_id=row.store_id,
        )

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._store_id)

    @strawberry.field(description="Empty: every market of the store.")  # type: ignore[untyped-decorator]
    async def markets(self, info: Info[Any, Any]) -> list[Market]:
        market_ids = await info.context.loaders.grouped("voucher_markets", pricing.markets_of_vouchers).load(self.id)
        return await _markets(info, market_ids)

    @strawberry.field(description="The amount taken off items, one per currency.")  # type: ignore[untyped-decorator]
    async def amounts_off(self, info: Info[Any, Any]) -> list[MonetaryValue]:
        found = await info.context.loaders.grouped("voucher_amounts", pricing.amounts_of_vouchers).load(self.id)
        return await _amounts(info, found)

    @strawberry.field(description="The items total a selection must reach, one per currency.")  # type: ignore[untyped-decorator]
    async def minimum_totals(self, info: Info[Any, Any]) -> list[MonetaryValue]:
        loader = info.context.loaders.grouped("voucher_minimum_totals", pricing.minimum_totals_of_vouchers)
        return await _amounts(info, await loader.load(self.id))


class CampaignLike(Protocol):
    """What ``Campaign.of`` reads: a ``pricing.CampaignView`` (``pricing.campaigns_of_markets``...)."""

    @property
    def id(self) -> int: ...
    @property
    def store_id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def active(self) -> bool: ...
    @property
    def starts_at(self) -> datetime | None: ...
    @property
    def ends_at(self) -> datetime | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


@strawberry.type
class Campaign:
    id: int
    name: str
    status: Status
    start_date: DateTimeTz | None
    end_date: DateTimeTz | None
    created_at: DateTimeTz
    updated_at: DateTimeTz
    _store_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: CampaignLike) -> Campaign:
        return cls(
            id=row.id,
            name=row.name,
            status=status_of(row.active),
            start_date=row.starts_at,
            end_date=row.ends_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            _store_id=row.store_id,
        )

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._store_id)

    @strawberry.field
    async def markets(self, info: Info[Any, Any]) -> list[Market]:
        market_ids = await info.context.loaders.grouped("campaign_markets", pricing.markets_of_campaigns).load(self.id)
        return await _markets(info, market_ids)

    @strawberry.field
    async def variants(self, info: Info[Any, Any]) -> list[CampaignVariant]:
        found = await info.context.loaders.grouped("campaign_variants", pricing.variants_of_campaigns).load(self.id)
        return [CampaignVariant.of(view) for view in found]


# --- roots ------------------------------------------------------------------------------


@strawberry.enum(description="Before VoucherSort and CampaignSort: still accepted for a variable in their place.")
class PromotionSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"
    updatedAt_ASC = "updatedAt_ASC"
    updatedAt_DESC = "updatedAt_DESC"


@strawberry.input
class VoucherFilter:
    id: list[int] | None = None
    store_id: int | None = None
    name: StringFilter | None = None
    code: str | None = None
    type: list[VoucherType] | None = None
    status: list[Status] | None = None


@strawberry.input
class CampaignFilter:
    id: list[int] | None = None
    store_id: int | None = None
    name: StringFilter | None = None
    status: list[Status] | None = None


def _active(statuses: list[Status] | None) -> list[bool] | None:
    return None if statuses is None else [s == Status.ACTIVE for s in statuses]


async def resolve_vouchers(
    info: Info[Any, Any],
    where: VoucherFilter | None = None,
    sort: list[VoucherSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Voucher]:
    context: GraphQLContext = info.context
    wanted = pricing.VoucherFilter()
    if where is not None:
        wanted = pricing.VoucherFilter(
            ids=where.id,
            store_id=where.store_id,
            name=text_match(where.name),
            code=where.code,
            types=None if where.type is None else [_TYPES[t] for t in where.type],
            active=_active(where.status),
        )
    order, rows = sort_keys(sort), window(limit, page)
    async with context.read() as session:
        found = await pricing.voucher_page(session, wanted, order, rows, store_scope=context.store_id)
    return [Voucher.of(row) for row in found]


async def resolve_voucher(info: Info[Any, Any], id: int) -> Voucher | None:
    row = await info.context.loaders.keyed("vouchers", pricing.vouchers_by_id).load(id)
    if row is None or (info.context.store_id is not None and row.store_id != info.context.store_id):
        return None
    return Voucher.of(row)


async def resolve_campaigns(
    info: Info[Any, Any],
    where: CampaignFilter | None = None,
    sort: list[CampaignSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Campaign]:
    context: GraphQLContext = info.context
    wanted = pricing.CampaignFilter()
    if where is not None:
        wanted = pricing.CampaignFilter(
            ids=where.id, store_id=where.store_id, name=text_match(where.name), active=_active(where.status)
        )
    order, rows = sort_keys(sort), window(limit, page)
    async with context.read() as session:
        found = await pricing.campaign_page(session, wanted, order, rows, store_scope=context.store_id)
    return [Campaign.of(row) for row in found]


async def resolve_campaign(info: Info[Any, Any], id: int) -> Campaign | None:
    row = await info.context.loaders.keyed("campaigns", pricing.campaigns_by_id).load(id)
    if row is None or (info.context.store_id is not None and row.store_id != info.context.store_id):
        return None
    return Campaign.of(row)


# --- createVoucher ----------------------------------------------------------------------


@strawberry.input
class VoucherCreateInput:
    name: str
    store: IdRef
    type: VoucherType = VoucherType.CODE
    status: Status = Status.ACTIVE
    code: str | None = None
    uri: str | None = None
    start_date: DateTimeTz | None = None
    end_date: DateTimeTz | None = None
    markets: list[IdRef] | None = None
    priority: int = 0
    stop_processing: bool = False
    usage_limit: int | None = strawberry.field(default=None, description="0 or null: unlimited.")
    percent_off: float | None = None
    amounts_off: list[MonetaryValueInput] | None = None
    free_shipping: bool = False
    minimum_totals: list[MonetaryValueInput] | None = None


@strawberry.type
class VoucherPayload:
    voucher: Voucher | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def _by_currency(
    context: GraphQLContext, values: list[MonetaryValueInput] | None, field: str
) -> dict[int, Decimal]:
    result: dict[int, Decimal] = {}
    for value in values or []:
        code = value.currency_iso_code.strip().upper()
        async with context.read() as session:
            found = await stores.currency_ids(session, codes=[code], limit=1)
        if not found:
            raise NotFound(f"Could not find Currency {value.currency_iso_code}", field=field)
        if found[0] in result:
            raise ValidationFailed(f"{code} is given twice", field=field)
        try:
            result[found[0]] = Decimal(str(value.value))
        except InvalidOperation:
            raise ValidationFailed(f"{field} is not a number", field=field) from None
    return result


_FIELDS = {
    "usage_limit": "usageLimit",
    "percent_off": "percentOff",
    "amounts": "amountsOff",
    "minimum_totals": "minimumTotals",
    "starts_at": "startDate",
    "ends_at": "endDate",
}


async def create_voucher(info: Info[Any, Any], input: VoucherCreateInput) -> VoucherPayload:
    context: GraphQLContext = info.context
    if context.store_id is not None and input.store.id != context.store_id:
        error = UserError(message=f"Could not find Store with ID {input.store.id}", path=["input", "store"])
        return VoucherPayload(voucher=None, user_errors=[error], user_warnings=[])
    try:
        percent_bp = None
        if input.percent_off is not None:
            percent = Decimal(str(input.percent_off)) * 100
            if percent != percent.to_integral_value():
                raise ValidationFailed("percentOff has at most two decimals", field="percentOff")
            percent_bp = int(percent)
        spec = pricing.VoucherSpec(
            store_id=input.store.id,
            name=input.name,
            type=_TYPES[input.type],
            code=input.code,
            uri=input.uri,
            active=input.status == Status.ACTIVE,
            starts_at=input.start_date,
            ends_at=input.end_date,
            market_ids=[m.id for m in input.markets or []],
            priority=input.priority,
            stop_processing=input.stop_processing,
            usage_limit=input.usage_limit or None,
            percent_off_bp=percent_bp,
            amounts=await _by_currency(context, input.amounts_off, "amountsOff"),
            free_shipping=input.free_shipping,
            minimum_totals=await _by_currency(context, input.minimum_totals, "minimumTotals"),
        )
        row = await pricing.create_voucher(context.db, spec)
    except DomainError as error:
        if error.field in _FIELDS:
            error = type(error)(error.message, field=_FIELDS[error.field])
        if isinstance(error, NotFound) and error.field == "store":
            error = NotFound(f"Could not find Store with ID {input.store.id}", field="store")
        return VoucherPayload(voucher=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    return VoucherPayload(voucher=Voucher.of(row), user_errors=[], user_warnings=[])
