"""Wholesale on the wire: accounts, buyers and delivery windows, with their queries and mutations.

The domain lives in ``opencentra.wholesale``; this module only maps inputs to
its services and rows to Centra's types. ``DeliveryWindow`` is an interface
with ``AtOnceDeliveryWindow`` and ``PreorderDeliveryWindow``, as in Centra.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from opencentra.address import Address as AddressValue
from opencentra.address import read_address
from opencentra.api.graphql import wholesale_terms
from opencentra.api.graphql.catalog import Product, ProductVariant
from opencentra.api.graphql.catalog_mutations import CountryRef
from opencentra.api.graphql.common import (
    DateTimeTz,
    Status,
    StringFilter,
    UserError,
    UserWarning,
    apply_page,
    page_window,
    status_of,
    string_condition,
)
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.customers import Address
from opencentra.api.graphql.dates import date_field
from opencentra.api.graphql.order_fields import CarrierInformation
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.promotions import Campaign
from opencentra.api.graphql.stock import IdRef
from opencentra.api.graphql.stores import (
    AllocationRule,
    Market,
    Pricelist,
    Store,
    load_market,
    load_pricelist,
    load_store,
)
from opencentra.errors import DomainError, NotFound
from opencentra.orders.models import Order as OrderRow
from opencentra.stores import models as store_models
from opencentra.wholesale import models
from opencentra.wholesale import services as wholesale

if TYPE_CHECKING:
    from opencentra.api.graphql.orders import WholesaleOrder

# --- enums ------------------------------------------------------------------------------


@strawberry.enum
class DeliveryWindowStatus(enum.Enum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    CANCELLED = "cancelled"


@strawberry.enum
class ProductVariantDeliveryType(enum.Enum):
    STOCK = "stock"
    PREORDER = "preorder"


@strawberry.enum
class DeliveryWindowAllocationOrder(enum.Enum):
    FIFO = "fifo"


@strawberry.enum
class DeliveryWindowLimitType(enum.Enum):
    HIGH = "high"
    LOW = "low"


@strawberry.enum
class DeliveryWindowLimitOn(enum.Enum):
    ProductVariant = "product_variant"
    ProductSize = "product_size"


def _account_status(status: Status | None) -> models.AccountStatus | None:
    if status is None:
        return None
    return models.AccountStatus.ACTIVE if status == Status.ACTIVE else models.AccountStatus.INACTIVE


# --- types --------------------------------------------------------------------------------


@strawberry.type
class DeliveryWindowLimit:
    value: int | None
    type: DeliveryWindowLimitType
    on: DeliveryWindowLimitOn


@strawberry.type
class DeliveryWindowVariant:
    type: ProductVariantDeliveryType
    limit: DeliveryWindowLimit | None
    _row: strawberry.Private[models.DeliveryWindowVariant]

    @strawberry.field
    async def product_variant(self, info: Info[Any, Any]) -> ProductVariant | None:
        row = await info.context.loaders.variant.load(self._row.variant_id)
        return ProductVariant.of(row) if row is not None else None

    @strawberry.field
    async def product(self, info: Info[Any, Any]) -> Product | None:
        variant = await info.context.loaders.variant.load(self._row.variant_id)
        if variant is None:
            return None
        row = await info.context.loaders.product.load(variant.product_id)
        return Product.of(row) if row is not None else None

    @classmethod
    def of(cls, row: models.DeliveryWindowVariant) -> DeliveryWindowVariant:
        limit = None
        if row.limit_type is not None:
            limit = DeliveryWindowLimit(
                value=row.limit_value,
                type=DeliveryWindowLimitType(row.limit_type),
                on=DeliveryWindowLimitOn(row.limit_on or models.LimitOn.PRODUCT_VARIANT),
            )
        return cls(type=ProductVariantDeliveryType(row.delivery_type), limit=limit, _row=row)


@strawberry.interface
class DeliveryWindow:
    id: int
    name: str
    status: DeliveryWindowStatus
    default_variant_delivery_type: ProductVariantDeliveryType
    delivery_dates_visible: bool
    selectable_by_buyers: bool
    selected_by_default: bool
    _row: strawberry.Private[models.DeliveryWindow]

    created_at: DateTimeTz = date_field("_row.created_at", name="createdAt")
    updated_at: DateTimeTz = date_field("_row.updated_at", name="updatedAt")

    @strawberry.field
    async def markets(self, info: Info[Any, Any]) -> list[Market]:
        found = await info.context.loaders.linked(
            models.DeliveryWindowMarket.delivery_window_id, models.DeliveryWindowMarket.market_id, store_models.Market
        ).load(self.id)
        return [Market.of(row) for row in found]

    @strawberry.field
    def campaigns(self) -> list[Campaign]:
        """Wholesale campaigns in this window; OpenCentra has none yet, so always empty."""
        return []

    @strawberry.field
    async def allocation_rule(self, info: Info[Any, Any]) -> AllocationRule | None:
        if self._row.allocation_rule_id is None:
            return None
        row = await info.context.loaders.one(store_models.AllocationRule).load(self._row.allocation_rule_id)
        return AllocationRule(id=row.id, name=row.name) if row is not None else None

    @strawberry.field
    async def delivery_window_variants(self, info: Info[Any, Any]) -> list[DeliveryWindowVariant]:
        found = await info.context.loaders.many(
            models.DeliveryWindowVariant, models.DeliveryWindowVariant.delivery_window_id
        ).load(self.id)
        return [DeliveryWindowVariant.of(row) for row in found]


@strawberry.type
class AtOnceDeliveryWindow(DeliveryWindow):
    days_from_now: int
    selectable_date: bool


@strawberry.type
class PreorderDeliveryWindow(DeliveryWindow):
    allocation_order: DeliveryWindowAllocationOrder
    delivery_start_date: date | None
    delivery_end_date: date | None
    sales_start_date: date | None
    sales_end_date: date | None


def delivery_window_object(row: models.DeliveryWindow) -> DeliveryWindow:
    common: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "status": DeliveryWindowStatus(row.status),
        "default_variant_delivery_type": ProductVariantDeliveryType(row.default_variant_delivery_type),
        "delivery_dates_visible": row.delivery_dates_visible,
        "selectable_by_buyers": row.selectable_by_buyers,
        "selected_by_default": row.selected_by_default,
        "_row": row,
    }
    if row.kind == models.DeliveryWindowKind.AT_ONCE:
        return AtOnceDeliveryWindow(
            **common, days_from_now=row.days_from_now or 0, selectable_date=bool(row.selectable_date)
        )
    return PreorderDeliveryWindow(
        **common,
        allocation_order=DeliveryWindowAllocationOrder(row.allocation_order or models.AllocationOrder.FIFO),
        delivery_start_date=row.delivery_start,
        delivery_end_date=row.delivery_end,
        sales_start_date=row.sales_start,
        sales_end_date=row.sales_end,
    )


@strawberry.type
class AccountDeliveryWindowDiscount:
    id: int
    discount_percent: float
    _delivery_window_id: strawberry.Private[int]

    @strawberry.field
    async def delivery_window(self, info: Info[Any, Any]) -> DeliveryWindow | None:
        row = await info.context.loaders.one(models.DeliveryWindow).load(self._delivery_window_id)
        return delivery_window_object(row) if row is not None else None


@strawberry.type
class Account:
    id: int
    name: str
    status: Status
    discount_percent: float
    is_discount_visible: bool
    website_url: str | None
    _row: strawberry.Private[models.Account]

    created_at: DateTimeTz = date_field("_row.created_at", name="createdAt")
    updated_at: DateTimeTz = date_field("_row.updated_at", name="updatedAt")

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._row.store_id)

    @strawberry.field
    async def market(self, info: Info[Any, Any]) -> Market:
        return await load_market(info, self._row.market_id)

    @strawberry.field
    async def pricelist(self, info: Info[Any, Any]) -> Pricelist | None:
        if self._row.pricelist_id is None:
            return None
        return await load_pricelist(info, self._row.pricelist_id)

    @strawberry.field
    async def delivery_window_discounts(self, info: Info[Any, Any]) -> list[AccountDeliveryWindowDiscount]:
        found = await info.context.loaders.many(
            models.AccountDeliveryWindowDiscount, models.AccountDeliveryWindowDiscount.account_id
        ).load(self.id)
        return [
            AccountDeliveryWindowDiscount(
                id=row.id, discount_percent=row.discount_bp / 100, _delivery_window_id=row.delivery_window_id
            )
            for row in found
        ]

    @strawberry.field
    async def orders(
        self, info: Info[Any, Any], limit: int | None = None, page: int | None = None
    ) -> list[Annotated[WholesaleOrder, strawberry.lazy("opencentra.api.graphql.orders")]]:
        """The account's orders, newest last (Centra's 2021 ``Account.orders``); needs ``Order:read``."""
        from opencentra.api.graphql.orders import make_order  # orders.py imports this module

        check(info, "Order:read")
        size, offset = page_window(limit, page)
        found = await info.context.loaders.many(OrderRow, OrderRow.account_id).load(self.id)
        return [make_order(row, store_models.StoreType.WHOLESALE) for row in found[offset : offset + size]]  # type: ignore[misc]

    @strawberry.field
    async def payment_terms(self, info: Info[Any, Any]) -> wholesale_terms.PaymentTerms | None:
        return await wholesale_terms.account_payment_terms(info, self._row)

    @strawberry.field
    async def shipping_terms(self, info: Info[Any, Any]) -> wholesale_terms.ShippingTerms | None:
        return await wholesale_terms.account_shipping_terms(info, self._row)

    @strawberry.field
    async def sales_representative(self, info: Info[Any, Any]) -> wholesale_terms.SalesRepresentative | None:
        return await wholesale_terms.account_sales_representative(info, self._row)

    @strawberry.field
    def carrier_information(self) -> CarrierInformation:
        return wholesale_terms.account_carrier_information(self._row)

    @strawberry.field
    async def buyers(self, info: Info[Any, Any]) -> list[Buyer]:
        check(info, "Buyer:read")
        found = await info.context.loaders.many(models.Buyer, models.Buyer.account_id).load(self.id)
        return [Buyer.of(row) for row in found]

    @classmethod
    def of(cls, row: models.Account) -> Account:
        return cls(
            id=row.id,
            name=row.name,
            status=status_of(row.status == models.AccountStatus.ACTIVE),
            discount_percent=row.discount_bp / 100,
            is_discount_visible=row.discount_visible,
            website_url=row.website_url,
            _row=row,
        )


@strawberry.type
class Buyer:
    id: int
    status: Status
    email: str | None
    first_name: str | None
    last_name: str | None
    receive_auto_emails: bool
    website_url: str | None
    _row: strawberry.Private[models.Buyer]

    created_at: DateTimeTz = date_field("_row.created_at", name="createdAt")
    updated_at: DateTimeTz = date_field("_row.updated_at", name="updatedAt")

    @strawberry.field
    async def account(self, info: Info[Any, Any]) -> Account | None:
        check(info, "Account:read")
        row = await info.context.loaders.one(models.Account).load(self._row.account_id)
        return Account.of(row) if row is not None else None

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._row.store_id)

    @strawberry.field
    def billing_address(self, info: Info[Any, Any]) -> Address | None:
        check(info, "Buyer.billingAddress:read")
        return buyer_address(self._row)

    @classmethod
    def of(cls, row: models.Buyer) -> Buyer:
        return cls(
            id=row.id,
            status=status_of(row.status == models.AccountStatus.ACTIVE),
            email=row.email,
            first_name=row.billing_first_name,
            last_name=row.billing_last_name,
            receive_auto_emails=row.receive_auto_emails,
            website_url=row.website_url,
            _row=row,
        )


def buyer_address(row: models.Buyer) -> Address:
    address = Address.of(read_address(row, "billing_"), row.email)
    address.cell_phone_number = row.billing_cell_phone_number
    address.fax_number = row.billing_fax_number
    return address


def wire_error(error: DomainError) -> UserError:
    """A domain error as a ``userErrors`` entry: ``["id"]`` for the object's id, else under ``input``.

    A dotted domain field ("preorder.deliveryDateRange") becomes separate path
    elements, as GraphQL paths are.
    """
    if error.field == "id":
        return UserError(message=error.message, path=["id"])
    return UserError(
        message=error.message, path=["input", *(error.field or "").split(".")] if error.field else ["input"]
    )


# --- queries ------------------------------------------------------------------------------


@strawberry.input
class AccountFilter:
    id: list[int] | None = None
    name: StringFilter | None = None
    status: Status | None = None
    store_id: int | None = None


async def _rows(context: GraphQLContext, statement: Any) -> list[Any]:
    async with context.read() as session:
        return list((await session.scalars(statement)).all())


async def resolve_accounts(
    info: Info[Any, Any], where: AccountFilter | None = None, limit: int | None = None, page: int | None = None
) -> list[Account]:
    context: GraphQLContext = info.context
    a = models.Account
    statement: Any = select(a)
    if context.store_id is not None:
        statement = statement.where(a.store_id == context.store_id)
    if where is not None:
        if where.id is not None:
            statement = statement.where(a.id.in_(where.id))
        if where.status is not None:
            statement = statement.where(a.status == _account_status(where.status))
        if where.store_id is not None:
            statement = statement.where(a.store_id == where.store_id)
        statement = statement.where(*string_condition(a.name, where.name))
    found = await _rows(context, apply_page(statement.order_by(a.id), limit, page))
    return [Account.of(row) for row in found]


async def resolve_account(info: Info[Any, Any], id: int) -> Account | None:
    found = await resolve_accounts(info, AccountFilter(id=[id]), 1)
    return found[0] if found else None


@strawberry.input
class BuyerFilter:
    id: list[int] | None = None
    account_id: list[int] | None = None
    email: StringFilter | None = None
    status: Status | None = None


async def resolve_buyers(
    info: Info[Any, Any], where: BuyerFilter | None = None, limit: int | None = None, page: int | None = None
) -> list[Buyer]:
    context: GraphQLContext = info.context
    b = models.Buyer
    statement: Any = select(b)
    if context.store_id is not None:
        statement = statement.where(b.store_id == context.store_id)
    if where is not None:
        if where.id is not None:
            statement = statement.where(b.id.in_(where.id))
        if where.account_id is not None:
            statement = statement.where(b.account_id.in_(where.account_id))
        if where.status is not None:
            statement = statement.where(b.status == _account_status(where.status))
        statement = statement.where(*string_condition(b.email, where.email))
    found = await _rows(context, apply_page(statement.order_by(b.id), limit, page))
    return [Buyer.of(row) for row in found]


async def resolve_buyer(info: Info[Any, Any], id: int) -> Buyer | None:
    found = await resolve_buyers(info, BuyerFilter(id=[id]), 1)
    return found[0] if found else None


@strawberry.input
class DeliveryWindowFilter:
    id: list[int] | None = None
    name: StringFilter | None = None
    status: list[DeliveryWindowStatus] | None = None
    market_id: list[int] | None = None


async def resolve_delivery_windows(
    info: Info[Any, Any], where: DeliveryWindowFilter | None = None, limit: int | None = None, page: int | None = None
) -> list[DeliveryWindow]:
    d = models.DeliveryWindow
    statement: Any = select(d)
    if where is not None:
        if where.id is not None:
            statement = statement.where(d.id.in_(where.id))
        if where.status is not None:
            statement = statement.where(d.status.in_([s.value for s in where.status]))
        if where.market_id is not None:
            statement = statement.where(
                d.id.in_(
                    select(models.DeliveryWindowMarket.delivery_window_id).where(
                        models.DeliveryWindowMarket.market_id.in_(where.market_id)
                    )
                )
            )
        statement = statement.where(*string_condition(d.name, where.name))
    found = await _rows(info.context, apply_page(statement.order_by(d.id), limit, page))
    return [delivery_window_object(row) for row in found]


async def resolve_delivery_window(info: Info[Any, Any], id: int) -> DeliveryWindow | None:
    found = await resolve_delivery_windows(info, DeliveryWindowFilter(id=[id]), 1)
    return found[0] if found else None


# --- mutations: accounts ------------------------------------------------------------------


@strawberry.input
class GeneralDiscountInput:
    discount_percent: float
    is_visible: bool | None = None


@strawberry.input
class DeliveryWindowDiscountInput:
    delivery_window: IdRef
    discount_percent: float


@strawberry.input
class AccountDiscountsInput:
    general_discount: GeneralDiscountInput | None = None
    add_delivery_window_discounts: list[DeliveryWindowDiscountInput] | None = None
    remove_delivery_window_discounts: list[IdRef] | None = None


@strawberry.input
class AccountCreateInput:
    name: str
    market: IdRef
    status: Status | None = None
    pricelist: IdRef | None = None
    website_url: str | None = None
    discounts: AccountDiscountsInput | None = None
    payment_terms: IdRef | None = None
    shipping_terms: IdRef | None = None
    sales_representative: IdRef | None = None
    carrier_information: wholesale_terms.CarrierInformationInput | None = None


@strawberry.input
class AccountUpdateInput:
    name: str | None = None
    market: IdRef | None = None
    status: Status | None = None
    pricelist: IdRef | None = None
    website_url: str | None = None
    discounts: AccountDiscountsInput | None = None
    # ``{id: 0}`` unlinks the terms or the sales representative.
    payment_terms: IdRef | None = None
    shipping_terms: IdRef | None = None
    sales_representative: IdRef | None = None
    carrier_information: wholesale_terms.CarrierInformationInput | None = None


@strawberry.type
class AccountPayload:
    account: Account | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


def _percent(value: float) -> Decimal:
    # Floats from JSON: 14.3 must mean 14.3, not 14.300000000000000710...
    return Decimal(repr(value))


def _account_input(given: AccountCreateInput | AccountUpdateInput) -> wholesale.AccountInput:
    discounts = given.discounts or AccountDiscountsInput()
    general = discounts.general_discount
    return wholesale.AccountInput(
        name=given.name,
        status=_account_status(given.status),
        market_id=given.market.id if given.market else None,
        pricelist_id=given.pricelist.id if given.pricelist else None,
        website_url=given.website_url,
        discount_percent=_percent(general.discount_percent) if general else None,
        discount_visible=general.is_visible if general else None,
        add_delivery_window_discounts=[
            wholesale.DeliveryWindowDiscount(d.delivery_window.id, _percent(d.discount_percent))
            for d in discounts.add_delivery_window_discounts or []
        ],
        remove_delivery_window_discounts=[d.id for d in discounts.remove_delivery_window_discounts or []],
        terms=wholesale_terms.account_terms_input(
            given.payment_terms, given.shipping_terms, given.sales_representative, given.carrier_information
        ),
    )


async def _account_visible(context: GraphQLContext, account_id: int, field: str = "id") -> None:
    """A token restricted to a store sees only that store's accounts."""
    if context.store_id is None:
        return
    async with context.read() as session:
        store_id = await session.scalar(select(models.Account.store_id).where(models.Account.id == account_id))
    if store_id != context.store_id:
        raise NotFound(f"Could not find Account with ID {account_id}", field=field)


