"""``opencentra serve`` for the scale-out tests: the real command, with cheap password hashing.

argon2id at production cost takes ~180 ms of CPU a login; the login-throttle
test makes fifty of them on two shared cores, and is about counting, not the
hash (tests/customers checks the real costs). Everything else is the CLI's
own ``serve``: migrations, settings from flags and ``OPENCENTRA_*``, uvicorn.
"""

from __future__ import annotations

from argon2 import PasswordHasher

from opencentra import passwords
from opencentra.cli import main

_cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
passwords._hasher = _cheap
passwords._DUMMY_HASH = _cheap.hash("opencentra-dummy-password")

if __name__ == "__main__":
    main()
