"""Price alterations, the old ``createDiscount`` name for ``createVoucher``, and ``deleteCampaign``.

Roots: ``priceAlteration(id)``, ``priceAlterations``; mutations
``createPriceAlteration``, ``updatePriceAlteration``, ``setAlteredPrices``
(all behind ``Price:read``/``Price:write``, as in Centra's examples),
``createDiscount`` and ``deleteCampaign``. The prices themselves are decided in
``opencentra.pricing.alterations``; every storefront price follows them.
"""

# Sort enums carry Centra's wire names (id_ASC, updatedAt_DESC), which are mixedCase.
# ruff: noqa: N815

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import strawberry
from strawberry.types import Info

from opencentra import catalog, pricing, stores, wholesale
from opencentra.api.graphql.catalog import Product, ProductVariant
from opencentra.api.graphql.catalog_mutations import ProductPriceInput, StoreRef
from opencentra.api.graphql.common import (
    DateTimeTz,
    MonetaryValue,
    Status,
    StringFilter,
    UserError,
    UserWarning,
    input_user_error,
    money,
    status_of,
)
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.listing import sort_keys, text_match, window
from opencentra.api.graphql.permissions import Require, check
from opencentra.api.graphql.promotions import Voucher, VoucherCreateInput, create_voucher
from opencentra.api.graphql.stock import IdRef, MonetaryValueInput
from opencentra.api.graphql.stores import Pricelist, Store, load_pricelist, load_store
from opencentra.api.graphql.wholesale import DeliveryWindow, delivery_window_object
from opencentra.errors import DomainError, ValidationFailed

# Domain field names as Centra's inputs spell them.
_INPUT_NAMES = {
    "starts_at": "startDate",
    "prices": "productPrices",
    "price": "productPrices",
    "delivery_windows": "deliveryWindows",
}


def _user_error(error: DomainError) -> UserError:
    return input_user_error(error, _INPUT_NAMES)


@strawberry.input
class AlteredPriceFilter:
    pricelist_id: int | None = None
    product_id: int | None = None
    product_variant_id: int | None = None


@strawberry.type
class AlteredProductPrice:
    """One variant's price in one pricelist while its price alteration is in force."""

    id: int
    _pricelist_id: strawberry.Private[int]
    _variant_id: strawberry.Private[int]
    _price_minor: strawberry.Private[int]
    _rrp_minor: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: pricing.AlteredPriceView) -> AlteredProductPrice:
        return cls(
            id=row.id,
            _pricelist_id=row.pricelist_id,
            _variant_id=row.variant_id,
            _price_minor=row.price_minor,
            _rrp_minor=row.recommended_retail_price_minor,
        )

    async def _money(self, info: Info[Any, Any], minor: int) -> MonetaryValue:
        pricelist = await info.context.loaders.keyed("pricelists", stores.pricelists_by_id).load(self._pricelist_id)
        assert pricelist is not None
        currency = await info.context.loaders.currency.load(pricelist.currency_id)
        assert currency is not None
        return money(minor, currency.id, currency.decimal_digits)

    @strawberry.field
    async def price(self, info: Info[Any, Any]) -> MonetaryValue:
        return await self._money(info, self._price_minor)

    @strawberry.field
    async def recommended_retail_price(self, info: Info[Any, Any]) -> MonetaryValue | None:
        return None if self._rrp_minor is None else await self._money(info, self._rrp_minor)

    @strawberry.field
    async def pricelist(self, info: Info[Any, Any]) -> Pricelist:
        return await load_pricelist(info, self._pricelist_id)

    @strawberry.field
    async def product_variant(self, info: Info[Any, Any]) -> ProductVariant:
        row = await info.context.loaders.variant.load(self._variant_id)
        assert row is not None
        return ProductVariant.of(row)

    @strawberry.field
    async def product(self, info: Info[Any, Any]) -> Product:
        variant = await info.context.loaders.variant.load(self._variant_id)
        assert variant is not None
        row = await info.context.loaders.product.load(variant.product_id)
        assert row is not None
        return Product.of(row)


