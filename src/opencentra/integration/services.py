"""Use cases for stores' API plugins, integration tokens, SOAP and admin users.

A secret is returned only by the call that issues it (create or rotate); it is
never stored, logged or shown again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import NotFound, Unauthorized, ValidationFailed
from opencentra.events import outbox
from opencentra.integration import secrets
from opencentra.integration.models import AdminUser, ApiPlugin, ExternalId, IntegrationToken, PluginType
from opencentra.integration.plugin_settings import PluginSettings, parse_settings, settings_to_json
from opencentra.integration.soap_users import authenticate_soap_user as authenticate_soap_user
from opencentra.integration.soap_users import create_soap_user as create_soap_user
from opencentra.integration.soap_users import deactivate_soap_user as deactivate_soap_user
from opencentra.integration.soap_users import rotate_soap_password as rotate_soap_password
from opencentra.passwords import hash_password, verify_password
from opencentra.stores.models import Store

DEFAULT_TOKEN_LIFETIME = timedelta(days=30)
_URI_ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class PluginView:
    """What a request needs to know about the plugin it was routed to."""

    id: int
    store_id: int
    type: PluginType
    name: str
    uri: str
    active: bool
    settings: PluginSettings
    secret_hash: str | None
    secret_prefix: str | None

    def check_secret(self, presented: str | None) -> bool:
        return secrets.matches(presented, self.secret_hash)

    @property
    def base(self) -> str:
        return f"/api/{self.uri}"


@dataclass(frozen=True)
class IssuedSecret:
    """A freshly issued secret and the id of what it belongs to: show once."""

    id: int
    secret: str


def _view(plugin: ApiPlugin) -> PluginView:
    return PluginView(
        id=plugin.id,
        store_id=plugin.store_id,
        type=PluginType(plugin.type),
        name=plugin.name,
        uri=plugin.uri,
        active=plugin.active,
        settings=parse_settings(plugin.type, plugin.settings),
        secret_hash=plugin.secret_hash,
        secret_prefix=plugin.secret_prefix,
    )


def validate_uri(uri: str) -> str:
    cleaned = uri.strip().strip("/").lower()
    if not cleaned or len(cleaned) > 100 or not set(cleaned) <= _URI_ALLOWED:
        raise ValidationFailed(
            "uri must be 1-100 characters of a-z, 0-9, '-' and '_'",
            field="uri",
        )
    if cleaned.isdigit():
        raise ValidationFailed("uri cannot be only digits (that form addresses a plugin id)", field="uri")
    return cleaned


async def _store_exists(session: Any, store_id: int) -> bool:
    return await session.get(Store, store_id) is not None


async def create_plugin(
    db: Database,
    *,
    store_id: int,
    plugin_type: PluginType | str,
    uri: str,
    name: str | None = None,
    settings: dict[str, Any] | None = None,
    active: bool = True,
) -> tuple[PluginView, str]:
    """Add an API plugin to a store; returns the plugin and its secret (shown once)."""
    parsed = parse_settings(plugin_type, settings)
    kind = PluginType(plugin_type)
    clean_uri = validate_uri(uri)
    secret = secrets.generate_secret()
    async with db.write() as session:
        if not await _store_exists(session, store_id):
            raise NotFound(f"store {store_id} not found", field="store")
        plugin = ApiPlugin(
            store_id=store_id,
            type=kind.value,
            name=name or f"{kind.value.title()} API",
            uri=clean_uri,
            active=active,
            secret_hash=secrets.hash_secret(secret),
            secret_prefix=secrets.secret_prefix(secret),
            secret_issued_at=utcnow(),
            settings=settings_to_json(parsed),
        )
        session.add(plugin)
        await session.flush()
        return _view(plugin), secret


async def list_plugins(db: Database, *, store_id: int | None = None) -> list[PluginView]:
    async with db.read() as session:
        query = select(ApiPlugin).order_by(ApiPlugin.id)
        if store_id is not None:
            query = query.where(ApiPlugin.store_id == store_id)
        return [_view(p) for p in (await session.scalars(query)).all()]


async def get_plugin(db: Database, plugin_id: int) -> PluginView:
    async with db.read() as session:
        plugin = await session.get(ApiPlugin, plugin_id)
        if plugin is None:
            raise NotFound(f"plugin {plugin_id} not found", field="plugin")
        return _view(plugin)


async def resolve_plugin(db: Database, uri: str, plugin_id: int | None = None) -> PluginView | None:
    """The plugin serving ``/api/<uri>`` (or the permalink ``/api/<uri>/<id>``).

    When several plugins share a URI, the active one with the lowest id
    answers; the permalink addresses one exactly. Inactive plugins are
    returned too, so the caller can answer 404 in that API's own format.
    """
    async with db.read() as session:
        query = select(ApiPlugin).where(ApiPlugin.uri == uri.lower())
        if plugin_id is not None:
            query = query.where(ApiPlugin.id == plugin_id)
        plugins = (await session.scalars(query.order_by(ApiPlugin.active.desc(), ApiPlugin.id))).all()
        return _view(plugins[0]) if plugins else None


async def rotate_plugin_secret(db: Database, plugin_id: int) -> IssuedSecret:
    """Issue a new secret; the old one stops working at once."""
    secret = secrets.generate_secret()
    async with db.write() as session:
        plugin = await session.get(ApiPlugin, plugin_id)
        if plugin is None:
            raise NotFound(f"plugin {plugin_id} not found", field="plugin")
        plugin.secret_hash = secrets.hash_secret(secret)
        plugin.secret_prefix = secrets.secret_prefix(secret)
        plugin.secret_issued_at = utcnow()
        return IssuedSecret(plugin.id, secret)


async def revoke_plugin_secret(db: Database, plugin_id: int) -> None:
    """Remove the plugin's secret: no key opens it until one is rotated in."""
    async with db.write() as session:
        plugin = await session.get(ApiPlugin, plugin_id)
        if plugin is None:
            raise NotFound(f"plugin {plugin_id} not found", field="plugin")
        plugin.secret_hash = None
        plugin.secret_prefix = None


