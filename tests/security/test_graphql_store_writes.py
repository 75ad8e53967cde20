"""Every GraphQL mutation, classified; each one that writes a store's data is aimed at the other store's.

The attacker is a token bound to one store and holding every permission;
the victim is the other store's object. The write must be refused as "not
found" (a token must not even learn that the object exists), and an admin
read of the object (the witness) must be the same before and after. Where
it changes nothing the other probes need, the same write by the victim
store's own token must then succeed: that proves the probe itself was
sound, and the refusal came from the store check.

To classify a new mutation: add it to ``SHARED_MUTATIONS`` with the reason
every store may make it, or to ``PROBES`` with a write aimed at the victim
store (placeholders in braces are filled from ``targets``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import GraphQLObjectType, get_named_type, parse, validate
from tests.security.formats import GRAPHQL, assert_api_format, body_of
from tests.security.surface import SCHEMA, root_fields
from tests.security.world import World

MUTATIONS = {f.name: f for f in root_fields() if f.operation == "mutation"}
NOT_VISIBLE = re.compile(r"could not find|not found|does not exist", re.IGNORECASE)

_CATALOGUE = "the catalogue (products, variants, sizes, bundles, brands, collections, size charts) is global"
_WAREHOUSES = "warehouses and their stock are shared by every store"
_OWN_INTEGRATION = "acts on the calling integration's own events or ID conversions, keyed by its token's name"
_TERMS = "wholesale terms and sales representatives are global in Centra's model"
_WINDOWS = "delivery windows and their variants are global; a window's markets are checked (createDeliveryWindow)"

SHARED_MUTATIONS: Mapping[str, str] = {
    "createBrand": _CATALOGUE,
    "createCollection": _CATALOGUE,
    "createSizeChart": _CATALOGUE,
    "removeSizeChart": _CATALOGUE,
    "deleteSizeChart": _CATALOGUE,
    "createMeasurementChart": _CATALOGUE,
    "removeMeasurementChart": _CATALOGUE,
    "deleteMeasurementChart": _CATALOGUE,
    "createFolder": _CATALOGUE,
    "updateFolder": _CATALOGUE,
    "createMediaBatch": _CATALOGUE,
    "createProduct": _CATALOGUE,
    "updateProduct": _CATALOGUE,
    "createProductVariant": _CATALOGUE,
    "updateProductVariant": _CATALOGUE,
    "createProductSize": _CATALOGUE,
    "createBundle": _CATALOGUE,
    "updateBundle": _CATALOGUE,
    "assignAttributes": _CATALOGUE + "; OpenCentra keeps attributes on products and variants only",
    "unassignAttributes": _CATALOGUE + "; OpenCentra keeps attributes on products and variants only",
    "createWarehouse": _WAREHOUSES,
    "updateWarehouse": _WAREHOUSES,
    "setStock": _WAREHOUSES,
    "changeStock": _WAREHOUSES,
    "createPaymentTerms": _TERMS,
    "updatePaymentTerms": _TERMS,
    "createShippingTerms": _TERMS,
    "updateShippingTerms": _TERMS,
    "createSalesRepresentative": _TERMS,
    "updateSalesRepresentative": _TERMS,
    "setDeliveryWindowVariants": _WINDOWS,
    "unsetDeliveryWindowVariants": _WINDOWS,
    "setEventListeners": _OWN_INTEGRATION,
    "unsetEventListeners": _OWN_INTEGRATION,
    "confirmEvents": _OWN_INTEGRATION,
    "setIdConversions": _OWN_INTEGRATION,
}


@dataclass(frozen=True)
class Probe:
    """A write at the ``victim`` store's object, and an admin read that must not change."""

    call: str
    witness: str
    victim: str = "a"
    # The victim's own token may run it afterwards without spoiling another probe.
    control: bool = False


