"""Who may call the SOAP API and what it refuses: logins, another store's data, hostile XML."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.soap.soapkit import PATH, envelope, erp_setup, fault_of, internal, post_raw, result_of, soap_client
from tests.api.soap.test_soap_api import push_catalog
from tests.api.soap.test_soap_events import place_order

MARKET = "<markets><market><id>M1</id><store>{store}</store><description>Sweden</description></market></markets>"


@pytest.fixture
def erp(api: Any) -> dict[str, Any]:
    return api.call(erp_setup)  # type: ignore[no-any-return]


def test_no_login_or_a_bad_one_gets_the_failure_shape_and_nothing_else(api: Any, erp: dict[str, Any]) -> None:
    inner = MARKET.format(store=erp["store"])
    for username, password in (("", ""), ("erp", "wrong"), ("nobody", erp["erp"]), ("erp-other", erp["erp"])):
        response = post_raw(api.client, envelope("markets_Update", inner, username=username, password=password))
        assert response.status_code == 200
        assert result_of(response.content) == (False, ["Login failed: wrong username or password"], [])
    no_login = b'<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    no_login += b'<markets_Update xmlns="http://www.centra.com/webservices/"/></s:Body></s:Envelope>'
    assert result_of(post_raw(api.client, no_login).content)[0] is False
    assert api.call(internal, "market", "M1") is None  # nothing was written
    # Event calls answer a bad login with a fault: never an empty queue that looks like "no events".
    response = post_raw(api.client, envelope("events_GetRequest", "<type>all</type>", username="erp", password="x"))
    assert response.status_code == 401
    assert "Login failed" in fault_of(response.content)
    assert "wrong" not in response.text.replace("wrong username or password", "")  # the password is not echoed


def test_failed_logins_are_throttled_per_address(api: Any, erp: dict[str, Any]) -> None:
    body = envelope("events_GetRequest", "<type>all</type>", username="{user}", password="bad")
    statuses = [post_raw(api.client, body.replace(b"{user}", f"guess{n}".encode())).status_code for n in range(51)]
    assert statuses[:50] == [401] * 50
    assert statuses[50] == 429


def test_a_store_bound_user_sees_and_changes_only_its_store(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    own = {"username": "erp", "password": erp["erp"]}
    other = {"username": "erp-other", "password": erp["other"]}
    push_catalog(client, own, erp["store"])
    customer = {"id": "C-1", "email": "ada@example.com"}
    assert client.service.customers_Update(login=own, customers={"customer": [customer]}).success is True
    # The other store's user registers its queue before the order exists.
    assert not client.service.events_Get(login=other, type="order")
    api.call(place_order, erp["store"])
    assert not client.service.events_Get(login=other, type="order")  # not its store's order
    number = client.service.events_Get(login=own, type="order")[0].data.order.ordernumber
    lock = client.service.orders_Update(login=other, orders={"order": [{"id": number, "locked": "yes"}]})
    assert lock.success is False and "does not exist" in lock.errors.message[0]
    market = {"id": "M-X", "store": str(erp["store"]), "type": "retail", "description": "Elsewhere"}
    refused = client.service.markets_Update(login=other, markets={"market": [market]})
    assert refused.success is False and "(store)" in refused.errors.message[0]
    renamed = client.service.markets_Update(
        login=other, markets={"market": [{"id": "Retail-SE", "description": "Mine"}]}
    )
    assert renamed.success is False  # another store's market is not found
    taken = client.service.customers_Update(login=other, customers={"customer": [{"id": "C-1", "city": "Oslo"}]})
    assert taken.success is False


XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
<events_GetRequest xmlns="http://www.centra.com/webservices/"><login><username>&x;</username></login>
<type>all</type></events_GetRequest></s:Body></s:Envelope>"""
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">'.encode() for n in range(9))
    + b"]><s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body>&j;</s:Body></s:Envelope>"
)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (XXE, "DTD"),
        (LAUGHS, "DTD"),
        (b"<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body><x", "malformed"),
        (b"<Envelope/>", "SOAP 1.1"),
        (
            b"<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body/></s:Envelope>",
            "SOAP 1.1",
        ),
        (b"", "empty"),
        (
            b"<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body>"
            + b"<a>" * 100
            + b"</a>" * 100
            + b"</s:Body></s:Envelope>",
            "deeper",
        ),
        (envelope("orders_Delete", "", username="erp", password="x"), "unknown operation"),
    ],
)
def test_hostile_or_malformed_xml_is_a_client_fault(api: Any, body: bytes, named: str) -> None:
    response = post_raw(api.client, body)
    assert response.status_code == 400
    assert response.headers.get("x-correlation-id")
    fault = fault_of(response.content)
    assert named in fault
    assert "root:" not in response.text  # no file was read


def test_a_50_mb_body_is_refused_before_it_is_read(api: Any) -> None:
    body = b"<" + b"a" * (50 * 1024 * 1024)
    response = api.client.post(PATH, content=body, headers={"Content-Type": "text/xml; charset=utf-8"})
    assert response.status_code == 413
    assert "too large" in fault_of(response.content)
    assert api.client.get(PATH).status_code == 405
