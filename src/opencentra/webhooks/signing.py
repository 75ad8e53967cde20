"""Centra's ``X-Centra-Signature`` and the webhook plugins' signing secrets.

The signature is ``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``
keyed with the plugin's signing secret; the body is ``payload=<urlencoded
JSON>``, so what is signed is ``"<t>.payload=<urlencoded JSON>"``.

A signing secret must be usable, so it cannot be kept as a hash like the
other secrets. It is not stored at all: it is derived, as
HMAC-SHA256(server key, "opencentra-webhook-signing/v1:" + nonce), from the
server key (``OPENCENTRA_WEBHOOKS_KEY``, never in the database) and a random
nonce per plugin (in the database, useless without the key). Issuing a new
nonce rotates the secret; a database dump alone reveals none.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as _random
from urllib.parse import quote

SIGNATURE_HEADER = "X-Centra-Signature"
_LABEL = b"opencentra-webhook-signing/v1:"


def new_nonce() -> str:
    return _random.token_hex(32)


def derive_secret(server_key: str, nonce: str) -> str:
    """The signing secret for ``nonce``: 43 URL-safe characters (256 bits)."""
    digest = hmac.new(server_key.encode("utf-8"), _LABEL + nonce.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def form_body(payload_json: str) -> bytes:
    """The request body Centra sends: one form field ``payload`` holding the JSON."""
    return b"payload=" + quote(payload_json, safe="").encode("ascii")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Centra-Signature`` value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """What a receiver does: parse ``t`` and ``v1``, recompute, compare in constant time, refuse stale ``t``."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
