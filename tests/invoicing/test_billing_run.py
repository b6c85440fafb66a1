"""The billing run (invoicing/services/writer.py, one writer for every case): a chunk mixing
plain subscriptions with ones that have changes, cancellations or a catch-up bills each as it
went; a price-book version that takes effect inside a period applies from the next period; a
period cut short by a cancellation or an end date bills its last part."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from billing.models import JournalEvent, ProrationLine, Subscription
from billing.services import (
    subscription_cancel,
    subscription_change,
    subscription_create,
    subscription_end,
    usage_ingest,
)
from catalog import services as catalog
from core.audit import CLOCK, history_rows
from core.exceptions import Conflict
from invoicing.models import BilledPeriod, Invoice
from invoicing.services import subscriptions_bill_chunk
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_invoices import FEB, JAN, run_tick, workload_customer, workload_plan

MAR = datetime(2026, 3, 1, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def invoice_of(external_id: str, billing_date: datetime = FEB) -> Invoice:
    return Invoice.objects.get(customer__external_id=external_id, billing_date=billing_date)


def test_a_chunk_bills_plain_and_special_subscriptions_each_as_it_went() -> None:
    plan = workload_plan()
    for i in (1, 2, 3):
        workload_customer(i, plan)
    canceling = workload_customer(4, plan).subscriptions.get()
    subscription_cancel(
        subscription_id=canceling.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=3),
        at_period_end=True,
    )  # fmt: skip
    upgraded = workload_customer(5, plan).subscriptions.get()
    subscription_change(
        subscription_id=upgraded.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=1),
        quantity=2, when=JAN + timedelta(days=16),
    )  # fmt: skip
    earlier = workload_customer(6, plan).subscriptions.get()
    subscription_change(
        subscription_id=earlier.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=10),
        quantity=2, when="now",
    )  # fmt: skip
    # (applied then: at February it is plain, with its proration lines pending)
    ids = list(Subscription.objects.order_by("pk").values_list("pk", flat=True))
    # the clock was down all January: one chunk catches everything up
    steps = subscriptions_bill_chunk(subscription_ids=ids, as_of=FEB, actor=CLOCK).steps
    assert steps == 6
    six = {line.kind: line.amount for line in invoice_of("w6").lines.all()}
    assert six["proration"] == Decimal("15.81")  # 10 of 31 days at 1 seat, charged at the change
    assert six["fixed_fee"] == Decimal("66.39")  # 2 x 49 x 21/31 from the change on
    assert invoice_of("w6").total == Decimal("15.81") + Decimal("66.39") + Decimal("5.20")
    assert not ProrationLine.objects.filter(invoiced_at__isnull=True).exists()
    assert invoice_of("w1").total == Decimal("58.20")  # plain: set-based
    assert invoice_of("w4").total == Decimal("49.00") + Decimal("0.04")  # then canceled
    canceling.refresh_from_db()
    assert canceling.status == "canceled"
    # the change of Jan 17 happened first: the first 16 days at 1 seat came as a proration
    # line, the period-end fee is 2 seats from the change on (15 of 31 days)
    lines = {line.kind: line.amount for line in invoice_of("w5").lines.all()}
    assert lines["proration"] == Decimal("25.29")  # 49 x 16/31
    assert lines["fixed_fee"] == Decimal("47.42")  # 2 x 49 x 15/31
    assert {i.status for i in Invoice.objects.all()} == {"open"}  # finalized in the same task
    for sub in Subscription.objects.exclude(pk=canceling.pk):
        assert (sub.current_period_start, sub.current_period_end) == (FEB, MAR)
    # the history of rows written in bulk (COPY, UPDATE ... FROM) names the clock and the reason
    line = invoice_of("w1").lines.first()
    sub = Subscription.objects.get(customer__external_id="w1")
    assert line is not None
    for obj in (line, sub, invoice_of("w1")):
        rows = history_rows(obj)
        assert {row["who"] for row in rows[-1:]} == {CLOCK.label}, obj
        assert rows[-1]["why"] in ("billing run", "finalize")
    # run twice (a retried task, two ticks): nothing more
    assert subscriptions_bill_chunk(subscription_ids=ids, as_of=FEB, actor=CLOCK).steps == 0
    assert BilledPeriod.objects.count() == 6
    assert JournalEvent.objects.filter(type="invoice.created").count() == 6


def test_a_price_version_taking_effect_inside_a_period_applies_from_the_next() -> None:
    plan = workload_plan()
    for i in (1, 2):
        workload_customer(i, plan)
    old = plan.versions.get()
    draft = catalog.plan_version_copy(
        version_id=old.pk, actor=TEST_ACTOR, as_of=JAN, effective_from=JAN + timedelta(days=10)
    )
    catalog.plan_version_update(
        version_id=draft.pk, actor=TEST_ACTOR, as_of=JAN, data={"fixed_fee": Decimal("59.00")}
    )
    catalog.plan_version_publish(version_id=draft.pk, actor=TEST_ACTOR, as_of=JAN)
    run_tick(FEB + timedelta(minutes=5))
    january = invoice_of("w1")
    fee = january.lines.get(kind="fixed_fee")
    assert fee.amount == Decimal("49.00")  # January is rated whole with the version of Jan 1
    assert fee.explanation["price_version"] == "pro@v1"
    for sub in Subscription.objects.select_related("plan_version"):
        assert sub.plan_version.label == "pro@v2"  # rolled into February on the new version
    event = JournalEvent.objects.filter(type="subscription.updated").latest("id")
    assert event.payload["price_version"] == {"from": "pro@v1", "to": "pro@v2"}
    run_tick(MAR + timedelta(minutes=5))
    assert invoice_of("w1", MAR).lines.get(kind="fixed_fee").amount == Decimal("59.00")


def test_the_last_part_of_a_period_cut_short_is_billed() -> None:
    plan = workload_plan()
    canceled = workload_customer(1, plan).subscriptions.get()
    subscription_cancel(
        subscription_id=canceled.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=15)
    )
    ending = CustomerFactory(external_id="e1")
    sub = subscription_create(customer_id=ending.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN)
    subscription_end(
        subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN, ends_at=JAN + timedelta(days=10)
    )
    usage_ingest(
        events=[
            {"event_id": "x1", "customer": "e1", "metric": "api_calls",
             "event_time": (JAN + timedelta(days=2)).isoformat(), "properties": {"calls": 15000}},
            {"event_id": "x2", "customer": "e1", "metric": "api_calls",  # after the end
             "event_time": (JAN + timedelta(days=20)).isoformat(), "properties": {"calls": 9000}},
        ],
        actor=TEST_ACTOR,
        as_of=JAN + timedelta(days=25),
    )  # fmt: skip
    run_tick(FEB + timedelta(minutes=5))
    # canceled on Jan 16 at once: its used fee came as a proration line (49 x 15/31), and the
    # usage of Jan 1-16 (the workload's events are spread over the whole month) is billed
    first = Invoice.objects.get(customer__external_id="w1")
    kinds = sorted(line.kind for line in first.lines.all())
    assert kinds == ["proration", "usage", "usage"]
    assert first.lines.get(kind="proration").amount == Decimal("23.71")
    assert first.billing_date == JAN + timedelta(days=15)
    # ended on a set date (Jan 11): 10 days of the fee in arrears, and the usage before the end
    last = Invoice.objects.get(customer__external_id="e1")
    lines = {line.metric_code or line.kind: line.amount for line in last.lines.all()}
    assert lines["fixed_fee"] == Decimal("15.81")  # 49 x 10/31
    assert lines["api_calls"] == Decimal("10.00")  # 5,000 above the free 10,000; not Jan 21's
    assert last.status == "open"
    run_tick(FEB + timedelta(minutes=10))
    assert BilledPeriod.objects.count() == 2  # never twice


def test_the_bill_command_runs_the_clock_for_an_instant() -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from invoicing.models import ClockTick

    plan = workload_plan()
    for i in (1, 2):
        workload_customer(i, plan)
    out = StringIO()
    call_command("bill", "--as-of", "2026-02-01T00:05:00Z", stdout=out)
    assert '"subscriptions_due": 2' in out.getvalue()
    assert sorted(Invoice.objects.values_list("status", "total")) == [
        ("open", Decimal("49.02")),
        ("open", Decimal("58.20")),
    ]
    call_command("bill", "--as-of", "2026-02-01T00:10:00Z", stdout=StringIO())
    assert Invoice.objects.count() == 2  # nothing twice
    tick = ClockTick.objects.latest("id")
    assert (tick.task_id, tick.summary["subscriptions_due"]) == ("manage.py bill", 0)
    with pytest.raises(CommandError, match="offset"):
        call_command("bill", "--as-of", "2026-02-01 00:05")
    with pytest.raises(CommandError, match="future"):
        call_command("bill", "--as-of", "2999-01-01T00:00:00Z")


def test_a_draft_is_not_finalized_by_hand_while_a_period_for_it_is_unbilled() -> None:
    from invoicing.services import invoice_finalize
    from tests.invoicing.test_invoices import bill_to_draft

    plan = workload_plan()
    customer = workload_customer(1, plan)
    first = customer.subscriptions.get()
    second = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                                 as_of=JAN)  # fmt: skip
    draft = bill_to_draft(first)
    first.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        invoice_finalize(invoice_id=draft.pk, as_of=FEB, actor=TEST_ACTOR)
    assert refused.value.code == "billing_pending"
    assert str(second.pk) in refused.value.message
    run_tick(FEB + timedelta(minutes=5))  # the clock bills the second onto it, then finalizes
    draft.refresh_from_db()
    assert draft.status == "open"
    assert draft.lines.filter(kind="fixed_fee").count() == 2
