"""A store's customers and vouchers: lists with search and paging (the catalogue's list is in catalog_pages).

Each page asks the domain's paged read view for one row more than it
shows, to know whether there is a next page without counting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from opencentra import customers, pricing
from opencentra.api.admin.web import Page
from opencentra.catalog import SortKey, TextMatch, Window
from opencentra.integers import parse_int
from opencentra.stores import store_settings

PAGE_SIZE = 50
MAX_SEARCH = 200


def _paging(current: Page) -> tuple[str, int, Window]:
    query = current.request.query_params
    search = query.get("q", "").strip()[:MAX_SEARCH]
    number = parse_int(query.get("page", "1")) or 1
    # Past page 10,000 an offset scan is slow and nobody pages that far: search instead.
    number = min(number, 10_000)
    return search, number, Window(limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE)


def _links(search: str, number: int, rows: Sequence[Any]) -> dict[str, Any]:
    base = {"q": search} if search else {}
    return {
        "q": search,
        "page": number,
        "previous": urlencode(base | {"page": number - 1}) if number > 1 else None,
        "next": urlencode(base | {"page": number + 1}) if len(rows) > PAGE_SIZE else None,
        "rows": rows[:PAGE_SIZE],
    }


async def customer_list(current: Page) -> Response:
    """The store's customers, newest first; search by email."""
    store_id = current.store_id()
    store = await store_settings(current.db, store_id)
    search, number, window = _paging(current)
    where = customers.CustomerFilter(store_ids=[store_id], email=TextMatch(contains=search) if search else None)
    rows = await customers.customer_page(current.db, where, [SortKey("id", descending=True)], window)
    return current.render("list.html", store=store, kind="customers", **_links(search, number, rows))


async def voucher_list(current: Page) -> Response:
    """The store's vouchers by name; search by name, or an exact code."""
    store_id = current.store_id()
    store = await store_settings(current.db, store_id)
    search, number, window = _paging(current)
    async with current.db.read() as session:
        by_name = await pricing.voucher_page(
            session,
            pricing.VoucherFilter(store_id=store_id, name=TextMatch(contains=search) if search else None),
            [SortKey("name")],
            window,
        )
        by_code = (
            await pricing.voucher_page(
                session, pricing.VoucherFilter(store_id=store_id, code=search), [SortKey("name")], Window(1)
            )
            if search
            else []
        )
    rows = by_code + [row for row in by_name if all(row.id != found.id for found in by_code)]
    return current.render("list.html", store=store, kind="vouchers", **_links(search, number, rows))
