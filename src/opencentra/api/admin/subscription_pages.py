"""A store's subscription contracts: the list (newest first, by keyset; filter by email) and pause,
resume or cancel a contract through ``subscriptions.set_contract_status``, the Subscription API's own
use case, so its rules (a cancelled contract is never resumed) and events are the same."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from opencentra import subscriptions
from opencentra.api.admin.web import BASE, Page, path_id, redirect
from opencentra.errors import NotFound
from opencentra.integers import parse_int
from opencentra.money import from_minor
from opencentra.stores import store_settings

PAGE_SIZE = 50
# The form's action -> the status it sets.
ACTIONS = {"pause": "paused", "resume": "active", "cancel": "cancelled"}


def amount(minor: int, decimals: int, currency: str) -> str:
    return f"{from_minor(minor, decimals)} {currency}"


async def contract_list(current: Page) -> Response:
    """The store's contracts, newest first, 50 a page; filter by the customer's email."""
    store_id = current.store_id()
    store = await store_settings(current.db, store_id)
    query = current.request.query_params
    email = query.get("email", "").strip()[:254]
    before = parse_int(query.get("before", "")) if query.get("before") else None
    rows = await subscriptions.store_contract_page(
        current.db, store_id, before=before, email=email, limit=PAGE_SIZE + 1
    )
    base = {"email": email} if email else {}
    return current.render(
        "subscriptions.html",
        store=store,
        email=email,
        contracts=rows[:PAGE_SIZE],
        actions=ACTIONS,
        amount=amount,
        first=urlencode(base) if before is not None else None,
        next=urlencode(base | {"before": rows[PAGE_SIZE - 1].id}) if len(rows) > PAGE_SIZE else None,
    )


async def contract_action(current: Page) -> Response:
    """Pause, resume or cancel every subscription of a contract; a refusal (resuming a cancelled
    contract) is shown with a 400, a contract of another store is not found."""
    store_id = current.store_id()
    contract_id = path_id(current.request, "contract_id")
    status = ACTIONS.get(str(current.request.path_params.get("action", "")))
    if status is None:
        raise NotFound("no such action")
    await subscriptions.set_contract_status(current.db, store_id, contract_id, status)
    return redirect(f"{BASE}/stores/{store_id}/subscriptions")
