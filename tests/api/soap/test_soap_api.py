"""The SOAP ERP API through zeep (the WSDL, typed calls): master data pushed by an ERP."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.soap.soapkit import PATH, erp_setup, internal, soap_client

from opencentra import catalog, inventory


@pytest.fixture
def erp(api: Any) -> dict[str, Any]:
    return api.call(erp_setup)  # type: ignore[no-any-return]


def _variation(ident: str, name: str, sizes: dict[str, str]) -> dict[str, Any]:
    return {
        "id": ident,
        "description": name,
        "sku": name.upper(),
        "sizetable": {"id": "SML"},
        "sizes": {
            "size": [
                {"id": size, "sku": f"0{n}", "warehouseitems": {"warehouse": [{"id": "WH1", "qty": qty}]}}
                for n, (size, qty) in enumerate(sizes.items(), start=1)
            ]
        },
    }


def push_catalog(client: Any, login: dict[str, str], store_id: int) -> None:
    """Markets, a sizetable, a product with stock and a pricelist, as Centra's ERP guide orders them."""
    market = {"id": "Retail-SE", "store": str(store_id), "type": "retail", "description": "Sweden"}
    assert client.service.markets_Update(login=login, markets={"market": [market]}).success is True
    sizes = [
        {"id": s, "description": d, "sizetable": {"id": "SML", "description": "Small Medium Large"}}
        for s, d in (("S", "Small"), ("M", "Medium"))
    ]
    result = client.service.sizes_Update(login=login, sizes={"size": sizes})
    assert result.success is True
    assert result.notices.message == [
        "Added new size: S: Small to: Small Medium Large!",
        "Added new size: M: Medium to: Small Medium Large!",
    ]
    product = {
        "id": "T001",
        "status": "active",
        "sku": "TURTLE001",
        "description": "Turtleneck",
        "variations": {"variation": [_variation("T001_RED", "Red", {"S": "7", "M": "3"})]},
    }
    result = client.service.products_Update(login=login, products={"product": [product]})
    assert result.success is True, result
    assert "Added new warehouse: WH1" in result.notices.message
    pricelist = {
        "id": "SEK-Retail",
        "store": str(store_id),
        "currency": "SEK",
        "description": "SEK",
        "items": {"product": [{"id": "T001", "price": "499.00"}]},
    }
    result = client.service.pricelists_Update(login=login, pricelists={"pricelist": [pricelist]})
    assert result.success is True, result


def test_wsdl_loads_in_zeep_with_all_operations(api: Any) -> None:
    response = api.client.get(f"{PATH}?wsdl")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert response.headers.get("x-correlation-id")
    assert f"http://testserver{PATH}".encode() in response.content  # the service address is this instance
    client, _ = soap_client(api.client)
    operations = set(client.service._binding._operations)
    assert len(operations) == 17
    assert {"products_Update", "events_Get", "events_GetByMarkets", "events_Done", "orders_Update"} <= operations


def test_erp_pushes_master_data_and_omitted_fields_stay(api: Any, erp: dict[str, Any]) -> None:
    client, transport = soap_client(api.client)
    login = {"username": "erp", "password": erp["erp"]}
    push_catalog(client, login, erp["store"])
    assert transport.last_response.headers.get("x-correlation-id")

    # A repeated sizes push adds nothing and says nothing.
    again = client.service.sizes_Update(login=login, sizes={"size": [{"id": "S", "sizetable": {"id": "SML"}}]})
    assert again.success is True and not again.notices

    product_id = api.call(internal, "product", "T001")
    variant_id = api.call(internal, "variant", "T001_RED")
    warehouse_id = api.call(internal, "warehouse", "WH1")

    # Renaming leaves the number, the variation and its stock as they were.
    renamed = client.service.products_Update(login=login, products={"product": [{"id": "T001", "description": "Roll"}]})
    assert renamed.success is True

    async def read(db: Any) -> tuple[Any, list[Any], list[Any]]:
        async with db.read() as session:
            product = (await catalog.products_by_id(session, [product_id]))[product_id]
            sizes = (await catalog.sizes_of_variants(session, [variant_id]))[variant_id]
        levels = await inventory.stock_levels(db, warehouse_ids=[warehouse_id])
        return product, sizes, levels

    product, sizes, levels = api.call(read)
    assert (product.name, product.product_number) == ("Roll", "TURTLE001")
    assert len(sizes) == 2
    # SOAP stock is free to allocate: with nothing allocated, physical is the pushed value.
    assert sorted((level.physical - level.allocated) for level in levels) == [3, 7]


