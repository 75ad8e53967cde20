"""The storefront catalogue in another language than the store's default.

The default language's snapshot (``checkout.catalog.build_catalog``) holds
the untranslated texts. A snapshot in another language is derived from it:
the same products, prices and categories, with names, uris, descriptions,
meta fields, variant names, category names and uris and attribute texts
replaced by their translations (``catalog.translations``) where one exists;
a field without a translation keeps the default text, as Centra falls back.

It is built the first time a language is asked for and kept beside the
default snapshot it came from: when that snapshot is rebuilt (any catalogue
event, and ``localize`` writes one for the object it translates), the
derived one is rebuilt on its next use. The default language never comes
here, so its hot path is unchanged.
"""

from __future__ import annotations

import asyncio
import itertools
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog.categories import CategoryPath
from opencentra.catalog.pim_models import Translation
from opencentra.storefront.cache import CheckoutCache, Source, holding_connection
from opencentra.storefront.catalog import CatalogSnapshot, CategoryRef, ProductData, words

# Object types whose translations show in the storefront catalogue.
_TYPES = ("Display", "Product", "ProductVariant", "Category")
# Display fields as ``localize`` names them -> ProductData attributes.
_DISPLAY_FIELDS = {
    "name": "name",
    "uri": "uri",
    "shortDescription": "excerpt",
    "description": "description",
    "metaTitle": "meta_title",
    "metaDescription": "meta_description",
    "metaKeywords": "meta_keywords",
}
_ATTRIBUTE_PREFIX = "attributes."
_ATTRIBUTE_SUFFIX = ".text"
# Serials of derived snapshots: negative, so they never equal a default snapshot's.
_serials = itertools.count(1)


@dataclass(frozen=True)
class LanguageTexts:
    """Every catalogue translation of one language: ``{(object type, id): {field: value}}``."""

    language_id: int
    texts: Mapping[tuple[str, int], Mapping[str, str]]

    def of(self, object_type: str, object_id: int) -> Mapping[str, str]:
        return self.texts.get((object_type, object_id), {})


async def load_texts(session: AsyncSession, language_id: int) -> LanguageTexts:
    rows = await session.execute(
        select(Translation.object_type, Translation.object_id, Translation.field, Translation.value).where(
            Translation.language_id == language_id, Translation.object_type.in_(_TYPES)
        )
    )
    texts: dict[tuple[str, int], dict[str, str]] = {}
    for object_type, object_id, field, value in rows:
        if value:
            texts.setdefault((object_type, object_id), {})[field] = value
    return LanguageTexts(language_id, texts)


def _category_path(path: CategoryPath, texts: LanguageTexts) -> CategoryPath:
    names = tuple(texts.of("Category", cid).get("name", name) for cid, name in zip(path.ids, path.names, strict=False))
    segments = path.uri.split("/")
    uri = path.uri
    if len(segments) == len(path.ids):
        # The full uri is the ancestors' own uris joined: each translates on its own.
        uri = "/".join(texts.of("Category", cid).get("uri", seg) for cid, seg in zip(path.ids, segments, strict=True))
    if names == path.names and uri == path.uri:
        return path
    return replace(path, names=names, uri=uri)


def _category_ref(ref: CategoryRef, paths: Mapping[int, CategoryPath]) -> CategoryRef:
    path = paths.get(ref.id)
    if path is None or (path.names == ref.names and path.uri == ref.uri):
        return ref
    return replace(ref, names=path.names, uri=path.uri)


def _attribute_texts(texts: LanguageTexts, product: ProductData) -> dict[str, str]:
    """``{attribute key: text}``: the product's, overridden by the variant's (as the catalogue merges them)."""
    found: dict[str, str] = {}
    for object_type, object_id in (("Product", product.product_id), ("ProductVariant", product.variant_id)):
        for field, value in texts.of(object_type, object_id).items():
            if field.startswith(_ATTRIBUTE_PREFIX) and field.endswith(_ATTRIBUTE_SUFFIX):
                found[field[len(_ATTRIBUTE_PREFIX) : -len(_ATTRIBUTE_SUFFIX)]] = value
    return found


