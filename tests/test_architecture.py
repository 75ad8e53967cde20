"""The domain never reaches up into an adapter, even indirectly.

``lint-imports`` checks the import graph as written (pyproject.toml,
``[tool.importlinter]``); this checks what Python actually loads: importing a
domain package and every module in it, in a fresh interpreter, leaves no
``opencentra.api`` module in ``sys.modules``. The domain packages are the
layers of the ``domain`` contract, so the two lists cannot drift apart.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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
