"""Exactly-once billing through real Celery workers: a worker killed with SIGKILL in the middle
of a billing run, then restarted, and two ticks at once, bill every subscription once."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest

from invoicing.models import BilledPeriod, Invoice, InvoiceLine
from invoicing.tasks import clock_tick_task
from tests.invoicing.test_invoices import FEB, workload_customer, workload_plan
from tests.worker import celery_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def expected_total(i: int) -> Decimal:
    calls = 5 * ((i * 7919) % 5000)
    return (
        Decimal("49.00")
        + max(0, calls - 10_000) * Decimal("0.002")
        + Decimal(i % 200) / 10 * Decimal("0.10")
    ).quantize(Decimal("0.01"))


def check_every_subscription_billed_once(count: int) -> None:
    assert BilledPeriod.objects.filter(kind="period_end").count() == count
    invoices = list(Invoice.objects.select_related("customer"))
    assert len(invoices) == count
    assert InvoiceLine.objects.count() == 3 * count  # fee, api calls, storage: never twice
    for invoice in invoices:
        i = int(invoice.customer.external_id[1:])
        assert invoice.total == expected_total(i), invoice.customer.external_id
    numbers = sorted(
        int(n.rsplit("-", 1)[1]) for n in Invoice.objects.values_list("number", flat=True)
    )
    assert numbers == list(range(1, count + 1))  # finalized, numbered without gaps


def test_a_worker_killed_mid_run_and_restarted_bills_everything_exactly_once() -> None:
    plan = workload_plan()
    count = 40
    for i in range(1, count + 1):
        workload_customer(i, plan)
    as_of = FEB + timedelta(minutes=5)
    # ten chunks, each billed in one transaction; what a tick queued is queued again by a tick
    # a minute later at the earliest (its lease), when its task did not release it
    small = {"BILLING_CHUNK_SIZE": "4", "BILLING_LEASE_SECONDS": "60"}
    with celery_worker(concurrency=1, settings=small) as worker:
        clock_tick_task.apply_async(kwargs={"as_of": as_of.isoformat()}, queue=worker.queue)
        started = wait_for(lambda: BilledPeriod.objects.count() >= 8, timeout=60, interval=0.02)
        assert started
        worker.kill()  # SIGKILL to the worker and its pool, in the middle of the run
        billed_at_kill = BilledPeriod.objects.count()
        queue = worker.queue
    assert 0 < billed_at_kill < count, "the kill came mid-run"
    assert billed_at_kill % 4 == 0, "a chunk commits all of its subscriptions or none"
    time.sleep(0.5)
    with celery_worker(concurrency=1, queue=queue, settings=small) as worker:
        # the clock's next tick (5 minutes later: the killed chunks' leases ran out) finds what
        # is still due, and the restarted worker finishes it
        clock_tick_task.apply_async(
            kwargs={"as_of": (as_of + timedelta(minutes=5)).isoformat()}, queue=worker.queue
        )
        assert wait_for(lambda: BilledPeriod.objects.count() == count, timeout=120)
        # and the one after finalizes the drafts (their grace period is 0 days)
        clock_tick_task.apply_async(
            kwargs={"as_of": (as_of + timedelta(minutes=10)).isoformat()}, queue=worker.queue
        )
        assert wait_for(
            lambda: Invoice.objects.filter(status="open").count() == count, timeout=120
        ), list(Invoice.objects.values_list("status", flat=True))
    check_every_subscription_billed_once(count)


def test_two_ticks_at_once_bill_nothing_twice() -> None:
    plan = workload_plan()
    count = 12
    for i in range(1, count + 1):
        workload_customer(i, plan)
    as_of = FEB + timedelta(minutes=5)
    with celery_worker(concurrency=2, settings={"BILLING_CHUNK_SIZE": "5"}) as worker:
        for _ in range(2):
            clock_tick_task.apply_async(kwargs={"as_of": as_of.isoformat()}, queue=worker.queue)
        assert wait_for(lambda: BilledPeriod.objects.count() == count, timeout=120)
        clock_tick_task.apply_async(
            kwargs={"as_of": (as_of + timedelta(minutes=1)).isoformat()}, queue=worker.queue
        )
        assert wait_for(lambda: Invoice.objects.filter(status="open").count() == count, timeout=120)
    check_every_subscription_billed_once(count)
