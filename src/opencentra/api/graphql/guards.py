"""Bounds on a GraphQL document, checked in one pass before any other work on it.

A document under 1 KB can stand for an exponential amount of work. Each
fragment below spreads the one before it twice, so ``F20`` is 2**20 fields::

    fragment F0 on RateLimit { quota }
    fragment F1 on RateLimit { ...F0 ...F0 }
    ...
    fragment F20 on RateLimit { ...F19 ...F19 }
    { rateLimits { ...F20 } }

Anything that walks such a document field by field, expanding each spread
where it occurs (strawberry's depth and alias limiters did), runs as long as
executing it would. ``measure`` reads every definition once instead: a
fragment is measured once, and a spread adds the fragment's figures, so the
figures grow with the expansion and the work only with the text. Fragments
must form a DAG; a spread cycle is refused.

``DocumentGuard`` runs the checks after parsing and before anything else looks
at the document, in this order:

1. fragment cycles (graphql-core would report them too, later);
2. depth: at most ``MAX_DEPTH`` levels of fields under the root, counted as
   strawberry's ``QueryDepthLimiter`` counts them (introspection fields and
   what they contain do not count), for each operation;
3. aliases: at most ``MAX_ALIASES`` in all operations together, fragments
   expanded (strawberry's ``MaxAliasesLimiter``);
4. expanded size: at most ``MAX_EXPANDED_FIELDS`` selections (fields,
   fragment spreads and inline fragments, each counted where it is expanded)
   in all operations together.

The parser has already refused documents of more than ``MAX_TOKENS`` tokens
(``MaxTokensLimiter``). After the guard, ``limits.RateLimitExtension`` costs
the operation and charges the rate limits; graphql-core's own validation
comes last. Of its rules, only OverlappingFieldsCanBeMerged can still do more
than linear work (it compares every pair of fields sharing a response name,
so ``{ a { b } a { b } ... }`` is quadratic); ``DocumentGuard`` swaps it for
``BoundedFieldMerging``, the same rule on a budget of ``MERGE_BUDGET`` units
of graphql-core's own meter instead of 500,000.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
)
from graphql.validation import OverlappingFieldsCanBeMergedRule, VariablesInAllowedPositionRule
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension

from opencentra.api.graphql.sorting import AliasedVariablesRule

MAX_TOKENS = 20_000
"""Lexical tokens per document; the parser stops at the first one over."""

MAX_DEPTH = 15
"""Levels of fields under the root, introspection excluded."""

MAX_ALIASES = 250
"""Aliases in the whole document, fragments expanded."""

MAX_EXPANDED_FIELDS = 5_000
"""Selections in the whole document once fragments are expanded.

The largest request in the tests and the documentation expands to 67;
GraphiQL's full introspection query, fragments and all, to 239.
"""

MERGE_BUDGET = 10_000
"""OverlappingFieldsCanBeMerged's work meter (graphql-core's default is 500,000).

The documents in the tests and the documentation spend at most 9 units; one
unit is a few microseconds.
"""

TOO_MUCH_MERGING = (
    "The document repeats one response name too often to be checked: "
    "give repeated fields distinct aliases or select each field once."
)

_SHOWN_AT_MOST = 10**18  # larger counts are shown as "more than" this (and fit a 64-bit int)


@dataclass(frozen=True, slots=True)
class Extent:
    """What a definition amounts to once its fragment spreads are expanded."""

    depth: int
    """Levels of fields below it, as ``MAX_DEPTH`` counts them."""
    aliases: int
    selections: int
    """Fields, fragment spreads and inline fragments, each counted where expanded."""


@dataclass(slots=True)
class Measurement:
    """The figures of a whole document, and the work it took to get them."""

    operations: list[tuple[OperationDefinitionNode, Extent]] = field(default_factory=list)
    fragments: dict[str, Extent] = field(default_factory=dict)
    cycles: list[GraphQLError] = field(default_factory=list)
    visited: int = 0
    """Selection nodes read: each node of the document once, however often it is spread."""

    @property
    def aliases(self) -> int:
        return sum(extent.aliases for _, extent in self.operations)

    @property
    def selections(self) -> int:
        return sum(extent.selections for _, extent in self.operations)


@dataclass(slots=True)
class _Scan:
    """One definition's own figures, and its spreads with the depth at which each sits.

    A spread's depth is ``None`` inside an introspection field, which depth
    does not count.
    """

    depth: int = 0
    aliases: int = 0
    selections: int = 0
    spreads: list[tuple[FragmentSpreadNode, int | None]] = field(default_factory=list)


def measure(document: DocumentNode) -> Measurement:
    """Measure every operation of ``document``; linear in the document's size."""
    result = Measurement()
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    scans = {name: _scan(fragment.selection_set, result) for name, fragment in fragments.items()}
    result.fragments, result.cycles = _resolve(scans)
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            own = _scan(definition.selection_set, result)
            result.operations.append((definition, _expand(own, result.fragments)))
    return result


