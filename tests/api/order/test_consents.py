"""Customer consents: stored by key from PUT /customers/{id} and POST /order, shown on customers."""

from __future__ import annotations

from typing import Any

from tests.api.order.conftest import EAN_M, Wms
from tests.api.order.shapes import find, missing_fields

CONSENT_FIELDS = ["key", "name", "consented", "text", "language", "version", "created", "modified"]


def _consents(wms: Wms, customer: int | str) -> dict[str, dict[str, Any]]:
    return {c["key"]: c for c in wms.get(f"/customers/{customer}")["customer"]["consents"]}


def test_put_stores_consents_by_key_and_creates_unknown_keys(wms: Wms, examples: list[dict[str, Any]]) -> None:
    world = wms.world
    request = find(examples, "403.update-customer", "Request example")
    updated = wms.send("PUT", f"/customers/{world.customer}", request)
    documented = find(examples, "403.update-customer", "Response example")
    assert missing_fields(documented, updated) == []
    shown = {c["key"]: c for c in updated["customer"]["consents"]}
    # The documented answer for the two keys the request created, dates aside.
    for entry in documented["customer"]["consents"]:
        if entry["key"] in shown:
            ours = shown[entry["key"]]
            assert list(ours) == CONSENT_FIELDS
            assert {k: ours[k] for k in CONSENT_FIELDS[:6]} == {k: entry[k] for k in CONSENT_FIELDS[:6]}
    assert set(shown) == {"firts_con", "second_con"}
    assert _consents(wms, world.customer) == shown
    [listed] = wms.get("/customers")["customers"]
    assert {c["key"] for c in listed["consents"]} == set(shown)
    as_xml = wms.api.client.get(f"{wms.base}/customers/{world.customer}", params={"xml": 1}, headers=wms.headers)
    assert as_xml.headers["content-type"].startswith("application/xml")
    assert "<consents><item><key>firts_con</key>" in as_xml.text and "<consented>true</consented>" in as_xml.text

    # Given again: the answer changes, the rest of the consent stays.
    again = wms.send(
        "PUT",
        f"/customers/{world.customer}",
        {"consents": [{"key": "second_con", "consented": "1", "name": "Marketing", "text": "We may email you."}]},
    )
    second = {c["key"]: c for c in again["customer"]["consents"]}["second_con"]
    assert (second["consented"], second["version"], second["language"], second["name"], second["text"]) == (
        True,
        "1.0",
        "EN",
        "Marketing",
        "We may email you.",
    )
    assert second["created"] == shown["second_con"]["created"]

    # Bad input changes nothing.
    refused = wms.send("PUT", f"/customers/{world.customer}", {"firstName": "X", "consents": [{"key": "third"}]})
    assert refused == {"status": "no", "msg": {"consents.0.consented": "required"}}
    twice = [{"key": "a", "consented": True}, {"key": "a", "consented": False}]
    assert wms.send("PUT", f"/customers/{world.customer}", {"consents": twice})["status"] == "no"
    assert set(_consents(wms, world.customer)) == {"firts_con", "second_con"}
    assert wms.get(f"/customers/{world.customer}")["customer"]["firstName"] == "Benjamin"


def test_post_order_stores_the_consents_on_its_customer(wms: Wms) -> None:
    body = {
        "address": {"email": "ada@example.com", "firstName": "Ada", "lastName": "L", "country": "SE"},
        "products": [{"ean": EAN_M, "qty": 1}],
        "consents": [{"key": "terms", "consented": True, "version": "2", "language": "sv"}],
    }
    created = wms.send("POST", "/order", body)
    assert created["status"] == "ok", created
    [order] = wms.get("/orders", order=created["orders"][0])["orders"]
    terms = _consents(wms, order["customerId"])["terms"]
    assert (terms["consented"], terms["version"], terms["language"]) == (True, "2", "sv")
    # A bad consent fails the order with "required fields" (-4) and makes nothing.
    refused = wms.send("POST", "/order", {**body, "consents": [{"key": "terms"}]})
    assert refused["status"] == "no" and refused["code"] == -4
    assert len(wms.get("/orders")["orders"]) == 1
