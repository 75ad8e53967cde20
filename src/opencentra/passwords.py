"""Hashing of passwords that people choose (shoppers, admins): argon2id.

Each hash or verify costs ~180 ms of CPU and 64 MiB, so it runs in a worker
thread and at most ``MAX_CONCURRENT_HASHES`` run at once: a burst of logins
queues instead of exhausting memory.
"""

from __future__ import annotations

import asyncio
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MAX_CONCURRENT_HASHES = 2

_hasher = PasswordHasher()
# A thread semaphore, not an asyncio one: it is taken inside the worker
# thread and so does not bind to one event loop.
_slots = threading.BoundedSemaphore(MAX_CONCURRENT_HASHES)
# A real hash to verify against when the account does not exist, so an
# unknown email costs the same time as a wrong password. Made on first use,
# not at import: a hash costs ~180 ms of CPU, a fifth of a cold start.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("opencentra-dummy-password")
    return _DUMMY_HASH


def _hash(password: str) -> str:
    with _slots:
        return _hasher.hash(password)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hash, password)


def _verify(stored_hash: str, password: str) -> bool:
    with _slots:
        try:
            return _hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; spends the same work when there is no hash."""
    if stored_hash is None:
        # In the worker thread: the first call also makes the dummy hash.
        await asyncio.to_thread(lambda: _verify(_dummy_hash(), password))
        return False
    return await asyncio.to_thread(_verify, stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with older parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
