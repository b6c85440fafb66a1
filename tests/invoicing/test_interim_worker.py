"""Progressive billing through a real Celery worker: events accepted over the API queue one
`invoicing.customer_interim_bill` task per customer after the commit; the worker runs it and a
threshold invoice appears, exactly once, however often the task runs again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Customer
from billing.services import subscription_create
from invoicing.models import InterimBilling, Invoice
from invoicing.services.interim import QUEUED_KEY
from invoicing.tasks import customer_interim_bill_task
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_interim_billing import THRESHOLDS, book
from tests.worker import ROOT, Worker, celery_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
D = Decimal


@pytest.fixture
def worker() -> Iterator[Worker]:
    """A worker on a queue of its own, which tasks queued with `.delay` go to meanwhile (as
    when the platform runs with CELERY_QUEUE set to it)."""
    conf = customer_interim_bill_task.app.conf
    default = conf.task_default_queue
    with celery_worker(concurrency=1) as running:
        conf.task_default_queue = running.queue
        try:
            yield running
        finally:
            conf.task_default_queue = default


def finished(worker: Worker) -> int:
    """How many interim tasks the worker has finished (its log)."""
    log = Path(ROOT / ".data" / f"worker-{worker.queue}.log").read_text()
    return sum(
        1
        for line in log.splitlines()
        if "invoicing.customer_interim_bill[" in line and "succeeded in" in line
    )


def event(customer: Customer, key: str, calls: int, at: datetime) -> dict[str, Any]:
    return {
        "event_id": key,
        "customer": customer.external_id,
        "metric": "api_calls",
        "event_time": at.isoformat(),
        "properties": {"calls": calls},
    }


def test_the_worker_bills_a_threshold_reached_exactly_once(api: APIClient, worker: Worker) -> None:
    now = timezone.now()
    plan = book(thresholds=THRESHOLDS)  # 0.10 a call; thresholds 50, then every 100 after it
    customer = Customer.objects.create(
        external_id="worker", name="W", currency="USD", created_at=now, updated_at=now,
        invoice_grace_period_days=0,
    )  # fmt: skip
    subscription_create(
        customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=now - timedelta(hours=1)
    )
    marks = redis.Redis.from_url(settings.REDIS_URL)
    marks.delete(QUEUED_KEY.format(customer.pk))
    # 600 calls x 0.10 = 60.00 >= 50: the worker's task issues a threshold invoice of 60.00
    at = now - timedelta(minutes=5)
    accepted = api.post("/api/v1/events", event(customer, "w1", 600, at), format="json")
    assert accepted.status_code in (200, 201, 202), accepted.json()
    assert wait_for(lambda: Invoice.objects.filter(customer=customer).exists(), timeout=30)
    assert wait_for(lambda: finished(worker) == 1, timeout=30)
    # 10 more calls (61.00 < 150): a second task runs and bills nothing
    more = api.post("/api/v1/events", event(customer, "w2", 10, at), format="json")
    assert more.status_code in (200, 201, 202), more.json()
    assert wait_for(lambda: finished(worker) == 2, timeout=30)
    # the task delivered once more (a retry): nothing billed twice
    customer_interim_bill_task.apply_async((customer.pk,), queue=worker.queue)
    assert wait_for(lambda: finished(worker) == 3, timeout=30)
    (invoice,) = Invoice.objects.filter(customer=customer)
    assert (invoice.total, invoice.status) == (D("60.00"), "open")  # grace 0: finalized at once
    (billing,) = InterimBilling.objects.filter(invoice=invoice)
    assert (billing.reason, billing.threshold, billing.amount) == ("threshold", D("50"), D("60"))
    assert marks.get(QUEUED_KEY.format(customer.pk)) is None  # each task cleared its mark
