"""The ``*_Update`` operations: upserts by the ERP's own ids through the ID conversion table.

Each item of a batch is one transaction (``Database.atomic``): an item that
fails is not written at all, and its error names it; the items around it are
written. An unknown id creates the object and maps the ERP's id to it; an
element left out leaves that field as it is.
"""

from __future__ import annotations

from dataclasses import replace

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from opencentra import catalog, orders
from opencentra.address import Address
from opencentra.api.soap import products
from opencentra.api.soap.envelope import child, children, path_text, text
from opencentra.api.soap.items import (
    ACCOUNT,
    BUYER,
    CUSTOMER,
    MARKET,
    ORDER,
    PAYMENT_TERMS,
    PRICELIST,
    PRODUCT,
    REFUND,
    SALES_REP,
    SHIPMENT,
    SHIPPING_TERMS,
    SIZE_CHART,
    VARIANT,
    WAREHOUSE,
    ItemHandler,
    Operation,
    amount,
    batch,
    choice,
    required_id,
    yes,
)
from opencentra.api.soap.session import SoapCall, internal_id, remember
from opencentra.customers import change_email, ensure_guest_customer, get_customer, update_address
from opencentra.db.engine import Database
from opencentra.db.listing import SortKey, Window
from opencentra.errors import NotFound, ValidationFailed
from opencentra.integers import parse_int, whole_number
from opencentra.pricing import (
    AlteredPriceSpec,
    PriceAlterationFilter,
    PriceSpec,
    price_alteration_page,
    set_altered_prices,
    set_prices,
)
from opencentra.stores import (
    create_market,
    create_pricelist,
    create_warehouse,
    update_market,
    update_pricelist,
    update_warehouse,
)
from opencentra.wholesale import (
    AccountInput,
    AccountStatus,
    AccountTermsInput,
    BuyerAddress,
    BuyerInput,
    SalesRepresentativeInput,
    TermsInput,
    accounts_by_id,
    create_account,
    create_buyer,
    create_payment_terms,
    create_sales_representative,
    create_shipping_terms,
    update_account,
    update_buyer,
    update_payment_terms,
    update_sales_representative,
    update_shipping_terms,
)

# --- markets, warehouses, pricelists ----------------------------------------------------------------


async def _market(call: SoapCall, tx: Database, node: etree._Element, notices: list[str]) -> None:
    ext = required_id(node)
    choice(text(node, "type"), ("retail", "wholesale"), "type")
    name = text(node, "description") or None
    found = await internal_id(tx, MARKET, ext)
    if found is None:
        market = await create_market(tx, call.store(text(node, "store")), name or ext)
        await remember(tx, MARKET, market.id, ext)
        notices.append(f"Added new market: {ext}")
    else:
        await update_market(tx, found, name=name, store_id=call.user.store_id)


async def _warehouse(call: SoapCall, tx: Database, node: etree._Element, notices: list[str]) -> None:
    ext = required_id(node)
    name = text(node, "description") or None
    found = await internal_id(tx, WAREHOUSE, ext)
    if found is None:
        await _new_warehouse(tx, ext, name, notices)
    else:
        await update_warehouse(tx, found, name=name)


async def _new_warehouse(tx: Database, ext: str, name: str | None, notices: list[str]) -> int:
    warehouse = await create_warehouse(tx, name or ext)
    await remember(tx, WAREHOUSE, warehouse.id, ext)
    notices.append(f"Added new warehouse: {ext}")
    return warehouse.id


