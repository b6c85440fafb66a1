"""Regression tests of the billing-pipeline review (issue 9) that need two connections: a client
holding a lock while the code under test runs in a thread, so the interleaving is fixed, not
left to timing. No sleeping: each step waits until PostgreSQL shows the expected lock wait."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection

from billing.models import BalanceKind, Customer
from billing.services import customer_balance_adjust, subscription_create, usage_ingest
from core.audit import CLOCK
from invoicing.models import BilledPeriod, Invoice
from invoicing.services import invoice_render_pdf, subscriptions_bill_chunk
from tests.conftest import TEST_ACTOR, database_url_of_test_db
from tests.invoicing.findings import FEB, JAN, MAR, D, a_customer, dispatch, send, usage_billed
from tests.invoicing.findings import usage_plan as make_usage_plan
from tests.invoicing.test_invoices import run_tick, workload_customer, workload_plan
from tests.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
TICK = timedelta(minutes=5)


@contextmanager
def blocker() -> Iterator[psycopg.Connection[Any]]:
    """Another client of the database, in an open transaction the test rolls back."""
    with psycopg.connect(database_url_of_test_db()) as conn:
        try:
            yield conn
        finally:
            conn.rollback()


def lock_waits() -> list[str]:
    """The statements of this database's backends that wait for a lock right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return [row[0] for row in cursor.fetchall()]


def in_thread(target: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run `target` in a thread with its own connection; its result or exception lands in the
    returned list."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(target())
        except BaseException as exc:  # handed to the test, which asserts on it
            out.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def test_an_event_sent_while_its_period_is_billed_is_billed_once() -> None:
    plan = make_usage_plan("u")
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN)
    send("c", JAN + timedelta(days=3), 100)
    event = {
        "event_id": "racing",
        "customer": "c",
        "metric": "api_calls",
        "event_time": (FEB - timedelta(hours=1)).isoformat(),
        "properties": {"calls": 40},
    }
    with blocker() as other:
        # another request holds this event's key, uncommitted: the ingestion below waits for it
        other.execute(
            "INSERT INTO billing_usageeventkey (customer_id, event_id) VALUES (%s, 'racing')",
            [customer.pk],
        )
        ingest, ingested = in_thread(
            lambda: usage_ingest(events=[event], actor=TEST_ACTOR, as_of=FEB + TICK)
        )
        assert wait_for(lambda: len(lock_waits()) == 1, timeout=30)
        # the clock bills January meanwhile (grace 0: and finalizes it)
        bill, _ = in_thread(
            lambda: subscriptions_bill_chunk(
                subscription_ids=[sub.pk], as_of=FEB + TICK, actor=CLOCK
            )
        )
        assert wait_for(lambda: not bill.is_alive() or len(lock_waits()) == 2, timeout=30)
        other.rollback()  # the other request gives up: the ingestion goes on
    ingest.join(timeout=60)
    bill.join(timeout=60)
    assert ingested[0].count("accepted") == 1
    dispatch(FEB + 2 * TICK)
    assert usage_billed(customer) == D("7.00")  # 140 calls at 0.05: billed once, none lost


def test_the_late_usage_handler_loses_no_balance_update(settings: Any) -> None:
    settings.CORRECTIONS_AUTO_APPLY = True
    plan = workload_plan()
    customer = workload_customer(1, plan)
    customer_balance_adjust(customer_id=customer.pk, amount=D(100), actor=TEST_ACTOR, as_of=JAN,
                            reason="prepaid", kind=BalanceKind.GRANT)  # fmt: skip
    run_tick(FEB + TICK)  # 58.20, paid from the balance: 41.80 left
    assert Invoice.objects.get().status == "paid"
    later = FEB + timedelta(days=1)
    send("w1", JAN + timedelta(days=9), -3000, received=later)  # 6.00 less: a credit note
    with blocker() as other:
        # another client's transaction is adding 10.00 to the balance, not committed yet
        other.execute(
            "UPDATE billing_customer SET balance = balance + 10 WHERE id = %s", [customer.pk]
        )
        handler, handled = in_thread(lambda: dispatch(later))
        assert wait_for(lambda: len(lock_waits()) == 1, timeout=30)
        other.commit()
    handler.join(timeout=60)
    assert handled[0]["delivered"] >= 1, handled
    customer = Customer.objects.get(pk=customer.pk)
    assert customer.balance == D("41.80") + D("10.00") + D("6.00")


def test_a_soft_time_limit_stops_the_chunk_instead_of_being_swallowed() -> None:
    plan = make_usage_plan("u")
    customer = a_customer("c", invoice_grace_period_days=30)
    first = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                                as_of=JAN)  # fmt: skip
    second = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                                 as_of=JAN)  # fmt: skip
    subscriptions_bill_chunk(subscription_ids=[first.pk], as_of=FEB + TICK, actor=CLOCK)
    draft = Invoice.objects.get()

    def soft_limit(signum: int, frame: Any) -> None:  # what Celery's soft time limit does
        raise SoftTimeLimitExceeded()

    with blocker() as other:
        # the draft both subscriptions bill onto is locked by someone else for a long time
        other.execute("SELECT id FROM invoicing_invoice WHERE id = %s FOR UPDATE", [draft.pk])
        previous = signal.signal(signal.SIGALRM, soft_limit)
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        try:
            with pytest.raises(SoftTimeLimitExceeded):
                subscriptions_bill_chunk(subscription_ids=[second.pk], as_of=MAR + TICK,
                                         actor=CLOCK)  # fmt: skip
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    assert not BilledPeriod.objects.filter(subscription=second).exists()


def test_a_pdf_is_rendered_before_the_invoice_row_is_locked() -> None:
    plan = workload_plan()
    workload_customer(1, plan)
    run_tick(FEB + TICK)
    invoice = Invoice.objects.get()
    with blocker() as other:
        other.execute("SELECT id FROM invoicing_invoice WHERE id = %s FOR UPDATE", [invoice.pk])
        render, rendered = in_thread(
            lambda: invoice_render_pdf(invoice_id=invoice.pk, as_of=FEB + 2 * TICK)
        )
        assert wait_for(lambda: len(lock_waits()) == 1, timeout=60)
        waiting = lock_waits()[0]
        other.rollback()
    render.join(timeout=60)
    # what waited for the row was the write of a PDF already rendered, not a lock taken first
    assert waiting.lstrip().upper().startswith("UPDATE"), waiting
    invoice.refresh_from_db()
    assert len(invoice.pdf_sha256) == 64
    assert not isinstance(rendered[0], BaseException)
