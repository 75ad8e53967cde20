"""What ``./run fuzz`` holds the REST APIs to: their OpenAPI documents declare every answer they give.

Each adapter declares its error statuses and body once (``api.openapi_responses``), the
Order API its XML alternative; and every path under ``/api``, a newline in it too,
reaches the plugin's adapter and its error format.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import ApiHarness
from tests.helpers import make_store

from opencentra.api.checkout.app import create_checkout_adapter
from opencentra.api.order.app import create_order_adapter
from opencentra.api.shop.app import create_shop_adapter
from opencentra.api.subscription_legacy.app import create_subscription_adapter
from opencentra.integration import services


def _document(adapter: Any) -> dict[str, Any]:
    app = adapter.app
    app = getattr(app, "app", app)  # the Checkout API's edge wraps its FastAPI app
    document: dict[str, Any] = app.openapi()
    return document


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [operation for item in document["paths"].values() for operation in item.values()]


@pytest.mark.parametrize(
    ("factory", "statuses"),
    [
        (create_checkout_adapter, {"400", "401", "403", "404", "405", "406", "409", "410", "413", "429"}),
        (create_shop_adapter, {"400", "401", "403", "404", "405", "406", "409", "410", "413", "429"}),
        (create_order_adapter, {"400", "401", "403", "404", "405", "413"}),
        (create_subscription_adapter, {"400", "401", "404", "405", "413"}),
    ],
)
def test_every_operation_declares_the_error_answers(factory: Any, statuses: set[str]) -> None:
    operations = _operations(_document(factory()))
    assert operations
    for operation in operations:
        responses = operation["responses"]
        assert statuses <= set(responses), operation["operationId"]
        # A route's own declaration (the Checkout API's ``ErrorBody``) wins over the app's default.
        body = responses["404"]["content"]["application/json"]["schema"]
        assert "$ref" in body or body["required"], operation["operationId"]


def test_the_order_api_declares_xml_wherever_it_answers_json() -> None:
    for operation in _operations(_document(create_order_adapter())):
        for status, response in operation["responses"].items():
            content = response.get("content", {})
            if "application/json" in content:
                assert "application/xml" in content, (operation["operationId"], status)


def test_a_newline_in_the_path_reaches_the_checkout_api(api: ApiHarness) -> None:
    store_id = api.call(make_store, name="store-newline")
    _plugin, secret = api.call(services.create_plugin, store_id=store_id, plugin_type="checkout", uri="checkout")
    headers = {"API-Authorization": secret}
    # Mid-path the mount pattern used not to match at all (FastAPI's {"detail": "Not Found"});
    # at the end it matched with the newline cut off (the dispatcher's "Unknown API endpoint").
    for path in ("/api/checkout/no%0Asuch/route", "/api/checkout/no-such%0A"):
        unknown = api.client.get(path, headers=headers)
        assert unknown.status_code == 404, path
        assert unknown.json() == {"errors": {"endpoint": "not found"}}, path
    for method, path in (
        ("POST", "/api/checkout/login/a%0A"),
        ("PUT", "/api/checkout/customer/contracts/1/subscription/%0A"),
    ):
        answer = api.client.request(method, path, headers=headers, json={})
        assert 400 <= answer.status_code < 500, path
        assert "errors" in answer.json() and "detail" not in answer.json(), path
