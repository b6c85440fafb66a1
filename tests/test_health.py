from typing import Any

import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_healthz_reports_postgres_and_redis(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["postgres"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True


@pytest.mark.django_db
def test_healthz_is_503_when_redis_is_down(client: Any) -> None:
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):  # nothing listens on port 1
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"]["ok"] is False
    assert "Connection" in body["checks"]["redis"]["error"]
    assert body["checks"]["postgres"]["ok"] is True


@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_when_postgres_is_down(client: Any) -> None:
    from django.db import connection

    saved = dict(connection.settings_dict)
    connection.close()
    # the next connection goes to a port where no PostgreSQL listens: a real refused connection
    connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "1"})
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["postgres"]["ok"] is False
    assert body["checks"]["redis"]["ok"] is True