async def _pricelist(call: SoapCall, tx: Database, node: etree._Element, notices: list[str]) -> None:
    ext = required_id(node)
    choice(text(node, "type"), ("retail", "wholesale"), "type")
    name = text(node, "description") or None
    found = await internal_id(tx, PRICELIST, ext)
    if found is None:
        currency = text(node, "currency")
        if not currency:
            raise ValidationFailed("currency is required for a new pricelist", field="currency")
        pricelist = await create_pricelist(tx, call.store(text(node, "store")), name or ext, currency.upper())
        await remember(tx, PRICELIST, pricelist.id, ext)
        notices.append(f"Added new pricelist: {ext}")
        pricelist_id, store_id = pricelist.id, pricelist.store_id
    else:
        changed = await update_pricelist(tx, found, name=name, store_id=call.user.store_id)
        pricelist_id, store_id = found, changed.store_id
    specs: dict[int, PriceSpec] = {}
    altered: dict[int, AlteredPriceSpec] = {}
    for product in children(child(node, "items"), "product"):
        product_ext = required_id(product)
        product_id = await internal_id(tx, PRODUCT, product_ext)
        if product_id is None:
            raise ValidationFailed(
                f"unknown product {product_ext}: send it with products_Update first", field="product"
            )
        targets: list[tuple[etree._Element, list[int]]] = []
        if any(text(product, name) for name in ("price", "priceb", "alteredprice", "alteredpriceb")):
            async with tx.read() as session:
                variants = (await catalog.variants_of_products(session, [product_id])).get(product_id, [])
            targets.append((product, [variant.id for variant in variants]))
        for variation in children(product, "variation"):
            variation_ext = required_id(variation)
            variant_id = await internal_id(tx, VARIANT, variation_ext)
            if variant_id is None:
                raise ValidationFailed(f"unknown variation {variation_ext}", field="variation")
            targets.append((variation, [variant_id]))
        for holder, variant_ids in targets:
            _prices(holder, variant_ids, specs, altered)
        if any(text(holder, "priceb") for holder, _ in targets):
            notices.append(f"{product_ext}: priceb (the recommended retail price) is not kept by OpenCentra")
    if specs:
        await set_prices(tx, pricelist_id, list(specs.values()))
    if altered:
        await _altered_prices(call, tx, ext, store_id, pricelist_id, list(altered.values()), notices)


def _prices(
    holder: etree._Element,
    variant_ids: list[int],
    specs: dict[int, PriceSpec],
    altered: dict[int, AlteredPriceSpec],
) -> None:
    """A product's or a variation's ``price`` and ``alteredprice`` (with ``alteredpriceb``) for ``variant_ids``."""
    price, altered_price, altered_b = (text(holder, name) for name in ("price", "alteredprice", "alteredpriceb"))
    for variant_id in variant_ids:
        if price:
            specs[variant_id] = PriceSpec(variant_id=variant_id, price=amount(price, "price"))
        if altered_price:
            altered[variant_id] = AlteredPriceSpec(
                variant_id=variant_id,
                price=amount(altered_price, "alteredprice"),
                recommended_retail_price=amount(altered_b, "alteredpriceb") if altered_b else None,
            )


async def _altered_prices(
    call: SoapCall,
    tx: Database,
    ext: str,
    store_id: int,
    pricelist_id: int,
    prices: list[AlteredPriceSpec],
    notices: list[str],
) -> None:
    """Altered prices go to every active price alteration date of the pricelist's store (Centra: they need one)."""
    async with tx.read() as session:
        dates = await price_alteration_page(
            session,
            PriceAlterationFilter(store_id=store_id, active=[True]),
            [SortKey("id")],
            Window(limit=100),
            store_scope=call.user.store_id,
        )
    if not dates:
        notices.append(
            f"pricelist {ext}: alteredprice not kept: its store has no active price alteration date"
            " (send pricealterationdates_Update first)"
        )
    for alteration in dates:
        await set_altered_prices(tx, alteration.id, pricelist_id, prices, store_scope=call.user.store_id)


# --- sizes and products -----------------------------------------------------------------------------


