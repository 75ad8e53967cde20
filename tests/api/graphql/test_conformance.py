"""Centra's documented example operations, run against OpenCentra.

Reads ``../shared/fixtures/graphql-api.examples.jsonl`` (every GraphQL block
of Centra's docs). Each operation whose root fields OpenCentra offers must
validate against our schema, except those listed in ``KNOWN_GAPS`` (fields we
do not have yet), and must run: HTTP 200, the documented response keys, no
internal error. Mutations that name objects our small world lacks answer with
``userErrors``, which is the documented shape too. Complexity figures in the
examples are not compared: Centra's own examples do not fit its published rule.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    OperationDefinitionNode,
    parse,
    print_ast,
    type_from_ast,
    validate,
)
from tests.api.graphql.gqlkit import GraphQLClient, World, add_orders

from opencentra.api.graphql.schema import schema

FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "graphql-api.examples.jsonl"

# Operations that validate today; the count only goes up.
MIN_RUNNABLE = 185


@dataclass(frozen=True)
class Example:
    where: str
    text: str
    document: DocumentNode
    operation: OperationDefinitionNode


_PLACEHOLDER = re.compile(r"^(\s*)\.\.\.\s*$", re.M)


def _blocks() -> list[tuple[str, str, DocumentNode]]:
    """``(page, where, document)`` of every GraphQL block of Centra's docs that parses.

    A line holding only ``...`` is Centra's "select what you need" placeholder; it reads as
    ``__typename`` so the rest of the example (its variables, arguments and types) is checked.
    """
    found: list[tuple[str, str, DocumentNode]] = []
    for line in FIXTURES.read_text().splitlines():
        block = json.loads(line)
        if block["lang"] not in ("gql", "graphql") or not block["text"]:
            continue
        try:
            document = parse(_PLACEHOLDER.sub(r"\1__typename", block["text"]))
        except GraphQLError:
            continue  # a response, an input listing, a fragment of a query, or "<id>" placeholders
        found.append((block["page"], f"{block['page']} / {' / '.join(block['headings'])}", document))
    return found


def _spreads(node: Any) -> set[str]:
    """Names of the fragments a selection set spreads, at any depth."""
    names: set[str] = set()
    selection_set = getattr(node, "selection_set", None)
    for selection in selection_set.selections if selection_set is not None else ():
        if isinstance(selection, FragmentSpreadNode):
            names.add(selection.name.value)
        names |= _spreads(selection)
    return names


def _with_page_fragments(document: DocumentNode, fragments: dict[str, FragmentDefinitionNode]) -> DocumentNode:
    """``document`` plus the fragments it spreads but defines only in another example.

    Centra's pages define shared fragments once ("Common code fragments") and
    spread them in later examples; a client would paste both together.
    """
    defined = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    wanted = set().union(*(_spreads(d) for d in document.definitions)) if document.definitions else set()
    added: list[FragmentDefinitionNode] = []
    while missing := sorted(name for name in wanted - set(defined) if name in fragments):
        for name in missing:
            defined[name] = fragments[name]
            added.append(fragments[name])
            wanted |= _spreads(fragments[name])
    return document if not added else DocumentNode(definitions=(*document.definitions, *added))


def _examples() -> list[Example]:
    blocks = _blocks()
    # Per page, the first definition of each fragment name.
    fragments: dict[str, dict[str, FragmentDefinitionNode]] = {}
    anywhere: dict[str, FragmentDefinitionNode] = {}
    for page, _, document in blocks:
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                fragments.setdefault(page, {}).setdefault(definition.name.value, definition)
                anywhere.setdefault(definition.name.value, definition)
    found: list[Example] = []
    for page, where, parsed in blocks:
        # The page's own fragments first; a guide may reuse one the API examples define.
        document = _with_page_fragments(parsed, {**anywhere, **fragments.get(page, {})})
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                found.append(Example(where, print_ast(document), document, definition))
    return found


def _operation_alone(example: Example) -> DocumentNode:
    """The example's operation with only the fragments it uses (a block may hold several operations)."""
    fragments = {d.name.value: d for d in example.document.definitions if isinstance(d, FragmentDefinitionNode)}
    wanted, seen = _spreads(example.operation), set()
    while pending := wanted - seen:
        for name in pending:
            seen.add(name)
            if name in fragments:
                wanted |= _spreads(fragments[name])
    return DocumentNode(definitions=(example.operation, *(fragments[n] for n in sorted(seen) if n in fragments)))


def _roots(example: Example) -> set[str]:
    return {s.name.value for s in example.operation.selection_set.selections if isinstance(s, FieldNode)}