async def update_plugin(
    db: Database,
    plugin_id: int,
    *,
    settings: dict[str, Any] | None = None,
    active: bool | None = None,
    name: str | None = None,
) -> PluginView:
    async with db.write() as session:
        plugin = await session.get(ApiPlugin, plugin_id)
        if plugin is None:
            raise NotFound(f"plugin {plugin_id} not found", field="plugin")
        if settings is not None:
            plugin.settings = settings_to_json(parse_settings(plugin.type, settings))
        if active is not None:
            plugin.active = active
        if name is not None:
            plugin.name = name
        await session.flush()
        return _view(plugin)


# --- GraphQL integration tokens -------------------------------------------------


@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    permissions: frozenset[str]
    store_id: int | None
    expires_at: datetime | None
    revoked: bool


def _token_view(token: IntegrationToken) -> TokenView:
    return TokenView(
        id=token.id,
        name=token.name,
        permissions=frozenset(token.permissions),
        store_id=token.store_id,
        expires_at=token.expires_at,
        revoked=token.revoked_at is not None,
    )


async def create_token(
    db: Database,
    *,
    name: str,
    permissions: list[str],
    store_id: int | None = None,
    lifetime: timedelta | None = DEFAULT_TOKEN_LIFETIME,
) -> tuple[TokenView, str]:
    """Issue an integration token; ``lifetime=None`` means it never expires."""
    if not name.strip():
        raise ValidationFailed("a token needs a name (its integration's description)", field="name")
    if not permissions:
        raise ValidationFailed("a token needs at least one permission", field="permissions")
    if lifetime is not None and lifetime <= timedelta(0):
        raise ValidationFailed("lifetime must be positive", field="lifetime")
    secret = secrets.generate_secret()
    async with db.write() as session:
        if store_id is not None and not await _store_exists(session, store_id):
            raise NotFound(f"store {store_id} not found", field="store")
        token = IntegrationToken(
            name=name.strip(),
            token_hash=secrets.hash_secret(secret),
            token_prefix=secrets.secret_prefix(secret),
            permissions=sorted(set(permissions)),
            store_id=store_id,
            expires_at=utcnow() + lifetime if lifetime is not None else None,
        )
        session.add(token)
        await session.flush()
        return _token_view(token), secret


async def authenticate_token(db: Database, presented: str | None) -> TokenView:
    """The token for a presented secret; ``Unauthorized`` if unknown, revoked or expired."""
    if not presented:
        raise Unauthorized("missing token")
    digest = secrets.hash_secret(presented)
    async with db.read() as session:
        token = await session.scalar(select(IntegrationToken).where(IntegrationToken.token_hash == digest))
        if token is None or not secrets.matches(presented, token.token_hash):
            raise Unauthorized("invalid token")
        if token.revoked_at is not None:
            raise Unauthorized("token revoked")
        if token.expires_at is not None and token.expires_at <= utcnow():
            raise Unauthorized("token expired")
        return _token_view(token)


async def revoke_token(db: Database, token_id: int) -> None:
    async with db.write() as session:
        token = await session.get(IntegrationToken, token_id)
        if token is None:
            raise NotFound(f"token {token_id} not found", field="token")
        token.revoked_at = token.revoked_at or utcnow()


async def rotate_token(db: Database, token_id: int) -> IssuedSecret:
    """A new secret for the same token (name, permissions); the old one stops working."""
    secret = secrets.generate_secret()
    async with db.write() as session:
        token = await session.get(IntegrationToken, token_id)
        if token is None:
            raise NotFound(f"token {token_id} not found", field="token")
        token.token_hash = secrets.hash_secret(secret)
        token.token_prefix = secrets.secret_prefix(secret)
        token.revoked_at = None
        if token.expires_at is not None:
            token.expires_at = utcnow() + DEFAULT_TOKEN_LIFETIME
        return IssuedSecret(token.id, secret)


