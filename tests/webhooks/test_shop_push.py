"""The Shop API plugin's push URL: changed ids by section, from its own outbox consumer, on the webhooks'
mechanism."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import orjson
import pytest
from tests.api.checkout.conftest import ShopIds, build_shop
from tests.helpers import make_store
from tests.webhooks.conftest import SERVER_KEY, T0, Receiver

from opencentra import webhooks
from opencentra.app import create_app
from opencentra.config import Settings
from opencentra.db.engine import Database
from opencentra.errors import ValidationFailed
from opencentra.events import find_consumer, outbox
from opencentra.integration import services as integration
from opencentra.integration.plugin_forms import setting_fields
from opencentra.inventory import set_physical
from opencentra.webhooks import services, shop_push

SECTIONS = [
    "statics",
    "products",
    "pricelists",
    "markets",
    "maps",
    "giftCertificates",
    "cms",
    "categories",
    "campaignSites",
    "campaigns",
    "affiliates",
]


def pushed(body: bytes) -> dict[str, list[str]]:
    changed: dict[str, list[str]] = orjson.loads(parse_qs(body.decode("ascii"))["payload"][0])
    return changed


async def _run(db: Database, *, server_key: str | None = None, **kwargs: Any) -> webhooks.RunResult:
    return await webhooks.deliver_due(
        db, server_key=server_key, allow_private=True, now=kwargs.pop("now", T0), **kwargs
    )


async def _push_plugin(db: Database, store: int, url: str) -> int:
    plugin, _ = await integration.create_plugin(
        db, store_id=store, plugin_type="shop", uri="shop-push", settings={"push_url": url}
    )
    return plugin.id


def test_the_shop_plugin_declares_its_push_url() -> None:
    fields = {field.name: field for field in setting_fields("shop")}
    assert fields["push_url"].kind.value == "text" and fields["push_url"].optional
    assert fields["push_url"].default is None


async def test_a_push_url_must_be_http(db: Database) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await integration.create_plugin(
            db, store_id=1, plugin_type="shop", uri="bad-push", settings={"push_url": "ftp://example.com/x"}
        )
    assert refused.value.field == "settings.push_url"


async def test_changes_reach_the_push_url_as_changed_ids_by_section(db: Database, receiver: Receiver) -> None:
    shop: ShopIds = await build_shop(db)
    plugin = await _push_plugin(db, shop.store, receiver.url("/ok"))
    # The first round registers the plugin's consumer: it gets changes from then on, not the history.
    assert (await _run(db)).enqueued == 0
    assert receiver.requests == []

    other = await make_store(db, "Other")
    async with db.write() as session:
        await set_physical(session, shop.warehouse, shop.sizes["tee-black-M"], 3)
        await outbox.record(session, "category", shop.categories["tops"], "updated", {}, store_id=shop.store)
        await outbox.record(session, "gift_certificate", 7, "created", {"uri": "gift-50"}, store_id=shop.store)
        await outbox.record(session, "market", shop.markets["Europe"], "updated", {}, store_id=shop.store)
        await outbox.record(session, "order", 1, "created", {}, store_id=shop.store)  # not the Shop API's
        await outbox.record(session, "category", 999, "updated", {}, store_id=other)  # another store

    result = await _run(db)

    assert (result.enqueued, result.delivered) == (1, 1)
    [call] = receiver.requests
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "x-centra-signature" not in call.headers  # no secret issued: unsigned, as Centra's push is
    assert len(call.headers["x-opencentra-delivery-id"]) == 32
    changed = pushed(call.body)
    assert list(changed) == SECTIONS  # every section, empty ones too
    # Products by the ids the Shop API keys them by (display items), a stock change found through its size.
    assert changed["products"] == [str(shop.products["tee-black"])]
    assert changed["categories"] == [str(shop.categories["tops"])]
    assert changed["giftCertificates"] == ["gift-50"]
    assert changed["markets"] == [str(shop.markets["Europe"])]
    assert changed["statics"] == changed["campaigns"] == []
    # Done is done.
    assert (await _run(db, now=T0 + timedelta(minutes=1))).sent == 0
    [row] = await webhooks.deliveries(db, plugin_id=plugin)
    assert row.status is webhooks.DeliveryStatus.DELIVERED


async def test_a_push_is_signed_once_a_secret_is_issued_and_retried_when_refused(
    db: Database, receiver: Receiver
) -> None:
    shop = await build_shop(db)
    plugin = await _push_plugin(db, shop.store, receiver.url("/flaky"))
    secret = await webhooks.issue_signing_secret(db, plugin, server_key=SERVER_KEY)
    async with db.write() as session:
        await outbox.record(session, "campaign", 5, "updated", {}, store_id=shop.store)

    first = await _run(db, server_key=SERVER_KEY)
    assert first.retrying == 1
    receiver.flaky_status = 200
    again = await _run(db, server_key=SERVER_KEY, now=T0 + timedelta(seconds=30))
    assert again.delivered == 1
    assert len({call.headers["x-opencentra-delivery-id"] for call in receiver.requests}) == 1
    last = receiver.requests[-1]
    now = int((T0 + timedelta(seconds=30)).timestamp())
    assert webhooks.verify(secret, last.headers["x-centra-signature"], last.body, now=now)
    assert pushed(last.body)["campaigns"] == ["5"]


async def test_a_push_to_a_private_address_is_refused_without_the_setting(db: Database, receiver: Receiver) -> None:
    shop = await build_shop(db)
    await _push_plugin(db, shop.store, receiver.url("/ok"))
    await webhooks.deliver_due(db, server_key=None, now=T0)
    async with db.write() as session:
        await outbox.record(session, "pricelist", shop.pricelists["SEK"], "updated", {}, store_id=shop.store)
    result = await webhooks.deliver_due(db, server_key=None, now=T0)
    assert (result.retrying, receiver.requests) == (1, [])
    [row] = await webhooks.deliveries(db)
    assert row.last_error is not None and row.last_error.startswith("refused:")


async def test_changes_the_shop_api_does_not_show_make_no_push(db: Database, receiver: Receiver) -> None:
    shop = await build_shop(db)
    await _push_plugin(db, shop.store, receiver.url("/ok"))
    await _run(db)
    async with db.write() as session:
        await outbox.record(session, "product", 10_000, "updated", {}, store_id=None)  # on no display
    assert (await _run(db)).enqueued == 0
    assert receiver.requests == []


def test_a_push_too_large_splits_its_ids_in_two() -> None:
    payload = shop_push.payload_json({"products": ["1", "2", "3"], "categories": ["4"]})
    first, second = (orjson.loads(part) for part in shop_push.halves(payload))
    assert (first["products"], second["products"], second["categories"]) == (["1", "2"], ["3"], ["4"])
    assert shop_push.size(payload) == 4


async def test_the_servers_background_sender_pushes(db: Database, receiver: Receiver) -> None:
    shop = await build_shop(db)
    plugin = await _push_plugin(db, shop.store, receiver.url("/ok"))
    settings = Settings(
        database_url=str(db.url), webhooks_key=SERVER_KEY, webhooks_allow_private=True, webhooks_deliver_seconds=0.05
    )
    app = create_app(settings, database=db)
    async with app.router.lifespan_context(app):
        # The server's first round registers the push consumer; changes after it are pushed.
        for _ in range(400):
            async with db.read() as session:
                if await find_consumer(session, services.push_consumer_name(plugin)) is not None:
                    break
            await asyncio.sleep(0.025)
        async with db.write() as session:
            await outbox.record(session, "category", shop.categories["tops"], "updated", {}, store_id=shop.store)
        for _ in range(400):
            if receiver.requests:
                break
            await asyncio.sleep(0.025)
    assert pushed(receiver.requests[0].body)["categories"] == [str(shop.categories["tops"])]
