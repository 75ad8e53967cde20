"""SSRF guard: a webhook URL may only reach public addresses.

The host is resolved and every address it resolves to is checked (one private
address among public ones is enough to refuse: the connection could pick it).
The request then goes to the checked address itself, with the name in the
Host header and TLS SNI, so a DNS answer that changes between the check and
the connection (DNS rebinding) cannot send it elsewhere. Centra allows only
ports 80 and 443; both rules are lifted by ``OPENCENTRA_WEBHOOKS_ALLOW_PRIVATE``
for local development.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

Resolver = Callable[[str, int], Awaitable[list[str]]]
ALLOWED_PORTS = frozenset({80, 443})


class UnsafeUrl(Exception):
    """The URL may not be called; the message says why (it never contains the URL's query or credentials)."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where to connect: the URL with the host replaced by a checked address, and the original host name."""

    url: str
    host: str
    host_header: str
    address: str


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global is False for loopback, link-local, private (RFC 1918, ULA), shared (100.64/10),
    # reserved, documentation and unspecified ranges; multicast is refused too.
    return ip.is_global and not ip.is_multicast


def redacted(url: str) -> str:
    """The URL without credentials, query or fragment: what logs and the delivery log show."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


async def check_url(url: str, *, allow_private: bool, resolver: Resolver = system_resolver) -> Target:
    """Resolve and check ``url``; raise ``UnsafeUrl`` when it may not be called."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeUrl("the URL is not valid") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UnsafeUrl("only http and https URLs with a host are allowed")
    if not allow_private and port not in ALLOWED_PORTS:
        raise UnsafeUrl(f"port {port} is not allowed (only 80 and 443)")
    host = parts.hostname
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = await resolver(host, port)
        except OSError as exc:
            raise UnsafeUrl(f"cannot resolve {host}: {exc.strerror or exc}") from None
    if not addresses:
        raise UnsafeUrl(f"{host} has no address")
    if not allow_private:
        refused = [address for address in addresses if not _public(address)]
        if refused:
            raise UnsafeUrl(f"{host} resolves to a non-public address ({refused[0]})")
    address = addresses[0]
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    host_header = f"{host}:{parts.port}" if parts.port else host
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    return Target(url=pinned, host=host, host_header=host_header, address=address)
