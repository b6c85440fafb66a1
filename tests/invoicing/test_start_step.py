"""A subscription's start step (issue 17, items 2 and 14): a price book's one-time fees (a setup
fee) billed once on the invoice of the day it starts, in full or prorated like the first period's
fee, and a free trial's zero invoice; through the clock, the one writer and the upcoming invoice.
Amounts computed by hand in the comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import Subscription
from billing.services import coupon_redeem, journal_dispatch, subscription_create
from catalog import services as catalog
from catalog.models import Plan
from invoicing.models import BilledPeriod, Invoice
from invoicing.selectors import upcoming_invoice
from invoicing.services import subscriptions_to_bill
from invoicing.services.finalize import invoice_render_pdf
from payments.models import Payment
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_invoices import run_tick

pytestmark = pytest.mark.django_db
D = Decimal
JAN10 = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)  # a start at 10:00 on Jan 10
APR = datetime(2026, 4, 1, tzinfo=UTC)
TICK = timedelta(minutes=5)
SETUP = {"name": "Setup", "amount": D("50.00")}
serial = count()


def make_plan(
    code: str,
    *,
    fee: str = "20.00",
    timing: str = "advance",
    fees: list[dict[str, Any]] | None = None,
    trial_days: int = 0,
    trial_invoice: bool = False,
    calendar: bool = False,
    **data: Any,
) -> Plan:
    plan = catalog.plan_create(
        actor=TEST_ACTOR,
        as_of=JAN10,
        data={"code": code, "name": code.title(), "currency": "USD", "interval_unit": "month",
              "calendar_aligned": calendar},
    )  # fmt: skip
    version = catalog.plan_version_create(
        plan_id=plan.pk,
        actor=TEST_ACTOR,
        as_of=JAN10,
        data={"effective_from": datetime(2025, 1, 1, tzinfo=UTC), "fixed_fee": D(fee),
              "fee_timing": timing, "trial_days": trial_days, "trial_invoice": trial_invoice,
              **data},
        one_time_fees=fees or [],
    )  # fmt: skip
    catalog.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=JAN10)
    return plan


def subscribe(plan: Plan, start: datetime, as_of: datetime | None = None) -> Subscription:
    customer = CustomerFactory(external_id=f"s{next(serial)}")
    return subscription_create(
        customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=as_of or start,
        start_at=start,
    )  # fmt: skip


def lines(invoice: Invoice) -> list[tuple[str, Decimal]]:
    return [(line.kind, line.amount) for line in invoice.lines.order_by("position")]


def invoice_on(sub: Subscription, day: datetime) -> Invoice:
    return Invoice.objects.get(customer_id=sub.customer_id, billing_date=day)


def test_a_setup_fee_in_full_is_on_the_first_invoice_with_the_fee_in_advance_once() -> None:
    plan = make_plan("adv", fees=[SETUP])
    sub = subscribe(plan, JAN10)
    assert sub.pk in subscriptions_to_bill(as_of=JAN10 + TICK)
    run_tick(JAN10 + TICK)
    first = invoice_on(sub, datetime(2026, 1, 10, tzinfo=UTC))  # the start's day
    # 50.00 once, in full; the monthly fee in advance for Jan 10 - Feb 10 whole: 20.00
    assert lines(first) == [("one_time", D("50.00")), ("fixed_fee", D("20.00"))]
    assert first.total == D("70.00")
    assert first.status == "open"
    setup = first.lines.get(kind="one_time")
    assert setup.description == "Setup"
    assert setup.explanation["formula"] == "50 in full"
    assert setup.explanation["price_version"] == "adv@v1"
    # run again, and at the next period: the setup fee is never billed again
    run_tick(JAN10 + 2 * TICK)
    run_tick(datetime(2026, 2, 10, 0, 5, tzinfo=UTC))
    assert BilledPeriod.objects.filter(subscription=sub, kind="start").count() == 1
    second = invoice_on(sub, datetime(2026, 2, 10, tzinfo=UTC))
    assert lines(second) == [("fixed_fee", D("20.00"))]
    assert Invoice.objects.filter(customer_id=sub.customer_id).count() == 2


def test_a_setup_fee_with_a_fee_in_arrears_is_billed_at_the_start_not_at_the_period_end() -> None:
    plan = make_plan("arr", timing="arrears", fees=[SETUP])
    sub = subscribe(plan, JAN10)
    run_tick(JAN10 + TICK)
    # the start's invoice: the setup fee alone (the fee in arrears comes at the period end)
    assert lines(invoice_on(sub, datetime(2026, 1, 10, tzinfo=UTC))) == [("one_time", D("50"))]
    run_tick(datetime(2026, 2, 10, 0, 5, tzinfo=UTC))
    assert lines(invoice_on(sub, datetime(2026, 2, 10, tzinfo=UTC))) == [("fixed_fee", D("20"))]


def test_a_prorated_setup_fee_is_the_share_of_a_calendar_stub() -> None:
    fees = [SETUP, {"name": "Onboarding", "amount": D("9.99"), "prorate": True}]
    plan = make_plan("cal", calendar=True, fees=[{**SETUP, "prorate": True}, fees[1]])
    start = datetime(2026, 4, 10, 15, 30, tzinfo=UTC)
    sub = subscribe(plan, start)
    run_tick(start + TICK)
    first = invoice_on(sub, datetime(2026, 4, 10, tzinfo=UTC))
    # the stub runs from Apr 10 00:00 to May 1 00:00: 21 of April's 30 days (1,814,400 of
    # 2,592,000 s). Setup 50.00 x 21/30 = 35.00; onboarding 9.99 x 21/30 = 6.993 -> 6.99;
    # the fee in advance 20.00 x 21/30 = 14.00
    assert lines(first) == [
        ("one_time", D("35.00")),
        ("one_time", D("6.99")),
        ("fixed_fee", D("14.00")),
    ]
    setup = first.lines.get(description="Setup")
    assert setup.explanation["part_seconds"] == 21 * 86400
    assert setup.explanation["period_seconds"] == 30 * 86400
    assert setup.explanation["formula"] == "50 x 1814400 / 2592000 s = 35"
    assert (setup.period_start, setup.period_end) == (
        datetime(2026, 4, 10, tzinfo=UTC),
        datetime(2026, 5, 1, tzinfo=UTC),
    )


def test_a_prorated_setup_fee_follows_the_books_proration_unit() -> None:
    """New York, a calendar plan, a start on Mar 10, 2026 (after the DST change of Mar 8): the
    stub is Mar 10 - Apr 1 local, 22 days = 1,900,800 s, of March's 31 days = 2,674,800 s (one
    hour short). By the second: 50.00 x 1,900,800 / 2,674,800 = 35.5316... -> 35.53; by whole
    days: 50.00 x 22 / 31 = 35.4838... -> 35.48."""
    prorated = [{**SETUP, "prorate": True}]
    by_second = make_plan("ny_s", calendar=True, fees=prorated)
    by_day = make_plan("ny_d", calendar=True, fees=prorated, proration_unit="day")
    start = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 11:00 in New York
    found = {}
    for plan in (by_second, by_day):
        customer = CustomerFactory(external_id=f"ny{next(serial)}", timezone="America/New_York")
        subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=start)
        run_tick(start + TICK)
        invoice = Invoice.objects.get(customer=customer)
        found[plan.code] = invoice.lines.get(kind="one_time")
    assert found["ny_s"].amount == D("35.53")
    assert found["ny_s"].explanation["formula"] == "50 x 1900800 / 2674800 s = " + str(
        D(50) * 1900800 / 2674800
    )
    assert found["ny_d"].amount == D("35.48")
    assert (
        found["ny_d"].explanation["part_seconds"],
        found["ny_d"].explanation["period_seconds"],
    ) == (22, 31)


def test_a_free_trial_with_a_trial_invoice_has_a_zero_invoice_at_its_start() -> None:
    plan = make_plan("trial", trial_days=14, trial_invoice=True)
    sub = subscribe(plan, JAN10)
    assert sub.status == "trialing"
    assert sub.pk in subscriptions_to_bill(as_of=JAN10 + TICK)
    run_tick(JAN10 + TICK)
    journal_dispatch(as_of=JAN10 + TICK)  # collection hears invoice.finalized
    zero = invoice_on(sub, datetime(2026, 1, 10, tzinfo=UTC))
    assert lines(zero) == [("trial", D("0"))]
    line = zero.lines.get()
    assert line.description == "Free trial of Trial until 2026-01-24"
    # finalized with a number, paid at once (a zero total), nothing to collect
    assert zero.status == "paid"
    assert zero.number
    assert zero.total == D("0")
    assert not Payment.objects.filter(customer_id=sub.customer_id).exists()
    rendered = invoice_render_pdf(invoice_id=zero.pk, as_of=JAN10 + TICK)  # its document
    assert rendered.pdf_sha256
    # the trial ends on Jan 24: the first paid invoice, 20.00 in advance for Jan 24 - Feb 24
    run_tick(datetime(2026, 1, 24, 0, 5, tzinfo=UTC))
    paid = invoice_on(sub, datetime(2026, 1, 24, tzinfo=UTC))
    assert lines(paid) == [("fixed_fee", D("20.00"))]
    assert BilledPeriod.objects.filter(subscription=sub, kind="start").count() == 1


def test_a_trial_without_a_trial_invoice_and_without_fees_bills_nothing_at_its_start() -> None:
    plan = make_plan("quiet", trial_days=14)
    sub = subscribe(plan, JAN10)
    assert sub.pk not in subscriptions_to_bill(as_of=JAN10 + TICK)
    run_tick(JAN10 + TICK)
    assert not Invoice.objects.filter(customer_id=sub.customer_id).exists()
    assert not BilledPeriod.objects.filter(subscription=sub).exists()


def test_a_setup_fee_in_a_trial_is_billed_at_the_start_with_the_zero_line() -> None:
    plan = make_plan("trialfee", trial_days=14, trial_invoice=True, fees=[SETUP])
    sub = subscribe(plan, JAN10)
    run_tick(JAN10 + TICK)
    start = invoice_on(sub, datetime(2026, 1, 10, tzinfo=UTC))
    assert lines(start) == [("trial", D("0")), ("one_time", D("50.00"))]
    assert start.status == "open"


def test_a_coupon_discounts_the_setup_fee() -> None:
    catalog.coupon_create(
        actor=TEST_ACTOR, as_of=JAN10,
        data={"code": "ten", "name": "Ten", "kind": "percent", "percent_off": D(10),
              "duration": "forever"},
    )  # fmt: skip
    plan = make_plan("coup", fees=[SETUP])
    customer = CustomerFactory(external_id="coup")
    # redeemed the day before: it discounts invoices dated from then on
    coupon_redeem(customer_id=customer.pk, coupon_code="ten", actor=TEST_ACTOR,
                  as_of=JAN10 - timedelta(days=1))  # fmt: skip
    sub = subscription_create(
        customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN10
    )
    run_tick(JAN10 + TICK)
    first = invoice_on(sub, datetime(2026, 1, 10, tzinfo=UTC))
    # 10% of (50.00 + 20.00) = 7.00
    assert first.lines.get(kind="discount").amount == D("-7.00")
    assert first.total == D("63.00")


def test_a_pending_subscription_upcoming_invoice_shows_its_setup_fee() -> None:
    plan = make_plan("later", fees=[SETUP])
    sub = subscribe(plan, JAN10, as_of=JAN10 - timedelta(days=5))
    assert sub.status == "pending"
    preview = upcoming_invoice(customer_id=sub.customer_id, as_of=JAN10 - timedelta(days=5))
    assert preview["billing_date"] == datetime(2026, 1, 10, tzinfo=UTC)
    assert [(r["kind"], r["amount"]) for r in preview["lines"]] == [
        ("one_time", D("50.00")),
        ("fixed_fee", D("20.00")),
    ]
    run_tick(JAN10 + TICK)
    assert lines(invoice_on(sub, datetime(2026, 1, 10, tzinfo=UTC))) == [
        ("one_time", D("50.00")),
        ("fixed_fee", D("20.00")),
    ]


def _catalog() -> dict[str, Plan]:
    if not Plan.objects.filter(code="p_adv").exists():
        prorated = {**SETUP, "prorate": True}
        make_plan("p_adv", fees=[SETUP])
        make_plan("p_arr", timing="arrears", fees=[prorated])
        make_plan("p_cal", calendar=True, fees=[prorated, {"name": "Kit", "amount": D("7.77")}])
        make_plan("p_trial", trial_invoice=True, fees=[prorated])
        make_plan("p_trial_cal", calendar=True, trial_invoice=True)
    return {p.code: p for p in Plan.objects.all()}


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    code=st.sampled_from(["p_adv", "p_arr", "p_cal", "p_trial", "p_trial_cal"]),
    day=st.integers(min_value=0, max_value=27),
    hour=st.integers(min_value=0, max_value=23),
    trial=st.sampled_from([0, 3, 14]),
    ahead=st.sampled_from([0, 2]),
)
def test_the_upcoming_invoice_equals_the_start_invoice(
    code: str, day: int, hour: int, trial: int, ahead: int
) -> None:
    plans = _catalog()
    start = APR + timedelta(days=day, hours=hour)
    created = start - timedelta(days=ahead)  # a pending subscription, or a new one
    customer = CustomerFactory(external_id=f"h{next(serial)}")
    sub = subscription_create(
        customer_id=customer.pk, plan_id=plans[code].pk, actor=TEST_ACTOR, as_of=created,
        start_at=start, trial_days=trial if code.startswith("p_trial") else 0,
    )  # fmt: skip
    preview = upcoming_invoice(customer_id=customer.pk, as_of=created)
    run_tick(start + TICK)
    run_tick(start + 2 * TICK)  # a rerun bills nothing more
    real = Invoice.objects.filter(customer=customer).order_by("billing_date")
    if preview["billing_date"] > start + TICK:  # a trial with nothing at its start
        assert trial
        assert not real.exists()
        return
    invoice = real.first()
    assert invoice is not None
    assert invoice.billing_date == preview["billing_date"]
    assert [(r["kind"], r["description"], r["amount"]) for r in preview["lines"]] == [
        (line.kind, line.description, line.amount) for line in invoice.lines.order_by("position")
    ]
    assert invoice.total == preview["total"]
    assert BilledPeriod.objects.filter(subscription=sub, kind="start").count() <= 1
    assert invoice.lines.filter(kind="one_time").count() == len(
        plans[code].versions.get().one_time_fees.all()
    )
