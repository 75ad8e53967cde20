"""SYSTEM > STORES: stores, plugins and their secrets; GraphQL tokens; SOAP and admin users."""

from __future__ import annotations

import re

from tests.api.admin.conftest import MANAGER, Browser
from tests.conftest import ApiHarness

from opencentra.integration import services as integration
from opencentra.integration.admin_access import AdminRole, list_admins
from opencentra.integration.plugin_forms import PluginType

_SECRET = re.compile(r'id="issued-secret" type="text" readonly value="([^"]+)"')


def _secret(html: str) -> str:
    found = _SECRET.search(html)
    assert found, "no secret shown"
    return found.group(1)


def _order_api(api: ApiHarness, secret: str) -> int:
    return api.client.get("/api/wms/orders", headers={"API-Authorization": secret}).status_code


def test_create_and_edit_a_store(root: Browser) -> None:
    form = {"name": "Wholesale EU", "type": "WHOLESALE", "overselling_mode": "aggressive", "timezone": "Mars/Base"}
    bad = root.post("/ams/system/stores", form)
    assert bad.status_code == 400
    assert "unknown time zone" in bad.text
    created = root.post("/ams/system/stores", form | {"timezone": "Europe/Berlin", "autoconfirm_orders": "on"})
    assert created.status_code == 303
    store_page = created.headers["location"]
    page = root.get(store_page)
    assert 'value="Wholesale EU"' in page.text
    assert '<option value="WHOLESALE" selected>' in page.text
    assert '<option value="aggressive" selected>' in page.text
    assert 'name="autoconfirm_orders" checked' in page.text
    edited = root.post(store_page, {"name": "Wholesale Europe", "overselling_mode": "off", "timezone": "UTC"})
    assert edited.status_code == 200
    assert "Saved." in edited.text
    assert '<option value="off" selected>' in edited.text
    assert 'name="autoconfirm_orders" >' in edited.text  # unticked: autoconfirm off
    clash = root.post("/ams/system/stores", form | {"name": "First", "timezone": "UTC"})
    assert clash.status_code == 400
    assert "exists" in clash.text
    assert root.get("/ams/system/stores/424242").status_code == 404


def test_plugin_secret_is_shown_once_and_rotate_and_revoke_lock_the_old_one_out(
    api: ApiHarness, root: Browser, admin_world: dict[str, int]
) -> None:
    store = admin_world["first"]
    new_form = root.get(f"/ams/system/stores/{store}/plugins/new?type=order")
    assert new_form.status_code == 200
    assert 'name="setting.allowed_endpoints"' in new_form.text
    base = {
        "type": "order",
        "uri": "wms",
        "active": "on",
        "setting.order_statuses": "1, 2",
        "setting.bundles_in_orders": "2",
        "setting.bundles_in_shipments": "2",
        "setting.stock_update_target": "physical",
    }
    invalid = root.post(
        f"/ams/system/stores/{store}/plugins/new",
        base | {"setting.markets": "1, x", "setting.stock_update_target": "everything", "uri": "bad uri!"},
    )
    assert invalid.status_code == 400
    errors = dict(re.findall(r'data-field="([^"]+)">([^<]+)<', invalid.text))
    assert set(errors) == {"markets", "stock_update_target"}  # every setting's error at once; uri after them
    assert api.call(integration.list_plugins, store_id=store) == []

    created = root.post(f"/ams/system/stores/{store}/plugins/new", base)
    assert created.status_code == 200
    first_secret = _secret(created.text)
    assert "http://testserver/api/wms" in created.text
    assert _order_api(api, first_secret) == 200
    (plugin,) = api.call(integration.list_plugins, store_id=store)
    assert plugin.settings.order_statuses == (1, 2)
    plugin_page = f"/ams/system/stores/{store}/plugins/{plugin.id}"

    shown_again = root.get(plugin_page)
    assert first_secret not in shown_again.text
    assert first_secret[:6] in shown_again.text  # the prefix tells keys apart
    assert first_secret not in root.get(f"/ams/system/stores/{store}").text

    rotated = root.post(f"{plugin_page}/rotate")
    second_secret = _secret(rotated.text)
    assert second_secret != first_secret
    assert _order_api(api, first_secret) == 401
    assert _order_api(api, second_secret) == 200

    assert root.post(f"{plugin_page}/revoke").status_code == 303
    assert _order_api(api, second_secret) == 401
    assert "no key opens this plugin" in root.get(plugin_page).text

    saved = root.post(
        plugin_page,
        {
            "name": "WMS",
            "setting.order_statuses": "9",
            "setting.bundles_in_orders": "2",
            "setting.bundles_in_shipments": "2",
            "setting.stock_update_target": "physical",
        },
    )
    assert saved.status_code == 200
    assert "Saved." in saved.text
    assert not api.call(integration.get_plugin, plugin.id).active  # the unticked box deactivated it
    # A plugin id of another store is not found through this store.
    assert root.get(f"/ams/system/stores/{admin_world['second']}/plugins/{plugin.id}").status_code == 404
    assert root.get(f"/ams/system/stores/{store}/plugins/new?type=soap").status_code == 404


