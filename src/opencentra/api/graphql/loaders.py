"""DataLoaders: every relation the schema follows is one batched SELECT per request level.

A loader collects the keys that the resolvers of one execution level ask for
and loads them with one ``WHERE key IN (...)``; so ``orders(limit: 100) {
lines { ... } }`` is two statements, not 101. All loaders of a request share
its read session (``GraphQLContext.read``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from strawberry.dataloader import DataLoader

from opencentra import catalog, inventory, orders, stores
from opencentra.api.graphql.common import Currency
from opencentra.db.shared_read import ReadSession
from opencentra.inventory import StockChange

if TYPE_CHECKING:
    from opencentra.api.graphql.context import GraphQLContext

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Loaders:
    """The request's loaders, created on first use; each calls one of the domain's batch reads."""

    def __init__(self, context: GraphQLContext) -> None:
        self._context = context
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}

    def _get(self, key: Hashable, load: Callable[[list[Any]], Any]) -> DataLoader[Any, Any]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = DataLoader(load_fn=load)
        return loader

    def keyed(
        self, name: str, fetch: Callable[[ReadSession, list[K]], Awaitable[Mapping[K, V]]]
    ) -> DataLoader[K, V | None]:
        """A domain's bulk loader (``stores.markets_by_id``...) as a loader; None where there is none."""

        async def load(keys: list[K]) -> list[V | None]:
            async with self._context.read() as session:
                found = await fetch(session, keys)
            return [found.get(k) for k in keys]

        return self._get(("keyed", name), load)

    def grouped(
        self, name: str, fetch: Callable[[ReadSession, list[K]], Awaitable[Mapping[K, list[V]]]]
    ) -> DataLoader[K, list[V]]:
        """A domain's bulk loader of children (``stores.market_countries``...) as a loader."""

        async def load(keys: list[K]) -> list[list[V]]:
            async with self._context.read() as session:
                found = await fetch(session, keys)
            return [list(found.get(k, ())) for k in keys]

        return self._get(("grouped", name), load)

    async def once(self, name: str, fetch: Callable[[ReadSession], Awaitable[V]]) -> V:
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
                rows = await stores.currencies_by_id(session, keys)
            found = {
                row.id: Currency(
                    id=row.id,
                    code=row.code,
                    name=row.name,
                    iso_number=row.iso_number,
                    decimal_digits=row.decimals,
                    prefix=row.prefix,
                    suffix=row.suffix,
                    is_base=row.base,
                )
                for row in rows.values()
            }
            return [found.get(k) for k in keys]

        return self._get("currency", load)

    # Shortcuts for the relations used most; they read better in resolvers.
    @property
    def order(self) -> DataLoader[int, orders.OrderView | None]:
        return self.keyed("orders", orders.orders_by_id)

    @property
    def order_lines(self) -> DataLoader[int, list[orders.OrderLineView]]:
        """An order's lines, by order id."""
        return self.grouped("order_lines", orders.lines_of_orders)

    @property
    def order_line(self) -> DataLoader[int, orders.OrderLineView | None]:
        return self.keyed("order_lines_by_id", orders.order_lines_by_id)

    @property
    def allocations(self) -> DataLoader[int, list[orders.AllocationView]]:
        """An order line's allocations, by order line id."""
        return self.grouped("allocations", orders.allocations_of_lines)

    @property
    def shipments(self) -> DataLoader[int, list[orders.ShipmentView]]:
        """An order's shipments, by order id."""
        return self.grouped("shipments", orders.shipments_of_orders)

    @property
    def shipment(self) -> DataLoader[int, orders.ShipmentView | None]:
        return self.keyed("shipments_by_id", orders.shipments_by_id)

    @property
    def shipment_lines(self) -> DataLoader[int, list[orders.ShipmentLineView]]:
        """A shipment's lines, by shipment id."""
        return self.grouped("shipment_lines", orders.lines_of_shipments)

    @property
    def shipment_line(self) -> DataLoader[int, orders.ShipmentLineView | None]:
        return self.keyed("shipment_lines_by_id", orders.shipment_lines_by_id)

    @property
    def returns(self) -> DataLoader[int, list[orders.ReturnView]]:
        """An order's returns, by order id."""
        return self.grouped("returns", orders.returns_of_orders)

    @property
    def return_lines(self) -> DataLoader[int, list[orders.ReturnLineView]]:
        """A return's lines, by return id."""
        return self.grouped("return_lines", orders.lines_of_returns)

    @property
    def payments(self) -> DataLoader[int, list[orders.PaymentEntryView]]:
        """An order's payment history, by order id."""
        return self.grouped("payments", orders.payments_of_orders)

    @property
    def account_orders(self) -> DataLoader[int, list[orders.OrderView]]:
        """A wholesale account's orders, by account id."""
        return self.grouped("account_orders", orders.orders_of_accounts)

    @property
    def applied_voucher(self) -> DataLoader[int, int | None]:
        """The voucher shown for an order's discount, by the order's selection id."""
        return self.keyed("applied_vouchers", orders.applied_vouchers)

    @property
    def order_delivery_windows(self) -> DataLoader[int, list[int]]:
        """The delivery windows (ids) an order could have been placed in, by order id."""
        return self.grouped("order_delivery_windows", orders.delivery_windows_of_orders)

    @property
    def shipping_option(self) -> DataLoader[int, stores.ShippingOptionView | None]:
        return self.keyed("shipping_options", stores.shipping_options_by_id)

    @property
    def payment_method(self) -> DataLoader[int, stores.PaymentMethodView | None]:
        return self.keyed("payment_methods", stores.payment_methods_by_id)

    @property
    def country_by_code(self) -> DataLoader[str, stores.CountryView | None]:
        return self.keyed("countries_by_code", stores.countries_by_code)

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
    def warehouse(self) -> DataLoader[int, stores.WarehouseView | None]:
        return self.keyed("warehouses", stores.warehouses_by_id)

    @property
    def stock_change(self) -> DataLoader[int, StockChange | None]:
        """Stock changes (inventory's read views of ``stock`` events) by id; None for other events."""

        async def load(keys: list[int]) -> list[StockChange | None]:
            async with self._context.read() as session:
                found = await inventory.stock_changes(session, keys)
            return [found.get(k) for k in keys]

        return self._get("stock_change", load)
