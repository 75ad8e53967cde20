"""Every documented Shop API catalogue example gets an answer in the documented shape.

Reads ../shared/fixtures/shop-api.examples.jsonl (never copied into the
project): each HTTP example's status, its error keys, and the keys of its
body (recursively) must be in our answer to the same request on the test
shop; the response tables (``[parameter data=...]``) name keys too. Skips
when the folder is absent, except in CI. Centra's examples are PHP dumps
with trailing commas and placeholders (``{"product-object"}``), read leniently.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from tests.api.shop.conftest import ShopApiWorld, ShopClient
from tests.api.shop.test_catalogue import Catalogue, _enrich
from tests.conftest import ApiHarness

FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "shop-api.examples.jsonl"
CATALOGUE_PAGES = (
    "get_brands",
    "get-campaign-sites",
    "get-campaigns",
    "get-categories",
    "get-collections",
    "get-measurement-charts",
    "get-product-ids",
    "get-products",
    "get-products-filtered",
)
# Keys of §2.3's product that a product answer must carry (the examples only show a placeholder).
PRODUCT_KEYS = {
    "product", "name", "uri", "canonicalUri", "canonicalCategory", "productSku", "sku", "silkProduct",
    "silkVariant", "silkProductName", "silkVariantName", "variantName", "brand", "brandName", "collection",
    "collectionName", "excerpt", "description", "metaTitle", "metaDescription", "metaKeywords", "stockUnit",
    "weight", "weightUnit", "harmCode", "harmCodeDescription", "countryOfOrigin", "countryOfOriginName",
    "measurementChart", "measurementChartRows", "media", "categories", "items", "markets", "localized",
}  # fmt: skip


def _rows() -> list[dict[str, Any]]:
    if not FIXTURES.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Centra's documented examples are missing from {FIXTURES}")
        pytest.skip(f"Centra's documented examples are not at {FIXTURES}")
    rows = [json.loads(line) for line in FIXTURES.read_text().splitlines() if line.strip()]
    for row in rows:
        if isinstance(row["text"], str) and row["text"].startswith('"'):
            row["text"] = json.loads(row["text"])
    return [r for r in rows if any(page in r["page"] for page in CATALOGUE_PAGES)]


def lenient_json(text: str) -> Any:
    """Centra's example bodies: trailing commas, and objects holding only a placeholder string."""
    text = re.sub(r"\{\s*\"[^\"]*\"\s*\}", "{}", text)
    text = re.sub(r",(\s*[}\]])", r"\1", text)
    return json.loads(text)


def http_examples() -> list[tuple[str, str, int, Any]]:
    """(endpoint, heading, status, body) of every HTTP response example."""
    found = []
    for row in _rows():
        if row["lang"] != "http" or not row["text"].startswith("HTTP/"):
            continue
        head, _, body = row["text"].partition("\n\n")
        status = int(head.split()[1])
        found.append((row["endpoint"], row["headings"][-1], status, lenient_json(body)))
    return found


def missing_keys(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Keys of ``expected`` (recursively; ids are matched as "any entry") that ``actual`` lacks."""
    missing: list[str] = []
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            if key.isdigit() or key == "canada":
                # A key that is an id: compare with whichever entry we have.
                if not actual:
                    missing.append(f"{path}.<{key}>")
                else:
                    missing += missing_keys(value, next(iter(actual.values())), f"{path}.<id>")
            elif key not in actual:
                missing.append(f"{path}.{key}")
            else:
                missing += missing_keys(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list) and isinstance(actual, list) and expected and actual:
        missing += missing_keys(expected[0], actual[0], f"{path}[]")
    elif type(expected) is not type(actual) and expected not in ({}, []):
        missing.append(f"{path}: {type(actual).__name__} instead of {type(expected).__name__}")
    return missing


def _collection(endpoint: str) -> str:
    """``GET *base*/brands/*brandId`` -> ``/brands``."""
    return "/" + endpoint.split("*base*/", 1)[1].split("/", 1)[0]


def _our_answer(shop_api: ShopClient, endpoint: str, status: int, keyed: bool) -> Any:
    method = endpoint.split()[0]
    if method == "POST":
        return shop_api.post("/products/filter", {"categories": 999_999_999} if status == 404 else {})
    listing = _collection(endpoint)
    if status == 404:
        return shop_api.get(f"{listing}/999999999" if listing != "/campaign-sites" else f"{listing}/nowhere")
    whole = shop_api.get(listing)
    if keyed or listing == "/product-ids":
        return whole
    return shop_api.get(f"{listing}/{next(iter(whole.json()))}")


@pytest.fixture
def world(api: ApiHarness, shop_world: ShopApiWorld) -> Catalogue:
    return api.call(_enrich, shop_world)


def test_every_documented_example_gets_an_answer_of_its_shape(shop_api: ShopClient, world: Catalogue) -> None:
    examples = http_examples()
    assert len(examples) >= 18
    problems: list[str] = []
    for endpoint, heading, status, body in examples:
        keyed = isinstance(body, dict) and all(isinstance(v, dict) for v in body.values())
        answer = _our_answer(shop_api, endpoint, status, keyed)
        label = f"{endpoint} ({heading})"
        if answer.status_code != status:
            problems.append(f"{label}: {answer.status_code} instead of {status}")
            continue
        ours = answer.json()
        if status >= 400:
            if set(ours["errors"]) != set(body["errors"]):
                problems.append(f"{label}: errors {ours['errors']} instead of {body['errors']}")
            continue
        problems += [f"{label}: {m}" for m in missing_keys(body, ours)]
    assert problems == []

    # The response tables (brands have no HTTP example) name keys too.
    checked = 0
    for row in _rows():
        for data, level in re.findall(r'\[parameter data="([^"]+)"[^\]]*sublevel=(\d)', row["text"]):
            if level != "2":
                continue
            entry = next(iter(shop_api.get(_collection(row["endpoint"])).json().values()))
            for key in data.split():
                assert key in entry, (row["endpoint"], key)
                checked += 1
    assert checked >= 6


def test_the_documented_filter_request_is_accepted(shop_api: ShopClient, shop_world: ShopApiWorld) -> None:
    """The request example, with our ids in place of Centra's demo ids (kept in the same JSON types)."""
    ids = shop_world.ids
    request = next(
        lenient_json(r["text"].partition("\n\n")[2]) for r in _rows() if r["headings"][-1] == "Request example"
    )
    ours = {
        "market": ids.markets["Europe"],
        "products": [str(ids.products["tee-black"]), str(ids.products["scarf-print"])],
        "categories": ids.categories["tops"],
    }
    assert set(request) == set(ours)
    assert all(type(ours[key]) is type(value) for key, value in request.items())
    answer = shop_api.post("/products/filter", ours)
    assert answer.status_code == 200
    assert list(answer.json()) == [str(ids.products["tee-black"])]

    # The product object has no example, only §2.3's list of keys.
    product = answer.json()[str(ids.products["tee-black"])]
    assert set(product) >= PRODUCT_KEYS, PRODUCT_KEYS - set(product)
    item = next(iter(product["items"].values()))
    assert {"item", "name", "ean", "sku", "stockByMarket"} <= set(item)
    market = next(iter(product["markets"].values()))
    assert {"stockOfAllItems", "pricesByPricelist"} <= set(market)
    price = next(iter(market["pricesByPricelist"].values()))
    assert {
        "price", "priceAsNumber", "priceBeforeDiscount", "priceBeforeDiscountAsNumber", "priceReduction",
        "priceReductionAsNumber", "discountPercent", "showAsOnSale", "newProduct",
    } <= set(price)  # fmt: skip
