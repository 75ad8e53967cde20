"""Cart use cases: items and lines, location, methods, vouchers and checkout fields.

Each function is one write transaction on the shopper's session and answers
the resulting ``CheckoutState``. Under the store's "aggressive" overselling
prevention, adding units checks stock first: what is not there is not added,
and the answer lists it in ``unavailable``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import delete, select

from opencentra.address import SHIPPING_FIELDS, Address, read_address, write_address
from opencentra.catalog import bundles
from opencentra.catalog.items import load_item, load_items, parse_item_id
from opencentra.customers.services import normalize_email
from opencentra.db.base import utcnow
from opencentra.errors import DomainError, NotFound, ValidationFailed
from opencentra.inventory.services import available_for_market
from opencentra.pricing.models import Voucher
from opencentra.pricing.vouchers import find_voucher, normalize_code
from opencentra.selection.models import Selection, SelectionLine, SelectionStatus, SelectionVoucher
from opencentra.selection.services import (
    MAX_LINE_QUANTITY,
    add_line_in,
    find_line,
    lock_selection,
    remove_line_in,
    set_line_quantity_in,
)
from opencentra.storefront.locking import open_selection
from opencentra.storefront.shopper import Visitor
from opencentra.storefront.state import CheckoutState, Unavailable, shipping_key
from opencentra.storefront.storefront import Cart, Change, Storefront, changing, choose_default_methods, new_selection
from opencentra.stores.geo import resolve_location
from opencentra.stores.models import Market, OversellingMode, Pricelist
from opencentra.stores.options import payment_methods, shipping_options

# One request asks for at most what one line may hold; the selection services
# hold every line to it, whether reached by one add, many, or an update.
MAX_QUANTITY = MAX_LINE_QUANTITY
MAX_COMMENT = 2_000
MAX_PRODUCT_URL = 2_000


def check_quantity(quantity: int, *, allow_zero: bool = False) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationFailed("quantity must be a whole number", field="quantity")
    low = 0 if allow_zero else 1
    if not low <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(f"quantity must be between {low} and {MAX_QUANTITY}", field="quantity")
    return quantity


def _overselling(change: Change) -> OversellingMode:
    # The store setting as read with the reference data (a few seconds old at
    # most): adding to a cart only asks whether to look at stock; payments
    # read the setting afresh.
    return change.reference.overselling_mode


def _size_total(selection: Selection, product_size_id: int) -> int:
    return sum(line.quantity for line in selection.lines if line.product_size_id == product_size_id)


async def _room(
    change: Change, selection: Selection, product_size_id: int, item: str, display_item_id: int, wanted: int
) -> int:
    """How many of ``wanted`` more units may go into the selection (aggressive mode checks stock)."""
    if _overselling(change) is not OversellingMode.AGGRESSIVE:
        return wanted
    available = (await available_for_market(change.session, selection.market_id, [product_size_id]))[product_size_id]
    have = _size_total(selection, product_size_id)
    room = max(min(wanted, available - have), 0)
    if room < wanted:
        change.unavailable.append(
            Unavailable(
                item=item,
                product=display_item_id,
                original_quantity=have + wanted,
                unavailable=have + wanted - max(available, have),
                available=max(available, 0),
            )
        )
    return room


async def add_item(
    shop: Storefront,
    cart: Cart,
    item: str,
    quantity: int = 1,
    *,
    comment: str | None = None,
    product_url: str | None = None,
    additional_fields: Mapping[str, Any] | None = None,
) -> CheckoutState:
    """POST /items/{item}[/quantity/{n}]: the first item creates the selection.

    ``product_url`` (the page the item was added from) and ``additional_fields`` (plugin data) are kept
    on the line the units went to and shown on it; units added to a line later with new ones replace them.
    """
    check_quantity(quantity)
    if comment is not None and len(comment) > MAX_COMMENT:
        raise ValidationFailed(f"comment is longer than {MAX_COMMENT} characters", field="comment")
    display_item_id, product_size_id = parse_item_id(item)
    # A cart change the shopper can make again: its commit need not wait for the disk.
    async with changing(shop, cart, flush_wait=False) as change:
        row = change.row
        assert row.market_id is not None
        assert row.pricelist_id is not None
        # On sale in the market, as the catalogue shows it (payment checks again, fresh).
        catalogue = await shop.cache.catalogue(change.session, row.store_id, row.market_id, row.pricelist_id)
        product = catalogue.by_display_item.get(display_item_id)
        if product is None or all(size.product_size_id != product_size_id for size in product.items):
            raise NotFound("product item not found", field="item")
        if product.bundle_info is not None:
            await _check_bundle_needs_no_choice(change, product_size_id, item)
        selection = await open_selection(change)
        room = await _room(change, selection, product_size_id, item, display_item_id, quantity)
        added = None
        if room:
            added = await add_line_in(
                change.session, selection, display_item_id, product_size_id, room, comment=comment or None
            )
            keep_line_extras(added, product_url, additional_fields)
    return with_line(await change.after(), added.line_id if added is not None else None)


def keep_line_extras(line: SelectionLine, product_url: str | None, additional_fields: Mapping[str, Any] | None) -> None:
    """An add's ``productUrl`` and ``additionalFields`` on the line it went to (None keeps what is there)."""
    if product_url is not None:
        if len(product_url) > MAX_PRODUCT_URL:
            raise ValidationFailed(f"longer than {MAX_PRODUCT_URL} characters", field="productUrl")
        line.product_url = product_url or None
    if additional_fields is not None:
        line.additional_fields = dict(additional_fields) or None


