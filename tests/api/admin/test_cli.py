"""``opencentra admin create-user``: how the first administrator (and any store manager) gets in;
and the demo's printed admin login."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from opencentra.cli import _credentials_text, main
from opencentra.db.engine import Database
from opencentra.demo.seed import DemoResult
from opencentra.integration.admin_access import AdminRole, list_admins
from opencentra.stores import services as stores


async def _store_and_admins(url: str, store: str | None) -> dict[str, tuple[AdminRole, frozenset[int]]]:
    db = Database.from_url(url)
    try:
        if store is not None:
            await stores.create_store(db, store)
        return {a.username: (a.role, a.store_ids) for a in await list_admins(db)}
    finally:
        await db.dispose()


@pytest.mark.slow  # four runs of the command, each checking the migrations and hashing a password
def test_admin_create_user_and_the_demo_login(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    # Creating the first administrator also creates the database's tables.
    main(["admin", "create-user", "boss", "--password", "long enough 1", "--database", url])
    asyncio.run(_store_and_admins(url, "Shop"))
    demo = DemoResult([], [], "token", "soap", "soap password", "admin", "admin password", True, 0)
    # The demo prints where the admin UI is and its login (shown once, like every secret).
    admin_line = next(line for line in _credentials_text(demo).splitlines() if line.strip().startswith("admin"))
    assert "/ams/" in admin_line
    assert f"username {demo.admin_username}" in admin_line
    assert demo.admin_password in admin_line

    main(["admin", "create-user", "keeper", "--password", "long enough 2", "--role", "store_manager",
          "--store", "1", "--database", url])  # fmt: skip
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["admin", "create-user", "x", "--password", "long enough 3", "--role", "king", "--database", url])
    assert "--role must be one of" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["admin", "create-user", "y", "--password", "short", "--database", url])
    assert "at least 8" in capsys.readouterr().err

    admins = asyncio.run(_store_and_admins(url, None))
    assert admins["boss"] == (AdminRole.ADMINISTRATOR, frozenset())
    assert admins["keeper"] == (AdminRole.STORE_MANAGER, frozenset({1}))
    assert "x" not in admins
    assert "y" not in admins
