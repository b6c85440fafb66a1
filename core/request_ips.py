"""The client's address of a request, shared by everything that limits or allows by address (the
portal's sign-in limit, API keys' IP allow-lists, the admin's login throttling).

Without trusted proxies (TRUSTED_PROXY_COUNT 0, the default) it is the connection's address
(REMOTE_ADDR): X-Forwarded-For is then the client's own word and is ignored.

Behind reverse proxies, each appending the address it saw to X-Forwarded-For, the address is found
by walking back from the connection: while the current hop is a trusted proxy (its address in
TRUSTED_PROXIES, CIDR networks; default loopback and private networks) and fewer than
TRUSTED_PROXY_COUNT hops were taken, the next hop is the right-most entry not yet read. The walk
stops at the first hop that is not a trusted proxy: a client connecting directly (or through an
untrusted host) is its own address whatever it writes, and entries left of a hop that is not a
proxy are never read. An entry's port and brackets are stripped (`203.0.113.9:4711`,
`[2001:db8::7]:443`); an entry that is not an address ends the walk at the last hop known."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def normalized_ip(value: str) -> str | None:
    """`value` as an address in its canonical form (`2001:DB8::0:1` -> `2001:db8::1`), or None."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def host_of(entry: str) -> str | None:
    """The address of an X-Forwarded-For entry, canonical, without its port or brackets
    (`203.0.113.9:80`, `[::1]:80`, `"[::1]"`), or None when it is not one."""
    text = entry.strip().strip('"').strip()
    if text.startswith("["):
        inside, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not (rest.startswith(":") and rest[1:].isdigit())):
            return None
        return normalized_ip(inside)
    if text.count(":") == 1:  # IPv4 with a port (an IPv6 address has at least two colons)
        host, _, port = text.partition(":")
        if not port.isdigit():
            return None
        text = host
    return normalized_ip(text)


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    found: list[Network] = []
    for entry in entries:
        try:
            found.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR network."
            ) from None
    return tuple(found)


def trusted_proxy_networks() -> tuple[Network, ...]:
    """TRUSTED_PROXIES as networks (ImproperlyConfigured naming an entry that is not one)."""
    configured: Sequence[str] = settings.TRUSTED_PROXIES
    return _networks(tuple(configured))


def _is_trusted_proxy(ip: str) -> bool:
    address: Address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(
        address.version == network.version and address in network
        for network in trusted_proxy_networks()
    )


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (see the module's docstring), or None when not even the
    connection's is an address."""
    current = normalized_ip(request.META.get("REMOTE_ADDR") or "")
    hops: int = settings.TRUSTED_PROXY_COUNT
    if current is None or hops <= 0:
        return current
    forwarded = [
        part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    for _ in range(hops):
        if not forwarded or not _is_trusted_proxy(current):
            break
        previous = host_of(forwarded.pop())
        if previous is None:
            break  # a trusted proxy passed on something that is not an address
        current = previous
    return current
