"""Shared pieces for OpenCentra's benchmarks.

Every figure is reported next to a baseline measured in the same run on the
same machine: a bare Starlette endpoint, served by the same uvicorn settings,
returning the same bytes. Absolute numbers from a 2-core machine where the
load generator shares the cores say little; the ratio says how much our
stack costs over the cheapest possible server.

Pieces:
- ``seeded_database(products, backend)``: a demo database with a generated
  catalogue, built once and reused (SQLite file under benchmarks/.data/, or a
  PostgreSQL database ``oc_bench_p<N>``).
- ``Server(database_url)``: ``opencentra serve`` on a free loopback port.
- ``baseline_server(body)``: the bare Starlette endpoint.
- ``wrk_load(...)``: throughput and latency percentiles from wrk (Debian's
  package; ``benchmarks/run`` installs it).
- ``flow_latency(...)``: latency percentiles of a multi-request flow driven
  from Python, for stateful scenarios wrk cannot script well.
- ``report(name, rows)``: prints a table and writes benchmarks/results/<name>.json.
- ``CpuMeter``: CPU seconds a server process (and the PostgreSQL backends
  serving its database) spent during a run, per request. Other work on a
  shared machine moves wall-clock figures a lot and CPU per request little.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
DATA = ROOT / ".data"
RESULTS = ROOT / "results"
POSTGRES_ADMIN_URL = os.environ.get("OPENCENTRA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(*args: str, capture: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-c", "from opencentra.cli import main; main()", *args],
        capture_output=capture,
        text=True,
        check=True,
    )


@dataclass(frozen=True)
class Seeded:
    url: str
    credentials: dict[str, Any]

    def plugin(self, plugin_type: str) -> dict[str, Any]:
        return next(p for p in self.credentials["plugins"] if p["type"] == plugin_type)


def _database_url(products: int, backend: str, *, fresh: bool = False) -> str:
    if backend == "sqlite":
        DATA.mkdir(exist_ok=True)
        path = DATA / f"bench_p{products}.db"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if backend == "postgresql":
        import psycopg

        name = f"oc_bench_p{products}"
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            if fresh:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
        return f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    raise ValueError(f"unknown backend {backend!r}")


def seeded_database(products: int, backend: str = "sqlite") -> Seeded:
    """A demo database grown to ``products`` generated products.

    Seeding is idempotent, so a cached database is reused and only its
    secrets are rotated (they are printed once, so we need fresh ones). A
    cached database that no longer seeds (made by an older schema, say) is
    dropped and made again, once.
    """
    products = products_override(products)
    started = time.perf_counter()
    url = _database_url(products, backend)
    args = ("seed", "demo", "--database", url, "--products", str(products), "--json")
    try:
        result = _cli(*args)
    except subprocess.CalledProcessError as error:
        print(f"  cached {backend} database did not seed ({error.stderr.strip()[-200:]}); rebuilding", file=sys.stderr)
        url = _database_url(products, backend, fresh=True)
        result = _cli("seed", "demo", "--database", url, "--products", str(products), "--json")
    print(f"  seeded {backend} with {products} products in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return Seeded(url, json.loads(result.stdout))


def _wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> float:
    import http.client

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("server did not become healthy")


@dataclass
class Server:
    """``opencentra serve`` on a free port; ``startup_seconds`` is its cold start."""

    database_url: str
    workers: int = 1
    redis_url: str | None = None
    port: int = 0
    startup_seconds: float = 0.0
    _process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def __enter__(self) -> Server:
        self.port = free_port()
        args = ["serve", "--port", str(self.port), "--database", self.database_url, "--workers", str(self.workers)]
        if self.redis_url:
            args += ["--redis", self.redis_url]
        env = dict(os.environ, OPENCENTRA_LOG_LEVEL="warning")
        started = time.perf_counter()
        self._process = subprocess.Popen(
            [PYTHON, "-c", "from opencentra.cli import main; main()", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_healthy(self.port, self._process)
        self.startup_seconds = time.perf_counter() - started
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()


_BASELINE_APP = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    BODY = Path(sys.argv[2]).read_bytes()
    MEDIA = sys.argv[3]

    async def endpoint(request):
        await request.body()
        return Response(BODY, media_type=MEDIA)

    async def healthz(request):
        return Response(b'{"status":"ok"}', media_type="application/json")

    app = Starlette(routes=[
        Route("/healthz", healthz),
        Route("/{path:path}", endpoint, methods=["GET", "POST", "PUT", "DELETE"]),
    ])
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
    """
)


class ServedURL(str):
    """A base URL that also knows the pid of the process serving it."""

    pid: int


