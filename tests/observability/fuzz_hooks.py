"""Schemathesis hooks for ``./run fuzz`` (``SCHEMATHESIS_HOOKS``): GraphQL scalar strategies, a CPython 3.11 workaround.

Valid values mixed with text each scalar must refuse cleanly, as in tests/api/graphql/test_schemathesis.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import strategies as st
from hypothesis.internal import lambda_sources

schemathesis.graphql.scalar(
    "DateTimeTz",
    st.sampled_from(["2022-03-29T00:00:00+0000", "2022-03-29 10:00:00", "not a date", ""]).map(
        schemathesis.graphql.nodes.String
    ),
)
schemathesis.graphql.scalar(
    "Date",
    st.sampled_from(["2022-03-29", "2022-02-30", "29/03/2022", ""]).map(schemathesis.graphql.nodes.String),
)

# Hypothesis describes filter lambdas by parsing their source with ``ast``. Deep in
# schemathesis's recursive strategies, CPython 3.11's parser (before 3.11.8,
# gh-106905) fails with "SystemError: AST constructor recursion depth mismatch",
# which schemathesis reports as an error of the API under test. The same parse
# on a fresh thread's shallow stack succeeds; a description is only a label.
_describe: Callable[..., Any] = lambda_sources._lambda_description


def _described(f: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return _describe(f, *args, **kwargs)
    except SystemError:
        found: list[Any] = []
        thread = threading.Thread(target=lambda: found.append(_describe(f, *args, **kwargs)))
        thread.start()
        thread.join()
        return found[0] if found else "lambda *args: <unknown>"


lambda_sources._lambda_description = _described
