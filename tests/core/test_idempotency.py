from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Customer
from core.idempotency import idempotency_keys_purge
from core.models import IdempotencyKey

URL = "/api/v1/customers/"
BODY = {"external_id": "idem-1", "name": "Idem", "currency": "USD"}


@pytest.mark.django_db
def test_same_key_same_body_replays_the_first_response(api: APIClient) -> None:
    first = api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_same_key_different_body_is_refused(api: APIClient) -> None:
    api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = api.post(URL, {**BODY, "name": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "Idempotency-Key",
        "code": "idempotency_key_reused",
        "message": "This Idempotency-Key was used with a different request; use a new key.",
    }
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_scoped_to_the_caller(api: APIClient, django_user_model: Any) -> None:
    from billing.services import api_key_create
    from tests.conftest import TEST_ACTOR

    api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    _, raw = api_key_create(name="other", actor=TEST_ACTOR, as_of=timezone.now())
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = other.post(
        URL, {**BODY, "external_id": "idem-2"}, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert response.status_code == 201
    assert Customer.objects.count() == 2


@pytest.mark.django_db
def test_validation_errors_are_replayed_but_auth_failures_are_not(
    api: APIClient, anon_api: APIClient
) -> None:
    bad = api.post(URL, {**BODY, "currency": "XYZ"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    again = api.post(URL, {**BODY, "currency": "XYZ"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert bad.status_code == again.status_code == 400
    assert again["Idempotent-Replayed"] == "true"
    assert anon_api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-4").status_code == 401
    assert not IdempotencyKey.objects.filter(key="k-4").exists()


@pytest.mark.django_db
def test_overlong_key_is_a_400(api: APIClient) -> None:
    response = api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_expired_keys_are_forgotten_and_purged(api: APIClient) -> None:
    api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert response.status_code == 400  # ran again: the external id now exists
    assert "Idempotent-Replayed" not in response
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert idempotency_keys_purge(as_of=timezone.now()) == 1


@pytest.mark.django_db(transaction=True)
def test_two_threads_with_one_key_create_one_customer(api_key: Any) -> None:
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def call() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key[1]}")
        barrier.wait()
        try:
            results.append(client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="race"))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [r.status_code for r in results] == [201, 201]
    assert results[0].json() == results[1].json()
    assert sorted(r.get("Idempotent-Replayed", "no") for r in results) == ["no", "true"]
    assert Customer.objects.filter(external_id="idem-1").count() == 1
