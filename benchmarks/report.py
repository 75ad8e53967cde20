"""`benchmarks/run all`: every scenario at several catalogue sizes, then docs/benchmarks.md with charts.

    benchmarks/run all                    # 1k and 10k products, every scenario
    benchmarks/run all --with-100k        # and 100k (seeding it alone takes about a minute)
    benchmarks/run all --quick            # the CI budget: 1k products, 2 s per wrk run, 40 flows
    benchmarks/run all --sizes 1000 --only order_api shop_api
    benchmarks/run all --report-only     # redraw the report from the JSON of the last run

Each scenario (``benchmarks/bench_<name>.py``) runs in its own process with
``OPENCENTRA_BENCH_PRODUCTS`` set, so ``harness.seeded_database`` seeds (or
reuses) a demo database of that size, and ``OPENCENTRA_BENCH_RESULTS`` set,
so its JSON lands in ``benchmarks/results/p<size>/``. A scenario that fails
is reported as failed; the others still run.

The baseline of every figure is the one its scenario measures in the same
run: a bare Starlette endpoint serving the same bytes (rows labelled
``bare ...`` or naming one). Each of our rows is paired with the first bare row after it
in its scenario's table (the scenarios list their baseline after the rows
it serves), or the last one before it.

The report (docs/benchmarks.md) has a table per catalogue size, the machine
it ran on, and three charts under docs/benchmarks/: throughput, p50 latency
and the ratio to the baseline, per scenario and size. Scenarios whose data
does not depend on the catalogue (subscriptions, webhooks, GraphQL abuse)
run at every size all the same, and say so in the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import harness

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
CHARTS = ROOT / "docs" / "benchmarks"
DEFAULT_SIZES = (1_000, 10_000)
LARGE = 100_000
# A scenario that takes longer than this at one size is stopped and reported as failed.
SCENARIO_TIMEOUT = 60 * 60
QUICK_TIMEOUT = 15 * 60
# Scenarios whose figures do not depend on the size of the catalogue.
CATALOGUE_INDEPENDENT = {"subscriptions", "webhooks", "graphql_abuse"}
# Scenarios that take the catalogue size on their command line instead of from harness.seeded_database.
SIZE_ARGUMENT = {"foundation"}


def scenarios() -> list[str]:
    return sorted(path.stem.removeprefix("bench_") for path in (ROOT / "benchmarks").glob("bench_*.py"))


@dataclass(frozen=True)
class Row:
    scenario: str
    size: int
    label: str
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    errors: int
    baseline: str | None
    baseline_rps: float | None
    baseline_p50_ms: float | None

    @property
    def ratio(self) -> float | None:
        return self.requests_per_second / self.baseline_rps if self.baseline_rps else None


def _is_baseline(label: str) -> bool:
    return "bare " in label.lower()


def rows_of(scenario: str, size: int, payload: dict[str, Any]) -> list[Row]:
    """Our rows of one scenario's JSON, each next to its bare baseline."""
    raw = payload.get("rows", [])
    rows: list[Row] = []
    for index, row in enumerate(raw):
        if _is_baseline(row["label"]):
            continue
        after = [r for r in raw[index + 1 :] if _is_baseline(r["label"])]
        before = [r for r in raw[:index] if _is_baseline(r["label"])]
        base = after[0] if after else (before[-1] if before else None)
        rows.append(
            Row(
                scenario=scenario,
                size=size,
                label=row["label"],
                requests_per_second=float(row["requests_per_second"]),
                p50_ms=float(row["p50_ms"]),
                p95_ms=float(row["p95_ms"]),
                errors=int(row["errors"]),
                baseline=None if base is None else base["label"],
                baseline_rps=None if base is None else float(base["requests_per_second"]),
                baseline_p50_ms=None if base is None else float(base["p50_ms"]),
            )
        )
    return rows


def results_dir(size: int) -> Path:
    return harness.RESULTS / f"p{size}"


