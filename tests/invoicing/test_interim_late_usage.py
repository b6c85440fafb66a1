"""Interim billing and late usage (issue 17 items 5 and 6a, review fixes): the lines billed
before a period's end ("next" lines of a charge paid in advance) are kept when a late event
refreshes the period end's draft, and counted as billed (not credited back) when it corrects
a finalized invoice. The clock's safety net queues one task per customer and lets the errors
that stop billing through. Amounts computed by hand in the comments."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from billing.models import Customer, TestClock
from billing.services import journal_dispatch, subscription_create, usage_ingest
from billing.services import testclocks as clocks
from catalog.models import Plan
from core.audit import CLOCK
from invoicing import planner
from invoicing.models import Correction, InterimBilling, Invoice
from invoicing.services import subscriptions_bill_chunk
from invoicing.services.interim import QUEUED_KEY, customer_interim_bill, interim_tick
from tests.conftest import TEST_ACTOR, database_url_of_test_db
from tests.invoicing.test_interim_billing import APR, MAY, book, upload, utc

D = Decimal
LATE = MAY + timedelta(hours=2)  # in the grace period (or after the finalization with 0 days)


def customer_on(plan: Plan, name: str, grace: int) -> tuple[Customer, int]:
    customer = Customer.objects.create(
        external_id=name, name=name, currency="USD", created_at=APR, updated_at=APR,
        invoice_grace_period_days=grace,
    )  # fmt: skip
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR)
    return customer, sub.pk


def three_uploads_next(name: str, grace: int) -> tuple[Customer, Invoice]:
    """Uploads at 2.00 paid in advance on the next invoice, on Apr 5, 6 and 7, then the period's
    end: the May 1 invoice carries three `paid in advance` lines of 2.00 (6.00)."""
    customer, sid = customer_on(book(advance="next"), name, grace)
    for n, day in enumerate((5, 6, 7), 1):
        upload(customer, utc(2025, 4, day), f"{name}-u{n}")
        customer_interim_bill(customer_id=customer.pk, as_of=utc(2025, 4, day, 1), actor=CLOCK)
    subscriptions_bill_chunk(subscription_ids=[sid], as_of=MAY, actor=CLOCK)
    invoice = Invoice.objects.get(customer=customer, billing_date=MAY)
    assert invoice.total == D("6.00")
    return customer, invoice


def late(customer: Customer, event: dict[str, Any]) -> None:
    usage_ingest(
        events=[{"customer": customer.external_id, "event_time": "2025-04-30T23:00:00Z", **event}],
        actor=TEST_ACTOR, as_of=LATE,
    )  # fmt: skip
    journal_dispatch(as_of=LATE)  # usage.late_received: the draft refreshed / invoice corrected


def lines(invoice: Invoice) -> list[tuple[str, Decimal, bool]]:
    return sorted(
        (line.metric_code, line.amount, planner.is_interim(line.explanation))
        for line in invoice.lines.all()
    )


@pytest.mark.django_db
def test_a_late_event_refreshing_the_draft_keeps_the_lines_paid_in_advance() -> None:
    customer, draft = three_uploads_next("nx", grace=3)
    assert draft.status == "draft"
    # a late api_calls event (another metric): 10 calls at 0.10 = 1.00, in the grace period
    late(customer, {"event_id": "late", "metric": "api_calls", "properties": {"calls": 10}})
    draft.refresh_from_db()
    # the three uploads billed in advance stay (3 x 2.00), the uploads' period line still nets
    # to 0 (6.00 - 6.00: none), the calls 1.00: 6.00 + 1.00 = 7.00
    assert lines(draft) == [("api_calls", D("1.00"), False), *[("uploads", D("2.00"), True)] * 3]
    assert draft.total == D("7.00")
    # a late upload too: the uploads' period line is 4 x 2.00 - 6.00 billed before = 2.00
    late(customer, {"event_id": "late-upload", "metric": "uploads"})
    draft.refresh_from_db()
    assert lines(draft) == [
        ("api_calls", D("1.00"), False), ("uploads", D("2.00"), False),
        *[("uploads", D("2.00"), True)] * 3,
    ]  # fmt: skip
    assert draft.total == D("9.00")  # 1.00 + 3 x 2.00 + 2.00 = 4 uploads and 10 calls
    assert InterimBilling.objects.filter(invoice=draft).count() == 3


@pytest.mark.django_db
def test_a_late_event_after_the_finalization_does_not_credit_the_lines_paid_in_advance() -> None:
    customer, invoice = three_uploads_next("nf", grace=0)
    assert invoice.status == "open"
    late(customer, {"event_id": "late", "metric": "uploads"})
    found = sorted(
        (c.metric_code, c.invoiced, c.recomputed, c.difference)
        for c in Correction.objects.filter(invoice=invoice)
    )
    # the uploads: 4 x 2.00 = 8.00 less 6.00 billed in advance = 2.00 now, against 0 billed by
    # the period line (the three lines in advance are not the period's line): +2.00
    assert found == [("uploads", D("0"), D("2.00"), D("2.00"))]


@pytest.mark.django_db
def test_a_late_event_after_the_finalization_with_no_change_proposes_nothing() -> None:
    _, invoice = three_uploads_next("nz", grace=0)
    # 0 calls: the api_calls line is 0.00 and stays so; an upload outside the period changes
    # nothing of April
    usage_ingest(
        events=[{"event_id": "may", "customer": "nz", "metric": "uploads",
                 "event_time": "2025-05-01T01:00:00Z"}],
        actor=TEST_ACTOR, as_of=LATE,
    )  # fmt: skip
    journal_dispatch(as_of=LATE)
    assert not Correction.objects.filter(invoice=invoice).exists()


# ------------------------------------------------------------------- the clock's safety net


def on_book(plan: Plan, name: str, clock: TestClock | None = None) -> Customer:
    customer = Customer.objects.create(
        external_id=name, name=name, currency="USD", created_at=APR, updated_at=APR,
        invoice_grace_period_days=0, test_clock=clock,
    )  # fmt: skip
    subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR)
    return customer


def tick_statements(as_of: Any) -> tuple[int, dict[str, int]]:
    with CaptureQueriesContext(connection) as queries:
        found = interim_tick(as_of)
    return len(queries), found


@pytest.mark.django_db
def test_the_tick_queues_a_task_per_customer_in_one_query() -> None:
    plan = book(advance="own")
    client = redis.Redis.from_url(settings.REDIS_URL)
    customers = [on_book(plan, f"tick{n}") for n in range(2)]
    marks = [QUEUED_KEY.format(c.pk) for c in customers]
    client.delete(*marks)
    at = utc(2025, 4, 10)
    two = tick_statements(at)
    assert two == (1, {"interim_queued": 2})  # one query finds them; a task each, nothing rated
    assert [client.get(m) for m in marks] == [b"1", b"1"]
    assert tick_statements(at) == (1, {"interim_queued": 0})  # queued, not started: not again
    more = [on_book(plan, f"tick{n}") for n in range(2, 6)]
    marks += [QUEUED_KEY.format(c.pk) for c in more]
    client.delete(*marks)
    # three times the customers, the same statements
    assert tick_statements(at) == (1, {"interim_queued": 6})
    assert not InterimBilling.objects.exists()  # billed by the tasks, not by the tick
    client.delete(*marks)


@pytest.mark.django_db(transaction=True)
def test_a_database_error_in_a_test_clocks_interim_billing_propagates() -> None:
    # a test clock's advance bills its customers in the hook: a lock held by another
    # connection makes PostgreSQL give up (lock_timeout: an OperationalError, as a lost
    # database): raised, not logged as one customer's failure
    at = utc(2025, 4, 6)  # the clock's time: the upload of Apr 5 is in its past
    clock = clocks.clock_create(name="interim", frozen_time=at, actor=TEST_ACTOR, as_of=at)
    customer = on_book(book(advance="own"), "locked", clock)
    upload(customer, utc(2025, 4, 5), "locked-u1")
    other = psycopg.connect(database_url_of_test_db())
    try:
        other.execute("SELECT id FROM billing_subscription WHERE customer_id = %s FOR UPDATE",
                      [customer.pk])  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        with pytest.raises(OperationalError):
            interim_tick(at, test_clock=clock.pk)
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    # the lock released: the advance's next tick bills the upload (1 x 2.00)
    assert interim_tick(at, test_clock=clock.pk) == {
        "interim_invoiced": 1, "interim_failed": 0,
    }  # fmt: skip
    assert [i.total for i in Invoice.objects.filter(customer=customer)] == [D("2.00")]
