"""Two stores with their own plugins, tokens, orders and customers: the world the security tests attack.

Store A is the demo's retail (DTC) store, store B its wholesale store. Each
gets its own plugin of every REST type and its own GraphQL token (bound to
the store, holding every permission), so a test can send B's credentials to
A's endpoints and A's to B's. Between them the two stores own objects of
every store-scoped kind: both have orders (each with a shipment, one with a
return), customers, displays, markets, pricelists and price alterations; the
retail store has vouchers, a campaign and categories, the wholesale store an
account and a buyer. So "nothing of the other store" is never vacuous.

The database is seeded once per test session, through the domain services
(``seed``); each test module gets a copy of it and its own app
(``running_world``), so no module sees what another one changed.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import shutil
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx2 as httpx
from sqlalchemy import select
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from opencentra import orders, subscriptions
from opencentra.address import Address
from opencentra.api.graphql.app import GraphQLApp
from opencentra.app import create_app
from opencentra.catalog.models import Display, DisplayItem, ProductSize, ProductVariant
from opencentra.config import Settings
from opencentra.customers import services as customers
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.db.migrate import upgrade
from opencentra.demo.seed import seed_demo
from opencentra.integration import services as integration
from opencentra.integration.models import PluginType
from opencentra.integration.permissions import ALL_PERMISSIONS
from opencentra.orders.models import Order, OrderLine
from opencentra.pricing import alterations
from opencentra.ratelimit import MemoryRateLimitStore, Plan, Quota
from opencentra.stores.models import Market, Pricelist
from opencentra.subscriptions import services as plans
from opencentra.wholesale import services as wholesale

T = TypeVar("T")

# Quotas no test run can exhaust: the enumeration sends hundreds of GraphQL
# requests, and a 429 would hide the answer under test.
UNLIMITED = Plan(
    requests=Quota(10**6, 10**9),
    complexity=Quota(10**9, 10**12),
    mutations=Quota(10**6, 10**9),
)
REST_TYPES = (PluginType.ORDER, PluginType.CHECKOUT, PluginType.SHOP, PluginType.SUBSCRIPTION)
# Store B's storefront allows one browser origin, so client mode's Origin check is attacked too.
B_ORIGIN = "https://b-shop.example"
B_PLUGIN_SETTINGS: dict[PluginType, dict[str, Any]] = {
    PluginType.ORDER: {"allow_order_create": True},
    PluginType.CHECKOUT: {"allowed_origins": [B_ORIGIN], "frontend_url": B_ORIGIN},
}


@dataclass(frozen=True)
class Plugin:
    id: int
    store: int
    type: PluginType
    uri: str
    secret: str

    @property
    def base(self) -> str:
        return f"/api/{self.uri}"

    @property
    def permalink(self) -> str:
        return f"/api/{self.uri}/{self.id}"


@dataclass
class Store:
    """One store's credentials and some of its objects' ids."""

    id: int
    name: str
    plugins: dict[PluginType, Plugin]
    # A GraphQL token bound to this store, with every permission.
    token: str
    market: int
    pricelist: int
    order_ids: list[int] = field(default_factory=list)
    order_numbers: list[int] = field(default_factory=list)
    shipment_ids: list[int] = field(default_factory=list)
    return_ids: list[int] = field(default_factory=list)
    customer_ids: list[int] = field(default_factory=list)
    # A subscription contract (bought on a plan through the old Subscription API's services) and its subscriptions.
    subscription_contract_ids: list[int] = field(default_factory=list)
    subscription_ids: list[int] = field(default_factory=list)
    # A Checkout API item of one of its displays ("<display item>-<size>").
    item: str = ""

    @property
    def display_item(self) -> int:
        """What the Checkout API calls a product: a display item (one variant of a display)."""
        return int(self.item.split("-")[0])

    @property
    def email(self) -> str:
        return f"buyer-{self.id}@example.com"

    def path_values(self) -> dict[str, object]:
        """A plausible value for each path parameter of the REST APIs, naming this store's objects."""
        return {
            # Order API
            "order_number": self.order_numbers[1],
            "shipment_id": self.shipment_ids[1],
            "return_id": self.return_ids[0],
            "customer_id": self.customer_ids[0],
            "name": "invoice",
            # Checkout API
            "product": self.display_item,
            "item": self.item,
            "line": "0" * 32,
            "selection": "0" * 32,
            "email": self.email,
            "language": "sv",
            "market": self.market,
            "country": "SE",
            "state": "CA",
            "method": "test-card",
            "voucher": "WELCOME10",
            "certificate": "gift-card",
            "amount": 100,
            "quantity": 1,
            "wishlist": 0,
            "order": self.order_numbers[0],
            # Old Subscription API: a subscription is a contract there; Checkout API: a contract and its subscription
            "subscription": self.subscription_contract_ids[0],
            "contract": self.subscription_contract_ids[0],
        }


