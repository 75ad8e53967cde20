"""The committed SDL snapshot: a breaking change to the live schema fails here.

Adding fields or types is not breaking, but it still changes the snapshot:
regenerate it with ``OPENCENTRA_UPDATE_GRAPHQL_SNAPSHOT=1 pytest tests/api/graphql/test_schema_snapshot.py``
and commit the diff, so every change to the API is reviewed as a diff of the SDL.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from graphql import BreakingChange, BreakingChangeType, build_schema, find_breaking_changes

import opencentra.api.graphql
from opencentra.api.graphql.schema import schema
from opencentra.api.graphql.sorting import LEGACY_ALIASES

SNAPSHOT = Path(opencentra.api.graphql.__file__).parent / "schema.graphql"


def _live_sdl() -> str:
    return schema.as_str() + "\n"


_RETYPED = re.compile(r"Argument (\S+)\((\w+):\) has changed type from (\S+) to (\S+)\.")


def _aliased(change: BreakingChange) -> bool:
    """An argument retyped from an old OpenCentra name to Centra's, where the old name stays an alias."""
    found = _RETYPED.fullmatch(change.description)
    if change.type is not BreakingChangeType.ARG_CHANGED_KIND or found is None:
        return False
    old, new = found.group(3), found.group(4)
    old_name, new_name = old.strip("[]!"), new.strip("[]!")
    same_shape = old.replace(old_name, "T") == new.replace(new_name, "T")
    return same_shape and old_name in LEGACY_ALIASES.get(new_name, frozenset())


def test_no_breaking_change_against_the_snapshot() -> None:
    """Retyping a list's ``sort``/``where`` to Centra's per-type name is allowed only with the old name
    kept as an alias (``sorting.LEGACY_ALIASES``; ``test_sorting.py`` runs queries declaring the old names)."""
    changes = [
        change
        for change in find_breaking_changes(build_schema(SNAPSHOT.read_text()), schema._schema)
        if not _aliased(change)
    ]
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


def test_every_legacy_alias_is_a_subset_of_its_replacement() -> None:
    """A variable of an old type is coerced by the old type, so its values (or fields) must all exist in the new."""
    for new, olds in LEGACY_ALIASES.items():
        for old in olds:
            new_type, old_type = schema._schema.get_type(new), schema._schema.get_type(old)
            assert new_type is not None and old_type is not None, (new, old)
            members = "values" if hasattr(new_type, "values") else "fields"
            assert set(getattr(old_type, members)) <= set(getattr(new_type, members)), (new, old)
