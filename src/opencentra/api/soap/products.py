"""``products_Update``: a product with its variations, sizes and free-to-allocate stock, by ERP ids.

One product is one transaction (``items.batch``). The ERP ids it names are
read from the ID conversion table once per kind (product, variations,
sizetables, warehouses), the sizetable's sizes and the variations' sizes once
each, and a field that already holds the pushed value is not written again,
so an ERP that pushes its whole catalogue every night writes (and announces)
only what changed. New mappings are written together at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from opencentra import catalog, integration, inventory, stores
from opencentra.api.soap import catalog_links
from opencentra.api.soap.envelope import child, children, path_text, text
from opencentra.api.soap.items import (
    PRODUCT,
    SIZE_CHART,
    VARIANT,
    WAREHOUSE,
    amount,
    choice,
    quantity,
    required_id,
)
from opencentra.api.soap.session import SoapCall
from opencentra.db.engine import Database
from opencentra.errors import ValidationFailed

T = TypeVar("T")

_PRODUCT_STATUS = {
    "active": catalog.ProductStatus.ACTIVE,
    "inactive": catalog.ProductStatus.INACTIVE,
    # OpenCentra has no separate "canceled" product: it is kept, inactive.
    "canceled": catalog.ProductStatus.INACTIVE,
}

# What products_Update may carry that OpenCentra does not keep from it (docs/compatibility/soap-api.md).
_PRODUCT_NOT_KEPT = ("media", "metadata")
_VARIATION_NOT_KEPT = ("displays", "cog", "comment")
_SIZE_NOT_KEPT = ("preorder", "comment")

_WEIGHT_UNITS = {"kg": Decimal(1000), "g": Decimal(1), "lb": Decimal("453.59237"), "lbs": Decimal("453.59237")}


def _not_kept(ext: str, node: etree._Element, variations: list[etree._Element], notices: list[str]) -> None:
    """A notice naming each element given that is not kept: never dropped without a word."""
    names = [name for name in _PRODUCT_NOT_KEPT if child(node, name) is not None]
    for variation in variations:
        names += [f"variation/{name}" for name in _VARIATION_NOT_KEPT if child(variation, name) is not None]
        for size in children(child(variation, "sizes"), "size"):
            names += [f"size/{name}" for name in _SIZE_NOT_KEPT if child(size, name) is not None]
            warehouses = children(child(size, "warehouseitems"), "warehouse")
            names += ["warehouse/cog" for warehouse in warehouses if child(warehouse, "cog") is not None]
    if names:
        notices.append(f"product {ext}: {', '.join(dict.fromkeys(names))} not kept by OpenCentra")


def _weight_grams(node: etree._Element) -> int | None:
    weight = child(node, "weight")
    raw = text(weight, "value")
    if not raw:
        return None
    unit = (text(weight, "unit") or "kg").lower()
    factor = _WEIGHT_UNITS.get(unit)
    if factor is None:
        raise ValidationFailed(f"weight unit {unit!r} is not kg, g or lb", field="weight")
    return int((amount(raw, "weight") * factor).to_integral_value())


@dataclass
class _Ids:
    """The ERP ids one product names, resolved once; ``new`` collects the mappings to write."""

    tx: Database
    found: dict[str, dict[str, int]]
    new: dict[str, dict[str, int]]

    @classmethod
    async def read(cls, tx: Database, wanted: dict[str, list[str]]) -> _Ids:
        found: dict[str, dict[str, int]] = {}
        for object_type, externals in wanted.items():
            unique = list(dict.fromkeys(externals))
            found[object_type] = await integration.internal_ids(
                tx, integration=integration.SOAP_INTEGRATION, object_type=object_type, external_ids=unique
            )
        return cls(tx, found, {})

    def get(self, object_type: str, external: str) -> int | None:
        return self.found.get(object_type, {}).get(external)

    def add(self, object_type: str, internal: int, external: str) -> None:
        self.found.setdefault(object_type, {})[external] = internal
        self.new.setdefault(object_type, {})[external] = internal

    def chart(self, external: str) -> int:
        chart_id = self.get(SIZE_CHART, external)
        if chart_id is None:
            raise ValidationFailed(f"unknown sizetable {external}: send it with sizes_Update first", field="sizetable")
        return chart_id

    async def write_new(self) -> None:
        for object_type, pairs in self.new.items():
            await integration.map_soap_ids(self.tx, object_type, {internal: ext for ext, internal in pairs.items()})


def _keep(value: T | None, current: T | None) -> T | catalog.Keep:
    """``value`` to write, or KEEP when it was not given or is already so."""
    return catalog.KEEP if value is None or value == current else value


async def product(call: SoapCall, tx: Database, node: etree._Element, notices: list[str]) -> None:
    ext = required_id(node)
    status_raw = choice(text(node, "status"), tuple(_PRODUCT_STATUS), "status")
    status = _PRODUCT_STATUS[status_raw] if status_raw else None
    name = text(node, "description") or None
    sku = text(node, "sku") or None
    harmcode = child(node, "harmcode")
    harm_id, harm_text = text(harmcode, "id") or None, text(harmcode, "description") or None
    country = text(node, "countryoforigin") or None
    weight = _weight_grams(node)
    comment = text(node, "comment") or None
    variations = children(child(node, "variations"), "variation")
    _not_kept(ext, node, variations, notices)
    brand_id = await catalog_links.brand_of(tx, node, notices)
    collection_id = await catalog_links.collection_of(tx, node, notices)
    folder_id = await catalog_links.folder_of(tx, node, notices)
    ids = await _Ids.read(
        tx,
        {
            PRODUCT: [ext],
            VARIANT: [required_id(v) for v in variations],
            SIZE_CHART: [c for v in variations if (c := path_text(v, "sizetable", "id"))],
            WAREHOUSE: [
                required_id(w)
                for v in variations
                for s in children(child(v, "sizes"), "size")
                for w in children(child(s, "warehouseitems"), "warehouse")
            ],
        },
    )
    product_id = ids.get(PRODUCT, ext)
    if product_id is None:
        chart_ext = next((path_text(v, "sizetable", "id") for v in variations if path_text(v, "sizetable", "id")), None)
        current = await catalog.create_product(
            tx,
            catalog.ProductSpec(
                name=name or ext,
                product_number=sku or ext,
                size_chart_id=ids.chart(chart_ext) if chart_ext else None,
                variants=(),
                status=status or catalog.ProductStatus.ACTIVE,
                harmonized_code=harm_id or "",
                harmonized_code_description=harm_text or "",
                country_of_origin=country,
                weight_grams=weight,
                brand_id=brand_id,
                collection_id=collection_id,
                comment=comment or "",
            ),
            folder_id=folder_id,
        )
        ids.add(PRODUCT, current.id, ext)
    else:
        async with tx.read() as session:
            current = (await catalog.products_by_id(session, [product_id]))[product_id]
            if folder_id is not None:
                filed = (await catalog.folder_ids_of_products(session, [product_id])).get(product_id)
                folder_id = None if filed == folder_id else folder_id
        changes = catalog.ProductChanges(
            name=_keep(name, current.name),
            product_number=_keep(sku, current.product_number),
            status=_keep(status, current.status),
            harmonized_code=_keep(harm_id, current.harmonized_code),
            harmonized_code_description=_keep(harm_text, current.harmonized_code_description),
            country_of_origin=_keep(country, current.country_of_origin),
            weight_grams=_keep(weight, current.weight_grams),
            brand_id=_keep(brand_id, current.brand_id),
            collection_id=_keep(collection_id, current.collection_id),
            comment=_keep(comment, current.comment),
        )
        # A stock-only push (Centra's cookbook) or an unchanged product writes nothing of the product itself.
        if changes != catalog.ProductChanges() or folder_id is not None:
            current = await catalog.update_product(tx, current.id, changes, folder_id=folder_id)
    await _variations(tx, current, variations, ids, notices)
    await ids.write_new()


async def _variations(
    tx: Database, product: catalog.ProductView, variations: list[etree._Element], ids: _Ids, notices: list[str]
) -> None:
    for variation in variations:
        chart_ext = path_text(variation, "sizetable", "id")
        if chart_ext and ids.chart(chart_ext) != product.size_chart_id:
            raise ValidationFailed("a product's variations share one sizetable; it cannot change", field="sizetable")
    known = [variant_id for v in variations if (variant_id := ids.get(VARIANT, required_id(v))) is not None]
    async with tx.read() as session:
        chart_sizes = (await catalog.sizes_of_charts(session, [product.size_chart_id])).get(product.size_chart_id, [])
        existing = await catalog.variants_by_id(session, known)
    # A size is addressed by its ERP id, which is its name in the sizetable.
    chart = {size.name: size.id for size in chart_sizes}
    wanted: list[tuple[etree._Element, int, list[tuple[etree._Element, int]]]] = []
    for variation in variations:
        ext = required_id(variation)
        sizes: list[tuple[etree._Element, int]] = []
        for size in children(child(variation, "sizes"), "size"):
            size_name = required_id(size)
            if size_name not in chart:
                raise ValidationFailed(f"size {size_name} is not in the product's sizetable", field="size")
            sizes.append((size, chart[size_name]))
        variant_id = ids.get(VARIANT, ext)
        if variant_id is None:
            variant_id = await _new_variant(tx, product, variation, sizes, notices)
            ids.add(VARIANT, variant_id, ext)
        else:
            view = existing.get(variant_id)
            if view is None or view.product_id != product.id:
                raise ValidationFailed(f"variation {ext} belongs to another product", field="variation")
            await _update_variant(tx, view, variation)
        wanted.append((variation, variant_id, sizes))
    async with tx.read() as session:
        present = await catalog.sizes_of_variants(session, [variant_id for _, variant_id, _ in wanted])
    stock: dict[int, dict[int, int]] = {}
    for variation, variant_id, sizes in wanted:
        by_size = {s.size_id: s.id for s in present.get(variant_id, [])}
        for size, size_id in sizes:
            product_size_id = by_size.get(size_id)
            if product_size_id is None:
                spec = _size_spec(required_id(variation), size, size_id, notices)
                product_size_id = by_size[size_id] = (await catalog.create_product_size(tx, variant_id, spec)).id
            await _stock(tx, size, product_size_id, ids, stock, notices)
    for warehouse_id, values in stock.items():
        await inventory.set_stock(tx, warehouse_id, values, target=inventory.StockTarget.AVAILABLE)


def _active(variation: etree._Element) -> bool | None:
    raw = choice(text(variation, "status"), ("active", "inactive", "canceled"), "status")
    return None if raw is None else raw == "active"


async def _new_variant(
    tx: Database,
    product: catalog.ProductView,
    variation: etree._Element,
    sizes: list[tuple[etree._Element, int]],
    notices: list[str],
) -> int:
    """A new variation, created with all its sizes in one call."""
    ext = required_id(variation)
    specs = {size_id: _size_spec(ext, size, size_id, notices) for size, size_id in sizes}
    variant = await catalog.create_variant(
        tx,
        product.id,
        catalog.VariantSpec(
            name=text(variation, "description") or ext,
            variant_number=text(variation, "sku") or ext,
            sizes=tuple(specs.values()),
            active=_active(variation) is not False,
        ),
        size_chart_id=product.size_chart_id,
    )
    return variant.id


async def _update_variant(tx: Database, current: catalog.VariantView, variation: etree._Element) -> None:
    changes = catalog.VariantChanges(
        name=_keep(text(variation, "description") or None, current.name),
        variant_number=_keep(text(variation, "sku") or None, current.variant_number),
        active=_keep(_active(variation), current.active),
    )
    if changes != catalog.VariantChanges():
        await catalog.update_variant(tx, current.id, changes)


async def _stock(
    tx: Database,
    size: etree._Element,
    product_size_id: int,
    ids: _Ids,
    stock: dict[int, dict[int, int]],
    notices: list[str],
) -> None:
    for warehouse in children(child(size, "warehouseitems"), "warehouse"):
        warehouse_ext = required_id(warehouse)
        qty = text(warehouse, "qty")
        if qty is None or qty == "":
            continue
        warehouse_id = ids.get(WAREHOUSE, warehouse_ext)
        if warehouse_id is None:
            # Centra creates a warehouse the first time stock names it.
            warehouse_id = (await stores.create_warehouse(tx, warehouse_ext)).id
            ids.add(WAREHOUSE, warehouse_id, warehouse_ext)
            notices.append(f"Added new warehouse: {warehouse_ext}")
        stock.setdefault(warehouse_id, {})[product_size_id] = quantity(qty, "qty")


def _size_spec(variation: str, size: etree._Element, size_id: int, notices: list[str]) -> catalog.SizeSpec:
    ean = text(size, "ean") or None
    if ean is not None:
        try:
            catalog.check_ean(ean)
        except ValidationFailed:
            # Centra keeps any EAN; OpenCentra keeps only valid GTINs, and says so rather than fail the item.
            notices.append(f"{variation}/{text(size, 'id')}: EAN {ean} is not a valid GTIN and was not kept")
            ean = None
    return catalog.SizeSpec(size_id=size_id, ean=ean, sku=text(size, "sku") or "")