async def create_account(info: Info[Any, Any], input: AccountCreateInput) -> AccountPayload:
    context: GraphQLContext = info.context
    try:
        given = _account_input(input)
        if context.store_id is not None:
            market = await _market_store(context, given.market_id)
            if market != context.store_id:
                raise NotFound(f"Could not find Market with ID {given.market_id}", field="market")
        account = await wholesale.create_account(context.db, given)
    except DomainError as error:
        return AccountPayload(account=None, user_errors=[wire_error(error)], user_warnings=[])
    await context.after_write()
    return AccountPayload(account=Account.of(account), user_errors=[], user_warnings=[])


async def _market_store(context: GraphQLContext, market_id: int | None) -> int | None:
    async with context.read() as session:
        return await session.scalar(select(store_models.Market.store_id).where(store_models.Market.id == market_id))


async def update_account(info: Info[Any, Any], id: int, input: AccountUpdateInput) -> AccountPayload:
    context: GraphQLContext = info.context
    try:
        await _account_visible(context, id)
        account = await wholesale.update_account(context.db, id, _account_input(input))
    except DomainError as error:
        return AccountPayload(account=None, user_errors=[wire_error(error)], user_warnings=[])
    await context.after_write()
    return AccountPayload(account=Account.of(account), user_errors=[], user_warnings=[])


