"""The README's examples run against a real server, so they cannot rot."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
CLI = [sys.executable, "-c", "from opencentra.cli import main; main()"]


def _try_it_blocks() -> list[str]:
    text = README.read_text()
    section = text.split("## Try it", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    # The first block only exports placeholders; the test sets real values.
    return [block for block in blocks if not block.lstrip().startswith("export ")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('readme') / 'readme.db'}"
    seeded = subprocess.run([*CLI, "seed", "demo", "--database", url, "--json"], capture_output=True, text=True)
    assert seeded.returncode == 0, seeded.stderr
    credentials = json.loads(seeded.stdout)
    port = _free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--database", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        keys = {p["type"]: p["secret"] for p in credentials["plugins"]}
        yield {
            "OC": base,
            "ORDER_KEY": keys["order"],
            "CHECKOUT_KEY": keys["checkout"],
            "SHOP_KEY": keys["shop"],
            "GRAPHQL_TOKEN": credentials["graphql_token"],
        }
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_readme_has_examples() -> None:
    assert len(_try_it_blocks()) >= 3


@pytest.mark.parametrize("block", _try_it_blocks(), ids=lambda block: block.strip().splitlines()[0][:60])
def test_readme_example(live_server: dict[str, str], block: str) -> None:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        env={**os.environ, **live_server},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"{block}\nstdout: {result.stdout}\nstderr: {result.stderr}"
