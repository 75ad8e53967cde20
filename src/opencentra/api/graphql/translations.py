"""Translations: ``ObjectWithTranslations`` (and the deprecated ``Localizable``).

Every translatable object lists every language with every translatable
field, ``value: null`` where no translation is stored, as Centra's examples
show; so a client learns what it can translate by reading it. Reading needs
``Localization:read`` (Centra's name, kept after the rename to
Translation); writing is ``localize`` (``translation_mutations``).
"""

from __future__ import annotations

from functools import partial
from typing import Any, Protocol

import strawberry
from strawberry.types import Info

from opencentra import catalog, stores
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.stores import Language

READ = "Localization:read"
WRITE = "Localization:write"

# Languages are few; every one of them is listed on every translatable object.
MAX_LANGUAGES = 1000


@strawberry.type(description="One translated field; value is null where no translation is stored.")
class TranslationField:
    field: str
    value: str | None


@strawberry.type
class Translation:
    language: Language
    fields: list[TranslationField]


@strawberry.type(description="Deprecated: use Translation (ObjectWithTranslations.translations).")
class Localization:
    language: Language
    translations: list[TranslationField]


async def translations_of(info: Info[Any, Any], object_type: str, object_id: int) -> list[Translation]:
    """Every language with every translatable field of one object (one read of each per request level)."""
    check(info, READ)
    check(info, "Language:read")
    loaders = info.context.loaders
    languages = await loaders.once("languages", partial(stores.language_page, limit=MAX_LANGUAGES))
    fields = (await loaders.once("translatable_fields", catalog.translatable_fields_by_type)).get(object_type, [])
    stored = await loaders.keyed("translations", catalog.stored_translations).load((object_type, object_id)) or {}
    return [
        Translation(
            language=Language.of(language),
            fields=[TranslationField(field=f, value=stored.get(language.id, {}).get(f)) for f in fields],
        )
        for language in languages
    ]


class _Translatable(Protocol):
    @property
    def id(self) -> int: ...


def _object_type(source: object) -> str:
    """The API type name of a resolved object (``Product``, ``Display``...)."""
    definition = getattr(type(source), "__strawberry_definition__", None)
    return definition.name if definition is not None else type(source).__name__


async def translations(root: _Translatable, info: Info[Any, Any]) -> list[Translation]:
    return await translations_of(info, _object_type(root), root.id)


async def localized(root: _Translatable, info: Info[Any, Any]) -> list[Localization]:
    found = await translations_of(info, _object_type(root), root.id)
    return [Localization(language=t.language, translations=t.fields) for t in found]


@strawberry.interface(description="Objects whose texts can be translated per language.")
class ObjectWithTranslations:
    translations: list[Translation] = strawberry.field(
        resolver=translations, description="Every language with every translatable field (needs Localization:read)."
    )


@strawberry.interface(description="Deprecated: use ObjectWithTranslations.")
class Localizable:
    localized: list[Localization] = strawberry.field(
        resolver=localized, deprecation_reason="Use translations (ObjectWithTranslations)."
    )
