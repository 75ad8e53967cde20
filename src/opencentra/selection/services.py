"""Storage primitives for selections and shopper sessions.

Pricing, stock checks and voucher rules live in the storefront use cases;
these functions only keep the rows right: ids that cannot be guessed,
quantities that stay between 1 and ``MAX_LINE_QUANTITY`` on every line, and
changes only while a selection is open.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.giftcards.models import SelectionGiftCertificate
from opencentra.selection.models import Selection, SelectionLine, SelectionStatus, ShopperSession

# Units one selection line may hold, however they got there (one add, many
# adds, a quantity update): far above any real basket, far below what would
# overflow a sum of lines. Magento's default cart ceiling is the same.
MAX_LINE_QUANTITY = 10_000

TOKEN_LENGTH = 32
_CHECK_LENGTH = 4
_TOKEN_ALPHABET = string.ascii_lowercase + string.digits
# Centra's tokens are 26 to 32 lowercase alphanumerics; anything else is unknown.
_TOKEN_SHAPE = re.compile(r"[a-z0-9]{26,32}")
_UUID_SHAPE = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session and its token; the token is only known here, the database keeps its hash."""

    token: str
    session: ShopperSession


def new_token() -> str:
    """A new session token: 28 random characters (144 bits) and 4 that check them (``is_minted``)."""
    body = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH - _CHECK_LENGTH))
    return body + _check(body)


def is_minted(token: str) -> bool:
    """Whether ``new_token`` made ``token``, whether or not a session row was ever saved for it.

    A session row is only written once the session holds something, so a
    token handed out earlier may have none yet. The check characters tell it
    from a token nobody issued (a typo, a constant, another system's), which
    is replaced instead, as an unknown token always was. A checksum, not a
    signature: it authenticates nothing, and it needs no shared secret.
    """
    if len(token) != TOKEN_LENGTH or not is_token_shaped(token):
        return False
    return hmac.compare_digest(token[-_CHECK_LENGTH:], _check(token[:-_CHECK_LENGTH]))


def _check(body: str) -> str:
    number = int.from_bytes(hashlib.sha256(f"opencentra-token:{body}".encode("ascii")).digest()[:8], "big")
    characters = []
    for _ in range(_CHECK_LENGTH):
        number, digit = divmod(number, len(_TOKEN_ALPHABET))
        characters.append(_TOKEN_ALPHABET[digit])
    return "".join(characters)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_token_shaped(token: str) -> bool:
    """Whether ``token`` could be one of ours (26 to 32 lowercase alphanumerics)."""
    return _TOKEN_SHAPE.fullmatch(token) is not None


async def create_session(
    db: Database,
    store_id: int,
    *,
    selection_id: int | None = None,
    customer_id: int | None = None,
    market_id: int | None = None,
    pricelist_id: int | None = None,
    language_id: int | None = None,
    country_id: int | None = None,
    state: str | None = None,
) -> NewSession:
    token = new_token()
    async with db.write() as session:
        shopper = ShopperSession(
            token_hash=token_hash(token),
            store_id=store_id,
            selection_id=selection_id,
            customer_id=customer_id,
            market_id=market_id,
            pricelist_id=pricelist_id,
            language_id=language_id,
            country_id=country_id,
            state=state,
        )
        session.add(shopper)
        await session.flush()
        return NewSession(token=token, session=shopper)


async def get_session_by_token(db: Database, token: str) -> ShopperSession | None:
    """The live session for ``token``; ``None`` when unknown, malformed or expired."""
    if not _TOKEN_SHAPE.fullmatch(token):
        return None
    async with db.read() as session:
        shopper = await session.scalar(select(ShopperSession).where(ShopperSession.token_hash == token_hash(token)))
    if shopper is None or shopper.expires_at <= utcnow():
        return None
    return shopper


async def attach_selection(db: Database, session_id: int, selection_id: int | None) -> ShopperSession:
    async with db.write() as session:
        shopper = await session.get(ShopperSession, session_id)
        if shopper is None:
            raise NotFound("the session was not found", field="token")
        shopper.selection_id = selection_id
        await session.flush()
        return shopper


async def create_selection(
    db: Database,
    store_id: int,
    market_id: int,
    pricelist_id: int,
    *,
    language_id: int | None = None,
    country_id: int | None = None,
    state: str | None = None,
    customer_id: int | None = None,
) -> Selection:
    async with db.write() as session:
        return await create_selection_in(
            session,
            store_id,
            market_id,
            pricelist_id,
            language_id=language_id,
            country_id=country_id,
            state=state,
            customer_id=customer_id,
        )


