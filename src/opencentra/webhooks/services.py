"""Outbound delivery: turn a webhook plugin's outbox events into deliveries and send them.

One run (``deliver_due``) does three things, each safe on any number of processes:

1. **Enqueue.** For each active webhook plugin, its pending events (its own
   outbox consumer, ``webhook:<plugin id>``) become deliveries of at most 100
   events, in the same transaction that marks them done for that consumer; the
   plugin's ``webhook_endpoints`` row is locked first (``FOR UPDATE``; SQLite
   serialises writers anyway), so two processes never make two deliveries of
   one event.
2. **Claim.** Due deliveries are leased with ``SELECT ... FOR UPDATE SKIP
   LOCKED`` and a conditional ``UPDATE`` (lease expired or none) and a token,
   so each attempt is made by one process; one that dies loses its lease when
   it passes and another sends again (at-least-once; receivers de-duplicate by
   the delivery id).
3. **Send**, outside any transaction: SSRF check, sign, POST with a total
   timeout, no redirects followed; then record the attempt and the outcome
   (delivered; retried with exponential backoff; failed when the attempts run
   out; a 413 splits the delivery in two, a delivery is never dropped).

Every function takes ``now``, so tests drive the backoff with a clock of their own.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx2 as httpx
import orjson
from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra import __version__
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.db.upsert import insert_or_ignore
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events import MAX_BATCH, PendingEvent, ensure_consumer, mark_done, pending_events
from opencentra.integration import PluginType, PluginView
from opencentra.integration.plugin_settings import ShopSettings, WebhookSettings
from opencentra.integration.services import get_plugin, list_plugins
from opencentra.webhooks import guard, shop_push, signing
from opencentra.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger("opencentra.webhooks")

# Centra sends at most 100 events per call.
MAX_EVENTS = MAX_BATCH
# A delivery whose body would pass this is split before it is sent (a receiver's 413 splits it too).
MAX_BODY_BYTES = 256_000
# Retry n (n >= 1) waits BACKOFF_BASE * 2**(n-1), at most BACKOFF_MAX: 30 s, 1 min, 2 min, ...
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
# Longer than the longest timeout (30 s) plus recording, so a live sender never loses its lease.
LEASE = timedelta(seconds=90)
# Finished deliveries and their attempts are kept this long (Saleor keeps 14 days).
LOG_RETENTION = timedelta(days=14)
SEND_CONCURRENCY = 10
# Batches of 100 events one round turns into deliveries per plugin, so a backlog never starves sending.
ENQUEUE_BATCHES = 10
DELIVERY_HEADER = "X-OpenCentra-Delivery-Id"
ATTEMPT_HEADER = "X-OpenCentra-Delivery-Attempt"
# Outbox actions as Centra's Integration API webhook names them.
_ACTIONS = {"created": "create", "updated": "update", "deleted": "delete"}


# The Shop API plugin's push URL: Centra documents no timeout or retries for it, so the webhook's defaults.
PUSH_TIMEOUT_SECONDS = 5
PUSH_RETRIES = 3


def consumer_name(plugin_id: int) -> str:
    return f"webhook:{plugin_id}"


def push_consumer_name(plugin_id: int) -> str:
    """The outbox consumer feeding a Shop API plugin's push URL."""
    return f"shop-push:{plugin_id}"


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    wait: timedelta = BACKOFF_BASE * (2 ** max(attempts - 1, 0))
    return min(wait, BACKOFF_MAX)


@dataclass(frozen=True, slots=True)
class DeliveryView:
    id: int
    delivery_id: str
    plugin_id: int
    status: DeliveryStatus
    event_ids: tuple[int, ...]
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class AttemptView:
    attempt: int
    started_at: datetime
    duration_ms: int
    url: str
    request_bytes: int
    status_code: int | None
    error: str | None


@dataclass(slots=True)
class RunResult:
    enqueued: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    split: int = 0
    purged: int = 0
    # Plugins whose deliveries wait because they have no signing secret (or the server no key).
    unsigned_plugins: list[int] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return self.delivered + self.retrying + self.failed + self.split