@contextmanager
def baseline_server(body: bytes, media_type: str = "application/json") -> Iterator[ServedURL]:
    """A bare Starlette endpoint returning ``body`` for any path; yields its base URL (with ``.pid``)."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "baseline.py"
        script.write_text(_BASELINE_APP)
        payload = Path(folder) / "body"
        payload.write_bytes(body)
        port = free_port()
        process = subprocess.Popen(
            [PYTHON, str(script), str(port), str(payload), media_type],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_healthy(port, process)
            url = ServedURL(f"http://127.0.0.1:{port}")
            url.pid = process.pid
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


@dataclass(frozen=True)
class LoadResult:
    label: str
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    errors: int
    # CPU milliseconds per request of the server process, and of the
    # PostgreSQL backends serving its database (when measured).
    server_cpu_ms: float | None = None
    database_cpu_ms: float | None = None
    # The first few failures of a flow (``flow_latency``), so none is silent.
    failures: tuple[str, ...] = ()


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in children.read_text().split()]
        except OSError:
            continue
    return found


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of a process and its live descendants so far (Linux /proc).

    Descendants count for ``--workers`` servers, whose workers are child processes.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command: state is field 3, utime 14 and stime 15 (1-based).
    own = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    return own + sum(process_cpu_seconds(child) for child in _children(pid))


def postgres_backend_pids(database_url: str) -> list[int]:
    """Pids of the PostgreSQL backends connected to this URL's database (same machine)."""
    if not database_url.startswith("postgres"):
        return []
    import psycopg

    name = database_url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,)
        ).fetchall()
    return [int(row[0]) for row in rows]


class CpuMeter:
    """CPU a server (and its database's PostgreSQL backends) spends between start() and stop()."""

    def __init__(self, pid: int | None, database_url: str | None = None) -> None:
        self.pid = pid
        self.database_url = database_url
        self._server = 0.0
        self._backends: dict[int, float] = {}

    def _backend_times(self) -> dict[int, float]:
        if not self.database_url:
            return {}
        return {pid: process_cpu_seconds(pid) for pid in postgres_backend_pids(self.database_url)}

    def start(self) -> None:
        self._server = process_cpu_seconds(self.pid) if self.pid else 0.0
        self._backends = self._backend_times()

    def stop(self) -> tuple[float | None, float | None]:
        """(server CPU seconds, database CPU seconds) since start()."""
        server = process_cpu_seconds(self.pid) - self._server if self.pid else None
        database = None
        if self.database_url:
            # A backend opened during the run started from zero.
            database = sum(t - self._backends.get(pid, 0.0) for pid, t in self._backend_times().items())
        return server, database


def _per_request(seconds: float | None, requests: int) -> float | None:
    return round(seconds * 1000 / requests, 3) if seconds is not None and requests else None


_WRK_SCRIPT = """
wrk.method = {method}
wrk.body = {body}
{headers}
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.stderr:write(string.format(
    'RESULT {{"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "p99": %f, "errors": %d}}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, errors))
end
"""


def _lua_string(value: str) -> str:
    return json.dumps(value)


