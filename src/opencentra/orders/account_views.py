"""Read views of a wholesale account's invoices and returns, for many accounts at once.

An API showing a list of accounts with their invoices or returns asks once
for all of them: one statement per distinct filter and sort, whatever the
number of accounts. Filters and sorts are the lists' own (``InvoiceQuery``,
``ReturnQuery``); the account's page window is cut from its share.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.listing import SortKey, Window, chunks
from opencentra.orders.lookups import (
    InvoiceQuery,
    InvoiceView,
    OrderView,
    ReturnQuery,
    ReturnView,
    invoice_page,
    return_page,
)

_ALL = Window(limit=2**62)
"""No window: the caller cuts each account's page from what it gets."""


async def invoices_of_accounts(
    session: AsyncSession,
    account_ids: Iterable[int],
    query: InvoiceQuery | None = None,
    sort: Sequence[SortKey] = (),
    *,
    store_scope: int | None = None,
) -> dict[int, list[InvoiceView]]:
    """Each account's invoices (captured shipments of its orders) matching ``query``, in ``sort`` order."""
    found: dict[int, list[InvoiceView]] = defaultdict(list)
    for chunk in chunks(account_ids):
        scoped = replace(query or InvoiceQuery(), account_ids=tuple(chunk))
        for invoice in await invoice_page(session, scoped, _ALL, store_scope=store_scope, sort=sort):
            assert invoice.order.account_id is not None
            found[invoice.order.account_id].append(invoice)
    return found


async def returns_of_accounts(
    session: AsyncSession,
    account_ids: Iterable[int],
    query: ReturnQuery | None = None,
    sort: Sequence[SortKey] = (),
    *,
    store_scope: int | None = None,
) -> dict[int, list[tuple[ReturnView, OrderView]]]:
    """Each account's returns matching ``query``, in ``sort`` order, each with its order."""
    found: dict[int, list[tuple[ReturnView, OrderView]]] = defaultdict(list)
    for chunk in chunks(account_ids):
        scoped = replace(query or ReturnQuery(), account_ids=tuple(chunk))
        for row, order in await return_page(session, scoped, _ALL, store_scope=store_scope, sort=sort):
            assert order.account_id is not None
            found[order.account_id].append((row, order))
    return found
