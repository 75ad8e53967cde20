"""``serve --forwarded-allow-ips``: which proxies may name the client (login throttling counts per client)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn

from opencentra import cli
from opencentra.config import Settings, from_environment
from opencentra.errors import ValidationFailed


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    """What ``serve`` hands to uvicorn, without serving."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda _app, **options: calls.append(options))
    monkeypatch.setattr(cli, "_migrate", lambda _url: None)
    monkeypatch.delenv("OPENCENTRA_FORWARDED_ALLOW_IPS", raising=False)
    # serve writes the database URL to the environment for its workers; restored afterwards.
    monkeypatch.setenv("OPENCENTRA_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    return calls


def test_by_default_no_proxy_is_trusted(served: list[dict[str, Any]]) -> None:
    cli.main(["serve"])
    assert (served[-1]["proxy_headers"], served[-1]["forwarded_allow_ips"]) == (False, None)


def test_the_flag_and_the_environment_name_the_proxies(
    served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.main(["serve", "--forwarded-allow-ips", "10.0.0.1, 10.1.0.0/16,::1"])
    assert (served[-1]["proxy_headers"], served[-1]["forwarded_allow_ips"]) == (True, "10.0.0.1,10.1.0.0/16,::1")
    monkeypatch.setenv("OPENCENTRA_FORWARDED_ALLOW_IPS", "*")
    cli.main(["serve"])
    assert (served[-1]["proxy_headers"], served[-1]["forwarded_allow_ips"]) == (True, "*")


def test_a_bad_proxy_is_one_clear_line(served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--forwarded-allow-ips", "proxy.internal"])
    assert exited.value.code == 1
    assert "'proxy.internal' is not an IP address or network" in capsys.readouterr().err
    assert served == []


def test_settings_check_the_proxies() -> None:
    assert from_environment({"OPENCENTRA_FORWARDED_ALLOW_IPS": " 192.0.2.1 ,"}).forwarded_allow_ips == "192.0.2.1"
    assert Settings().forwarded_allow_ips == ""
    with pytest.raises(ValidationFailed):
        Settings().with_overrides(forwarded_allow_ips="10.0.0.1,*")