class Client:
    """``TestClient``'s request methods, sent by an ``httpx`` client on the app's own event loop.

    The ``TestClient`` still runs the app (lifespan, event loop in its portal
    thread); sending through it costs twice the CPU of an in-loop client, and
    this suite sends thousands of requests.
    """

    def __init__(self, test_client: TestClient) -> None:
        assert test_client.portal is not None
        self.portal = test_client.portal
        self.app: Any = test_client.app
        state = test_client.app_state

        async def app_with_state(scope: Scope, receive: Receive, send: Send) -> None:
            # What TestClient adds to each request's scope: the lifespan's state.
            await test_client.app({**scope, "state": dict(state)}, receive, send)

        async def open_client() -> httpx.AsyncClient:
            transport = httpx.ASGITransport(
                app=app_with_state, raise_app_exceptions=False, client=("testclient", 50000)
            )
            return httpx.AsyncClient(transport=transport, base_url="http://testserver")

        self._client = self.portal.call(open_client)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(functools.partial(self._client.request, method, url, **kwargs))

    def send_all(self, requests: list[tuple[str, str, dict[str, Any]]], *, parallel: int = 1) -> list[httpx.Response]:
        """``(method, url, kwargs)`` in one trip to the event loop, ``parallel`` at a time; answers in order."""
        slots = asyncio.Semaphore(parallel)

        async def one(method: str, url: str, kwargs: dict[str, Any]) -> httpx.Response:
            async with slots:
                return await self._client.request(method, url, **kwargs)

        async def send() -> list[httpx.Response]:
            return list(await asyncio.gather(*(one(*request) for request in requests)))

        return self.portal.call(send)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def options(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("OPTIONS", url, **kwargs)

    def close(self) -> None:
        self.portal.call(self._client.aclose)


@dataclass
class World:
    client: Client
    db: Database
    database_url: str
    a: Store
    b: Store
    # Every permission, no store: sees both stores.
    admin_token: str
    _tokens: dict[tuple[Any, ...], str] = field(default_factory=dict)

    def call(self, func: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run a domain service on the app's event loop and connection pool."""
        assert self.client.portal is not None
        return self.client.portal.call(functools.partial(func, self.db, *args, **kwargs))

    def token(self, permissions: tuple[str, ...] | list[str], *, store: int | None = None) -> str:
        key = (tuple(sorted(permissions)), store)
        if key not in self._tokens:
            _view, secret = self.call(
                integration.create_token, name="security-suite", permissions=list(permissions), store_id=store
            )
            self._tokens[key] = secret
        return self._tokens[key]

    def graphql(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None) -> Any:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return self.client.post("/graphql", json=body, headers=headers)

    def other(self, store: Store) -> Store:
        return self.b if store is self.a else self.a


def graphql_endpoint(app: Any) -> GraphQLApp:
    endpoint: GraphQLApp = next(
        route.endpoint.__self__ for route in app.routes if getattr(route, "path", None) == "/graphql"
    )
    return endpoint


@dataclass(frozen=True)
class Seeded:
    """A seeded database file and what the tests need to know about it."""

    path: Path
    a: Store
    b: Store
    admin_token: str


def seed(directory: Path) -> Seeded:
    """Build the world's database once, through the domain services (no app needed)."""
    path = directory / "security.db"
    url = f"sqlite:///{path}"
    upgrade(url)  # as `opencentra serve` does: the command line can then use this database too

    async def build() -> tuple[Store, Store, str]:
        database = Database.from_url(url)
        try:
            return await _build(database)
        finally:
            await database.dispose()

    a, b, admin_token = asyncio.run(build())
    return Seeded(path, a, b, admin_token)


@contextmanager
def running_world(seeded: Seeded, directory: Path, **settings: Any) -> Iterator[World]:
    """A copy of the seeded database, the whole app over HTTP on it, and both stores' credentials."""
    path = directory / seeded.path.name
    for suffix in ("", "-wal", "-shm"):
        source = seeded.path.with_name(seeded.path.name + suffix)
        if source.exists():
            shutil.copyfile(source, path.with_name(path.name + suffix))
    url = f"sqlite:///{path}"
    database = Database.from_url(url)
    app = create_app(Settings(database_url=url, plugin_cache_seconds=0, **settings), database=database)
    graphql_endpoint(app).rate_limits = MemoryRateLimitStore(UNLIMITED)
    with TestClient(app) as test_client:
        client = Client(test_client)
        try:
            yield World(
                client=client,
                db=database,
                database_url=url,
                a=copy.deepcopy(seeded.a),
                b=copy.deepcopy(seeded.b),
                admin_token=seeded.admin_token,
            )
        finally:
            client.close()
            client.portal.call(database.dispose)


async def _build(db: Database) -> tuple[Store, Store, str]:
    demo = await seed_demo(db)
    retail, wholesale_store = demo.stores
    a_plugins = {PluginType(p.type): Plugin(p.id, p.store, PluginType(p.type), p.uri, p.secret) for p in demo.plugins}
    b_plugins: dict[PluginType, Plugin] = {}
    for kind in REST_TYPES:
        uri = f"b-{kind.value}"
        settings = B_PLUGIN_SETTINGS.get(kind)
        view, secret = await integration.create_plugin(
            db, store_id=wholesale_store.id, plugin_type=kind, uri=uri, settings=settings
        )
        b_plugins[kind] = Plugin(view.id, view.store_id, kind, view.uri, secret)
    _admin, admin_token = await integration.create_token(
        db, name="security-admin", permissions=list(ALL_PERMISSIONS), lifetime=timedelta(days=1)
    )
    stores: list[Store] = []
    for demo_store, plugins in ((retail, a_plugins), (wholesale_store, b_plugins)):
        store_id = demo_store.id
        _view, token = await integration.create_token(
            db, name=f"security-{store_id}", permissions=list(ALL_PERMISSIONS), store_id=store_id
        )
        async with db.read() as session:
            market = await session.scalar(select(Market.id).where(Market.store_id == store_id).order_by(Market.id))
            pricelist = await session.scalar(
                select(Pricelist.id).where(Pricelist.store_id == store_id).order_by(Pricelist.id)
            )
        assert market is not None and pricelist is not None
        stores.append(Store(store_id, demo_store.name, plugins, token, market, pricelist))
    a, b = stores
    for store in (a, b):
        await _orders(db, store)
    for store, payment in ((a, "test-card"), (b, "test-invoice")):
        await _subscription_contract(db, store, payment)
    await _wholesale_accounts(db, b)
    for store in (a, b):
        await alterations.create_price_alteration(db, store.id, f"{store.name} markdown", starts_at=utcnow())
    return a, b, admin_token


async def _orders(db: Database, store: Store) -> None:
    """Two orders: one shipped (one of its two units returned), one with an open shipment of one unit."""
    async with db.read() as session:
        row = (
            await session.execute(
                select(DisplayItem.id, ProductSize.id, Pricelist.currency_id)
                .join(Display, Display.id == DisplayItem.display_id)
                .join(ProductVariant, ProductVariant.id == DisplayItem.variant_id)
                .join(ProductSize, ProductSize.variant_id == ProductVariant.id)
                .join(Pricelist, Pricelist.id == store.pricelist)
                .where(Display.store_id == store.id)
                .order_by(DisplayItem.id, ProductSize.id)
                .limit(1)
            )
        ).one()
    item_id, size_id, currency_id = row
    store.item = f"{item_id}-{size_id}"
    email = store.email
    async with db.write() as session:
        customer = await customers.ensure_guest_customer(
            session, store.id, email, address=Address(first_name="Ada", last_name="Lovelace", country="SE")
        )
        customer_id = customer.id
    store.customer_ids.append(customer_id)
    for shipped in (True, False):
        draft = orders.OrderDraft(
            store_id=store.id,
            market_id=store.market,
            pricelist_id=store.pricelist,
            currency_id=currency_id,
            customer_id=customer_id,
            email=email,
            billing=Address(first_name="Ada", last_name="Lovelace", address1="Street 1", city="Malmo", country="SE"),
            lines=[
                orders.LineDraft(
                    product_name="Tee",
                    quantity=2,
                    unit_price_minor=10_000,
                    product_size_id=size_id,
                    display_item_id=item_id,
                    tax_bp=2500,
                )
            ],
            confirm=True,
        )
        order = await orders.create_order(db, draft)
        store.order_ids.append(order.id)
        store.order_numbers.append(order.number)
        async with db.read() as session:
            line_id = await session.scalar(select(OrderLine.id).where(OrderLine.order_id == order.id))
        assert line_id is not None
        # The shipped one ships both units and one comes back, so one is left to return.
        shipment = await orders.create_shipment(
            db,
            order.id,
            {line_id: 2 if shipped else 1},
            good_to_go=True,
            capture=shipped,
            shipped=orders.ShipInfo() if shipped else None,
        )
        store.shipment_ids.append(shipment.id)
        if shipped:
            returned = await orders.create_return(db, shipment.id, {line_id: 1})
            store.return_ids.append(returned.id)


async def _wholesale_accounts(db: Database, store: Store) -> None:
    account = await wholesale.create_account(db, wholesale.AccountInput(name="B's account", market_id=store.market))
    await wholesale.create_buyer(db, wholesale.BuyerInput(account_id=account.id))


async def _subscription_contract(db: Database, store: Store, payment: str) -> None:
    """A paid contract on a monthly plan offered on the store's display: one subscription, and its first order."""
    plan = await plans.create_plan(db, plans.PlanSpec(store.id, f"{store.name} monthly", 1, "month", Decimal(10)))
    async with db.read() as session:
        display = await session.scalar(select(DisplayItem.display_id).where(DisplayItem.id == store.display_item))
    assert display is not None
    await plans.set_display_plans(db, display, [plan.id])
    started = await subscriptions.start_subscription(
        db,
        subscriptions.LegacyOrder(
            store_id=store.id,
            email=f"subscriber-{store.id}@example.com",
            first_name="Ada",
            last_name="Lovelace",
            country="SE",
            package_ids=[plan.id],
            payment=payment,
            address=Address(address1="Street 1", city="Malmo", zip_code="21111"),
            interval=1,
            interval_type="month",
        ),
    )
    contract = await subscriptions.complete_payment(db, store.id, started.contract.id, payment, {})
    assert not contract.pending and contract.subscriptions, contract
    store.subscription_contract_ids.append(contract.id)
    store.subscription_ids.extend(view.id for view in contract.subscriptions)
    # The first payment placed an order in the store: counted with the others.
    assert contract.origin_order_id is not None
    store.order_ids.append(contract.origin_order_id)
    async with db.read() as session:
        number = await session.scalar(select(Order.number).where(Order.id == contract.origin_order_id))
    assert number is not None
    store.order_numbers.append(number)