def wrk_load(
    label: str,
    url: str,
    *,
    method: str = "GET",
    body: bytes | str = b"",
    headers: dict[str, str] | None = None,
    connections: int = 16,
    duration: int = 8,
    threads: int = 1,
    lua: str | None = None,
    pid: int | None = None,
    database_url: str | None = None,
) -> LoadResult:
    """Closed-loop load with wrk; non-2xx responses count as errors.

    ``lua`` replaces the request part of the script (it must not define
    ``done``); ``pid`` (and ``database_url``) add CPU per request.
    """
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: run benchmarks/run, or apt-get install wrk")
    duration = min(duration, QUICK_SECONDS) if quick() else duration
    text_body = body.decode() if isinstance(body, bytes) else body
    header_lines = "\n".join(f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in (headers or {}).items())
    source = _WRK_SCRIPT.format(method=_lua_string(method), body=_lua_string(text_body), headers=header_lines)
    if lua is not None:
        source = lua + "\n" + source[source.index("done = function") :]
    meter = CpuMeter(pid, database_url)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(source)
    try:
        # A short warm-up first, so caches and connection pools are filled.
        subprocess.run(
            ["wrk", "-t1", f"-c{connections}", "-d1s" if quick() else "-d2s", "-s", script.name, url],
            capture_output=True,
            check=True,
        )
        meter.start()
        completed = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "-s", script.name, url],
            capture_output=True,
            text=True,
            check=True,
        )
        server_cpu, database_cpu = meter.stop()
    finally:
        os.unlink(script.name)
    line = next(line for line in completed.stderr.splitlines() if line.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return LoadResult(
        label=label,
        requests_per_second=data["requests"] / data["seconds"],
        p50_ms=data["p50"],
        p95_ms=data["p95"],
        p99_ms=data["p99"],
        requests=data["requests"],
        errors=data["errors"],
        server_cpu_ms=_per_request(server_cpu, data["requests"]),
        database_cpu_ms=_per_request(database_cpu, data["requests"]),
    )


KEPT_FAILURES = 5


def _describe_failure(error: Exception) -> str:
    """One line: the exception, and for an HTTP status error the request and the response body."""
    response = getattr(error, "response", None)
    if response is not None:
        request = response.request
        return f"{request.method} {request.url.path} -> {response.status_code} {response.text[:300]}"
    return f"{type(error).__name__}: {str(error)[:300]}"


def flow_latency(
    label: str,
    flow: Callable[[Any], Awaitable[None]],
    *,
    base_url: str,
    concurrency: int = 16,
    iterations: int = 400,
    pid: int | None = None,
    database_url: str | None = None,
) -> LoadResult:
    """Run ``flow(client)`` ``iterations`` times with ``concurrency`` at once.

    ``flow`` gets an ``httpx2.AsyncClient`` bound to ``base_url`` and should
    raise on a failed step. Latency is per whole flow. The first
    ``KEPT_FAILURES`` failures are kept (with the response body of an HTTP
    error) and ``report`` prints them.
    """
    import httpx2 as httpx

    iterations = min(iterations, QUICK_ITERATIONS) if quick() else iterations

    async def main() -> LoadResult:
        latencies: list[float] = []
        errors = 0
        failures: list[str] = []
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(iterations):
            queue.put_nowait(i)
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

            async def worker() -> None:
                nonlocal errors
                while not queue.empty():
                    queue.get_nowait()
                    started = time.perf_counter()
                    try:
                        await flow(client)
                    except Exception as error:  # counted and the first few kept; the run goes on
                        errors += 1
                        if len(failures) < KEPT_FAILURES:
                            failures.append(_describe_failure(error))
                        continue
                    latencies.append((time.perf_counter() - started) * 1000)

            meter = CpuMeter(pid, database_url)
            meter.start()
            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.perf_counter() - started
            server_cpu, database_cpu = meter.stop()
        latencies.sort()

        def pct(p: float) -> float:
            return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] if latencies else float("nan")

        count = len(latencies)
        return LoadResult(
            label,
            count / elapsed,
            pct(50),
            pct(95),
            pct(99),
            count,
            errors,
            _per_request(server_cpu, count + errors),
            _per_request(database_cpu, count + errors),
            tuple(failures),
        )

    return asyncio.run(main())


def ratio(result: LoadResult, baseline: LoadResult) -> float:
    return result.requests_per_second / baseline.requests_per_second if baseline.requests_per_second else 0.0


def report(name: str, rows: list[LoadResult], notes: dict[str, Any] | None = None) -> None:
    """Print a table and write ``benchmarks/results/<name>.json`` (or into ``OPENCENTRA_BENCH_RESULTS``)."""
    results = Path(os.environ.get(RESULTS_ENV) or RESULTS)
    results.mkdir(parents=True, exist_ok=True)
    print(f"\n{name}")
    print(
        f"{'scenario':<56} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
        f" {'cpu ms/req':>10} {'db ms/req':>9}"
    )

    def cpu(value: float | None, width: int) -> str:
        return f"{value:>{width}.2f}" if value is not None else f"{'-':>{width}}"

    for row in rows:
        print(
            f"{row.label:<56} {row.requests_per_second:>9.1f} {row.p50_ms:>8.2f} "
            f"{row.p95_ms:>8.2f} {row.p99_ms:>8.2f} {row.errors:>7}"
            f" {cpu(row.server_cpu_ms, 10)} {cpu(row.database_cpu_ms, 9)}"
        )
    for row in rows:
        for failure in row.failures:
            print(f"  failed in {row.label}: {failure}")
    for key, value in (notes or {}).items():
        print(f"  {key}: {value}")
    payload = {"name": name, "rows": [asdict(r) for r in rows], "notes": notes or {}, "when": time.time()}
    (results / f"{name}.json").write_text(json.dumps(payload, indent=2))


def median(values: list[float]) -> float:
    return statistics.median(values)


# --- `benchmarks/run all` (benchmarks/report.py) sets these for every scenario it starts ---------------------

# The catalogue size to seed, whatever the scenario asks for (1k, 10k, 100k products).
PRODUCTS_ENV = "OPENCENTRA_BENCH_PRODUCTS"
# Where ``report`` writes its JSON (one folder per catalogue size).
RESULTS_ENV = "OPENCENTRA_BENCH_RESULTS"
# "1": the CI budget: wrk runs QUICK_SECONDS, a flow QUICK_ITERATIONS times. Figures are rougher.
QUICK_ENV = "OPENCENTRA_BENCH_QUICK"
QUICK_SECONDS = 2
QUICK_ITERATIONS = 40


def products_override(products: int) -> int:
    """``products``, unless ``OPENCENTRA_BENCH_PRODUCTS`` names another catalogue size."""
    wanted = os.environ.get(PRODUCTS_ENV)
    return int(wanted) if wanted else products


def quick() -> bool:
    return os.environ.get(QUICK_ENV) == "1"