def _delivery_view(row: WebhookDelivery) -> DeliveryView:
    return DeliveryView(
        id=row.id,
        delivery_id=row.delivery_id,
        plugin_id=row.plugin_id,
        status=DeliveryStatus(row.status),
        event_ids=tuple(row.event_ids),
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        next_attempt_at=row.next_attempt_at,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


# --- plugins and their signing secrets ------------------------------------------------------------


def _settings(plugin: PluginView) -> WebhookSettings:
    assert isinstance(plugin.settings, WebhookSettings)
    return plugin.settings


@dataclass(frozen=True, slots=True)
class _Target:
    """Where a plugin's deliveries go and how they are sent."""

    url: str
    timeout_seconds: int
    max_attempts: int
    # True for a Shop API plugin's push URL (its payload is changed ids by section), False for a webhook.
    push: bool


def _target(plugin: PluginView) -> _Target | None:
    """The delivery target of an active webhook plugin (URL and events set) or Shop API plugin (push URL set)."""
    if not plugin.active:
        return None
    if plugin.type is PluginType.WEBHOOK:
        settings = _settings(plugin)
        if not settings.url or not settings.events:
            return None
        return _Target(settings.url, settings.timeout_seconds, 1 + settings.retries, push=False)
    if plugin.type is PluginType.SHOP:
        assert isinstance(plugin.settings, ShopSettings)
        if not plugin.settings.push_url:
            return None
        return _Target(plugin.settings.push_url, PUSH_TIMEOUT_SECONDS, 1 + PUSH_RETRIES, push=True)
    return None


async def webhook_plugins(db: Database) -> list[PluginView]:
    """Active webhook plugins with a URL and at least one event type: the ones that get deliveries."""
    return [plugin for plugin in await delivery_plugins(db) if plugin.type is PluginType.WEBHOOK]


async def delivery_plugins(db: Database) -> list[PluginView]:
    """Every plugin that gets deliveries: the webhook plugins above and Shop API plugins with a push URL."""
    return [plugin for plugin in await list_plugins(db) if _target(plugin) is not None]


async def issue_signing_secret(db: Database, plugin_id: int, *, server_key: str | None) -> str:
    """Issue (or rotate) a webhook plugin's signing secret; returned once, never stored or shown again.

    Also registers the plugin's outbox consumer, so events from now on are delivered.
    """
    if not server_key:
        raise ValidationFailed(
            "set OPENCENTRA_WEBHOOKS_KEY (the server key signing secrets derive from)", field="webhooks_key"
        )
    plugin = await get_plugin(db, plugin_id)
    if plugin.type not in (PluginType.WEBHOOK, PluginType.SHOP):
        raise ValidationFailed(
            f"plugin {plugin_id} is a {plugin.type.value} plugin, not a webhook or Shop API plugin", field="plugin"
        )
    # A Shop API plugin's push is sent unsigned without a secret (as Centra's is); with one it is signed too.
    await ensure_consumer(db, (consumer_name if plugin.type is PluginType.WEBHOOK else push_consumer_name)(plugin_id))
    nonce = signing.new_nonce()
    secret = signing.derive_secret(server_key, nonce)
    async with db.write() as session:
        await insert_or_ignore(session, WebhookEndpoint, {"plugin_id": plugin_id}, ["plugin_id"])
        endpoint = await session.get(WebhookEndpoint, plugin_id, with_for_update=True)
        assert endpoint is not None
        endpoint.key_nonce = nonce
        endpoint.key_prefix = secret[:6]
        endpoint.key_issued_at = utcnow()
    return secret


async def _signing_secrets(db: Database, plugin_ids: Sequence[int], server_key: str | None) -> dict[int, str]:
    if not server_key or not plugin_ids:
        return {}
    async with db.read() as session:
        rows = await session.execute(
            select(WebhookEndpoint.plugin_id, WebhookEndpoint.key_nonce).where(
                WebhookEndpoint.plugin_id.in_(plugin_ids), WebhookEndpoint.key_nonce.is_not(None)
            )
        )
        return {plugin_id: signing.derive_secret(server_key, nonce) for plugin_id, nonce in rows.all() if nonce}


# --- enqueue: outbox events to deliveries ---------------------------------------------------------


def _event_json(event: PendingEvent) -> dict[str, Any]:
    return {
        "type": event.object_type,
        "action": _ACTIONS.get(event.action, event.action),
        "date": event.created_at.strftime("%Y-%m-%d %H:%M:%S.%f"),
        "id": event.object_id,
    }


def _payload(events: Sequence[dict[str, Any]]) -> str:
    return orjson.dumps({"events": list(events)}).decode("utf-8")


def _chunks(events: Sequence[PendingEvent]) -> list[tuple[list[int], str]]:
    """(event ids, payload) pieces of at most MAX_EVENTS events whose body stays under MAX_BODY_BYTES."""
    pieces: list[tuple[list[int], str]] = []
    pending = [list(events[i : i + MAX_EVENTS]) for i in range(0, len(events), MAX_EVENTS)]
    while pending:
        group = pending.pop(0)
        payload = _payload([_event_json(e) for e in group])
        if len(group) > 1 and len(signing.form_body(payload)) > MAX_BODY_BYTES:
            half = len(group) // 2
            pending[:0] = [group[:half], group[half:]]
            continue
        pieces.append(([e.id for e in group], payload))
    return pieces


def _new_delivery(
    plugin_id: int, event_ids: list[int], payload: str, max_attempts: int, now: datetime
) -> WebhookDelivery:
    return WebhookDelivery(
        delivery_id=uuid.uuid4().hex,
        plugin_id=plugin_id,
        event_ids=event_ids,
        payload=payload,
        status=DeliveryStatus.PENDING.value,
        attempts=0,
        max_attempts=max_attempts,
        next_attempt_at=now,
        created_at=now,
    )


async def _enqueue_plugin(db: Database, plugin: PluginView, now: datetime) -> int:
    settings = _settings(plugin)
    name = consumer_name(plugin.id)
    types = list(settings.events)
    made = 0
    for _ in range(ENQUEUE_BATCHES):
        # A cheap read first: most runs find nothing and take no write lock.
        if not await pending_events(db, name, types, store_id=plugin.store_id, limit=1):
            return made
        async with db.atomic() as tx, tx.write() as session:
            await insert_or_ignore(session, WebhookEndpoint, {"plugin_id": plugin.id}, ["plugin_id"])
            # Serialises enqueuing per plugin; the read below then sees what the previous holder marked done.
            await session.execute(
                select(WebhookEndpoint.plugin_id).where(WebhookEndpoint.plugin_id == plugin.id).with_for_update()
            )
            events = await pending_events(tx, name, types, store_id=plugin.store_id, limit=MAX_EVENTS)
            if not events:
                return made
            for event_ids, payload in _chunks(events):
                session.add(_new_delivery(plugin.id, event_ids, payload, 1 + settings.retries, now))
                made += 1
            await session.flush()
            await mark_done(tx, name, [e.id for e in events])
        if len(events) < MAX_EVENTS:
            return made
    return made


async def _enqueue_push(db: Database, plugin: PluginView, now: datetime) -> int:
    """A Shop API plugin's pending events become push deliveries: up to 100 events each, as changed ids."""
    name = push_consumer_name(plugin.id)
    made = 0
    for _ in range(ENQUEUE_BATCHES):
        if not await pending_events(db, name, shop_push.OBJECT_TYPES, store_id=plugin.store_id, limit=1):
            return made
        async with db.atomic() as tx, tx.write() as session:
            await insert_or_ignore(session, WebhookEndpoint, {"plugin_id": plugin.id}, ["plugin_id"])
            await session.execute(
                select(WebhookEndpoint.plugin_id).where(WebhookEndpoint.plugin_id == plugin.id).with_for_update()
            )
            events = await pending_events(tx, name, shop_push.OBJECT_TYPES, store_id=plugin.store_id, limit=MAX_EVENTS)
            if not events:
                return made
            changed = await shop_push.changed_ids(session, plugin.store_id, events)
            # Events that change nothing the Shop API shows (a size no display sells) are done with no push.
            if not shop_push.is_empty(changed):
                payload = shop_push.payload_json(changed)
                session.add(_new_delivery(plugin.id, [e.id for e in events], payload, 1 + PUSH_RETRIES, now))
                made += 1
                await session.flush()
            await mark_done(tx, name, [e.id for e in events])
        if len(events) < MAX_EVENTS:
            return made
    return made


async def enqueue(db: Database, *, now: datetime, plugins: Sequence[PluginView] | None = None) -> int:
    """Turn every delivery plugin's pending events into deliveries; how many deliveries were made."""
    made = 0
    for plugin in await delivery_plugins(db) if plugins is None else plugins:
        if plugin.type is PluginType.SHOP:
            await ensure_consumer(db, push_consumer_name(plugin.id))
            made += await _enqueue_push(db, plugin, now)
        else:
            await ensure_consumer(db, consumer_name(plugin.id))
            made += await _enqueue_plugin(db, plugin, now)
    return made


# --- claim, send, record --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Claim:
    id: int
    delivery_id: str
    plugin_id: int
    payload: str
    event_ids: tuple[int, ...]
    attempt: int
    token: str


async def claim_due(
    db: Database, *, now: datetime, plugin_ids: Sequence[int], limit: int = MAX_EVENTS, lease: timedelta = LEASE
) -> list[_Claim]:
    """Lease up to ``limit`` due deliveries of ``plugin_ids`` for this sender; each is leased by one sender only."""
    if not plugin_ids or limit < 1:
        return []
    token = uuid.uuid4().hex
    free = or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now)
    due = (
        WebhookDelivery.status == DeliveryStatus.PENDING.value,
        WebhookDelivery.next_attempt_at <= now,
        WebhookDelivery.plugin_id.in_(plugin_ids),
        free,
    )
    async with db.write() as session:
        # SKIP LOCKED: concurrent senders take different rows instead of queueing (ignored on SQLite,
        # where BEGIN IMMEDIATE already lets one writer in at a time).
        ids = list(
            (
                await session.scalars(
                    select(WebhookDelivery.id)
                    .where(*due)
                    .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
        )
        if not ids:
            return []
        # Conditional: a row another sender leased meanwhile no longer matches and stays theirs.
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids), *due)
            .values(lease_until=now + lease, lease_token=token)
            .execution_options(synchronize_session=False)
        )
        rows = await session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.id.in_(ids), WebhookDelivery.lease_token == token)
        )
        return [
            _Claim(row.id, row.delivery_id, row.plugin_id, row.payload, tuple(row.event_ids), row.attempts + 1, token)
            for row in rows
        ]


