"""Our answers carry the keys of Centra's documented order-flow dumps.

Reads ../shared/fixtures/checkout-api.examples.jsonl (never copied into the
project) and skips when that folder is absent. Keys we renamed on purpose
(v2.69: ``language`` -> ``languages``) are mapped, and keys Centra adds for
plugins OpenCentra does not run are ignored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.api.checkout.conftest import Browser, ShopIds, pay_body

pytestmark = pytest.mark.usefixtures("wire_only")

FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "checkout-api.examples.jsonl"
# Demo-specific custom attributes and plugin data in Centra's examples.
IGNORED = {"sh_color_text", "sh_tanning", "presets", "tableMappings", "message", "shipments", "localizedSize"}


def _examples() -> list[dict[str, Any]]:
    if not FIXTURES.exists():
        pytest.skip(f"Centra's documented examples are not at {FIXTURES}")
    rows = [json.loads(line) for line in FIXTURES.read_text().splitlines() if line.strip()]
    return [r for r in rows if "order-flow" in r["page"] and isinstance(r["json"], dict)]


def _example(heading: str) -> dict[str, Any]:
    for row in _examples():
        if heading in row["headings"]:
            json_body: dict[str, Any] = row["json"]
            return json_body
    pytest.skip(f"no example under {heading!r}")


def _missing(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Keys of ``expected`` (recursively, first list element) that ``actual`` lacks."""
    missing: list[str] = []
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            if key in IGNORED:
                continue
            name = "languages" if key == "language" and path == "" else key
            if name not in actual:
                missing.append(f"{path}.{key}")
            else:
                missing += _missing(value, actual[name], f"{path}.{key}")
    elif isinstance(expected, list) and isinstance(actual, list) and expected and actual:
        missing += _missing(expected[0], actual[0], f"{path}[]")
    return missing


def test_add_item_answer_has_the_documented_keys(browser: Browser, shop: ShopIds) -> None:
    example = _example("Create selection - add items to selection")
    ours = browser.post(f"/items/{shop.items['tee-black-M']}").json()
    missing = _missing(example, ours)
    assert missing == [], missing


def test_country_change_answer_has_the_documented_keys(browser: Browser, shop: ShopIds) -> None:
    example = _example("Change country to US")
    browser.post(f"/items/{shop.items['tee-black-M']}")
    ours = browser.put("/countries/US").json()
    missing = _missing(example, ours)
    assert missing == [], missing


def test_payment_result_and_order_summary_have_the_documented_keys(browser: Browser, shop: ShopIds) -> None:
    browser.post(f"/items/{shop.items['tee-black-M']}")
    browser.put("/countries/SE")
    paid = browser.post("/payment", pay_body("test-card")).json()
    assert paid["action"] == "success"
    summary = browser.get("/selection").json()
    assert _missing(_example("Order summary"), summary) == []
    form = browser.post("/payment", pay_body("test-form"))
    # Paying again for a completed selection: nothing to pay for.
    assert form.status_code == 406
