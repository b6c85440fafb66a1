"""API rate limits: per caller and per route class, counted in Redis.

The caller is the API key (counted by its prefix, which is unique and never reused, rather than by
its database id) or the staff user of an admin session. Every request of a caller falls into one
class, each with its own limit and counter:

- `ingestion`: the usage-event routes (views that declare `rate_class = "ingestion"`);
- `reads`: safe methods (GET, HEAD, OPTIONS) of every other route;
- `writes`: the other methods (POST, PUT, PATCH, DELETE).

The limits are settings (RATE_LIMITS, from RATE_LIMIT_READS / _WRITES / _INGESTION, e.g. "1000/s",
"6000/m", "50/10s"; "off" for none). Counting is django-ratelimit's (`get_usage`, the maintained
library for it) in the Redis cache alias RATELIMIT_USE_CACHE ("ratelimit": Django's RedisCache on
RATE_LIMIT_REDIS_URL, with short socket timeouts): a fixed window per caller and class, in windows
that follow `time.time()`, each caller's shifted by the library's stable offset (crc32 of the
caller, so that not every key's window ends in the same second). Its counter is a `SET NX` of the
window's key, then (from the second request on) Django's `incr` (EXISTS, INCRBY): atomic however
many web processes count at once, three Redis round trips per request.

A request over the limit is refused with 429 `rate_limited`, naming the limit and the class, with
`Retry-After` (whole seconds until the window ends, at least 1). Every counted response carries
X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset (seconds until the window ends) and
X-RateLimit-Class (RateLimitHeadersMiddleware).

Redis unreachable: the request is let through (fail open) without the headers, a warning is
logged at most once a minute per process, and Redis is not asked again for
RATE_LIMIT_REDIS_RETRY_SECONDS (an outage costs one connection timeout per process per interval,
not one per request). Never a 500. (django-ratelimit's own RATELIMIT_FAIL_OPEN covers only a
counter it could not read back; Django's RedisCache raises on a connection error, caught here.)

Not counted: requests refused before the throttle (401 without valid credentials, 403 for
permissions or scopes), and replays of an Idempotency-Key (answered by the middleware without
running the view).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from core.api.permissions import is_api_key

logger = logging.getLogger(__name__)

READS, WRITES, INGESTION = "reads", "writes", "ingestion"
RATE_CLASSES = (READS, WRITES, INGESTION)
RATE_PATTERN = re.compile(r"^([1-9][0-9]*)/([1-9][0-9]*)?([smhd])$")
_UNITS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}
_REQUEST_ATTR = "rate_limit_usage"


def describe_rate(rate: str) -> str:
    """ "1000/s" -> "1000 requests per second", "50/10s" -> "50 requests per 10 seconds"."""
    match = RATE_PATTERN.match(rate)
    if match is None:  # pragma: no cover - settings validate rates
        return rate
    count, multiple, unit = match.groups()
    word = _UNITS[unit]
    per = f"{multiple} {word}s" if multiple and multiple != "1" else word
    return f"{count} request{'s' if count != '1' else ''} per {per}"


def route_class(view: Any, method: str) -> str:
    declared: str | None = getattr(view, "rate_class", None)
    if declared is not None:
        if declared not in RATE_CLASSES:  # a typo would silently escape every limit
            raise ImproperlyConfigured(f"{type(view).__name__}.rate_class: {declared!r}")
        return declared
    return READS if method in SAFE_METHODS else WRITES


def caller(request: Request) -> str | None:
    """Whom the request is counted for: `key:<prefix>` or `user:<database>:<id>` (a user id
    repeats across databases sharing one Redis: parallel test databases, two installations), or
    None (not authenticated: not counted)."""
    if is_api_key(request):
        return f"key:{request.auth.prefix}"  # type: ignore[union-attr]
    user = request.user
    if user is not None and getattr(user, "is_authenticated", False) and user.pk is not None:
        return f"user:{connection.settings_dict['NAME']}:{user.pk}"
    return None


@dataclass(frozen=True)
class Usage:
    rate_class: str
    rate: str
    limit: int
    count: int
    reset: int  # whole seconds until the window ends, at least 1

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
            "X-RateLimit-Class": self.rate_class,
        }


class _Breaker:
    """After Redis failed, it is not asked again for RATE_LIMIT_REDIS_RETRY_SECONDS; a warning at
    most once a minute. Process-local (each worker finds out for itself)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._warned_at = -1e9

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self._open_until = now + settings.RATE_LIMIT_REDIS_RETRY_SECONDS
            warn = now - self._warned_at >= 60
            if warn:
                self._warned_at = now
        if warn:
            logger.warning(
                "Rate limits are not enforced: Redis (RATE_LIMIT_REDIS_URL) is unreachable "
                "(%s); requests are let through, retrying in %s s",
                error,
                settings.RATE_LIMIT_REDIS_RETRY_SECONDS,
            )

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0
            self._warned_at = -1e9


breaker = _Breaker()


def count_request(*, who: str, rate_class: str, rate: str) -> Usage | None:
    """Counts one request of `who` in its class's current window (django-ratelimit); None when
    Redis failed or the count could not be read back (fail open)."""
    if breaker.is_open():
        return None
    try:
        counted = get_usage(
            None,  # the key is a callable returning `who`: the library reads nothing of a request
            group=f"api:{rate_class}",
            key=lambda _group, _request: who,
            rate=rate,
            method=ALL,
            increment=True,
        )
    except (RedisError, OSError) as error:
        breaker.trip(error)
        return None
    if counted is None:  # RATELIMIT_FAIL_OPEN: the counter vanished between SET NX and INCR
        return None
    return Usage(
        rate_class=rate_class,
        rate=rate,
        limit=int(counted["limit"]),
        count=int(counted["count"]),
        # the library's `time_left` is 0 in the window's last second: its count restarts when
        # the clock reaches the next whole second
        reset=int(counted["time_left"]) + 1,
    )


class RateLimited(exceptions.Throttled):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "rate_limited"
    extra_detail_singular = "Retry after {wait} second."
    extra_detail_plural = "Retry after {wait} seconds."

    def __init__(self, usage: Usage, who: str) -> None:
        whose = "this API key" if who.startswith("key:") else "your staff account"
        self.usage = usage
        super().__init__(
            wait=usage.reset,
            detail=(
                f"Rate limit exceeded: {describe_rate(usage.rate)} for {usage.rate_class} "
                f"({_CLASS_HELP[usage.rate_class]}) with {whose}."
            ),
            code=self.default_code,
        )


_CLASS_HELP = {
    READS: "GET requests",
    WRITES: "POST, PUT, PATCH and DELETE requests",
    INGESTION: "usage events",
}


class RouteClassThrottle(BaseThrottle):
    """REST_FRAMEWORK's throttle: counts the request, refuses it with 429 over the limit."""

    def allow_request(self, request: Request, view: Any) -> bool:
        who = caller(request)
        if who is None:
            return True
        rate_class = route_class(view, request.method or "GET")
        rate = settings.RATE_LIMITS.get(rate_class)
        if rate is None:
            return True
        usage = count_request(who=who, rate_class=rate_class, rate=rate)
        if usage is None:
            return True
        setattr(request._request, _REQUEST_ATTR, usage)
        if usage.exceeded:
            raise RateLimited(usage, who)
        return True


class RateLimitHeadersMiddleware:
    """Adds the X-RateLimit-* headers of the request's counted usage to its response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        usage: Usage | None = getattr(request, _REQUEST_ATTR, None)
        if usage is not None:
            for name, value in usage.headers().items():
                response[name] = value
        return response
