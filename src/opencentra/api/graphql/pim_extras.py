"""PIM fields added to the catalogue types, and ``mappedAttributes``.

The catalogue types (``api/graphql/catalog.py``) take these as mixins:
``Product.folder`` and ``Product.media(sort:, limit:, page:)``,
``ProductVariant.unitCost``, ``Display.prices``.
"""

# Sort enums carry Centra's wire names (id_ASC), which are mixedCase.
# ruff: noqa: N815

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from opencentra.api.graphql.attributes import (
    Attribute,
    AttributeElement,
    AttributeElementKind,
    AttributeStringElement,
    AttributeType,
)
from opencentra.api.graphql.common import (
    MonetaryValue,
    StringFilter,
    apply_page,
    money,
    page_window,
    string_condition,
)
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.folders import Folder, folder_of_product
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.stores import Pricelist, rows
from opencentra.catalog import models as catalog
from opencentra.catalog.pim_models import MappedAttribute as MappedAttributeRow
from opencentra.catalog.pim_models import MappedAttributeAssignment, VariantUnitCost
from opencentra.pricing.models import Campaign as CampaignRow
from opencentra.pricing.models import CampaignVariant as CampaignVariantRow
from opencentra.pricing.models import Price
from opencentra.stores import models as store_models

if TYPE_CHECKING:
    from opencentra.api.graphql.catalog import Display, ProductMedia, ProductVariant
    from opencentra.api.graphql.promotions import CampaignVariant

LazyProductMedia = Annotated["ProductMedia", strawberry.lazy("opencentra.api.graphql.catalog")]
LazyProductVariant = Annotated["ProductVariant", strawberry.lazy("opencentra.api.graphql.catalog")]
LazyDisplay = Annotated["Display", strawberry.lazy("opencentra.api.graphql.catalog")]
LazyCampaignVariant = Annotated["CampaignVariant", strawberry.lazy("opencentra.api.graphql.promotions")]

TEXT = "text"


@strawberry.enum
class ProductMediaSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    sortOrder_ASC = "sortOrder_ASC"
    sortOrder_DESC = "sortOrder_DESC"


def _media_key(sort: ProductMediaSort) -> Any:
    if sort in (ProductMediaSort.id_ASC, ProductMediaSort.id_DESC):
        return lambda row: row.id
    return lambda row: (row.sort_order, row.id)


@strawberry.type
class ProductExtras:
    """Mixin for ``Product`` (which holds ``id``)."""

    @strawberry.field(description="The folder the product is filed in (needs Product.Folder:read).")  # type: ignore[untyped-decorator]
    async def folder(self, info: Info[Any, Any]) -> Folder | None:
        return await folder_of_product(info, int(self.id))  # type: ignore[attr-defined]

    @strawberry.field(description="The product's media, in display order unless sorted.")  # type: ignore[untyped-decorator]
    async def media(
        self,
        info: Info[Any, Any],
        sort: list[ProductMediaSort] | None = None,
        limit: int | None = None,
        page: int | None = None,
    ) -> list[LazyProductMedia]:
        from opencentra.api.graphql.catalog import ProductMedia

        loader = info.context.loaders.many(catalog.Media, catalog.Media.product_id, catalog.Media.sort_order)
        found = list(await loader.load(int(self.id)))  # type: ignore[attr-defined]
        for order in reversed(sort or []):
            found.sort(key=_media_key(order), reverse=order.value.endswith("_DESC"))
        if limit is not None or page is not None:
            size, offset = page_window(limit, page)
            found = found[offset : offset + size]
        return [ProductMedia.of(r) for r in found]


@strawberry.type
class VariantExtras:
    """Mixin for ``ProductVariant`` (which holds ``id``)."""

    @strawberry.field(description="What one unit costs the brand, or null when not set.")  # type: ignore[untyped-decorator]
    async def unit_cost(self, info: Info[Any, Any]) -> MonetaryValue | None:
        loader = info.context.loaders.one(VariantUnitCost, VariantUnitCost.variant_id)
        row = await loader.load(int(self.id))  # type: ignore[attr-defined]
        if row is None:
            return None
        currency = await info.context.loaders.currency.load(row.currency_id)
        return money(row.amount_minor, row.currency_id, currency.decimal_digits if currency is not None else 2)


@strawberry.type(description="A display's price in one pricelist: the price of its first variant priced there.")
class DisplayPrice:
    id: int
    _row: strawberry.Private[Price]

    @strawberry.field
    async def pricelist(self, info: Info[Any, Any]) -> Pricelist:
        row = await info.context.loaders.one(store_models.Pricelist).load(self._row.pricelist_id)
        assert row is not None
        return Pricelist.of(row)

    async def _money(self, info: Info[Any, Any], minor: int) -> MonetaryValue:
        pricelist = await info.context.loaders.one(store_models.Pricelist).load(self._row.pricelist_id)
        assert pricelist is not None
        currency = await info.context.loaders.currency.load(pricelist.currency_id)
        assert currency is not None
        return money(minor, currency.id, currency.decimal_digits)

    @strawberry.field
    async def price(self, info: Info[Any, Any]) -> MonetaryValue:
        return await self._money(info, self._row.price_minor)

    @strawberry.field
    async def price_before_discount(self, info: Info[Any, Any]) -> MonetaryValue | None:
        before = self._row.price_before_discount_minor
        return None if before is None else await self._money(info, before)