def with_line(state: CheckoutState, line_id: str | None) -> CheckoutState:
    """The state naming the line an add went to (the Shop API answers it as ``line``)."""
    return replace(state, line=line_id) if line_id is not None else state


async def _check_bundle_needs_no_choice(change: Change, product_size_id: int, item: str) -> None:
    """A plain add takes a bundle only when its components need no choice (fixed, single-option sections).

    A flexible bundle would otherwise sit in the selection with no components
    and no price: hidden from the cart, then removed at payment with a 406.
    """
    try:
        await bundles.choose_components(change.session, change.row.store_id, product_size_id, {})
    except (ValidationFailed, NotFound):
        raise ValidationFailed(
            f"this bundle needs its sections chosen: add it with POST /items/bundles/{item}", field="item"
        ) from None


async def _line_selection(change: Change) -> Selection:
    selection = await change.current_selection()
    if selection is None:
        raise NotFound("line not found", field="line")
    return selection


async def increase_line(shop: Storefront, cart: Cart, line_id: str, quantity: int = 1) -> CheckoutState:
    """POST /lines/{line}[/quantity/{n}]: more of what the line holds."""
    check_quantity(quantity)
    async with changing(shop, cart) as change:
        selection = await _line_selection(change)
        line = find_line(selection, line_id)
        item = f"{line.display_item_id}-{line.product_size_id}"
        room = await _room(change, selection, line.product_size_id, item, line.display_item_id, quantity)
        if room:
            await set_line_quantity_in(change.session, selection, line_id, line.quantity + room)
    return await change.after()


async def set_line(shop: Storefront, cart: Cart, line_id: str, quantity: int) -> CheckoutState:
    """PUT /lines/{line}/quantity/{n}: 0 removes the line."""
    check_quantity(quantity, allow_zero=True)
    async with changing(shop, cart) as change:
        selection = await _line_selection(change)
        line = find_line(selection, line_id)
        if quantity > line.quantity:
            item = f"{line.display_item_id}-{line.product_size_id}"
            room = await _room(
                change, selection, line.product_size_id, item, line.display_item_id, quantity - line.quantity
            )
            quantity = line.quantity + room
        await set_line_quantity_in(change.session, selection, line_id, quantity)
    return await change.after()


async def decrease_line(shop: Storefront, cart: Cart, line_id: str, quantity: int = 1) -> CheckoutState:
    """DELETE /lines/{line}/quantity/{n}: fewer units; reaching 0 removes the line."""
    check_quantity(quantity)
    async with changing(shop, cart) as change:
        selection = await _line_selection(change)
        line = find_line(selection, line_id)
        await set_line_quantity_in(change.session, selection, line_id, max(line.quantity - quantity, 0))
    return await change.after()


async def remove_line(shop: Storefront, cart: Cart, line_id: str) -> CheckoutState:
    async with changing(shop, cart) as change:
        selection = await _line_selection(change)
        await remove_line_in(change.session, selection, line_id)
    return await change.after()


@dataclass(frozen=True)
class BulkResult:
    state: CheckoutState
    # Per entry that failed: ("lines.0.line", error).
    errors: tuple[tuple[str, DomainError], ...]
    applied: int


