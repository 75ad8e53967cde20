"""Foundation figures: seeding 10,000 products, server cold start, /healthz.

Baselines in the same run: the bare Starlette server's cold start and
throughput on the same machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid

import psycopg

from benchmarks import harness


def _seed_fresh(url: str, products: int) -> float:
    started = time.perf_counter()
    subprocess.run(
        [harness.PYTHON, "-c", "from opencentra.cli import main; main()", "seed", "demo", "--database", url,
         "--products", str(products), "--json"],
        capture_output=True, check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    products = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    notes: dict[str, object] = {}
    harness.DATA.mkdir(exist_ok=True)
    sqlite_path = harness.DATA / f"fresh_{uuid.uuid4().hex[:8]}.db"
    notes[f"seed demo --products {products}, SQLite (s)"] = round(_seed_fresh(f"sqlite:///{sqlite_path}", products), 1)
    name = f"oc_fresh_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(harness.POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        pg_url = f"{harness.POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        notes[f"seed demo --products {products}, PostgreSQL (s)"] = round(_seed_fresh(pg_url, products), 1)
    finally:
        with psycopg.connect(harness.POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    rows = []
    with harness.Server(f"sqlite:///{sqlite_path}") as server:
        notes["opencentra cold start to healthy (s)"] = round(server.startup_seconds, 2)
        health = harness.wrk_load("GET /healthz (OpenCentra, SQLite)", f"{server.base_url}/healthz")
        body = json.dumps({"status": "ok", "version": "0.1.0", "database": "sqlite"}).encode()
    started = time.perf_counter()
    with harness.baseline_server(body) as base:
        notes["bare Starlette cold start to healthy (s)"] = round(time.perf_counter() - started, 2)
        bare = harness.wrk_load("GET / (bare Starlette, same bytes)", f"{base}/healthz")
    rows += [health, bare]
    notes["healthz / bare ratio"] = round(harness.ratio(health, bare), 3)
    sqlite_path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        sqlite_path.with_name(sqlite_path.name + suffix).unlink(missing_ok=True)
    harness.report("foundation", rows, notes)


if __name__ == "__main__":
    main()