# --- mutations: buyers --------------------------------------------------------------------


@strawberry.input
class BuyerAddressInput:
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    zip_code: str | None = None
    state_or_province: str | None = None
    country: CountryRef | None = None
    phone_number: str | None = None
    cell_phone_number: str | None = None
    fax_number: str | None = None
    email: str | None = None
    vat_number: str | None = None


@strawberry.input
class BuyerCreateInput:
    account: IdRef
    store: IdRef | None = None
    status: Status | None = None
    website_url: str | None = None
    receive_auto_emails: bool | None = None
    billing_address: BuyerAddressInput | None = None


@strawberry.input
class BuyerUpdateInput:
    account: IdRef | None = None
    store: IdRef | None = None
    status: Status | None = None
    website_url: str | None = None
    receive_auto_emails: bool | None = None
    billing_address: BuyerAddressInput | None = None


@strawberry.type
class BuyerPayload:
    buyer: Buyer | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def _country_code(context: GraphQLContext, ref: CountryRef | None) -> str | None:
    if ref is None:
        return None
    if ref.code is not None:
        return ref.code
    async with context.read() as session:
        code = await session.scalar(select(store_models.Country.code).where(store_models.Country.id == ref.id))
    if code is None:
        raise NotFound(f"Could not find Country with ID {ref.id}", field="billingAddress.country")
    return code


