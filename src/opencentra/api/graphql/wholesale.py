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
from strawberry.types import Info

from opencentra import orders as order_domain
from opencentra import stores
from opencentra import wholesale as domain
from opencentra.address import Address as AddressValue
from opencentra.api.graphql import wholesale_terms
from opencentra.api.graphql.catalog import Product, ProductVariant
from opencentra.api.graphql.catalog_mutations import CountryRef
from opencentra.api.graphql.common import (
    DateTimeTz,
    Status,
    StringFilter,
    UserError,
    UserWarning,
    page_window,
    status_of,
)
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.customers import Address, Purchaser
from opencentra.api.graphql.dates import date_field
from opencentra.api.graphql.listing import sort_keys, text_match, window
from opencentra.api.graphql.order_fields import CarrierInformation
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.promotions import Campaign
from opencentra.api.graphql.related import of_returned
from opencentra.api.graphql.sorting import AccountSort, DeliveryWindowSort, InvoiceSort, PurchaserSort, ReturnSort
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

if TYPE_CHECKING:
    from opencentra.api.graphql.invoices import Invoice, InvoiceFilter
    from opencentra.api.graphql.orders import Return, ReturnFilter, WholesaleOrder

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


def _account_status(status: Status | None) -> domain.AccountStatus | None:
    if status is None:
        return None
    return domain.AccountStatus.ACTIVE if status == Status.ACTIVE else domain.AccountStatus.INACTIVE


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
    _row: strawberry.Private[domain.WindowVariantView]

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
    def of(cls, row: domain.WindowVariantView) -> DeliveryWindowVariant:
        limit = None
        if row.limit_type is not None:
            limit = DeliveryWindowLimit(
                value=row.limit_value,
                type=DeliveryWindowLimitType(row.limit_type),
                on=DeliveryWindowLimitOn(row.limit_on or domain.LimitOn.PRODUCT_VARIANT),
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
    _row: strawberry.Private[domain.DeliveryWindowView]

    created_at: DateTimeTz = date_field("_row.created_at", name="createdAt")
    updated_at: DateTimeTz = date_field("_row.updated_at", name="updatedAt")

    @strawberry.field
    async def markets(self, info: Info[Any, Any]) -> list[Market]:
        found = await info.context.loaders.grouped("markets_of_windows", domain.markets_of_windows).load(self.id)
        return [Market.of(row) for row in found]

    @strawberry.field
    def campaigns(self) -> list[Campaign]:
        """Wholesale campaigns in this window; OpenCentra has none yet, so always empty."""
        return []

    @strawberry.field
    async def allocation_rule(self, info: Info[Any, Any]) -> AllocationRule | None:
        if self._row.allocation_rule_id is None:
            return None
        row = await info.context.loaders.keyed("allocation_rules", stores.allocation_rules_by_id).load(
            self._row.allocation_rule_id
        )
        return AllocationRule(id=row.id, name=row.name) if row is not None else None

    @strawberry.field
    async def delivery_window_variants(self, info: Info[Any, Any]) -> list[DeliveryWindowVariant]:
        found = await info.context.loaders.grouped("variants_of_windows", domain.variants_of_windows).load(self.id)
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


def delivery_window_object(row: domain.DeliveryWindowView) -> DeliveryWindow:
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
    if row.at_once:
        return AtOnceDeliveryWindow(
            **common, days_from_now=row.days_from_now or 0, selectable_date=bool(row.selectable_date)
        )
    return PreorderDeliveryWindow(
        **common,
        allocation_order=DeliveryWindowAllocationOrder(row.allocation_order or domain.AllocationOrder.FIFO),
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
        return await load_delivery_window(info, self._delivery_window_id)


@strawberry.type
class Account:
    id: int
    name: str
    status: Status
    discount_percent: float
    is_discount_visible: bool
    website_url: str | None
    _row: strawberry.Private[domain.AccountView]

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
        found = await info.context.loaders.grouped("discounts_of_accounts", domain.discounts_of_accounts).load(self.id)
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
        check(info, "Order:read")
        size, offset = page_window(limit, page)
        found = await info.context.loaders.account_orders.load(self.id)
        return of_returned(info, found[offset : offset + size])

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
    async def invoices(
        self,
        info: Info[Any, Any],
        where: Annotated[InvoiceFilter, strawberry.lazy("opencentra.api.graphql.invoices")] | None = None,
        sort: list[InvoiceSort] | None = None,
        limit: int | None = None,
        page: int | None = None,
    ) -> list[Annotated[Invoice, strawberry.lazy("opencentra.api.graphql.invoices")]]:
        """Invoices of the account's orders, one statement for every account asking the same; ``Invoice:read``."""
        check(info, "Invoice:read")
        query = order_domain.InvoiceQuery() if where is None else where.to_query()
        if query is None:
            return []
        rows_window, keys, scope = window(limit, page), sort_keys(sort), info.context.store_id

        async def fetch(session: Any, ids: list[int]) -> dict[int, list[order_domain.InvoiceView]]:
            return await order_domain.invoices_of_accounts(session, ids, query, keys, store_scope=scope)

        found = await info.context.loaders.grouped(f"account_invoices:{query!r}:{keys!r}", fetch).load(self.id)
        return of_returned(info, found[rows_window.offset : rows_window.offset + rows_window.limit])

    @strawberry.field
    async def returns(
        self,
        info: Info[Any, Any],
        where: Annotated[ReturnFilter, strawberry.lazy("opencentra.api.graphql.orders")] | None = None,
        sort: list[ReturnSort] | None = None,
        limit: int | None = None,
        page: int | None = None,
    ) -> list[Annotated[Return, strawberry.lazy("opencentra.api.graphql.orders")]]:
        """Returns of the account's orders, one statement for every account asking the same; ``Return:read``."""
        check(info, "Return:read")
        query = order_domain.ReturnQuery() if where is None else where.to_query()
        rows_window, keys, scope = window(limit, page), sort_keys(sort), info.context.store_id

        async def fetch(
            session: Any, ids: list[int]
        ) -> dict[int, list[tuple[order_domain.ReturnView, order_domain.OrderView]]]:
            return await order_domain.returns_of_accounts(session, ids, query, keys, store_scope=scope)

        found = await info.context.loaders.grouped(f"account_returns:{query!r}:{keys!r}", fetch).load(self.id)
        return of_returned(info, found[rows_window.offset : rows_window.offset + rows_window.limit])

    @strawberry.field
    async def allocation_rule(self, info: Info[Any, Any]) -> AllocationRule | None:
        """The allocation rule of the account's market (OpenCentra sets none per account); ``AllocationRule:read``."""
        check(info, "AllocationRule:read")
        market = await info.context.loaders.keyed("markets", stores.markets_by_id).load(self._row.market_id)
        if market is None or market.allocation_rule_id is None:
            return None
        rule = await info.context.loaders.keyed("allocation_rules", stores.allocation_rules_by_id).load(
            market.allocation_rule_id
        )
        return AllocationRule(id=rule.id, name=rule.name) if rule is not None else None

    @strawberry.field
    async def buyers(self, info: Info[Any, Any]) -> list[Buyer]:
        check(info, "Buyer:read")
        found = await info.context.loaders.grouped("buyers_of_accounts", domain.buyers_of_accounts).load(self.id)
        return [Buyer.of(row) for row in found]

    @classmethod
    def of(cls, row: domain.AccountView) -> Account:
        return cls(
            id=row.id,
            name=row.name,
            status=status_of(row.active),
            discount_percent=row.discount_bp / 100,
            is_discount_visible=row.discount_visible,
            website_url=row.website_url,
            _row=row,
        )


@strawberry.type
class Buyer(Purchaser):
    id: int
    status: Status
    email: str | None
    first_name: str | None
    last_name: str | None
    receive_auto_emails: bool
    website_url: str | None
    _row: strawberry.Private[domain.BuyerView]

    created_at: DateTimeTz = date_field("_row.created_at", name="createdAt")
    updated_at: DateTimeTz = date_field("_row.updated_at", name="updatedAt")

    @strawberry.field
    async def account(self, info: Info[Any, Any]) -> Account | None:
        check(info, "Account:read")
        return await load_account(info, self._row.account_id)

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._row.store_id)

    @strawberry.field
    def billing_address(self, info: Info[Any, Any]) -> Address | None:
        check(info, "Buyer.billingAddress:read")
        return buyer_address(self._row)

    @classmethod
    def of(cls, row: domain.BuyerView) -> Buyer:
        return cls(
            id=row.id,
            status=status_of(row.active),
            email=row.email,
            first_name=row.billing_address.first_name,
            last_name=row.billing_address.last_name,
            receive_auto_emails=row.receive_auto_emails,
            website_url=row.website_url,
            _row=row,
        )


def buyer_address(row: domain.BuyerView) -> Address:
    address = Address.of(row.billing_address, row.email)
    address.cell_phone_number = row.billing_cell_phone_number
    address.fax_number = row.billing_fax_number
    return address


async def load_account(info: Info[Any, Any], account_id: int) -> Account | None:
    """The account with this id, through the request's loader (no store check: the caller's object is in scope)."""
    row = await info.context.loaders.keyed("accounts", domain.accounts_by_id).load(account_id)
    return Account.of(row) if row is not None else None


async def load_buyer(info: Info[Any, Any], buyer_id: int) -> Buyer | None:
    """The buyer with this id, through the request's loader (no store check)."""
    row = await info.context.loaders.keyed("buyers", domain.buyers_by_id).load(buyer_id)
    return Buyer.of(row) if row is not None else None


async def load_delivery_window(info: Info[Any, Any], window_id: int) -> DeliveryWindow | None:
    row = await info.context.loaders.keyed("delivery_window_views", domain.delivery_window_views_by_id).load(window_id)
    return delivery_window_object(row) if row is not None else None


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


async def resolve_accounts(
    info: Info[Any, Any],
    where: AccountFilter | None = None,
    sort: list[AccountSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Account]:
    context: GraphQLContext = info.context
    query = domain.AccountQuery()
    if where is not None:
        query = domain.AccountQuery(
            ids=None if where.id is None else tuple(where.id),
            name=text_match(where.name),
            active=None if where.status is None else where.status == Status.ACTIVE,
            store_id=where.store_id,
        )
    rows_window = window(limit, page)
    async with context.read() as session:
        found = await domain.account_page(
            session, query, rows_window, store_scope=context.store_id, sort=sort_keys(sort)
        )
    return [Account.of(row) for row in found]


async def resolve_account(info: Info[Any, Any], id: int) -> Account | None:
    found = await resolve_accounts(info, AccountFilter(id=[id]), limit=1)
    return found[0] if found else None


@strawberry.input
class BuyerFilter:
    id: list[int] | None = None
    account_id: list[int] | None = None
    email: StringFilter | None = None
    status: Status | None = None


async def resolve_buyers(
    info: Info[Any, Any],
    where: BuyerFilter | None = None,
    sort: list[PurchaserSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Buyer]:
    context: GraphQLContext = info.context
    query = domain.BuyerQuery()
    if where is not None:
        query = domain.BuyerQuery(
            ids=None if where.id is None else tuple(where.id),
            account_ids=None if where.account_id is None else tuple(where.account_id),
            email=text_match(where.email),
            active=None if where.status is None else where.status == Status.ACTIVE,
        )
    rows_window = window(limit, page)
    async with context.read() as session:
        found = await domain.buyer_page(session, query, rows_window, store_scope=context.store_id, sort=sort_keys(sort))
    return [Buyer.of(row) for row in found]


async def resolve_buyer(info: Info[Any, Any], id: int) -> Buyer | None:
    found = await resolve_buyers(info, BuyerFilter(id=[id]), limit=1)
    return found[0] if found else None


@strawberry.input
class DeliveryWindowFilter:
    id: list[int] | None = None
    name: StringFilter | None = None
    status: list[DeliveryWindowStatus] | None = None
    market_id: list[int] | None = None


async def resolve_delivery_windows(
    info: Info[Any, Any],
    where: DeliveryWindowFilter | None = None,
    sort: list[DeliveryWindowSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[DeliveryWindow]:
    context: GraphQLContext = info.context
    query = domain.DeliveryWindowQuery()
    if where is not None:
        query = domain.DeliveryWindowQuery(
            ids=None if where.id is None else tuple(where.id),
            name=text_match(where.name),
            statuses=None
            if where.status is None
            else tuple(domain.DeliveryWindowStatus(s.value) for s in where.status),
            market_ids=None if where.market_id is None else tuple(where.market_id),
        )
    rows_window = window(limit, page)
    async with context.read() as session:
        found = await domain.delivery_window_page(session, query, rows_window, sort=sort_keys(sort))
    return [delivery_window_object(row) for row in found]


async def resolve_delivery_window(info: Info[Any, Any], id: int) -> DeliveryWindow | None:
    found = await resolve_delivery_windows(info, DeliveryWindowFilter(id=[id]), limit=1)
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


def _account_input(given: AccountCreateInput | AccountUpdateInput) -> domain.AccountInput:
    discounts = given.discounts or AccountDiscountsInput()
    general = discounts.general_discount
    return domain.AccountInput(
        name=given.name,
        status=_account_status(given.status),
        market_id=given.market.id if given.market else None,
        pricelist_id=given.pricelist.id if given.pricelist else None,
        website_url=given.website_url,
        discount_percent=_percent(general.discount_percent) if general else None,
        discount_visible=general.is_visible if general else None,
        add_delivery_window_discounts=[
            domain.DeliveryWindowDiscount(d.delivery_window.id, _percent(d.discount_percent))
            for d in discounts.add_delivery_window_discounts or []
        ],
        remove_delivery_window_discounts=[d.id for d in discounts.remove_delivery_window_discounts or []],
        terms=wholesale_terms.account_terms_input(
            given.payment_terms, given.shipping_terms, given.sales_representative, given.carrier_information
        ),
    )


async def create_account(info: Info[Any, Any], input: AccountCreateInput) -> AccountPayload:
    context: GraphQLContext = info.context
    try:
        account = await domain.scoped.create_account(context.db, _account_input(input), store_scope=context.store_id)
    except DomainError as error:
        return AccountPayload(account=None, user_errors=[wire_error(error)], user_warnings=[])
    await context.after_write()
    return AccountPayload(account=Account.of(account), user_errors=[], user_warnings=[])


async def update_account(info: Info[Any, Any], id: int, input: AccountUpdateInput) -> AccountPayload:
    context: GraphQLContext = info.context
    try:
        account = await domain.scoped.update_account(
            context.db, id, _account_input(input), store_scope=context.store_id
        )
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
    found = None
    if ref.id is not None:
        async with context.read() as session:
            found = (await stores.countries_by_id(session, [ref.id])).get(ref.id)
    if found is None:
        raise NotFound(f"Could not find Country with ID {ref.id}", field="billingAddress.country")
    return found.code


async def _buyer_input(context: GraphQLContext, given: BuyerCreateInput | BuyerUpdateInput) -> domain.BuyerInput:
    address = None
    if given.billing_address is not None:
        a = given.billing_address
        address = domain.BuyerAddress(
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
    return domain.BuyerInput(
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
        given = await _buyer_input(context, input)
        buyer = await domain.scoped.create_buyer(context.db, given, store_scope=context.store_id)
    except DomainError as error:
        return BuyerPayload(buyer=None, user_errors=[wire_error(error)], user_warnings=[])
    await context.after_write()
    return BuyerPayload(buyer=Buyer.of(buyer), user_errors=[], user_warnings=[])


async def update_buyer(info: Info[Any, Any], id: int, input: BuyerUpdateInput) -> BuyerPayload:
    context: GraphQLContext = info.context
    try:
        given = await _buyer_input(context, input)
        buyer = await domain.scoped.update_buyer(context.db, id, given, store_scope=context.store_id)
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


def _window_input(given: DeliveryWindowCreateInput | DeliveryWindowUpdateInput) -> domain.DeliveryWindowInput:
    at_once = None
    if given.at_once is not None:
        at_once = domain.AtOnceInput(given.at_once.days_from_now, given.at_once.selectable_date)
    preorder = None
    if given.preorder is not None:
        p = given.preorder
        delivery, sales = p.delivery_date_range or DateRangeInput(), p.sales_date_range or DateRangeInput()
        preorder = domain.PreorderInput(
            delivery_start=delivery.from_,
            delivery_end=delivery.to,
            sales_start=sales.from_,
            sales_end=sales.to,
            allocation_order=domain.AllocationOrder(p.allocation_order.value) if p.allocation_order else None,
        )
    return domain.DeliveryWindowInput(
        name=given.name,
        status=domain.DeliveryWindowStatus(given.status.value) if given.status else None,
        allocation_rule_id=given.allocation_rule.id if given.allocation_rule else None,
        default_variant_delivery_type=(
            domain.VariantDeliveryType(given.default_variant_delivery_type.value)
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
    row: domain.DeliveryWindowView | None, errors: list[UserError], warnings: list[UserWarning]
) -> DeliveryWindowPayload:
    return DeliveryWindowPayload(
        delivery_window=delivery_window_object(row) if row is not None else None,
        user_errors=errors,
        user_warnings=warnings,
    )


async def create_delivery_window(info: Info[Any, Any], input: DeliveryWindowCreateInput) -> DeliveryWindowPayload:
    context: GraphQLContext = info.context
    try:
        window = await domain.scoped.create_delivery_window(
            context.db, _window_input(input), store_scope=context.store_id
        )
    except DomainError as error:
        return _window_payload(None, [wire_error(error)], [])
    await context.after_write()
    return _window_payload(window, [], [])


async def update_delivery_window(
    info: Info[Any, Any], id: int, input: DeliveryWindowUpdateInput
) -> DeliveryWindowPayload:
    context: GraphQLContext = info.context
    try:
        window = await domain.scoped.update_delivery_window(
            context.db, id, _window_input(input), store_scope=context.store_id
        )
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
        domain.WindowVariantInput(
            variant_id=v.product_variant.id,
            delivery_type=domain.VariantDeliveryType(v.type.value) if v.type else None,
            limit_value=v.limit.value if v.limit else None,
            limit_type=domain.LimitType(v.limit.type.value) if v.limit and v.limit.type else None,
            limit_on=domain.LimitOn(v.limit.on.value) if v.limit and v.limit.on else None,
        )
        for v in input.variants
    ]
    try:
        window, found = await domain.scoped.set_delivery_window_variants(context.db, input.delivery_window.id, given)
    except DomainError as error:
        return _window_payload(None, [wire_error(error)], [])
    await context.after_write()
    return _window_payload(window, [], _warnings(found, "variants"))


async def unset_delivery_window_variants(
    info: Info[Any, Any], input: UnsetDeliveryWindowVariantsInput
) -> DeliveryWindowPayload:
    context: GraphQLContext = info.context
    try:
        window, found = await domain.scoped.unset_delivery_window_variants(
            context.db, input.delivery_window.id, [v.id for v in input.product_variants]
        )
    except DomainError as error:
        return _window_payload(None, [wire_error(error)], [])
    await context.after_write()
    return _window_payload(window, [], _warnings(found, "productVariants"))


WHOLESALE_TYPES = [AtOnceDeliveryWindow, PreorderDeliveryWindow]
"""Implementations the schema must know even when no field returns them by name."""