def check_document(document: DocumentNode) -> list[GraphQLError]:
    """The errors that stop ``document`` before anything else reads it (none if it may go on)."""
    measured = measure(document)
    if measured.cycles:
        return measured.cycles
    errors = [
        GraphQLError(f"'{_name(operation)}' exceeds maximum operation depth of {MAX_DEPTH}", [operation])
        for operation, extent in measured.operations
        if extent.depth > MAX_DEPTH
    ]
    if measured.aliases > MAX_ALIASES:
        errors.append(GraphQLError(f"{_shown(measured.aliases)} aliases found. Allowed: {MAX_ALIASES}"))
    if measured.selections > MAX_EXPANDED_FIELDS:
        errors.append(
            GraphQLError(
                f"The document selects {_shown(measured.selections)} fields once its fragments are expanded. "
                f"Allowed: {MAX_EXPANDED_FIELDS}",
                extensions={"category": "graphql", "expandedFields": min(measured.selections, _SHOWN_AT_MOST)},
            )
        )
    return errors


def _scan(selection_set: SelectionSetNode, measurement: Measurement) -> _Scan:
    """A definition's own figures, not entering its spreads; iterative, so no nesting overflows the stack."""
    scan = _Scan()
    pending: list[tuple[SelectionSetNode, int | None]] = [(selection_set, 0)]
    while pending:
        selections, level = pending.pop()
        for selection in selections.selections:
            measurement.visited += 1
            scan.selections += 1
            if isinstance(selection, FieldNode):
                if selection.alias is not None:
                    scan.aliases += 1
                if selection.selection_set is not None:
                    introspection = selection.name.value.startswith("__")
                    below = None if level is None or introspection else level + 1
                    if below is not None:
                        scan.depth = max(scan.depth, below)
                    pending.append((selection.selection_set, below))
            elif isinstance(selection, InlineFragmentNode):
                pending.append((selection.selection_set, level))
            elif isinstance(selection, FragmentSpreadNode):
                scan.spreads.append((selection, level))
    return scan


def _expand(scan: _Scan, extents: dict[str, Extent]) -> Extent:
    """A definition's figures with its spreads' added. Unknown fragments (validation's to report) add nothing."""
    depth, aliases, selections = scan.depth, scan.aliases, scan.selections
    for spread, level in scan.spreads:
        extent = extents.get(spread.name.value)
        if extent is None:
            continue
        aliases += extent.aliases
        selections += extent.selections
        if level is not None:
            depth = max(depth, level + extent.depth)
    return Extent(depth=depth, aliases=aliases, selections=selections)


def _resolve(scans: dict[str, _Scan]) -> tuple[dict[str, Extent], list[GraphQLError]]:
    """Every fragment's figures, dependencies first (iterative depth-first), and the spread cycles found.

    A spread that closes a cycle is reported (in graphql-core's words) and
    left out of the figures, which then only serve to finish the walk.
    """
    extents: dict[str, Extent] = {}
    cycles: list[GraphQLError] = []
    for root in scans:
        if root in extents:
            continue
        path: list[tuple[str, Iterator[tuple[FragmentSpreadNode, int | None]]]] = [(root, iter(scans[root].spreads))]
        spreads: list[FragmentSpreadNode] = []
        starts = {root: 0}  # fragment on the path -> where its part of ``spreads`` starts
        while path:
            name, remaining = path[-1]
            for spread, _ in remaining:
                target = spread.name.value
                if target in extents or target not in scans:
                    continue
                if target in starts:
                    cycles.append(_cycle_error(target, [*spreads[starts[target] :], spread]))
                    continue
                spreads.append(spread)
                starts[target] = len(spreads)
                path.append((target, iter(scans[target].spreads)))
                break
            else:
                path.pop()
                del starts[name]
                if spreads:
                    spreads.pop()
                extents[name] = _expand(scans[name], extents)
    return extents, cycles


def _cycle_error(name: str, spreads: list[FragmentSpreadNode]) -> GraphQLError:
    via = ", ".join(f"'{spread.name.value}'" for spread in spreads[:-1])
    return GraphQLError(f"Cannot spread fragment '{name}' within itself" + (f" via {via}." if via else "."), spreads)


def _name(operation: OperationDefinitionNode) -> str:
    return operation.name.value if operation.name else "anonymous"


def _shown(count: int) -> str:
    return str(count) if count <= _SHOWN_AT_MOST else f"more than {_SHOWN_AT_MOST}"


class BoundedFieldMerging(OverlappingFieldsCanBeMergedRule):
    """graphql-core's OverlappingFieldsCanBeMerged on a budget of ``MERGE_BUDGET`` units.

    The rule is the spec's; only its work meter starts lower. A document that
    spends the budget is refused with ``TOO_MUCH_MERGING`` instead of
    graphql-core's bare "Validation aborted.".
    """

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.rule_context.remaining_complexity_budget = MERGE_BUDGET

    def enter_selection_set(self, selection_set: SelectionSetNode, *args: Any) -> None:
        try:
            super().enter_selection_set(selection_set, *args)
        except ValidationAbortedError:
            raise ValidationAbortedError(TOO_MUCH_MERGING, selection_set) from None


class DocumentGuard(SchemaExtension):
    """Refuse oversized documents after parsing, before costing, rate limits and validation."""

    def on_operation(self) -> Iterator[None]:
        execution = self.execution_context
        replaced: dict[Any, Any] = {
            OverlappingFieldsCanBeMergedRule: BoundedFieldMerging,
            VariablesInAllowedPositionRule: AliasedVariablesRule,
        }
        execution.validation_rules = tuple(replaced.get(rule, rule) for rule in execution.validation_rules)
        yield

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        if document is not None and execution.pre_execution_errors is None:
            errors = check_document(document)
            if errors:
                # Set before graphql-core's validation, which then does not run at all.
                execution.pre_execution_errors = errors
        yield
