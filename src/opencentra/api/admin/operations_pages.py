"""SYSTEM > Operations (administrators): the events outbox (the newest events, and each consumer's
position and lag), webhook deliveries (newest, or by status, with their retry state and a retry
button), the GraphQL rate-limit buckets (the instance's and each integration's, read from Redis) and a
SOAP user's latest calls (passwords already redacted by the log)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from opencentra import events, ratelimit, webhooks
from opencentra.api.admin.web import BASE, Page, app_context, path_id, redirect
from opencentra.errors import NotFound
from opencentra.integers import parse_int
from opencentra.integration import list_soap_users, list_tokens, soap_call_page

PAGE_SIZE = 50
SOAP_CALLS = 20
DELIVERIES = 50
DELIVERY_STATUSES = [status.value for status in webhooks.DeliveryStatus]


async def operations(current: Page) -> Response:
    """The outbox's newest events (older by keyset), consumer lags, and the chosen SOAP user's calls."""
    query = current.request.query_params
    before = parse_int(query.get("before", "")) if query.get("before") else None
    recent = await events.recent_events(current.db, before=before, limit=PAGE_SIZE + 1)
    lags = await events.consumer_lags(current.db)
    users = await list_soap_users(current.db)
    soap_user = query.get("soap_user", "")
    calls = []
    if soap_user and any(user.username == soap_user for user in users):
        try:
            calls = await soap_call_page(current.db, soap_user, limit=SOAP_CALLS)
        except NotFound:
            calls = []
    delivery_status = query.get("delivery_status", "")
    status = webhooks.DeliveryStatus(delivery_status) if delivery_status in DELIVERY_STATUSES else None
    deliveries = await webhooks.deliveries(current.db, status=status, limit=DELIVERIES)
    usage, usage_note = await _rate_limits(current)
    base = {"soap_user": soap_user} if soap_user else {}
    return current.render(
        "operations.html",
        deliveries=deliveries,
        delivery_status=status.value if status is not None else "",
        delivery_statuses=DELIVERY_STATUSES,
        retried=query.get("retried", ""),
        usage=usage,
        usage_note=usage_note,
        events=recent[:PAGE_SIZE],
        lags=lags,
        users=users,
        soap_user=soap_user,
        calls=calls,
        newest=urlencode(base) if before is not None else None,
        older=urlencode(base | {"before": recent[PAGE_SIZE - 1].id}) if len(recent) > PAGE_SIZE else None,
    )


async def _rate_limits(current: Page) -> tuple[list[ratelimit.BucketUsage], str]:
    """The buckets of the instance and of each live GraphQL token's integration, or why they cannot be read."""
    settings = app_context(current.request).settings
    names = [token.name for token in await list_tokens(current.db) if not token.revoked]
    try:
        usage = await ratelimit.read_usage(
            settings.ratelimit_plan,
            redis_url=settings.redis_url,
            per_integration=settings.ratelimit_per_integration,
            integrations=names,
        )
    except ratelimit.UsageUnavailable as error:
        return [], f"The rate-limit buckets cannot be read now: {error}."
    if usage is None:
        return [], (
            "Without Redis each worker process keeps its own rate-limit buckets in memory, so there is no "
            "one figure to show here. Set OPENCENTRA_REDIS_URL to share (and show) them."
        )
    return usage, ""


async def delivery_retry(current: Page) -> Response:
    """Make a failed or waiting webhook delivery due now, with one more attempt (same delivery id)."""
    delivery_id = path_id(current.request, "delivery_id")
    await webhooks.retry_delivery(current.db, str(delivery_id))
    return redirect(f"{BASE}/system/operations?delivery_status=pending&retried={delivery_id}#webhooks")
