"""The ``*_Update`` operations: upserts by the ERP's own ids through the ID conversion table.

Each item of a batch is one transaction (``Database.atomic``): an item that
fails is not written at all, and its error names it; the items around it are
written. An unknown id creates the object and maps the ERP's id to it; an
element left out leaves that field as it is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from opencentra import catalog, integration, inventory, orders
from opencentra.address import Address
from opencentra.api.soap.envelope import child, children, path_text, text
from opencentra.api.soap.session import Outcome, SoapCall, internal_id, remember
from opencentra.catalog import check_ean
from opencentra.customers import change_email, ensure_guest_customer, get_customer, update_address
from opencentra.db.engine import Database
from opencentra.errors import DomainError, NotFound, ValidationFailed
from opencentra.integers import parse_int, whole_number
from opencentra.pricing import PriceSpec, set_prices
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

ItemHandler = Callable[[SoapCall, Database, etree._Element, list[str]], Awaitable[None]]
Operation = Callable[[SoapCall, etree._Element], Awaitable[Outcome]]

# Object types in the ID conversion table.
MARKET, PRICELIST, WAREHOUSE, SIZE_CHART, PRODUCT, VARIANT, CUSTOMER = (
    "market",
    "pricelist",
    "warehouse",
    "size_chart",
    "product",
    "variant",
    "customer",
)
ORDER, SHIPMENT, REFUND = "order", "shipment", "refund"
PAYMENT_TERMS, SHIPPING_TERMS, SALES_REP = "paymentterm", "shippingterm", "salesrep"
ACCOUNT, BUYER = "account", "buyer"


def batch(container: str, item: str, label: str, handler: ItemHandler) -> Operation:
    async def run(call: SoapCall, element: etree._Element) -> Outcome:
        outcome = Outcome()
        for index, node in enumerate(children(child(element, container), item), start=1):
            ident = text(node, "id")
            where = f"{label} {ident}" if ident else f"{label} #{index}"
            notices: list[str] = []
            try:
                async with call.db.atomic() as tx:
                    # One item at a time instance-wide: upserts by ERP id cannot race (see take_soap_write_turn).
                    await integration.take_soap_write_turn(tx)
                    await handler(call, tx, node, notices)
            except DomainError as error:
                named = f" ({error.field})" if error.field else ""
                outcome.errors.append(f"{where}: {error.message}{named}")
            else:
                outcome.notices.extend(notices)
        return outcome

    return run


def required_id(node: etree._Element) -> str:
    ident = text(node, "id")
    if not ident:
        raise ValidationFailed("id is required", field="id")
    if len(ident) > 200:
        raise ValidationFailed("id is longer than 200 characters", field="id")
    return ident


def quantity(raw: str, field: str) -> int:
    return whole_number(raw, field, minimum=0)


def amount(raw: str, field: str) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationFailed(f"{raw!r} is not a number", field=field) from None
    if not value.is_finite() or value < 0:
        raise ValidationFailed(f"{raw!r} is not an amount", field=field)
    return value


def choice(raw: str | None, allowed: tuple[str, ...], field: str) -> str | None:
    if raw is None or raw == "":
        return None
    value = raw.lower()
    if value not in allowed:
        raise ValidationFailed(f"{raw!r} is not one of {', '.join(allowed)}", field=field)
    return value


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
        pricelist_id = pricelist.id
    else:
        await update_pricelist(tx, found, name=name, store_id=call.user.store_id)
        pricelist_id = found
    specs: dict[int, PriceSpec] = {}
    for product in children(child(node, "items"), "product"):
        product_ext = required_id(product)
        product_id = await internal_id(tx, PRODUCT, product_ext)
        if product_id is None:
            raise ValidationFailed(
                f"unknown product {product_ext}: send it with products_Update first", field="product"
            )
        price = text(product, "price")
        if price:
            value = amount(price, "price")
            async with tx.read() as session:
                variants = (await catalog.variants_of_products(session, [product_id])).get(product_id, [])
            for variant in variants:
                specs[variant.id] = PriceSpec(variant_id=variant.id, price=value)
        for variation in children(product, "variation"):
            variation_ext = required_id(variation)
            variant_id = await internal_id(tx, VARIANT, variation_ext)
            if variant_id is None:
                raise ValidationFailed(f"unknown variation {variation_ext}", field="variation")
            variation_price = text(variation, "price")
            if variation_price:
                specs[variant_id] = PriceSpec(variant_id=variant_id, price=amount(variation_price, "price"))
        if any(text(product, name) for name in ("alteredprice", "alteredpriceb")):
            notices.append(f"{product_ext}: alteredprice is set through price alteration dates, not kept here")
    if specs:
        await set_prices(tx, pricelist_id, list(specs.values()))


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


_PRODUCT_STATUS = {
    "active": catalog.ProductStatus.ACTIVE,
    "inactive": catalog.ProductStatus.INACTIVE,
    # OpenCentra has no separate "canceled" product: it is kept, inactive.
    "canceled": catalog.ProductStatus.INACTIVE,
}


def _weight_grams(node: etree._Element) -> int | None:
    weight = child(node, "weight")
    raw = text(weight, "value")
    if not raw:
        return None
    unit = (text(weight, "unit") or "kg").lower()
    factor = {"kg": Decimal(1000), "g": Decimal(1), "lb": Decimal("453.59237"), "lbs": Decimal("453.59237")}.get(unit)
    if factor is None:
        raise ValidationFailed(f"weight unit {unit!r} is not kg, g or lb", field="weight")
    return int((amount(raw, "weight") * factor).to_integral_value())


async def _product(call: SoapCall, tx: Database, node: etree._Element, notices: list[str]) -> None:
    ext = required_id(node)
    status_raw = choice(text(node, "status"), tuple(_PRODUCT_STATUS), "status")
    name = text(node, "description") or None
    sku = text(node, "sku") or None
    harmcode = child(node, "harmcode")
    country = text(node, "countryoforigin") or None
    weight = _weight_grams(node)
    variations = children(child(node, "variations"), "variation")
    product_id = await internal_id(tx, PRODUCT, ext)
    if product_id is None:
        chart_ext = next((path_text(v, "sizetable", "id") for v in variations if path_text(v, "sizetable", "id")), None)
        chart_id = await _chart(tx, chart_ext) if chart_ext else None
        product = await catalog.create_product(
            tx,
            catalog.ProductSpec(
                name=name or ext,
                product_number=sku or ext,
                size_chart_id=chart_id,
                variants=(),
                status=_PRODUCT_STATUS[status_raw] if status_raw else catalog.ProductStatus.ACTIVE,
                harmonized_code=text(harmcode, "id") or "",
                harmonized_code_description=text(harmcode, "description") or "",
                country_of_origin=country,
                weight_grams=weight,
            ),
        )
        product_id = product.id
        await remember(tx, PRODUCT, product_id, ext)
    else:
        changes = catalog.ProductChanges(
            name=name if name else catalog.KEEP,
            product_number=sku if sku else catalog.KEEP,
            status=_PRODUCT_STATUS[status_raw] if status_raw else catalog.KEEP,
            harmonized_code=text(harmcode, "id") or catalog.KEEP,
            harmonized_code_description=text(harmcode, "description") or catalog.KEEP,
            country_of_origin=country if country else catalog.KEEP,
            weight_grams=weight if weight is not None else catalog.KEEP,
        )
        await catalog.update_product(tx, product_id, changes)
    async with tx.read() as session:
        current = (await catalog.products_by_id(session, [product_id]))[product_id]
    stock: dict[int, dict[int, int]] = {}
    warehouses: dict[str, int] = {}
    for variation in variations:
        await _variation(tx, current, variation, stock, warehouses, notices)
    for warehouse_id, values in stock.items():
        await inventory.set_stock(tx, warehouse_id, values, target=inventory.StockTarget.AVAILABLE)


async def _chart(tx: Database, chart_ext: str) -> int:
    chart_id = await internal_id(tx, SIZE_CHART, chart_ext)
    if chart_id is None:
        raise ValidationFailed(f"unknown sizetable {chart_ext}: send it with sizes_Update first", field="sizetable")
    return chart_id


async def _variation(
    tx: Database,
    product: catalog.ProductView,
    node: etree._Element,
    stock: dict[int, dict[int, int]],
    warehouses: dict[str, int],
    notices: list[str],
) -> None:
    ext = required_id(node)
    active_raw = choice(text(node, "status"), ("active", "inactive", "canceled"), "status")
    name = text(node, "description") or None
    sku = text(node, "sku") or None
    chart_ext = path_text(node, "sizetable", "id")
    if chart_ext and await _chart(tx, chart_ext) != product.size_chart_id:
        raise ValidationFailed("a product's variations share one sizetable; it cannot change", field="sizetable")
    # The chart's sizes by name, read once: a size is addressed by its ERP id, which is its name.
    async with tx.read() as session:
        chart = {
            s.name: s.id
            for s in (await catalog.sizes_of_charts(session, [product.size_chart_id])).get(product.size_chart_id, [])
        }
    sizes: list[tuple[etree._Element, int]] = []
    for size in children(child(node, "sizes"), "size"):
        size_name = required_id(size)
        if size_name not in chart:
            raise ValidationFailed(f"size {size_name} is not in the product's sizetable", field="size")
        sizes.append((size, chart[size_name]))
    variant_id = await internal_id(tx, VARIANT, ext)
    existing: dict[int, int] = {}
    if variant_id is None:
        # A new variation is created with all its sizes in one call.
        specs = {size_id: _size_spec(ext, size, size_id, notices) for size, size_id in sizes}
        variant = await catalog.create_variant(
            tx,
            product.id,
            catalog.VariantSpec(
                name=name or ext,
                variant_number=sku or ext,
                sizes=tuple(specs.values()),
                active=active_raw in (None, "active"),
            ),
            size_chart_id=product.size_chart_id,
        )
        variant_id = variant.id
        await remember(tx, VARIANT, variant_id, ext)
    else:
        async with tx.read() as session:
            current = (await catalog.variants_by_id(session, [variant_id])).get(variant_id)
        if current is None or current.product_id != product.id:
            raise ValidationFailed(f"variation {ext} belongs to another product", field="variation")
        await catalog.update_variant(
            tx,
            variant_id,
            catalog.VariantChanges(
                name=name if name else catalog.KEEP,
                variant_number=sku if sku else catalog.KEEP,
                active=(active_raw == "active") if active_raw else catalog.KEEP,
            ),
        )
    async with tx.read() as session:
        existing = {
            s.size_id: s.id for s in (await catalog.sizes_of_variants(session, [variant_id])).get(variant_id, [])
        }
    for size, size_id in sizes:
        product_size_id = existing.get(size_id)
        if product_size_id is None:
            created = await catalog.create_product_size(tx, variant_id, _size_spec(ext, size, size_id, notices))
            product_size_id = existing[size_id] = created.id
        for warehouse in children(child(size, "warehouseitems"), "warehouse"):
            warehouse_ext = required_id(warehouse)
            qty = text(warehouse, "qty")
            if qty is None or qty == "":
                continue
            if warehouse_ext not in warehouses:
                found = await internal_id(tx, WAREHOUSE, warehouse_ext)
                # Centra creates a warehouse the first time stock names it.
                warehouses[warehouse_ext] = found or await _new_warehouse(tx, warehouse_ext, None, notices)
            stock.setdefault(warehouses[warehouse_ext], {})[product_size_id] = quantity(qty, "qty")


def _size_spec(variation: str, size: etree._Element, size_id: int, notices: list[str]) -> catalog.SizeSpec:
    ean = text(size, "ean") or None
    if ean is not None:
        try:
            check_ean(ean)
        except ValidationFailed:
            # Centra keeps any EAN; OpenCentra keeps only valid GTINs, and says so rather than fail the item.
            notices.append(f"{variation}/{text(size, 'id')}: EAN {ean} is not a valid GTIN and was not kept")
            ean = None
    return catalog.SizeSpec(size_id=size_id, ean=ean, sku=text(size, "sku") or "")


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


def _yes(raw: str | None, field: str) -> bool | None:
    value = choice(raw, ("yes", "no", "true", "false", "1", "0"), field)
    return None if value is None else value in ("yes", "true", "1")


async def _order_key(tx: Database, ext: str) -> orders.scoped.OrderKey:
    found = await internal_id(tx, ORDER, ext)
    if found is not None:
        return orders.scoped.OrderKey(order_id=found, shown=ext)
    number = parse_int(ext)
    if number is None:
        raise NotFound(f"order {ext} not found", field="id")
    return orders.scoped.OrderKey(number=number, shown=ext)


async def _order(call: SoapCall, tx: Database, node: etree._Element, notices: list[str]) -> None:
    ext = required_id(node)
    key = await _order_key(tx, ext)
    scope = call.user.store_id
    status = choice(text(node, "status"), ("confirmed", "completed", "cancelled", "pending", "processing"), "status")
    locked = _yes(text(node, "locked"), "locked")
    # Read first: an order of another store is not found, before anything changes.
    current = await _current_order(tx, key, scope)
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
        finished = await _current_order(tx, key, scope)
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


async def _current_order(tx: Database, key: orders.scoped.OrderKey, scope: int | None) -> orders.ErpOrder:
    return await orders.erp_order(tx, key.order_id, number=key.number, store_scope=scope)


async def _shipment(
    tx: Database, key: orders.scoped.OrderKey, node: etree._Element, scope: int | None, notices: list[str]
) -> None:
    ext = required_id(node)
    order = await _current_order(tx, key, scope)
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
        good_to_go = _yes(text(node, "goodtogo"), "goodtogo")
        created, _ = await orders.scoped.create_shipment(tx, key, lines, good_to_go=bool(good_to_go), store_scope=scope)
        shipment_id = created.id
        await remember(tx, SHIPMENT, shipment_id, ext)
        notices.append(f"Added new shipment: {ext}")
    else:
        good_to_go = _yes(text(node, "goodtogo"), "goodtogo")
        if good_to_go is not None:
            await orders.scoped.update_shipment(tx, shipment_id, good_to_go=good_to_go, paid=None, store_scope=scope)
    await _refunds(tx, shipment_id, node, order, notices)
    # Capture before shipping: if the capture fails, the shipment is not marked shipped (Centra's guide).
    if _yes(text(node, "capture"), "capture") or _yes(text(node, "paid"), "paid"):
        await orders.scoped.capture_shipment(tx, shipment_id, store_scope=scope)
    if _yes(text(node, "shipped"), "shipped"):
        current = next((s for s in (await _current_order(tx, key, scope)).shipments if s.id == shipment_id), None)
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


def unsupported(operation: str) -> Operation:
    async def run(call: SoapCall, element: etree._Element) -> Outcome:
        return Outcome(errors=[f"{operation} is not supported by OpenCentra yet; nothing was written"])

    return run


OPERATIONS: dict[str, Operation] = {
    "orders_Update": batch("orders", "order", "order", _order),
    "customers_Update": batch("customers", "customer", "customer", _customer),
    "markets_Update": batch("markets", "market", "market", _market),
    "warehouses_Update": batch("warehouses", "warehouse", "warehouse", _warehouse),
    "pricelists_Update": batch("pricelists", "pricelist", "pricelist", _pricelist),
    "sizes_Update": batch("sizes", "size", "size", _size),
    "products_Update": batch("products", "product", "product", _product),
    # The inner element repeats the container's name (Centra's documented shape).
    "paymentterms_Update": batch("paymentterms", "paymentterms", "paymentterms", _terms(PAYMENT_TERMS)),
    "shippingterms_Update": batch("shippingterms", "shippingterms", "shippingterms", _terms(SHIPPING_TERMS)),
    "salesreps_Update": batch("salesreps", "salesrep", "salesrep", _salesrep),
    "accounts_Update": batch("accounts", "account", "account", _account),
}
for _name in (
    "deliverywindows_Update",
    "invoices_Update",
    "pricealterationdates_Update",
):
    OPERATIONS[_name] = unsupported(_name)
