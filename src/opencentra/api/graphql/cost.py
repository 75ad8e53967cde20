"""Query complexity, computed from the document before anything executes.

Centra publishes its rule (centra.dev, "Query complexity calculation"):

- a scalar costs 0, or 2 if it is marked expensive;
- an object costs 1 plus the cost of its selected fields;
- a list multiplies its item's cost by its ``limit`` argument, or by 10 when
  no limit is given;
- a connection multiplies by its ``first`` or ``last`` argument; its list of
  ``edges`` adds nothing itself, since the multiplication already happened at
  the connection.

So ``markets(limit: 50) { id name assignedToCountries(limit: 10) { code
states(limit: 10) { id } } }`` costs 50 * (1 + 10 * (1 + 10 * 1)) = 5550.
The operation's root type adds nothing (5550, not 5551).

The result is charged to the complexity buckets before execution and echoed
in ``extensions.complexity``. It must not depend on data, so it is a pure
function of schema, document and variables.

Per-field costs. A field's own cost (before its children) defaults to 0 for
leaf types and 1 for objects. Override it with ``extensions={"cost": 2}`` on
a graphql-core ``GraphQLField``; with strawberry, whose field ``extensions``
are runtime hooks, use ``@strawberry.field(metadata={"cost": 2})`` instead,
which this module reads through strawberry's back-reference in
``GraphQLField.extensions``. Centra marks only a few scalars expensive (cost
2) and does not publish which; the schema decides.

Decisions where Centra's text is silent:

- Fields that execution would merge (same response key, including through
  fragments) are costed once, as they run once.
- On an interface or union, each possible object type is costed with the
  fragments that apply to it and the most expensive one counts.
- ``@skip``/``@include`` are honoured; introspection fields cost 0.
- Inside a connection, ``nodes`` (the shortcut for ``edges { node }``) is not
  multiplied again either; other fields of the connection object are part of
  each multiplied unit, as "the multiplication happens on the connection level".
- A negative ``limit``/``first``/``last`` counts as 0; a null one as absent.
- Mutation fields carry no extra base cost: the ~100 seen in old doc examples
  does not fit the published rule (spec §3.5, §7).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    VariableValues,
    get_argument_values,
    get_directive_values,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    get_variable_values,
    is_abstract_type,
    is_interface_type,
    is_leaf_type,
    is_list_type,
    is_object_type,
    type_from_ast,
)

DEFAULT_LIST_SIZE = 10
"""The multiplier for a list or connection whose size argument is absent."""

COST_KEY = "cost"
"""The key of a field's own cost in ``GraphQLField.extensions`` or strawberry ``metadata``."""

EXPENSIVE_SCALAR_COST = 2
"""Centra's cost of an "expensive" scalar: ``extensions={COST_KEY: EXPENSIVE_SCALAR_COST}``."""

LIST_SIZE_ARGUMENTS = ("limit",)
CONNECTION_SIZE_ARGUMENTS = ("first", "last")

# The key under which strawberry stores its own field object in
# GraphQLField.extensions (strawberry.schema.schema_converter.DEFINITION_BACKREF).
_STRAWBERRY_BACKREF = "strawberry-definition"

# A group of field nodes that execution merges into one field: same response key.
_FieldGroup = tuple[FieldNode, ...]


@dataclass(frozen=True, slots=True)
class QueryCost:
    """What an operation will cost: ``complexity`` points and ``mutations`` fields.

    ``mutations`` is the number of top-level fields of a mutation operation,
    each alias counted on its own (Centra's ``MUTATION_COUNT``); 0 for queries.
    """

    complexity: int
    mutations: int


