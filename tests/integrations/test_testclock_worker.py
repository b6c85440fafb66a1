"""A test clock's advance on a real Celery worker: the API answers 202 with the clock
`advancing`, the worker runs the billing clock for the clock's customers and the clock becomes
`ready` at its new time, with the invoice a live customer would have had."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from billing.models import JournalEvent, TestClock
from invoicing.models import Invoice
from tests.billing.subs import priced_plan
from tests.payments.test_dunning_worker import _default_policy_again
from tests.worker import celery_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
__all__ = ["_default_policy_again"]  # the fixture (the flush empties the default policy)


def test_an_advance_runs_on_a_worker(api: APIClient, settings: Any) -> None:
    plan = priced_plan("on-a-worker", "10")
    clock = api.post("/api/v1/test-clocks/", {"name": "worker", "frozen_time": "2026-03-01T00:00Z"},
                     format="json").json()  # fmt: skip
    made = api.post("/api/v1/customers/", {"external_id": "worker-test", "name": "W",
                    "currency": "USD", "test_clock": clock["id"]}, format="json")  # fmt: skip
    assert made.status_code == 201
    sub = api.post("/api/v1/subscriptions/", {"customer": "worker-test", "plan": plan.code},
                   format="json")  # fmt: skip
    assert sub.status_code == 201

    with celery_worker(concurrency=1) as worker:
        settings.TEST_CLOCK_QUEUE = worker.queue
        going = api.post(f"/api/v1/test-clocks/{clock['id']}/advance/",
                         {"frozen_time": "2026-04-03T00:00Z"}, format="json")  # fmt: skip
        assert going.status_code == 202
        assert going.json()["status"] == "advancing"
        assert wait_for(
            lambda: TestClock.objects.get(pk=clock["id"]).status == "ready", timeout=300
        ), TestClock.objects.get(pk=clock["id"]).last_error

    done = TestClock.objects.get(pk=clock["id"])
    assert (done.frozen_time, done.advancing_to) == (datetime(2026, 4, 3, tzinfo=UTC), None)
    invoices = list(
        Invoice.objects.filter(customer__external_id="worker-test")
        .order_by("billing_date")
        .values_list("number", "total", "billing_date", "status")
    )
    assert invoices == [
        ("TEST-INV-2026-000001", Decimal("10.00"), datetime(2026, 3, 1, tzinfo=UTC), "open"),
        ("TEST-INV-2026-000002", Decimal("10.00"), datetime(2026, 4, 1, tzinfo=UTC), "open"),
    ]
    types = list(
        JournalEvent.objects.filter(subject_type="test_clock", subject_id=str(clock["id"]))
        .order_by("pk")
        .values_list("type", flat=True)
    )
    assert types == ["test_clock.created", "test_clock.advancing", "test_clock.ready"]
