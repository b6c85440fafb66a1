"""Exactly-once usage under concurrency: clients keep sending events (for the open period, for the
period being billed right now, for periods already invoiced) while the clock bills chunks on a
real Celery worker and the journal is dispatched, round after round. Afterwards, for every
customer, what was billed (usage lines plus corrections) equals the events accepted, and the
reconciliation service reports no mismatch."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from billing.models import Customer
from billing.services import journal_dispatch, subscription_create, usage_ingest
from core.audit import Actor
from invoicing.models import ClockLease, ClockTick, Correction, Invoice, InvoiceLine
from invoicing.reconciliation import reconcile
from invoicing.services import invoices_finalize_ready
from invoicing.tasks import clock_tick_task
from tests.invoicing.findings import usage_plan
from tests.worker import celery_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
START = datetime(2026, 1, 1, tzinfo=UTC)
ROUNDS = 8  # days: a period ends, is billed and finalized (or kept in grace) every day
CLIENT = Actor.system("client")


class Clock:
    """The simulated instant the clients and the clock share."""

    def __init__(self) -> None:
        self.now = START
        self.lock = threading.Lock()

    def get(self) -> datetime:
        with self.lock:
            return self.now

    def set(self, instant: datetime) -> None:
        with self.lock:
            self.now = instant


def loop(stop: threading.Event, body: Callable[[], None]) -> threading.Thread:
    def run() -> None:
        try:
            while not stop.is_set():
                body()
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_every_accepted_event_is_billed_once_while_the_clock_runs(settings: Any) -> None:
    settings.CORRECTIONS_AUTO_APPLY = True  # every correction gets its document
    plan = usage_plan("daily", "1.00", unit_price="0.01", interval_unit="day")
    customers = []
    for i in range(6):
        customer = Customer.objects.create(
            external_id=f"u{i}", name=f"U{i}", currency="USD", created_at=START,
            updated_at=START, invoice_grace_period_days=i % 2,
        )  # fmt: skip
        subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=CLIENT, as_of=START)
        customers.append(customer)
    clock = Clock()
    accepted: list[tuple[str, datetime, int]] = []
    sent = threading.Lock()
    serial = iter(range(10**9))
    stop = threading.Event()

    def client() -> None:
        now = clock.get()
        rng = random.Random(next(serial))
        events = []
        for _ in range(5):
            back = rng.choice([0, 0, 1, 1, 2, 3])  # today, the day being billed, invoiced days
            when = max(START, now - timedelta(days=back, seconds=rng.randint(0, 86_399)))
            events.append(
                {"event_id": f"ev{next(serial)}", "customer": f"u{rng.randrange(6)}",
                 "metric": "api_calls", "event_time": when.isoformat(),
                 "properties": {"calls": rng.randint(1, 50)}}
            )  # fmt: skip
        report = usage_ingest(events=events, actor=CLIENT, as_of=now)
        with sent:
            for outcome, event in zip(report.outcomes, events, strict=True):
                if outcome.status == "accepted":
                    at = datetime.fromisoformat(event["event_time"])
                    accepted.append((event["customer"], at, event["properties"]["calls"]))

    def dispatcher() -> None:
        journal_dispatch(as_of=clock.get())

    def tick(worker: Any, instant: datetime) -> None:
        clock.set(instant)
        clock_tick_task.apply_async(kwargs={"as_of": instant.isoformat()}, queue=worker.queue)

        def done() -> bool:
            found = ClockTick.objects.filter(as_of=instant, finished_at__isnull=False).first()
            return (
                found is not None
                and not ClockLease.objects.filter(
                    token=f"tick-{found.pk}", kind__in=["subscription", "invoice"]
                ).exists()
            )

        assert wait_for(done, timeout=120, interval=0.05), (
            f"the tick of {instant} never ended",
            list(ClockTick.objects.values_list("pk", "as_of", "finished_at")),
            list(ClockLease.objects.values_list("kind", "object_id", "token", "expires_at")),
        )

    with celery_worker(concurrency=2, settings={"BILLING_CHUNK_SIZE": "2"}) as worker:
        threads = [loop(stop, client) for _ in range(3)] + [loop(stop, dispatcher)]
        try:
            for day in range(1, ROUNDS + 1):
                tick(worker, START + timedelta(days=day, minutes=1))
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        for day in (ROUNDS + 1, ROUNDS + 2, ROUNDS + 3):  # grace periods end
            journal_dispatch(as_of=clock.get())
            tick(worker, START + timedelta(days=day, minutes=1))
    last = clock.get()
    while journal_dispatch(as_of=last)["delivered"]:
        pass
    # the last corrections' documents, as the next tick would finalize them
    drafts = list(Invoice.objects.filter(status="draft").values_list("pk", flat=True))
    invoices_finalize_ready(invoice_ids=drafts, as_of=last, actor=CLIENT)
    assert len(accepted) > 100, len(accepted)
    # every path was taken: events on time, drafts refreshed in their grace period, corrections
    assert InvoiceLine.objects.filter(explanation__has_key="refreshed_at").exists()
    assert Correction.objects.filter(status="applied", difference__gt=0).exists()
    billed_until = START + timedelta(days=ROUNDS + 3)
    for customer in customers:
        calls = sum(
            n for who, at, n in accepted if who == customer.external_id and at < billed_until
        )
        lines = InvoiceLine.objects.filter(
            invoice__customer=customer, invoice__kind="billing", kind="usage"
        ).exclude(invoice__status="void")
        corrections = Correction.objects.filter(
            invoice__customer=customer, kind="usage", status="applied"
        )
        billed = sum((line.amount for line in lines), Decimal(0)) + sum(
            (c.difference for c in corrections), Decimal(0)
        )
        assert billed == Decimal(calls) * Decimal("0.01"), customer.external_id
    # only the periods billed by the last tick are still drafts, in their grace period
    assert not Invoice.objects.filter(status="draft", grace_until__lte=last).exists()
    report = reconcile(start=START, end=billed_until + timedelta(days=2), as_of=billed_until)
    assert report.ok, report.mismatches
    assert report.checked["usage_lines"] >= 6 * ROUNDS
