"""The CLI: a webhook plugin (migrated schema, so the plugin-type CHECK allows it), its secret, deliver, log, retry."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from tests.helpers import make_store
from tests.webhooks.conftest import SERVER_KEY

from opencentra.cli import main
from opencentra.db.engine import Database


@pytest.mark.slow  # runs every migration on a new SQLite file
def test_webhook_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("OPENCENTRA_DATABASE_URL", url)
    monkeypatch.delenv("OPENCENTRA_WEBHOOKS_KEY", raising=False)
    main(["migrate"])
    database = Database.from_url(url)
    store = asyncio.run(make_store(database))
    asyncio.run(database.dispose())
    settings = json.dumps({"url": "https://hooks.example.com/in", "events": ["order"]})
    main(["plugin", "create", "--store", str(store), "--type", "webhook", "--uri", "hooks", "--settings", settings])
    plugin = int(capsys.readouterr().out.split("plugin ", 1)[1].split(" ", 1)[0])

    with pytest.raises(SystemExit):  # no server key: refused with one line
        main(["webhooks", "secret", str(plugin)])
    assert "OPENCENTRA_WEBHOOKS_KEY" in capsys.readouterr().err

    monkeypatch.setenv("OPENCENTRA_WEBHOOKS_KEY", SERVER_KEY)
    main(["webhooks", "secret", str(plugin)])
    secret = capsys.readouterr().out.split("signing secret: ", 1)[1].strip()
    assert len(secret) == 43

    main(["webhooks", "deliver", "--json"])
    assert json.loads(capsys.readouterr().out)["enqueued"] == 0
    main(["webhooks", "log"])
    with pytest.raises(SystemExit):
        main(["webhooks", "retry", "999"])
    assert "not found" in capsys.readouterr().err
