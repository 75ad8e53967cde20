"""``events_Get``, ``events_GetByMarkets`` and ``events_Done``: the SOAP user's queue in the events outbox.

Each SOAP user is an outbox consumer of its own (``soap:<username>``). An
event is handed out oldest first, at most 100 per call, until the user marks
it done; it then never comes back, and the object's next change makes a new
event. Each event carries the object as it is *now*, in its ``*_Update``
shape with the ERP's ids where the ID conversion table has them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from opencentra import catalog, integration, orders, stores
from opencentra import events as outbox
from opencentra.api.soap.envelope import (
    SoapFault,
    add,
    child,
    children,
    events_document,
    result_document,
    serialize,
    text,
)
from opencentra.api.soap.items import (
    ACCOUNT,
    CUSTOMER,
    MARKET,
    PAYMENT_TERMS,
    PRICELIST,
    PRODUCT,
    SALES_REP,
    SHIPPING_TERMS,
    SIZE_CHART,
    VARIANT,
    WAREHOUSE,
)
from opencentra.api.soap.schema import conform
from opencentra.api.soap.session import SoapCall, external_of
from opencentra.customers import CustomerView, customers_by_id
from opencentra.errors import NotFound
from opencentra.integers import parse_int
from opencentra.wholesale import accounts_by_id, payment_terms_by_id, sales_representatives_by_id, shipping_terms_by_id

# Centra's event sections and the outbox object types each one reads.
SECTIONS: dict[str, tuple[str, ...]] = {
    "account": ("account",),
    "customer": ("customer",),
    "invoice": (),
    "market": ("market",),
    "order": ("order", "shipment", "return"),
    "paymentterm": ("paymentterm",),
    "pricelist": ("pricelist",),
    "salesrep": ("salesrep",),
    "shippingterm": ("shippingterm",),
    "size": ("size_chart",),
    "warehouse": ("warehouse",),
}
SIZE = "size"
SECTION_OF = {object_type: section for section, types in SECTIONS.items() for object_type in types}
ORDER = "order"


def _section_types(element: etree._Element) -> tuple[str, ...]:
    section = (text(element, "type") or "").lower()
    if section == "all":
        return tuple(t for types in SECTIONS.values() for t in types)
    if section not in SECTIONS:
        allowed = "all, " + ", ".join(SECTIONS)
        raise SoapFault(f"type: {section or '(missing)'!r} is not one of {allowed}")
    return SECTIONS[section]


def _date(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _money(value: object) -> str:
    return f"{value}"


class Renderer:
    """Writes each object once per call, however many of its events are handed out."""

    def __init__(self, call: SoapCall) -> None:
        self.call = call
        self.orders: dict[int, orders.ErpOrder | None] = {}
        self.customers: dict[int, CustomerView] = {}
        self.customer_ext: dict[int, str] = {}

    async def order(self, order_id: int) -> orders.ErpOrder | None:
        if order_id not in self.orders:
            try:
                self.orders[order_id] = await orders.erp_order(self.call.db, order_id)
            except NotFound:
                self.orders[order_id] = None
        return self.orders[order_id]

    async def write_order(self, data: etree._Element, order: orders.ErpOrder) -> None:
        db = self.call.db
        product_ids = sorted({line.product_id for line in order.lines if line.product_id is not None})
        variant_ids = sorted({line.variant_id for line in order.lines if line.variant_id is not None})
        product_ext = await external_of(db, PRODUCT, product_ids)
        variant_ext = await external_of(db, VARIANT, variant_ids)
        market_ext = await external_of(db, MARKET, [order.market_id])
        pricelist_ext = await external_of(db, PRICELIST, [order.pricelist_id])
        order_ext = await external_of(db, ORDER, [order.id])
        node = add(data, "order")
        add(node, "id", order_ext.get(order.id, str(order.number)))
        add(node, "ordernumber", order.number)
        add(node, "type", "wholesale" if order.wholesale else "retail")
        add(node, "store", order.store_id)
        add(node, "locked", "yes" if order.locked else "no")
        add(node, "status", order.status)
        add(node, "ordertotal", _money(order.total))
        add(node, "currency", order.currency)
        add(node, "created", _date(order.created_at))
        add(node, "internal", "false")
        market = add(node, "market")
        add(market, "id", market_ext.get(order.market_id, str(order.market_id)))
        add(market, "description", order.market_name)
        pricelist = add(node, "pricelist")
        add(pricelist, "id", pricelist_ext.get(order.pricelist_id, str(order.pricelist_id)))
        add(pricelist, "description", order.pricelist_name)
        products = add(node, "products")
        for line in order.lines:
            item = add(products, "product")
            add(item, "id", product_ext.get(line.product_id or 0, str(line.product_id or "")))
            add(item, "tax", line.tax_percent)
            add(item, "sku", line.sku or "")
            add(item, "origprice", _money(line.original_unit_price))
            add(item, "price", _money(line.unit_price))
            add(item, "qty", line.quantity)
            add(item, "subtotal", _money(line.unit_price * line.quantity))
            add(item, "description", line.product_name)
            variation = add(item, "variation")
            add(variation, "id", variant_ext.get(line.variant_id or 0, str(line.variant_id or "")))
            add(variation, "description", line.variant_name or "")
            size = add(add(item, "sizes"), "size")
            add(size, "id", line.size_name or "")
            add(size, "sku", line.sku or "")
            add(size, "qty", line.quantity)
            add(size, "preorder", "no")
            add(add(size, "orderitem"), "id", line.id)
        cancelled = [line for line in order.lines if line.quantity_cancelled]
        if cancelled:
            holder = add(node, "cancelled")
            for line in cancelled:
                item = add(holder, "product")
                add(item, "id", product_ext.get(line.product_id or 0, str(line.product_id or "")))
                add(item, "qty", line.quantity_cancelled)
                size = add(add(item, "sizes"), "size")
                add(size, "id", line.size_name or "")
                add(size, "qty", line.quantity_cancelled)
                add(add(size, "orderitem"), "id", line.id)
        shipments = add(node, "shipments")
        by_line = {line.id: line for line in order.lines}
        for shipment in order.shipments:
            item = add(shipments, "shipment")
            add(item, "id", shipment.number)
            add(item, "paid", "yes" if shipment.paid else "no")
            add(item, "shipped", "yes" if shipment.shipped else "no")
            add(item, "goodtogo", "yes" if shipment.good_to_go else "no")
            add(item, "appendix", shipment.appendix)
            add(item, "shipmenttotal", _money(shipment.amount))
            add(item, "currency", order.currency)
            add(item, "created", _date(shipment.created_at))
            if shipment.carrier or shipment.tracking:
                carrier = add(item, "carrierinformation")
                add(carrier, "carrier", shipment.carrier or "")
                add(carrier, "service", shipment.service or "")
                add(carrier, "tracking", shipment.tracking or "")
            lines = add(item, "products")
            for line_id, qty in shipment.lines:
                shipped_line = by_line.get(line_id)
                product = add(lines, "product")
                if shipped_line is not None:
                    owner = shipped_line.product_id or 0
                    add(product, "id", product_ext.get(owner, str(owner or "")))
                    size = add(add(product, "sizes"), "size")
                    add(size, "id", shipped_line.size_name or "")
                    add(size, "qty", qty)
                    add(add(size, "orderitem"), "id", line_id)

    async def write(self, event: outbox.PendingEvent, holder: etree._Element) -> bool:
        """Append ``event``; False when its object is out of the user's reach (another store's)."""
        section = SECTION_OF.get(event.object_type, event.object_type)
        entry = event.object_id
        if section == ORDER and event.object_type != ORDER:
            entry = int(event.payload.get("order", 0) or 0)
        node = add(holder, "event")
        add(node, "id", event.id)
        add(node, "type", section)
        add(node, "entry", entry)
        deleted = event.action == "deleted" and event.object_type in ("order", "market", "pricelist", "warehouse")
        add(node, "mission", "delete" if deleted else "update")
        add(node, "date", _date(event.created_at))
        data = add(node, "data")
        if deleted:
            return True
        if section == ORDER:
            order = await self.order(entry)
            if order is not None:
                await self.write_order(data, order)
        elif section == "market":
            await self._market(data, entry)
        elif section == "warehouse":
            await self._warehouse(data, entry)
        elif section == "pricelist":
            await self._pricelist(data, entry)
        elif section == "customer":
            await self._customer(data, entry)
        elif section in (PAYMENT_TERMS, SHIPPING_TERMS):
            await self._terms(data, section, entry)
        elif section == SALES_REP:
            await self._salesrep(data, entry)
        elif section == ACCOUNT:
            await self._account(data, entry)
        elif section == SIZE:
            await self._size(data, entry, event.payload)
        else:
            item = add(data, section)
            add(item, "id", entry)
        return True

    async def _size(self, data: etree._Element, chart_id: int, payload: dict[str, Any]) -> None:
        """The size the event is about, in the ``sizes_Update`` shape; the outbox object is its sizetable.

        ``data/size`` holds one size: the one a chart grew by, or a new chart's
        first (a chart made by ``sizes_Update`` starts with exactly one size).
        """
        async with self.call.db.read() as session:
            chart = (await catalog.size_charts_by_id(session, [chart_id])).get(chart_id)
            sizes = (await catalog.sizes_of_charts(session, [chart_id])).get(chart_id, [])
        if chart is None or not sizes:
            return
        named = payload.get("size_added") or next(iter(payload.get("sizes") or []), None)
        wanted = named.get("name") if isinstance(named, dict) else None
        size = next((s for s in sizes if s.name == wanted), sizes[0])
        ext = await external_of(self.call.db, SIZE_CHART, [chart_id])
        node = add(data, "size")
        add(node, "id", size.name)
        # OpenCentra keeps a size's name only: the ERP's id. Its description is that name too.
        add(node, "description", size.name)
        table = add(node, "sizetable")
        add(table, "id", ext.get(chart_id, str(chart_id)))
        add(table, "description", chart.name)

    async def _market(self, data: etree._Element, market_id: int) -> None:
        found = (await stores.markets_by_id(self.call.db, [market_id])).get(market_id)
        if found is None:
            return
        store = (await stores.stores_by_id(self.call.db, [found.store_id])).get(found.store_id)
        ext = await external_of(self.call.db, MARKET, [market_id])
        node = add(data, "market")
        add(node, "id", ext.get(market_id, str(market_id)))
        add(node, "store", found.store_id)
        wholesale = store is not None and store.type.value == "wholesale"
        add(node, "type", "wholesale" if wholesale else "retail")
        add(node, "description", found.name)

    async def prefetch(self, events: list[outbox.PendingEvent]) -> None:
        """Read a page's customers and their ERP ids in one go (a page of 100 otherwise costs 300 reads)."""
        ids = sorted({e.object_id for e in events if SECTION_OF.get(e.object_type) == "customer"})
        if ids:
            self.customers.update(await customers_by_id(self.call.db, ids))
            self.customer_ext.update(await external_of(self.call.db, CUSTOMER, ids))

    async def _customer(self, data: etree._Element, customer_id: int) -> None:
        found = self.customers.get(customer_id)
        if found is None:
            return
        ext = self.customer_ext
        node = add(data, "customer")
        add(node, "id", ext.get(customer_id, str(customer_id)))
        add(node, "store", found.store_id)
        add(node, "type", "registered" if found.registered else "guest")
        add(node, "status", "inactive" if found.anonymized_at else "active")
        for name, value in (
            ("firstname", found.first_name),
            ("lastname", found.last_name),
            ("address1", found.address1),
            ("address2", found.address2),
            ("city", found.city),
            ("state", found.state),
            ("zipcode", found.zip_code),
            ("country", found.country),
            ("email", found.email),
            ("telephone", found.phone_number),
        ):
            add(node, name, value or "")

    async def _terms(self, data: etree._Element, section: str, terms_id: int) -> None:
        lookup = payment_terms_by_id if section == PAYMENT_TERMS else shipping_terms_by_id
        async with self.call.db.read() as session:
            found = (await lookup(session, [terms_id])).get(terms_id)
        if found is None:
            return
        ext = await external_of(self.call.db, section, [terms_id])
        node = add(data, section)
        add(node, "id", ext.get(terms_id, str(terms_id)))
        add(node, "name", found.name)
        add(node, "description", found.description)
        add(node, "duedays", found.due_days)

    async def _salesrep(self, data: etree._Element, rep_id: int) -> None:
        async with self.call.db.read() as session:
            found = (await sales_representatives_by_id(session, [rep_id])).get(rep_id)
        if found is None:
            return
        ext = await external_of(self.call.db, SALES_REP, [rep_id])
        node = add(data, "salesrep")
        add(node, "id", ext.get(rep_id, str(rep_id)))
        add(node, "email", found.email or "")
        add(node, "name", found.name)
        add(node, "percent", Decimal(found.commission_bp).scaleb(-2))

    async def _account(self, data: etree._Element, account_id: int) -> None:
        async with self.call.db.read() as session:
            found = (await accounts_by_id(session, [account_id])).get(account_id)
        if found is None:
            return
        ext = await external_of(self.call.db, ACCOUNT, [account_id])
        node = add(data, "account")
        add(node, "id", ext.get(account_id, str(account_id)))
        add(node, "type", "wholesale")
        add(node, "status", "active" if found.active else "inactive")
        add(node, "description", found.name)
        add(node, "discount", Decimal(found.discount_bp).scaleb(-2))
        market_ext = await external_of(self.call.db, MARKET, [found.market_id])
        add(add(node, "market"), "id", market_ext.get(found.market_id, str(found.market_id)))
        if found.pricelist_id is not None:
            pricelist_ext = await external_of(self.call.db, PRICELIST, [found.pricelist_id])
            add(add(node, "pricelist"), "id", pricelist_ext.get(found.pricelist_id, str(found.pricelist_id)))

    async def _warehouse(self, data: etree._Element, warehouse_id: int) -> None:
        found = (await stores.warehouses_by_id(self.call.db, [warehouse_id])).get(warehouse_id)
        if found is None:
            return
        ext = await external_of(self.call.db, WAREHOUSE, [warehouse_id])
        node = add(data, "warehouse")
        add(node, "id", ext.get(warehouse_id, str(warehouse_id)))
        add(node, "description", found.name)

    async def _pricelist(self, data: etree._Element, pricelist_id: int) -> None:
        found = (await stores.pricelists_by_id(self.call.db, [pricelist_id])).get(pricelist_id)
        if found is None:
            return
        ext = await external_of(self.call.db, PRICELIST, [pricelist_id])
        node = add(data, "pricelist")
        add(node, "id", ext.get(pricelist_id, str(pricelist_id)))
        add(node, "store", found.store_id)
        add(node, "description", found.name)


