"""The client's address of a request, shared by everything that limits or allows by address (the
portal's sign-in limit, API keys' IP allow-lists, the admin's login throttling).

Behind TRUSTED_PROXY_COUNT reverse proxies, each appending the address it saw to X-Forwarded-For,
the client is the entry that many from the right (entries left of it are the client's own word);
with fewer entries, the left-most (all were written by trusted proxies). Without trusted proxies
(the default: X-Forwarded-For is then the client's own word and is ignored), or when that entry
is not an address, the connection's (REMOTE_ADDR)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def normalized_ip(value: str) -> str | None:
    """`value` as an address in its canonical form (`2001:DB8::0:1` -> `2001:db8::1`), or None."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (see the module's docstring), or None when not even the
    connection's is an address."""
    remote = normalized_ip(request.META.get("REMOTE_ADDR") or "")
    trusted: int = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if trusted <= 0 or not forwarded:
        return remote
    return normalized_ip(forwarded[-min(trusted, len(forwarded))]) or remote