class QueryCostError(Exception):
    """The operation cannot be costed, so it cannot execute either.

    Raised for an unknown or ambiguous operation name and for variables that
    do not coerce. ``errors`` are the same GraphQL errors execution would
    report; the adapter returns them unchanged.
    """

    def __init__(self, errors: list[GraphQLError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> QueryCost:
    """Cost the operation ``operation_name`` of ``document``.

    The document need not be validated yet (the rate limit is charged before
    validation runs): fields the schema does not know are costed as 0 rather
    than rejected, because rejecting is validation's job. Whatever cannot be
    costed (an unknown operation, variables, arguments or directives that do
    not coerce) raises ``QueryCostError``. Bound the document first
    (``guards.py``); the walk itself reads each fragment once per merged field.
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        what = f"Unknown operation named '{operation_name}'." if operation_name else "Must provide operation name."
        raise QueryCostError([GraphQLError(what)])
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        raise QueryCostError(coerced)
    root = schema.get_root_type(operation.operation)
    if root is None:
        raise QueryCostError([GraphQLError(f"Schema is not configured for {operation.operation.value}s.")])
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    costing = _Costing(schema, fragments, coerced)
    groups = costing.collect(root, [operation.selection_set])
    complexity = sum(costing.field_cost(root, group, in_connection=False) for group in groups)
    mutations = 0
    if operation.operation is OperationType.MUTATION:
        mutations = sum(1 for group in groups if not group[0].name.value.startswith("__"))
    return QueryCost(complexity=complexity, mutations=mutations)


class _Costing:
    """One costing pass: the schema, the document's fragments and variables.

    Results are memoised per (type, merged field nodes, connection context):
    without that, fragments reused under several aliases or interfaces with
    many implementations would make the walk exponential in the query size.
    """

    def __init__(
        self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode], variables: VariableValues
    ) -> None:
        self._schema = schema
        self._fragments = fragments
        self._variables = variables
        self._memo: dict[tuple[str, tuple[int, ...], bool], int] = {}

    def collect(self, runtime_type: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode]) -> list[_FieldGroup]:
        """The fields that execution would run on ``runtime_type``, merged by response key."""
        groups: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        for selection_set in selection_sets:
            self._collect_into(runtime_type, selection_set, groups, visited)
        return [tuple(nodes) for nodes in groups.values()]

    def _collect_into(
        self,
        runtime_type: GraphQLObjectType,
        selection_set: SelectionSetNode,
        groups: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                groups.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection, runtime_type):
                    self._collect_into(runtime_type, selection.selection_set, groups, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self._fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if self._applies(fragment, runtime_type):
                    self._collect_into(runtime_type, fragment.selection_set, groups, visited)

    def _included(self, node: SelectionNode) -> bool:
        try:
            skip = get_directive_values(GraphQLSkipDirective, node, self._variables)
            include = get_directive_values(GraphQLIncludeDirective, node, self._variables)
        except GraphQLError as error:  # only before validation: a directive argument that does not coerce
            raise QueryCostError([error]) from error
        if skip is not None and skip.get("if") is True:
            return False
        return not (include is not None and include.get("if") is False)

    def _applies(self, fragment: InlineFragmentNode | FragmentDefinitionNode, runtime_type: GraphQLObjectType) -> bool:
        if fragment.type_condition is None:
            return True
        condition = type_from_ast(self._schema, fragment.type_condition)
        if condition is runtime_type:
            return True
        return is_abstract_type(condition) and self._schema.is_sub_type(condition, runtime_type)

    def field_cost(self, parent: GraphQLObjectType, group: _FieldGroup, *, in_connection: bool) -> int:
        """The cost of one merged field on ``parent``, multiplier included."""
        node = group[0]
        name = node.name.value
        field = parent.fields.get(name)
        if field is None or name.startswith("__"):
            return 0
        named = get_named_type(field.type)
        own = _own_cost(field, leaf=is_leaf_type(named))
        connection = not is_list_type(get_nullable_type(field.type)) and _is_connection(named)
        children = 0 if is_leaf_type(named) else self._selection_cost(named, group, connection=connection)
        if is_list_type(get_nullable_type(field.type)):
            if in_connection and name == "edges":
                return children  # the edge objects add nothing: the connection multiplied already
            if in_connection and name == "nodes":
                return own + children
            return self._size(field, node, LIST_SIZE_ARGUMENTS) * (own + children)
        if connection:
            return self._size(field, node, CONNECTION_SIZE_ARGUMENTS) * (own + children)
        return own + children

    def _selection_cost(self, named: GraphQLNamedType, group: _FieldGroup, *, connection: bool) -> int:
        """The cost of the fields selected under ``group`` (the most costly possible type wins)."""
        memo_key = (named.name, tuple(id(node) for node in group), connection)
        cached = self._memo.get(memo_key)
        if cached is not None:
            return cached
        if is_object_type(named):
            candidates: list[GraphQLObjectType] = [named]
        elif is_abstract_type(named):
            candidates = list(self._schema.get_possible_types(named))
        else:
            candidates = []
        selection_sets = [node.selection_set for node in group if node.selection_set is not None]
        best = 0
        for candidate in candidates:
            total = sum(
                self.field_cost(candidate, child, in_connection=connection)
                for child in self.collect(candidate, selection_sets)
            )
            best = max(best, total)
        self._memo[memo_key] = best
        return best

    def _size(self, field: GraphQLField, node: FieldNode, names: tuple[str, ...]) -> int:
        """The multiplier from the first present size argument (largest if several)."""
        if not any(name in field.args for name in names):
            return DEFAULT_LIST_SIZE
        try:
            arguments = get_argument_values(field, node, self._variables)
        except GraphQLError as error:
            raise QueryCostError([error]) from error
        sizes = [
            value for name in names if isinstance(value := arguments.get(name), int) and not isinstance(value, bool)
        ]
        if not sizes:
            return DEFAULT_LIST_SIZE
        return max(0, *sizes)


def _is_connection(named: GraphQLNamedType) -> bool:
    """A Relay-style connection object: it has an ``edges`` field."""
    return (is_object_type(named) or is_interface_type(named)) and "edges" in named.fields


def _own_cost(field: GraphQLField, *, leaf: bool) -> int:
    """The field's cost before its children: a declared ``cost``, else 0 for leaves and 1 for objects."""
    extensions = field.extensions or {}
    declared = extensions.get(COST_KEY)
    if declared is None:
        metadata = getattr(extensions.get(_STRAWBERRY_BACKREF), "metadata", None)
        if isinstance(metadata, Mapping):
            declared = metadata.get(COST_KEY)
    if isinstance(declared, int) and not isinstance(declared, bool) and declared >= 0:
        return declared
    return 0 if leaf else 1