def test_every_plugin_type_can_be_added(root: Browser, admin_world: dict[str, int]) -> None:
    store = admin_world["second"]
    for kind in [t.value for t in PluginType if t is not PluginType.ORDER]:
        form = root.get(f"/ams/system/stores/{store}/plugins/new?type={kind}")
        fields = dict(re.findall(r'<input name="(setting\.[a-z_]+)" value="([^"]*)"', form.text))
        answer = root.post(f"/ams/system/stores/{store}/plugins/new", {"type": kind, "uri": kind, **fields})
        assert answer.status_code == 200, (kind, answer.text)
        assert _secret(answer.text)


def test_tokens_issue_once_expire_and_revoke(api: ApiHarness, root: Browser, admin_world: dict[str, int]) -> None:
    query = {"query": "{ stores { id } }"}

    def graphql(token: str) -> int:
        return api.client.post("/graphql", json=query, headers={"Authorization": f"Bearer {token}"}).status_code

    missing = root.post("/ams/system/tokens", {"name": "ERP", "days": "30"})
    assert missing.status_code == 400
    assert "at least one permission" in missing.text
    bad_days = root.post("/ams/system/tokens", {"name": "ERP", "days": "0", "permissions": "Store:read"})
    assert bad_days.status_code == 400
    created = root.post(
        "/ams/system/tokens",
        {"name": "ERP", "days": "30", "permissions": ["Store:read", "Not:real"], "store": str(admin_world["first"])},
    )
    assert created.status_code == 200
    token = _secret(created.text)
    assert graphql(token) == 200
    listing = root.get("/ams/system/tokens").text
    assert token not in listing
    assert "ERP" in listing
    view = api.call(integration.find_token_by_name, "ERP")
    assert view is not None
    assert view.permissions == frozenset({"Store:read"})
    assert view.store_id == admin_world["first"]
    rotated = _secret(root.post(f"/ams/system/tokens/{view.id}/rotate").text)
    assert graphql(token) == 401
    assert graphql(rotated) == 200
    assert root.post(f"/ams/system/tokens/{view.id}/revoke").status_code == 303
    assert graphql(rotated) == 401
    assert root.post("/ams/system/tokens/987654/revoke").status_code == 404


def test_soap_users(api: ApiHarness, root: Browser) -> None:
    created = root.post("/ams/system/soap-users", {"action": "create", "username": "erp"})
    assert created.status_code == 200
    password = _secret(created.text)
    assert api.call(integration.authenticate_soap_user, "erp", password)
    assert root.post("/ams/system/soap-users", {"action": "create", "username": "erp"}).status_code == 400
    new_password = _secret(root.post("/ams/system/soap-users", {"action": "rotate", "username": "erp"}).text)
    assert new_password != password
    assert root.post("/ams/system/soap-users", {"action": "deactivate", "username": "erp"}).status_code == 303
    assert "deactivated" in root.get("/ams/system/soap-users").text
    assert root.post("/ams/system/soap-users", {"action": "rotate", "username": "nobody"}).status_code == 400


def test_admin_users_and_store_assignments(api: ApiHarness, root: Browser, admin_world: dict[str, int]) -> None:
    created = root.post(
        "/ams/system/admins",
        {
            "action": "create",
            "username": "shopkeeper",
            "password": "long enough",
            "role": "store_manager",
            "stores": [str(admin_world["second"])],
        },
    )
    assert created.status_code == 200, created.text
    keeper = Browser(api)
    assert keeper.login("shopkeeper", "long enough").status_code == 303
    assert keeper.get(f"/ams/stores/{admin_world['second']}/orders").status_code == 200
    assert keeper.get(f"/ams/stores/{admin_world['first']}/orders").status_code == 404
    # Given the first store instead: the live session follows at once.
    moved = root.post(
        "/ams/system/admins",
        {"action": "access", "username": "shopkeeper", "role": "store_manager", "stores": [str(admin_world["first"])]},
    )
    assert moved.status_code == 200
    assert keeper.get(f"/ams/stores/{admin_world['first']}/orders").status_code == 200
    assert keeper.get(f"/ams/stores/{admin_world['second']}/orders").status_code == 404
    assert root.post("/ams/system/admins", {"action": "deactivate", "username": "root"}).status_code == 400
    assert root.post("/ams/system/admins", {"action": "deactivate", "username": MANAGER[0]}).status_code == 200
    roles = {a.username: (a.role, a.active) for a in api.call(list_admins)}
    assert roles["shopkeeper"] == (AdminRole.STORE_MANAGER, True)
    assert roles[MANAGER[0]] == (AdminRole.STORE_MANAGER, False)