async def _pending(call: SoapCall, types: tuple[str, ...], *, after: int = 0) -> list[outbox.PendingEvent]:
    if not types:
        return []
    return await outbox.pending_events(
        call.db, call.user.consumer, types, store_id=call.user.store_id, after=after, limit=outbox.MAX_BATCH
    )


async def events_get(call: SoapCall, element: etree._Element) -> bytes:
    types = _section_types(element)
    root, holder = events_document()
    renderer = Renderer(call)
    pending = await _pending(call, types)
    await renderer.prefetch(pending)
    for event in pending:
        await renderer.write(event, holder)
    conform(holder.getparent())
    return serialize(root)


async def events_get_by_markets(call: SoapCall, element: etree._Element) -> bytes:
    """Events of orders placed in, and of, the named markets (ERP market ids), oldest first, at most 100."""
    types = _section_types(element)
    wanted_ext = [text(market, "id") or "" for market in children(child(element, "markets"), "market")]
    wanted_ext = [ident for ident in wanted_ext if ident]
    if not wanted_ext:
        raise SoapFault("markets: name at least one market/id")
    from_ext = {v: k for k, v in (await _markets_of(call, wanted_ext)).items()}
    wanted = set(from_ext.values())
    root, holder = events_document()
    renderer = Renderer(call)
    taken, after = 0, 0
    while taken < outbox.MAX_BATCH:
        page = await _pending(call, types, after=after)
        if not page:
            break
        for event in page:
            after = event.id
            if await _market_of(renderer, event) in wanted:
                await renderer.prefetch([event])
                await renderer.write(event, holder)
                taken += 1
                if taken == outbox.MAX_BATCH:
                    break
    conform(holder.getparent())
    return serialize(root)


