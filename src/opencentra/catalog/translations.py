"""Translations of catalogue texts, one language at a time (Centra's ``localize``).

Each translatable type names its fields as the API does (``metaTitle``); a
custom attribute's text is ``attributes.<type key>.text``. A value replaces
the field's translation in that language; an empty value or ``None``
removes it, so the field falls back to the untranslated text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog.models import AttributeScope, AttributeType, Category, Display, Product, ProductVariant
from opencentra.catalog.pim_models import Translation
from opencentra.catalog.uris import check_uri
from opencentra.db.base import Base
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events import outbox
from opencentra.stores.models import Language

MAX_TEXT_LENGTH = 65_535
MAX_SHORT_LENGTH = 255
MAX_FIELDS_PER_CALL = 100

_DISPLAY_FIELDS = ("name", "uri", "metaDescription", "metaKeywords", "metaTitle", "shortDescription", "description")
_LONG_FIELDS = frozenset({"description", "shortDescription", "metaDescription"})
_URI_FIELDS = frozenset({"uri"})


@dataclass(frozen=True)
class Translatable:
    """A type that holds translations: its table, its fixed fields, and whose attributes it carries."""

    model: type[Base]
    fields: tuple[str, ...]
    attribute_scope: AttributeScope | None = None
    event_object_type: str = ""


TRANSLATABLE: dict[str, Translatable] = {
    "Product": Translatable(Product, ("name",), AttributeScope.PRODUCT, "product"),
    "ProductVariant": Translatable(ProductVariant, ("name",), AttributeScope.VARIANT, "variant"),
    "Display": Translatable(Display, _DISPLAY_FIELDS, None, "display"),
    "Category": Translatable(
        Category, ("name", "uri", "metaTitle", "metaDescription", "metaKeywords"), None, "category"
    ),
}


def attribute_field(key: str) -> str:
    return f"attributes.{key}.text"


async def translatable_fields(session: AsyncSession, object_type: str) -> list[str]:
    """The fields of ``object_type`` that can be translated, fixed ones first."""
    spec = TRANSLATABLE[object_type]
    fields = list(spec.fields)
    if spec.attribute_scope is not None:
        keys = await session.scalars(
            select(AttributeType.key)
            .where(AttributeType.scope == spec.attribute_scope.value)
            .order_by(AttributeType.id)
        )
        fields += [attribute_field(key) for key in keys]
    return fields


def _checked(field: str, value: str) -> str:
    text = value.strip()
    limit = MAX_TEXT_LENGTH if field in _LONG_FIELDS or field.startswith("attributes.") else MAX_SHORT_LENGTH
    if len(text) > limit:
        raise ValidationFailed(f"the translation of {field} is longer than {limit} characters", field="translations")
    if field in _URI_FIELDS and text:
        check_uri(text, field="translations")
    return text


async def localize(
    db: Database,
    object_type: str,
    object_id: int,
    language_id: int,
    values: Mapping[str, str | None] | Sequence[tuple[str, str | None]],
) -> None:
    """Set (or, with an empty value, remove) translations of one object in one language."""
    if object_type not in TRANSLATABLE:
        raise ValidationFailed(
            f"{object_type} has no translations; translatable: {', '.join(TRANSLATABLE)}", field="objectType"
        )
    pairs = list(values.items()) if isinstance(values, Mapping) else list(values)
    if not pairs:
        raise ValidationFailed("give at least one translation", field="translations")
    if len(pairs) > MAX_FIELDS_PER_CALL:
        raise ValidationFailed(f"at most {MAX_FIELDS_PER_CALL} translations per call", field="translations")
    spec = TRANSLATABLE[object_type]
    async with db.write() as session:
        if await session.get(spec.model, object_id) is None:
            raise NotFound(f"Could not find {object_type} with ID {object_id}", field="objectId")
        if await session.get(Language, language_id) is None:
            raise NotFound(f"Could not find Language with ID {language_id}", field="language")
        allowed = set(await translatable_fields(session, object_type))
        seen: set[str] = set()
        changed: dict[str, str | None] = {}
        for field, value in pairs:
            if field not in allowed:
                raise ValidationFailed(f"{field} is not a translatable field of {object_type}", field="translations")
            if field in seen:
                raise ValidationFailed(f"{field} is given twice", field="translations")
            seen.add(field)
            changed[field] = _checked(field, value) if value is not None else None
        existing = {
            row.field: row
            for row in await session.scalars(
                select(Translation).where(
                    Translation.object_type == object_type,
                    Translation.object_id == object_id,
                    Translation.language_id == language_id,
                    Translation.field.in_(list(changed)),
                )
            )
        }
        removed = [field for field, value in changed.items() if not value]
        if removed:
            await session.execute(
                delete(Translation).where(
                    Translation.object_type == object_type,
                    Translation.object_id == object_id,
                    Translation.language_id == language_id,
                    Translation.field.in_(removed),
                )
            )
        for field, value in changed.items():
            if not value:
                continue
            row = existing.get(field)
            if row is None:
                session.add(
                    Translation(
                        object_type=object_type, object_id=object_id, language_id=language_id, field=field, value=value
                    )
                )
            else:
                row.value = value
        await session.flush()
        await outbox.record(
            session,
            spec.event_object_type,
            object_id,
            "updated",
            {"translations": {"language_id": language_id, "fields": sorted(changed)}},
        )


async def translations_of(db: Database, object_type: str, object_id: int) -> dict[int, dict[str, str]]:
    """``{language id: {field: value}}`` of one object."""
    async with db.read() as session:
        rows = await session.execute(
            select(Translation.language_id, Translation.field, Translation.value).where(
                Translation.object_type == object_type, Translation.object_id == object_id
            )
        )
        found: dict[int, dict[str, str]] = {}
        for language_id, field, value in rows:
            found.setdefault(language_id, {})[field] = value
        return found


async def translatable_fields_by_type(session: AsyncSession) -> dict[str, list[str]]:
    """``translatable_fields`` of every translatable type, in one read."""
    keys: dict[str, list[str]] = defaultdict(list)
    for scope, key in await session.execute(select(AttributeType.scope, AttributeType.key).order_by(AttributeType.id)):
        keys[scope].append(key)
    return {
        object_type: list(spec.fields)
        + (
            [attribute_field(key) for key in keys.get(spec.attribute_scope.value, [])]
            if spec.attribute_scope is not None
            else []
        )
        for object_type, spec in TRANSLATABLE.items()
    }


async def stored_translations(
    session: AsyncSession, objects: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], dict[int, dict[str, str]]]:
    """``{(object type, id): {language id: {field: value}}}`` of many objects in one read.

    Objects without translations are left out.
    """
    by_type: dict[str, list[int]] = defaultdict(list)
    for object_type, object_id in dict.fromkeys(objects):
        by_type[object_type].append(object_id)
    if not by_type:
        return {}
    t = Translation
    wanted = or_(*(and_(t.object_type == kind, t.object_id.in_(ids)) for kind, ids in by_type.items()))
    found: dict[tuple[str, int], dict[int, dict[str, str]]] = defaultdict(dict)
    for kind, ident, language_id, field, value in await session.execute(
        select(t.object_type, t.object_id, t.language_id, t.field, t.value).where(wanted)
    ):
        found[(kind, ident)].setdefault(language_id, {})[field] = value
    return dict(found)
