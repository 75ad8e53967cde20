"""A failed statement's message, which the unexpected-error log prints, leaves out its parameters.

Parameters carry what requests sent (addresses, emails); the statement and
the database's own message are enough to find the bug.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from opencentra.db.engine import Database


async def test_parameters_stay_out_of_error_messages(db: Database) -> None:
    secret = "Storgatan 1, shopper@example.com"
    with pytest.raises(StatementError) as failure:
        async with db.read() as session:
            await session.execute(text("SELECT name FROM no_such_table WHERE name = :name"), {"name": secret})
    assert secret not in str(failure.value)
    assert "hidden" in str(failure.value)
