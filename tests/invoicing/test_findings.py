"""Regression tests of the billing-pipeline review (issue 9): each finding reproduced, then fixed.
They go through the clock's own path (`run_tick`, the chunk service) and public services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from billing.models import JournalDelivery
from billing.services import (
    coupon_redeem,
    subscription_cancel,
    subscription_change,
    subscription_create,
    subscription_end,
    subscription_pause,
    subscription_resume,
)
from catalog import services as catalog
from core.audit import CLOCK
from invoicing.models import Correction, Invoice, InvoiceLine
from invoicing.services import (
    correction_apply,
    invoice_draft_create,
    invoice_finalize,
    invoice_line_add,
    invoice_void,
    subscriptions_bill_chunk,
)
from tests.conftest import TEST_ACTOR
from tests.invoicing.findings import (
    FEB,
    JAN,
    MAR,
    D,
    a_customer,
    dispatch,
    lines_of,
    send,
    usage_billed,
    usage_plan,
)
from tests.invoicing.test_invoices import run_tick, workload_customer, workload_plan

pytestmark = pytest.mark.django_db
TICK = timedelta(minutes=5)


# ------------------------------------------------- 1. one invoice, whichever path bills it


@pytest.mark.parametrize(
    ("coupon", "discount"),
    [
        # a fixed 20.00: once per invoice, on the period's usage (0.15) and the next fee (49.05)
        ({"kind": "fixed", "amount_off": D(20), "currency": "USD"}, D("-20.00")),
        # 10% of 49.20 = 4.92 (not 0.02 + 4.91 discounted step by step)
        ({"kind": "percent", "percent_off": D(10)}, D("-4.92")),
    ],
)
def test_a_clock_running_late_bills_the_same_invoice_as_one_on_time(
    coupon: dict[str, Any], discount: Decimal
) -> None:
    plan = usage_plan("adv", "49.05", timing="advance")
    catalog.coupon_create(
        actor=TEST_ACTOR,
        as_of=JAN,
        data={"code": "c", "name": "C", "duration": "forever", **coupon},
    )
    subs = {}
    for name in ("on-time", "late"):
        customer = a_customer(name)
        subs[name] = subscription_create(
            customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN
        )
        coupon_redeem(customer_id=customer.pk, coupon_code="c", actor=TEST_ACTOR, as_of=JAN)
        send(name, JAN + timedelta(days=4), 3)  # 3 calls at 0.05 = 0.15
    for at in (JAN + TICK, FEB + TICK):  # on time: a tick at each period start
        subscriptions_bill_chunk(subscription_ids=[subs["on-time"].pk], as_of=at, actor=CLOCK)
    # a month late: January's end and February's fee are caught up in one run
    subscriptions_bill_chunk(subscription_ids=[subs["late"].pk], as_of=MAR + TICK, actor=CLOCK)
    on_time = Invoice.objects.get(customer__external_id="on-time", billing_date=FEB)
    late = Invoice.objects.get(customer__external_id="late", billing_date=FEB)
    assert lines_of(late) == lines_of(on_time)
    assert [amount for kind, amount in lines_of(on_time) if kind == "discount"] == [discount]
    assert late.total == on_time.total == D("49.20") + discount


def test_the_upcoming_invoice_is_the_invoice_the_clock_will_issue() -> None:
    from invoicing.selectors import upcoming_invoice

    plan = usage_plan("adv", "30.00", timing="advance")
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN)
    run_tick(JAN + TICK)  # January's fee, billed in advance
    send("c", JAN + timedelta(days=4), 10)  # 0.50
    subscription_change(  # 1 -> 2 seats on Jan 10: -30 x 22/31 and +60 x 22/31
        subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=9), quantity=2,
        when="now",
    )  # fmt: skip
    preview = upcoming_invoice(customer_id=customer.pk, as_of=JAN + timedelta(days=20))
    run_tick(FEB + TICK)
    invoice = Invoice.objects.get(billing_date=FEB)
    # usage so far, the two proration lines, February's fee at 2 seats; not January's fee again
    assert sorted(lines_of(invoice)) == sorted(
        [("usage", D("0.50")), ("proration", D("-21.29")), ("proration", D("42.58")),
         ("fixed_fee", D("60.00"))]
    )  # fmt: skip
    assert sorted((line["kind"], line["amount"]) for line in preview["lines"]) == sorted(
        lines_of(invoice)
    )
    assert preview["total"] == invoice.total == D("81.79")


# ----------------------------------------------- 2. usage left unbilled by the usage marks


def test_finalizing_a_draft_by_hand_does_not_strand_usage_of_a_period_in_grace() -> None:
    plan = usage_plan("u")
    customer = a_customer("c", invoice_grace_period_days=3)
    subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN)
    send("c", JAN + timedelta(days=3), 100)
    run_tick(FEB + TICK)  # January's draft, in its grace period until Feb 4
    january = Invoice.objects.get(billing_date=FEB)
    sale = invoice_draft_create(customer_id=customer.pk, as_of=FEB + timedelta(days=1),
                                actor=TEST_ACTOR)  # fmt: skip
    invoice_line_add(invoice_id=sale.pk, description="Setup", amount=D("99"), quantity=D(1),
                     as_of=FEB + timedelta(days=1), actor=TEST_ACTOR)  # fmt: skip
    invoice_finalize(invoice_id=sale.pk, as_of=FEB + timedelta(days=1), actor=TEST_ACTOR)
    # an event of January, arriving in the grace period after that finalization
    send("c", JAN + timedelta(days=30), 40, received=FEB + timedelta(days=1, hours=2))
    dispatch(FEB + timedelta(days=1, hours=3))
    run_tick(FEB + timedelta(days=4) + TICK)
    january.refresh_from_db()
    assert january.status == "open"
    assert usage_billed(customer) == D("7.00")  # 140 calls at 0.05, on the invoice itself
    assert january.lines.get(kind="usage").amount == D("7.00")


# ----------------------------------------- 3. usage lost between ingestion and finalization


def test_an_event_for_a_draft_handled_after_its_finalization_is_corrected() -> None:
    plan = usage_plan("u")
    customer = a_customer("c", invoice_grace_period_days=1)
    subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN)
    send("c", JAN + timedelta(days=3), 100)
    run_tick(FEB + TICK)  # a draft until Feb 2
    send("c", JAN + timedelta(days=30), 40, received=FEB + timedelta(hours=3))
    # the journal's worker is down: the clock finalizes the draft before the event is handled
    run_tick(FEB + timedelta(days=1) + TICK)
    assert Invoice.objects.get(billing_date=FEB).status == "open"
    dispatch(FEB + timedelta(days=1, hours=1))
    correction = Correction.objects.get()
    assert correction.difference == D("2.00")  # 40 calls at 0.05
    assert usage_billed(customer) == D("7.00")


# ------------------------------------------------------- 4. a shared draft finalized early


@pytest.mark.parametrize("edge", ["trial_ends", "starts"])
def test_a_shared_draft_waits_for_a_subscription_whose_first_fee_falls_on_its_date(
    edge: str, settings: Any
) -> None:
    settings.BILLING_CHUNK_SIZE = 1  # each subscription in its own chunk, in id order
    monthly = usage_plan("monthly", "49.00")
    seats = usage_plan("seats", "20.00", timing="advance", unit_price=None)
    customer = a_customer("c")
    subscription_create(customer_id=customer.pk, plan_id=monthly.pk, actor=TEST_ACTOR, as_of=JAN)
    if edge == "trial_ends":  # a 31-day trial: its first paid period starts on Feb 1
        subscription_create(customer_id=customer.pk, plan_id=seats.pk, actor=TEST_ACTOR,
                            as_of=JAN, trial_days=31)  # fmt: skip
    else:  # ordered on Jan 15, starting on Feb 1
        subscription_create(customer_id=customer.pk, plan_id=seats.pk, actor=TEST_ACTOR,
                            as_of=JAN + timedelta(days=14), start_at=FEB)  # fmt: skip
    run_tick(FEB + TICK)
    invoice = Invoice.objects.get(customer=customer)
    assert invoice.status == "open"
    assert sorted(lines_of(invoice)) == [("fixed_fee", D("20.00")), ("fixed_fee", D("49.00")),
                                         ("usage", D("0.00"))]  # fmt: skip
    run_tick(FEB + 2 * TICK)
    assert Invoice.objects.count() == 1


# -------------------------------------------------------------------------- 5. corrections


def test_two_increases_in_one_run_make_one_correction_invoice(settings: Any) -> None:
    settings.CORRECTIONS_AUTO_APPLY = True
    plan = workload_plan()
    workload_customer(1, plan)
    run_tick(FEB + TICK)
    original = Invoice.objects.get()
    later = FEB + timedelta(days=2)
    send("w1", JAN + timedelta(days=9), 1000, received=later)  # +2.00
    send("w1", JAN + timedelta(days=9), "5", received=later, metric_code="storage_gb",
         field="gb")  # +0.50  # fmt: skip
    dispatch(later)
    supplement = Invoice.objects.get(corrects=original)
    assert sorted(lines_of(supplement)) == [("usage", D("0.50")), ("usage", D("2.00"))]
    assert not JournalDelivery.objects.filter(status="failed").exists()
    assert Correction.objects.filter(supplementary_invoice=supplement).count() == 2


def test_a_correction_of_a_voided_invoice_is_refused(api: Any) -> None:
    from core.exceptions import ApplicationError

    plan = workload_plan()
    workload_customer(1, plan)
    run_tick(FEB + TICK)
    original = Invoice.objects.get()
    send("w1", JAN + timedelta(days=9), -3000, received=FEB + timedelta(days=1))
    dispatch(FEB + timedelta(days=1))
    correction = Correction.objects.get()
    assert correction.status == "proposed"
    invoice_void(invoice_id=original.pk, as_of=FEB + timedelta(days=2), actor=TEST_ACTOR,
                 reason="issued in error")  # fmt: skip
    with pytest.raises(ApplicationError, match="void"):
        correction_apply(correction_id=correction.pk, as_of=FEB + timedelta(days=3),
                         actor=TEST_ACTOR)  # fmt: skip
    assert not original.credit_notes.exists()
    refused = api.post(f"/api/v1/corrections/{correction.pk}/apply/")
    assert refused.status_code == 409
    assert "void" in refused.json()["errors"][0]["message"]
    correction.refresh_from_db()
    assert correction.status == "proposed"
    listed = api.get(
        "/api/v1/corrections/", {"status": "proposed", "customer": "w1", "metric": "api_calls"}
    ).json()["results"]
    assert [(c["id"], c["kind"], c["difference"]) for c in listed] == [
        (correction.pk, "usage", "-6.0000")
    ]


# -------------------------------------------------------------- 6. no document for nothing


def test_a_period_with_nothing_to_bill_makes_no_invoice() -> None:
    plan = usage_plan("adv", "30.00", timing="advance", unit_price=None)
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN)
    run_tick(JAN + TICK)
    subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=3),
                        at_period_end=True)  # fmt: skip
    run_tick(FEB + TICK)
    run_tick(FEB + timedelta(days=1))
    assert [(i.billing_date, i.number) for i in Invoice.objects.all()] == [(JAN, "INV-2026-000001")]
    sub.refresh_from_db()
    assert sub.status == "canceled"


# ------------------------------------------------ 7. calendar alignment, shared billing days


def test_a_subscription_anchored_before_its_start_on_a_finalized_day_is_billed() -> None:
    from io import StringIO

    from django.core.management import call_command

    plan = usage_plan("adv", "31.00", timing="advance", unit_price=None)
    customer = a_customer("c")
    other = a_customer("other")
    for who in (customer, other):
        subscription_create(customer_id=who.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN)
    run_tick(JAN + TICK)  # Jan 1: both invoices finalized
    second = subscription_create(
        customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
        as_of=JAN + timedelta(days=9), billing_anchor=JAN.date(),
    )  # fmt: skip
    call_command("bill", "--as-of", (JAN + timedelta(days=9, minutes=5)).isoformat(),
                 stdout=StringIO())  # fmt: skip
    # billed from its start (Jan 10): 22 of January's 31 days, on an invoice of its own date
    invoice = Invoice.objects.get(customer=customer, billing_date=JAN + timedelta(days=9))
    assert lines_of(invoice) == [("fixed_fee", D("22.00"))]
    assert invoice.lines.get().subscription_id == second.pk
    call_command("bill", "--as-of", (FEB + TICK).isoformat(), stdout=StringIO())
    assert Invoice.objects.filter(billing_date=FEB).count() == 2  # everyone billed


def test_a_calendar_aligned_trial_bills_the_paid_stub_after_the_trial() -> None:
    plan = usage_plan("cal", "31.00", timing="advance", unit_price=None, trial_days=10,
                      calendar_aligned=True)  # fmt: skip
    customer = a_customer("c")
    subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                        as_of=JAN + timedelta(days=9))  # fmt: skip
    for day in range(9, 62):  # a tick a day, through Jan 10 .. Mar 3
        run_tick(JAN + timedelta(days=day) + TICK)
    # trial Jan 10 - Jan 20; paid stub Jan 20 - Feb 1 (12 of 31 days); then whole months
    bills = [(i.billing_date, i.total) for i in Invoice.objects.order_by("billing_date")]
    assert bills == [(JAN + timedelta(days=19), D("12.00")), (FEB, D("31.00")), (MAR, D("31.00"))]


def test_a_trial_ending_inside_a_catch_up_bills_every_period_it_skipped() -> None:
    plan = usage_plan("cal", "31.00", timing="advance", unit_price=None, trial_days=10,
                      calendar_aligned=True)  # fmt: skip
    customer = a_customer("c")
    subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                        as_of=JAN + timedelta(days=9))  # fmt: skip
    run_tick(MAR + timedelta(days=2))  # the clock was down from Jan 10 to Mar 3
    bills = [(i.billing_date, i.total) for i in Invoice.objects.order_by("billing_date")]
    assert bills == [(JAN + timedelta(days=19), D("12.00")), (FEB, D("31.00")), (MAR, D("31.00"))]


def test_canceling_in_a_calendar_stub_credits_no_more_than_the_stub_fee() -> None:
    plan = usage_plan("cal", "31.00", timing="advance", unit_price=None, calendar_aligned=True)
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                              as_of=JAN + timedelta(days=9))  # fmt: skip
    run_tick(JAN + timedelta(days=9) + TICK)
    stub = Invoice.objects.get()
    assert lines_of(stub) == [("fixed_fee", D("22.00"))]  # Jan 10 - Feb 1: 22 of 31 days
    subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=20))
    run_tick(JAN + timedelta(days=20) + TICK)
    credit = Invoice.objects.exclude(pk=stub.pk).get()
    assert lines_of(credit) == [("proration", D("-11.00"))]  # Jan 21 - Feb 1: 11 of 31 days


def test_one_subscription_failing_never_stops_the_others(api: Any) -> None:
    from catalog.models import Charge
    from invoicing.models import BillingFailure

    good = usage_plan("good")
    broken = usage_plan("broken")
    for i, plan in enumerate((good, broken, good)):
        customer = a_customer(f"c{i}")
        subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN)
    params = Charge.objects.get(plan_version__plan=broken).params
    Charge.objects.filter(plan_version__plan=broken).update(params={"unit_price": "n/a"})
    run_tick(FEB + TICK)  # one chunk of three
    assert sorted(Invoice.objects.values_list("customer__external_id", flat=True)) == ["c0", "c2"]
    failure = BillingFailure.objects.get()
    assert failure.subscription.customer.external_id == "c1"
    assert "unit_price" in failure.message
    assert failure.resolved_at is None
    listed = api.get("/api/v1/billing-failures/", {"open": "true"}).json()
    assert [(f["customer"], f["error"]) for f in listed["results"]] == [("c1", "PricingError")]
    Charge.objects.filter(plan_version__plan=broken).update(params=params)  # data repaired
    run_tick(FEB + 2 * TICK)  # retried
    assert Invoice.objects.filter(customer__external_id="c1").exists()
    failure.refresh_from_db()
    assert failure.resolved_at == FEB + 2 * TICK


# ----------------------------------------------------------------------------- 8. the clock


def test_a_tick_does_not_queue_again_what_is_already_queued(settings: Any) -> None:
    from invoicing.services import clock_tick_work

    settings.BILLING_LEASE_SECONDS = 600
    plan = workload_plan()
    for i in (1, 2):
        workload_customer(i, plan)
    queued: list[list[int]] = []

    def tick(at: Any) -> None:
        clock_tick_work(as_of=at, enqueue=lambda ids, _, lease: queued.append(ids),
                        enqueue_finalize=lambda ids, _, lease: queued.append(ids))  # fmt: skip

    tick(FEB + TICK)
    assert len(queued) == 1
    tick(FEB + 2 * TICK)  # the task has not run yet: nothing queued again
    assert len(queued) == 1
    tick(FEB + TICK + timedelta(seconds=601))  # its lease ran out (a lost task): queued again
    assert len(queued) == 2
    assert queued[0] == queued[1]


def test_reading_a_pdf_never_writes(api: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from invoicing.services import invoice_render_pdf

    plan = workload_plan()
    workload_customer(1, plan)
    run_tick(FEB + TICK)
    invoice = Invoice.objects.get()  # its PDF is queued for a worker, not rendered yet
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/api/v1/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "pdf_not_ready"
    assert response["Retry-After"]
    writes = [
        q["sql"]
        for q in queries
        if "invoicing_invoice" in q["sql"]
        and q["sql"].lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []
    invoice.refresh_from_db()
    assert invoice.pdf_sha256 == ""
    invoice_render_pdf(invoice_id=invoice.pk, as_of=FEB + 2 * TICK)
    response = api.get(f"/api/v1/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200
    invoice.refresh_from_db()
    assert response["X-Content-SHA256"] == invoice.pdf_sha256


# ------------------------------------------- found by the review of the redesign (one writer)

APR, MAY = FEB.replace(month=4), FEB.replace(month=5)


def bills(customer: Any) -> list[tuple[Any, list[tuple[str, Decimal]]]]:
    return [
        (i.billing_date, sorted(lines_of(i)))
        for i in Invoice.objects.filter(customer=customer).order_by("billing_date", "id")
    ]


@pytest.mark.parametrize("how", ["now", "scheduled"])
def test_a_fee_in_advance_is_billed_at_the_terms_of_its_period_start(how: str) -> None:
    """A change inside a period whose fee in advance the clock has not billed yet (it was down):
    the fee is the period's start terms, the change's proration lines the rest."""
    small = usage_plan("small", "30.00", timing="advance", unit_price=None)
    big = usage_plan("big", "60.00", timing="advance", unit_price=None)
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=small.pk, actor=TEST_ACTOR,
                              as_of=APR)  # fmt: skip
    mid = APR + timedelta(days=15)  # April 16: 15 of April's 30 days left
    if how == "now":
        subscription_change(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=mid,
                            plan_id=big.pk, when="now")  # fmt: skip
    else:
        subscription_change(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=APR,
                            plan_id=big.pk, when=mid)  # fmt: skip
    run_tick(MAY + TICK)  # the first tick since April 1
    assert bills(customer) == [
        (APR, [("fixed_fee", D("30.00"))]),
        (MAY, [("fixed_fee", D("60.00")), ("proration", D("-15.00")), ("proration", D("30.00"))]),
    ]


def test_an_early_activation_then_a_cancellation_bills_the_paid_part() -> None:
    from billing.services import subscription_activate

    plan = usage_plan("adv", "31.00", timing="advance", trial_days=14)
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                              as_of=JAN)  # fmt: skip
    subscription_activate(subscription_id=sub.pk, actor=TEST_ACTOR,
                          as_of=JAN + timedelta(days=4, hours=14))  # fmt: skip
    run_tick(JAN + timedelta(days=5) + TICK)  # Jan 5 - Feb 5 in advance
    send("c", JAN + timedelta(days=10), 100)  # 5.00
    subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR,
                        as_of=JAN + timedelta(days=19))  # Jan 20: 16 of 31 days unused  # fmt: skip
    run_tick(JAN + timedelta(days=20) + TICK)
    assert bills(customer) == [
        (JAN + timedelta(days=4), [("fixed_fee", D("31.00"))]),
        (JAN + timedelta(days=19), [("proration", D("-16.00")), ("usage", D("5.00"))]),
    ]


def test_resuming_after_a_period_ended_before_the_clock_ran_bills_that_period() -> None:
    plan = usage_plan("arr", "31.00")
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                              as_of=JAN)  # fmt: skip
    send("c", JAN + timedelta(days=5), 100)  # 5.00
    subscription_pause(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=9))
    subscription_resume(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=FEB + timedelta(hours=2))
    run_tick(FEB + timedelta(hours=3))
    # January was billed (its fee and usage) before the resume moved on; the pause's credit,
    # Jan 10 - Feb 1 (22 of 31 days) and Feb 1 00:00 - 02:00 (of 28 days), comes with March's
    assert bills(customer) == [(FEB, [("fixed_fee", D("31.00")), ("usage", D("5.00"))])]
    run_tick(MAR + TICK)
    assert dict(bills(customer))[MAR] == [
        ("fixed_fee", D("31.00")),
        ("proration", D("-22.00")),
        ("proration", D("-0.09")),
        ("usage", D("0.00")),
    ]


def test_a_change_after_a_period_ended_before_the_clock_ran_bills_that_period_first() -> None:
    small = usage_plan("small", "31.00")
    big = usage_plan("big", "62.00", unit_price="0.10")
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=small.pk, actor=TEST_ACTOR,
                              as_of=JAN)  # fmt: skip
    send("c", JAN + timedelta(days=5), 100)  # 5.00 on small, 10.00 on big
    subscription_change(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=FEB + timedelta(hours=2),
                        plan_id=big.pk, when="now")  # fmt: skip
    run_tick(FEB + timedelta(hours=3))
    assert bills(customer) == [(FEB, [("fixed_fee", D("31.00")), ("usage", D("5.00"))])]


def test_a_subscription_canceled_before_it_starts_is_billed_nothing() -> None:
    plan = usage_plan("adv", "31.00", timing="advance")
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                              as_of=JAN + timedelta(days=9, hours=9),
                              start_at=JAN + timedelta(days=9, hours=18))  # fmt: skip
    subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR,
                        as_of=JAN + timedelta(days=9, hours=12))  # fmt: skip
    run_tick(FEB + TICK)
    assert bills(customer) == []


def test_a_trial_paused_is_never_billed() -> None:
    plan = usage_plan("arr", "31.00", trial_days=14)
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                              as_of=JAN)  # fmt: skip
    send("c", JAN + timedelta(days=1), 100)  # in the trial
    subscription_pause(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=2))
    for day in range(3, 20):
        run_tick(JAN + timedelta(days=day) + TICK)
    assert not Invoice.objects.filter(customer=customer).exists()
    assert not InvoiceLine.objects.filter(period_start__lt=JAN + timedelta(days=14)).exists()


def test_canceling_in_arrears_always_charges_the_used_part() -> None:
    plan = usage_plan("arr", "31.00", unit_price=None)
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                              as_of=JAN)  # fmt: skip
    subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR,
                        as_of=JAN + timedelta(days=10), prorate=False)  # fmt: skip
    run_tick(JAN + timedelta(days=10) + TICK)
    assert bills(customer) == [(JAN + timedelta(days=10), [("proration", D("10.00"))])]


def test_canceling_a_paused_subscription_credits_the_paused_and_the_unused_time() -> None:
    plan = usage_plan("adv", "31.00", timing="advance", unit_price=None)
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                              as_of=JAN)  # fmt: skip
    run_tick(JAN + TICK)
    subscription_pause(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=10))
    subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=20))
    run_tick(JAN + timedelta(days=20) + TICK)
    assert bills(customer)[1] == (
        JAN + timedelta(days=20),
        [("proration", D("-11.00")), ("proration", D("-10.00"))],
    )


def test_a_pause_closed_by_a_cancellation_at_the_period_end_is_credited() -> None:
    plan = usage_plan("adv", "31.00", timing="advance", unit_price=None)
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                              as_of=JAN)  # fmt: skip
    run_tick(JAN + TICK)
    subscription_pause(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=20))
    subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=25),
                        at_period_end=True)  # fmt: skip
    run_tick(FEB + TICK)
    run_tick(FEB + 2 * TICK)
    assert bills(customer) == [(JAN, [("fixed_fee", D("31.00"))]),
                               (FEB, [("proration", D("-11.00"))])]  # fmt: skip


def test_a_late_event_of_a_time_weighted_metric_corrects_every_later_window() -> None:
    from tests.catalog.factories import metric

    seats = metric("seats", aggregation="weighted_sum", field_name="n")
    level = make_level_plan(seats)
    customer = a_customer("c")
    subscription_create(customer_id=customer.pk, plan_id=level.pk, actor=TEST_ACTOR, as_of=JAN)
    send("c", JAN + timedelta(days=9), 10, metric_code="seats", field="n")  # +10 from Jan 10
    run_tick(FEB + TICK)
    run_tick(MAR + TICK)
    # late: +5 from Jan 20, after both invoices are final
    send("c", JAN + timedelta(days=19), 5, metric_code="seats", field="n",
         received=MAR + timedelta(days=1))  # fmt: skip
    dispatch(MAR + timedelta(days=1))
    found = {c.period_start: c.difference for c in Correction.objects.all()}
    # January: 5 more for 12 of 31 days = 1.94 (10 x 22/31 + 5 x 12/31 = 9.03 from 7.10);
    # February: 5 more all month = 5.00
    assert found == {JAN: D("1.93"), FEB: D("5.00")}


def make_level_plan(seats: Any) -> Any:
    from tests.catalog.factories import plan as make_plan
    from tests.catalog.factories import published_version

    level = make_plan("level")
    published_version(level, JAN, [{"metric": seats, "pricing_model": "per_unit",
                                    "params": {"unit_price": "1.00"}}],
                      fixed_fee=D(0), fee_timing="arrears")  # fmt: skip
    return level


def test_an_arrears_fee_starts_when_the_trial_ends_whatever_the_anchor() -> None:
    plan = usage_plan("arr", "31.00", unit_price=None, trial_days=14)
    customer = a_customer("c")
    # periods from Jan 1, the trial to Jan 15
    subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN,
                        billing_anchor=JAN.date())  # fmt: skip
    for day in (14, 15, 31):
        run_tick(JAN + timedelta(days=day) + TICK)
    assert bills(customer) == [(FEB, [("fixed_fee", D("17.00"))])]  # Jan 15 - Feb 1


def test_an_end_date_set_after_the_fee_in_advance_was_billed_credits_the_rest() -> None:
    plan = usage_plan("adv", "31.00", timing="advance", unit_price=None)
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                              as_of=JAN)  # fmt: skip
    run_tick(JAN + TICK)
    subscription_end(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=4),
                     ends_at=JAN + timedelta(days=20))  # fmt: skip
    run_tick(JAN + timedelta(days=20) + TICK)
    assert bills(customer) == [
        (JAN, [("fixed_fee", D("31.00"))]),
        (JAN + timedelta(days=20), [("proration", D("-11.00"))]),  # Jan 21 - Feb 1
    ]


def test_a_quantity_change_keeps_the_price_book_of_the_period() -> None:
    plan = usage_plan("seat", "31.00", timing="advance", unit_price="0.10")
    version = plan.versions.get()
    new = catalog.plan_version_copy(version_id=version.pk, actor=TEST_ACTOR, as_of=JAN,
                                    effective_from=JAN + timedelta(days=14))  # fmt: skip
    catalog.plan_version_update(version_id=new.pk, actor=TEST_ACTOR, as_of=JAN,
                                data={"fixed_fee": D("62.00")})  # fmt: skip
    catalog.plan_version_publish(version_id=new.pk, actor=TEST_ACTOR, as_of=JAN)
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                              as_of=JAN)  # fmt: skip
    run_tick(JAN + TICK)
    send("c", JAN + timedelta(days=2), 100)  # 10.00 at v1's 0.10
    subscription_change(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=20),
                        quantity=2, when="now")  # 11 of 31 days left, at v1's 31.00  # fmt: skip
    run_tick(FEB + TICK)
    february = dict(bills(customer))[FEB]
    assert ("proration", D("-11.00")) in february
    assert ("proration", D("22.00")) in february
    assert ("usage", D("10.00")) in february
    assert ("fixed_fee", D("124.00")) in february  # February at v2, 2 seats


def test_a_proposed_correction_survives_a_re_rating_of_another_window() -> None:
    weekly = usage_plan("weekly", "7.00", interval_unit="week", unit_price="0.05")
    monthly = usage_plan("monthly", "31.00", unit_price=None)
    customer = a_customer("c")
    subscription_create(customer_id=customer.pk, plan_id=monthly.pk, actor=TEST_ACTOR, as_of=JAN)
    subscription_create(customer_id=customer.pk, plan_id=weekly.pk, actor=TEST_ACTOR,
                        as_of=JAN + timedelta(days=3))  # weeks from Jan 4  # fmt: skip
    for day in range(3, 33):
        run_tick(JAN + timedelta(days=day) + TICK)
    feb = Invoice.objects.get(customer=customer, billing_date=FEB)
    assert feb.status == "open"
    # a late event in the week Jan 25 - Feb 1 (on the Feb 1 invoice), then one of January 3
    send("c", JAN + timedelta(days=27), 100, received=FEB + timedelta(days=2))
    dispatch(FEB + timedelta(days=2))
    send("c", JAN + timedelta(days=2), 100, received=FEB + timedelta(days=3))
    dispatch(FEB + timedelta(days=3))
    proposed = Correction.objects.filter(invoice=feb, status="proposed")
    assert [(c.metric_code, c.difference) for c in proposed] == [("api_calls", D("5.00"))]


def test_an_anchor_before_the_start_charges_an_arrears_fee_from_the_start() -> None:
    plan = usage_plan("arr", "31.00", unit_price=None)
    customer = a_customer("c")
    subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                        as_of=JAN + timedelta(days=9), billing_anchor=JAN.date())  # fmt: skip
    for day in (9, 31):
        run_tick(JAN + timedelta(days=day) + TICK)
    assert bills(customer) == [(FEB, [("fixed_fee", D("22.00"))])]  # Jan 10 - Feb 1: 22/31


def test_usage_in_a_trial_is_not_billed_whatever_the_anchor() -> None:
    plan = usage_plan("trial", "31.00", unit_price="0.10", trial_days=14)
    customer = a_customer("c")
    # periods from Jan 1; the trial from Jan 10 to Jan 24
    subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                        as_of=JAN + timedelta(days=9), billing_anchor=JAN.date())  # fmt: skip
    send("c", JAN + timedelta(days=14), 100)  # Jan 15, in the trial: free
    send("c", JAN + timedelta(days=25), 30)  # Jan 26: 3.00
    for day in (9, 23, 24, 31):
        run_tick(JAN + timedelta(days=day) + TICK)
    # the fee for Jan 24 - Feb 1 (8 of 31 days) and the usage after the trial only
    assert bills(customer) == [(FEB, [("fixed_fee", D("8.00")), ("usage", D("3.00"))])]


def test_an_empty_draft_is_never_numbered(api: Any) -> None:
    customer = a_customer("c")
    draft = invoice_draft_create(customer_id=customer.pk, as_of=JAN, actor=TEST_ACTOR)
    run_tick(JAN + TICK)  # past its grace period (none), but nothing on it
    draft.refresh_from_db()
    assert (draft.status, draft.finalized_at) == ("draft", None)
    refused = api.post(f"/api/v1/invoices/{draft.pk}/finalize/")
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "empty_invoice"
    invoice_line_add(invoice_id=draft.pk, description="Setup", amount=D("10.00"),
                     quantity=D(1), as_of=JAN + TICK, actor=TEST_ACTOR)  # fmt: skip
    run_tick(JAN + 2 * TICK)
    draft.refresh_from_db()
    assert (draft.status, draft.total) == ("open", D("10.00"))


def test_a_line_too_large_to_store_is_refused(api: Any) -> None:
    customer = a_customer("c")
    draft = invoice_draft_create(customer_id=customer.pk, as_of=JAN, actor=TEST_ACTOR)
    response = api.post(f"/api/v1/invoices/{draft.pk}/lines/",
                        {"description": "x", "amount": "9999999999999999", "quantity": "10"},
                        format="json")  # fmt: skip
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("amount", "max_value")
    assert not draft.lines.exists()


def test_each_pause_credit_names_the_part_of_its_period_it_covers() -> None:
    """Issue 10, item 5: a pause across two periods gives one credit per period, each naming
    (and explaining) its own part, so its amount can be reproduced from the line."""
    from billing.models import ProrationLine

    plan = usage_plan("adv", "31.00", timing="advance", unit_price=None)
    customer = a_customer("c")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                              as_of=JAN)  # fmt: skip
    subscription_pause(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=JAN + timedelta(days=20))
    subscription_resume(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=FEB + timedelta(days=10))
    credits = ProrationLine.objects.filter(subscription=sub).order_by("period_start")
    assert [(c.description, c.amount_rounded) for c in credits] == [
        ("Paused time on adv@v1 x 1 (2026-01-21 to 2026-02-01)", D("-11.00")),  # 11 of 31 days
        ("Paused time on adv@v1 x 1 (2026-02-01 to 2026-02-11)", D("-11.07")),  # 10 of 28 days
    ]
    assert [c.explanation["part"] for c in credits] == [
        {"start": "2026-01-21T00:00:00+00:00", "end": "2026-02-01T00:00:00+00:00"},
        {"start": "2026-02-01T00:00:00+00:00", "end": "2026-02-11T00:00:00+00:00"},
    ]
