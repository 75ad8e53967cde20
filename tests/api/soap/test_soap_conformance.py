"""Every request in Centra's SOAP documentation, sent raw: each gets an answer in the documented shape.

The requests are read from ``../shared/fixtures`` (never copied here). The
reference's templates carry placeholders (``string``, ``int``) that no real
object has, so those answer ``success=false`` with errors naming the item, or
a fault naming the element; the guide's and cookbook's examples carry real
values and, sent in the order the guide gives them, succeed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from tests.api.soap.soapkit import NS, SOAP_ENV, erp_setup, post_raw, result_of

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures"
FILES = ("soap-api.examples.jsonl", "soap-api.cookbook.examples.jsonl")


def documented_requests() -> list[tuple[str, str]]:
    """(where, XML) of every documented request envelope, in document order."""
    found = []
    for name in FILES:
        path = FIXTURES / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            block = json.loads(line)
            body = block.get("text") or ""
            start = body.find("<?xml")
            if start < 0 or "Envelope" not in body or "<login>" not in body.replace("ns1:", ""):
                continue
            found.append((f"{name}: {' / '.join(block['headings'])}", body[start:]))
    return found


def _with_login(xml: str, username: str, password: str, stores: dict[str, int]) -> bytes:
    xml = re.sub(r"(<(?:ns1:)?username>)[^<]*(</)", rf"\g<1>{username}\g<2>", xml)
    xml = re.sub(r"(<(?:ns1:)?password>)[^<]*(</)", rf"\g<1>{password}\g<2>", xml)
    # The guide's stores 1 (retail) and 2 (wholesale) are this instance's two stores.
    return re.sub(r"(<(?:ns1:)?store>)([12])(</)", lambda m: f"{m[1]}{stores[m[2]]}{m[3]}", xml).encode()


@pytest.mark.slow
@pytest.mark.skipif(not (FIXTURES / FILES[0]).exists(), reason="../shared/fixtures is not here")
def test_every_documented_request_gets_a_documented_answer(api: Any) -> None:
    erp = api.call(erp_setup)
    stores = {"1": erp["store"], "2": erp["other_store"]}
    requests = documented_requests()
    assert len(requests) > 40
    outcomes: dict[str, Any] = {}
    for where, xml in requests:
        response = post_raw(api.client, _with_login(xml, "erp-global", erp["global"], stores))
        assert response.status_code in (200, 400), (where, response.status_code, response.text[:500])
        assert response.headers["content-type"].startswith("text/xml")
        assert response.headers.get("x-correlation-id")
        body = etree.fromstring(response.content).find(f"{{{SOAP_ENV}}}Body")
        answer = body[0]
        if response.status_code == 400:
            assert answer.tag == f"{{{SOAP_ENV}}}Fault", where
            # Only a placeholder or a bad value is refused, and the fault names the element.
            assert re.search(r"type|event", answer.findtext("faultstring") or ""), (where, response.text)
            outcomes[where] = "fault"
        elif ("events_Get" in xml and "events_GetRequest" in xml) or "events_GetByMarkets" in xml:
            assert answer.tag == f"{{{NS}}}events_Get", where
            outcomes[where] = "events"
        else:
            assert answer.tag == f"{{{NS}}}result", where
            success, errors, _ = result_of(response.content)
            assert success or errors, where  # a failure always says why
            outcomes[where] = success or errors
    # The guide's realistic pushes, in its order, all succeed.
    steps = (
        "Cookbook / Markets /",
        "Product Data: Sizetables",
        "A Sweater example",
        "A Chair example",
        "Product Stock: Warehouses",
        "Product Stock: Stock Update",
        "Cookbook / Pricelists /",
        "Wholesale Accounts: Payment Terms",
        "Wholesale Accounts: Shipping Terms",
        "Wholesale Accounts: Account Data",
    )
    for step in steps:
        matching = [v for k, v in outcomes.items() if step in k and "soap-api.examples" in k]
        assert matching and all(v is True for v in matching), (step, outcomes)
