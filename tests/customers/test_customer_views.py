"""The customers read views every API lists customers through (Order API GET /customers, GraphQL customers)."""

from __future__ import annotations

from opencentra import customers
from opencentra.address import Address
from opencentra.customers import services
from opencentra.db.engine import Database
from opencentra.db.listing import Between, SortKey, TextMatch, Window
from opencentra.orders import anonymize_customer


async def test_a_page_filters_sorts_and_counts_and_carries_consents(db: Database, store_id: int) -> None:
    ada = await services.register(db, store_id, "ada@example.com", "secret", address=Address(city="Lund"))
    bob = await services.register(db, store_id, "bob@example.com", "secret")
    gone = await services.register(db, store_id, "gone@example.com", "secret")
    await customers.record_consents(db, bob.id, [customers.ConsentInput(key="terms", consented=True, version="2")])
    await anonymize_customer(db, gone.id)

    everyone = customers.CustomerFilter(store_ids=(store_id,))
    newest_first = await customers.customer_page(db, everyone, [SortKey("id", descending=True)], Window(10))
    assert [c.id for c in newest_first] == [gone.id, bob.id, ada.id]
    assert await customers.customer_count(db, everyone) == 3

    live = customers.CustomerFilter(store_ids=(store_id,), include_anonymized=False)
    page = await customers.customer_page_with_consents(db, live, (), Window(1, offset=1))
    assert [(c.email, [(g.key, g.consented, g.version) for g in given]) for c, given in page] == [
        ("bob@example.com", [("terms", True, "2")])
    ]
    assert await customers.customer_count(db, live) == 2

    by_email = customers.CustomerFilter(email=TextMatch(contains="ADA"), created=Between(start=ada.created_at))
    [found] = await customers.customer_page(db, by_email, (), Window(10))
    assert (found.id, found.address.city) == (ada.id, "Lund")
    assert await customers.customer_count(db, customers.CustomerFilter(store_ids=())) == 0
    assert (await customers.customers_by_id(db, [bob.id, 999_999])).keys() == {bob.id}
    assert await customers.find_customer_view(db, 999_999) is None
