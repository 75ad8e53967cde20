"""Permissions: ``<Type>:read|write`` on root fields, ``<Type>.<field>:read`` on sensitive ones.

A field guarded by ``Require`` records its permission in
``extensions.permissionsUsed`` whether or not the token holds it (Centra's
documented response lists the permission it refused), and without it
resolves to an error in Centra's words: "You need Order:read permission to
access orderConnection.", ``extensions.category = "authorization"``.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from opencentra.api.graphql.context import GraphQLContext

AUTHORIZATION = "authorization"


def permission_error(permission: str, field_name: str) -> GraphQLError:
    return GraphQLError(
        f"You need {permission} permission to access {field_name}.",
        extensions={"category": AUTHORIZATION},
    )


def context_of(info: Info[Any, Any]) -> GraphQLContext:
    context: GraphQLContext = info.context
    return context


def check(info: Info[Any, Any], permission: str) -> GraphQLContext:
    """Raise the documented error unless the token holds ``permission``."""
    context = context_of(info)
    if not context.use(permission):
        raise permission_error(permission, info.field_name)
    return context


def allowed(info: Info[Any, Any], permission: str) -> bool:
    """Record ``permission`` as used and say whether the token holds it (no error)."""
    return context_of(info).use(permission)


class Require(FieldExtension):
    """Guard a field with one permission; read by the permission tests to find each field's."""

    def __init__(self, permission: str) -> None:
        self.permission = permission

    def resolve(self, next_: Any, source: Any, info: Info[Any, Any], **kwargs: Any) -> Any:
        check(info, self.permission)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Any, source: Any, info: Info[Any, Any], **kwargs: Any) -> Any:
        check(info, self.permission)
        return await next_(source, info, **kwargs)
