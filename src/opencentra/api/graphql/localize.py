"""``localize``: set the translations of one catalogue object in one language (needs ``Localization:write``).

An empty value removes a translation, so the field falls back to the
untranslated text. The answer is the object itself, read back as
``Localizable`` and ``ObjectWithTranslations`` (``translations.py``).
"""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from opencentra import catalog
from opencentra.api.graphql.catalog import Category, Display, Product, ProductVariant
from opencentra.api.graphql.common import UserError, UserWarning, user_error
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.permissions import Require
from opencentra.api.graphql.translations import WRITE, Localizable, ObjectWithTranslations
from opencentra.errors import DomainError


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


def _translated(view: catalog.TranslatedView) -> Product | ProductVariant | Display | Category:
    if isinstance(view, catalog.ProductView):
        return Product.of(view)
    if isinstance(view, catalog.VariantView):
        return ProductVariant.of(view)
    if isinstance(view, catalog.DisplayView):
        return Display.of(view)
    return Category.of(view)


async def localize(info: Info[Any, Any], input: LocalizeInput) -> LocalizePayload:
    """Set translations of one object in one language; an empty value removes a translation."""
    context: GraphQLContext = info.context
    try:
        view = await catalog.localize(
            context.db,
            input.object_type.value,
            input.object_id,
            [(item.field, item.value) for item in input.translations],
            language_id=input.language.id,
            language_code=input.language.code,
            store_scope=context.store_id,
        )
    except DomainError as error:
        return LocalizePayload(
            localized_object=None, translated_object=None, user_errors=[user_error(error, "input")], user_warnings=[]
        )
    await context.after_write()
    found = _translated(view)
    return LocalizePayload(localized_object=found, translated_object=found, user_errors=[], user_warnings=[])


_WRITE: list[FieldExtension] = [Require(WRITE)]


@strawberry.type
class LocalizeMutation:
    localize: LocalizePayload = strawberry.field(resolver=localize, extensions=_WRITE)
