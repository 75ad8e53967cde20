"""Stock items (product sizes) as integrations see them: identity, logistics and stock.

Centra calls a product size a "stock item" (``stockItemId``). The Order API,
a WMS and a POS find them by EAN or by the concatenated SKU
(product number + variant number + size SKU) and read their stock summed
over a set of warehouses. Everything here reads in batches: a page of items
costs a fixed number of queries, whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog.models import Brand, Collection, Product, ProductSize, ProductStatus, ProductVariant, Size
from opencentra.db.engine import Database
from opencentra.inventory.models import Stock
from opencentra.stores._db import DatabaseOrSession, unit_of_work

# Keeps IN lists well under every driver's bound-parameter limit; a 1,000-size stock push is one chunk.
_CHUNK = 1_000


@dataclass(frozen=True, slots=True)
class StockItem:
    id: int
    product_id: int
    variant_id: int
    sku: str
    variant_sku: str
    size_sku: str
    ean: str | None
    brand: str | None
    collection: str | None
    product: str
    variant: str
    size: str
    weight_kg: Decimal | None
    country_of_origin: str | None
    harm_code: str
    harm_description: str
    comment: str
    active: bool
    created_at: datetime
    modified_at: datetime
    tax_group_id: int | None = None

    @property
    def full_sku(self) -> str:
        """Product number, variant number and size SKU run together (Centra's stock key)."""
        return f"{self.sku}{self.variant_sku}{self.size_sku}"


@dataclass(frozen=True, slots=True)
class StockItemFilter:
    """Which stock items to list; every given field must match."""

    sku: str | None = None
    ean: str | None = None
    product_id: int | None = None
    variant_id: int | None = None
    stock_item_id: int | None = None
    created_since: datetime | None = None
    modified_since: datetime | None = None
    # Items whose stock row in one of ``stock_warehouses`` changed since then.
    stock_modified_since: datetime | None = None
    stock_warehouses: Sequence[int] = ()


@dataclass(frozen=True, slots=True)
class StockTotal:
    physical: int
    allocated: int

    @property
    def available(self) -> int:
        return self.physical - self.allocated


@dataclass(frozen=True, slots=True)
class VariantSize:
    """A stock item as its variant lists it: the item's id and its size (id and name in the size chart)."""

    id: int
    variant_id: int
    size_id: int
    size_name: str


def _full_sku() -> object:
    return Product.product_number + ProductVariant.variant_number + ProductSize.sku


def _item_query() -> Select[*tuple[Any, ...]]:
    return (
        select(
            ProductSize.id,
            Product.id,
            ProductVariant.id,
            Product.product_number,
            ProductVariant.variant_number,
            ProductSize.sku,
            ProductSize.ean,
            Brand.name,
            Collection.name,
            Product.name,
            ProductVariant.name,
            Size.name,
            Product.weight_grams,
            Product.country_of_origin,
            Product.harmonized_code,
            Product.harmonized_code_description,
            Product.comment,
            Product.status,
            ProductVariant.active,
            Product.created_at,
            Product.updated_at,
            Product.tax_group_id,
        )
        .join(ProductVariant, ProductVariant.id == ProductSize.variant_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .join(Size, Size.id == ProductSize.size_id)
        .outerjoin(Brand, Brand.id == Product.brand_id)
        .outerjoin(Collection, Collection.id == Product.collection_id)
    )


def _item(row: Sequence[object]) -> StockItem:
    (size_id, product_id, variant_id, sku, variant_sku, size_sku, ean, brand, collection, product, variant, size,
     weight, origin, harm, harm_description, comment, status, variant_active, created, modified,
     tax_group) = row  # fmt: skip
    return StockItem(
        id=int(str(size_id)),
        product_id=int(str(product_id)),
        variant_id=int(str(variant_id)),
        sku=str(sku),
        variant_sku=str(variant_sku or ""),
        size_sku=str(size_sku or ""),
        ean=ean if isinstance(ean, str) else None,
        brand=brand if isinstance(brand, str) else None,
        collection=collection if isinstance(collection, str) else None,
        product=str(product),
        variant=str(variant),
        size=str(size),
        weight_kg=None if weight is None else Decimal(int(str(weight))) / 1000,
        country_of_origin=origin if isinstance(origin, str) else None,
        harm_code=str(harm or ""),
        harm_description=str(harm_description or ""),
        comment=str(comment or ""),
        active=status == ProductStatus.ACTIVE.value and bool(variant_active),
        created_at=created if isinstance(created, datetime) else datetime.min,
        modified_at=modified if isinstance(modified, datetime) else datetime.min,
        tax_group_id=None if tax_group is None else int(str(tax_group)),
    )


async def find_stock_items(
    session: AsyncSession, where: StockItemFilter, *, limit: int | None = None, offset: int = 0
) -> list[StockItem]:
    """Stock items matching ``where``, by id; ``limit`` None lists them all."""
    query = _item_query().order_by(ProductSize.id)
    if where.sku is not None:
        query = query.where(or_(Product.product_number == where.sku, _full_sku() == where.sku))  # type: ignore[arg-type]
    if where.ean is not None:
        query = query.where(ProductSize.ean == where.ean)
    if where.product_id is not None:
        query = query.where(Product.id == where.product_id)
    if where.variant_id is not None:
        query = query.where(ProductVariant.id == where.variant_id)
    if where.stock_item_id is not None:
        query = query.where(ProductSize.id == where.stock_item_id)
    if where.created_since is not None:
        query = query.where(Product.created_at >= where.created_since)
    if where.modified_since is not None:
        query = query.where(
            or_(Product.updated_at >= where.modified_since, ProductVariant.updated_at >= where.modified_since)
        )
    if where.stock_modified_since is not None:
        changed = select(Stock.product_size_id).where(
            Stock.updated_at >= where.stock_modified_since, Stock.warehouse_id.in_(list(where.stock_warehouses))
        )
        query = query.where(ProductSize.id.in_(changed))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [_item(row) for row in await session.execute(query)]


async def load_stock_items(session: AsyncSession, ids: Iterable[int]) -> dict[int, StockItem]:
    wanted = sorted(set(ids))
    found: dict[int, StockItem] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for row in await session.execute(_item_query().where(ProductSize.id.in_(chunk))):
            item = _item(row)
            found[item.id] = item
    return found


async def resolve_stock_keys(
    session: AsyncSession, keys: Iterable[str], *, ean: bool = True, sku: bool = True
) -> dict[str, int]:
    """Map each key that names a stock item (an EAN, or the concatenated SKU) to its id.

    An EAN wins over a SKU that happens to be spelled the same. Unknown keys
    are absent. EANs are looked up first through their unique index; only
    what is left is compared with the concatenated SKU, which cannot use one.
    """
    wanted = sorted({key for key in keys if key})
    found: dict[str, int] = {}
    if ean:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            rows = await session.execute(select(ProductSize.ean, ProductSize.id).where(ProductSize.ean.in_(chunk)))
            found.update({str(key): int(size_id) for key, size_id in rows})
    rest = [key for key in wanted if key not in found]
    if sku and rest:
        # A full SKU starts with its product number: narrow to those products before concatenating.
        prefixes = sorted({key[:n] for key in rest for n in range(1, len(key) + 1)})
        numbers = select(Product.id).where(Product.product_number.in_(prefixes)) if len(prefixes) <= 2000 else None
        for start in range(0, len(rest), _CHUNK):
            chunk = rest[start : start + _CHUNK]
            query = (
                select(_full_sku(), ProductSize.id)  # type: ignore[call-overload]
                .join(ProductVariant, ProductVariant.id == ProductSize.variant_id)
                .join(Product, Product.id == ProductVariant.product_id)
                .where(_full_sku().in_(chunk))  # type: ignore[attr-defined]
            )
            if numbers is not None:
                query = query.where(Product.id.in_(numbers))
            rows = await session.execute(query)
            found.update({str(key): int(size_id) for key, size_id in rows if str(key) not in found})
    return found


async def variant_sizes(db: DatabaseOrSession, variant_ids: Iterable[int]) -> dict[int, list[VariantSize]]:
    """The stock items of each variant, in id order; a variant with none (or no such variant) is absent.

    An integration names a size by variant and size (its id or its name);
    this is what it is matched against.
    """
    wanted = sorted(set(variant_ids))
    found: dict[int, list[VariantSize]] = {}
    async with unit_of_work(db, write=False) as session:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            rows = await session.execute(
                select(ProductSize.id, ProductSize.variant_id, Size.id, Size.name)
                .join(Size, Size.id == ProductSize.size_id)
                .where(ProductSize.variant_id.in_(chunk))
                .order_by(ProductSize.id)
            )
            for item_id, variant_id, size_id, size_name in rows:
                found.setdefault(variant_id, []).append(VariantSize(item_id, variant_id, size_id, size_name))
    return found


async def stock_totals(
    session: AsyncSession, size_ids: Iterable[int], warehouse_ids: Sequence[int]
) -> dict[int, StockTotal]:
    """Physical and allocated per size, summed over ``warehouse_ids``; absent sizes have none."""
    wanted = sorted(set(size_ids))
    totals: dict[int, StockTotal] = {}
    if not warehouse_ids:
        return totals
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = await session.execute(
            select(Stock.product_size_id, func.sum(Stock.physical), func.sum(Stock.allocated))
            .where(Stock.product_size_id.in_(chunk), Stock.warehouse_id.in_(list(warehouse_ids)))
            .group_by(Stock.product_size_id)
        )
        for size_id, physical, allocated in rows:
            totals[int(size_id)] = StockTotal(int(physical or 0), int(allocated or 0))
    return totals


def totals_for(totals: Mapping[int, StockTotal], size_id: int) -> StockTotal:
    return totals.get(size_id, StockTotal(0, 0))


async def stock_page(
    db: Database, where: StockItemFilter, warehouse_ids: Sequence[int], *, limit: int | None, offset: int = 0
) -> tuple[list[StockItem], dict[int, StockTotal]]:
    """A page of stock items and their stock summed over ``warehouse_ids``, in one read."""
    async with db.read() as session:
        items = await find_stock_items(session, where, limit=limit, offset=offset)
        totals = await stock_totals(session, [item.id for item in items], warehouse_ids)
        unstocked = [item.id for item in items if item.id not in totals]
        if unstocked and warehouse_ids:
            # Bundles have no stock rows: theirs follows their components.
            from opencentra.inventory.bundle_stock import bundle_totals  # bundle_stock imports this module

            totals.update(await bundle_totals(session, unstocked, warehouse_ids))
        return items, totals