def run_scenario(name: str, size: int, *, quick: bool) -> tuple[bool, float, str]:
    """Run one scenario at one size in its own process; (ok, seconds, last lines of its output)."""
    env = dict(os.environ)
    env[harness.PRODUCTS_ENV] = str(size)
    env[harness.RESULTS_ENV] = str(results_dir(size))
    if quick:
        env[harness.QUICK_ENV] = "1"
    folder = results_dir(size)
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"{name}.log"
    started = time.perf_counter()
    # Its output goes to a log beside its JSON as it comes (``tail -f`` it): a stopped run shows how far it got.
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", f"benchmarks.bench_{name}", *([str(size)] if name in SIZE_ARGUMENT else [])],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            returncode = process.wait(timeout=QUICK_TIMEOUT if quick else SCENARIO_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            returncode = None
    output = log.read_text().strip().splitlines()
    print("\n".join(output[-25:]))
    tail = "\n".join(output[-5:])
    if returncode is None:
        return False, time.perf_counter() - started, f"{tail}\nstopped after {time.perf_counter() - started:.0f} s"
    return returncode == 0, time.perf_counter() - started, tail


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cores": str(os.cpu_count()),
    }
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [
            line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")
        ]
        if models:
            info["cpu"] = models[0]
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total = next(
            (line.split()[1] for line in meminfo.read_text().splitlines() if line.startswith("MemTotal")), None
        )
        if total:
            info["memory"] = f"{int(total) / 1024 / 1024:.1f} GiB"
    if hasattr(os, "getloadavg"):
        info["load average at start (1, 5, 15 min)"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return info


def charts(rows: list[Row], sizes: list[int]) -> list[Path]:
    """Throughput, p50 latency and ratio to the baseline, per scenario row and catalogue size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    CHARTS.mkdir(parents=True, exist_ok=True)
    labels = sorted({(r.scenario, r.label.split(" (")[0]) for r in rows})
    if not labels:
        return []
    by_key = {(r.scenario, r.label.split(" (")[0], r.size): r for r in rows}
    written: list[Path] = []
    metrics: list[tuple[str, str, Any, bool]] = [
        ("throughput", "requests per second (log)", lambda r: r.requests_per_second, True),
        ("latency", "p50 latency, ms (log)", lambda r: r.p50_ms, True),
        ("ratio", "throughput / bare endpoint baseline", lambda r: r.ratio, False),
    ]
    height = max(4.0, 0.32 * len(labels) * max(1, len(sizes)) + 1.5)
    for name, axis, value, log in metrics:
        figure, ax = plt.subplots(figsize=(11, height))
        bar = 0.8 / max(1, len(sizes))
        for offset, size in enumerate(sizes):
            ys, xs = [], []
            for index, (scenario, label) in enumerate(labels):
                row = by_key.get((scenario, label, size))
                figure_value = None if row is None else value(row)
                if figure_value:
                    ys.append(index + offset * bar)
                    xs.append(figure_value)
            ax.barh(ys, xs, height=bar, label=f"{size:,} products")
        if name in ("throughput", "latency"):
            # The same run's bare endpoint, for scale.
            base = [
                (index, value_of)
                for index, (scenario, label) in enumerate(labels)
                for size in sizes[:1]
                if (row := by_key.get((scenario, label, size))) is not None
                and (value_of := row.baseline_rps if name == "throughput" else row.baseline_p50_ms)
            ]
            if base:
                ax.scatter(
                    [v for _, v in base], [i for i, _ in base], marker="|", s=200, color="black", label="bare baseline"
                )
        ax.set_yticks([i + 0.4 - bar / 2 for i in range(len(labels))])
        ax.set_yticklabels([f"{scenario}: {label}"[:70] for scenario, label in labels], fontsize=7)
        ax.invert_yaxis()
        if log:
            ax.set_xscale("log")
        ax.set_xlabel(axis)
        ax.legend(fontsize=7)
        figure.tight_layout()
        path = CHARTS / f"{name}.png"
        figure.savefig(path, dpi=110)
        plt.close(figure)
        written.append(path)
    return written


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def write_report(
    sizes: list[int], outcomes: dict[tuple[str, int], tuple[bool, float, str]], *, quick: bool, command: str
) -> Path:
    rows: list[Row] = []
    notes: dict[int, list[tuple[str, str, object]]] = {}
    for size in sizes:
        folder = results_dir(size)
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            payload = json.loads(path.read_text())
            rows.extend(rows_of(path.stem, size, payload))
            notes.setdefault(size, []).extend(
                (path.stem, key, value) for key, value in payload.get("notes", {}).items()
            )
    images = charts(rows, sizes)
    lines = [
        "# Benchmarks",
        "",
        f"Made by `{command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        + (" in the quick (CI) budget: short runs, rough figures." if quick else "."),
        "Every figure sits next to the bare Starlette endpoint measured in the same run on the same machine",
        "(see benchmarks/harness.py); on a shared machine the ratio means more than either number.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in machine().items()],
        "",
    ]
    if images:
        lines += ["## Charts", ""]
        lines += [f"![{image.stem}](benchmarks/{image.name})" for image in images]
        lines.append("")
    for size in sizes:
        lines += [
            f"## {size:,} products",
            "",
            "| scenario | row | req/s | p50 ms | p95 ms | errors | baseline req/s | baseline p50 ms | ratio |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in (r for r in rows if r.size == size):
            note = " (catalogue-independent)" if row.scenario in CATALOGUE_INDEPENDENT else ""
            lines.append(
                f"| {row.scenario}{note} | {row.label} | {_fmt(row.requests_per_second)} | {_fmt(row.p50_ms, 2)}"
                f" | {_fmt(row.p95_ms, 2)} | {row.errors} | {_fmt(row.baseline_rps)} | {_fmt(row.baseline_p50_ms, 2)}"
                f" | {_fmt(row.ratio, 3)} |"
            )
        if notes.get(size):
            lines += ["", "Notes the scenarios recorded (seconds, statement counts, ratios):", ""]
            lines += [f"- {scenario}: {key}: {value}" for scenario, key, value in notes[size]]
        failed = [(name, outcome) for (name, s), outcome in sorted(outcomes.items()) if s == size and not outcome[0]]
        if failed:
            lines += ["", "Failed or stopped at this size:", ""]
            lines += [
                f"- {name}: {outcome[2].splitlines()[-1] if outcome[2] else 'no output'}" for name, outcome in failed
            ]
        lines.append("")
    spent = [(name, size, outcome[1]) for (name, size), outcome in sorted(outcomes.items())]
    if spent:
        lines += ["## Time per scenario", "", "| scenario | products | seconds | ok |", "|---|---:|---:|---|"]
        lines += [f"| {n} | {s:,} | {sec:.0f} | {'yes' if outcomes[(n, s)][0] else 'no'} |" for n, s, sec in spent]
        lines.append("")
    DOC.write_text("\n".join(lines))
    return DOC


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="benchmarks/run all", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", help="catalogue sizes (default 1000 10000)")
    parser.add_argument("--with-100k", action="store_true", help="also run at 100,000 products")
    parser.add_argument("--quick", action="store_true", help="CI budget: 1,000 products, short runs")
    parser.add_argument("--only", nargs="+", metavar="SCENARIO", help=f"some of: {' '.join(scenarios())}")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from the last JSON")
    args = parser.parse_args(argv)
    sizes = list(args.sizes or ([1_000] if args.quick else DEFAULT_SIZES))
    if args.with_100k and LARGE not in sizes:
        sizes.append(LARGE)
    names = args.only or scenarios()
    unknown = sorted(set(names) - set(scenarios()))
    if unknown:
        parser.error(f"no such scenario: {', '.join(unknown)}")
    outcomes: dict[tuple[str, int], tuple[bool, float, str]] = {}
    if not args.report_only:
        for size in sizes:
            for name in names:
                print(f"== {name} at {size:,} products", flush=True)
                outcomes[(name, size)] = run_scenario(name, size, quick=args.quick)
    command = "benchmarks/run all " + " ".join(argv if argv is not None else sys.argv[1:])
    path = write_report(sizes, outcomes, quick=args.quick, command=command.strip())
    print(f"wrote {path.relative_to(ROOT)} and the charts in {CHARTS.relative_to(ROOT)}/")
    if any(not ok for ok, _, _ in outcomes.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
