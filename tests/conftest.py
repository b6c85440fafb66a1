from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import ApiKey
from billing.services import api_key_create
from core.audit import Actor

TEST_ACTOR = Actor.system("tests")

# Logs and screenshots of the tests go under the project's git-ignored data folder, which a
# clean clone running against external PostgreSQL and Redis (CI) does not have yet.
DATA_DIR = Path(__file__).resolve().parent.parent / ".data"
DATA_DIR.mkdir(exist_ok=True)


def database_url_of_test_db() -> str:
    """A DATABASE_URL for the database this test runs against (for subprocesses)."""
    s = connection.settings_dict
    host = s["HOST"] or "127.0.0.1"
    host = quote(host, safe="") if host.startswith("/") else host
    port = f":{s['PORT']}" if s.get("PORT") else ""
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}{port}/{s['NAME']}"


def chromium_path() -> str | None:
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.access(path, os.X_OK):
            return path
    return shutil.which("chromium")


def require_chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium for the browser tests (make browser)")
        pytest.skip("chromium is not installed (sudo apt-get install chromium)")
    return path


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def api_key(db: None) -> tuple[ApiKey, str]:
    return api_key_create(name="tests", actor=TEST_ACTOR, as_of=timezone.now())


@pytest.fixture
def api(api_key: tuple[ApiKey, str]) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key[1]}")
    return client


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


@pytest.fixture
def staff_user(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_superuser("finance", "finance@example.com", "pw-12345")


@pytest.fixture
def staff_client(client, staff_user):  # type: ignore[no-untyped-def]
    client.force_login(staff_user)
    return client


@pytest.fixture
def no_journal_handlers() -> Iterator[None]:
    """Run with only the handlers a test registers itself."""
    from billing import journal

    saved = dict(journal._handlers)
    journal._handlers.clear()
    try:
        yield
    finally:
        journal._handlers.clear()
        journal._handlers.update(saved)


@pytest.fixture(autouse=True)
def _truncate_usage_after_transactional_tests(
    request: pytest.FixtureRequest, django_db_blocker: Any
) -> Iterator[None]:
    """Django's flush between transactional tests skips unmanaged tables: the partitioned usage
    tables are emptied here instead, so no test sees another's events. The flush also empties
    the rows data migrations wrote: a database test finds the default portal configuration
    written again when a flush removed it."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        request.getfixturevalue("django_db_setup")  # the test database, never the one named
        with django_db_blocker.unblock():
            from django.apps import apps

            migration = importlib.import_module("portal.migrations.0002_configuration_default")
            migration.create_default(apps, None)  # one query when it is there
    yield
    if marker is None or not marker.kwargs.get("transaction"):
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE billing_usageevent, billing_usageeventkey")