async def _buyer_input(context: GraphQLContext, given: BuyerCreateInput | BuyerUpdateInput) -> wholesale.BuyerInput:
    address = None
    if given.billing_address is not None:
        a = given.billing_address
        address = wholesale.BuyerAddress(
            AddressValue(
                first_name=a.first_name,
                last_name=a.last_name,
                company=a.company_name,
                phone_number=a.phone_number,
                address1=a.address1,
                address2=a.address2,
                zip_code=a.zip_code,
                city=a.city,
                state=a.state_or_province,
                country=await _country_code(context, a.country),
                vat_number=a.vat_number,
            ),
            email=a.email,
            cell_phone_number=a.cell_phone_number,
            fax_number=a.fax_number,
        )
    if context.store_id is not None and given.store is not None and given.store.id != context.store_id:
        raise NotFound(f"Could not find Store with ID {given.store.id}", field="store")
    if given.account is not None:
        await _account_visible(context, given.account.id, "account")
    return wholesale.BuyerInput(
        account_id=given.account.id if given.account else None,
        store_id=given.store.id if given.store else None,
        status=_account_status(given.status),
        website_url=given.website_url,
        receive_auto_emails=given.receive_auto_emails,
        billing_address=address,
    )


async def create_buyer(info: Info[Any, Any], input: BuyerCreateInput) -> BuyerPayload:
    context: GraphQLContext = info.context
    try:
        buyer = await wholesale.create_buyer(context.db, await _buyer_input(context, input))
    except DomainError as error:
        return BuyerPayload(buyer=None, user_errors=[wire_error(error)], user_warnings=[])
    await context.after_write()
    return BuyerPayload(buyer=Buyer.of(buyer), user_errors=[], user_warnings=[])


