"""POST /products (``{"limit": 20}``) under wrk, against a bare Starlette endpoint, in one short run.

Just the catalogue rows of ``bench_checkout_api`` (token and ``API-Token:
none``), each followed at once by the bare endpoint returning the same bytes,
so both see the same machine. Takes about a minute.

``python -m benchmarks.wrk_products [postgresql|sqlite] [seconds]``
"""

from __future__ import annotations

import json
import sys

from benchmarks import harness
from benchmarks.bench_checkout_api import CONNECTIONS, PRODUCTS, _call


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "postgresql"
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    seeded = harness.seeded_database(PRODUCTS, backend)
    plugin = seeded.plugin("checkout")
    listing = json.dumps({"limit": 20})
    rows: list[harness.LoadResult] = []
    notes: dict[str, float] = {}
    with harness.Server(seeded.url) as server:
        base = f"{server.base_url}{plugin['base']}"
        token = json.loads(_call(f"{base}/selection"))["token"]
        cases = {"none": "none", "token": token}
        answers = {
            name: _call(f"{base}/products", "POST", {"limit": 20}, {"API-Token": value})
            for name, value in cases.items()
        }
        measured = {
            name: harness.wrk_load(
                f"POST /products limit 20, {name} ({backend})",
                f"{base}/products",
                method="POST",
                body=listing,
                headers={"Content-Type": "application/json", "API-Token": value},
                connections=CONNECTIONS,
                duration=seconds,
                pid=server.pid,
            )
            for name, value in cases.items()
        }
    for name, answer in answers.items():
        with harness.baseline_server(answer) as bare:
            baseline = harness.wrk_load(
                f"bare Starlette, same bytes as {name}",
                f"{bare}/products",
                method="POST",
                body=listing,
                headers={"Content-Type": "application/json"},
                connections=CONNECTIONS,
                duration=seconds,
                pid=bare.pid,
            )
        rows += [measured[name], baseline]
        notes[f"{backend}: POST /products ({name}) / bare"] = round(harness.ratio(measured[name], baseline), 3)
    harness.report(f"wrk_products_{backend}", rows, notes)


if __name__ == "__main__":
    main()
