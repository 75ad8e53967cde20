"""deliverywindows_Update, pricealterationdates_Update and invoices_Update through zeep's typed calls."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from tests.api.soap.soapkit import envelope, erp_setup, internal, post_raw, result_of, soap_client
from tests.api.soap.test_soap_api import push_catalog
from tests.api.soap.test_soap_events import place_order

from opencentra import orders, pricing, wholesale


@pytest.fixture
def erp(api: Any) -> dict[str, Any]:
    return api.call(erp_setup)  # type: ignore[no-any-return]


async def _window(db: Any, window_id: int) -> tuple[Any, list[Any]]:
    async with db.read() as session:
        view = (await wholesale.delivery_window_views_by_id(session, [window_id]))[window_id]
        variants = (await wholesale.variants_of_windows(session, [window_id])).get(window_id, [])
    return view, variants


async def _alteration(db: Any, alteration_id: int) -> Any:
    async with db.read() as session:
        return (await pricing.price_alterations_by_id(session, [alteration_id]))[alteration_id]


def test_delivery_windows_upsert_with_variations(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    login = {"username": "erp", "password": erp["erp"]}
    push_catalog(client, login, erp["store"])
    window = {
        "id": "SS27",
        "status": "active",
        "description": "Spring 2027",
        "startdate": "2027-02-01",
        "stopdate": "2027-04-30",
        "atonce": False,
        "variations": {"variation": [{"id": "T001_RED", "type": "preorder", "variationlimit": 40}]},
    }
    result = client.service.deliverywindows_Update(login=login, deliverywindows={"deliverywindow": [window]})
    assert result.success is True, result
    assert result.notices.message == ["Added new delivery window: SS27"]
    window_id = api.call(internal, "deliverywindow", "SS27")
    view, variants = api.call(_window, window_id)
    assert (view.name, view.at_once, view.delivery_start, view.delivery_end) == (
        "Spring 2027",
        False,
        date(2027, 2, 1),
        date(2027, 4, 30),
    )
    assert [(v.delivery_type, v.limit_value) for v in variants] == [(wholesale.VariantDeliveryType.PREORDER, 40)]

    # Omitted fields stay; a status changes; a variation is taken out again.
    change = {"id": "SS27", "status": "inactive", "variationsremove": {"variation": [{"id": "T001_RED"}]}}
    result = client.service.deliverywindows_Update(login=login, deliverywindows={"deliverywindow": [change]})
    assert result.success is True and not result.notices, result
    view, variants = api.call(_window, window_id)
    assert (view.name, view.status, view.delivery_end, variants) == (
        "Spring 2027",
        wholesale.DeliveryWindowStatus.INACTIVE,
        date(2027, 4, 30),
        [],
    )

    bad = [
        {"id": "SS27", "atonce": True},
        {"id": "AW27", "variations": {"variation": [{"id": "NOPE"}]}},
        {"id": "AW28", "startdate": "spring"},
    ]
    result = client.service.deliverywindows_Update(login=login, deliverywindows={"deliverywindow": bad})
    assert result.success is False
    assert [m.split(":")[0] for m in result.errors.message] == [
        "deliverywindow SS27",
        "deliverywindow AW27",
        "deliverywindow AW28",
    ]
    assert "(atonce)" in result.errors.message[0] and "(variation)" in result.errors.message[1]
    assert "(startdate)" in result.errors.message[2]
    # The failing new windows wrote nothing, not even their id.
    assert api.call(internal, "deliverywindow", "AW27") is None


def test_an_at_once_window_keeps_no_dates_and_says_so(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    login = {"username": "erp", "password": erp["erp"]}
    window = {"id": "NOW", "atonce": True, "startdate": "2027-01-01"}
    result = client.service.deliverywindows_Update(login=login, deliverywindows={"deliverywindow": [window]})
    assert result.success is True, result
    assert any("not kept" in m for m in result.notices.message)
    view, _ = api.call(_window, api.call(internal, "deliverywindow", "NOW"))
    assert (view.name, view.at_once) == ("NOW", True)


def test_price_alteration_dates_upsert_as_in_the_cookbook(api: Any, erp: dict[str, Any]) -> None:
    login = {"username": "erp-global", "password": erp["global"]}
    store = erp["other_store"]
    # The cookbook's request, sent raw.
    inner = (
        "<pricealterationdates><pricealterationdate><id>H20</id><status>active</status>"
        f"<name>Halloween 2020</name><store>{store}</store><startdate>2020-11-30</startdate>"
        "</pricealterationdate></pricealterationdates>"
    )
    response = post_raw(api.client, envelope("pricealterationdates_Update", inner, **login))
    success, errors, notices = result_of(response.content)
    assert (success, errors, notices) == (True, [], ["Added new price alteration date: H20"])
    alteration_id = api.call(internal, "pricealteration", "H20")
    view = api.call(_alteration, alteration_id)
    assert (view.store_id, view.name, view.active, view.starts_at) == (
        store,
        "Halloween 2020",
        True,
        datetime(2020, 11, 30, tzinfo=UTC),
    )
    client, _ = soap_client(api.client)
    again = {"id": "H20", "status": "inactive"}
    result = client.service.pricealterationdates_Update(
        login=login, pricealterationdates={"pricealterationdate": [again]}
    )
    assert result.success is True and not result.notices, result
    view = api.call(_alteration, alteration_id)
    assert (view.name, view.active) == ("Halloween 2020", False)
    new_without_start = {"id": "X", "store": str(store)}
    result = client.service.pricealterationdates_Update(
        login=login, pricealterationdates={"pricealterationdate": [new_without_start]}
    )
    assert result.success is False and "(startdate)" in result.errors.message[0]
    # A store-bound user reaches its own store's dates only.
    other = {"username": "erp", "password": erp["erp"]}
    result = client.service.pricealterationdates_Update(
        login=other, pricealterationdates={"pricealterationdate": [{"id": "H20", "name": "Mine"}]}
    )
    assert result.success is False and "not found" in result.errors.message[0].lower()


@pytest.mark.slow
def test_an_invoice_is_its_shipment_and_paid_captures_it(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    login = {"username": "erp", "password": erp["erp"]}
    push_catalog(client, login, erp["store"])
    assert client.service.customers_Update(login=login, customers={"customer": [{"id": "C-1", "email": "a@b.se"}]})
    order_id = api.call(place_order, erp["store"])
    order = client.service.events_Get(login=login, type="order")[-1].data.order
    shipment = {"id": "S-1", "goodtogo": "yes"}
    result = client.service.orders_Update(
        login=login, orders={"order": [{"id": order.id, "status": "confirmed", "shipments": {"shipment": [shipment]}}]}
    )
    assert result.success is True, result
    unknown = client.service.invoices_Update(
        login=login, invoices={"invoice": [{"id": "INV-0", "shipment": {"id": "X"}}]}
    )
    assert unknown.success is False and "(shipment)" in unknown.errors.message[0]
    invoice = {"id": "INV-1", "shipment": {"id": "S-1"}, "order": {"id": order.id}, "serialno": "1001", "total": "998"}
    result = client.service.invoices_Update(login=login, invoices={"invoice": [invoice]})
    assert result.success is True, result
    assert result.notices.message[0] == "Added new invoice: INV-1"
    assert "serialno, total not kept" in result.notices.message[1]
    assert [s.paid for s in api.call(orders.erp_order, order_id).shipments] == [False]
    paid = client.service.invoices_Update(login=login, invoices={"invoice": [{"id": "INV-1", "status": "paid"}]})
    assert paid.success is True and not paid.notices, paid
    assert [s.paid for s in api.call(orders.erp_order, order_id).shipments] == [True]
    # Paying again is a no-op.
    again = client.service.invoices_Update(login=login, invoices={"invoice": [{"id": "INV-1", "status": "paid"}]})
    assert again.success is True


async def _altered(db: Any, alteration_id: int) -> list[tuple[int, int, int | None]]:
    from opencentra.db.listing import Window

    async with db.read() as session:
        rows = await pricing.altered_price_page(session, alteration_id, pricing.AlteredPriceFilter(), Window(100))
    return sorted((row.variant_id, row.price_minor, row.recommended_retail_price_minor) for row in rows)


def test_altered_prices_need_an_active_price_alteration_date(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    login = {"username": "erp", "password": erp["erp"]}
    push_catalog(client, login, erp["store"])
    item = {"id": "T001", "variation": [{"id": "T001_RED", "alteredprice": "399", "alteredpriceb": "450"}]}
    pricelist = {"id": "SEK-Retail", "items": {"product": [item]}}
    result = client.service.pricelists_Update(login=login, pricelists={"pricelist": [pricelist]})
    assert result.success is True
    assert "no active price alteration date" in result.notices.message[0]
    date_ = {"id": "SALE", "status": "active", "startdate": "2027-01-01"}
    result = client.service.pricealterationdates_Update(
        login=login, pricealterationdates={"pricealterationdate": [date_]}
    )
    assert result.success is True
    with_b = {
        "id": "T001",
        "priceb": "600",
        "variation": [{"id": "T001_RED", "alteredprice": "399", "alteredpriceb": "450"}],
    }
    result = client.service.pricelists_Update(
        login=login, pricelists={"pricelist": [{"id": "SEK-Retail", "items": {"product": [with_b]}}]}
    )
    assert result.success is True, result
    assert result.notices.message == ["T001: priceb (the recommended retail price) is not kept by OpenCentra"]
    variant_id = api.call(internal, "variant", "T001_RED")
    assert api.call(_altered, api.call(internal, "pricealteration", "SALE")) == [(variant_id, 39_900, 45_000)]
