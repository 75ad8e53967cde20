"""Issuing and checking shared secrets (plugin keys, tokens, SOAP passwords).

Secrets are ``secrets.token_urlsafe(32)``: 256 random bits. Only their SHA-256
is stored, and checks compare digests with ``hmac.compare_digest`` so the time
taken says nothing about how much of a guess was right.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as _random

PREFIX_LENGTH = 6


def generate_secret() -> str:
    return _random.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_prefix(secret: str) -> str:
    return secret[:PREFIX_LENGTH]


def matches(presented: str | None, stored_hash: str | None) -> bool:
    """Constant-time check of a presented secret against a stored hash."""
    if not presented or not stored_hash:
        # Still spend a comparison so a missing key costs what a wrong one does.
        hmac.compare_digest(hash_secret(presented or ""), "0" * 64)
        return False
    return hmac.compare_digest(hash_secret(presented), stored_hash)
