"""Where an add-to-cart spends its time: py-spy samples of the server under wrk load.

``python -m benchmarks.profile_add_to_cart [postgresql|sqlite] [seconds] [workers]``
(PostgreSQL, 20 s, one worker by default; more workers need Redis, from
``OPENCENTRA_BENCH_REDIS_URL``, default the local one). Needs py-spy in the venv
(``.venv/bin/pip install py-spy``; it is not a project dependency) and wrk.
Prints the summary and writes it to ``benchmarks/results/profile-add-to-cart-<backend>.md``;
the raw collapsed stacks go beside it (``.txt``) for a flame graph.

Only on-CPU samples are counted (py-spy leaves idle threads out), so the
shares are of the server's CPU time, whatever else the machine is doing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from benchmarks import harness
from benchmarks.bench_checkout_api import CONNECTIONS, PRODUCTS, _items, add_to_cart_lua, prepare_shoppers

# Frames are grouped by where their code lives, first match wins.
LAYERS = (
    ("opencentra checkout (domain)", "/opencentra/storefront/"),
    ("opencentra API adapter", "/opencentra/api/"),
    ("opencentra other", "/opencentra/"),
    ("SQLAlchemy ORM", "/sqlalchemy/orm/"),
    ("SQLAlchemy SQL compiler", "/sqlalchemy/sql/"),
    ("SQLAlchemy engine/pool", "/sqlalchemy/engine/"),
    ("SQLAlchemy async/pool", "/sqlalchemy/"),
    ("psycopg driver", "/psycopg"),
    ("asyncpg driver", "/asyncpg/"),
    ("aiosqlite", "/aiosqlite/"),
    ("FastAPI", "/fastapi/"),
    ("pydantic", "/pydantic"),
    ("Starlette", "/starlette/"),
    ("uvicorn / HTTP parsing", "/uvicorn/"),
    ("h11 / httptools", "/h11/"),
    ("asyncio event loop", "/asyncio/"),
)

_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*?):(?P<line>\d+)\)$")


def _layer(frame: str) -> str:
    match = _FRAME.match(frame)
    # py-spy names files relative to their sys.path entry ("psycopg/_cursor_base.py").
    file = "/" + (match.group("file") if match else frame)
    for name, marker in LAYERS:
        if marker in file:
            return name
    return "other (stdlib, greenlet, orjson, ...)"


def _short(frame: str) -> str:
    match = _FRAME.match(frame)
    if not match:
        return frame
    file = match.group("file")
    for marker in ("site-packages/", "/src/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{match.group('function')} ({file})"


def summarise(raw: str, *, requests: int, cpu_ms: float | None, top: int = 25) -> str:
    """Markdown tables from py-spy's raw output (``stack;...;leaf count`` per line)."""
    self_by_function: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    self_by_layer: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        # The first frame is the thread ("process 1:..."/"thread ..."): keep code frames only.
        frames = [f for f in frames if _FRAME.match(f)]
        if not frames:
            continue
        total += count
        leaf = frames[-1]
        self_by_function[_short(leaf)] += count
        self_by_layer[_layer(leaf)] += count
        for name in {_short(f) for f in frames if "(opencentra/" in f or "/opencentra/" in f}:
            inclusive[name] += count

    def pct(count: int) -> str:
        return f"{100 * count / total:5.1f} %" if total else "-"

    def ms(count: int) -> str:
        if not total or cpu_ms is None:
            return "-"
        return f"{cpu_ms * count / total:.2f}"

    lines = [f"{total} on-CPU samples over {requests} requests", ""]
    if cpu_ms is not None:
        lines += [f"Server CPU per request: {cpu_ms:.2f} ms (the ms columns share it out by samples).", ""]
    lines += ["### Self time by layer", "", "| layer | share | ms/request |", "| --- | ---: | ---: |"]
    for name, count in self_by_layer.most_common():
        lines.append(f"| {name} | {pct(count)} | {ms(count)} |")
    lines += ["", "### Inclusive time of OpenCentra functions", "", "| function | share | ms/request |"]
    lines.append("| --- | ---: | ---: |")
    for name, count in inclusive.most_common(top):
        lines.append(f"| `{name}` | {pct(count)} | {ms(count)} |")
    lines += ["", "### Self time by function", "", "| function | share |", "| --- | ---: |"]
    for name, count in self_by_function.most_common(top):
        lines.append(f"| `{name}` | {pct(count)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "postgresql"
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    redis_url = os.environ.get("OPENCENTRA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0") if workers > 1 else None
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy")
    seeded = harness.seeded_database(PRODUCTS, backend)
    plugin = seeded.plugin("checkout")
    with harness.Server(seeded.url, workers=workers, redis_url=redis_url) as server:
        base = f"{server.base_url}{plugin['base']}"
        items = _items(base, 400)
        shoppers = prepare_shoppers(base, items, CONNECTIONS * 4)
        lua = add_to_cart_lua(plugin["base"], shoppers, CONNECTIONS)
        with tempfile.TemporaryDirectory() as folder:
            raw_path = Path(folder) / "profile.txt"
            # py-spy starts sampling while wrk warms up (2 s) and stops before wrk ends.
            spy = subprocess.Popen(
                [py_spy, "record", "--pid", str(server.pid), "--duration", str(seconds), "--rate", "250",
                 "--format", "raw", "--output", str(raw_path), "--nonblocking",
                 *(["--subprocesses"] if workers > 1 else [])],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            result: list[harness.LoadResult] = []
            loader = threading.Thread(
                target=lambda: result.append(
                    harness.wrk_load(
                        f"POST /items/{{item}} add to cart, wrk ({backend})",
                        f"{server.base_url}/",
                        lua=lua,
                        connections=CONNECTIONS,
                        threads=CONNECTIONS,
                        duration=seconds,
                        pid=server.pid,
                        database_url=seeded.url if backend == "postgresql" else None,
                    )
                )
            )
            time.sleep(0)
            loader.start()
            spy.wait(timeout=seconds + 60)
            loader.join()
            raw = raw_path.read_text() if raw_path.exists() else ""
    load = result[0]
    summary = summarise(raw, requests=load.requests, cpu_ms=load.server_cpu_ms)
    header = (
        f"## Add to cart on {backend}, {CONNECTIONS} connections (wrk), {workers} worker(s)\n\n"
        f"{load.requests_per_second:.0f} req/s, p50 {load.p50_ms:.1f} ms, p95 {load.p95_ms:.1f} ms, "
        f"errors {load.errors}; server CPU {load.server_cpu_ms} ms/request, "
        f"PostgreSQL backends {load.database_cpu_ms} ms/request\n\n"
    )
    harness.RESULTS.mkdir(exist_ok=True)
    name = f"profile-add-to-cart-{backend}" + (f"-w{workers}" if workers > 1 else "")
    (harness.RESULTS / f"{name}.md").write_text(header + summary)
    (harness.RESULTS / f"{name}.txt").write_text(raw)
    print(header + summary)


if __name__ == "__main__":
    main()