@strawberry.type(description="A variant activated on a display (the Checkout API's product id).")
class DisplayItem:
    id: int
    _display_id: strawberry.Private[int]
    _variant_id: strawberry.Private[int]

    @strawberry.field
    async def product_variant(self, info: Info[Any, Any]) -> LazyProductVariant:
        from opencentra.api.graphql.catalog import ProductVariant

        row = await info.context.loaders.variant.load(self._variant_id)
        assert row is not None
        return ProductVariant.of(row)

    @strawberry.field
    async def display(self, info: Info[Any, Any]) -> LazyDisplay:
        from opencentra.api.graphql.catalog import Display

        row = await info.context.loaders.one(catalog.Display).load(self._display_id)
        assert row is not None
        return Display.of(row)


@strawberry.type
class TaxGroup:
    id: int
    name: str


@strawberry.type
class DisplayExtras:
    """Mixin for ``Display`` (which holds ``id``, ``_store_id`` and ``_product_id``)."""

    async def _product(self, info: Info[Any, Any]) -> catalog.Product:
        row: catalog.Product | None = await info.context.loaders.product.load(self._product_id)  # type: ignore[attr-defined]
        assert row is not None
        return row

    @strawberry.field
    async def display_items(self, info: Info[Any, Any]) -> list[DisplayItem]:
        loader = info.context.loaders.many(
            catalog.DisplayItem, catalog.DisplayItem.display_id, catalog.DisplayItem.sort_order
        )
        found = await loader.load(int(self.id))  # type: ignore[attr-defined]
        return [DisplayItem(id=r.id, _display_id=r.display_id, _variant_id=r.variant_id) for r in found]

    @strawberry.field(description="Displays this one links to (Centra's related products), in their order.")  # type: ignore[untyped-decorator]
    async def related(self, info: Info[Any, Any]) -> list[LazyDisplay]:
        from opencentra.api.graphql.catalog import Display

        links = await info.context.loaders.many(
            catalog.DisplayRelation, catalog.DisplayRelation.display_id, catalog.DisplayRelation.sort_order
        ).load(int(self.id))  # type: ignore[attr-defined]
        found = await info.context.loaders.one(catalog.Display).load_many([link.related_display_id for link in links])
        return [Display.of(row) for row in dict.fromkeys(r for r in found if r is not None)]

    @strawberry.field(description="The product's tax group.")  # type: ignore[untyped-decorator]
    async def tax_group(self, info: Info[Any, Any]) -> TaxGroup | None:
        product = await self._product(info)
        if product.tax_group_id is None:
            return None
        row = await info.context.loaders.one(store_models.TaxGroup).load(product.tax_group_id)
        return None if row is None else TaxGroup(id=row.id, name=row.name)

    @strawberry.field(description="The product's minimum order quantity (OpenCentra keeps it per product).")  # type: ignore[untyped-decorator]
    async def minimum_order_quantity(self, info: Info[Any, Any]) -> int:
        return (await self._product(info)).item_quantity_minimum

    @strawberry.field(description="The product's order multiple (OpenCentra keeps it per product).")  # type: ignore[untyped-decorator]
    async def order_quantity_denominator(self, info: Info[Any, Any]) -> int:
        return (await self._product(info)).item_quantity_multiple_of

    @strawberry.field(description="OpenCentra keeps no display tags: always empty.")  # type: ignore[untyped-decorator]
    def tags(self) -> list[str]:
        return []

    @strawberry.field(description="OpenCentra keeps no display comment: always null.")  # type: ignore[untyped-decorator]
    def comment(self) -> str | None:
        return None

    @strawberry.field(description="Campaign discounts of the display's variants in its store (needs Campaign:read).")  # type: ignore[untyped-decorator]
    async def campaign_variants(self, info: Info[Any, Any]) -> list[LazyCampaignVariant]:
        from opencentra.api.graphql.promotions import CampaignVariant

        check(info, "Campaign:read")
        items = await info.context.loaders.many(catalog.DisplayItem, catalog.DisplayItem.display_id).load(
            int(self.id)  # type: ignore[attr-defined]
        )
        per_variant = await info.context.loaders.many(CampaignVariantRow, CampaignVariantRow.variant_id).load_many(
            [item.variant_id for item in items]
        )
        rows = [row for variant_rows in per_variant for row in variant_rows]
        campaigns = await info.context.loaders.one(CampaignRow).load_many([row.campaign_id for row in rows])
        store_id: int = self._store_id  # type: ignore[attr-defined]
        return [
            CampaignVariant(
                id=row.id,
                discount_percent=row.discount_bp / 100,
                _variant_id=row.variant_id,
                _pricelist_id=row.pricelist_id,
            )
            for row, campaign in zip(rows, campaigns, strict=True)
            if campaign is not None and campaign.store_id == store_id
        ]

    @strawberry.field(description="One price per pricelist (needs Price:read).")  # type: ignore[untyped-decorator]
    async def prices(self, info: Info[Any, Any]) -> list[DisplayPrice]:
        check(info, "Price:read")
        context: GraphQLContext = info.context
        variants = await context.loaders.linked(
            catalog.DisplayItem.display_id, catalog.DisplayItem.variant_id, catalog.ProductVariant
        ).load(int(self.id))  # type: ignore[attr-defined]
        ordered = sorted(variants, key=lambda v: (v.sort_order, v.id))
        prices = await context.loaders.many(Price, Price.variant_id, Price.pricelist_id).load_many(
            [v.id for v in ordered]
        )
        chosen: dict[int, Price] = {}
        for variant_prices in prices:
            for price in variant_prices:
                chosen.setdefault(price.pricelist_id, price)
        if context.store_id is not None and chosen:
            pricelists = await context.loaders.one(store_models.Pricelist).load_many(list(chosen))
            visible = {p.id for p in pricelists if p is not None and p.store_id == context.store_id}
            chosen = {k: v for k, v in chosen.items() if k in visible}
        return [DisplayPrice(id=price.id, _row=price) for _, price in sorted(chosen.items())]


