"""The committed SDL snapshot: a breaking change to the live schema fails here.

Adding fields or types is not breaking, but it still changes the snapshot:
regenerate it with ``OPENCENTRA_UPDATE_GRAPHQL_SNAPSHOT=1 pytest tests/api/graphql/test_schema_snapshot.py``
and commit the diff, so every change to the API is reviewed as a diff of the SDL.
"""

from __future__ import annotations

import os
from pathlib import Path

from graphql import BreakingChangeType, build_schema, find_breaking_changes

import opencentra.api.graphql
from opencentra.api.graphql.schema import schema

SNAPSHOT = Path(opencentra.api.graphql.__file__).parent / "schema.graphql"


def _live_sdl() -> str:
    return schema.as_str() + "\n"


def test_no_breaking_change_against_the_snapshot() -> None:
    changes = find_breaking_changes(build_schema(SNAPSHOT.read_text()), schema._schema)
    assert changes == [], "breaking changes to the published schema:\n" + "\n".join(
        f"{change.type.name}: {change.description}" for change in changes
    )


def test_snapshot_is_current() -> None:
    if os.environ.get("OPENCENTRA_UPDATE_GRAPHQL_SNAPSHOT") == "1":
        SNAPSHOT.write_text(_live_sdl())
    assert SNAPSHOT.read_text() == _live_sdl(), (
        "the schema changed without its snapshot; see this module's docstring to regenerate it"
    )


def test_the_check_catches_a_removed_field_and_a_narrowed_argument() -> None:
    sdl = SNAPSHOT.read_text()
    removed = sdl.replace("  productNumber: String!\n", "", 1)
    assert removed != sdl
    kinds = {change.type for change in find_breaking_changes(build_schema(sdl), build_schema(removed))}
    assert BreakingChangeType.FIELD_REMOVED in kinds
    narrowed = build_schema(sdl.replace("orders(where: OrderFilter", "orders(where: OrderFilter!", 1))
    kinds = {change.type for change in find_breaking_changes(build_schema(sdl), narrowed)}
    assert BreakingChangeType.ARG_CHANGED_KIND in kinds or BreakingChangeType.REQUIRED_ARG_ADDED in kinds
