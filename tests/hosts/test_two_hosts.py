"""The billing run on two hosts: two `celery worker` processes started as separate machines
would be (each its own process tree, environment, node name and MEDIA_ROOT, one process each, no
shared memory), consuming one queue through Redis against one database, host B through a
PgBouncer in transaction mode (with the settings DATABASE_POOLER=pgbouncer asks for and its
direct URL for the session advisory locks). The chunks spread over both hosts and every
subscription is billed exactly once."""

from __future__ import annotations

import contextlib
import re
import tempfile
import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection

from billing.services import subscription_create, usage_ingest
from invoicing.models import BilledPeriod, BillingFailure, Invoice, InvoiceLine
from invoicing.tasks import clock_tick_task
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR, database_url_of_test_db
from tests.invoicing.test_invoices import FEB, JAN, workload_plan
from tests.pgbouncer import pgbouncer
from tests.worker import celery_worker, wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.xdist_group("several-hosts"),
    pytest.mark.django_db(transaction=True),
]

COUNT = 240
CHUNK = 8  # 30 chunks
CENT = Decimal("0.01")


def calls(i: int) -> int:
    return 10_000 + 7 * i  # 7i calls above the free tier


def gb(i: int) -> Decimal:
    return Decimal(i % 10 + 1) / 4  # 0.25 .. 2.5


def expected_total(i: int) -> Decimal:
    """Fee 49.00 + 7i x 0.002 + gb(i) x 0.10, each line rounded once (half-up)."""
    over = (Decimal(7 * i) * Decimal("0.002")).quantize(CENT, ROUND_HALF_UP)
    storage = (gb(i) * Decimal("0.10")).quantize(CENT, ROUND_HALF_UP)  # 0.025 -> 0.03
    return Decimal("49.00") + over + storage


def seed() -> None:
    plan = workload_plan()
    events = []
    for i in range(1, COUNT + 1):
        customer = CustomerFactory(external_id=f"h{i}")
        subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN)
        events += [
            {"event_id": f"c{i}", "customer": f"h{i}", "metric": "api_calls",
             "event_time": (JAN + timedelta(days=3)).isoformat(),
             "properties": {"calls": calls(i)}},
            {"event_id": f"g{i}", "customer": f"h{i}", "metric": "storage_gb",
             "event_time": (JAN + timedelta(days=5)).isoformat(),
             "properties": {"gb": str(gb(i))}},
        ]  # fmt: skip
    assert usage_ingest(events=events, actor=TEST_ACTOR, as_of=FEB).count("accepted") == 2 * COUNT


def chunks_run(log: str) -> int:
    return len(re.findall(r"Task invoicing\.subscriptions_bill\[[0-9a-f-]+\] succeeded", log))


def test_two_hosts_one_behind_pgbouncer_bill_every_subscription_once() -> None:
    seed()
    as_of = FEB + timedelta(minutes=5)
    queue = f"test-{uuid.uuid4().hex[:10]}"
    direct = database_url_of_test_db()
    common = {"BILLING_CHUNK_SIZE": str(CHUNK), "DB_CONN_MAX_AGE": "60"}
    # PgBouncer (run as `nobody` under root) reaches PostgreSQL over TCP; the embedded server of
    # a clone without DATABASE_URL listens on a private socket only, so there host B connects
    # directly (CI's DATABASE_URL is TCP: host B goes through PgBouncer)
    pooled = not str(connection.settings_dict["HOST"]).startswith("/")
    with (
        pgbouncer() if pooled else contextlib.nullcontext() as bouncer,
        tempfile.TemporaryDirectory() as media_a,
        tempfile.TemporaryDirectory() as media_b,
    ):
        host_a = {**common, "DATABASE_URL": direct, "MEDIA_ROOT": media_a}
        host_b = {**common, "DATABASE_URL": direct, "MEDIA_ROOT": media_b}
        if bouncer is not None:
            host_b.update(
                DATABASE_URL=bouncer.url, DATABASE_POOLER="pgbouncer", DATABASE_DIRECT_URL=direct
            )
        with (
            celery_worker(queue=queue, name=f"host-a-{queue}", settings=host_a) as a,
            celery_worker(queue=queue, name=f"host-b-{queue}", settings=host_b) as b,
        ):
            clock_tick_task.apply_async(kwargs={"as_of": as_of.isoformat()}, queue=queue)
            assert wait_for(lambda: BilledPeriod.objects.count() == COUNT, timeout=120)
            # the next tick finalizes the drafts (their grace period is 0 days)
            later = (as_of + timedelta(minutes=1)).isoformat()
            clock_tick_task.apply_async(kwargs={"as_of": later}, queue=queue)
            assert wait_for(
                lambda: Invoice.objects.filter(status="open").count() == COUNT, timeout=120
            )
        assert a.log is not None
        assert b.log is not None
        on_a, on_b = chunks_run(a.log.read_text()), chunks_run(b.log.read_text())
        if bouncer is not None:
            assert bouncer.logins() > 0  # host B's connections went through PgBouncer
    assert on_a > 0, "host A billed some chunks"
    assert on_b > 0, "host B billed some chunks"
    assert on_a + on_b >= COUNT // CHUNK  # every chunk ran (a redelivered one bills nothing)
    assert not BillingFailure.objects.exists()
    assert BilledPeriod.objects.filter(kind="period_end").count() == COUNT
    keys = BilledPeriod.objects.values("subscription_id", "period_start", "kind")
    assert keys.distinct().count() == BilledPeriod.objects.count()  # every window once
    invoices = list(Invoice.objects.select_related("customer"))
    assert len(invoices) == COUNT  # one per customer
    assert InvoiceLine.objects.count() == 3 * COUNT  # fee, calls, storage: never twice
    for invoice in invoices:
        assert invoice.total == expected_total(int(invoice.customer.external_id[1:]))
    assert sum(i.total for i in invoices) == sum(expected_total(i) for i in range(1, COUNT + 1))
    numbers = sorted(
        int(str(n).rsplit("-", 1)[1]) for n in Invoice.objects.values_list("number", flat=True)
    )
    assert numbers == list(range(1, COUNT + 1))  # finalized, numbered without gaps
