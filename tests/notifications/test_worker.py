"""The whole path with a real Celery worker: the journal dispatched by the worker records the
e-mail, the send task queued after that commit runs on the worker and talks to the SMTP server
on loopback; dispatched again, nothing more is sent."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from billing.tasks import journal_dispatch_task
from notifications.models import Notification
from notifications.tasks import notification_send_task
from tests.billing.subs import customer
from tests.notifications.smtp import Mailbox
from tests.payments.helpers import open_invoice
from tests.worker import celery_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_records_and_sends_once(smtp_server: Mailbox) -> None:
    who = customer(email="ap@acme.test")
    invoice = open_invoice(who, "10.00", datetime.now(UTC))
    queue = f"test-{uuid.uuid4().hex[:10]}"
    env = {  # the tasks the worker queues (the sends) go to its own queue
        "CELERY_QUEUE": queue,
        "CELERY_EMAIL_QUEUE": queue,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "EMAIL_TIMEOUT": "5",
    }
    with celery_worker(concurrency=1, queue=queue, settings=env) as worker:
        journal_dispatch_task.apply_async(queue=worker.queue)
        assert wait_for(lambda: len(smtp_server.messages) == 1, timeout=60)
        assert wait_for(lambda: Notification.objects.filter(state="sent").count() == 1)
        [n] = Notification.objects.all()
        # dispatched again, and the send task run twice more: nothing more. The worker takes
        # its queue in order, one task at a time: when the e-mail of an invoice finalized
        # after them arrives, those tasks are done.
        journal_dispatch_task.apply_async(queue=worker.queue)
        notification_send_task.apply_async(args=[n.pk], queue=worker.queue)
        notification_send_task.apply_async(args=[n.pk], queue=worker.queue)
        later = open_invoice(customer(email="later@acme.test"), "20.00", datetime.now(UTC))
        journal_dispatch_task.apply_async(queue=worker.queue)
        assert wait_for(lambda: len(smtp_server.messages) == 2, timeout=60)
    first, second = smtp_server.messages
    assert [str(m["To"]) for m in (first, second)] == ["ap@acme.test", "later@acme.test"]
    assert later.number in str(second["Subject"])
    mail = first
    assert str(mail["To"]) == "ap@acme.test"
    assert str(mail["Message-ID"]).strip() == Notification.objects.get(pk=n.pk).message_id
    assert invoice.number in str(mail["Subject"])
    assert Notification.objects.get(pk=n.pk).attempts == 1
    assert Notification.objects.count() == 2
