"""The Shop API tests' shop: the Checkout API tests' store (three markets, three pricelists,
three products) with a Shop API plugin, and a client that sends its secret."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from tests.api.checkout.conftest import ShopIds, build_shop
from tests.conftest import ApiHarness

from opencentra.db.engine import Database
from opencentra.integration import services as integration

BASE = "/api/shop"


@dataclass
class ShopApiWorld:
    """The store's ids, and the Shop API plugin's id and secret."""

    ids: ShopIds
    plugin: int
    secret: str


async def build_shop_api(db: Database, *, settings: dict[str, Any] | None = None) -> ShopApiWorld:
    ids = await build_shop(db)
    plugin, secret = await integration.create_plugin(
        db, store_id=ids.store, plugin_type="shop", uri="shop", settings=settings or {}
    )
    return ShopApiWorld(ids=ids, plugin=plugin.id, secret=secret)


class ShopClient:
    """Calls ``/api/shop/...`` with ``API-Authorization`` (unless told otherwise)."""

    def __init__(self, api: ApiHarness, secret: str) -> None:
        self.api = api
        self.secret = secret

    def request(self, method: str, path: str, json: Any = None, **kwargs: Any) -> Any:
        headers = {"API-Authorization": self.secret, **kwargs.pop("headers", {})}
        return self.api.client.request(method, BASE + path, json=json, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PUT", path, json, **kwargs)

    def delete(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("DELETE", path, json, **kwargs)


@pytest.fixture
def shop_world(api: ApiHarness) -> ShopApiWorld:
    return api.call(build_shop_api)


@pytest.fixture
def shop_api(api: ApiHarness, shop_world: ShopApiWorld) -> ShopClient:
    return ShopClient(api, shop_world.secret)