async def _size(call: SoapCall, tx: Database, node: etree._Element, notices: list[str]) -> None:
    size_name = required_id(node)
    table = child(node, "sizetable")
    table_ext = text(table, "id")
    if not table_ext:
        raise ValidationFailed("sizetable/id is required", field="sizetable")
    table_name = text(table, "description") or table_ext
    description = text(node, "description") or ""
    chart_id = await internal_id(tx, SIZE_CHART, table_ext)
    if chart_id is None:
        chart = await catalog.create_size_chart(tx, table_name, [size_name])
        await remember(tx, SIZE_CHART, chart.id, table_ext)
        added = True
    else:
        added = (await catalog.ensure_chart_size(tx, chart_id, size_name)).added
    if added:
        notices.append(f"Added new size: {size_name}: {description} to: {table_name}!")


# --- customers --------------------------------------------------------------------------------------


def _customer_address(node: etree._Element) -> Address:
    def given(name: str) -> str | None:
        return text(node, name) or None

    country = given("country")
    return Address(
        first_name=given("firstname"),
        last_name=given("lastname"),
        phone_number=given("telephone"),
        address1=given("address1"),
        address2=given("address2"),
        zip_code=given("zipcode"),
        city=given("city"),
        state=given("state"),
        country=country.upper() if country else None,
    )


async def _customer(call: SoapCall, tx: Database, node: etree._Element, notices: list[str]) -> None:
    ext = required_id(node)
    address = _customer_address(node)
    email = text(node, "email") or None
    found = await internal_id(tx, CUSTOMER, ext)
    if found is None:
        if not email:
            raise ValidationFailed("email is required for a new customer", field="email")
        store_id = call.store(text(node, "store"))
        async with tx.write() as session:
            customer = await ensure_guest_customer(session, store_id, email, address=address)
        await remember(tx, CUSTOMER, customer.id, ext)
        return
    current = await get_customer(tx, found)
    if call.user.store_id is not None and current.store_id != call.user.store_id:
        raise NotFound(f"customer {ext} not found", field="customer")
    if address != Address():
        await update_address(tx, found, address)
    if email:
        await change_email(tx, found, email)


# --- orders (the flows of Centra's ERP guide: lock, confirm, ship and capture) -------------------------


async def order_key(tx: Database, ext: str) -> orders.scoped.OrderKey:
    found = await internal_id(tx, ORDER, ext)
    if found is not None:
        return orders.scoped.OrderKey(order_id=found, shown=ext)
    number = parse_int(ext)
    if number is None:
        raise NotFound(f"order {ext} not found", field="id")
    return orders.scoped.OrderKey(number=number, shown=ext)


async def _order(call: SoapCall, tx: Database, node: etree._Element, notices: list[str]) -> None:
    ext = required_id(node)
    key = await order_key(tx, ext)
    scope = call.user.store_id
    status = choice(text(node, "status"), ("confirmed", "completed", "cancelled", "pending", "processing"), "status")
    locked = yes(text(node, "locked"), "locked")
    # Read first: an order of another store is not found, before anything changes.
    current = await current_order(tx, key, scope)
    if locked is not None and locked != current.locked:
        await orders.scoped.set_orders_lock(tx, [key], locked, store_scope=scope)
    if status == "confirmed" and current.status == "pending":
        await orders.scoped.confirm_order(tx, key, store_scope=scope)
    elif status == "cancelled" and current.status not in ("cancelled",):
        await orders.scoped.cancel_order(tx, key, store_scope=scope)
    cancels = _cancelled_lines(child(node, "cancelled"), current)
    if cancels:
        changes = orders.scoped.OrderChanges(
            cancel_lines=[orders.LineCancel(line_id=i, quantity=q) for i, q in cancels.items()]
        )
        await orders.scoped.edit_order(tx, key, changes, wholesale=current.wholesale, store_scope=scope)
    for shipment in children(child(node, "shipments"), "shipment"):
        await _shipment(tx, key, shipment, scope, notices)
    if status == "completed":
        finished = await current_order(tx, key, scope)
        if finished.status != "completed":
            await orders.complete_order(tx, finished.id)


