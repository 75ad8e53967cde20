"""One sort mechanism for every list: each type declares its sort enum, by Centra's name.

A list's ``sort`` argument is typed by the per-type enum of Centra's schema
(``MarketSort``, ``AccountSort``, ...), whose values are ``<field>_ASC`` /
``<field>_DESC`` for the fields its list can sort by. Every list turns those
values into the domain's ``SortKey`` the same way
(:func:`opencentra.api.graphql.listing.sort_keys`) and the domain orders by
them with ``opencentra.db.listing.ordered``, which refuses any other field with
a clear error; so a sortable list is one declaration here, not new code.

Before the per-type names, several lists shared ``IdSort``, ``NameSort``,
``PromotionSort``, ``ProductSort`` or ``NameFilter``. Those types stay in the
schema, and a variable declared with one of them is still accepted where its
replacement is expected (:class:`AliasedVariablesRule`): the old name is an
alias of the new one, so no client written against the old names breaks.
``LEGACY_ALIASES`` lists each pair; docs/compatibility/graphql.md names them.
"""

# Sort enums carry Centra's wire names (id_ASC, updatedAt_DESC), which are mixedCase.
# ruff: noqa: N815

from __future__ import annotations

import enum
from typing import Any, cast

import strawberry
from graphql import GraphQLError, GraphQLType, OperationDefinitionNode
from graphql.type import GraphQLList, GraphQLNonNull, get_named_type
from graphql.utilities import type_from_ast
from graphql.validation import ValidationContext, VariablesInAllowedPositionRule
from graphql.validation.rules.variables_in_allowed_position import allowed_variable_usage

# Per-type sort enums: Centra's names, ``<field>_ASC``/``<field>_DESC`` for each field the list can
# sort by (the domain refuses any other field with a clear error).


@strawberry.enum(description="How to order a list; the id breaks ties.")
class StoreSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class MarketSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class PricelistSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class WarehouseSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class BrandSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class CollectionSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class SizeChartSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class CategorySort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class ProductVariantSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"
    updatedAt_ASC = "updatedAt_ASC"
    updatedAt_DESC = "updatedAt_DESC"
    createdAt_ASC = "createdAt_ASC"
    createdAt_DESC = "createdAt_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class CampaignSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"
    updatedAt_ASC = "updatedAt_ASC"
    updatedAt_DESC = "updatedAt_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class VoucherSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"
    updatedAt_ASC = "updatedAt_ASC"
    updatedAt_DESC = "updatedAt_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class AccountSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class PurchaserSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class DeliveryWindowSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class ShipmentSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    createdAt_ASC = "createdAt_ASC"
    createdAt_DESC = "createdAt_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class ReturnSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    createdAt_ASC = "createdAt_ASC"
    createdAt_DESC = "createdAt_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class InvoiceSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class PaymentTermsSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class ShippingTermsSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class SalesRepresentativeSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class AllocationRuleSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class CountrySort(enum.Enum):
    code_ASC = "code_ASC"
    code_DESC = "code_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class CurrencySort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    code_ASC = "code_ASC"
    code_DESC = "code_DESC"


@strawberry.enum(description="How to order a list; the id breaks ties.")
class LanguageSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    code_ASC = "code_ASC"
    code_DESC = "code_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


LEGACY_ALIASES: dict[str, frozenset[str]] = {
    **dict.fromkeys(("StoreSort", "MarketSort", "PricelistSort", "WarehouseSort"), frozenset({"IdSort"})),
    **dict.fromkeys(("BrandSort", "CollectionSort", "SizeChartSort", "CategorySort"), frozenset({"NameSort"})),
    "ProductVariantSort": frozenset({"ProductSort"}),
    **dict.fromkeys(("CampaignSort", "VoucherSort"), frozenset({"PromotionSort"})),
    **dict.fromkeys(("BrandFilter", "CollectionFilter", "SizeChartFilter"), frozenset({"NameFilter"})),
    **dict.fromkeys(
        ("PaymentTermsFilter", "ShippingTermsFilter", "SalesRepresentativeFilter"), frozenset({"TermsFilter"})
    ),
}
"""Centra's type name -> the older OpenCentra names a variable may still be declared with in its place.

Each old type has the same values (enums) or fields (inputs) as, or fewer than, its replacement."""


def _with_named(variable: GraphQLType, location: GraphQLType) -> GraphQLType | None:
    """``variable`` with its named type swapped for ``location``'s when it is a declared alias of it."""
    if isinstance(variable, GraphQLNonNull):
        inner = _with_named(variable.of_type, location.of_type if isinstance(location, GraphQLNonNull) else location)
        return None if inner is None else GraphQLNonNull(cast(Any, inner))
    if isinstance(location, GraphQLNonNull):
        return _with_named(variable, location.of_type)
    if isinstance(variable, GraphQLList):
        if not isinstance(location, GraphQLList):
            return None
        inner = _with_named(variable.of_type, location.of_type)
        return None if inner is None else GraphQLList(inner)
    named, wanted = get_named_type(variable), get_named_type(location)
    if named is None or wanted is None or named.name not in LEGACY_ALIASES.get(wanted.name, frozenset()):
        return None
    return wanted


class AliasedVariablesRule(VariablesInAllowedPositionRule):
    """graphql-core's rule, except that a legacy alias stands for the type that replaced it."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self._allowed_nodes: set[int] = set()

    def leave_operation_definition(self, operation: OperationDefinitionNode, *args: Any) -> None:
        schema = self.context.schema
        allowed: set[int] = set()
        for usage in self.context.get_recursive_variable_usages(operation):
            var_def = usage.fragment_variable_definition or self.var_def_map.get(usage.node.name.value)
            if var_def is None or usage.type is None:
                continue
            var_type = type_from_ast(schema, var_def.type)
            swapped = None if var_type is None else _with_named(var_type, usage.type)
            if swapped is not None and allowed_variable_usage(
                schema, swapped, var_def.default_value, usage.type, usage.default_value
            ):
                allowed.add(id(usage.node))
        self._allowed_nodes = allowed
        super().leave_operation_definition(operation, *args)

    def report_error(self, error: GraphQLError) -> None:
        aliased = any(id(node) in self._allowed_nodes for node in error.nodes or [])
        if aliased and "used in position expecting" in error.message:
            return
        super().report_error(error)