@dataclass(frozen=True, slots=True)
class _Outcome:
    started_at: datetime
    duration_ms: int
    url: str
    request_bytes: int
    status_code: int | None = None
    error: str | None = None
    too_large: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


async def _send(
    client: httpx.AsyncClient,
    claim: _Claim,
    plugin: PluginView,
    secret: str | None,
    *,
    now: datetime,
    allow_private: bool,
    resolver: guard.Resolver,
) -> _Outcome:
    target = _target(plugin)
    assert target is not None
    timeout_seconds = target.timeout_seconds
    url = target.url
    body = signing.form_body(claim.payload)
    shown = guard.redacted(url)
    began = time.monotonic()

    def outcome(status_code: int | None = None, error: str | None = None, *, too_large: bool = False) -> _Outcome:
        elapsed = int((time.monotonic() - began) * 1000)
        return _Outcome(now, elapsed, shown, len(body), status_code, error, too_large)

    try:
        pinned = await guard.check_url(url, allow_private=allow_private, resolver=resolver)
    except guard.UnsafeUrl as exc:
        return outcome(error=f"refused: {exc}")
    headers = {
        "Host": pinned.host_header,
        "Content-Type": "application/x-www-form-urlencoded",
        "User-Agent": f"OpenCentra-Webhook/{__version__}",
        DELIVERY_HEADER: claim.delivery_id,
        ATTEMPT_HEADER: str(claim.attempt),
    }
    if secret is not None:
        headers[signing.SIGNATURE_HEADER] = signing.signature(secret, int(now.timestamp()), body)
    extensions = {"sni_hostname": pinned.host} if pinned.url.startswith("https:") else {}
    try:
        # One deadline for the whole exchange: httpx's own timeouts are per read, which a
        # receiver dripping bytes would never trip. The answer's body is never read.
        async with asyncio.timeout(timeout_seconds):
            request = client.build_request("POST", pinned.url, content=body, headers=headers, extensions=extensions)
            response = await client.send(request, stream=True, follow_redirects=False)
            await response.aclose()
    except TimeoutError:
        return outcome(error=f"no answer within {timeout_seconds} s")
    except httpx.HTTPError as exc:
        # The class name only: httpx messages can include the URL with its query.
        return outcome(error=f"connection failed ({type(exc).__name__})")
    status = response.status_code
    if 300 <= status < 400:
        return outcome(status, "redirect not followed")
    if status == 413:
        return outcome(status, "payload too large", too_large=True)
    if not 200 <= status < 300:
        return outcome(status, f"HTTP {status}")
    return outcome(status)


