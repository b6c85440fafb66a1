"""Issue 11, item 9: every response under /api/ is JSON in the one error shape, with a request id
(header `Request-Id`, in the error body and in the log records)."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from core.request_ids import RequestIdFilter

BOOM = "tests.security.boom_urls"


@pytest.fixture
def raw_client() -> Client:
    """A client that returns the 500 response instead of raising the view's exception."""
    return Client(raise_request_exception=False)


def assert_error_shape(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"errors", "request_id"}, body
    assert body["request_id"] == response["Request-Id"]
    assert body["errors"], body
    for item in body["errors"]:
        assert set(item) == {"field", "code", "message"}
    if code is not None:
        assert body["errors"][0]["code"] == code, body
    return body


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def log_records() -> Iterator[_Records]:
    handler = _Records()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


# ------------------------------------------------------------------------------ request ids


@pytest.mark.django_db
def test_every_response_has_a_request_id(raw_client: Client) -> None:
    ids = set()
    for path in ("/api/v1/customers/", "/healthz", "/admin/login/", "/api/v1/nowhere/"):
        response = raw_client.get(path)
        value = response["Request-Id"]
        uuid.UUID(value)  # generated: a UUID
        ids.add(value)
    assert len(ids) == 4


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept_and_a_hostile_one_replaced(raw_client: Client) -> None:
    kept = raw_client.get("/api/v1/customers/", HTTP_REQUEST_ID="req-2026.11:abc_1")
    assert kept["Request-Id"] == "req-2026.11:abc_1"
    assert kept.json()["request_id"] == "req-2026.11:abc_1"
    legacy = raw_client.get("/healthz", HTTP_X_REQUEST_ID="edge-1234")
    assert legacy["Request-Id"] == "edge-1234"
    for hostile in ("a" * 129, "x\r\nSet-Cookie: a=b", "<script>", "id with spaces", ""):
        response = raw_client.get("/healthz", HTTP_REQUEST_ID=hostile)
        uuid.UUID(response["Request-Id"])


@pytest.mark.django_db
def test_drf_errors_carry_the_request_id(api: APIClient, anon_api: APIClient) -> None:
    assert_error_shape(anon_api.get("/api/v1/customers/"), 401)
    body = assert_error_shape(api.post("/api/v1/customers/", {}, format="json"), 400)
    assert {e["field"] for e in body["errors"]} >= {"external_id", "name", "currency"}
    assert_error_shape(api.get("/api/v1/customers/999999/"), 404, "not_found")


# ---------------------------------------------------------------------------- unknown routes


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_unknown_api_route_is_a_json_404(raw_client: Client, settings: Any, debug: bool) -> None:
    settings.DEBUG = debug
    response = raw_client.get("/api/v1/no-such-thing/")
    body = assert_error_shape(response, 404, "not_found")
    assert "/api/v1/no-such-thing/" in body["errors"][0]["message"]
    assert_error_shape(raw_client.post("/api/nothing", data="x", content_type="text/plain"), 404)


@pytest.mark.django_db
def test_outside_the_api_django_pages_are_kept(raw_client: Client, settings: Any) -> None:
    settings.DEBUG = False
    response = raw_client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# ---------------------------------------------------------------------- unhandled exceptions


@pytest.mark.django_db
@pytest.mark.urls(BOOM)
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/v1/boom/", "/api/v1/drf-boom/"])
def test_an_unhandled_exception_is_a_json_500_with_the_request_id_in_the_logs(
    raw_client: Client, settings: Any, log_records: _Records, debug: bool, path: str
) -> None:
    settings.DEBUG = debug
    response = raw_client.get(path, HTTP_REQUEST_ID="trace-500")
    body = assert_error_shape(response, 500, "server_error")
    assert "boom" not in response.content.decode()  # no internals
    assert body["request_id"] == "trace-500"
    mine = [r for r in log_records.records if r.name == "tests.boom"]
    assert [r.request_id for r in mine] == ["trace-500"]  # type: ignore[attr-defined]
    traceback = [r for r in log_records.records if r.name == "django.request"]
    assert traceback
    assert traceback[0].exc_info
    assert traceback[0].request_id == "trace-500"  # type: ignore[attr-defined]


@pytest.mark.django_db
@pytest.mark.urls(BOOM)
def test_outside_the_api_a_500_stays_django_s_page(raw_client: Client, settings: Any) -> None:
    settings.DEBUG = False
    response = raw_client.get("/elsewhere/boom/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert response["Request-Id"]


def test_the_log_format_shows_the_request_id(settings: Any) -> None:
    assert "%(request_id)s" in settings.LOGGING["formatters"]["plain"]["format"]
    assert "request_id" in settings.LOGGING["handlers"]["console"]["filters"]


# ---------------------------------------------------------------------------- body too large


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "path",
    ["/api/v1/customers/", "/api/v1/events", "/api/v1/events/batch", "/api/v1/pricing/rate/"],
)
@pytest.mark.parametrize("idempotency_key", [None, "big-1"])
def test_a_body_over_the_limit_is_a_json_413(
    api: APIClient, settings: Any, debug: bool, path: str, idempotency_key: str | None
) -> None:
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"name": "' + "x" * 2000 + '"}'
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    response = api.post(path, data=body, content_type="application/json", **headers)
    error = assert_error_shape(response, 413, "request_too_large")
    assert "1000" in error["errors"][0]["message"]
    small = api.post(path, data="{}", content_type="application/json", **headers)
    assert small.status_code != 413


# --------------------------------------------------------------------------- database outage


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends


@contextmanager
def database_down() -> Iterator[None]:
    """The web process loses its database: every connection attempt is refused."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["HOST"] = "127.0.0.1"
    connection.settings_dict["PORT"] = _closed_port()
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("debug", [False, True])
def test_a_database_outage_is_a_503_with_retry_after(
    api_key: Any, settings: Any, debug: bool
) -> None:
    settings.DEBUG = debug
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key[1]}")
    requests = [
        lambda: client.get("/api/v1/customers/"),
        lambda: client.post(
            "/api/v1/customers/",
            {"external_id": "c1", "name": "C", "currency": "USD"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="outage-1",
        ),
        lambda: client.post(
            "/api/v1/events",
            {"event_id": "e1", "customer": "c1", "metric": "calls"},
            format="json",
        ),
    ]
    with database_down():
        for send in requests:
            response = send()
            assert_error_shape(response, 503, "database_unavailable")
            assert int(response["Retry-After"]) > 0
    assert client.get("/api/v1/customers/").status_code == 200  # back when the database is


@pytest.mark.django_db
def test_a_body_given_its_request_id_keeps_a_true_content_length(api: APIClient) -> None:
    """CommonMiddleware sets Content-Length before the request id is added to the body."""
    for response in (
        api.post("/api/v1/customers/", {}, format="json"),
        api.get("/api/v1/customers/999999/"),
        api.get("/api/v1/customers/?bogus=1"),
    ):
        assert response.status_code >= 400
        assert response.has_header("Content-Length")
        assert int(response["Content-Length"]) == len(response.content)
