"""Settings from command-line flags and ``OPENCENTRA_*`` environment variables.

Flags win over the environment, which wins over the defaults. Every value is
checked here so a bad one stops the program with one clear line.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from opencentra.db.engine import normalize_database_url
from opencentra.errors import ValidationFailed
from opencentra.mail import SmtpConfig
from opencentra.ratelimit import PLANS

DEFAULT_DATABASE_URL = "sqlite:///./opencentra.db"
ENV_PREFIX = "OPENCENTRA_"
LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    # Proxies whose X-Forwarded-For names the real client ("10.0.0.1,10.0.0.0/8"
    # or "*"); the login throttle counts per client. Empty trusts none.
    forwarded_allow_ips: str = ""
    graphiql: bool = False
    log_level: str = "info"
    # Largest request body any API accepts, in bytes (api.body_limit: 413 in the API's own format).
    max_body_bytes: int = 1_000_000
    # How long a process reuses a plugin looked up by URI (settings, secret
    # hash). A rotated or revoked secret stops working in other processes
    # within this time; 0 looks the plugin up on every request.
    plugin_cache_seconds: float = 1.0
    # GraphQL rate limits: a plan name from opencentra.ratelimit.PLANS, and
    # whether each integration gets its own quota (under an instance-wide
    # ceiling of twice the plan) or all share one (Centra's way).
    ratelimit_plan: str = "growth"
    ratelimit_per_integration: bool = True
    # Outgoing email (password resets, order confirmations):
    # smtp://user:password@host:port?from=shop@example.com (smtps:// for TLS,
    # ?starttls=true to upgrade). None logs that an email would be sent.
    smtp_url: str | None = None
    # How often the app deletes expired shopper sessions; 0 turns it off.
    session_purge_seconds: float = 3600.0
    # How often the app records prices in force (the history behind lowestPrice); 0 turns it off.
    price_history_seconds: float = 3600.0
    # Outbound webhooks (opencentra.webhooks): how often the app looks for deliveries to send (0: off,
    # then run `opencentra webhooks deliver`); whether receivers may be on loopback, link-local or
    # private addresses or other ports than 80/443 (local development only); the server key the
    # plugins' signing secrets are derived from (at least 32 characters; docs/compatibility/webhooks.md).
    webhooks_deliver_seconds: float = 2.0
    webhooks_allow_private: bool = False
    webhooks_key: str | None = field(default=None, repr=False)
    # Operations (docs/operations.md): /metrics answers only when a token is set, and only to
    # "Authorization: Bearer <token>"; logs as uvicorn's text lines or one JSON object a line.
    metrics_token: str | None = field(default=None, repr=False)
    log_format: str = "text"
    # How often the app makes the subscription renewal orders that are due (0: off, then run
    # `opencentra subscriptions run-due` from cron); safe on any number of processes.
    renewal_seconds: float = 60.0
    # Whether this app process also runs the background loops above (renewals, webhook delivery, session
    # purge, price history). False (`serve --no-background`): it only serves; `opencentra worker` runs them.
    background: bool = True
    # Largest request body of the SOAP ERP API (api.body_limit; a SOAP fault 413): an ERP pushes
    # 1,000 products with variations, sizes and stock in one products_Update (about 2.2 MB).
    soap_max_body_bytes: int = 16_000_000
    extra: Mapping[str, str] = field(default_factory=dict)

    def without_background(self) -> Settings:
        """These settings with every background loop off (an app server beside ``opencentra worker``)."""
        return replace(
            self,
            background=False,
            session_purge_seconds=0,
            price_history_seconds=0,
            webhooks_deliver_seconds=0,
            renewal_seconds=0,
        )

    def with_overrides(self, **overrides: object) -> Settings:
        """A copy with the given non-None values, validated."""
        clean = {key: value for key, value in overrides.items() if value is not None}
        return validate(replace(self, **clean))  # type: ignore[arg-type]


def _bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValidationFailed(f"{ENV_PREFIX}{name} must be true or false, not {raw!r}", field=name.lower())


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(f"{ENV_PREFIX}{name} must be a whole number, not {raw!r}", field=name.lower()) from None


def _forwarded_allow_ips(raw: str) -> str:
    """The trusted proxies, checked and normalized to ``a,b/n`` (``*``: any)."""
    entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
    if entries == ["*"]:
        return "*"
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValidationFailed(
                f"forwarded-allow-ips: {entry!r} is not an IP address or network (or use * alone)",
                field="forwarded_allow_ips",
            ) from None
    return ",".join(entries)


def validate(settings: Settings) -> Settings:
    normalize_database_url(settings.database_url)
    if settings.forwarded_allow_ips:
        settings = replace(settings, forwarded_allow_ips=_forwarded_allow_ips(settings.forwarded_allow_ips))
    if settings.redis_url is not None:
        parts = urlsplit(settings.redis_url)
        if parts.scheme not in {"redis", "rediss", "unix"} or (parts.scheme != "unix" and not parts.hostname):
            raise ValidationFailed(
                f"invalid Redis URL {settings.redis_url!r}: expected redis://host:port/db", field="redis"
            )
    if not 0 < settings.port < 65536:
        raise ValidationFailed(f"port must be 1-65535, not {settings.port}", field="port")
    if not 1 <= settings.workers <= 64:
        raise ValidationFailed(f"workers must be 1-64, not {settings.workers}", field="workers")
    if settings.workers > 1 and settings.redis_url is None:
        raise ValidationFailed(
            "more than one worker needs --redis (rate limits must be shared between processes)", field="workers"
        )
    if settings.ratelimit_plan not in PLANS:
        raise ValidationFailed(
            f"unknown rate-limit plan {settings.ratelimit_plan!r}: use one of {', '.join(PLANS)}",
            field="ratelimit_plan",
        )
    if not 0 <= settings.plugin_cache_seconds <= 60:
        raise ValidationFailed("plugin cache time must be 0-60 seconds", field="plugin_cache_seconds")
    if settings.smtp_url is not None:
        SmtpConfig.from_url(settings.smtp_url)
    if settings.session_purge_seconds < 0:
        raise ValidationFailed("session purge interval must be 0 (off) or more seconds", field="session_purge_seconds")
    if settings.price_history_seconds < 0:
        raise ValidationFailed("price history interval must be 0 (off) or more seconds", field="price_history_seconds")
    if settings.webhooks_deliver_seconds < 0:
        raise ValidationFailed("webhook delivery interval must be 0 (off) or more seconds", field="webhooks")
    if settings.webhooks_key is not None and len(settings.webhooks_key) < 32:
        raise ValidationFailed(f"{ENV_PREFIX}WEBHOOKS_KEY must be at least 32 characters", field="webhooks_key")
    if settings.renewal_seconds < 0:
        raise ValidationFailed("renewal interval must be 0 (off) or more seconds", field="renewal_seconds")
    if settings.max_body_bytes < 1024:
        raise ValidationFailed("max body size must be at least 1024 bytes", field="max_body_bytes")
    if settings.soap_max_body_bytes < 1024:
        raise ValidationFailed("SOAP max body size must be at least 1024 bytes", field="soap_max_body_bytes")
    if settings.metrics_token is not None and len(settings.metrics_token) < 16:
        raise ValidationFailed(f"{ENV_PREFIX}METRICS_TOKEN must be at least 16 characters", field="metrics_token")
    if settings.log_format not in LOG_FORMATS:
        raise ValidationFailed(
            f"log format must be one of {', '.join(LOG_FORMATS)}, not {settings.log_format!r}", field="log_format"
        )
    return settings


def from_environment(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    if raw := env.get(f"{ENV_PREFIX}DATABASE_URL"):
        values["database_url"] = raw
    if raw := env.get(f"{ENV_PREFIX}REDIS_URL"):
        values["redis_url"] = raw
    if raw := env.get(f"{ENV_PREFIX}HOST"):
        values["host"] = raw
    if raw := env.get(f"{ENV_PREFIX}PORT"):
        values["port"] = _int("PORT", raw)
    if raw := env.get(f"{ENV_PREFIX}WORKERS"):
        values["workers"] = _int("WORKERS", raw)
    if raw := env.get(f"{ENV_PREFIX}FORWARDED_ALLOW_IPS"):
        values["forwarded_allow_ips"] = raw
    if raw := env.get(f"{ENV_PREFIX}GRAPHIQL"):
        values["graphiql"] = _bool("GRAPHIQL", raw)
    if raw := env.get(f"{ENV_PREFIX}LOG_LEVEL"):
        values["log_level"] = raw
    if raw := env.get(f"{ENV_PREFIX}PLUGIN_CACHE_SECONDS"):
        try:
            values["plugin_cache_seconds"] = float(raw)
        except ValueError:
            raise ValidationFailed(f"{ENV_PREFIX}PLUGIN_CACHE_SECONDS must be a number, not {raw!r}") from None
    if raw := env.get(f"{ENV_PREFIX}MAX_BODY_BYTES"):
        values["max_body_bytes"] = _int("MAX_BODY_BYTES", raw)
    if raw := env.get(f"{ENV_PREFIX}RATELIMIT_PLAN"):
        values["ratelimit_plan"] = raw.strip().lower()
    if raw := env.get(f"{ENV_PREFIX}RATELIMIT_PER_INTEGRATION"):
        values["ratelimit_per_integration"] = _bool("RATELIMIT_PER_INTEGRATION", raw)
    if raw := env.get(f"{ENV_PREFIX}SMTP_URL"):
        values["smtp_url"] = raw.strip()
    if raw := env.get(f"{ENV_PREFIX}SESSION_PURGE_SECONDS"):
        try:
            values["session_purge_seconds"] = float(raw)
        except ValueError:
            raise ValidationFailed(f"{ENV_PREFIX}SESSION_PURGE_SECONDS must be a number, not {raw!r}") from None
    if raw := env.get(f"{ENV_PREFIX}PRICE_HISTORY_SECONDS"):
        try:
            values["price_history_seconds"] = float(raw)
        except ValueError:
            raise ValidationFailed(f"{ENV_PREFIX}PRICE_HISTORY_SECONDS must be a number, not {raw!r}") from None
    if raw := env.get(f"{ENV_PREFIX}WEBHOOKS_DELIVER_SECONDS"):
        try:
            values["webhooks_deliver_seconds"] = float(raw)
        except ValueError:
            raise ValidationFailed(f"{ENV_PREFIX}WEBHOOKS_DELIVER_SECONDS must be a number, not {raw!r}") from None
    if raw := env.get(f"{ENV_PREFIX}WEBHOOKS_ALLOW_PRIVATE"):
        values["webhooks_allow_private"] = _bool("WEBHOOKS_ALLOW_PRIVATE", raw)
    if raw := env.get(f"{ENV_PREFIX}WEBHOOKS_KEY"):
        values["webhooks_key"] = raw.strip()
    if raw := env.get(f"{ENV_PREFIX}METRICS_TOKEN"):
        values["metrics_token"] = raw.strip()
    if raw := env.get(f"{ENV_PREFIX}LOG_FORMAT"):
        values["log_format"] = raw.strip().lower()
    if raw := env.get(f"{ENV_PREFIX}RENEWAL_SECONDS"):
        try:
            values["renewal_seconds"] = float(raw)
        except ValueError:
            raise ValidationFailed(f"{ENV_PREFIX}RENEWAL_SECONDS must be a number, not {raw!r}") from None
    if raw := env.get(f"{ENV_PREFIX}SOAP_MAX_BODY_BYTES"):
        values["soap_max_body_bytes"] = _int("SOAP_MAX_BODY_BYTES", raw)
    if raw := env.get(f"{ENV_PREFIX}BACKGROUND"):
        values["background"] = _bool("BACKGROUND", raw)
    return validate(Settings(**values))  # type: ignore[arg-type]
