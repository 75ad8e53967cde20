"""A store's customer in the admin: details, address, email and consents through ``opencentra.customers``."""

from __future__ import annotations

from tests.api.admin.conftest import Browser
from tests.api.admin.test_auth import JUNK_VALUES
from tests.api.order.conftest import build_world
from tests.conftest import ApiHarness

from opencentra import customers
from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.integration.admin_access import AdminRole, set_admin_access


async def _customer(db: Database, customer_id: int) -> customers.CustomerView:
    found = await customers.find_customer_view(db, customer_id)
    assert found is not None
    return found


async def _consents(db: Database, customer_id: int) -> dict[str, bool]:
    return {c.key: c.consented for c in (await customers.consents_of(db, [customer_id]))[customer_id]}


def test_a_customer_page_edits_through_the_domain(api: ApiHarness, root: Browser, admin_world: dict[str, int]) -> None:
    world = api.call(build_world)
    api.call(integration.set_admin_password, username="keeper", password="keeper password")
    api.call(set_admin_access, username="keeper", role=AdminRole.STORE_MANAGER, store_ids=[world.store])
    keeper = Browser(api)
    assert keeper.login("keeper", "keeper password").status_code == 303
    base = f"/ams/stores/{world.store}/customers"
    page = f"{base}/{world.customer}"

    assert f'href="{page}">ada@example.com</a>' in keeper.get(base).text
    shown = keeper.get(page)
    assert shown.status_code == 200
    assert 'value="Ada"' in shown.text

    def save(action: str, **form: str) -> None:
        answer = keeper.post(f"{page}/{action}", form)
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == f"{page}?saved={action}"

    def refused(action: str, field: str, **form: str) -> str:
        answer = keeper.post(f"{page}/{action}", form)
        assert answer.status_code == 400, answer.text
        assert f'class="field-error" data-field="{field}"' in answer.text
        return answer.text

    details = {"first_name": "<b>Ada</b>", "last_name": "Lovelace", "city": "London", "country": "se"}
    save("details", **details, newsletter="on")
    customer = api.call(_customer, world.customer)
    assert (customer.first_name, customer.last_name, customer.city, customer.country, customer.newsletter) == (
        "<b>Ada</b>",
        "Lovelace",
        "London",
        "SE",
        True,
    )
    assert "&lt;b&gt;Ada&lt;/b&gt;" in keeper.get(page).text
    # Refused values: said beside the field, typed values kept, nothing written.
    again = refused("details", "country", **(details | {"first_name": "Grace", "country": "XX"}))
    assert 'value="Grace"' in again
    refused("details", "zip_code", **(details | {"zip_code": "1" * 33}))
    assert api.call(_customer, world.customer).first_name == "<b>Ada</b>"

    assert api.call(_customer, world.customer).newsletter  # the refused post left the flag as it was

    save("email", email="Ada.L@Example.com")
    assert api.call(_customer, world.customer).email == "ada.l@example.com"
    refused("email", "email", email="not an email")
    refused("email", "email", email="")

    save("consent", key="newsletter-2026", consent_name="Newsletter", consented="on")
    save("consent", key="sms", consent_name="SMS")
    assert api.call(_consents, world.customer) == {"newsletter-2026": True, "sms": False}
    refused("consent", "key", key="", consent_name="x")
    refused("consent", "key", key="k" * 101)
    assert "newsletter-2026" in keeper.get(page).text

    assert keeper.post(f"{page}/erase", {}).status_code == 404
    assert keeper.get(f"{base}/999999").status_code == 404
    assert keeper.get(f"{base}/x").status_code == 404
    # Another store's customer is not found, even for an administrator.
    other = f"/ams/stores/{admin_world['first']}/customers/{world.customer}"
    assert root.get(other).status_code == 404
    assert root.post(f"{other}/details", {"first_name": "Hijacked"}).status_code == 404
    assert keeper.get(f"/ams/stores/{admin_world['first']}/customers/{world.customer}").status_code == 404
    assert api.call(_customer, world.customer).first_name == "<b>Ada</b>"

    # Hostile values in every field of every form: refused or saved, never a 5xx.
    fields = ("first_name", "last_name", "company", "address1", "zip_code", "country", "email", "key", "consent_name")
    for action in ("details", "email", "consent"):
        for junk in JUNK_VALUES:
            answer = keeper.post(f"{page}/{action}", dict.fromkeys(fields, junk))
            assert answer.status_code < 500, (action, junk[:10], answer.text)