_ORDER = '{{ order(id: "{order}") {{ status isOnHold isLocked lines {{ quantity shippedQuantity }} }} }}'
_SHIPMENT = "{{ shipment(id: {open_shipment}) {{ isGoodToGo isShipped isCaptured }} }}"
_SHIPMENTS = "{{ shipments(limit: 1000) {{ id isShipped isCaptured }} }}"
_RETURNS = "{{ returns(limit: 1000) {{ id status }} }}"
_SUBSCRIPTION = (
    "{{ subscription(id: {subscription}) {{ status paymentStatus quantity nextOrderDate interval {{ value type }} }} }}"
)
_CONTRACT = (
    "{{ subscriptionContract(id: {subscription_contract}) {{ status "
    "shippingAddress {{ firstName address1 city }} billingAddress {{ firstName address1 city }} }} }}"
)

PROBES: Mapping[str, Probe] = {
    # orders
    "confirmOrder": Probe('confirmOrder(input: {{order: {{id: "{order}"}}}})', _ORDER),
    "cancelDirectToConsumerOrder": Probe('cancelDirectToConsumerOrder(id: "{order}")', _ORDER),
    "setOrdersLock": Probe('setOrdersLock(input: {{orders: [{{id: "{order}"}}], isLocked: true}})', _ORDER),
    "updateDirectToConsumerOrder": Probe(
        'updateDirectToConsumerOrder(order: {{id: "{order}"}}, input: {{isOnHold: true}})', _ORDER
    ),
    "updateWholesaleOrder": Probe(
        'updateWholesaleOrder(order: {{id: "{order}"}}, input: {{isOnHold: true}})', _ORDER, victim="b"
    ),
    "unallocateOrder": Probe('unallocateOrder(input: {{order: {{id: "{order}"}}}})', _ORDER),
    "releaseRemainingOrderAuthorization": Probe('releaseRemainingOrderAuthorization(order: {{id: "{order}"}})', _ORDER),
    # shipments and returns
    "createShipment": Probe(
        'createShipment(input: {{order: {{id: "{order}"}}, '
        "lines: [{{orderLine: {{id: {order_line}}}, quantity: 1}}]}})",
        _SHIPMENTS,
    ),
    "updateShipment": Probe("updateShipment(id: {open_shipment}, input: {{isGoodToGo: false}})", _SHIPMENT),
    "captureShipment": Probe("captureShipment(id: {open_shipment})", _SHIPMENT),
    "completeShipment": Probe("completeShipment(id: {open_shipment})", _SHIPMENT),
    "deleteShipment": Probe("deleteShipment(id: {open_shipment})", _SHIPMENTS),
    "createReturn": Probe(
        "createReturn(input: {{shipment: {{id: {shipped_shipment}}}, "
        "lines: [{{shipmentLine: {{id: {shipment_line}}}, quantity: 1}}]}})",
        _RETURNS,
    ),
    "completeReturn": Probe("completeReturn(id: {return})", _RETURNS),
    "uncompleteReturn": Probe("uncompleteReturn(id: {return})", _RETURNS),
    "deleteReturn": Probe("deleteReturn(id: {return})", _RETURNS),
    # store setup
    "createMarket": Probe(
        'createMarket(input: {{name: "probe market", store: {{id: {store}}}}})',
        "{{ markets(limit: 1000) {{ id name }} }}",
        control=True,
    ),
    "updateMarket": Probe(
        'updateMarket(id: {market}, input: {{name: "probe"}})', "{{ market(id: {market}) {{ name }} }}", control=True
    ),
    "createPricelist": Probe(
        'createPricelist(input: {{name: "probe pricelist", store: {{id: {store}}}, currencyIsoCode: "EUR"}})',
        "{{ pricelists(limit: 1000) {{ id name }} }}",
        control=True,
    ),
    "updatePricelist": Probe(
        'updatePricelist(id: {pricelist}, input: {{name: "probe"}})',
        "{{ pricelist(id: {pricelist}) {{ name }} }}",
        control=True,
    ),
    "deletePricelist": Probe("deletePricelist(id: {spare_pricelist})", "{{ pricelists(limit: 1000) {{ id }} }}"),
    "setPrices": Probe(
        "setPrices(input: {{pricelist: {{id: {pricelist}}}, productPrices: "
        '[{{product: {{id: {product}}}, price: {{value: 1, currencyIsoCode: "{currency}"}}}}]}})',
        "{{ pricelist(id: {pricelist}) {{ name }} }}",
        control=False,
    ),
    # catalogue shown by a store
    "createDisplay": Probe(
        'createDisplay(input: {{name: "probe display", status: ACTIVE, '
        "store: {{id: {store}}}, product: {{id: {product}}}}})",
        "{{ displays(limit: 1000) {{ id name }} }}",
        control=True,
    ),
    "updateDisplay": Probe(
        'updateDisplay(id: {display}, input: {{name: "probe"}})',
        "{{ display(id: {display}) {{ name }} }}",
        control=True,
    ),
    "localize": Probe(
        'localize(input: {{objectType: Display, objectId: {display}, language: {{code: "de"}}, '
        'translations: [{{field: "name", value: "probe"}}]}})',
        "{{ display(id: {display}) {{ name translations {{ language {{ code }} fields {{ field value }} }} }} }}",
        control=True,
    ),
    # promotions and prices
    "createVoucher": Probe(
        'createVoucher(input: {{name: "probe voucher", store: {{id: {store}}}, code: "PROBE1", percentOff: 5}})',
        "{{ vouchers(limit: 1000) {{ id name }} }}",
        control=True,
    ),
    "createDiscount": Probe(
        'createDiscount(input: {{name: "probe discount", store: {{id: {store}}}, code: "PROBE2", percentOff: 5}})',
        "{{ vouchers(limit: 1000) {{ id name }} }}",
        control=True,
    ),
    "deleteCampaign": Probe("deleteCampaign(id: {campaign})", "{{ campaigns(limit: 1000) {{ id }} }}"),
    "createPriceAlteration": Probe(
        'createPriceAlteration(input: {{name: "probe alteration", store: {{id: {store}}}, '
        'startDate: "2030-01-01T00:00:00+00:00"}})',
        "{{ priceAlterations(limit: 1000) {{ id name }} }}",
        control=True,
    ),
    "updatePriceAlteration": Probe(
        'updatePriceAlteration(id: {price_alteration}, input: {{name: "probe"}})',
        "{{ priceAlteration(id: {price_alteration}) {{ name }} }}",
        control=True,
    ),
    "setAlteredPrices": Probe(
        "setAlteredPrices(input: {{priceAlteration: {{id: {price_alteration}}}, pricelist: {{id: {pricelist}}}, "
        'productPrices: [{{product: {{id: {product}}}, price: {{value: 1, currencyIsoCode: "{currency}"}}}}]}})',
        "{{ priceAlteration(id: {price_alteration}) {{ name }} }}",
    ),
    # wholesale
    "createAccount": Probe(
        'createAccount(input: {{name: "probe account", market: {{id: {market}}}}})',
        "{{ accounts(limit: 1000) {{ id name }} }}",
        victim="b",
        control=True,
    ),
    "updateAccount": Probe(
        'updateAccount(id: {account}, input: {{name: "probe"}})',
        "{{ account(id: {account}) {{ name }} }}",
        victim="b",
        control=True,
    ),
    "createBuyer": Probe(
        "createBuyer(input: {{account: {{id: {account}}}}})",
        "{{ buyers(limit: 1000) {{ id }} }}",
        victim="b",
        control=True,
    ),
    "updateBuyer": Probe(
        'updateBuyer(id: {buyer}, input: {{websiteUrl: "https://probe.example"}})',
        "{{ buyer(id: {buyer}) {{ websiteUrl }} }}",
        victim="b",
        control=True,
    ),
    "createDeliveryWindow": Probe(
        'createDeliveryWindow(input: {{name: "probe window", atOnce: {{daysFromNow: 1}}, '
        "markets: [{{id: {market}}}]}})",
        "{{ deliveryWindows(limit: 1000) {{ id name }} }}",
        victim="b",
        control=True,
    ),
    "updateDeliveryWindow": Probe(
        "updateDeliveryWindow(id: {delivery_window}, input: {{markets: [{{id: {market}}}]}})",
        "{{ deliveryWindow(id: {delivery_window}) {{ markets {{ id }} }} }}",
        victim="b",
        control=True,
    ),
    # subscriptions (the victim's own cancel would end the subscription the other controls change: no control)
    "cancelSubscription": Probe("cancelSubscription(id: {subscription})", _SUBSCRIPTION),
    "pauseSubscription": Probe("pauseSubscription(id: {subscription})", _SUBSCRIPTION, control=True),
    "resumeSubscription": Probe("resumeSubscription(id: {subscription})", _SUBSCRIPTION, control=True),
    "updateSubscriptionStatus": Probe(
        "updateSubscriptionStatus(id: {subscription}, status: PAUSED)", _SUBSCRIPTION, control=True
    ),
    "updateSubscriptionInterval": Probe(
        "updateSubscriptionInterval(id: {subscription}, interval: {{value: 2, type: WEEK}})",
        _SUBSCRIPTION,
        control=True,
    ),
    "updateSubscriptionQuantity": Probe(
        "updateSubscriptionQuantity(id: {subscription}, quantity: 3)", _SUBSCRIPTION, control=True
    ),
    "updateSubscriptionNextOrderDate": Probe(
        'updateSubscriptionNextOrderDate(id: {subscription}, nextOrderDate: "2030-01-01")', _SUBSCRIPTION, control=True
    ),
    "updateSubscriptionContract": Probe(
        "updateSubscriptionContract(id: {subscription_contract}, input: "
        '{{shippingAddress: {{firstName: "Probe", city: "Lund"}}, billingAddress: {{firstName: "Probe"}}}})',
        _CONTRACT,
        control=True,
    ),
}


