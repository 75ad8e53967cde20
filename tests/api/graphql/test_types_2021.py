"""Centra's 2021 type names (``../shared/spec/graphql-types-2021.md``): present with the same kind, or listed.

Typed clients declare variables and fragments by these names, so each must
exist with the kind Centra gave it, or be named with its reason under
"Centra's 2021 type names not offered" in docs/compatibility/graphql.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
)

from opencentra.api.graphql.schema import schema

ROOT = Path(__file__).resolve().parents[3]
TYPES_2021 = ROOT / ".." / "shared" / "spec" / "graphql-types-2021.md"
DOCS = ROOT / "docs" / "compatibility" / "graphql.md"

KINDS: dict[str, type[GraphQLNamedType]] = {
    "Schema": GraphQLObjectType,
    "Scalars": GraphQLScalarType,
    "Enums": GraphQLEnumType,
    "Interfaces": GraphQLInterfaceType,
    "Objects": GraphQLObjectType,
    "Input Objects": GraphQLInputObjectType,
    "Unions": GraphQLUnionType,
}

PRESENT_AT_LEAST = 0.51
"""Share of the names present today; it only goes up (the issue's target is 0.90)."""

pytestmark = pytest.mark.skipif(not TYPES_2021.exists(), reason=f"Centra's type list not found at {TYPES_2021}")


def _names_2021() -> dict[str, type[GraphQLNamedType]]:
    text = TYPES_2021.read_text()
    found: dict[str, type[GraphQLNamedType]] = {}
    for section, body in re.findall(r"^## ([A-Za-z ]+) \(\d+\)\n\n(.*?)\n\n", text, re.S | re.M):
        if section == "Directives":
            continue  # not types; @auth and @restrict are Centra's access control, the rest standard
        assert section in KINDS, section
        for name in re.findall(r"`([^`]+)`", body):
            found[name] = KINDS[section]
    return found


def _listed_exceptions() -> dict[str, str]:
    """``{name: reason}`` from the bullets of the docs' section on names not offered."""
    text = DOCS.read_text()
    section = text.split("### Centra's 2021 type names not offered", 1)[1].split("\n#", 1)[0]
    listed: dict[str, str] = {}
    for bullet in re.findall(r"^- (.+)$", section, re.M):
        names, _, reason = bullet.partition(": ")
        assert reason.strip(), f"no reason given for {names}"
        for name in re.findall(r"`([^`]+)`", names):
            assert name not in listed, f"{name} listed twice"
            listed[name] = reason
    return listed


def _not_offered() -> set[str]:
    wanted = _names_2021()
    return {name for name, kind in wanted.items() if not isinstance(schema._schema.get_type(name), kind)}


def test_the_2021_list_is_read_whole() -> None:
    names = _names_2021()
    assert len(names) == 287
    assert names["AccountSort"] is GraphQLEnumType and names["OrderFilter"] is GraphQLInputObjectType


def test_every_2021_name_is_present_with_its_kind_or_listed_with_a_reason() -> None:
    missing, listed = _not_offered(), _listed_exceptions()
    assert sorted(missing - set(listed)) == [], "missing and not listed in docs/compatibility/graphql.md"
    assert sorted(set(listed) - missing) == [], "listed as missing but present: drop them from the docs"


def test_the_share_of_2021_names_present_only_goes_up() -> None:
    names = _names_2021()
    present = 1 - len(_not_offered()) / len(names)
    assert present >= PRESENT_AT_LEAST, f"{present:.1%} of Centra's 2021 type names present"


def test_per_type_sorts_and_filters_of_every_list_offered_exist() -> None:
    """The per-type sort enums and filters Centra names for lists OpenCentra has are all present."""
    for name in (
        "MarketSort",
        "PricelistSort",
        "OrderSort",
        "AccountSort",
        "InvoiceSort",
        "ShipmentSort",
        "ReturnSort",
        "MarketFilter",
        "PricelistFilter",
        "AccountFilter",
        "InvoiceFilter",
        "BrandFilter",
    ):
        assert schema._schema.get_type(name) is not None, name
