"""Schemathesis against an API's own OpenAPI document, served by a real ``opencentra serve``.

One harness for the REST adapters' fuzz tests: ``served`` starts the server on
a free loopback port over a database the test prepared, waits for
``/healthz`` and, when it stops, fails on any traceback the server logged;
``fuzz_operations`` runs a few generated cases of every operation with each
set of headers (through schemathesis's strategies: its pytest plugin does not
load under this pytest version) and collects every 5xx.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

ROOT = Path(__file__).resolve().parents[1]
# Generous: the server imports the whole app on a machine that may be busy.
START_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def served(database_url: str, environment: Mapping[str, str]) -> Iterator[str]:
    """``opencentra serve`` over ``database_url``; yields its origin (``http://127.0.0.1:<port>``)."""
    port = free_port()
    env = {**os.environ, "OPENCENTRA_LOG_LEVEL": "warning", **environment}
    process = subprocess.Popen(
        [sys.executable, "-c", "from opencentra.cli import main; main()", "serve", "--port", str(port),
         "--database", database_url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )  # fmt: skip
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"{origin}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield origin
    finally:
        process.terminate()
        _out, errors = process.communicate(timeout=10)
        # Unhandled errors are logged with a traceback; there must be none.
        assert b"Traceback" not in errors, errors.decode(errors="replace")[-3000:]


@dataclass(frozen=True)
class FuzzRun:
    operations: int
    calls: int
    failures: list[str]


def fuzz_operations(schema_url: str, header_sets: Sequence[Mapping[str, str]], *, max_examples: int) -> FuzzRun:
    """Every operation of the document, ``max_examples`` generated cases each, sent once per header set."""
    schema = schemathesis.openapi.from_url(schema_url)
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    calls = 0

    def fuzzer(operation: Any) -> Any:
        label = f"{operation.method.upper()} {operation.path}"

        @given(case=operation.as_strategy())
        @settings(
            max_examples=max_examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: Any) -> None:
            nonlocal calls
            for headers in header_sets:
                calls += 1
                try:
                    case.call_and_validate(checks=[not_a_server_error], headers=dict(headers))
                except Exception as error:
                    failures.append(f"{label}: {error}"[:500])
                    raise

        return fuzz

    for operation in operations:
        # Hypothesis reports one failure per operation; all of them are collected above.
        with contextlib.suppress(Exception):
            fuzzer(operation)()
    return FuzzRun(len(operations), calls, failures)
