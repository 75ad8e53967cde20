"""SSRF guard: no delivery to loopback, link-local or private addresses (every resolved address is checked)."""

from __future__ import annotations

import pytest
from tests.webhooks.conftest import SERVER_KEY, T0, Receiver, record_events, webhook_plugin

from opencentra import webhooks
from opencentra.db.engine import Database
from opencentra.webhooks import UnsafeUrl, check_url


def _resolving_to(*addresses: str) -> webhooks.guard.Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


@pytest.mark.parametrize(
    "addresses",
    [
        ("127.0.0.1",),
        ("::1",),
        ("169.254.169.254",),  # cloud metadata
        ("10.1.2.3",),
        ("172.16.0.1",),
        ("192.168.1.1",),
        ("100.64.0.1",),  # carrier-grade NAT
        ("0.0.0.0",),
        ("fc00::1",),
        ("fe80::1",),
        ("::ffff:127.0.0.1",),  # IPv4-mapped loopback
        ("224.0.0.1",),
        ("93.184.215.14", "10.0.0.1"),  # one private address among public ones is enough
    ],
)
async def test_non_public_addresses_are_refused(addresses: tuple[str, ...]) -> None:
    with pytest.raises(UnsafeUrl, match="non-public"):
        await check_url("https://hooks.example.com/in", allow_private=False, resolver=_resolving_to(*addresses))


async def test_literal_addresses_schemes_and_ports() -> None:
    public = _resolving_to("93.184.215.14")
    for url in ("http://127.0.0.1/x", "http://[::1]/x", "http://169.254.169.254/latest/meta-data"):
        with pytest.raises(UnsafeUrl):
            await check_url(url, allow_private=False, resolver=public)
    with pytest.raises(UnsafeUrl, match="port 8080"):
        await check_url("https://hooks.example.com:8080/in", allow_private=False, resolver=public)
    with pytest.raises(UnsafeUrl, match="http and https"):
        await check_url("ftp://hooks.example.com/in", allow_private=False, resolver=public)

    # Allowed: the request goes to the checked address, the name travels in Host (and SNI).
    target = await check_url("https://hooks.example.com/in?k=v", allow_private=False, resolver=public)
    assert (target.url, target.host, target.host_header) == (
        "https://93.184.215.14/in?k=v",
        "hooks.example.com",
        "hooks.example.com",
    )
    # The local-development setting lifts both rules.
    local = await check_url("http://localhost:8080/in", allow_private=True, resolver=_resolving_to("127.0.0.1"))
    assert (local.url, local.host_header) == ("http://127.0.0.1:8080/in", "localhost:8080")


async def test_a_private_receiver_gets_nothing_without_the_setting(db: Database, receiver: Receiver) -> None:
    store, _, _ = await webhook_plugin(db, receiver.url("/ok"), retries=0)
    await record_events(db, store, 1)

    result = await webhooks.deliver_due(db, server_key=SERVER_KEY, allow_private=False, now=T0)

    assert result.failed == 1 and receiver.requests == []
    [refused] = await webhooks.deliveries(db)
    assert refused.last_error is not None and refused.last_error.startswith("refused:")