async def update_buyer(info: Info[Any, Any], id: int, input: BuyerUpdateInput) -> BuyerPayload:
    context: GraphQLContext = info.context
    try:
        if context.store_id is not None:
            async with context.read() as session:
                store_id = await session.scalar(select(models.Buyer.store_id).where(models.Buyer.id == id))
            if store_id != context.store_id:
                raise NotFound(f"Could not find Buyer with ID {id}", field="id")
        buyer = await wholesale.update_buyer(context.db, id, await _buyer_input(context, input))
    except DomainError as error:
        return BuyerPayload(buyer=None, user_errors=[wire_error(error)], user_warnings=[])
    await context.after_write()
    return BuyerPayload(buyer=Buyer.of(buyer), user_errors=[], user_warnings=[])


# --- mutations: delivery windows ----------------------------------------------------------


@strawberry.input
class AtOnceDeliveryWindowInput:
    days_from_now: int | None = None
    selectable_date: bool | None = None


@strawberry.input
class DateRangeInput:
    from_: date | None = strawberry.field(name="from", default=None)
    to: date | None = None


@strawberry.input
class PreorderDeliveryWindowInput:
    delivery_date_range: DateRangeInput | None = None
    sales_date_range: DateRangeInput | None = None
    allocation_order: DeliveryWindowAllocationOrder | None = None


