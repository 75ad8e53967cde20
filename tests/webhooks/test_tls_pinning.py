"""HTTPS to a pinned address: the connection goes to the checked IP, while SNI, Host and the certificate
check use the name (so DNS rebinding cannot move it, and TLS still verifies the receiver)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import ssl
import subprocess
from pathlib import Path

import httpx2 as httpx
import pytest
from tests.webhooks.conftest import SERVER_KEY, T0, Receiver, record_events, webhook_plugin

from opencentra import webhooks
from opencentra.db.engine import Database


def _certificate(folder: Path, name: str) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}",
         "-addext", f"subjectAltName=DNS:{name}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


async def _to_localhost(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


async def test_https_goes_to_the_checked_address_and_verifies_the_name(db: Database, tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path, "hooks.test")
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert, key)
    receiver = Receiver()
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0, ssl=served)
    receiver.port = server.sockets[0].getsockname()[1]
    trusted = ssl.create_default_context(cafile=str(cert))
    try:
        store, _, secret = await webhook_plugin(db, f"https://hooks.test:{receiver.port}/in")
        await record_events(db, store, 1)
        async with httpx.AsyncClient(verify=trusted, trust_env=False) as client:
            result = await webhooks.deliver_due(
                db, server_key=SERVER_KEY, allow_private=True, now=T0, client=client, resolver=_to_localhost
            )
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 1)
    assert result.delivered == 1, await webhooks.deliveries(db)
    [call] = receiver.requests
    assert call.headers["host"] == f"hooks.test:{receiver.port}"
    assert webhooks.verify(secret, call.headers["x-centra-signature"], call.body, now=int(T0.timestamp()))
