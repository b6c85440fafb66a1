"""The HTTP transport of webhook deliveries: where a request may go, and for how long.

- Addresses are checked when a connection is made, not before: the host is resolved here, every
  address must be public (`is_global`) unless WEBHOOK_ALLOW_PRIVATE_URLS, and the connection goes
  to an address that was checked (the name is not resolved a second time by someone else, so a
  DNS answer that changes between the check and the connection, "DNS rebinding", reaches
  nothing). TLS still verifies the certificate against, and sends SNI for, the URL's host name:
  httpcore takes both from the request, not from the address connected to.
- Each request has a total deadline (`deadline(...)`, per thread), not only per-operation
  timeouts: a receiver answering a byte at a time, or a slow name server, cannot hold a send
  past it. The name lookup runs in a helper thread so that it is bounded too.
- Refusals and errors never name the address a host resolved to (the attempts are readable over
  the API: they must not make the sender a scanner of the internal network).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import typing
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager

import httpcore
import httpx
from django.conf import settings

_state = threading.local()  # .deadline: time.monotonic() value of the running request's end
_dns = ThreadPoolExecutor(4, thread_name_prefix="webhooks-dns")


@contextmanager
def deadline(at: float) -> Iterator[None]:
    """Every network operation of this thread ends by `at` (time.monotonic())."""
    _state.deadline = at
    try:
        yield
    finally:
        _state.deadline = None


def _bounded(timeout: float | None, timeout_error: type[Exception]) -> float | None:
    at: float | None = getattr(_state, "deadline", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise timeout_error("the request's total time is up")
    return left if timeout is None else min(timeout, left)


def is_public(address: str) -> bool:
    return ipaddress.ip_address(address.split("%", 1)[0]).is_global


def resolve(host: str, port: int, timeout: float | None) -> list[str]:
    """The addresses of `host` (bounded by `timeout`). httpcore.ConnectError when it does not
    resolve, httpcore.ConnectTimeout when the lookup takes too long."""
    future = _dns.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=timeout)
    except FutureTimeout:
        raise httpcore.ConnectTimeout(f"looking up {host} took too long") from None
    except (OSError, UnicodeError, ValueError):
        raise httpcore.ConnectError(f"{host} does not resolve") from None
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise httpcore.ConnectError(f"{host} does not resolve")
    return addresses


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads and writes end by the running request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: typing.Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.start_tls(
            ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(stream)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, connecting only to checked addresses (see the module)."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port, _bounded(timeout, httpcore.ConnectTimeout))
        if not self.allow_private and not all(is_public(a) for a in addresses):
            raise httpcore.ConnectError(f"refused: {host} resolves to a non-public address")
        error: Exception | None = None
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    timeout=_bounded(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                error = exc
                continue
            return _DeadlineStream(stream)
        # the OS's reason ("[Errno 111] Connection refused"), which names no address
        raise httpcore.ConnectError(f"could not connect to {host}:{port}: {error}")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not webhook endpoints")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def client(*, size: int, timeout: float, user_agent: str) -> httpx.Client:
    """A keep-alive client whose connections go through GuardedBackend; no redirects followed,
    no proxies or .netrc from the environment."""
    transport = httpx.HTTPTransport(
        limits=httpx.Limits(max_connections=size * 2, max_keepalive_connections=size * 2),
        trust_env=False,
    )
    # httpx makes its httpcore pool without a way to pass a network backend: set it on the pool
    # before any connection exists (httpcore.ConnectionPool(network_backend=...) is public API).
    pool = transport._pool
    assert isinstance(pool, httpcore.ConnectionPool)
    pool._network_backend = GuardedBackend(allow_private=settings.WEBHOOK_ALLOW_PRIVATE_URLS)
    return httpx.Client(
        transport=transport,
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": user_agent, "Content-Type": "application/json"},
    )