@strawberry.input
class DeliveryWindowCreateInput:
    name: str
    status: DeliveryWindowStatus | None = None
    delivery_dates_visible: bool | None = None
    selectable_by_buyers: bool | None = None
    selected_by_default: bool | None = None
    default_variant_delivery_type: ProductVariantDeliveryType | None = None
    allocation_rule: IdRef | None = None
    markets: list[IdRef] | None = None
    at_once: AtOnceDeliveryWindowInput | None = None
    preorder: PreorderDeliveryWindowInput | None = None


@strawberry.input
class DeliveryWindowUpdateInput:
    name: str | None = None
    status: DeliveryWindowStatus | None = None
    delivery_dates_visible: bool | None = None
    selectable_by_buyers: bool | None = None
    selected_by_default: bool | None = None
    default_variant_delivery_type: ProductVariantDeliveryType | None = None
    allocation_rule: IdRef | None = None
    markets: list[IdRef] | None = None
    at_once: AtOnceDeliveryWindowInput | None = None
    preorder: PreorderDeliveryWindowInput | None = None


@strawberry.type
class DeliveryWindowPayload:
    delivery_window: DeliveryWindow | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


def _window_input(given: DeliveryWindowCreateInput | DeliveryWindowUpdateInput) -> wholesale.DeliveryWindowInput:
    at_once = None
    if given.at_once is not None:
        at_once = wholesale.AtOnceInput(given.at_once.days_from_now, given.at_once.selectable_date)
    preorder = None
    if given.preorder is not None:
        p = given.preorder
        delivery, sales = p.delivery_date_range or DateRangeInput(), p.sales_date_range or DateRangeInput()
        preorder = wholesale.PreorderInput(
            delivery_start=delivery.from_,
            delivery_end=delivery.to,
            sales_start=sales.from_,
            sales_end=sales.to,
            allocation_order=models.AllocationOrder(p.allocation_order.value) if p.allocation_order else None,
        )
    return wholesale.DeliveryWindowInput(
        name=given.name,
        status=models.DeliveryWindowStatus(given.status.value) if given.status else None,
        allocation_rule_id=given.allocation_rule.id if given.allocation_rule else None,
        default_variant_delivery_type=(
            models.VariantDeliveryType(given.default_variant_delivery_type.value)
            if given.default_variant_delivery_type
            else None
        ),
        delivery_dates_visible=given.delivery_dates_visible,
        selectable_by_buyers=given.selectable_by_buyers,
        selected_by_default=given.selected_by_default,
        market_ids=[m.id for m in given.markets] if given.markets is not None else None,
        at_once=at_once,
        preorder=preorder,
    )


