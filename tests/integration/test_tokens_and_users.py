from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, Unauthorized, ValidationFailed
from opencentra.integration import services
from opencentra.integration.models import AdminUser, IntegrationToken, SoapUser


async def test_token_lifecycle(db: Database) -> None:
    token, secret = await services.create_token(
        db, name="ERP", permissions=["Order:read", "Order:read", "Product:write"]
    )
    assert token.permissions == frozenset({"Order:read", "Product:write"})
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - utcnow() <= timedelta(days=30)
    assert (await services.authenticate_token(db, secret)).id == token.id
    async with db.read() as session:
        stored = (await session.scalars(select(IntegrationToken))).one()
    assert secret not in stored.token_hash

    with pytest.raises(Unauthorized):
        await services.authenticate_token(db, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    with pytest.raises(Unauthorized):
        await services.authenticate_token(db, None)

    rotated = await services.rotate_token(db, token.id)
    with pytest.raises(Unauthorized):
        await services.authenticate_token(db, secret)
    assert (await services.authenticate_token(db, rotated.secret)).id == token.id

    await services.revoke_token(db, token.id)
    with pytest.raises(Unauthorized, match="revoked"):
        await services.authenticate_token(db, rotated.secret)


async def test_expired_token_is_refused(db: Database) -> None:
    token, secret = await services.create_token(db, name="PIM", permissions=["Product:read"])
    async with db.write() as session:
        await session.execute(
            update(IntegrationToken).where(IntegrationToken.id == token.id).values(expires_at=utcnow())
        )
    with pytest.raises(Unauthorized, match="expired"):
        await services.authenticate_token(db, secret)


async def test_token_needs_name_and_permissions(db: Database) -> None:
    with pytest.raises(ValidationFailed) as no_perm:
        await services.create_token(db, name="x", permissions=[])
    assert no_perm.value.field == "permissions"
    with pytest.raises(ValidationFailed) as no_name:
        await services.create_token(db, name=" ", permissions=["Order:read"])
    assert no_name.value.field == "name"


async def test_soap_user_password_is_generated_and_hashed(db: Database) -> None:
    password = await services.create_soap_user(db, username="erp")
    user_id = await services.authenticate_soap_user(db, "erp", password)
    async with db.read() as session:
        stored = (await session.scalars(select(SoapUser))).one()
    assert stored.id == user_id and password not in stored.password_hash
    with pytest.raises(Unauthorized):
        await services.authenticate_soap_user(db, "erp", "wrong")
    with pytest.raises(Unauthorized):
        await services.authenticate_soap_user(db, "nobody", password)
    with pytest.raises(Conflict):
        await services.create_soap_user(db, username="erp")
    new_password = await services.rotate_soap_password(db, "erp")
    with pytest.raises(Unauthorized):
        await services.authenticate_soap_user(db, "erp", password)
    assert await services.authenticate_soap_user(db, "erp", new_password) == user_id


async def test_admin_password_uses_argon2id(db: Database) -> None:
    await services.set_admin_password(db, username="admin", password="correct horse")
    async with db.read() as session:
        stored = (await session.scalars(select(AdminUser))).one()
    assert stored.password_hash.startswith("$argon2id$")
    assert await services.authenticate_admin(db, "admin", "correct horse") == stored.id
    with pytest.raises(Unauthorized):
        await services.authenticate_admin(db, "admin", "wrong horse")
    with pytest.raises(Unauthorized):
        await services.authenticate_admin(db, "ghost", "correct horse")
    with pytest.raises(ValidationFailed):
        await services.set_admin_password(db, username="admin", password="short")


async def test_deactivating_soap_and_admin_users(db: Database) -> None:
    password = await services.create_soap_user(db, username="erp")
    await services.deactivate_soap_user(db, "erp")
    with pytest.raises(Unauthorized):
        await services.authenticate_soap_user(db, "erp", password)
    await services.set_admin_password(db, username="ops", password="long enough")
    await services.deactivate_admin(db, "ops")
    with pytest.raises(Unauthorized):
        await services.authenticate_admin(db, "ops", "long enough")


async def test_external_ids_map_both_ways(db: Database) -> None:
    await services.set_external_id(db, integration="erp", object_type="Product", internal_id=1, external_id="SKU-1")
    await services.set_external_id(db, integration="erp", object_type="Product", internal_id=2, external_id="SKU-2")
    await services.set_external_id(db, integration="pim", object_type="Product", internal_id=1, external_id="P1")
    assert await services.internal_ids(
        db, integration="erp", object_type="Product", external_ids=["SKU-1", "SKU-2", "nope"]
    ) == {"SKU-1": 1, "SKU-2": 2}
    # Re-mapping an internal id replaces its earlier external id.
    await services.set_external_id(db, integration="erp", object_type="Product", internal_id=1, external_id="SKU-9")
    assert await services.external_ids(db, integration="erp", object_type="Product", internal_ids=[1, 2]) == {
        1: "SKU-9",
        2: "SKU-2",
    }
    assert await services.external_ids(db, integration="pim", object_type="Product", internal_ids=[1]) == {1: "P1"}
    with pytest.raises(ValidationFailed):
        await services.set_external_id(db, integration="erp", object_type="Product", internal_id=3, external_id="")