def _line_quantities(
    holder: etree._Element | None, order: orders.ErpOrder, variant_ids: dict[str, int]
) -> dict[int, int]:
    """``{order line id: quantity}`` of ``products/product/sizes/size``, by ``orderitem/id`` or variation and size."""
    lines: dict[int, int] = {}
    for product in children(holder, "product"):
        variation = path_text(product, "variation", "id")
        for size in children(child(product, "sizes"), "size"):
            qty = whole_number(text(size, "qty") or "", "qty", minimum=1)
            line_raw = path_text(size, "orderitem", "id")
            if line_raw:
                line_id = whole_number(line_raw, "orderitem", minimum=1)
                if all(line.id != line_id for line in order.lines):
                    raise NotFound(f"orderitem {line_id} is not a line of this order", field="orderitem")
            else:
                variant_id = variant_ids.get(variation or "")
                size_name = text(size, "id")
                match = [
                    line.id for line in order.lines if line.variant_id == variant_id and line.size_name == size_name
                ]
                if not match:
                    raise NotFound(
                        f"no line of variation {variation} size {size_name} in this order", field="orderitem"
                    )
                line_id = match[0]
            lines[line_id] = lines.get(line_id, 0) + qty
    return lines


def _cancelled_lines(holder: etree._Element | None, order: orders.ErpOrder) -> dict[int, int]:
    # Centra's guide: always address the line to cancel by orderitem/id.
    for product in children(holder, "product"):
        for size in children(child(product, "sizes"), "size"):
            if not path_text(size, "orderitem", "id"):
                raise ValidationFailed("cancelled/product/sizes/size needs orderitem/id", field="orderitem")
    return _line_quantities(holder, order, {})


async def _variant_ids(tx: Database, holder: etree._Element | None) -> dict[str, int]:
    wanted = sorted({v for p in children(holder, "product") if (v := path_text(p, "variation", "id"))})
    found: dict[str, int] = {}
    for ext in wanted:
        variant_id = await internal_id(tx, VARIANT, ext)
        if variant_id is not None:
            found[ext] = variant_id
    return found


async def _refunds(
    tx: Database, shipment_id: int, node: etree._Element, order: orders.ErpOrder, notices: list[str]
) -> None:
    """Returns of a shipment; a refund id is global and taken once (a repeat is a no-op)."""
    for refund in children(child(node, "refunds"), "refund"):
        ext = required_id(refund)
        if await internal_id(tx, REFUND, ext) is not None:
            continue
        products = child(refund, "products")
        lines = _line_quantities(products, order, await _variant_ids(tx, products))
        status = choice(text(refund, "status"), ("confirmed", "pending"), "status")
        created = await orders.create_return(tx, shipment_id, lines, refund=status == "confirmed")
        await remember(tx, REFUND, created.id, ext)
        notices.append(f"Added new refund: {ext}")


async def current_order(tx: Database, key: orders.scoped.OrderKey, scope: int | None) -> orders.ErpOrder:
    return await orders.erp_order(tx, key.order_id, number=key.number, store_scope=scope)