def _window_payload(
    row: models.DeliveryWindow | None, errors: list[UserError], warnings: list[UserWarning]
) -> DeliveryWindowPayload:
    return DeliveryWindowPayload(
        delivery_window=delivery_window_object(row) if row is not None else None,
        user_errors=errors,
        user_warnings=warnings,
    )


async def _window_markets_visible(
    context: GraphQLContext, given: DeliveryWindowCreateInput | DeliveryWindowUpdateInput
) -> None:
    """A token restricted to a store may put a delivery window on that store's markets only."""
    if context.store_id is None or not given.markets:
        return
    for market in given.markets:
        if await _market_store(context, market.id) != context.store_id:
            raise NotFound(f"Could not find Market with ID {market.id}", field="markets")


async def create_delivery_window(info: Info[Any, Any], input: DeliveryWindowCreateInput) -> DeliveryWindowPayload:
    context: GraphQLContext = info.context
    try:
        await _window_markets_visible(context, input)
        window = await wholesale.create_delivery_window(context.db, _window_input(input))
    except DomainError as error:
        return _window_payload(None, [wire_error(error)], [])
    await context.after_write()
    return _window_payload(window, [], [])


async def update_delivery_window(
    info: Info[Any, Any], id: int, input: DeliveryWindowUpdateInput
) -> DeliveryWindowPayload:
    context: GraphQLContext = info.context
    try:
        await _window_markets_visible(context, input)
        window = await wholesale.update_delivery_window(context.db, id, _window_input(input))
    except DomainError as error:
        return _window_payload(None, [wire_error(error)], [])
    await context.after_write()
    return _window_payload(window, [], [])