async def bulk_update(
    shop: Storefront,
    cart: Cart,
    lines: Sequence[tuple[str, int]],
    items: Sequence[tuple[str, int]],
) -> BulkResult:
    """PUT /items: set line quantities and item quantities; each entry succeeds or fails alone."""
    errors: list[tuple[str, DomainError]] = []
    applied = 0
    async with changing(shop, cart) as change:
        selection = await change.current_selection() if not items else await change.selection()
        for index, (line_id, quantity) in enumerate(lines):
            try:
                check_quantity(quantity, allow_zero=True)
                if selection is None:
                    raise NotFound("line not found", field="line")
                line = find_line(selection, line_id)
                if quantity > line.quantity:
                    item = f"{line.display_item_id}-{line.product_size_id}"
                    room = await _room(
                        change, selection, line.product_size_id, item, line.display_item_id, quantity - line.quantity
                    )
                    quantity = line.quantity + room
                await set_line_quantity_in(change.session, selection, line_id, quantity)
                applied += 1
            except DomainError as error:
                errors.append((f"lines.{index}.{error.field or 'line'}", error))
        for index, (item, quantity) in enumerate(items):
            try:
                check_quantity(quantity, allow_zero=True)
                assert selection is not None
                assert change.row.market_id is not None
                loaded = await load_item(change.session, item, change.row.market_id)
                plain = [
                    line
                    for line in selection.lines
                    if line.display_item_id == loaded.display_item_id
                    and line.product_size_id == loaded.product_size_id
                    and line.comment is None
                    and line.subscription_plan_id is None
                ]
                current = plain[0].quantity if plain else 0
                if quantity > current:
                    room = await _room(
                        change, selection, loaded.product_size_id, item, loaded.display_item_id, quantity - current
                    )
                    quantity = current + room
                if plain:
                    await set_line_quantity_in(change.session, selection, plain[0].line_id, quantity)
                elif quantity:
                    await add_line_in(
                        change.session, selection, loaded.display_item_id, loaded.product_size_id, quantity
                    )
                applied += 1
            except DomainError as error:
                errors.append((f"items.{index}.{error.field or 'item'}", error))
    return BulkResult(await change.after(), tuple(errors), applied)


# --- where the shopper is -------------------------------------------------------------------


async def _move(
    change: Change,
    *,
    market_id: int,
    pricelist_id: int,
    language_id: int | None,
    country_id: int | None,
    state: str | None,
) -> None:
    """Move the session and its selection; items not sold in the new market leave the selection."""
    row = change.row
    row.market_id, row.pricelist_id, row.language_id = market_id, pricelist_id, language_id
    row.country_id, row.state = country_id, state
    selection = await change.current_selection()
    if selection is None:
        return
    selection.market_id, selection.pricelist_id, selection.language_id = market_id, pricelist_id, language_id
    selection.country_id, selection.state = country_id, state
    items = {f"{line.display_item_id}-{line.product_size_id}" for line in selection.lines}
    on_sale = await load_items(change.session, items, market_id) if items else {}
    for line in list(selection.lines):
        if f"{line.display_item_id}-{line.product_size_id}" not in on_sale:
            await remove_line_in(change.session, selection, line.line_id)
    await choose_default_methods(change.session, selection, change.reference)
    selection.updated_at = utcnow()


def _language_id(change: Change, language: str | None, current: int | None) -> int | None:
    if language is None:
        return current
    found = change.reference.language_by_code(language)
    if found is None:
        raise NotFound("language not found", field="language")
    return found.id


async def set_country(
    shop: Storefront, cart: Cart, country: str, state: str | None = None, *, language: str | None = None
) -> CheckoutState:
    """PUT /countries/{country}[/states/{state}]: market and pricelist follow the country."""
    async with changing(shop, cart) as change:
        await set_country_in(change, country, state, language=language)
    return await change.after()


async def set_country_in(
    change: Change, country: str, state: str | None = None, *, language: str | None = None
) -> None:
    channel = change.shop.channel
    try:
        located = await resolve_location(change.session, channel.store_id, country, state)
    except ValidationFailed as error:
        raise NotFound(f"{error.field or 'country'} not found", field=error.field or "country") from None
    if not channel.allows_market(located.market_id):
        raise NotFound("this shop does not sell to that country", field="country")
    await _move(
        change,
        market_id=located.market_id,
        pricelist_id=located.pricelist_id,
        language_id=_language_id(change, language, change.row.language_id),
        country_id=located.country_id,
        state=located.state,
    )


async def set_language(shop: Storefront, cart: Cart, language: str) -> CheckoutState:
    async with changing(shop, cart) as change:
        language_id = _language_id(change, language, None)
        change.row.language_id = language_id
        selection = await change.current_selection()
        if selection is not None:
            selection.language_id = language_id
    return await change.after()


async def set_location(
    shop: Storefront,
    cart: Cart,
    *,
    country: str | None = None,
    state: str | None = None,
    market: int | None = None,
    pricelist: int | None = None,
    language: str | None = None,
) -> CheckoutState:
    """PUT /selection (server mode): any of country, market, pricelist and language."""
    async with changing(shop, cart) as change:
        await _relocate(change, country=country, state=state, market=market, pricelist=pricelist, language=language)
    return await change.after()