async def find_token_by_name(db: Database, name: str) -> TokenView | None:
    async with db.read() as session:
        token = await session.scalar(
            select(IntegrationToken).where(IntegrationToken.name == name).order_by(IntegrationToken.id).limit(1)
        )
        return _token_view(token) if token else None


# --- SOAP users -----------------------------------------------------------------


# create_soap_user, rotate_soap_password, authenticate_soap_user and deactivate_soap_user live with the
# SOAP login in ``integration.soap_users`` (argon2id and the verified-login cache) and are imported above.


# --- Admin users ----------------------------------------------------------------

MIN_ADMIN_PASSWORD = 8


async def set_admin_password(db: Database, *, username: str, password: str) -> None:
    """Create the admin user, or set its password if it exists."""
    if len(password) < MIN_ADMIN_PASSWORD:
        raise ValidationFailed(f"admin passwords need at least {MIN_ADMIN_PASSWORD} characters", field="password")
    hashed = await hash_password(password)
    async with db.write() as session:
        user = await session.scalar(select(AdminUser).where(AdminUser.username == username))
        if user is None:
            session.add(AdminUser(username=username, password_hash=hashed))
        else:
            user.password_hash = hashed
            user.active = True


async def authenticate_admin(db: Database, username: str, password: str) -> int:
    async with db.read() as session:
        user = await session.scalar(select(AdminUser).where(AdminUser.username == username))
        stored = user.password_hash if user is not None and user.active else None
    if user is None or not await verify_password(stored, password):
        raise Unauthorized("invalid username or password")
    return user.id


async def deactivate_admin(db: Database, username: str) -> None:
    """Revoke an admin's access; ``set_admin_password`` makes it usable again."""
    async with db.write() as session:
        user = await session.scalar(select(AdminUser).where(AdminUser.username == username))
        if user is None:
            raise NotFound(f"admin {username!r} not found", field="username")
        user.active = False


# --- ID conversion ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExternalIdView:
    """One mapping of an integration's id to one of ours."""

    id: int
    integration: str
    object_type: str
    internal_id: int
    external_id: str


def _check_external(integration: str, object_type: str, external_id: str) -> None:
    if not integration.strip():
        raise ValidationFailed("integration name is required", field="integration")
    if not object_type.strip():
        raise ValidationFailed("object type is required", field="objectType")
    if not external_id.strip() or len(external_id) > 200:
        raise ValidationFailed("external id must be 1-200 characters", field="externalId")


async def set_external_id(
    db: Database, *, integration: str, object_type: str, internal_id: int, external_id: str
) -> ExternalIdView:
    """Map an integration's own id to one of ours (replacing an earlier mapping
    of either side), so it can address our objects by its ids; the mapping written."""
    _check_external(integration, object_type, external_id)
    async with db.write() as session:
        existing = (
            await session.scalars(
                select(ExternalId).where(
                    ExternalId.integration == integration,
                    ExternalId.object_type == object_type,
                    (ExternalId.internal_id == internal_id) | (ExternalId.external_id == external_id),
                )
            )
        ).all()
        replaced = [row.external_id for row in existing]
        for row in existing:
            await session.delete(row)
        await session.flush()
        mapping = ExternalId(
            integration=integration, object_type=object_type, internal_id=internal_id, external_id=external_id
        )
        session.add(mapping)
        await session.flush()
        await outbox.record(
            session,
            "external_id",
            mapping.id,
            "updated" if existing else "created",
            {
                "integration": integration,
                "object_type": object_type,
                "internal_id": internal_id,
                "external_id": external_id,
                "replaced": replaced,
            },
        )
        return ExternalIdView(
            id=mapping.id,
            integration=integration,
            object_type=object_type,
            internal_id=internal_id,
            external_id=external_id,
        )


async def internal_ids(db: Database, *, integration: str, object_type: str, external_ids: list[str]) -> dict[str, int]:
    """Our ids for an integration's ids; unknown ones are left out."""
    if not external_ids:
        return {}
    async with db.read() as session:
        rows = await session.execute(
            select(ExternalId.external_id, ExternalId.internal_id).where(
                ExternalId.integration == integration,
                ExternalId.object_type == object_type,
                ExternalId.external_id.in_(external_ids),
            )
        )
        return {external: internal for external, internal in rows.all()}


async def external_ids(db: Database, *, integration: str, object_type: str, internal_ids: list[int]) -> dict[int, str]:
    """An integration's ids for ours; unmapped ones are left out."""
    if not internal_ids:
        return {}
    async with db.read() as session:
        rows = await session.execute(
            select(ExternalId.internal_id, ExternalId.external_id).where(
                ExternalId.integration == integration,
                ExternalId.object_type == object_type,
                ExternalId.internal_id.in_(internal_ids),
            )
        )
        return {internal: external for internal, external in rows.all()}
