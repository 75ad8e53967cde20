"""DataLoaders: every relation the schema follows is one batched SELECT per request level.

A loader collects the keys that the resolvers of one execution level ask for
and loads them with one ``WHERE key IN (...)``; so ``orders(limit: 100) {
lines { ... } }`` is two statements, not 101. All loaders of a request share
its read session (``GraphQLContext.read``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from strawberry.dataloader import DataLoader

from opencentra import catalog
from opencentra.api.graphql.common import Currency
from opencentra.customers.models import Customer
from opencentra.db.base import Base
from opencentra.inventory import StockChange, stock_changes
from opencentra.orders import models as orders
from opencentra.stores import models as stores

if TYPE_CHECKING:
    from opencentra.api.graphql.context import GraphQLContext

M = TypeVar("M", bound=Base)
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Keep each IN (...) list well below SQLite's and PostgreSQL's parameter limits.
_CHUNK = 900


def _chunks(keys: Sequence[Any]) -> list[Sequence[Any]]:
    return [keys[i : i + _CHUNK] for i in range(0, len(keys), _CHUNK)]


class Loaders:
    """The request's loaders, created on first use."""

    def __init__(self, context: GraphQLContext) -> None:
        self._context = context
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}

    def _get(self, key: Hashable, load: Callable[[list[Any]], Any]) -> DataLoader[Any, Any]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = DataLoader(load_fn=load)
        return loader

    def one(self, model: type[M], column: InstrumentedAttribute[Any] | None = None) -> DataLoader[Any, M | None]:
        """Rows of ``model`` by ``column`` (its id by default); None where there is none."""
        key_column = column if column is not None else cast(InstrumentedAttribute[Any], model.id)  # type: ignore[attr-defined]

        async def load(keys: list[Any]) -> list[M | None]:
            found: dict[Any, M] = {}
            async with self._context.read() as session:
                for chunk in _chunks(keys):
                    rows = await session.scalars(select(model).where(key_column.in_(chunk)))
                    for row in rows:
                        found[getattr(row, key_column.key)] = row
            return [found.get(k) for k in keys]

        return self._get(("one", model, key_column.key), load)

    def many(
        self, model: type[M], column: InstrumentedAttribute[Any], *order_by: InstrumentedAttribute[Any]
    ) -> DataLoader[Any, list[M]]:
        """Lists of ``model`` rows whose ``column`` is the key (children of a parent)."""
        ordering = order_by or (cast(InstrumentedAttribute[Any], model.id),)  # type: ignore[attr-defined]

        async def load(keys: list[Any]) -> list[list[M]]:
            grouped: dict[Any, list[M]] = defaultdict(list)
            async with self._context.read() as session:
                for chunk in _chunks(keys):
                    rows = await session.scalars(select(model).where(column.in_(chunk)).order_by(column, *ordering))
                    for row in rows:
                        grouped[getattr(row, column.key)].append(row)
            return [grouped.get(k, []) for k in keys]

        return self._get(("many", model, column.key), load)

    def linked(
        self, link_column: InstrumentedAttribute[Any], target_column: InstrumentedAttribute[Any], model: type[M]
    ) -> DataLoader[Any, list[M]]:
        """Rows of ``model`` reached through a link table (display -> markets)."""
        link_table = link_column.class_
        target_key = cast(InstrumentedAttribute[Any], model.id)  # type: ignore[attr-defined]

        async def load(keys: list[Any]) -> list[list[M]]:
            grouped: dict[Any, list[M]] = defaultdict(list)
            async with self._context.read() as session:
                for chunk in _chunks(keys):
                    rows = await session.execute(
                        select(link_column, model)
                        .join(link_table, target_column == target_key)
                        .where(link_column.in_(chunk))
                        .order_by(link_column, target_key)
                    )
                    for owner, row in rows:
                        grouped[owner].append(row)
            return [grouped.get(k, []) for k in keys]

        return self._get(("linked", link_column.key, model), load)

    def keyed(
        self, name: str, fetch: Callable[[AsyncSession, list[K]], Awaitable[Mapping[K, V]]]
    ) -> DataLoader[K, V | None]:
        """A domain's bulk loader (``stores.markets_by_id``...) as a loader; None where there is none."""

        async def load(keys: list[K]) -> list[V | None]:
            async with self._context.read() as session:
                found = await fetch(session, keys)
            return [found.get(k) for k in keys]

        return self._get(("keyed", name), load)

    def grouped(
        self, name: str, fetch: Callable[[AsyncSession, list[K]], Awaitable[Mapping[K, list[V]]]]
    ) -> DataLoader[K, list[V]]:
        """A domain's bulk loader of children (``stores.market_countries``...) as a loader."""

        async def load(keys: list[K]) -> list[list[V]]:
            async with self._context.read() as session:
                found = await fetch(session, keys)
            return [list(found.get(k, ())) for k in keys]

        return self._get(("grouped", name), load)

    async def once(self, name: str, fetch: Callable[[AsyncSession], Awaitable[V]]) -> V:
        """A value the whole request shares, read once (every language, say)."""

        async def load(keys: list[str]) -> list[V]:
            async with self._context.read() as session:
                found = await fetch(session)
            return [found for _ in keys]

        loader: DataLoader[str, V] = self._get(("once", name), load)
        return await loader.load(name)

    @property
    def currency(self) -> DataLoader[int, Currency | None]:
        async def load(keys: list[int]) -> list[Currency | None]:
            async with self._context.read() as session:
                base = await session.scalar(select(func.min(stores.Currency.id)))
                rows = (await session.scalars(select(stores.Currency).where(stores.Currency.id.in_(keys)))).all()
            found = {
                row.id: Currency(
                    id=row.id,
                    code=row.code,
                    name=row.name,
                    iso_number=row.iso_number,
                    decimal_digits=row.decimals,
                    prefix=row.prefix,
                    suffix=row.suffix,
                    is_base=row.id == base,
                )
                for row in rows
            }
            return [found.get(k) for k in keys]

        return self._get("currency", load)

    # Shortcuts for the relations used most; they read better in resolvers.
    @property
    def order_lines(self) -> DataLoader[int, list[orders.OrderLine]]:
        return self.many(orders.OrderLine, orders.OrderLine.order_id)

    @property
    def shipments(self) -> DataLoader[int, list[orders.Shipment]]:
        return self.many(orders.Shipment, orders.Shipment.order_id)

    @property
    def customer(self) -> DataLoader[int, Customer | None]:
        return self.one(Customer)

    @property
    def country_by_code(self) -> DataLoader[str, stores.Country | None]:
        return self.one(stores.Country, stores.Country.code)

    @property
    def variant(self) -> DataLoader[int, catalog.VariantView | None]:
        return self.keyed("variants", catalog.variants_by_id)

    @property
    def product(self) -> DataLoader[int, catalog.ProductView | None]:
        return self.keyed("products", catalog.products_by_id)

    @property
    def product_size(self) -> DataLoader[int, catalog.ProductSizeView | None]:
        return self.keyed("product_sizes", catalog.product_sizes_by_id)

    @property
    def display(self) -> DataLoader[int, catalog.DisplayView | None]:
        return self.keyed("displays", catalog.displays_by_id)

    @property
    def warehouse(self) -> DataLoader[int, stores.Warehouse | None]:
        return self.one(stores.Warehouse)

    @property
    def stock_change(self) -> DataLoader[int, StockChange | None]:
        """Stock changes (inventory's read views of ``stock`` events) by id; None for other events."""

        async def load(keys: list[int]) -> list[StockChange | None]:
            async with self._context.read() as session:
                found = await stock_changes(session, keys)
            return [found.get(k) for k in keys]

        return self._get("stock_change", load)