def _divisible(payload: str, event_ids: Sequence[int]) -> bool:
    """Whether a delivery refused as too large can be split: more than one event (or pushed id)."""
    if '"events"' not in payload[:12]:
        return shop_push.size(payload) > 1
    return len(event_ids) > 1


def _halves(payload: str, event_ids: Sequence[int]) -> list[tuple[list[int], str]]:
    if '"events"' not in payload[:12]:
        # A push payload: its ids split in two; both halves name the events they came from.
        return [(list(event_ids), part) for part in shop_push.halves(payload)]
    events = orjson.loads(payload)["events"]
    half = len(events) // 2
    return [
        (list(event_ids[:half]), _payload(events[:half])),
        (list(event_ids[half:]), _payload(events[half:])),
    ]


async def _record(db: Database, claim: _Claim, result: _Outcome, now: datetime, tally: RunResult) -> None:
    async with db.write() as session:
        session.add(
            WebhookAttempt(
                delivery_pk=claim.id,
                attempt=claim.attempt,
                started_at=result.started_at,
                duration_ms=result.duration_ms,
                url=result.url,
                request_bytes=result.request_bytes,
                status_code=result.status_code,
                error=result.error,
            )
        )
        row = await session.scalar(
            select(WebhookDelivery)
            .where(WebhookDelivery.id == claim.id, WebhookDelivery.lease_token == claim.token)
            .with_for_update()
        )
        if row is None or row.status != DeliveryStatus.PENDING.value:
            # Our lease ran out and another sender took over; the attempt stays in the log.
            return
        row.attempts = claim.attempt
        row.last_status_code = result.status_code
        row.last_error = result.error
        row.lease_until = None
        row.lease_token = None
        if result.ok:
            row.status = DeliveryStatus.DELIVERED.value
            row.finished_at = now
            tally.delivered += 1
        elif result.too_large and _divisible(claim.payload, claim.event_ids):
            parts = [
                _new_delivery(row.plugin_id, ids, body, row.max_attempts, now)
                for ids, body in _halves(claim.payload, claim.event_ids)
            ]
            session.add_all(parts)
            await session.flush()
            row.status = DeliveryStatus.SPLIT.value
            row.finished_at = now
            row.last_error = f"payload too large; split into deliveries {parts[0].id} and {parts[1].id}"
            tally.split += 1
        elif row.attempts >= row.max_attempts:
            row.status = DeliveryStatus.FAILED.value
            row.finished_at = now
            tally.failed += 1
            logger.warning(
                "webhook delivery %s to plugin %s failed after %d attempts: %s",
                row.delivery_id,
                row.plugin_id,
                row.attempts,
                result.error,
            )
        else:
            row.next_attempt_at = now + backoff(row.attempts)
            tally.retrying += 1