def test_failing_item_writes_nothing_and_is_named(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    login = {"username": "erp", "password": erp["erp"]}
    push_catalog(client, login, erp["store"])
    good = {
        "id": "T002",
        "sku": "T2",
        "description": "Fine",
        "variations": {"variation": [_variation("T002_A", "A", {"S": "1"})]},
    }
    # The variation names a size its sizetable lacks, after its product and variation were made in the same item.
    bad = {
        "id": "T003",
        "sku": "T3",
        "description": "Bad",
        "variations": {"variation": [_variation("T003_A", "A", {"XXL": "1"})]},
    }
    result = client.service.products_Update(login=login, products={"product": [good, bad]})
    assert result.success is False
    assert len(result.errors.message) == 1
    assert result.errors.message[0].startswith("product T003: size XXL is not in the product's sizetable")
    assert api.call(internal, "product", "T002") is not None
    assert api.call(internal, "product", "T003") is None  # nothing of the failed item stayed
    assert api.call(internal, "variant", "T003_A") is None


def test_bad_input_is_an_error_naming_the_element(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    login = {"username": "erp", "password": erp["erp"]}
    result = client.service.products_Update(
        login=login,
        products={"product": [{"id": "X", "variations": {"variation": [{"id": "X1", "sizetable": {"id": "NOPE"}}]}}]},
    )
    assert result.success is False
    assert "sizetable" in result.errors.message[0]
    result = client.service.markets_Update(login=login, markets={"market": [{"id": "M", "type": "outlet"}]})
    assert result.success is False and "(type)" in result.errors.message[0]
    no_shipment = client.service.invoices_Update(login=login, invoices={"invoice": [{"id": "1"}]})
    assert no_shipment.success is False and "(shipment)" in no_shipment.errors.message[0]


def test_customers_upsert_by_erp_id(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    login = {"username": "erp", "password": erp["erp"]}
    customer = {"id": "C-1", "firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com", "country": "se"}
    assert client.service.customers_Update(login=login, customers={"customer": [customer]}).success is True
    update = {"id": "C-1", "city": "Stockholm"}
    assert client.service.customers_Update(login=login, customers={"customer": [update]}).success is True
    customer_id = api.call(internal, "customer", "C-1")

    async def read(db: Any) -> Any:
        from opencentra.customers.services import get_customer

        return await get_customer(db, customer_id)

    row = api.call(read)
    assert (row.first_name, row.city, row.country, row.store_id) == ("Ada", "Stockholm", "SE", erp["store"])


def test_wholesale_terms_and_sales_reps_upsert(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    login = {"username": "erp", "password": erp["erp"]}
    terms = {"id": "30NET", "name": "30 Days", "description": "Net 30", "duedays": "30"}
    assert client.service.paymentterms_Update(login=login, paymentterms={"paymentterms": [terms]}).success is True
    renamed = {"id": "30NET", "name": "Thirty days"}
    assert client.service.paymentterms_Update(login=login, paymentterms={"paymentterms": [renamed]}).success is True
    shipping = {"id": "EXW", "name": "Ex works", "duedays": "0"}
    assert client.service.shippingterms_Update(login=login, shippingterms={"shippingterms": [shipping]}).success
    rep = {"id": "REP1", "name": "Ann", "email": "ann@example.com", "percent": "12.5"}
    assert client.service.salesreps_Update(login=login, salesreps={"salesrep": [rep]}).success is True
    bad = client.service.salesreps_Update(login=login, salesreps={"salesrep": [{"id": "REP2", "percent": "12.5"}]})
    assert bad.success is False and "(name)" in bad.errors.message[0]
    events = client.service.events_Get(login=login, type="paymentterm")
    assert [e.type for e in events] == ["paymentterm", "paymentterm"]
    latest = events[-1].data.paymentterm
    assert (latest.id, latest.name, latest.description, latest.duedays) == ("30NET", "Thirty days", "Net 30", "30")


def test_wholesale_account_with_buyer_and_its_event(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    login = {"username": "erp-global", "password": erp["global"]}
    store = str(erp["other_store"])  # the wholesale store
    market = {"id": "WS", "store": store, "type": "wholesale", "description": "B2B"}
    assert client.service.markets_Update(login=login, markets={"market": [market]}).success is True
    terms = {"id": "30NET", "name": "30 days", "duedays": "30"}
    assert client.service.paymentterms_Update(login=login, paymentterms={"paymentterms": [terms]}).success is True
    client.service.events_Done(
        login=login, event=[str(e.id) for e in client.service.events_Get(login=login, type="all")]
    )
    account = {
        "id": "ACC-1",
        "status": "active",
        "description": "Shop AB",
        "market": {"id": "WS"},
        "paymentterms": {"id": "30NET"},
        "buyers": {"buyer": [{"id": "ACC-1-B1", "firstname": "Bo", "email": "bo@shop.se"}]},
    }
    result = client.service.accounts_Update(login=login, accounts={"account": [account]})
    assert result.success is True, result
    assert api.call(internal, "buyer", "ACC-1-B1") is not None
    unknown = client.service.accounts_Update(
        login=login, accounts={"account": [{"id": "ACC-2", "market": {"id": "X"}}]}
    )
    assert unknown.success is False and "(market)" in unknown.errors.message[0]
    events = client.service.events_Get(login=login, type="account")
    data = events[-1].data.account
    assert (data.id, data.description, data.market.id, data.status) == ("ACC-1", "Shop AB", "WS", "active")
