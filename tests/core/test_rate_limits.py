"""API rate limits per key (or staff user) and route class, counted by django-ratelimit in Redis
(core/api/throttling.py; the cache alias "ratelimit").

The suite runs with limits out of its way (pyproject's RATE_LIMIT_* env); these tests set their own
with override_settings. Time is moved with time-machine (the windows follow time.time()), never
slept; every test uses a new key, whose prefix names its counters in Redis.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from billing.services import api_key_create
from core.api import throttling
from tests.conftest import TEST_ACTOR

CUSTOMERS = "/api/v1/customers/"
EVENTS = "/api/v1/events"
START = datetime(2031, 3, 4, 5, 6, 7, 250_000, tzinfo=UTC)


def limits(
    reads: str | None = "1000/m", writes: str | None = "1000/m", ingestion: str | None = "1000/m"
) -> Any:
    return override_settings(RATE_LIMITS={"reads": reads, "writes": writes, "ingestion": ingestion})


def new_key_client() -> APIClient:
    _, raw = api_key_create(
        name=f"limits-{uuid.uuid4().hex[:8]}", actor=TEST_ACTOR, as_of=timezone.now()
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def customer_body() -> dict[str, str]:
    return {"external_id": f"rl-{uuid.uuid4().hex[:10]}", "name": "Limited", "currency": "USD"}


@pytest.fixture(autouse=True)
def _breaker_closed() -> Iterator[None]:
    throttling.breaker.reset()
    yield
    throttling.breaker.reset()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.mark.django_db
def test_a_limited_key_gets_429_then_succeeds_after_retry_after(
    clock: time_machine.Traveller,
) -> None:
    api = new_key_client()
    with limits(reads="3/m"):
        answers = [api.get(CUSTOMERS) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert [a["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
        assert {a["X-RateLimit-Limit"] for a in answers} == {"3"}
        assert {a["X-RateLimit-Class"] for a in answers} == {"reads"}

        refused = api.get(CUSTOMERS)
        assert refused.status_code == 429
        retry_after = int(refused["Retry-After"])
        assert 1 <= retry_after <= 60
        assert refused["X-RateLimit-Reset"] == str(retry_after)
        assert refused["X-RateLimit-Remaining"] == "0"
        body = refused.json()
        assert body["errors"] == [
            {
                "field": None,
                "code": "rate_limited",
                "message": "Rate limit exceeded: 3 requests per minute for reads (GET requests) "
                f"with this API key. Retry after {retry_after} "
                f"second{'s' if retry_after != 1 else ''}.",
            }
        ]
        assert body["request_id"] == refused["Request-Id"]

        clock.shift(retry_after - 1)  # one second short: the same window
        assert api.get(CUSTOMERS).status_code == 429
        clock.shift(1)
        again = api.get(CUSTOMERS)
        assert again.status_code == 200
        assert again["X-RateLimit-Remaining"] == "2"


@pytest.mark.django_db
def test_route_classes_are_counted_apart(clock: time_machine.Traveller) -> None:
    """Reads exhausted: writes and ingestion still work, each with its own count."""
    api = new_key_client()
    with limits(reads="2/m", writes="2/m", ingestion="2/m"):
        assert [api.get(CUSTOMERS).status_code for _ in range(3)] == [200, 200, 429]

        created = api.post(CUSTOMERS, customer_body(), format="json")
        assert created.status_code == 201
        assert created["X-RateLimit-Class"] == "writes"
        assert created["X-RateLimit-Remaining"] == "1"

        # a usage event (its customer unknown: rejected with 400, but counted as ingestion)
        event = {"event_id": "e1", "customer": "nobody", "metric": "calls",
                 "event_time": START.isoformat(), "properties": {}}  # fmt: skip
        ingested = api.post(EVENTS, event, format="json")
        assert ingested.status_code == 400
        assert ingested["X-RateLimit-Class"] == "ingestion"
        assert ingested["X-RateLimit-Remaining"] == "1"
        batch = api.post(f"{EVENTS}/batch", {"events": [event, event]}, format="json")
        assert batch.status_code == 200  # a batch is one request, whatever it holds
        assert batch["X-RateLimit-Remaining"] == "0"
        refused = api.post(EVENTS, event, format="json")
        assert refused.status_code == 429
        assert "for ingestion (usage events)" in refused.json()["errors"][0]["message"]

        assert api.post(CUSTOMERS, customer_body(), format="json").status_code == 201
        refused = api.post(CUSTOMERS, customer_body(), format="json")
        assert refused.status_code == 429
        assert "2 requests per minute for writes" in refused.json()["errors"][0]["message"]


@pytest.mark.django_db
def test_keys_are_counted_apart(clock: time_machine.Traveller) -> None:
    first, second = new_key_client(), new_key_client()
    with limits(reads="1/m"):
        assert first.get(CUSTOMERS).status_code == 200
        assert first.get(CUSTOMERS).status_code == 429
        assert second.get(CUSTOMERS).status_code == 200
        assert second.get(CUSTOMERS).status_code == 429


@pytest.mark.django_db
def test_limits_come_from_settings(clock: time_machine.Traveller) -> None:
    api = new_key_client()
    with limits(reads="5/h"):
        response = api.get(CUSTOMERS)
        assert response["X-RateLimit-Limit"] == "5"
        assert 1 <= int(response["X-RateLimit-Reset"]) <= 3600
    with limits(reads=None):  # off: not counted, no headers
        response = api.get(CUSTOMERS)
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response
    with limits(reads="7/10s"):
        response = api.get(CUSTOMERS)
        assert response["X-RateLimit-Limit"] == "7"
        assert 1 <= int(response["X-RateLimit-Reset"]) <= 10


def test_the_usage_event_routes_are_ingestion_and_no_view_names_an_unknown_class() -> None:
    from django.urls import URLPattern, URLResolver, get_resolver

    def views(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from views(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and hasattr(entry.callback, "cls"):
                yield prefix + str(entry.pattern), entry.callback.cls

    declared = {
        route: view.rate_class
        for route, view in views(get_resolver().url_patterns)
        if getattr(view, "rate_class", None) is not None
    }
    assert set(declared.values()) <= set(throttling.RATE_CLASSES)
    assert declared == {"api/v1/events": "ingestion", "api/v1/events/batch": "ingestion"}
    with pytest.raises(ImproperlyConfigured, match="rate_class: 'ingest'"):
        throttling.route_class(type("Typo", (), {"rate_class": "ingest"})(), "POST")


def test_limits_are_read_from_the_environment() -> None:
    """RATE_LIMIT_* in the environment; a value that is not a rate stops the start."""
    code = "from django.conf import settings; print(settings.RATE_LIMITS)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.update(RATE_LIMIT_READS="20/m", RATE_LIMIT_WRITES="off", RATE_LIMIT_INGESTION="5/10s")
    ok = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "{'reads': '20/m', 'writes': None, 'ingestion': '5/10s'}"
    env["RATE_LIMIT_WRITES"] = "100 per second"
    bad = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert bad.returncode != 0
    assert "RATE_LIMIT_WRITES='100 per second' is not a rate" in bad.stderr


@pytest.mark.django_db
def test_staff_sessions_are_limited_per_user(
    clock: time_machine.Traveller, staff_client: Any, django_user_model: Any
) -> None:
    with limits(reads="2/m"):
        assert [staff_client.get(CUSTOMERS).status_code for _ in range(2)] == [200, 200]
        refused = staff_client.get(CUSTOMERS)
        assert refused.status_code == 429
        assert "with your staff account" in refused.json()["errors"][0]["message"]
        other = APIClient()
        other.force_login(django_user_model.objects.create_superuser("other", "o@example.com", "x"))
        assert other.get(CUSTOMERS).status_code == 200


@pytest.mark.django_db
def test_unauthenticated_requests_are_not_counted(anon_api: APIClient) -> None:
    with limits(reads="1/m"):
        for _ in range(3):
            response = anon_api.get(CUSTOMERS)
            assert response.status_code == 401
            assert "X-RateLimit-Limit" not in response


def counters_at(location: str) -> Any:
    """The "ratelimit" cache alias (django-ratelimit's counters) pointed at `location`."""
    caches = {
        **settings.CACHES,
        "ratelimit": {**settings.CACHES["ratelimit"], "LOCATION": location},
    }
    return override_settings(CACHES=caches)


@pytest.mark.django_db
def test_redis_unreachable_lets_requests_through_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = new_key_client()
    nowhere = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with limits(reads="1/m"), counters_at(nowhere), caplog.at_level(logging.WARNING):
        answers = [api.get(CUSTOMERS) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all("X-RateLimit-Limit" not in a for a in answers)
    warnings = [r for r in caplog.records if r.name == "core.api.throttling"]
    assert len(warnings) == 1  # and Redis was asked once: the breaker is open
    assert "Rate limits are not enforced: Redis" in warnings[0].getMessage()
    assert throttling.breaker.is_open()
    throttling.breaker.reset()  # Redis back (or RATE_LIMIT_REDIS_RETRY_SECONDS later): counted
    with limits(reads="1/m"):
        assert api.get(CUSTOMERS)["X-RateLimit-Limit"] == "1"


@pytest.mark.django_db
def test_a_redis_that_never_answers_costs_one_socket_timeout() -> None:
    """A server on loopback that accepts and never replies (a hung Redis): the first request
    waits the cache's socket timeout (RATE_LIMIT_REDIS_TIMEOUT) and passes, the next ones do not
    ask Redis (the breaker), none is a 500."""
    api = new_key_client()
    hung = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        hung.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(hung.accept()[0])
            except TimeoutError:
                continue

    acceptor = threading.Thread(target=accept)
    acceptor.start()
    try:
        with limits(reads="1/m"), counters_at(f"redis://127.0.0.1:{hung.getsockname()[1]}/0"):
            started = time.monotonic()
            first = api.get(CUSTOMERS)
            first_took = time.monotonic() - started
            started = time.monotonic()
            rest = [api.get(CUSTOMERS) for _ in range(3)]
            rest_took = time.monotonic() - started
    finally:
        stop.set()
        acceptor.join()
        for conn in accepted:
            conn.close()
        hung.close()
    assert [a.status_code for a in [first, *rest]] == [200, 200, 200, 200]
    assert "X-RateLimit-Limit" not in first
    timeout = settings.RATE_LIMIT_REDIS_TIMEOUT
    assert timeout <= first_took < timeout + 2  # one socket timeout (plus a loaded machine's)
    assert rest_took < timeout  # not asked again while the breaker is open
    assert throttling.breaker.is_open()


def test_counting_is_atomic_across_threads() -> None:
    """Eight threads count one caller at once: every count from 1 to 400 given exactly once."""
    who = f"key:atomic-{uuid.uuid4().hex}"
    counts: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            usage = throttling.count_request(who=who, rate_class="writes", rate="1000/h")
            assert usage is not None
            with lock:
                counts.append(usage.count)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    with time_machine.travel(START, tick=False):  # one window for all
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(counts) == list(range(1, 401))


@pytest.mark.django_db
def test_counting_adds_no_sql(api: APIClient) -> None:
    api.get(CUSTOMERS)  # warm: the key's last use is recorded once
    with limits(reads=None), CaptureQueriesContext(connection) as off:
        api.get(CUSTOMERS)
    with limits(reads="1000/m"), CaptureQueriesContext(connection) as on:
        response = api.get(CUSTOMERS)
    assert response["X-RateLimit-Limit"] == "1000"
    assert len(on) == len(off)


@pytest.mark.django_db
def test_the_schema_declares_429_with_retry_after_on_every_operation() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert set(schema["components"]["headers"]) >= {"Retry-After", "X-RateLimit-Limit"}
    operations = [
        (path, method, op)
        for path, methods in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, op in methods.items()
    ]
    assert len(operations) > 100
    for path, method, op in operations:
        refused = op["responses"]["429"]
        assert refused["headers"]["Retry-After"] == {"$ref": "#/components/headers/Retry-After"}
        assert refused["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }, (path, method)
        for code, response in op["responses"].items():
            assert "X-RateLimit-Remaining" in response.get("headers", {}), (path, method, code)


# A property of the windows: for any period and any instant, after the limit is used up, the
# Retry-After given is exactly when the count starts again (one second earlier: still refused).
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    period=st.sampled_from(["s", "m", "h", "7s", "90s", "5m"]),
    offset=st.floats(min_value=0, max_value=86_400, allow_nan=False),
)
def test_retry_after_is_when_the_window_ends(period: str, offset: float) -> None:
    rate = f"2/{period}"
    who = f"key:prop-{uuid.uuid4().hex}"
    with time_machine.travel(START.timestamp() + offset, tick=False) as traveller:

        def count() -> throttling.Usage:
            usage = throttling.count_request(who=who, rate_class="reads", rate=rate)
            assert usage is not None
            return usage

        first = count()
        count()
        third = count()
        assert third.exceeded
        assert third.reset == first.reset  # time stands still: the same window
        if third.reset > 1:
            traveller.shift(third.reset - 1)
            assert count().exceeded
            traveller.shift(1)
        else:
            traveller.shift(third.reset)
        fresh = count()
        assert not fresh.exceeded
        assert fresh.count == 1
