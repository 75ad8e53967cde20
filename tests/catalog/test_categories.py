"""The category tree: depth limit, sibling uris, full paths."""

from __future__ import annotations

from typing import Any

import pytest

from opencentra.catalog.categories import category_paths, create_category
from opencentra.catalog.models import MAX_CATEGORY_DEPTH
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed


async def test_depth_is_limited_to_six(db: Database, world: Any) -> None:
    parent_id = None
    chain = []
    for level in range(1, MAX_CATEGORY_DEPTH + 1):
        category = await create_category(db, world.store, f"Level {level}", parent_id=parent_id)
        chain.append(category.id)
        parent_id = category.id
    with pytest.raises(ValidationFailed) as too_deep:
        await create_category(db, world.store, "Level 7", parent_id=parent_id)
    assert too_deep.value.field == "parent"

    async with db.read() as session:
        paths = await category_paths(session, world.store)
    deepest = paths[chain[-1]]
    assert deepest.ids == tuple(chain)
    assert deepest.names == tuple(f"Level {n}" for n in range(1, 7))
    assert deepest.uri == "/".join(f"level-{n}" for n in range(1, 7))


async def test_sibling_uris_are_unique_but_cousins_may_share(db: Database, world: Any) -> None:
    men = await create_category(db, world.store, "Men")
    women = await create_category(db, world.store, "Women")
    await create_category(db, world.store, "Shoes", parent_id=men.id)
    await create_category(db, world.store, "Shoes", parent_id=women.id)
    with pytest.raises(Conflict) as twice:
        await create_category(db, world.store, "Shoes", parent_id=men.id)
    assert twice.value.field == "uri"
    with pytest.raises(Conflict):
        await create_category(db, world.store, "MEN")
    # Root uris are per store.
    await create_category(db, world.other_store, "Men")

    foreign = await create_category(db, world.other_store, "Foreign")
    with pytest.raises(NotFound) as error:
        await create_category(db, world.store, "Child", parent_id=foreign.id)
    assert error.value.field == "parent"
    with pytest.raises(NotFound) as no_store:
        await create_category(db, 999, "Nowhere")
    assert no_store.value.field == "store"