@strawberry.type
class PriceAlteration:
    id: int
    name: str
    status: Status
    start_date: date = strawberry.field(description="The day (UTC) from which its prices apply.")
    start_date_time: DateTimeTz = strawberry.field(description="The moment from which its prices apply.")
    created_at: DateTimeTz
    updated_at: DateTimeTz
    _store_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: pricing.PriceAlterationView) -> PriceAlteration:
        return cls(
            id=row.id,
            name=row.name,
            status=status_of(row.active),
            start_date=row.starts_at.date(),
            start_date_time=row.starts_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            _store_id=row.store_id,
        )

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._store_id)

    @strawberry.field
    async def delivery_windows(self, info: Info[Any, Any]) -> list[DeliveryWindow]:
        """The wholesale delivery windows it is meant for (needs DeliveryWindow:read)."""
        check(info, "DeliveryWindow:read")
        ids = info.context.loaders.grouped("alteration_windows", pricing.delivery_windows_of_alterations)
        windows = info.context.loaders.keyed("delivery_window_views", wholesale.delivery_window_views_by_id)
        found = await windows.load_many(await ids.load(self.id))
        return [delivery_window_object(row) for row in found if row is not None]

    @strawberry.field
    async def prices(
        self,
        info: Info[Any, Any],
        where: AlteredPriceFilter | None = None,
        limit: int | None = None,
        page: int | None = None,
    ) -> list[AlteredProductPrice]:
        wanted = pricing.AlteredPriceFilter()
        if where is not None:
            wanted = pricing.AlteredPriceFilter(
                pricelist_id=where.pricelist_id, product_id=where.product_id, variant_id=where.product_variant_id
            )
        rows = window(limit, page)
        async with info.context.read() as session:
            found = await pricing.altered_price_page(session, self.id, wanted, rows)
        return [AlteredProductPrice.of(row) for row in found]


# --- roots ------------------------------------------------------------------------------------


@strawberry.enum
class PriceAlterationSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    startDate_ASC = "startDate_ASC"
    startDate_DESC = "startDate_DESC"


@strawberry.input
class PriceAlterationFilter:
    id: list[int] | None = None
    store_id: int | None = None
    name: StringFilter | None = None
    status: list[Status] | None = None


def _visible(context: GraphQLContext, row: pricing.PriceAlterationView | None) -> bool:
    return row is not None and (context.store_id is None or row.store_id == context.store_id)


async def _alteration(context: GraphQLContext, alteration_id: int) -> pricing.PriceAlterationView | None:
    row = await context.loaders.keyed("price_alterations", pricing.price_alterations_by_id).load(alteration_id)
    return row if _visible(context, row) else None


async def resolve_price_alteration(info: Info[Any, Any], id: int) -> PriceAlteration | None:
    row = await _alteration(info.context, id)
    return None if row is None else PriceAlteration.of(row)


