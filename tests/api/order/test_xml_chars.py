"""``xml=1`` stays well-formed whatever characters a shopper typed.

XML 1.0 cannot carry controls other than tab, LF and CR, U+FFFE, U+FFFF or
unpaired surrogates, not even as character references; the renderer drops
them, from texts and from ``key`` attributes alike.
"""

from __future__ import annotations

from dataclasses import replace

from lxml import etree
from tests.api.order.conftest import Wms, order_draft

from opencentra import orders
from opencentra.api.order import xmlformat

# Every character XML 1.0 forbids that a database can store (not NUL on PostgreSQL).
CONTROLS = "".join(chr(code) for code in range(1, 0x20) if chr(code) not in "\t\n\r")
FORBIDDEN = CONTROLS + "\ufffe\uffff"


def test_an_order_with_forbidden_characters_gives_a_well_formed_feed(wms: Wms) -> None:
    nul = "\x00" if wms.api.db.is_sqlite else ""
    draft = order_draft(wms.world)
    billing = replace(draft.billing, first_name=f"A{FORBIDDEN}{nul}da", city=f"Lu{FORBIDDEN}nd")
    wms.api.call(orders.create_order, replace(draft, billing=billing, shipping=billing))

    response = wms.api.client.get(wms.base + "/orders", params={"xml": 1}, headers=wms.headers)
    assert response.status_code == 200
    document = etree.fromstring(response.content)  # raises on a document that is not well-formed
    [order] = document.findall("orders/item")
    assert order.findtext("billingName") == "Ada L"
    assert order.findtext("billingCity") == "Lund"
    assert order.findtext("deliveryName") == "Ada L"


def test_the_renderer_drops_every_forbidden_character_from_texts_and_keys() -> None:
    lone_surrogates = "\ud800\udfff"
    text = f"a{FORBIDDEN}\x00{lone_surrogates}b\t\n\u00e9\U0001f600\ufffd"
    document = etree.fromstring(xmlformat.render({"text": text, "lines": {text: [text]}}))
    kept = "ab\t\n\u00e9\U0001f600\ufffd"
    assert document.findtext("text") == kept
    [line] = document.findall("lines/item")
    assert line.get("key") == kept
    assert line.findtext("item") == kept


def test_a_key_with_a_trailing_newline_is_not_an_element_name() -> None:
    document = etree.fromstring(xmlformat.render({"name\n": "x"}))
    [child] = document
    assert (child.tag, child.get("key"), child.text) == ("item", "name\n", "x")
