"""Vouchers and campaigns in the admin: create, edit and deactivate through ``opencentra.pricing``."""

from __future__ import annotations

import re

from tests.api.admin.conftest import Browser
from tests.api.order.conftest import build_world
from tests.conftest import ApiHarness

from opencentra import pricing
from opencentra.catalog import SortKey, Window
from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.integration.admin_access import AdminRole, set_admin_access


async def _voucher(db: Database, voucher_id: int) -> pricing.VoucherRowView:
    async with db.read() as session:
        return (await pricing.vouchers_by_id(session, [voucher_id]))[voucher_id]


async def _campaigns(db: Database, store_id: int) -> list[pricing.CampaignView]:
    async with db.read() as session:
        return await pricing.campaign_page(
            session, pricing.CampaignFilter(store_id=store_id), [SortKey("id")], Window(100)
        )


def test_vouchers_and_campaigns_through_the_domain(api: ApiHarness, root: Browser, admin_world: dict[str, int]) -> None:
    world = api.call(build_world)
    api.call(integration.set_admin_password, username="keeper", password="keeper password")
    api.call(set_admin_access, username="keeper", role=AdminRole.STORE_MANAGER, store_ids=[world.store])
    keeper = Browser(api)
    assert keeper.login("keeper", "keeper password").status_code == 303
    vouchers = f"/ams/stores/{world.store}/vouchers"

    def refused(path: str, field: str, form: dict[str, str]) -> str:
        answer = keeper.post(path, form)
        assert answer.status_code == 400, answer.text
        assert f'class="field-error" data-field="{field}"' in answer.text
        return answer.text

    assert keeper.get(f"{vouchers}/new").status_code == 200
    new = {"name": "<b>Spring</b>", "code": "SPRING10", "percent_off": "10", "active": "on", "usage_limit": "5"}
    kept = refused(f"{vouchers}/new", "percent_off", new | {"percent_off": "ten"})
    assert 'value="SPRING10"' in kept  # what was typed stays
    refused(f"{vouchers}/new", "usage_limit", new | {"usage_limit": "0"})
    refused(f"{vouchers}/new", "ends_at", new | {"starts_at": "2030-01-02 00:00", "ends_at": "2030-01-01 00:00"})
    refused(f"{vouchers}/new", "starts_at", new | {"starts_at": "soon"})
    refused(f"{vouchers}/new", "name", new | {"name": ""})
    created = keeper.post(f"{vouchers}/new", new)
    assert created.status_code == 303, created.text
    found = re.fullmatch(rf"{vouchers}/(\d+)\?saved=created", created.headers["location"])
    assert found
    voucher_id = int(found.group(1))
    assert refused(f"{vouchers}/new", "code", new).count("already used") == 1  # the domain's rule
    page = keeper.get(f"{vouchers}/{voucher_id}")
    assert "&lt;b&gt;Spring&lt;/b&gt;" in page.text and "<b>Spring</b>" not in page.text

    edit = {"name": "Spring", "starts_at": "2030-01-01 00:00", "ends_at": "2030-02-01T00:00", "usage_limit": ""}
    assert keeper.post(f"{vouchers}/{voucher_id}", edit | {"active": "on"}).status_code == 303
    voucher = api.call(_voucher, voucher_id)
    assert (voucher.name, voucher.active, voucher.usage_limit) == ("Spring", True, None)
    assert voucher.starts_at is not None and voucher.starts_at.year == 2030
    refused(f"{vouchers}/{voucher_id}", "usage_limit", edit | {"usage_limit": "-3"})
    refused(f"{vouchers}/{voucher_id}", "ends_at", edit | {"ends_at": "2029-01-01 00:00"})
    assert keeper.post(f"{vouchers}/{voucher_id}", {"deactivate": "1"}).status_code == 303
    voucher = api.call(_voucher, voucher_id)
    assert (voucher.name, voucher.active) == ("Spring", False)
    assert voucher.starts_at is not None and voucher.starts_at.year == 2030  # the rest stays

    campaigns = f"/ams/stores/{world.store}/campaigns"
    assert "No campaigns." in keeper.get(campaigns).text
    campaign = {"name": "Winter sale", "market": str(world.sweden), "variants": str(world.variant), "discount": "20"}
    refused(campaigns, "discount", campaign | {"discount": "0"})
    refused(campaigns, "variants", campaign | {"variants": "a, b"})
    refused(campaigns, "variants", campaign | {"variants": "999999"})
    refused(campaigns, "markets", campaign | {"market": str(world.sweden + 999)})
    assert keeper.post(campaigns, campaign | {"active": "on"}).status_code == 303
    (made,) = api.call(_campaigns, world.store)
    assert (made.name, made.active) == ("Winter sale", True)
    assert f'href="{campaigns}/{made.id}">Winter sale</a>' in keeper.get(campaigns).text
    assert keeper.post(f"{campaigns}/{made.id}", {"name": "Winter", "active": "on"}).status_code == 303
    refused(f"{campaigns}/{made.id}", "name", {"name": ""})
    assert keeper.post(f"{campaigns}/{made.id}", {"deactivate": "1"}).status_code == 303
    (made,) = api.call(_campaigns, world.store)
    assert (made.name, made.active) == ("Winter", False)

    # Another store's voucher or campaign is not found, even for an administrator.
    other = f"/ams/stores/{admin_world['first']}"
    assert root.get(f"{other}/vouchers/{voucher_id}").status_code == 404
    assert root.post(f"{other}/vouchers/{voucher_id}", {"deactivate": "1"}).status_code == 404
    assert root.post(f"{other}/campaigns/{made.id}", {"name": "Hijacked"}).status_code == 404
    assert keeper.get(f"{other}/campaigns").status_code == 404
    assert keeper.get(f"{vouchers}/999999").status_code == 404
    assert api.call(_campaigns, world.store)[0].name == "Winter"
