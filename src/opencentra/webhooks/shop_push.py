"""The Shop API plugin's push URL: outbox events become Centra's "changed ids by section" payload.

Centra POSTs the form field ``payload`` to the push URL a Shop API plugin
names, holding JSON that lists the ids that changed in each section. A
receiver (a storefront's catalogue cache) then fetches those ids through the
Shop API, so ids here are the ones the Shop API keys its answers by: display
item ids for ``products`` (what ``GET /products`` keys by), gift certificate
URIs for ``giftCertificates``, plain ids otherwise, all as strings.

Every section is always present (empty when nothing changed in it), so a
receiver that reads ``payload['products']`` never finds a key missing.
Sections OpenCentra has no objects for (``statics``, ``cms``,
``campaignSites``, ``affiliates``) stay empty. Choices and the mapping:
docs/compatibility/shop-api.md, "Push URL".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog.models import Display, DisplayItem, ProductSize
from opencentra.events import PendingEvent

SECTIONS = (
    "statics",
    "products",
    "pricelists",
    "markets",
    "maps",
    "giftCertificates",
    "cms",
    "categories",
    "campaignSites",
    "campaigns",
    "affiliates",
)
# Outbox object types that change what the Shop API answers, by the section they land in.
DIRECT: dict[str, str] = {
    "category": "categories",
    "market": "markets",
    "pricelist": "pricelists",
    "campaign": "campaigns",
    "mapped_attribute": "maps",
    "gift_certificate": "giftCertificates",
}
# These change a product the Shop API shows; they are turned into its display item ids.
PRODUCT_TYPES = ("display", "product", "variant", "price", "stock")
OBJECT_TYPES: tuple[str, ...] = (*DIRECT, *PRODUCT_TYPES)


async def _display_items(
    session: AsyncSession,
    store_id: int,
    *,
    displays: Iterable[int] = (),
    products: Iterable[int] = (),
    variants: Iterable[int] = (),
) -> set[int]:
    """Display item ids of the plugin's store showing any of these displays, products or variants."""
    found: set[int] = set()
    wanted = {
        DisplayItem.display_id: sorted(set(displays)),
        Display.product_id: sorted(set(products)),
        DisplayItem.variant_id: sorted(set(variants)),
    }
    for column, ids in wanted.items():
        if not ids:
            continue
        statement = (
            select(DisplayItem.id)
            .join(Display, Display.id == DisplayItem.display_id)
            .where(Display.store_id == store_id, column.in_(ids))
        )
        found.update((await session.scalars(statement)).all())
    return found


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return None


async def changed_ids(session: AsyncSession, store_id: int, events: Sequence[PendingEvent]) -> dict[str, list[str]]:
    """Every section with the ids ``events`` changed in it (sorted, each once)."""
    sections: dict[str, set[str]] = defaultdict(set)
    displays: set[int] = set()
    products: set[int] = set()
    variants: set[int] = set()
    sizes: set[int] = set()
    for event in events:
        if event.object_type in DIRECT:
            section = DIRECT[event.object_type]
            key = event.payload.get("uri") if section == "giftCertificates" else None
            sections[section].add(str(key) if isinstance(key, str) and key else str(event.object_id))
        elif event.object_type == "display":
            displays.add(event.object_id)
        elif event.object_type == "product":
            products.add(event.object_id)
        elif event.object_type == "variant":
            variants.add(event.object_id)
        elif event.object_type == "price":
            variant = _int(event.payload.get("variant"))
            if variant is not None:
                variants.add(variant)
        elif event.object_type == "stock":
            size = _int(event.payload.get("product_size_id"))
            if size is not None:
                sizes.add(size)
    if sizes:
        rows = await session.scalars(select(ProductSize.variant_id).where(ProductSize.id.in_(sorted(sizes))))
        variants.update(rows.all())
    items = await _display_items(session, store_id, displays=displays, products=products, variants=variants)
    sections["products"].update(str(item) for item in items)

    def order(value: str) -> tuple[int, int | str]:
        return (0, int(value)) if value.isdigit() else (1, value)

    return {section: sorted(sections.get(section, set()), key=order) for section in SECTIONS}


def is_empty(changed: dict[str, list[str]]) -> bool:
    return not any(changed.values())


def payload_json(changed: dict[str, list[str]]) -> str:
    return orjson.dumps({section: changed.get(section, []) for section in SECTIONS}).decode("utf-8")


def halves(payload: str) -> list[str]:
    """Split a push payload in two (a receiver answered 413): its (section, id) pairs, half in each."""
    changed: dict[str, list[str]] = orjson.loads(payload)
    pairs = [(section, value) for section in SECTIONS for value in changed.get(section, [])]
    middle = len(pairs) // 2
    parts = []
    for chunk in (pairs[:middle], pairs[middle:]):
        part: dict[str, list[str]] = {section: [] for section in SECTIONS}
        for section, value in chunk:
            part[section].append(value)
        parts.append(payload_json(part))
    return parts


def size(payload: str) -> int:
    """How many ids a push payload lists."""
    changed: dict[str, list[str]] = orjson.loads(payload)
    return sum(len(values) for values in changed.values())
