"""Each REST adapter maps domain errors, bad requests and failures to its own format."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from starlette.testclient import TestClient

from opencentra.api.checkout.errors import CheckoutErrorFormat
from opencentra.api.errors import ErrorFormat, install_error_format
from opencentra.api.order.envelope import OrderErrorFormat
from opencentra.api.shop.app import ShopErrorFormat
from opencentra.api.subscription_legacy.app import SubscriptionErrorFormat
from opencentra.errors import (
    Conflict,
    DomainError,
    NotFound,
    OutOfStock,
    PermissionDenied,
    Unauthorized,
    ValidationFailed,
)

ERRORS: dict[str, DomainError] = {
    "invalid": ValidationFailed("must be positive", field="quantity"),
    "missing": NotFound("product item not found", field="item"),
    "conflict": Conflict("already registered", field="email"),
    "unauthorized": Unauthorized("who are you"),
    "forbidden": PermissionDenied("denied", field="accessRight"),
    "stock": OutOfStock("unavailable items", unavailable=[{"item": "1-1", "available": 0}]),
}


class Body(BaseModel):
    quantity: int


def _client(error_format: ErrorFormat) -> TestClient:
    app = FastAPI()
    install_error_format(app, error_format)

    @app.get("/raise/{name}")
    async def raise_error(name: str) -> None:
        raise ERRORS[name]

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("secret-detail")

    @app.post("/body")
    async def body(payload: Body) -> dict[str, int]:
        return {"quantity": payload.quantity}

    return TestClient(app, raise_server_exceptions=False)


CHECKOUT_STATUS = {"invalid": 406, "missing": 404, "conflict": 409, "unauthorized": 401, "forbidden": 403, "stock": 410}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_checkout_errors_object_and_status(name: str) -> None:
    response = _client(CheckoutErrorFormat()).get(f"/raise/{name}")
    assert response.status_code == CHECKOUT_STATUS[name]
    body: dict[str, Any] = response.json()
    assert isinstance(body["errors"], dict) and body["errors"]
    if name == "stock":
        assert body["errors"] == {"stock": "unavailable items"}
        assert body["unavailable"] == [{"item": "1-1", "available": 0}]
    if name == "missing":
        assert body["errors"] == {"item": "product item not found"}


def test_checkout_malformed_json_and_crash() -> None:
    client = _client(CheckoutErrorFormat())
    malformed = client.post("/body", content=b"{not json", headers={"content-type": "application/json"})
    assert malformed.status_code == 400
    assert malformed.json()["errors"] == {"request": "malformed JSON"}
    wrong_type = client.post("/body", json={"quantity": "many"})
    assert wrong_type.status_code == 400
    assert "quantity" in wrong_type.json()["errors"]
    crash = client.get("/crash")
    assert crash.status_code == 500
    assert "secret-detail" not in crash.text


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_order_envelope_is_status_no(name: str) -> None:
    response = _client(OrderErrorFormat()).get(f"/raise/{name}")
    body = response.json()
    assert body["status"] == "no"
    assert response.status_code == (401 if name == "unauthorized" else 200)
    if name == "invalid":
        assert body["msg"] == {"quantity": "must be positive"}


def test_order_bad_request_is_field_keyed_msg() -> None:
    client = _client(OrderErrorFormat())
    response = client.post("/body", json={"quantity": "x"})
    assert response.status_code == 200
    assert response.json()["status"] == "no"
    assert "quantity" in response.json()["msg"]
    crash = client.get("/crash")
    assert crash.status_code == 500 and crash.json() == {"status": "no", "msg": "Internal error"}


def test_shop_and_subscription_formats() -> None:
    shop = _client(ShopErrorFormat()).get("/raise/missing")
    assert shop.status_code == 404 and shop.json() == {"errors": {"item": "product item not found"}}
    legacy = _client(SubscriptionErrorFormat()).get("/raise/missing")
    assert legacy.status_code == 200
    assert legacy.json() == {"status": "product item not found", "error": True, "errors": ["item"]}
