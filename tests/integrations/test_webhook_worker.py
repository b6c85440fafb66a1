"""The whole path with a real Celery worker: the journal dispatched by the worker records the
deliveries, the delivery tasks queued after that commit send them to the receiver on loopback
(which verifies them with standardwebhooks); a 503 is retried by the task queued for the
retry's due time (5 s later), and every event arrives once, in order per subject."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from billing.services.journal import journal_write
from billing.tasks import journal_dispatch_task
from core.audit import Actor
from integrations.models import WebhookAttempt, WebhookDelivery
from integrations.webhook_services import webhook_endpoint_create
from tests.integrations.receiver import Receiver
from tests.worker import celery_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ACTOR = Actor.system("tests")


def test_a_real_worker_delivers_and_retries(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    with Receiver() as receiver:
        endpoint, secret = webhook_endpoint_create(
            url=receiver.url, description="worker", event_types=["*"], as_of=timezone.now(),
            actor=ACTOR,
        )  # fmt: skip
        receiver.secrets.append(secret)
        receiver.mode = "503"
        with transaction.atomic():
            for n in range(6):
                journal_write(
                    type="customer.updated", subject_type="customer", subject_id=f"c{n % 2}",
                    payload={"n": n}, actor=ACTOR, occurred_at=timezone.now(),
                )  # fmt: skip
        queue = f"test-{uuid.uuid4().hex[:10]}"
        env = {
            "CELERY_QUEUE": queue,  # the tasks the worker queues go to its own queue
            "WEBHOOK_ALLOW_HTTP": "true",
            "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
            "WEBHOOK_TIMEOUT_SECONDS": "5",
        }
        with celery_worker(concurrency=2, queue=queue, settings=env) as worker:
            journal_dispatch_task.apply_async(queue=worker.queue)
            # the first attempts: 503 (one per subject: the rest wait behind them)
            assert wait_for(lambda: WebhookAttempt.objects.filter(status_code=503).exists(), 60)
            receiver.mode = "ok"
            assert wait_for(lambda: len(receiver.ids) == 7, timeout=60), receiver.ids
        assert receiver.rejected == []
        assert receiver.duplicates() == 0
        by_subject: dict[str, list[int]] = {}
        for got in receiver.accepted:
            if got.json["type"] == "customer.updated":
                by_subject.setdefault(got.json["subject"]["id"], []).append(got.json["data"]["n"])
        assert by_subject == {"c0": [0, 2, 4], "c1": [1, 3, 5]}
        assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}
        assert WebhookDelivery.objects.filter(endpoint=endpoint, attempts__gte=2).exists()
