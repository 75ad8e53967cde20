"""SYSTEM > Operations (administrators): the events outbox (the newest events, and each consumer's
position and lag) and a SOAP user's latest calls (passwords already redacted by the log)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from opencentra import events
from opencentra.api.admin.web import Page
from opencentra.errors import NotFound
from opencentra.integers import parse_int
from opencentra.integration import list_soap_users, soap_call_page

PAGE_SIZE = 50
SOAP_CALLS = 20


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
    base = {"soap_user": soap_user} if soap_user else {}
    return current.render(
        "operations.html",
        events=recent[:PAGE_SIZE],
        lags=lags,
        users=users,
        soap_user=soap_user,
        calls=calls,
        newest=urlencode(base) if before is not None else None,
        older=urlencode(base | {"before": recent[PAGE_SIZE - 1].id}) if len(recent) > PAGE_SIZE else None,
    )
