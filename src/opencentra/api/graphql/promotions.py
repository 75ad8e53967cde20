"""Vouchers and campaigns: the ``vouchers``/``voucher``, ``campaigns``/``campaign`` roots and ``createVoucher``.

Vouchers are ``pricing.vouchers`` rows: a percent or amounts off items
and/or free shipping, with an optional minimum items total per currency.
Campaigns are percentage markdowns of variants in markets (read only here).
"""

# Sort enums carry Centra's wire names (id_ASC, updatedAt_DESC), which are mixedCase.
# ruff: noqa: N815

from __future__ import annotations

import enum
from decimal import Decimal, InvalidOperation
from typing import Any

import strawberry
from sqlalchemy import Select, select
from strawberry.types import Info

from opencentra.api.graphql.catalog import CampaignVariant
from opencentra.api.graphql.common import (
    DateTimeTz,
    MonetaryValue,
    Status,
    StringFilter,
    UserError,
    UserWarning,
    apply_page,
    apply_sort,
    money,
    status_of,
    string_condition,
    user_error,
)
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.stock import IdRef, MonetaryValueInput
from opencentra.api.graphql.stores import Market, Store, load_store, rows
from opencentra.errors import DomainError, NotFound, ValidationFailed
from opencentra.pricing import models
from opencentra.pricing import vouchers as voucher_service
from opencentra.stores import models as store_models


@strawberry.enum
class VoucherType(enum.Enum):
    CODE = "CODE"
    AUTO = "AUTO"
    URL = "URL"


_TYPES = {
    VoucherType.CODE: models.VoucherType.CODE,
    VoucherType.AUTO: models.VoucherType.AUTO,
    VoucherType.URL: models.VoucherType.URL,
}


async def _amounts(info: Info[Any, Any], rows_: list[Any]) -> list[MonetaryValue]:
    found: list[MonetaryValue] = []
    for row in rows_:
        currency = await info.context.loaders.currency.load(row.currency_id)
        if currency is not None:
            found.append(money(row.amount_minor, currency.id, currency.decimal_digits))
    return found


async def _markets(info: Info[Any, Any], model: Any, column: Any, owner_id: int) -> list[Market]:
    links = await info.context.loaders.many(model, column).load(owner_id)
    found = await info.context.loaders.one(store_models.Market).load_many([link.market_id for link in links])
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
    def of(cls, row: models.Voucher) -> Voucher:
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
        return await _markets(info, models.VoucherMarket, models.VoucherMarket.voucher_id, self.id)

    @strawberry.field(description="The amount taken off items, one per currency.")  # type: ignore[untyped-decorator]
    async def amounts_off(self, info: Info[Any, Any]) -> list[MonetaryValue]:
        found = await info.context.loaders.many(models.VoucherAmount, models.VoucherAmount.voucher_id).load(self.id)
        return await _amounts(info, found)

    @strawberry.field(description="The items total a selection must reach, one per currency.")  # type: ignore[untyped-decorator]
    async def minimum_totals(self, info: Info[Any, Any]) -> list[MonetaryValue]:
        found = await info.context.loaders.many(models.VoucherMinimumTotal, models.VoucherMinimumTotal.voucher_id).load(
            self.id
        )
        return await _amounts(info, found)


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
    def of(cls, row: models.Campaign) -> Campaign:
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
        return await _markets(info, models.CampaignMarket, models.CampaignMarket.campaign_id, self.id)

    @strawberry.field
    async def variants(self, info: Info[Any, Any]) -> list[CampaignVariant]:
        found = await info.context.loaders.many(models.CampaignVariant, models.CampaignVariant.campaign_id).load(
            self.id
        )
        return [
            CampaignVariant(
                id=r.id, discount_percent=r.discount_bp / 100, _variant_id=r.variant_id, _pricelist_id=r.pricelist_id
            )
            for r in found
        ]


# --- roots ------------------------------------------------------------------------------


@strawberry.enum
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


def _store_scope(context: GraphQLContext, statement: Select[Any], model: Any) -> Select[Any]:
    if context.store_id is not None:
        statement = statement.where(model.store_id == context.store_id)
    return statement


def _sorted(statement: Select[Any], sort: list[PromotionSort] | None, model: Any) -> Select[Any]:
    columns = {"id": model.id, "name": model.name, "updatedAt": model.updated_at}
    return apply_sort(statement, sort, columns, model.id)


async def resolve_vouchers(
    info: Info[Any, Any],
    where: VoucherFilter | None = None,
    sort: list[PromotionSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Voucher]:
    v = models.Voucher
    statement = _store_scope(info.context, select(v), v)
    if where is not None:
        if where.id is not None:
            statement = statement.where(v.id.in_(where.id))
        if where.store_id is not None:
            statement = statement.where(v.store_id == where.store_id)
        if where.code is not None:
            statement = statement.where(v.code_normalized == voucher_service.normalize_code(where.code))
        if where.type is not None:
            statement = statement.where(v.type.in_([_TYPES[t].value for t in where.type]))
        if where.status is not None:
            statement = statement.where(v.active.in_([s == Status.ACTIVE for s in where.status]))
        statement = statement.where(*string_condition(v.name, where.name))
    statement = apply_page(_sorted(statement, sort, v), limit, page)
    return [Voucher.of(r) for r in await rows(info.context, statement)]


async def resolve_voucher(info: Info[Any, Any], id: int) -> Voucher | None:
    row = await info.context.loaders.one(models.Voucher).load(id)
    if row is None or (info.context.store_id is not None and row.store_id != info.context.store_id):
        return None
    return Voucher.of(row)


async def resolve_campaigns(
    info: Info[Any, Any],
    where: CampaignFilter | None = None,
    sort: list[PromotionSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Campaign]:
    c = models.Campaign
    statement = _store_scope(info.context, select(c), c)
    if where is not None:
        if where.id is not None:
            statement = statement.where(c.id.in_(where.id))
        if where.store_id is not None:
            statement = statement.where(c.store_id == where.store_id)
        if where.status is not None:
            statement = statement.where(c.active.in_([s == Status.ACTIVE for s in where.status]))
        statement = statement.where(*string_condition(c.name, where.name))
    statement = apply_page(_sorted(statement, sort, c), limit, page)
    return [Campaign.of(r) for r in await rows(info.context, statement)]


async def resolve_campaign(info: Info[Any, Any], id: int) -> Campaign | None:
    row = await info.context.loaders.one(models.Campaign).load(id)
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
        currency = await context.loaders.one(store_models.Currency, store_models.Currency.code).load(code)
        if currency is None:
            raise NotFound(f"Could not find Currency {value.currency_iso_code}", field=field)
        if currency.id in result:
            raise ValidationFailed(f"{code} is given twice", field=field)
        try:
            result[currency.id] = Decimal(str(value.value))
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
        spec = voucher_service.VoucherSpec(
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
        row = await voucher_service.create_voucher(context.db, spec)
    except DomainError as error:
        if error.field in _FIELDS:
            error = type(error)(error.message, field=_FIELDS[error.field])
        if isinstance(error, NotFound) and error.field == "store":
            error = NotFound(f"Could not find Store with ID {input.store.id}", field="store")
        return VoucherPayload(voucher=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    fresh = await context.loaders.one(models.Voucher).load(row.id)
    return VoucherPayload(voucher=Voucher.of(fresh or row), user_errors=[], user_warnings=[])