async def resolve_price_alterations(
    info: Info[Any, Any],
    where: PriceAlterationFilter | None = None,
    sort: list[PriceAlterationSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[PriceAlteration]:
    context: GraphQLContext = info.context
    wanted = pricing.PriceAlterationFilter()
    if where is not None:
        wanted = pricing.PriceAlterationFilter(
            ids=where.id,
            store_id=where.store_id,
            name=text_match(where.name),
            active=None if where.status is None else [s == Status.ACTIVE for s in where.status],
        )
    order, rows = sort_keys(sort), window(limit, page)
    async with context.read() as session:
        found = await pricing.price_alteration_page(session, wanted, order, rows, store_scope=context.store_id)
    return [PriceAlteration.of(row) for row in found]


# --- createPriceAlteration / updatePriceAlteration ---------------------------------------------


@strawberry.input
class PriceAlterationCreateInput:
    name: str
    store: StoreRef
    start_date: DateTimeTz
    status: Status = Status.INACTIVE
    delivery_windows: list[IdRef] | None = strawberry.field(
        default=None, description="Recorded and reported; the prices apply in the whole pricelist."
    )


@strawberry.input
class PriceAlterationUpdateInput:
    name: str | None = None
    start_date: DateTimeTz | None = None
    status: Status | None = None
    delivery_windows: list[IdRef] | None = strawberry.field(
        default=None, description="Replaces the delivery windows; left out keeps them."
    )


@strawberry.type
class PriceAlterationPayload:
    price_alteration: PriceAlteration | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def create_price_alteration(info: Info[Any, Any], input: PriceAlterationCreateInput) -> PriceAlterationPayload:
    context: GraphQLContext = info.context
    if context.store_id is not None and input.store.id != context.store_id:
        error = UserError(message=f"Could not find Store with ID {input.store.id}", path=["input", "store"])
        return PriceAlterationPayload(price_alteration=None, user_errors=[error], user_warnings=[])
    try:
        row = await pricing.create_price_alteration(
            context.db,
            input.store.id,
            input.name,
            starts_at=input.start_date,
            active=input.status == Status.ACTIVE,
            delivery_window_ids=[ref.id for ref in input.delivery_windows or []],
        )
    except DomainError as error:
        return PriceAlterationPayload(price_alteration=None, user_errors=[_user_error(error)], user_warnings=[])
    await context.after_write()
    return PriceAlterationPayload(price_alteration=PriceAlteration.of(row), user_errors=[], user_warnings=[])


async def update_price_alteration(
    info: Info[Any, Any], id: int, input: PriceAlterationUpdateInput
) -> PriceAlterationPayload:
    context: GraphQLContext = info.context
    try:
        row = await pricing.update_price_alteration(
            context.db,
            id,
            name=input.name,
            starts_at=input.start_date,
            active=None if input.status is None else input.status == Status.ACTIVE,
            delivery_window_ids=None if input.delivery_windows is None else [ref.id for ref in input.delivery_windows],
            store_scope=context.store_id,
        )
    except DomainError as error:
        return PriceAlterationPayload(price_alteration=None, user_errors=[_user_error(error)], user_warnings=[])
    await context.after_write()
    return PriceAlterationPayload(price_alteration=PriceAlteration.of(row), user_errors=[], user_warnings=[])


# --- setAlteredPrices ---------------------------------------------------------------------------


@strawberry.input
class SetAlteredPricesInput:
    price_alteration: IdRef
    pricelist: IdRef
    product_prices: list[ProductPriceInput]


@strawberry.type
class SetAlteredPricesPayload:
    price_alteration: PriceAlteration | None
    pricelist: Pricelist | None
    products: list[Product]
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


def _failed(error: UserError) -> SetAlteredPricesPayload:
    return SetAlteredPricesPayload(
        price_alteration=None, pricelist=None, products=[], user_errors=[error], user_warnings=[]
    )


async def set_altered_prices(info: Info[Any, Any], input: SetAlteredPricesInput) -> SetAlteredPricesPayload:
    """A batch like ``setPrices``: valid items are saved, bad ones become warnings."""
    context: GraphQLContext = info.context
    if len(input.product_prices) > pricing.MAX_ALTERED_PRICES:
        message = f"at most {pricing.MAX_ALTERED_PRICES} products per call"
        return _failed(UserError(message=message, path=["input", "productPrices"]))
    alteration = await _alteration(context, input.price_alteration.id)
    if alteration is None:
        message = f"Could not find PriceAlteration with ID {input.price_alteration.id}"
        return _failed(UserError(message=message, path=["input", "priceAlteration"]))
    pricelist = await context.loaders.keyed("pricelists", stores.pricelists_by_id).load(input.pricelist.id)
    if pricelist is None or pricelist.store_id != alteration.store_id:
        message = f"Could not find Pricelist with ID {input.pricelist.id}"
        return _failed(UserError(message=message, path=["input", "pricelist"]))
    currency = await context.loaders.currency.load(pricelist.currency_id)
    assert currency is not None
    async with context.read() as session:
        found_variants = await catalog.variants_of_products(session, [p.product.id for p in input.product_prices])
    variants = {product_id: [v.id for v in found] for product_id, found in found_variants.items()}

    warnings: list[UserWarning] = []
    specs: dict[int, pricing.AlteredPriceSpec] = {}
    products: list[int] = []
    for index, item in enumerate(input.product_prices):
        path = ["input", "productPrices", str(index)]
        product_id = item.product.id
        if product_id in products:
            warnings.append(UserWarning(message=f"Duplicate product ID {product_id} skipped", path=path))
            continue
        if product_id not in variants:
            warnings.append(UserWarning(message=f"Could not find Product with ID {product_id}; skipped", path=path))
            continue
        given: list[tuple[int | None, MonetaryValueInput]] = [(None, item.price)] if item.price is not None else []
        given += [(v.product_variant.id, v.price) for v in item.individual_variant_prices or []]
        priced = False
        for chosen, price in given:
            if price.currency_iso_code.strip().upper() != currency.code:
                message = f"Price in {price.currency_iso_code} does not match the pricelist's {currency.code}; skipped"
                warnings.append(UserWarning(message=message, path=path))
                continue
            if chosen is not None and chosen not in variants[product_id]:
                message = f"Product variant with id {chosen} not assigned to product {product_id}"
                warnings.append(UserWarning(message=message, path=path))
                continue
            try:
                amount = pricing.checked_price(Decimal(str(price.value)), currency.decimal_digits)
            except (InvalidOperation, ValidationFailed):
                message = f"price must be a non-negative amount with at most {currency.decimal_digits} decimals"
                warnings.append(UserWarning(message=f"{message}; skipped", path=path))
                continue
            for target in variants[product_id] if chosen is None else [chosen]:
                specs[target] = pricing.AlteredPriceSpec(variant_id=target, price=amount)
            priced = True
        if priced:
            products.append(product_id)
    if specs:
        try:
            await pricing.set_altered_prices(
                context.db, alteration.id, pricelist.id, list(specs.values()), store_scope=context.store_id
            )
        except DomainError as error:
            payload = _failed(_user_error(error))
            payload.user_warnings = warnings
            return payload
        await context.after_write()
        alteration = await _alteration(context, alteration.id) or alteration
    found = await context.loaders.product.load_many(products)
    return SetAlteredPricesPayload(
        price_alteration=PriceAlteration.of(alteration),
        pricelist=Pricelist.of(pricelist),
        products=[Product.of(row) for row in found if row is not None],
        user_errors=[],
        user_warnings=warnings,
    )


# --- createDiscount (Centra's name for createVoucher before vouchers were renamed) -----------------


@strawberry.input(description="The old name of VoucherCreateInput.")
class DiscountCreateInput(VoucherCreateInput):
    pass


@strawberry.type
class DiscountPayload:
    discount: Voucher | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def create_discount(info: Info[Any, Any], input: DiscountCreateInput) -> DiscountPayload:
    created = await create_voucher(info, input)
    return DiscountPayload(
        discount=created.voucher, user_errors=created.user_errors, user_warnings=created.user_warnings
    )


# --- deleteCampaign ------------------------------------------------------------------------------


@strawberry.type
class DeleteCampaignPayload:
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def delete_campaign(info: Info[Any, Any], id: int) -> DeleteCampaignPayload:
    context: GraphQLContext = info.context
    try:
        await pricing.delete_campaign(context.db, id, store_scope=context.store_id)
    except DomainError as error:
        return DeleteCampaignPayload(user_errors=[_user_error(error)], user_warnings=[])
    await context.after_write()
    return DeleteCampaignPayload(user_errors=[], user_warnings=[])


def _field(resolver: Any, permission: str, deprecation_reason: str | None = None) -> Any:
    return strawberry.field(resolver=resolver, extensions=[Require(permission)], deprecation_reason=deprecation_reason)


@strawberry.type
class PriceAlterationQuery:
    price_alteration: PriceAlteration | None = _field(resolve_price_alteration, "Price:read")
    price_alterations: list[PriceAlteration] = _field(resolve_price_alterations, "Price:read")


@strawberry.type
class PriceAlterationMutation:
    create_price_alteration: PriceAlterationPayload = _field(create_price_alteration, "Price:write")
    update_price_alteration: PriceAlterationPayload = _field(update_price_alteration, "Price:write")
    set_altered_prices: SetAlteredPricesPayload = _field(set_altered_prices, "Price:write")
    create_discount: DiscountPayload = _field(create_discount, "Voucher:write", "Use createVoucher.")
    delete_campaign: DeleteCampaignPayload = _field(delete_campaign, "Campaign:write")