async def release_claims(db: Database, claims: Sequence[_Claim]) -> int:
    """Hand back leases this sender holds and will not finish: claimable again now; how many."""
    released = 0
    for token in sorted({claim.token for claim in claims}):
        ids = [claim.id for claim in claims if claim.token == token]
        async with db.write() as session:
            result = await session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id.in_(ids),
                    WebhookDelivery.lease_token == token,
                    WebhookDelivery.status == DeliveryStatus.PENDING.value,
                )
                .values(lease_until=None, lease_token=None)
                .execution_options(synchronize_session=False)
            )
            released += int(getattr(result, "rowcount", 0) or 0)
    if released:
        logger.info("released %d webhook deliveries claimed but not sent (stopping)", released)
    return released


def new_client() -> httpx.AsyncClient:
    # trust_env=False: a proxy from the environment would connect to the name again and undo the SSRF pin.
    return httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=httpx.Timeout(30.0))


async def deliver_due(
    db: Database,
    *,
    server_key: str | None,
    allow_private: bool = False,
    now: datetime | None = None,
    client: httpx.AsyncClient | None = None,
    resolver: guard.Resolver = guard.system_resolver,
    limit: int = MAX_EVENTS,
    should_stop: Callable[[], bool] | None = None,
) -> RunResult:
    """One round: enqueue new events, send what is due (at most ``limit``), prune the old log.

    Stopping (a server draining on SIGTERM): once ``should_stop()`` is true no further send starts, and
    the claims not sent are released at once rather than when their lease runs out; so are those in
    hand if the round is cancelled. Another process (or the next start) sends them, same delivery id.
    """
    moment = now or utcnow()
    tally = RunResult()
    plugins = {plugin.id: plugin for plugin in await delivery_plugins(db)}
    tally.enqueued = await enqueue(db, now=moment, plugins=list(plugins.values()))
    secrets = await _signing_secrets(db, list(plugins), server_key)
    webhook_ids = {plugin.id for plugin in plugins.values() if plugin.type is PluginType.WEBHOOK}
    # A webhook is always signed, so it waits for a secret; a push goes signed or, as Centra's does, unsigned.
    tally.unsigned_plugins = sorted(webhook_ids - set(secrets))
    sendable = sorted(set(plugins) - set(tally.unsigned_plugins))
    claims = await claim_due(db, now=moment, plugin_ids=sendable, limit=limit)
    if claims:
        own = client is None
        http = client or new_client()
        gate = asyncio.Semaphore(SEND_CONCURRENCY)
        unfinished = {claim.id: claim for claim in claims}

        async def one(claim: _Claim) -> None:
            async with gate:
                if should_stop is not None and should_stop():
                    return
                result = await _send(
                    http,
                    claim,
                    plugins[claim.plugin_id],
                    secrets.get(claim.plugin_id),
                    now=moment,
                    allow_private=allow_private,
                    resolver=resolver,
                )
                await _record(db, claim, result, moment, tally)
                unfinished.pop(claim.id, None)

        try:
            await asyncio.gather(*(one(claim) for claim in claims))
        finally:
            if unfinished:
                # Shielded: a cancelled round still hands back what it claimed and did not finish.
                await asyncio.shield(release_claims(db, list(unfinished.values())))
            if own:
                await http.aclose()
    tally.purged = await purge_log(db, before=moment - LOG_RETENTION)
    return tally


