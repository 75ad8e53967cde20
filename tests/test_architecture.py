"""The domain never reaches up into an adapter, even indirectly.

``lint-imports`` checks the import graph as written (pyproject.toml,
``[tool.importlinter]``); this checks what Python actually loads: importing a
domain package and every module in it, in a fresh interpreter, leaves no
``opencentra.api`` module in ``sys.modules``. The domain packages are the
layers of the ``domain`` contract, so the two lists cannot drift apart.

Inside an adapter the modules import one way too: no group of them imports
each other (imports under ``TYPE_CHECKING`` aside, which is how a GraphQL type
names one above it: ``api/graphql/related.py``). The adapters are those of
the ``adapters`` contract.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grimp
import pytest

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"

PROBE = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(module.name)
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[:2] == ["opencentra", "api"])))
"""


def _domain_packages() -> list[str]:
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["id"] == "domain"]
    return [name.strip() for layer in contract["layers"] for name in layer.split("|")]


def test_the_domain_contract_names_the_domain_packages() -> None:
    packages = _domain_packages()
    assert "opencentra.orders" in packages and "opencentra.storefront" in packages
    assert len(packages) == len(set(packages)) >= 10


def _adapters_loaded_by(package: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, package], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout)
    return loaded


def test_the_probe_sees_adapters() -> None:
    assert "opencentra.api.shop.app" in _adapters_loaded_by("opencentra.api.shop")


def test_importing_a_domain_package_loads_no_adapter() -> None:
    packages = _domain_packages()
    # One fresh interpreter per package, side by side.
    with ThreadPoolExecutor(max_workers=4) as pool:
        loaded = dict(zip(packages, pool.map(_adapters_loaded_by, packages), strict=True))
    assert {package: adapters for package, adapters in loaded.items() if adapters} == {}


# --- no import cycles inside an adapter -------------------------------------------------------------

# Cycles that exist today in adapters owned by others; a ratchet: remove an entry when its cycle goes,
# never add one.
KNOWN_ADAPTER_CYCLES: dict[str, frozenset[str]] = {}


def _adapter_packages() -> list[str]:
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["id"] == "adapters"]
    modules: list[str] = contract["modules"]
    return modules


@pytest.fixture(scope="module")
def import_graph() -> grimp.ImportGraph:
    # An import under ``if TYPE_CHECKING:`` (a type named for mypy, or for ``strawberry.lazy``) is no
    # runtime link, so it may point either way.
    return grimp.build_graph("opencentra", exclude_type_checking_imports=True)


def import_cycles(graph: grimp.ImportGraph, package: str) -> list[frozenset[str]]:
    """The groups of modules inside ``package`` that import each other, directly or through others."""
    inside = graph.find_descendants(package) | {package}
    imports = {m: graph.find_modules_directly_imported_by(m) & inside for m in inside}

    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for found in imports[todo.pop()] - seen:
                seen.add(found)
                todo.append(found)
        return seen

    reachable = {m: reach(m) for m in inside}
    groups = {frozenset({m} | {o for o in reachable[m] if m in reachable[o]}) for m in inside if m in reachable[m]}
    return sorted(groups, key=sorted)


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")
    graph.add_import(importer="p.c", imported="p.a")
    assert import_cycles(graph, "p") == [frozenset({"p.a", "p.b"})]


def test_the_adapters_contract_names_the_graphql_adapter() -> None:
    assert "opencentra.api.graphql" in _adapter_packages()


@pytest.mark.parametrize("package", _adapter_packages())
def test_an_adapter_has_no_import_cycle_between_its_modules(import_graph: grimp.ImportGraph, package: str) -> None:
    known = KNOWN_ADAPTER_CYCLES.get(package)
    assert import_cycles(import_graph, package) == ([known] if known else [])