async def _shipment(
    tx: Database, key: orders.scoped.OrderKey, node: etree._Element, scope: int | None, notices: list[str]
) -> None:
    ext = required_id(node)
    order = await current_order(tx, key, scope)
    shipment_id = await internal_id(tx, SHIPMENT, ext)
    if shipment_id is None:
        shipment_id = next((s.id for s in order.shipments if s.number == ext), None)
    if shipment_id is None:
        lines: dict[int, int] = {}
        for product in children(child(node, "products"), "product"):
            for size in children(child(product, "sizes"), "size"):
                line_raw = path_text(size, "orderitem", "id")
                if not line_raw:
                    raise ValidationFailed("size/orderitem/id is required to ship a line", field="orderitem")
                line_id = whole_number(line_raw, "orderitem", minimum=1)
                lines[line_id] = lines.get(line_id, 0) + whole_number(text(size, "qty") or "", "qty", minimum=1)
        if not lines:
            # No products named: the shipment takes everything still to ship (the DTC flow).
            shipped = {line_id: qty for s in order.shipments for line_id, qty in s.lines}
            lines = {
                line.id: left
                for line in order.lines
                if (left := line.quantity - line.quantity_cancelled - shipped.get(line.id, 0)) > 0
            }
        good_to_go = yes(text(node, "goodtogo"), "goodtogo")
        created, _ = await orders.scoped.create_shipment(tx, key, lines, good_to_go=bool(good_to_go), store_scope=scope)
        shipment_id = created.id
        await remember(tx, SHIPMENT, shipment_id, ext)
        notices.append(f"Added new shipment: {ext}")
    else:
        good_to_go = yes(text(node, "goodtogo"), "goodtogo")
        if good_to_go is not None:
            await orders.scoped.update_shipment(tx, shipment_id, good_to_go=good_to_go, paid=None, store_scope=scope)
    await _refunds(tx, shipment_id, node, order, notices)
    # Capture before shipping: if the capture fails, the shipment is not marked shipped (Centra's guide).
    if yes(text(node, "capture"), "capture") or yes(text(node, "paid"), "paid"):
        await orders.scoped.capture_shipment(tx, shipment_id, store_scope=scope)
    if yes(text(node, "shipped"), "shipped"):
        current = next((s for s in (await current_order(tx, key, scope)).shipments if s.id == shipment_id), None)
        if current is not None and not current.shipped:
            carrier = child(node, "carrierinformation")
            packages = text(carrier, "packages")
            await orders.scoped.complete_shipment(
                tx,
                shipment_id,
                orders.scoped.Shipping(
                    carrier=text(carrier, "carrier") or None,
                    service=text(carrier, "service") or None,
                    tracking_number=text(carrier, "tracking") or None,
                    packages=whole_number(packages, "packages") if packages else None,
                ),
                store_scope=scope,
            )


# --- wholesale terms and sales representatives -------------------------------------------------------


def _terms_input(node: etree._Element) -> TermsInput:
    due = text(node, "duedays")
    return TermsInput(
        name=text(node, "name") or None,
        description=text(node, "description"),
        due_days=whole_number(due, "duedays") if due else None,
    )


def _terms(object_type: str) -> ItemHandler:
    create = create_payment_terms if object_type == PAYMENT_TERMS else create_shipping_terms
    update = update_payment_terms if object_type == PAYMENT_TERMS else update_shipping_terms

    async def run(call: SoapCall, tx: Database, node: etree._Element, notices: list[str]) -> None:
        ext = required_id(node)
        given = _terms_input(node)
        found = await internal_id(tx, object_type, ext)
        if found is None:
            # A name is required; Centra's examples sometimes send only a description.
            named = given if given.name else TermsInput(given.description or ext, given.description, given.due_days)
            created = await create(tx, named)
            await remember(tx, object_type, created.id, ext)
        else:
            await update(tx, found, given)

    return run


async def _salesrep(call: SoapCall, tx: Database, node: etree._Element, notices: list[str]) -> None:
    ext = required_id(node)
    percent = text(node, "percent")
    given = SalesRepresentativeInput(
        name=text(node, "name") or None,
        email=text(node, "email"),
        commission_percent=amount(percent, "percent") if percent else None,
    )
    found = await internal_id(tx, SALES_REP, ext)
    if found is None:
        if given.name is None:
            raise ValidationFailed("name is required for a new sales representative", field="name")
        created = await create_sales_representative(tx, given)
        await remember(tx, SALES_REP, created.id, ext)
    else:
        await update_sales_representative(tx, found, given)
    if child(node, "mastersalesrep") is not None:
        notices.append(f"salesrep {ext}: mastersalesrep is not kept")


# --- wholesale accounts and their buyers --------------------------------------------------------------

_ACCOUNT_STATUS = {
    "active": AccountStatus.ACTIVE,
    "inactive": AccountStatus.INACTIVE,
    "canceled": AccountStatus.INACTIVE,
}


