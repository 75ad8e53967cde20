"""Fixtures for the GraphQL tests; the builders live in ``gqlkit``."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.graphql.gqlkit import GraphQLClient, World, build_world


@pytest.fixture
def gql(api: Any) -> GraphQLClient:
    return GraphQLClient(api)


@pytest.fixture
def world(api: Any) -> World:
    return api.call(build_world)  # type: ignore[no-any-return]
