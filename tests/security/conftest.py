"""The security suite's fixtures: one seeded app per test module, on SQLite.

How to extend the suite is described in docs/security.md ("The security
test suite").

Why SQLite only, when most API tests run on both backends: these tests are
about who may reach what (the dispatcher's guards, the GraphQL permission
and store checks, the error formats), which is decided in Python before
any SQL runs, or in WHERE clauses that the API test suites already run on
PostgreSQL. A PostgreSQL variant would double the run time and find
nothing the SQLite run cannot.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.security.world import Seeded, World, running_world, seed


@pytest.fixture(autouse=True, scope="module")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id at production cost takes ~0.2 s a hash; these tests are about access, not hashing.

    Module-scoped, so the real costs are back for any other test file the same worker runs next.
    """
    from argon2 import PasswordHasher

    from opencentra import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", cheap)
        patch.setattr(passwords, "_DUMMY_HASH", cheap.hash("opencentra-dummy-password"))
        yield


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """The two stores' database, seeded once per session."""
    return seed(tmp_path_factory.mktemp("security-seed"))


@pytest.fixture(scope="module")
def world(seeded: Seeded, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Both stores, their plugins and tokens, and an app serving a copy of their database (one per module)."""
    with running_world(seeded, tmp_path_factory.mktemp("security")) as built:
        yield built