async def _linked(tx: Database, node: etree._Element, name: str, object_type: str) -> int | None:
    """Our id for ``<name><id>`` (None: not given; 0: Centra's "none", which unsets the link)."""
    ext = path_text(node, name, "id")
    if not ext:
        return None
    if ext == "0":
        return 0
    found = await internal_id(tx, object_type, ext)
    if found is None:
        raise NotFound(f"unknown {name} {ext}", field=name)
    return found


async def _account(call: SoapCall, tx: Database, node: etree._Element, notices: list[str]) -> None:
    ext = required_id(node)
    status = choice(text(node, "status"), tuple(_ACCOUNT_STATUS), "status")
    discount = text(node, "discount")
    account_terms = AccountTermsInput(
        payment_terms_id=await _linked(tx, node, "paymentterms", PAYMENT_TERMS),
        shipping_terms_id=await _linked(tx, node, "shippingterms", SHIPPING_TERMS),
        sales_representative_id=await _linked(tx, node, "salesrep", SALES_REP),
    )
    given = AccountInput(
        name=text(node, "description") or None,
        status=_ACCOUNT_STATUS[status] if status else None,
        market_id=await _linked(tx, node, "market", MARKET) or None,
        pricelist_id=await _linked(tx, node, "pricelist", PRICELIST) or None,
        discount_percent=amount(discount, "discount") if discount else None,
        terms=None if account_terms.empty else account_terms,
    )
    found = await internal_id(tx, ACCOUNT, ext)
    if found is None:
        account = await create_account(tx, replace(given, name=given.name or ext))
        found = account.id
        await remember(tx, ACCOUNT, found, ext)
        notices.append(f"Added new account: {ext}")
    else:
        await update_account(tx, found, given)
    if call.user.store_id is not None:
        async with tx.read() as session:
            view = (await accounts_by_id(session, [found])).get(found)
        if view is None or view.store_id != call.user.store_id:
            raise NotFound(f"account {ext} not found", field="account")
    for buyer in children(child(node, "buyers"), "buyer"):
        await _buyer(tx, found, buyer, notices)
    if any(child(node, name) is not None for name in ("accountaddress", "shippingaddress", "invoiceaddress")):
        notices.append(f"account {ext}: account addresses are not kept")


async def _buyer(tx: Database, account_id: int, node: etree._Element, notices: list[str]) -> None:
    ext = required_id(node)
    status = choice(text(node, "status"), tuple(_ACCOUNT_STATUS), "status")
    store = text(node, "store")
    address = BuyerAddress(
        address=Address(first_name=text(node, "firstname") or None, last_name=text(node, "lastname") or None),
        email=text(node, "email") or None,
    )
    given = BuyerInput(
        status=_ACCOUNT_STATUS[status] if status else None,
        store_id=whole_number(store, "store", minimum=1) if store else None,
        billing_address=address,
    )
    found = await internal_id(tx, BUYER, ext)
    if found is None:
        created = await create_buyer(tx, replace(given, account_id=account_id))
        await remember(tx, BUYER, created.id, ext)
    else:
        await update_buyer(tx, found, given)


OPERATIONS: dict[str, Operation] = {
    "orders_Update": batch("orders", "order", "order", _order),
    "customers_Update": batch("customers", "customer", "customer", _customer),
    "markets_Update": batch("markets", "market", "market", _market),
    "warehouses_Update": batch("warehouses", "warehouse", "warehouse", _warehouse),
    "pricelists_Update": batch("pricelists", "pricelist", "pricelist", _pricelist),
    "sizes_Update": batch("sizes", "size", "size", _size),
    "products_Update": batch("products", "product", "product", products.product),
    # The inner element repeats the container's name (Centra's documented shape).
    "paymentterms_Update": batch("paymentterms", "paymentterms", "paymentterms", _terms(PAYMENT_TERMS)),
    "shippingterms_Update": batch("shippingterms", "shippingterms", "shippingterms", _terms(SHIPPING_TERMS)),
    "salesreps_Update": batch("salesreps", "salesrep", "salesrep", _salesrep),
    "accounts_Update": batch("accounts", "account", "account", _account),
}
