"""Translations: ``ObjectWithTranslations`` (and the deprecated ``Localizable``), ``localize``.

Every translatable object lists every language with every translatable
field, ``value: null`` where no translation is stored, as Centra's examples
show; so a client learns what it can translate by reading it. Reading needs
``Localization:read`` (Centra's name, kept after the rename to
Translation); ``localize`` needs ``Localization:write``.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Hashable
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from opencentra.api.graphql.common import UserError, UserWarning, user_error
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.stores import Language
from opencentra.catalog import models as catalog
from opencentra.catalog import pim_models
from opencentra.catalog import translations as service
from opencentra.errors import DomainError
from opencentra.stores import models as store_models

READ = "Localization:read"
WRITE = "Localization:write"


def request_loader(info: Info[Any, Any], key: Hashable, load: Any) -> DataLoader[Any, Any]:
    """A loader kept for the request under ``key`` (see ``loaders.Loaders``)."""
    loader: DataLoader[Any, Any] = info.context.loaders._get(key, load)
    return loader


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


async def _languages(info: Info[Any, Any]) -> list[store_models.Language]:
    context: GraphQLContext = info.context

    async def load(keys: list[str]) -> list[list[store_models.Language]]:
        async with context.read() as session:
            rows = list(await session.scalars(select(store_models.Language).order_by(store_models.Language.id)))
        return [rows for _ in keys]

    result: list[store_models.Language] = await request_loader(info, ("pim", "languages"), load).load("all")
    return result


async def _fields(info: Info[Any, Any], object_type: str) -> list[str]:
    context: GraphQLContext = info.context

    async def load(keys: list[str]) -> list[list[str]]:
        async with context.read() as session:
            return [await service.translatable_fields(session, key) for key in keys]

    result: list[str] = await request_loader(info, ("pim", "translatable_fields"), load).load(object_type)
    return result


async def _stored(info: Info[Any, Any], object_type: str, object_id: int) -> dict[int, dict[str, str]]:
    """``{language id: {field: value}}`` for one object, loaded in one query per request level."""
    context: GraphQLContext = info.context

    async def load(keys: list[tuple[str, int]]) -> list[dict[int, dict[str, str]]]:
        grouped: dict[tuple[str, int], dict[int, dict[str, str]]] = defaultdict(dict)
        t = pim_models.Translation
        by_type: dict[str, list[int]] = defaultdict(list)
        for kind, ident in keys:
            by_type[kind].append(ident)
        async with context.read() as session:
            for kind, ids in by_type.items():
                rows = await session.execute(
                    select(t.object_id, t.language_id, t.field, t.value).where(
                        t.object_type == kind, t.object_id.in_(ids)
                    )
                )
                for ident, language_id, field, value in rows:
                    grouped[(kind, ident)].setdefault(language_id, {})[field] = value
        return [grouped.get(key, {}) for key in keys]

    result: dict[int, dict[str, str]] = await request_loader(info, ("pim", "translations"), load).load(
        (object_type, object_id)
    )
    return result


async def translations_of(info: Info[Any, Any], object_type: str, object_id: int) -> list[Translation]:
    check(info, READ)
    check(info, "Language:read")
    languages = await _languages(info)
    fields = await _fields(info, object_type)
    stored = await _stored(info, object_type, object_id)
    return [
        Translation(
            language=Language.of(language),
            fields=[TranslationField(field=f, value=stored.get(language.id, {}).get(f)) for f in fields],
        )
        for language in languages
    ]


def _object_type(source: object) -> str:
    """The API type name of a resolved object (``Product``, ``Display``...)."""
    definition = getattr(type(source), "__strawberry_definition__", None)
    return definition.name if definition is not None else type(source).__name__


@strawberry.interface(description="Objects whose texts can be translated per language.")
class ObjectWithTranslations:
    @strawberry.field(description="Every language with every translatable field (needs Localization:read).")  # type: ignore[untyped-decorator]
    async def translations(self, info: Info[Any, Any]) -> list[Translation]:
        return await translations_of(info, _object_type(self), int(self.id))  # type: ignore[attr-defined]


@strawberry.interface(description="Deprecated: use ObjectWithTranslations.")
class Localizable:
    @strawberry.field(deprecation_reason="Use translations (ObjectWithTranslations).")  # type: ignore[untyped-decorator]
    async def localized(self, info: Info[Any, Any]) -> list[Localization]:
        found = await translations_of(info, _object_type(self), int(self.id))  # type: ignore[attr-defined]
        return [Localization(language=t.language, translations=t.fields) for t in found]


# --- localize ----------------------------------------------------------------------------


@strawberry.enum
class TranslatableObjectType(enum.Enum):
    Product = "Product"
    ProductVariant = "ProductVariant"
    Display = "Display"
    Category = "Category"


@strawberry.input
class LanguageRef:
    id: int | None = None
    code: str | None = None


@strawberry.input
class TranslationInput:
    field: str
    value: str | None = None


@strawberry.input
class LocalizeInput:
    object_type: TranslatableObjectType
    object_id: int
    language: LanguageRef
    translations: list[TranslationInput]


@strawberry.type
class LocalizePayload:
    localized_object: Localizable | None
    translated_object: ObjectWithTranslations | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


def _refused(message: str, *path: str) -> LocalizePayload:
    error = UserError(message=message, path=list(path))
    return LocalizePayload(localized_object=None, translated_object=None, user_errors=[error], user_warnings=[])


async def _language_id(context: GraphQLContext, ref: LanguageRef) -> int | None:
    if ref.id is not None:
        return ref.id
    if ref.code is None:
        return None
    async with context.read() as session:
        found = await session.scalar(
            select(store_models.Language.id).where(store_models.Language.code == ref.code.strip().lower())
        )
    return None if found is None else int(found)


async def _object(context: GraphQLContext, object_type: TranslatableObjectType, object_id: int) -> Any:
    from opencentra.api.graphql.catalog import Category, Display, Product, ProductVariant

    if object_type == TranslatableObjectType.Product:
        product = await context.loaders.product.load(object_id)
        return None if product is None else Product.of(product)
    if object_type == TranslatableObjectType.ProductVariant:
        variant = await context.loaders.variant.load(object_id)
        return None if variant is None else ProductVariant.of(variant)
    if object_type == TranslatableObjectType.Display:
        display = await context.loaders.one(catalog.Display).load(object_id)
        return None if display is None else Display.of(display)
    category = await context.loaders.one(catalog.Category).load(object_id)
    return None if category is None else Category.of(category)


async def _visible(context: GraphQLContext, object_type: TranslatableObjectType, object_id: int) -> bool:
    """A store-restricted token translates only its store's displays and categories."""
    if context.store_id is None:
        return True
    if object_type == TranslatableObjectType.Display:
        display = await context.loaders.one(catalog.Display).load(object_id)
        return display is None or display.store_id == context.store_id
    if object_type == TranslatableObjectType.Category:
        category = await context.loaders.one(catalog.Category).load(object_id)
        return category is None or category.store_id == context.store_id
    return True


async def localize(info: Info[Any, Any], input: LocalizeInput) -> LocalizePayload:
    """Set translations of one object in one language; an empty value removes a translation."""
    context: GraphQLContext = info.context
    kind = input.object_type.value
    if not await _visible(context, input.object_type, input.object_id):
        return _refused(f"Could not find {kind} with ID {input.object_id}", "input", "objectId")
    language_id = await _language_id(context, input.language)
    if language_id is None:
        return _refused("give language.id or language.code of a known language", "input", "language")
    pairs = [(item.field, item.value) for item in input.translations]
    try:
        await service.localize(context.db, kind, input.object_id, language_id, pairs)
    except DomainError as error:
        return LocalizePayload(
            localized_object=None, translated_object=None, user_errors=[user_error(error, "input")], user_warnings=[]
        )
    await context.after_write()
    found = await _object(context, input.object_type, input.object_id)
    return LocalizePayload(localized_object=found, translated_object=found, user_errors=[], user_warnings=[])