def _product(product: ProductData, texts: LanguageTexts, paths: Mapping[int, CategoryPath]) -> ProductData:
    changes: dict[str, object] = {}
    for field, value in texts.of("Display", product.display_id).items():
        target = _DISPLAY_FIELDS.get(field)
        if target is not None:
            changes[target] = value
    variant_name = texts.of("ProductVariant", product.variant_id).get("name")
    if variant_name is not None:
        changes["variant_name"] = variant_name
    attribute_texts = _attribute_texts(texts, product)
    if attribute_texts:
        changes["attributes"] = tuple((key, attribute_texts.get(key, value)) for key, value in product.attributes)
    categories = tuple(_category_ref(ref, paths) for ref in product.categories)
    if categories != product.categories:
        changes["categories"] = categories
    if product.canonical_category is not None:
        canonical = _category_ref(product.canonical_category, paths)
        if canonical is not product.canonical_category:
            changes["canonical_category"] = canonical
    if not changes:
        return product
    localized = replace(product, **changes)  # type: ignore[arg-type]
    # The translated words are searchable too; the default ones still match (SKUs, brand, shared words).
    extra = words(
        " ".join(
            [
                localized.name,
                localized.variant_name,
                localized.excerpt,
                " ".join(c.names[-1] for c in localized.categories if c.names),
            ]
        )
    )
    return replace(localized, search_tokens=product.search_tokens | frozenset(extra))


def localize_snapshot(snapshot: CatalogSnapshot, texts: LanguageTexts) -> CatalogSnapshot:
    """``snapshot`` with its texts in ``texts``' language (a new serial, so caches built on it differ)."""
    paths = {cid: _category_path(path, texts) for cid, path in snapshot.categories.items()}
    products = tuple(_product(p, texts, paths) for p in snapshot.products)
    vocabulary = set(snapshot.vocabulary)
    for product in products:
        vocabulary.update(product.search_tokens)
    return replace(
        snapshot,
        products=products,
        by_display_item={p.display_item_id: p for p in products},
        categories=paths,
        vocabulary=tuple(sorted(vocabulary)),
        serial=-next(_serials),
    )


class _Localized:
    """Per cache: derived snapshots keyed by (store, market, pricelist, language)."""

    def __init__(self) -> None:
        self.snapshots: dict[tuple[int, int, int, int], tuple[int, CatalogSnapshot]] = {}
        self.locks: dict[tuple[int, int, int, int], asyncio.Lock] = {}


_BY_CACHE: weakref.WeakKeyDictionary[CheckoutCache, _Localized] = weakref.WeakKeyDictionary()
# Derived snapshots kept per cache before the oldest are dropped (each is as big as its source).
MAX_LOCALIZED = 64


async def in_language(
    cache: CheckoutCache,
    source: Source,
    snapshot: CatalogSnapshot,
    language_id: int | None,
    default_language_id: int | None,
) -> CatalogSnapshot:
    """``snapshot`` (a default-language one from ``cache``) as a shopper in ``language_id`` sees it."""
    if language_id is None or language_id == default_language_id:
        return snapshot
    store = _BY_CACHE.get(cache)
    if store is None:
        store = _BY_CACHE[cache] = _Localized()
    key = (snapshot.store_id, snapshot.market_id, snapshot.pricelist_id, language_id)
    found = store.snapshots.get(key)
    if found is not None and found[0] == snapshot.serial:
        return found[1]
    lock = store.locks.setdefault(key, asyncio.Lock())
    async with holding_connection(source) as session, lock:
        found = store.snapshots.get(key)
        if found is not None and found[0] == snapshot.serial:
            return found[1]
        localized = localize_snapshot(snapshot, await load_texts(session, language_id))
        store.snapshots.pop(key, None)
        while len(store.snapshots) >= MAX_LOCALIZED:
            store.snapshots.pop(next(iter(store.snapshots)))
        store.snapshots[key] = (snapshot.serial, localized)
        return localized
