"""The clock's dunning tasks on a real Celery worker (two processes): the evaluation of the
customers due, queued twice at once (a tick that ran twice, a task retried), enters the state
once and journals it once; the entry action queued after that commit runs on the worker."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from billing.models import JournalEvent
from payments.models.dunning import (
    DunningAction,
    DunningPolicy,
    DunningState,
    DunningTransition,
)
from payments.services.dunning import dunning_customers_due
from payments.services.dunning_policies import customer_dunning_assign, dunning_policy_create
from payments.tasks.dunning import dunning_evaluate_customers_task
from tests.conftest import TEST_ACTOR
from tests.payments.helpers import open_invoice
from tests.payments.test_dunning import a_debtor
from tests.worker import celery_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True, scope="module")
def _default_policy_again(django_db_blocker: Any) -> Iterator[None]:
    """The flush after a transactional test empties every table, the default policy the
    migration installed too: once this module's tests are done (after the flush), it is written
    again as it was, with the same ids (other tests name it by id), for the tests that run next
    in this process."""
    with django_db_blocker.unblock():
        policies = list(DunningPolicy.objects.filter(is_default=True).values())
        states = list(DunningState.objects.filter(policy__is_default=True).values())
    yield
    with django_db_blocker.unblock():
        if not DunningPolicy.objects.filter(is_default=True).exists():
            DunningPolicy.objects.bulk_create(DunningPolicy(**row) for row in policies)
            DunningState.objects.bulk_create(DunningState(**row) for row in states)


def test_a_real_worker_enters_the_state_once_and_runs_its_action() -> None:
    now = timezone.now()
    policy = dunning_policy_create(
        data={"name": f"worker-{uuid.uuid4().hex[:6]}", "states": [
            {"code": "late", "name": "Late", "min_days_past_due": 1, "mark_uncollectible": True,
             "email_template": "dunning_reminder"},
        ]},
        actor=TEST_ACTOR, as_of=now,
    )  # fmt: skip
    who = a_debtor()
    invoice = open_invoice(who, "100.00", now - timedelta(days=15))  # 5 days past due
    dunning_policy_assigned = customer_dunning_assign(  # evaluated at once, 9 days ago
        customer_id=who.pk, policy_id=policy.pk, actor=TEST_ACTOR, as_of=now - timedelta(days=9)
    )
    assert dunning_policy_assigned.state is None  # 1 day before the due date: nothing overdue
    at = timezone.now()
    assert who.pk in dunning_customers_due(as_of=at)

    queue = f"test-{uuid.uuid4().hex[:10]}"
    with celery_worker(concurrency=2, queue=queue, settings={"CELERY_QUEUE": queue}) as worker:
        for _ in range(2):
            dunning_evaluate_customers_task.apply_async(
                args=[[who.pk], at.isoformat()], queue=worker.queue
            )
        assert wait_for(lambda: DunningTransition.objects.filter(customer=who).exists())
        assert wait_for(
            lambda: DunningAction.objects.filter(customer=who, status="done").count() == 1,
            timeout=60,
        )
    assert DunningTransition.objects.filter(customer=who).count() == 1
    assert JournalEvent.objects.filter(
        type="dunning.state_entered", subject_id=str(who.pk)
    ).count() == 1  # fmt: skip
    invoice.refresh_from_db()
    assert invoice.status == "uncollectible"
    assert DunningPolicy.objects.filter(pk=policy.pk).exists()
