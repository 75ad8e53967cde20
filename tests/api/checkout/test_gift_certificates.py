"""Gift certificates over the Checkout API: buying one (predetermined or any amount) as the
selection's only line, its errors, paying for it, and redeeming the credit voucher it issues."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select
from tests.api.checkout.conftest import Browser, ShopIds, adapter_state, pay_body
from tests.conftest import ApiHarness

from opencentra.db.engine import Database
from opencentra.errors import Conflict, ValidationFailed
from opencentra.giftcards import services as gifts
from opencentra.giftcards.models import GiftCertificateType, IssuedGiftCertificate
from opencentra.mail import RecordingMailer
from opencentra.orders.models import Order
from opencentra.pricing.models import Voucher
from opencentra.stores.models import Currency

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "checkout-api.examples.jsonl"


async def _currency(db: Database, code: str) -> int:
    async with db.read() as session:
        found = await session.scalar(select(Currency.id).where(Currency.code == code))
        assert found is not None
        return found


async def _setup(db: Database, shop: ShopIds) -> None:
    sek, usd = await _currency(db, "SEK"), await _currency(db, "USD")
    await gifts.create_gift_certificate(
        db,
        gifts.GiftCertificateSpec(
            shop.store,
            "gift-2",
            "Pre-defined gift certificate",
            GiftCertificateType.PREDETERMINED,
            amounts={sek: Decimal(100), usd: Decimal("10.00")},
        ),
    )
    await gifts.create_gift_certificate(
        db,
        gifts.GiftCertificateSpec(
            shop.store, "gift-1", "Dynamic gift certificate", GiftCertificateType.ANY, currency_of_sale_only=False
        ),
    )
    await gifts.create_gift_certificate(
        db,
        gifts.GiftCertificateSpec(
            shop.store, "dollars", "Dollars only", GiftCertificateType.PREDETERMINED, amounts={usd: Decimal(20)}
        ),
    )
    await gifts.create_gift_certificate(
        db, gifts.GiftCertificateSpec(shop.store, "retired", "Retired", GiftCertificateType.ANY, active=False)
    )


@pytest.fixture
def certificates(api: ApiHarness, shop: ShopIds) -> None:
    api.call(_setup, shop)


async def _issued_code(db: Database) -> tuple[str, int, int]:
    async with db.read() as session:
        row = (
            await session.execute(
                select(Voucher.code, IssuedGiftCertificate.amount_minor, Order.grand_total_minor)
                .join(IssuedGiftCertificate, IssuedGiftCertificate.voucher_id == Voucher.id)
                .join(Order, Order.id == IssuedGiftCertificate.order_id)
            )
        ).one()
        assert row[0] is not None
        return row[0], row[1], row[2]


def test_buy_a_predetermined_certificate(browser: Browser, shop: ShopIds, certificates: None) -> None:
    browser.put("/countries/SE")
    browser.post(f"/items/{shop.items['tee-black-S']}")
    added = browser.post("/items/gift-certificates/gift-2")
    assert added.status_code == 200, added.text
    selection = added.json()["selection"]
    (item,) = selection["items"]  # the tee is gone: certificates are not mixed with products
    assert (item["giftCertificate"], item["item"], item["quantity"]) == ("gift-2", "gift-2", 1)
    assert item["priceEachAsNumber"] == 100 and item["product"] is None
    assert len(item["line"]) == 32
    totals = selection["totals"]
    assert (totals["itemsTotalPriceAsNumber"], totals["shippingPriceAsNumber"]) == (100, 0)
    assert (totals["grandTotalPriceAsNumber"], totals["grandTotalPriceTaxAsNumber"]) == (100, 0)
    assert totals["totalQuantity"] == 1
    # Reading it again shows the same.
    assert browser.get("/selection").json()["selection"]["items"][0]["giftCertificate"] == "gift-2"


def test_any_amount_and_one_at_a_time(browser: Browser, shop: ShopIds, certificates: None) -> None:
    browser.put("/countries/SE")
    first = browser.post("/items/gift-certificates/gift-1/amount/250")
    assert first.status_code == 200, first.text
    assert first.json()["selection"]["totals"]["grandTotalPriceAsNumber"] == 250
    decimals = browser.post("/items/gift-certificates/gift-1/amount/99.50").json()["selection"]
    assert [i["priceEachAsNumber"] for i in decimals["items"]] == [99.5]
    replaced = browser.post("/items/gift-certificates/gift-2").json()["selection"]
    assert [i["giftCertificate"] for i in replaced["items"]] == ["gift-2"]
    # A product replaces the certificate.
    product = browser.post(f"/items/{shop.items['tee-black-S']}").json()["selection"]
    assert [i["item"] for i in product["items"]] == [shop.items["tee-black-S"]]
    assert "giftCertificate" not in product["items"][0]


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/items/gift-certificates/nope", 404, "giftCertificate"),
        ("/items/gift-certificates/a%00b", 404, "giftCertificate"),
        ("/items/gift-certificates/" + "x" * 300, 404, "giftCertificate"),
        ("/items/gift-certificates/retired/amount/10", 404, "giftCertificate"),
        ("/items/gift-certificates/dollars", 404, "giftCertificate"),
        ("/items/gift-certificates/gift-2/amount/50", 406, "amount"),
        ("/items/gift-certificates/gift-1", 406, "amount"),
        ("/items/gift-certificates/gift-1/amount/0", 406, "amount"),
        ("/items/gift-certificates/gift-1/amount/-5", 406, "amount"),
        ("/items/gift-certificates/gift-1/amount/abc", 406, "amount"),
        ("/items/gift-certificates/gift-1/amount/NaN", 406, "amount"),
        ("/items/gift-certificates/gift-1/amount/1.234", 406, "amount"),
        ("/items/gift-certificates/gift-1/amount/1e9", 406, "amount"),
        ("/items/gift-certificates/gift-1/amount/" + "9" * 40, 406, "amount"),
    ],
)
def test_errors(browser: Browser, shop: ShopIds, certificates: None, path: str, status: int, field: str) -> None:
    browser.put("/countries/SE")
    browser.post(f"/items/{shop.items['tee-black-S']}")
    refused = browser.post(path)
    assert refused.status_code == status, refused.text
    body = refused.json()
    assert list(body["errors"]) == [field]
    assert body["token"] == browser.token
    # Nothing changed.
    assert [i["item"] for i in browser.get("/selection").json()["selection"]["items"]] == [shop.items["tee-black-S"]]


def test_remove_the_certificate_line(api: ApiHarness, browser: Browser, shop: ShopIds, certificates: None) -> None:
    browser.put("/countries/SE")
    line = browser.post("/items/gift-certificates/gift-2").json()["selection"]["items"][0]["line"]
    assert Browser(api.client).delete(f"/lines/{line}").status_code == 404  # another session
    assert browser.delete(f"/lines/{'a' * 32}").json()["errors"] == {"line": "line not found"}
    assert browser.delete("/lines/a%00b").status_code == 404
    removed = browser.delete(f"/lines/{line}")
    assert removed.status_code == 200
    assert removed.json()["selection"]["items"] == []
    assert browser.delete(f"/lines/{line}").status_code == 404


def test_pay_for_a_certificate_and_redeem_its_voucher(
    api: ApiHarness, browser: Browser, shop: ShopIds, certificates: None
) -> None:
    mailer = RecordingMailer()
    state = adapter_state(api)
    state.checkout = dataclasses.replace(state.checkout, mailer=mailer)
    browser.put("/countries/SE")
    browser.post("/items/gift-certificates/gift-1/amount/300")
    paid = browser.post("/payment", pay_body("test-card"))
    assert paid.status_code == 200, paid.text
    order = paid.json()["order"]
    assert order["totals"]["grandTotalPriceAsNumber"] == 300
    assert [(i["productName"], i["quantity"], i["priceEachAsNumber"]) for i in order["items"]] == [
        ("Dynamic gift certificate", 1, 300)
    ]
    code, amount_minor, grand_total = api.call(_issued_code)
    assert (amount_minor, grand_total) == (30000, 30000)
    # The buyer gets the code by email, once.
    assert [(m.to, m.kind) for m in mailer.sent] == [("shopper@example.com", "gift-certificate")]
    assert code in mailer.sent[0].text and "300.00 SEK" in mailer.sent[0].text
    assert browser.get("/receipt").status_code == 200
    assert len(mailer.sent) == 1
    # The buyer (or whoever they give it to) redeems the code as a voucher.
    friend = Browser(api.client)
    friend.put("/countries/SE")
    friend.post(f"/items/{shop.items['jeans-blue-M']}")
    redeemed = friend.post("/vouchers", {"voucher": code})
    assert redeemed.status_code == 200, redeemed.text
    totals = redeemed.json()["selection"]["totals"]
    assert totals["totalDiscountPriceAsNumber"] == -300
    assert totals["grandTotalPriceAsNumber"] == 800 + 50 - 300
    assert friend.post("/payment", pay_body("test-card")).status_code == 200
    # One use only.
    again = Browser(api.client)
    again.put("/countries/SE")
    again.post(f"/items/{shop.items['jeans-blue-M']}")
    assert again.post("/vouchers", {"voucher": code}).status_code == 404


def test_documented_definition_shape(wire_only: None) -> None:
    from opencentra.api.checkout.gift_shapes import certificate_body
    from opencentra.api.wire_amounts import priced
    from opencentra.storefront.reference import CurrencyInfo

    sek = CurrencyInfo(1, "SEK", "Swedish krona", 0, ".", "\u00a0", "", "\u00a0SEK", 100)
    info = gifts.CertificateInfo(1, "gift-2", "Pre-defined", GiftCertificateType.PREDETERMINED, True, False, {1: 100})
    body = certificate_body(info, {1: sek}, priced)
    assert body["amountByCurrency"] == {"SEK": {"amount": "100\u00a0SEK", "amountAsNumber": 100}}
    if FIXTURES.exists():
        for raw in FIXTURES.read_text().splitlines():
            entry = json.loads(raw)
            if "gift-certs" in entry["page"] and isinstance(entry["json"], dict):
                documented = entry["json"]["gift-2"]
                assert set(body) == set(documented)
                assert body["amountByCurrency"]["SEK"] == documented["amountByCurrency"]["SEK"]


async def test_definition_checks(db: Database) -> None:
    from tests.helpers import make_store

    store = await make_store(db)
    with pytest.raises(ValidationFailed):
        await gifts.create_gift_certificate(
            db, gifts.GiftCertificateSpec(store, "x", "X", GiftCertificateType.PREDETERMINED)
        )
    with pytest.raises(ValidationFailed):
        await gifts.create_gift_certificate(db, gifts.GiftCertificateSpec(store, "a b", "X", GiftCertificateType.ANY))
    await gifts.create_gift_certificate(db, gifts.GiftCertificateSpec(store, "x", "X", GiftCertificateType.ANY))
    with pytest.raises(Conflict):
        await gifts.create_gift_certificate(db, gifts.GiftCertificateSpec(store, "x", "Y", GiftCertificateType.ANY))


def test_replayed_payment_results_email_the_code_once(
    api: ApiHarness, browser: Browser, shop: ShopIds, certificates: None
) -> None:
    mailer = RecordingMailer()
    state = adapter_state(api)
    state.checkout = dataclasses.replace(state.checkout, mailer=mailer)
    browser.put("/countries/SE")
    browser.post("/items/gift-certificates/gift-2")
    started = browser.post("/payment", pay_body("test-redirect")).json()
    assert started["action"] == "redirect"
    fields = dict(parse_qsl(urlsplit(started["url"]).query))
    orders = set()
    for _ in range(3):
        result = browser.post("/payment-result", {"paymentMethodFields": fields})
        assert result.status_code == 200, result.text
        orders.add(result.json()["order"]["order"])
    assert len(orders) == 1
    assert [m.kind for m in mailer.sent] == ["gift-certificate"]


def test_a_certificate_bought_in_another_currency_does_not_count(
    browser: Browser, shop: ShopIds, certificates: None
) -> None:
    browser.put("/countries/SE")
    browser.post("/items/gift-certificates/gift-2")
    moved = browser.put("/countries/DE").json()["selection"]
    assert moved["items"] == [] and moved["totals"]["itemsTotalPriceAsNumber"] == 0
    address = {"email": "shopper@example.com", "country": "DE"}
    refused = browser.post("/payment", {**pay_body("test-card"), "address": address})
    assert (refused.status_code, refused.json()["errors"]) == (406, {"selection": "the selection is empty"})
