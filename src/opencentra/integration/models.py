"""Who may call OpenCentra: API plugins, integration tokens, SOAP and admin users.

No secret is stored: only its SHA-256 (keys and tokens are 256-bit random, so
a slow KDF would add cost without adding safety) or, for admin passwords that
people choose, an argon2id hash. ``*_prefix`` keeps a few leading characters
so people can tell keys apart in lists without revealing them.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.db.base import Base, TimestampMixin, utcnow


class PluginType(enum.StrEnum):
    CHECKOUT = "checkout"
    SHOP = "shop"
    ORDER = "order"
    SUBSCRIPTION = "subscription"
    # Centra Webhook: outbound only (opencentra.webhooks); it serves no /api routes.
    WEBHOOK = "webhook"


class ApiPlugin(TimestampMixin, Base):
    """An API plugin on a store: its own base endpoint ``/api/<uri>`` and secret."""

    __tablename__ = "api_plugins"
    __table_args__ = (
        CheckConstraint(
            "type IN ('checkout', 'shop', 'order', 'subscription', 'webhook')",
            name="type",
        ),
        Index("ix_api_plugins_uri", "uri"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    # Several plugins may share a URI, as in Centra; /api/<uri>/<id> picks one.
    uri: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    secret_prefix: Mapped[str | None] = mapped_column(String(8))
    secret_issued_at: Mapped[datetime | None]
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IntegrationToken(TimestampMixin, Base):
    """A GraphQL Integration API token with permissions and an expiry."""

    __tablename__ = "integration_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Centra calls this the token's description; it also names the integration
    # for the events system and per-integration rate limits.
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(8))
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class SoapUser(TimestampMixin, Base):
    """A login for the deprecated SOAP ERP API (credentials travel in every body)."""

    __tablename__ = "soap_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    # argon2id ("$argon2id$..."); a bare SHA-256 hex digest from before is rehashed at its next login
    # (integration.soap_users, which also keeps argon2's ~180 ms off every SOAP call).
    password_hash: Mapped[str] = mapped_column(String(200))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(default=True)


class AdminUser(TimestampMixin, Base):
    """A person who uses the admin UI; the password is chosen, so argon2id."""

    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    # "administrator" (everything, SYSTEM included) or "store_manager" (the stores in admin_store_assignments).
    role: Mapped[str] = mapped_column(String(32), default="administrator", server_default="administrator")


class ExternalId(Base):
    """ID conversion: an integration's own id for one of our objects."""

    __tablename__ = "external_ids"
    __table_args__ = (
        UniqueConstraint("integration", "object_type", "external_id"),
        UniqueConstraint("integration", "object_type", "internal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    integration: Mapped[str] = mapped_column(String(200))
    object_type: Mapped[str] = mapped_column(String(64))
    internal_id: Mapped[int]
    external_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