# --- mapped attributes --------------------------------------------------------------------------


@strawberry.type(description="A predefined attribute value that products pick (e.g. a material).")
class MappedAttribute:
    id: int
    name: str
    description: str
    object_type: str
    _row: strawberry.Private[MappedAttributeRow]

    @classmethod
    def of(cls, row: MappedAttributeRow) -> MappedAttribute:
        return cls(id=row.id, name=row.name, description=row.description, object_type="Product", _row=row)

    async def _type_row(self, info: Info[Any, Any]) -> catalog.AttributeType:
        found: catalog.AttributeType | None = await info.context.loaders.one(catalog.AttributeType).load(
            self._row.attribute_type_id
        )
        assert found is not None
        return found

    @strawberry.field
    async def type(self, info: Info[Any, Any]) -> AttributeType:
        row = await self._type_row(info)
        return AttributeType(name=row.key, description=row.name, is_mapped=True)

    @strawberry.field
    def elements(self) -> list[AttributeElement]:
        return [
            AttributeStringElement(
                key=TEXT, description=self._row.description, kind=AttributeElementKind.STRING, value=self._row.value
            )
        ]


@strawberry.input
class MappedAttributeFilter:
    id: list[int] | None = None
    type_name: StringFilter | None = None
    name: StringFilter | None = None


async def resolve_mapped_attributes(
    info: Info[Any, Any],
    where: MappedAttributeFilter | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[MappedAttribute]:
    m, t = MappedAttributeRow, catalog.AttributeType
    statement = select(m).join(t, t.id == m.attribute_type_id)
    if where is not None:
        if where.id is not None:
            statement = statement.where(m.id.in_(where.id))
        statement = statement.where(*string_condition(t.key, where.type_name), *string_condition(m.name, where.name))
    statement = apply_page(statement.order_by(m.id), limit, page)
    return [MappedAttribute.of(r) for r in await rows(info.context, statement)]


async def picked_mapped_attributes(
    info: Info[Any, Any], column: Any, owner_id: int, object_type: str
) -> list[Attribute]:
    """The mapped attributes picked for one product or variant, as ``ObjectWithAttributes.attributes`` shows them."""
    picks = await info.context.loaders.many(MappedAttributeAssignment, column).load(owner_id)
    mapped = await info.context.loaders.one(MappedAttributeRow).load_many([p.mapped_attribute_id for p in picks])
    kinds = await info.context.loaders.one(catalog.AttributeType).load_many(
        [m.attribute_type_id for m in mapped if m is not None]
    )
    by_id = {k.id: k for k in kinds if k is not None}
    found: list[Attribute] = []
    for row in mapped:
        kind = by_id.get(row.attribute_type_id) if row is not None else None
        if row is None or kind is None:
            continue
        element = AttributeStringElement(
            key=TEXT, description=row.description, kind=AttributeElementKind.STRING, value=row.value
        )
        found.append(
            Attribute(
                type=AttributeType(name=kind.key, description=kind.name, is_mapped=True),
                description=row.description or kind.name,
                object_type=object_type,
                elements=[element],
            )
        )
    return found
