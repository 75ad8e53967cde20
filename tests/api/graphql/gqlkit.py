"""Builders for the GraphQL tests: a small world (two stores, a product, orders) and a GraphQL client.

``gql`` wraps the root ``api`` harness (the whole app over HTTP, once per
backend). Its GraphQL endpoint gets an in-memory rate-limit store on a
``ManualClock`` with generous quotas, so tests never trip the limits unless
they swap in a plan of their own (``gql.use_limits(plan)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from opencentra import orders
from opencentra.api.graphql.app import GraphQLApp
from opencentra.catalog.models import Display, DisplayItem, Product, ProductSize, ProductVariant, Size, SizeChart
from opencentra.customers.models import Customer
from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.integration.permissions import ALL_PERMISSIONS
from opencentra.inventory.models import Stock
from opencentra.orders import LineDraft, OrderDraft
from opencentra.ratelimit import ENTERPRISE, ManualClock, MemoryRateLimitStore, Plan, RateLimitStore
from opencentra.stores.models import (
    AllocationRule,
    AllocationRuleWarehouse,
    Country,
    Currency,
    Market,
    MarketCountry,
    Pricelist,
    Store,
    StoreType,
    Warehouse,
)

BIG = Plan(
    requests=ENTERPRISE.requests,
    complexity=ENTERPRISE.complexity,
    mutations=ENTERPRISE.mutations,
)


@dataclass
class World:
    store_id: int
    wholesale_store_id: int
    market_id: int
    wholesale_market_id: int
    pricelist_id: int
    currency_id: int
    customer_id: int
    warehouse_id: int
    product_id: int
    variant_id: int
    size_ids: tuple[int, int]
    display_id: int
    display_item_id: int
    order_ids: list[int] = field(default_factory=list)


async def build_world(db: Database) -> World:
    async with db.write() as session:
        sweden = Country(code="SE", name="Sweden", eu=True)
        currency = Currency(code="SEK", name="Swedish krona", decimals=2, suffix=" kr")
        store = Store(name="Retail", type=StoreType.DTC)
        wholesale = Store(name="Wholesale", type=StoreType.WHOLESALE)
        chart = SizeChart(name="Letters")
        warehouse = Warehouse(name="Main")
        rule = AllocationRule(name="Main only")
        session.add_all([sweden, currency, store, wholesale, chart, warehouse, rule])
        await session.flush()
        session.add(AllocationRuleWarehouse(allocation_rule_id=rule.id, warehouse_id=warehouse.id, priority=1))
        market = Market(store_id=store.id, name="Sweden", allocation_rule_id=rule.id)
        wholesale_market = Market(store_id=wholesale.id, name="B2B", allocation_rule_id=rule.id)
        pricelist = Pricelist(store_id=store.id, name="SEK", currency_id=currency.id)
        customer = Customer(store_id=store.id, email="ada@example.com", first_name="Ada", registered=True)
        small, large = (
            Size(size_chart_id=chart.id, name="S", position=0),
            Size(size_chart_id=chart.id, name="L", position=1),
        )
        product = Product(name="Tee", product_number="TEE", size_chart_id=chart.id, weight_grams=250)
        session.add_all([market, wholesale_market, pricelist, customer, small, large, product])
        await session.flush()
        session.add(MarketCountry(store_id=store.id, market_id=market.id, country_id=sweden.id))
        variant = ProductVariant(product_id=product.id, name="Black", variant_number="BLK")
        display = Display(store_id=store.id, product_id=product.id, name="Tee", uri="tee")
        session.add_all([variant, display])
        await session.flush()
        item = DisplayItem(display_id=display.id, variant_id=variant.id)
        sizes = [ProductSize(variant_id=variant.id, size_id=s.id, sku=s.name) for s in (small, large)]
        session.add_all([item, *sizes])
        await session.flush()
        session.add_all(
            [Stock(warehouse_id=warehouse.id, product_size_id=s.id, physical=100, allocated=0) for s in sizes]
        )
        await session.flush()
        return World(
            store_id=store.id,
            wholesale_store_id=wholesale.id,
            market_id=market.id,
            wholesale_market_id=wholesale_market.id,
            pricelist_id=pricelist.id,
            currency_id=currency.id,
            customer_id=customer.id,
            warehouse_id=warehouse.id,
            product_id=product.id,
            variant_id=variant.id,
            size_ids=(sizes[0].id, sizes[1].id),
            display_id=display.id,
            display_item_id=item.id,
        )


def order_draft(world: World, *, confirm: bool = True, lines: int = 2, store_id: int | None = None) -> OrderDraft:
    return OrderDraft(
        store_id=store_id or world.store_id,
        market_id=world.market_id if store_id in (None, world.store_id) else world.wholesale_market_id,
        pricelist_id=world.pricelist_id,
        currency_id=world.currency_id,
        customer_id=world.customer_id,
        email="ada@example.com",
        lines=[
            LineDraft(
                product_name="Tee",
                quantity=1 + n,
                unit_price_minor=19_900,
                product_size_id=world.size_ids[n % 2],
                display_item_id=world.display_item_id,
                variant_name="Black",
                size_name="SL"[n % 2],
                tax_bp=2500,
            )
            for n in range(lines)
        ],
        confirm=confirm,
    )


async def add_orders(db: Database, world: World, count: int, **kwargs: Any) -> list[int]:
    ids = []
    for _ in range(count):
        ids.append((await orders.create_order(db, order_draft(world, **kwargs))).id)
    world.order_ids += ids
    return ids


class GraphQLClient:
    def __init__(self, api: Any) -> None:
        self.api = api
        self.endpoint: GraphQLApp = next(
            route.endpoint.__self__ for route in api.client.app.routes if getattr(route, "path", None) == "/graphql"
        )
        self.clock = ManualClock(1_000.0)
        self.endpoint.rate_limits = MemoryRateLimitStore(BIG, self.clock)
        self._tokens: dict[tuple[Any, ...], str] = {}
        self.default_token = self.token(ALL_PERMISSIONS)

    def use_limits(self, plan: Plan | None = None, store: RateLimitStore | None = None) -> None:
        self.endpoint.rate_limits = store if store is not None else MemoryRateLimitStore(plan, self.clock)

    def token(
        self,
        permissions: tuple[str, ...] | list[str],
        *,
        store_id: int | None = None,
        name: str = "test-integration",
        lifetime: timedelta | None = timedelta(days=30),
    ) -> str:
        key = (tuple(sorted(permissions)), store_id, name, lifetime)
        if key not in self._tokens:
            _, secret = self.api.call(
                integration.create_token, name=name, permissions=list(permissions), store_id=store_id, lifetime=lifetime
            )
            self._tokens[key] = secret
        return self._tokens[key]

    def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        operation_name: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        if operation_name is not None:
            body["operationName"] = operation_name
        sent = {"Authorization": f"Bearer {token or self.default_token}", **(headers or {})}
        return self.api.client.post("/graphql", json=body, headers=sent)

    def query(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        """POST and expect 200 without errors; the whole body."""
        response = self.post(query, variables, **kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        return body