def _document(name: str, call: str) -> str:
    payload = get_named_type(MUTATIONS[name].field.type)
    assert isinstance(payload, GraphQLObjectType)
    selection = "userErrors { message }" if "userErrors" in payload.fields else "__typename"
    return f"mutation {{ {call} {{ {selection} }} }}"


def _refusal(body: dict[str, Any], name: str) -> str | None:
    """The message refusing mutation ``name``: a GraphQL error on it, or its payload's first userError."""
    for error in body.get("errors", []):
        if error.get("path", [None])[0] == name:
            return str(error["message"])
    payload = (body.get("data") or {}).get(name)
    if isinstance(payload, dict) and payload.get("userErrors"):
        return str(payload["userErrors"][0]["message"])
    return None


def _post(world: World, document: str, token: str) -> dict[str, Any]:
    answer = world.graphql(document, token=token)
    assert_api_format(GRAPHQL, answer)
    body: dict[str, Any] = body_of(answer)
    return body


@pytest.fixture(scope="module")
def targets(world: World) -> dict[str, dict[str, Any]]:
    """Per store ("a", "b"): the ids the probes aim at, read with the admin token."""
    query = """{
      orders(limit: 1000) { id number store { id } lines { id } }
      shipments(limit: 1000) { id isShipped order { store { id } } lines { id quantity returnedQuantity } }
      returns(limit: 1000) { id order { store { id } } }
      displays(limit: 1000) { id store { id } product { id } }
      markets(limit: 1000) { id store { id } }
      pricelists(limit: 1000) { id store { id } currency { code } }
      campaigns(limit: 1000) { id store { id } }
      accounts(limit: 1000) { id store { id } }
      buyers(limit: 1000) { id store { id } }
      priceAlterations(limit: 1000) { id store { id } }
    }"""
    data = _post(world, query, world.admin_token)["data"]
    window = _post(
        world,
        'mutation { createDeliveryWindow(input: {name: "No market yet", atOnce: {daysFromNow: 1}}) '
        "{ deliveryWindow { id } } }",
        world.admin_token,
    )["data"]["createDeliveryWindow"]["deliveryWindow"]["id"]
    found: dict[str, dict[str, Any]] = {}
    for key, store in (("a", world.a), ("b", world.b)):

        def mine(rows: list[dict[str, Any]], *path: str, store_id: int = store.id) -> list[dict[str, Any]]:
            def owner(row: dict[str, Any]) -> Any:
                value: Any = row
                for step in (*path, "id"):
                    value = value[step]
                return value

            return [row for row in rows if owner(row) == store_id]

        open_order = next(o for o in mine(data["orders"], "store") if o["number"] == store.order_numbers[1])
        shipments = mine(data["shipments"], "order", "store")
        shipped = next(s for s in shipments if s["isShipped"])
        pricelists = mine(data["pricelists"], "store")
        values: dict[str, Any] = {
            "store": store.id,
            "order": open_order["id"],
            "order_line": open_order["lines"][0]["id"],
            "open_shipment": next(s["id"] for s in shipments if not s["isShipped"]),
            "shipped_shipment": shipped["id"],
            "shipment_line": shipped["lines"][0]["id"],
            "return": mine(data["returns"], "order", "store")[0]["id"],
            "display": mine(data["displays"], "store")[0]["id"],
            "product": mine(data["displays"], "store")[0]["product"]["id"],
            "market": store.market,
            "pricelist": pricelists[0]["id"],
            "spare_pricelist": pricelists[-1]["id"],
            "currency": pricelists[0]["currency"]["code"],
            "price_alteration": mine(data["priceAlterations"], "store")[0]["id"],
            "delivery_window": window,
            "subscription_contract": store.subscription_contract_ids[0],
            "subscription": store.subscription_ids[0],
        }
        for kind in ("campaigns", "accounts", "buyers"):
            rows = mine(data[kind], "store")
            if rows:
                values[kind[:-1]] = rows[0]["id"]
        found[key] = values
    return found