async def _markets_of(call: SoapCall, external: list[str]) -> dict[int, str]:
    found = await integration.internal_ids(
        call.db, integration=integration.SOAP_INTEGRATION, object_type=MARKET, external_ids=external
    )
    return {internal: ext for ext, internal in found.items()}


async def _market_of(renderer: Renderer, event: outbox.PendingEvent) -> int | None:
    section = SECTION_OF.get(event.object_type)
    if section == "market":
        return event.object_id
    if section == ORDER:
        entry = event.object_id if event.object_type == ORDER else int(event.payload.get("order", 0) or 0)
        order = await renderer.order(entry)
        return order.market_id if order is not None else None
    return None


async def events_done(call: SoapCall, element: etree._Element) -> bytes:
    ids: list[int] = []
    for node in children(element, "event"):
        raw = (node.text or "").strip()
        number = parse_int(raw)
        if number is None:
            raise SoapFault(f"event: {raw!r} is not an event id")
        ids.append(number)
    if not ids:
        raise SoapFault("event: name at least one event id")
    await outbox.mark_done(call.db, call.user.consumer, ids)
    return result_document(True, [], [])


OPERATIONS: dict[str, Callable[[SoapCall, etree._Element], Awaitable[bytes]]] = {
    "events_GetRequest": events_get,
    # Tolerated: the operation's name, which some clients put in the body instead of the documented wrapper.
    "events_Get": events_get,
    "events_GetByMarkets": events_get_by_markets,
    "events_Done": events_done,
}