def _offered() -> set[str]:
    gql_schema = schema._schema
    assert gql_schema.query_type is not None and gql_schema.mutation_type is not None
    return set(gql_schema.query_type.fields) | set(gql_schema.mutation_type.fields) | {"__schema", "__typename"}


def _runnable() -> tuple[list[Example], list[tuple[Example, list[str]]]]:
    offered = _offered()
    runnable: list[Example] = []
    gaps: list[tuple[Example, list[str]]] = []
    for example in _examples():
        if not _roots(example) <= offered:
            continue
        errors = validate(schema._schema, example.document)
        if errors:
            gaps.append((example, [error.message for error in errors]))
        else:
            runnable.append(example)
    return runnable, gaps


def _value(type_: GraphQLInputType) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [_value(type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLScalarType):
        return {"Int": 1, "Float": 1.0, "Boolean": True, "DateTimeTz": "2022-03-29T00:00:00+0000"}.get(type_.name, "x")
    assert isinstance(type_, GraphQLInputObjectType)
    return {name: _value(f.type) for name, f in type_.fields.items() if isinstance(f.type, GraphQLNonNull)}


def _variables(operation: OperationDefinitionNode) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if definition.default_value is None:
            type_ = type_from_ast(schema._schema, definition.type)
            assert type_ is not None
            values[definition.variable.name.value] = _value(type_)  # type: ignore[arg-type]
    return values


pytestmark = pytest.mark.skipif(not FIXTURES.exists(), reason=f"Centra's examples not found at {FIXTURES}")


def test_documented_operations_we_offer_mostly_validate() -> None:
    runnable, gaps = _runnable()
    assert len(runnable) >= MIN_RUNNABLE, f"{len(runnable)} runnable; gaps:\n" + "\n".join(
        f"{example.where}: {messages[:2]}" for example, messages in gaps
    )


def test_documented_operations_run(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 3)
    runnable, _ = _runnable()
    failures: list[str] = []
    for example in runnable:
        response = gql.post(print_ast(_operation_alone(example)), _variables(example.operation))
        body = response.json()
        problems: list[str] = []
        if response.status_code != 200:
            problems.append(f"HTTP {response.status_code}")
        if set(body.get("extensions", {})) != {"complexity", "permissionsUsed", "appVersion"}:
            problems.append("extensions")
        for error in body.get("errors", []):
            if error.get("extensions", {}).get("category") in ("internal", "graphql"):
                problems.append(error["message"])
        data = body.get("data")
        if isinstance(data, dict):
            keys = {
                (s.alias or s.name).value
                for s in example.operation.selection_set.selections
                if isinstance(s, FieldNode)
            }
            if set(data) != keys:
                problems.append(f"data keys {sorted(data)} != {sorted(keys)}")
            for key, value in data.items():
                if isinstance(value, dict) and "userErrors" in value and not isinstance(value["userErrors"], list):
                    problems.append(f"{key}.userErrors is not a list")
        if problems:
            failures.append(f"{example.where}: {problems}")
    assert not failures, "\n".join(failures)


CENTRA_BROKEN = {
    "createVariantWithSizes": "spreads basicProductSizeFields, which no example of Centra's docs defines",
    "createFixedBundle": "spreads bundleFields, which no example of Centra's docs defines",
    "something": "`query { placeholder }`: an unfinished section of the PIM guide, not an API",
    "lastOrders($fromDate: String!)": "Centra's example of the deprecated String date variables, shown next to "
    "the DateTimeTz form that replaced them (OpenCentra takes DateTimeTz only)",
}
"""Documented operations that cannot validate anywhere, by operation name (and variables where the name repeats)."""


def _key(operation: OperationDefinitionNode) -> str:
    name = operation.name.value if operation.name else ""
    variables = ", ".join(print_ast(v) for v in operation.variable_definitions or ())
    return f"{name}({variables})" if f"{name}({variables})" in CENTRA_BROKEN else name


def test_every_documented_operation_validates_except_centras_own_broken_examples() -> None:
    """All operations, whatever their roots: a typed client declares variables by Centra's names."""
    examples = _examples()
    checked = [(_key(e.operation), e, validate(schema._schema, e.document)) for e in examples]
    failing = [(key, example, errors) for key, example, errors in checked if errors]
    unexpected = [(key, example, errors) for key, example, errors in failing if key not in CENTRA_BROKEN]
    assert not unexpected, "\n".join(
        f"{example.where} ({key}): {[e.message for e in errors][:2]}" for key, example, errors in unexpected
    )
    # The exceptions stay honest: each is still in the docs and still fails.
    assert set(CENTRA_BROKEN) == {key for key, _, _ in failing}
    assert len(examples) >= 190