async def create_selection(
    shop: Storefront,
    *,
    country: str | None = None,
    state: str | None = None,
    market: int | None = None,
    pricelist: int | None = None,
    language: str | None = None,
) -> CheckoutState:
    """Shop API POST /selections: a new, empty selection, placed where the caller says (else the defaults)."""
    async with new_selection(shop) as change:
        await _relocate(change, country=country, state=state, market=market, pricelist=pricelist, language=language)
    return await change.after()


async def _relocate(
    change: Change,
    *,
    country: str | None,
    state: str | None,
    market: int | None,
    pricelist: int | None,
    language: str | None,
) -> None:
    """Any of country (with state), market, pricelist and language; the rest stay as they are."""
    shop = change.shop
    store_id = shop.channel.store_id
    row = change.row
    assert row.market_id is not None
    assert row.pricelist_id is not None
    market_id, pricelist_id, country_id, state_code = row.market_id, row.pricelist_id, row.country_id, row.state
    if country is not None:
        try:
            located = await resolve_location(change.session, store_id, country, state)
        except ValidationFailed as error:
            raise NotFound(f"{error.field or 'country'} not found", field=error.field or "country") from None
        market_id, pricelist_id = located.market_id, located.pricelist_id
        country_id, state_code = located.country_id, located.state
    if market is not None:
        found = await change.session.scalar(
            select(Market.id).where(Market.id == market, Market.store_id == store_id, Market.active.is_(True))
        )
        if found is None or not shop.channel.allows_market(market):
            raise NotFound("market not found", field="market")
        market_id = market
    if pricelist is not None:
        found = await change.session.scalar(
            select(Pricelist.id).where(
                Pricelist.id == pricelist, Pricelist.store_id == store_id, Pricelist.active.is_(True)
            )
        )
        if found is None:
            raise NotFound("pricelist not found", field="pricelist")
        pricelist_id = pricelist
    await _move(
        change,
        market_id=market_id,
        pricelist_id=pricelist_id,
        language_id=_language_id(change, language, row.language_id),
        country_id=country_id,
        state=state_code,
    )


async def attach_selection(shop: Storefront, visitor: Visitor, uuid: str) -> CheckoutState:
    """PUT /selection/{selection} (server mode): bind the token to an open selection (abandoned carts)."""
    normalized = uuid.strip().lower()
    async with changing(shop, visitor) as change:
        selection_id = await change.session.scalar(
            select(Selection.id).where(
                Selection.uuid == normalized,
                Selection.store_id == shop.channel.store_id,
                Selection.status == SelectionStatus.OPEN,
            )
        )
        if selection_id is None:
            raise NotFound("selection not found", field="selection")
        selection = await lock_selection(change.session, selection_id)
        row = change.session_row
        row.selection_id = selection.id
        row.market_id, row.pricelist_id, row.language_id = (
            selection.market_id,
            selection.pricelist_id,
            selection.language_id,
        )
        row.country_id, row.state = selection.country_id, selection.state
        if selection.customer_id is not None:
            row.customer_id = selection.customer_id
    return await change.after()


# --- methods ----------------------------------------------------------------------------------


async def set_shipping_method(shop: Storefront, cart: Cart, key: str) -> CheckoutState:
    async with changing(shop, cart) as change:
        row = change.row
        assert row.market_id is not None
        assert row.pricelist_id is not None
        options = []
        if row.country_id is not None and row.country_id in change.reference.shippable:
            options = await shipping_options(
                change.session,
                row.store_id,
                country_id=row.country_id,
                pricelist_id=row.pricelist_id,
                market_id=row.market_id,
            )
        chosen = next((o for o in options if shipping_key(o.shipping_method_id, o.uri) == key), None)
        if chosen is None:
            raise NotFound("not found", field="shippingMethod")
        selection = await change.selection()
        selection.shipping_method_id = chosen.shipping_method_id
    return await change.after()


async def set_payment_method(shop: Storefront, cart: Cart, key: str) -> CheckoutState:
    async with changing(shop, cart) as change:
        assert change.row.market_id is not None
        methods = await payment_methods(change.session, change.row.market_id)
        chosen = next((m for m in methods if m.uri == key), None)
        if chosen is None:
            raise NotFound("not found", field="paymentMethod")
        selection = await change.selection()
        selection.payment_method_id = chosen.id
    return await change.after()


# --- vouchers ---------------------------------------------------------------------------------