# --- the log, manual retry, retention ------------------------------------------------------------


async def _find(session: AsyncSession, delivery: str, *, lock: bool = False) -> WebhookDelivery:
    key = delivery.strip().lower()
    query = select(WebhookDelivery)
    if key.isdigit():
        query = query.where(WebhookDelivery.id == int(key))
    else:
        query = query.where(WebhookDelivery.delivery_id == key)
    row = await session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"webhook delivery {delivery[:40]!r} not found", field="delivery")
    return row


async def retry_delivery(db: Database, delivery: str, *, now: datetime | None = None) -> DeliveryView:
    """Make a failed (or waiting) delivery due now with one more attempt; same delivery id."""
    moment = now or utcnow()
    async with db.write() as session:
        row = await _find(session, delivery, lock=True)
        if row.status in {DeliveryStatus.DELIVERED.value, DeliveryStatus.SPLIT.value}:
            raise Conflict(f"webhook delivery {row.id} is {row.status}; nothing to retry", field="delivery")
        row.status = DeliveryStatus.PENDING.value
        row.next_attempt_at = moment
        row.max_attempts = max(row.max_attempts, row.attempts + 1)
        row.finished_at = None
        row.lease_until = None
        row.lease_token = None
        await session.flush()
        return _delivery_view(row)


async def deliveries(
    db: Database, *, plugin_id: int | None = None, status: DeliveryStatus | None = None, limit: int = 50
) -> list[DeliveryView]:
    """The newest deliveries first."""
    async with db.read() as session:
        query = select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(max(1, min(limit, 1000)))
        if plugin_id is not None:
            query = query.where(WebhookDelivery.plugin_id == plugin_id)
        if status is not None:
            query = query.where(WebhookDelivery.status == status.value)
        return [_delivery_view(row) for row in await session.scalars(query)]


async def attempts(db: Database, delivery: str) -> list[AttemptView]:
    async with db.read() as session:
        row = await _find(session, delivery)
        rows = await session.scalars(
            select(WebhookAttempt).where(WebhookAttempt.delivery_pk == row.id).order_by(WebhookAttempt.id)
        )
        return [
            AttemptView(a.attempt, a.started_at, a.duration_ms, a.url, a.request_bytes, a.status_code, a.error)
            for a in rows
        ]


async def purge_log(db: Database, *, before: datetime, batch: int = 1000) -> int:
    """Delete deliveries finished before ``before`` with their attempts; how many deliveries went."""
    total = 0
    expired = (WebhookDelivery.finished_at.is_not(None), WebhookDelivery.finished_at < before)
    while True:
        # A read first: most rounds find nothing and should not take SQLite's write lock.
        async with db.read() as session:
            ids = list((await session.scalars(select(WebhookDelivery.id).where(*expired).limit(batch))).all())
        if not ids:
            return total
        async with db.write() as session:
            await session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_pk.in_(ids)))
            await session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(ids), *expired))
        total += len(ids)
        if len(ids) < batch:
            return total