@strawberry.input
class DeliveryWindowLimitInput:
    value: int
    type: DeliveryWindowLimitType | None = None
    on: DeliveryWindowLimitOn | None = None


@strawberry.input
class DeliveryWindowVariantInput:
    product_variant: IdRef
    type: ProductVariantDeliveryType | None = None
    limit: DeliveryWindowLimitInput | None = None


@strawberry.input
class SetDeliveryWindowVariantsInput:
    delivery_window: IdRef
    variants: list[DeliveryWindowVariantInput]


@strawberry.input
class UnsetDeliveryWindowVariantsInput:
    delivery_window: IdRef
    product_variants: list[IdRef]


def _warnings(found: list[tuple[int, str]], field: str) -> list[UserWarning]:
    return [UserWarning(message=message, path=["input", field, str(index)]) for index, message in found]


async def set_delivery_window_variants(
    info: Info[Any, Any], input: SetDeliveryWindowVariantsInput
) -> DeliveryWindowPayload:
    """Batch: valid variants are saved, the others come back as ``userWarnings``."""
    context: GraphQLContext = info.context
    given = [
        wholesale.WindowVariantInput(
            variant_id=v.product_variant.id,
            delivery_type=models.VariantDeliveryType(v.type.value) if v.type else None,
            limit_value=v.limit.value if v.limit else None,
            limit_type=models.LimitType(v.limit.type.value) if v.limit and v.limit.type else None,
            limit_on=models.LimitOn(v.limit.on.value) if v.limit and v.limit.on else None,
        )
        for v in input.variants
    ]
    try:
        window, found = await wholesale.set_delivery_window_variants(context.db, input.delivery_window.id, given)
    except DomainError as error:
        return _window_payload(None, [wire_error(error)], [])
    await context.after_write()
    return _window_payload(window, [], _warnings(found, "variants"))


async def unset_delivery_window_variants(
    info: Info[Any, Any], input: UnsetDeliveryWindowVariantsInput
) -> DeliveryWindowPayload:
    context: GraphQLContext = info.context
    try:
        window, found = await wholesale.unset_delivery_window_variants(
            context.db, input.delivery_window.id, [v.id for v in input.product_variants]
        )
    except DomainError as error:
        return _window_payload(None, [wire_error(error)], [])
    await context.after_write()
    return _window_payload(window, [], _warnings(found, "productVariants"))


WHOLESALE_TYPES = [AtOnceDeliveryWindow, PreorderDeliveryWindow]
"""Implementations the schema must know even when no field returns them by name."""
