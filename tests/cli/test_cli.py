"""The command line: one clear line and a non-zero exit for bad input, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from opencentra.config import Settings, from_environment
from opencentra.errors import ValidationFailed


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from opencentra.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def _one_clear_line(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("mysql://x/y", "unsupported database"),
        ("not a url", "invalid database URL"),
        ("postgresql://host", "no database"),
    ],
)
def test_bad_database_url(url: str, fragment: str) -> None:
    _one_clear_line(_cli("migrate", "--database", url), fragment)


def test_unreachable_database_is_one_line() -> None:
    _one_clear_line(_cli("migrate", "--database", "postgresql://nobody@127.0.0.1:1/none"), "database")


def test_missing_sqlite_folder(tmp_path: Path) -> None:
    _one_clear_line(_cli("migrate", "--database", f"sqlite:///{tmp_path}/no/such/dir/x.db"), "does not exist")


def test_plugin_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    seeded = _cli("seed", "demo", "--database", url, "--json")
    assert seeded.returncode == 0, seeded.stderr
    store = json.loads(seeded.stdout)["stores"][0]["id"]

    wrong_setting = _cli(
        "plugin", "create", "--database", url, "--store", str(store), "--type", "order", "--uri", "wms",
        "--settings", '{"allow_order_create": "yes"}',
    )  # fmt: skip
    _one_clear_line(wrong_setting, "allow_order_create")
    bad_json = _cli(
        "plugin", "create", "--database", url, "--store", str(store), "--type", "order", "--uri", "wms",
        "--settings", "{nope",
    )  # fmt: skip
    _one_clear_line(bad_json, "--settings is not valid JSON")

    created = _cli("plugin", "create", "--database", url, "--store", str(store), "--type", "order", "--uri", "wms")
    assert created.returncode == 0, created.stderr
    secret = created.stdout.split("secret: ")[1].strip()
    listed = _cli("plugin", "list", "--database", url)
    assert "/api/wms" in listed.stdout and secret not in listed.stdout
    plugin_id = created.stdout.split()[1]
    rotated = _cli("plugin", "rotate-secret", plugin_id, "--database", url)
    assert rotated.returncode == 0 and secret not in rotated.stdout
    _one_clear_line(_cli("plugin", "rotate-secret", "999", "--database", url), "not found")

    token = _cli("token", "create", "--database", url, "--name", "ERP", "-p", "Order:read")
    assert token.returncode == 0, token.stderr
    assert len(token.stdout.strip()) >= 43
    _one_clear_line(_cli("token", "create", "--database", url, "--name", " ", "-p", "Order:read"), "name")


def test_settings_from_environment() -> None:
    settings = from_environment({"OPENCENTRA_DATABASE_URL": "postgresql://u@h/db", "OPENCENTRA_PORT": "9000"})
    assert settings.database_url == "postgresql://u@h/db" and settings.port == 9000
    with pytest.raises(ValidationFailed, match="whole number"):
        from_environment({"OPENCENTRA_PORT": "eighty"})
    with pytest.raises(ValidationFailed, match="Redis URL"):
        Settings().with_overrides(redis_url="http://x")
    with pytest.raises(ValidationFailed, match="needs --redis"):
        Settings().with_overrides(workers=2)


@pytest.mark.parametrize(
    "args",
    [("serve", "--bogus"), ("serve", "--port", "abc"), ("seed", "demo", "--products", "-5"), ("plugin", "create")],
)
def test_usage_errors_are_one_line(args: tuple[str, ...]) -> None:
    result = _cli(*args)
    _one_clear_line(result, "error:")
    assert result.returncode == 2
