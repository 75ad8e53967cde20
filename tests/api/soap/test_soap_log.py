"""The SOAP user made with the CLI logs in, and its calls are logged (passwords blanked) and read from the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from tests.api.soap.soapkit import envelope, post_raw, result_of

from opencentra.app import create_app
from opencentra.cli import main
from opencentra.config import Settings
from opencentra.db.engine import Database


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The CLI in this process (a subprocess would import everything again): exit status, stdout, stderr."""
    try:
        main(list(args))
        status = 0
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.slow
def test_cli_user_calls_are_logged_without_passwords(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'soap.db'}"
    status, stdout, stderr = _cli(capsys, "soap", "create-user", "navision", "--database", url)
    assert status == 0, stderr
    password = stdout.strip()
    assert len(password) >= 40

    database = Database.from_url(url)
    with TestClient(create_app(Settings(database_url=url), database=database)) as client:
        body = envelope("warehouses_Update", "<warehouses><warehouse><id>W1</id></warehouse></warehouses>",
                        username="navision", password=password)  # fmt: skip
        assert result_of(post_raw(client, body).content)[0] is True
        wrong = envelope("events_GetRequest", "<type>all</type>", username="navision", password="nope")
        assert post_raw(client, wrong).status_code == 401  # not logged: nobody was logged in
        assert client.portal is not None
        client.portal.call(database.dispose)

    status, stdout, stderr = _cli(capsys, "soap", "log", "navision", "--json", "--database", url)
    assert status == 0, stderr
    calls = json.loads(stdout)
    assert [(c["operation"], c["status"]) for c in calls] == [("warehouses_Update", 200)]
    assert "<id>W1</id>" in calls[0]["request"] and "<success>" in calls[0]["response"].replace("ns1:", "")
    assert password not in stdout
    assert "<password>***</password>" in calls[0]["request"]
    status, _, stderr = _cli(capsys, "soap", "log", "nobody", "--database", url)
    assert status == 1 and "not found" in stderr and "Traceback" not in stderr
