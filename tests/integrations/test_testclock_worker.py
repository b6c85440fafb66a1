"""A test clock's advance on a real Celery worker: the API answers 202 with the clock
`advancing`, the worker runs the billing clock for the clock's customers and the clock becomes
`ready` at its new time, with the invoice a live customer would have had, and their PDFs
rendered (a lost PDF is queued again by the advance, as by the live tick)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
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

    queue = f"test-clocks-{uuid.uuid4().hex[:8]}"  # the test clocks' queue, for both sides
    with celery_worker(concurrency=1, queue=queue, settings={"TEST_CLOCK_QUEUE": queue}) as worker:
        settings.TEST_CLOCK_QUEUE = worker.queue
        going = api.post(f"/api/v1/test-clocks/{clock['id']}/advance/",
                         {"frozen_time": "2026-04-03T00:00Z"}, format="json")  # fmt: skip
        assert going.status_code == 202
        assert going.json()["status"] == "advancing"
        assert wait_for(
            lambda: TestClock.objects.get(pk=clock["id"]).status == "ready", timeout=300
        ), TestClock.objects.get(pk=clock["id"]).last_error
        # their PDFs: queued at finalization on the default queue nobody reads here (lost), so
        # the advance's tick queued them again a day later, on the test clocks' queue
        assert wait_for(
            lambda: (
                not Invoice.objects.filter(customer__external_id="worker-test", pdf="").exists()
                and Invoice.objects.filter(customer__external_id="worker-test").count() == 2
            ),
            timeout=120,
        )

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


def test_a_lost_advance_is_queued_again_by_the_sweep_and_done_by_a_worker(settings: Any) -> None:
    """The advance's task was lost (the broker down after the commit: nothing queued): beat's
    sweep queues it again once the clock has not moved for STALLED_AFTER and no run holds it;
    a worker then advances it. A clock advancing right now is left alone."""
    from django.utils import timezone

    from billing.services.testclocks import clock_advance_start, clock_create
    from integrations.testclocks import STALLED_AFTER, clocks_resume
    from tests.conftest import TEST_ACTOR

    start = datetime(2026, 3, 1, tzinfo=UTC)
    now = timezone.now()
    stalled, moving = (
        clock_create(name=name, frozen_time=start, actor=TEST_ACTOR, as_of=now)
        for name in ("stalled", "moving")
    )
    for clock, started in ((stalled, now - STALLED_AFTER - timedelta(seconds=1)), (moving, now)):
        clock_advance_start(
            test_clock_id=clock.pk,
            frozen_time=start + timedelta(days=2),
            actor=TEST_ACTOR,
            as_of=started,
        )  # no task queued: lost
    with celery_worker(concurrency=1) as worker:
        settings.TEST_CLOCK_QUEUE = worker.queue
        assert clocks_resume(now=now) == [stalled.pk]
        assert wait_for(lambda: TestClock.objects.get(pk=stalled.pk).status == "ready", timeout=120)
    stalled.refresh_from_db()
    moving.refresh_from_db()
    assert (stalled.frozen_time, stalled.advancing_to) == (start + timedelta(days=2), None)
    assert (moving.status, moving.frozen_time) == ("advancing", start)