def test_every_mutation_is_classified() -> None:
    unclassified = sorted(set(MUTATIONS) - set(SHARED_MUTATIONS) - set(PROBES))
    assert not unclassified, f"classify in SHARED_MUTATIONS or PROBES: {unclassified}"
    assert not set(SHARED_MUTATIONS) & set(PROBES)
    stale = sorted((set(SHARED_MUTATIONS) | set(PROBES)) - set(MUTATIONS))
    assert not stale, f"no longer in the schema: {stale}"


@pytest.mark.parametrize("name", sorted(PROBES))
def test_a_probe_is_a_valid_document(name: str) -> None:
    probe = PROBES[name]
    dummy = {
        key: (f"{'0' * 31}1" if key == "order" else "SEK" if key == "currency" else 1)
        for key in re.findall(r"\{(\w+)\}", probe.call + probe.witness)
    }
    for document in (_document(name, probe.call.format(**dummy)), probe.witness.format(**dummy)):
        errors = validate(SCHEMA, parse(document))
        assert not errors, f"{document}: {errors}"


@pytest.mark.parametrize("name", sorted(PROBES))
def test_a_store_bound_token_cannot_write_another_stores_data(
    world: World, targets: dict[str, dict[str, Any]], name: str
) -> None:
    probe = PROBES[name]
    victim = world.a if probe.victim == "a" else world.b
    attacker = world.other(victim)
    values = targets[probe.victim]
    document = _document(name, probe.call.format(**values))
    witness = probe.witness.format(**values)
    before = _post(world, witness, world.admin_token)
    assert "errors" not in before, before

    attempt = _post(world, document, attacker.token)
    message = _refusal(attempt, name)
    assert message is not None, f"{attacker.name}'s token wrote {victim.name}'s data with {name}: {attempt}"
    assert NOT_VISIBLE.search(message), f"{name} was refused, but not as 'not found': {message!r}"
    assert _post(world, witness, world.admin_token) == before, f"{name} changed {victim.name}'s data"

    if probe.control:
        own = _post(world, document, victim.token)
        assert _refusal(own, name) is None and "errors" not in own, f"the probe itself is unsound: {own}"
