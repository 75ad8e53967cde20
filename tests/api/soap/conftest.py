"""Every SOAP test hashes with cheap argon2id and starts with no remembered logins."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from opencentra import passwords
from opencentra.integration import soap_users


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # argon2id at production cost takes ~180 ms a hash, and each test creates SOAP users and logs in
    # (tests/customers covers the hash with the real costs). Still argon2id, the same code path.
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheap.hash("opencentra-dummy-password"))
    soap_users.verified_logins.clear()
    yield
    soap_users.verified_logins.clear()