async def add_voucher(shop: Storefront, cart: Cart, code: str) -> CheckoutState:
    """POST /vouchers: a code usable now in the session's market and currency."""
    if not isinstance(code, str) or not code.strip():
        raise ValidationFailed("required", field="voucher")
    async with changing(shop, cart) as change:
        row = change.row
        assert row.market_id is not None
        assert row.pricelist_id is not None
        currency = change.reference.currency_of(row.pricelist_id)
        rule = await find_voucher(change.session, row.store_id, code, row.market_id, currency.id, utcnow())
        selection = await change.selection()
        if rule.voucher_id not in {v.voucher_id for v in selection.vouchers}:
            voucher = SelectionVoucher(selection_id=selection.id, voucher_id=rule.voucher_id)
            change.session.add(voucher)
            selection.vouchers.append(voucher)
            selection.updated_at = utcnow()
    return await change.after()


async def remove_voucher(shop: Storefront, cart: Cart, code: str) -> CheckoutState:
    """DELETE /vouchers/{code}: fine if the code was not applied; unknown codes are 404."""
    normalized = normalize_code(code) if isinstance(code, str) else None
    async with changing(shop, cart) as change:
        voucher_id = None
        if normalized is not None:
            voucher_id = await change.session.scalar(
                select(Voucher.id).where(Voucher.store_id == change.row.store_id, Voucher.code_normalized == normalized)
            )
        if voucher_id is None:
            raise NotFound("not found", field="voucher")
        selection = await change.current_selection()
        if selection is not None:
            await change.session.execute(
                delete(SelectionVoucher).where(
                    SelectionVoucher.selection_id == selection.id, SelectionVoucher.voucher_id == voucher_id
                )
            )
            change.session.expire(selection, ["vouchers"])
            selection.updated_at = utcnow()
    return await change.after()


# --- checkout fields --------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutFields:
    """PUT /payment-fields and the address part of POST /payment; None leaves a field as it is."""

    email: str | None = None
    address: Address | None = None
    shipping_address: Address | None = None
    newsletter: bool | None = None
    comment: str | None = None


async def _clean_country(change: Change, address: Address, field: str) -> Address:
    if address.country is None or not address.country.strip():
        return address
    found = change.reference.country_by_code(address.country)
    if found is None:
        raise ValidationFailed("unknown country", field=f"{field}.country")
    values = {name: getattr(address, name) for name in Address.__dataclass_fields__}
    values["country"] = found.code
    return Address(**values)


async def apply_fields(change: Change, selection: Selection, fields: CheckoutFields) -> None:
    if fields.email is not None:
        selection.email = normalize_email(fields.email) if fields.email.strip() else None
    if fields.address is not None:
        address = await _clean_country(change, fields.address, "address")
        write_address(selection, "billing_", read_address(selection, "billing_").merged(address))
    if fields.shipping_address is not None:
        address = await _clean_country(change, fields.shipping_address, "shippingAddress")
        current = read_address(selection, "shipping_", SHIPPING_FIELDS)
        write_address(selection, "shipping_", current.merged(address), SHIPPING_FIELDS)
    if fields.newsletter is not None:
        selection.newsletter = fields.newsletter
    if fields.comment is not None:
        if len(fields.comment) > MAX_COMMENT:
            raise ValidationFailed(f"longer than {MAX_COMMENT} characters", field="additionalNotes")
        selection.comment = fields.comment
    selection.updated_at = utcnow()


async def set_checkout_fields(shop: Storefront, cart: Cart, fields: CheckoutFields) -> CheckoutState:
    async with changing(shop, cart) as change:
        selection = await change.selection()
        await apply_fields(change, selection, fields)
    return await change.after()


async def require_line(shop: Storefront, cart: Cart, line_id: str) -> None:
    """``NotFound(field="line")`` unless the session's selection has this line."""
    async with changing(shop, cart) as change:
        find_line(await _line_selection(change), line_id)


async def enter_campaign_site(shop: Storefront, cart: Cart, uri: str) -> CheckoutState:
    """PUT /campaign-site: the market with this uri (a VIP market) becomes the session's."""
    async with changing(shop, cart) as change:
        market_id = await change.session.scalar(
            select(Market.id).where(
                Market.store_id == shop.channel.store_id, Market.uri == uri.strip(), Market.active.is_(True)
            )
        )
        if market_id is None or not shop.channel.allows_market(market_id):
            raise NotFound("not found", field="uri")
        row = change.row
        assert row.pricelist_id is not None
        await _move(
            change,
            market_id=market_id,
            pricelist_id=row.pricelist_id,
            language_id=row.language_id,
            country_id=row.country_id,
            state=row.state,
        )
    return await change.after()