async def create_selection_in(
    session: AsyncSession,
    store_id: int,
    market_id: int,
    pricelist_id: int,
    *,
    language_id: int | None = None,
    country_id: int | None = None,
    state: str | None = None,
    customer_id: int | None = None,
    shipping_method_id: int | None = None,
    payment_method_id: int | None = None,
) -> Selection:
    """``create_selection`` in the caller's transaction."""
    selection = Selection(
        uuid=secrets.token_hex(16),
        status=SelectionStatus.OPEN,
        store_id=store_id,
        market_id=market_id,
        pricelist_id=pricelist_id,
        language_id=language_id,
        country_id=country_id,
        state=state,
        customer_id=customer_id,
        shipping_method_id=shipping_method_id,
        payment_method_id=payment_method_id,
        newsletter=False,
    )
    session.add(selection)
    await session.flush()
    # A new selection has no lines or vouchers; say so instead of leaving them unloaded.
    set_committed_value(selection, "lines", [])
    set_committed_value(selection, "vouchers", [])
    return selection


async def lock_selection(session: AsyncSession, selection_id: int) -> Selection:
    """The selection with its lines and vouchers, locked for the caller's transaction."""
    return await _load_selection(session, selection_id)


async def _load_selection(session: AsyncSession, selection_id: int) -> Selection:
    selection = await session.scalar(
        select(Selection)
        .where(Selection.id == selection_id)
        .options(selectinload(Selection.lines), selectinload(Selection.vouchers))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if selection is None:
        raise NotFound("selection not found", field="selection")
    return selection


async def get_selection(db: Database, selection_id: int) -> Selection:
    async with db.read() as session:
        selection = await session.scalar(
            select(Selection)
            .where(Selection.id == selection_id)
            .options(selectinload(Selection.lines), selectinload(Selection.vouchers))
        )
    if selection is None:
        raise NotFound("selection not found", field="selection")
    return selection


async def get_selection_by_uuid(db: Database, uuid: str) -> Selection:
    """The selection with its lines and vouchers loaded."""
    normalized = uuid.strip().lower()
    if not _UUID_SHAPE.fullmatch(normalized):
        raise NotFound("selection not found", field="selection")
    async with db.read() as session:
        selection = await session.scalar(
            select(Selection)
            .where(Selection.uuid == normalized)
            .options(selectinload(Selection.lines), selectinload(Selection.vouchers))
        )
    if selection is None:
        raise NotFound("selection not found", field="selection")
    return selection


async def _open_selection(session: AsyncSession, selection_id: int) -> Selection:
    selection = await _load_selection(session, selection_id)
    check_open(selection)
    return selection


def check_open(selection: Selection) -> None:
    if selection.status != SelectionStatus.OPEN:
        raise Conflict(f"the selection is {selection.status} and can no longer change", field="selection")


def _check_quantity(quantity: int, *, allow_zero: bool) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationFailed("quantity must be a whole number", field="quantity")
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise ValidationFailed("quantity must be a positive whole number", field="quantity")
    check_line_quantity(quantity)


def check_line_quantity(quantity: int) -> None:
    """``ValidationFailed(field="quantity")`` when a line would hold more than ``MAX_LINE_QUANTITY``."""
    if quantity > MAX_LINE_QUANTITY:
        raise ValidationFailed(f"a line holds at most {MAX_LINE_QUANTITY} units", field="quantity")


def find_line(selection: Selection, line_id: str) -> SelectionLine:
    """A line of the selection (lines loaded); ``NotFound(field="line")`` otherwise."""
    for line in selection.lines:
        if line.line_id == line_id:
            return line
    raise NotFound("line not found", field="line")


async def add_line(
    db: Database,
    selection_id: int,
    display_item_id: int,
    product_size_id: int,
    quantity: int = 1,
    *,
    comment: str | None = None,
) -> SelectionLine:
    """Add units of an item; the same item with the same comment goes onto its existing line."""
    _check_quantity(quantity, allow_zero=False)
    async with db.write() as session:
        selection = await _open_selection(session, selection_id)
        return await add_line_in(session, selection, display_item_id, product_size_id, quantity, comment=comment)


async def add_line_in(
    session: AsyncSession,
    selection: Selection,
    display_item_id: int,
    product_size_id: int,
    quantity: int = 1,
    *,
    comment: str | None = None,
    subscription_plan_id: int | None = None,
) -> SelectionLine:
    """``add_line`` on a selection the caller locked (lines loaded)."""
    _check_quantity(quantity, allow_zero=False)
    check_open(selection)
    for line in selection.lines:
        # Units on a subscription plan join only a line on the same plan (one-off units, none).
        if (line.display_item_id, line.product_size_id, line.comment, line.subscription_plan_id) == (
            display_item_id,
            product_size_id,
            comment,
            subscription_plan_id,
        ):
            check_line_quantity(line.quantity + quantity)
            line.quantity += quantity
            break
    else:
        line = await new_line_in(
            session,
            selection,
            display_item_id,
            product_size_id,
            quantity,
            comment=comment,
            subscription_plan_id=subscription_plan_id,
        )
    selection.updated_at = utcnow()
    await session.flush()
    return line


async def new_line_in(
    session: AsyncSession,
    selection: Selection,
    display_item_id: int,
    product_size_id: int,
    quantity: int,
    *,
    comment: str | None = None,
    subscription_plan_id: int | None = None,
) -> SelectionLine:
    """A new product line on a selection the caller locked: the one place product lines are made.

    Products and a gift certificate are never bought together, so a
    certificate the selection was buying is dropped here.
    """
    check_line_quantity(quantity)
    await session.execute(delete(SelectionGiftCertificate).where(SelectionGiftCertificate.selection_id == selection.id))
    line = SelectionLine(
        selection_id=selection.id,
        line_id=secrets.token_hex(16),
        display_item_id=display_item_id,
        product_size_id=product_size_id,
        quantity=quantity,
        comment=comment,
        subscription_plan_id=subscription_plan_id,
    )
    session.add(line)
    selection.lines.append(line)
    return line


async def set_line_quantity(db: Database, selection_id: int, line_id: str, quantity: int) -> SelectionLine | None:
    """Set a line's quantity; 0 removes the line (and returns ``None``)."""
    _check_quantity(quantity, allow_zero=True)
    async with db.write() as session:
        selection = await _open_selection(session, selection_id)
        return await set_line_quantity_in(session, selection, line_id, quantity)


async def set_line_quantity_in(
    session: AsyncSession, selection: Selection, line_id: str, quantity: int
) -> SelectionLine | None:
    """``set_line_quantity`` on a selection the caller locked (lines loaded)."""
    _check_quantity(quantity, allow_zero=True)
    check_open(selection)
    line = find_line(selection, line_id)
    selection.updated_at = utcnow()
    if quantity == 0:
        await _delete_line(session, selection, line)
        return None
    line.quantity = quantity
    await session.flush()
    return line


async def remove_line(db: Database, selection_id: int, line_id: str) -> None:
    async with db.write() as session:
        selection = await _open_selection(session, selection_id)
        await remove_line_in(session, selection, line_id)


async def remove_line_in(session: AsyncSession, selection: Selection, line_id: str) -> None:
    check_open(selection)
    await _delete_line(session, selection, find_line(selection, line_id))
    selection.updated_at = utcnow()


async def _delete_line(session: AsyncSession, selection: Selection, line: SelectionLine) -> None:
    await session.delete(line)
    selection.lines.remove(line)
    await session.flush()


async def purge_expired_sessions(db: Database, *, before: datetime | None = None, limit: int = 10_000) -> int:
    """Delete sessions that expired (their open anonymous selections go too).

    The app runs it periodically (``opencentra.maintenance``); ``opencentra
    purge-sessions`` runs it once.
    """
    cutoff = before or utcnow()
    async with db.write() as session:
        ids = list(
            await session.scalars(select(ShopperSession.id).where(ShopperSession.expires_at < cutoff).limit(limit))
        )
        if not ids:
            return 0
        selection_ids = list(
            await session.scalars(
                select(Selection.id)
                .join(ShopperSession, ShopperSession.selection_id == Selection.id)
                .where(
                    ShopperSession.id.in_(ids),
                    Selection.status == SelectionStatus.OPEN,
                    Selection.customer_id.is_(None),
                )
            )
        )
        await session.execute(delete(ShopperSession).where(ShopperSession.id.in_(ids)))
        if selection_ids:
            await session.execute(
                update(Selection)
                .where(Selection.id.in_(selection_ids))
                .values(status=SelectionStatus.ABANDONED, updated_at=utcnow())
            )
        return len(ids)
