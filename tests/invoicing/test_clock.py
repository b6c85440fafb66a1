from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.conf import settings

from invoicing.models import ClockTick
from invoicing.tasks import clock_tick_task
from tests.worker import celery_worker, wait_for


def partitions_exist(*months: str) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        for month in months:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"billing_usageevent_{month}"])
            if not cursor.fetchone()[0]:
                return False
    return True


def test_beat_schedule_holds_the_clock_tick() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["billing-clock-tick"]
    assert entry["task"] == clock_tick_task.name == "invoicing.clock_tick"
    assert entry["schedule"] == settings.CLOCK_TICK_SECONDS
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_TIME_LIMIT > settings.CELERY_TASK_SOFT_TIME_LIMIT


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_clock_tick_and_records_it() -> None:
    as_of = datetime(2026, 3, 1, 0, 5, tzinfo=UTC)
    with celery_worker() as worker:
        queue = worker.queue
        result = clock_tick_task.apply_async(kwargs={"as_of": as_of.isoformat()}, queue=queue)
        assert wait_for(lambda: ClockTick.objects.filter(finished_at__isnull=False).exists())
    tick = ClockTick.objects.get()
    assert tick.as_of == as_of
    assert tick.task_id == result.id
    assert tick.worker  # host:pid of the worker process
    assert (tick.summary["subscriptions_due"], tick.summary["tasks"]) == (0, 0)
    assert partitions_exist("y2026m03", "y2026m04", "y2026m05", "y2026m06")
    assert tick.finished_at is not None
    assert tick.finished_at >= tick.started_at


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_tick_advances_due_subscriptions_through_real_workers() -> None:
    from billing.models import Subscription
    from billing.services import subscription_create
    from tests.billing.subs import customer, priced_plan
    from tests.conftest import TEST_ACTOR

    plan = priced_plan("basic", "30", trial_days=7)
    subs = [
        subscription_create(
            customer_id=customer().pk,
            plan_id=plan.pk,
            actor=TEST_ACTOR,
            as_of=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for _ in range(3)
    ]
    as_of = datetime(2026, 2, 15, tzinfo=UTC)
    with celery_worker(concurrency=2) as worker:
        queue = worker.queue
        clock_tick_task.apply_async(kwargs={"as_of": as_of.isoformat()}, queue=queue)
        assert wait_for(
            lambda: (
                Subscription.objects.filter(current_period_end__gt=as_of, status="active").count()
                == 3
            )
        )
    tick = ClockTick.objects.get()
    assert (tick.summary["subscriptions_due"], tick.summary["tasks"]) == (3, 1)
    for sub in subs:
        sub.refresh_from_db()
        assert (sub.current_period_start, sub.current_period_end) == (
            datetime(2026, 2, 8, tzinfo=UTC),
            datetime(2026, 3, 8, tzinfo=UTC),
        )


@pytest.mark.django_db
def test_the_tick_keeps_usage_partitions_ready_months_ahead() -> None:
    from invoicing.services import clock_tick_work

    enqueued: list[list[int]] = []
    summary = clock_tick_work(
        as_of=datetime(2031, 11, 20, tzinfo=UTC),
        enqueue=lambda ids, at, lease: enqueued.append(ids),
    )
    # the API's window (two months back, USAGE_MAX_AGE_MONTHS), this month and three ahead
    months = ("y2031m09", "y2031m10", "y2031m11", "y2031m12", "y2032m01", "y2032m02")
    assert partitions_exist(*months)
    assert set(summary.get("usage_partitions_created", [])) <= {
        f"billing_usageevent_{m}" for m in months
    }
    assert enqueued == []
