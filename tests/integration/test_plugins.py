from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.helpers import make_store

from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.integration import services
from opencentra.integration.models import ApiPlugin, PluginType
from opencentra.integration.plugin_settings import OrderSettings


async def test_create_plugin_stores_only_a_hash_of_the_secret(db: Database) -> None:
    store_id = await make_store(db)
    plugin, secret = await services.create_plugin(db, store_id=store_id, plugin_type="order", uri="order-api")
    assert len(secret) >= 43
    async with db.read() as session:
        row = (await session.scalars(select(ApiPlugin))).one()
    assert secret not in (row.secret_hash or "")
    assert secret not in str(row.settings)
    assert row.secret_hash is not None and len(row.secret_hash) == 64
    assert plugin.check_secret(secret)
    assert not plugin.check_secret(secret + "x")
    assert not plugin.check_secret(None)


async def test_rotate_makes_old_secret_useless(db: Database) -> None:
    store_id = await make_store(db)
    plugin, old = await services.create_plugin(db, store_id=store_id, plugin_type="checkout", uri="checkout")
    issued = await services.rotate_plugin_secret(db, plugin.id)
    fresh = await services.get_plugin(db, plugin.id)
    assert fresh.check_secret(issued.secret)
    assert not fresh.check_secret(old)


async def test_revoke_leaves_no_working_secret(db: Database) -> None:
    store_id = await make_store(db)
    plugin, secret = await services.create_plugin(db, store_id=store_id, plugin_type="shop", uri="shop")
    await services.revoke_plugin_secret(db, plugin.id)
    fresh = await services.get_plugin(db, plugin.id)
    assert not fresh.check_secret(secret)
    assert not fresh.check_secret("")


async def test_settings_are_validated_per_type_naming_the_field(db: Database) -> None:
    store_id = await make_store(db)
    with pytest.raises(ValidationFailed) as wrong_type:
        await services.create_plugin(
            db, store_id=store_id, plugin_type="order", uri="o", settings={"allow_order_create": "yes"}
        )
    assert wrong_type.value.field == "settings.allow_order_create"
    with pytest.raises(ValidationFailed) as unknown:
        await services.create_plugin(db, store_id=store_id, plugin_type="order", uri="o", settings={"colour": 1})
    assert unknown.value.field == "settings.colour"
    with pytest.raises(ValidationFailed) as bad_type:
        await services.create_plugin(db, store_id=store_id, plugin_type="soap", uri="o")
    assert bad_type.value.field == "type"
    plugin, _ = await services.create_plugin(
        db,
        store_id=store_id,
        plugin_type=PluginType.ORDER,
        uri="o",
        settings={"primary_warehouse": 3, "markets": [1, 2], "allow_order_create": True},
    )
    assert isinstance(plugin.settings, OrderSettings)
    assert plugin.settings.markets == (1, 2)
    assert plugin.settings.allow_order_create is True
    async with db.read() as session:
        assert await session.scalar(select(ApiPlugin).where(ApiPlugin.uri == "o")) is not None


@pytest.mark.parametrize("uri", ["", "has space", "UPPER/slash", "123", "x" * 101])
async def test_bad_uris_are_refused(db: Database, uri: str) -> None:
    store_id = await make_store(db)
    with pytest.raises(ValidationFailed) as error:
        await services.create_plugin(db, store_id=store_id, plugin_type="order", uri=uri)
    assert error.value.field == "uri"


async def test_plugin_for_unknown_store_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound):
        await services.create_plugin(db, store_id=999, plugin_type="order", uri="order")


async def test_resolve_prefers_active_plugin_and_permalink(db: Database) -> None:
    store_id = await make_store(db)
    first, _ = await services.create_plugin(db, store_id=store_id, plugin_type="checkout", uri="shared", active=False)
    second, _ = await services.create_plugin(db, store_id=store_id, plugin_type="checkout", uri="shared")
    resolved = await services.resolve_plugin(db, "shared")
    assert resolved is not None and resolved.id == second.id
    by_id = await services.resolve_plugin(db, "shared", first.id)
    assert by_id is not None and by_id.id == first.id and not by_id.active
    assert await services.resolve_plugin(db, "other") is None
    assert await services.resolve_plugin(db, "shared", 424242) is None
