"""Coupons limited to metrics or charges, and coupons lasting N calendar months, through the one
billing writer (subscriptions_bill), the planner and the upcoming invoice. Amounts by hand.

The months window is [redeemed_at, redeemed_at + N calendar months): the redemption's local date
and time in the customer's time zone moved by N months (the day clamped to the month's end, as
the clock's periods are), so a coupon redeemed when a subscription starts on Jan 15 discounts
the invoices dated Jan 15 .. Apr 14 and not the one of Apr 15, whatever the zone."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from billing.models import CouponRedemption, Customer, Subscription
from billing.services import coupon_redeem, subscription_create, usage_ingest
from catalog import services as catalog
from catalog.models import BillableMetric, Charge, Coupon, Plan
from invoicing import planner
from invoicing.models import Invoice
from invoicing.selectors import upcoming_invoice
from invoicing.services import subscriptions_bill
from tests.billing.factories import CustomerFactory as _CustomerFactory
from tests.catalog.factories import metric
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
D = Decimal
JAN, FEB = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
JAN15 = datetime(2026, 1, 15, tzinfo=UTC)


def CustomerFactory(**fields: Any) -> Customer:  # the factory, typed
    return _CustomerFactory(**fields)  # type: ignore[return-value]


def plus_months(instant: datetime, months: int, zone: str) -> datetime:
    """The test's own calendar months: the local date's month moved, its day clamped."""
    local = instant.astimezone(ZoneInfo(zone))
    year, month = divmod(local.month - 1 + months, 12)
    year, month = local.year + year, month + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(UTC)


def a_plan(
    code: str = "pro",
    *,
    fee: str = "30.00",
    timing: str = "arrears",
    unit: str = "month",
    charges: bool = True,
    since: datetime = JAN,
) -> Plan:
    """A fixed fee, and api_calls at 0.01 a call and storage at 0.50 a GB."""
    pro = catalog.plan_create(
        actor=TEST_ACTOR, as_of=JAN,
        data={"code": code, "name": code.title(), "currency": "USD", "interval_unit": unit},
    )  # fmt: skip
    specs = []
    if charges:
        calls = metric("api_calls", field_name="calls")
        storage = metric("storage_gb", field_name="gb")
        specs = [
            {"metric": calls, "pricing_model": "per_unit", "params": {"unit_price": "0.01"}},
            {"metric": storage, "pricing_model": "per_unit", "params": {"unit_price": "0.50"}},
        ]
    version = catalog.plan_version_create(
        plan_id=pro.pk, actor=TEST_ACTOR, as_of=JAN,
        data={"effective_from": since, "fixed_fee": D(fee), "fee_timing": timing}, charges=specs,
    )  # fmt: skip
    catalog.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=JAN)
    return pro


def used(customer: Customer, calls: int, gb: str) -> None:
    usage_ingest(
        events=[
            {"event_id": f"{customer.external_id}-c", "customer": customer.external_id,
             "metric": "api_calls", "event_time": "2026-01-05T10:00:00Z",
             "properties": {"calls": calls}},
            {"event_id": f"{customer.external_id}-g", "customer": customer.external_id,
             "metric": "storage_gb", "event_time": "2026-01-06T10:00:00Z",
             "properties": {"gb": gb}},
        ],
        actor=TEST_ACTOR,
        as_of=JAN + timedelta(days=7),
    )  # fmt: skip


def coupon(code: str, *, metrics: tuple[str, ...] = (), charges: tuple[int, ...] = (),
           **data: Any) -> Coupon:  # fmt: skip
    return catalog.coupon_create(
        actor=TEST_ACTOR, as_of=JAN, data={"code": code, "name": code.title(), **data},
        metric_ids=[m.pk for m in BillableMetric.objects.filter(code__in=metrics)],
        charge_ids=list(charges),
    )  # fmt: skip


def bill(customer: Customer, as_of: datetime) -> Invoice:
    subs = list(Subscription.objects.filter(customer=customer).values_list("pk", flat=True))
    subscriptions_bill(subscription_ids=subs, as_of=as_of, actor=TEST_ACTOR)
    return Invoice.objects.get(customer=customer, billing_date=as_of, kind="billing")


def lines(invoice: Invoice) -> list[tuple[str, str, Decimal]]:
    return sorted((line.kind, line.metric_code, line.amount) for line in invoice.lines.all())


def same_as_preview(preview: dict[str, Any], invoice: Invoice) -> None:
    planned = sorted((line["kind"], line["amount"]) for line in preview["lines"])
    assert planned == sorted((line.kind, line.amount) for line in invoice.lines.all())
    assert (preview["subtotal"], preview["total"]) == (invoice.subtotal, invoice.total)


# --------------------------------------------------------------------- limited to metrics


def test_a_percentage_limited_to_a_metric_discounts_its_usage_only() -> None:
    a_plan()
    coupon("calls", kind="percent", percent_off=D(20), duration="forever", metrics=("api_calls",))
    customer = CustomerFactory(external_id="m1")
    subscription_create(
        customer_id=customer.pk, plan_id=Plan.objects.get().pk, actor=TEST_ACTOR, as_of=JAN
    )
    used(customer, 1250, "14")  # 1250 x 0.01 = 12.50; 14 x 0.50 = 7.00
    coupon_redeem(customer_id=customer.pk, coupon_code="calls", actor=TEST_ACTOR, as_of=JAN)
    preview = upcoming_invoice(customer_id=customer.pk, as_of=JAN + timedelta(days=20))
    invoice = bill(customer, FEB)
    # 20% of the api_calls line only: 12.50 x 20% = 2.50 (not of 30.00 + 12.50 + 7.00)
    assert lines(invoice) == [
        ("discount", "", D("-2.50")),
        ("fixed_fee", "", D("30.00")),
        ("usage", "api_calls", D("12.50")),
        ("usage", "storage_gb", D("7.00")),
    ]
    assert invoice.subtotal == D("47.00")  # 30.00 + 12.50 + 7.00 - 2.50
    discount = invoice.lines.get(kind="discount")
    assert discount.explanation["formula"] == "12.50 x 20% = 2.50"
    assert discount.explanation["metrics"] == ["api_calls"]
    assert discount.explanation["lines"] == ["Api Calls (1250)"]
    same_as_preview(preview, invoice)


def test_a_fixed_amount_limited_to_a_charge_never_exceeds_it() -> None:
    pro = a_plan()
    storage = Charge.objects.get(plan_version__plan=pro, metric__code="storage_gb")
    coupon("ten", kind="fixed", amount_off=D(10), currency="USD", duration="once",
           charges=(storage.pk,))  # fmt: skip
    customer = CustomerFactory(external_id="m2")
    subscription_create(customer_id=customer.pk, plan_id=pro.pk, actor=TEST_ACTOR, as_of=JAN)
    used(customer, 1250, "12")  # 12.50; 12 x 0.50 = 6.00
    redemption = coupon_redeem(
        customer_id=customer.pk, coupon_code="ten", actor=TEST_ACTOR, as_of=JAN
    )
    preview = upcoming_invoice(customer_id=customer.pk, as_of=JAN + timedelta(days=20))
    invoice = bill(customer, FEB)
    # min(10.00, 6.00) = 6.00: what the storage charge billed, not the 10.00 off
    assert invoice.lines.get(kind="discount").amount == D("-6.00")
    assert invoice.subtotal == D("42.50")  # 30.00 + 12.50 + 6.00 - 6.00
    same_as_preview(preview, invoice)
    redemption.refresh_from_db()
    assert (redemption.status, redemption.amount_discounted) == ("used_up", D("6.00"))


def test_limited_coupons_stack_on_what_is_left_of_their_lines() -> None:
    """Pure planner: a 10% coupon on the whole invoice, then 20% limited to api_calls."""
    fee = planner.LineSpec(kind="fixed_fee", description="fee", amount=D("30.00"),
                           subscription_id=1, plan_id=1)  # fmt: skip
    calls = planner.LineSpec(kind="usage", description="calls", amount=D("12.50"),
                             metric_code="api_calls", charge_id=7, subscription_id=1,
                             plan_id=1)  # fmt: skip
    true_up = planner.LineSpec(kind="minimum", description="calls minimum", amount=D("2.00"),
                               metric_code="api_calls", charge_id=7, subscription_id=1,
                               plan_id=1)  # fmt: skip
    storage = planner.LineSpec(kind="usage", description="gb", amount=D("5.50"),
                               metric_code="storage_gb", charge_id=8, subscription_id=1,
                               plan_id=1)  # fmt: skip

    def c(rid: int, kind: str, off: str, **limits: Any) -> planner.Coupon:
        return planner.Coupon(
            redemption_id=rid, code=f"c{rid}", name="C", kind=kind,
            percent_off=D(off) if kind == "percent" else None,
            amount_off=D(off) if kind == "fixed" else None, currency="USD",
            duration="forever", duration_periods=None, status="active", subscription_id=None,
            plan_ids=frozenset(), discounted=frozenset(), **limits,
        )  # fmt: skip

    every = [fee, calls, true_up, storage]  # 30.00 + 12.50 + 2.00 + 5.50 = 50.00
    calls_only = frozenset({"api_calls"})
    found = planner.invoice_discounts(
        every, [c(1, "percent", "10"), c(2, "percent", "20", metric_codes=calls_only)], "USD"
    )
    # 10% of 50.00 = 5.00, spread: api_calls' lines keep 14.50 - 14.50 x 5.00 / 50.00 = 13.05;
    # 20% of 13.05 = 2.61
    assert [d.amount for d in found] == [D("-5.00"), D("-2.61")]
    # a fixed 10.00 on charge 8 (5.50 of storage): 5.50; on charge 7 (usage and its minimum):
    # min(10.00, 12.50 + 2.00) = 10.00
    only_8 = planner.invoice_discounts(
        every, [c(3, "fixed", "10", charge_ids=frozenset({8}))], "USD"
    )
    only_7 = planner.invoice_discounts(
        every, [c(4, "fixed", "10", charge_ids=frozenset({7}))], "USD"
    )
    assert [d.amount for d in only_8 + only_7] == [D("-5.50"), D("-10.00")]
    # a coupon limited to a metric the invoice does not bill gives nothing
    none = planner.invoice_discounts(
        every, [c(5, "percent", "50", metric_codes=frozenset({"seats"}))], "USD"
    )
    assert none == []


# ------------------------------------------------------------------------------ months


def redeemed_at_start(plan: Plan, zone: str, start: datetime, months: int) -> Customer:
    coupon(f"m{months}{plan.code}{zone[:3]}".lower(), kind="percent", percent_off=D(10),
           duration="months", duration_months=months)  # fmt: skip
    customer = CustomerFactory(timezone=zone)
    subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=start)
    coupon_redeem(
        customer_id=customer.pk, coupon_code=Coupon.objects.latest("id").code, actor=TEST_ACTOR,
        as_of=start,
    )  # fmt: skip
    return customer


def discounts_by_date(customer: Customer) -> dict[str, Decimal]:
    return {
        invoice.billing_date.astimezone(ZoneInfo(customer.timezone)).date().isoformat(): sum(
            (line.amount for line in invoice.lines.filter(kind="discount")), D(0)
        )
        for invoice in Invoice.objects.filter(customer=customer).order_by("billing_date")
    }


def test_a_three_months_coupon_on_a_monthly_plan() -> None:
    monthly = a_plan("monthly", timing="advance", charges=False)
    customer = redeemed_at_start(monthly, "UTC", JAN15, 3)
    for month in (1, 2, 3, 4, 5):
        bill(customer, JAN15.replace(month=month))
    # 10% of 30.00 = 3.00 on the invoices of Jan 15, Feb 15 and Mar 15; Apr 15 is outside
    # [Jan 15, Apr 15)
    assert discounts_by_date(customer) == {
        "2026-01-15": D("-3.00"), "2026-02-15": D("-3.00"), "2026-03-15": D("-3.00"),
        "2026-04-15": D(0), "2026-05-15": D(0),
    }  # fmt: skip
    redemption = CouponRedemption.objects.get(customer=customer)
    assert (redemption.status, redemption.periods_applied) == ("used_up", 3)
    discount = Invoice.objects.get(customer=customer, billing_date=JAN15).lines.get(kind="discount")
    assert discount.explanation["window"] == {
        "start": "2026-01-15T00:00:00+00:00", "end": "2026-04-15T00:00:00+00:00",
        "time_zone": "UTC",
    }  # fmt: skip


def test_a_three_months_coupon_on_a_weekly_plan() -> None:
    weekly = a_plan("weekly", fee="10.00", timing="advance", unit="week", charges=False)
    customer = redeemed_at_start(weekly, "UTC", JAN15, 3)
    dates = [JAN15 + timedelta(weeks=k) for k in range(15)]  # Jan 15 .. Apr 23
    for date in dates:
        bill(customer, date)
    found = discounts_by_date(customer)
    # Jan 15 + 12 weeks = Apr 9 (16 + 28 + 31 + 9 = 84 days) is the last in the window;
    # Apr 16 and Apr 23 are after Apr 15: 13 invoices at 10% of 10.00 = 1.00
    assert [found[d.date().isoformat()] for d in dates] == [D("-1.00")] * 13 + [D(0)] * 2
    assert dates[12].date().isoformat() == "2026-04-09"


def test_the_months_are_counted_in_the_customers_zone() -> None:
    """Started at midnight Jan 15 in New York (05:00 UTC, standard time); its invoices are
    dated at local midnights. Apr 15's is at 04:00 UTC (daylight time): 3 months in UTC would
    end at 05:00 UTC and discount it; 3 months in New York end at its local midnight: they do
    not."""
    monthly = a_plan("monthly", timing="advance", charges=False)
    start = datetime(2026, 1, 15, 5, tzinfo=UTC)
    customer = redeemed_at_start(monthly, "America/New_York", start, 3)
    for date in (start, start.replace(month=2), datetime(2026, 3, 15, 4, tzinfo=UTC)):
        bill(customer, date)  # daylight time from Mar 8: Mar 15 00:00 is 04:00 UTC
    april = datetime(2026, 4, 15, 4, tzinfo=UTC)
    preview = upcoming_invoice(customer_id=customer.pk, as_of=april - timedelta(hours=1))
    invoice = bill(customer, april)
    assert discounts_by_date(customer) == {
        "2026-01-15": D("-3.00"), "2026-02-15": D("-3.00"), "2026-03-15": D("-3.00"),
        "2026-04-15": D(0),
    }  # fmt: skip
    same_as_preview(preview, invoice)


def test_months_after_clamps_like_the_clock() -> None:
    assert planner.months_after(datetime(2026, 1, 31, 12, tzinfo=UTC), 1, "UTC") == datetime(
        2026, 2, 28, 12, tzinfo=UTC
    )
    # 23:00 UTC on Jan 31 is Feb 1 in Paris: + 1 month is Mar 1 00:00 Paris = Feb 28 23:00 UTC
    assert planner.months_after(
        datetime(2026, 1, 31, 23, tzinfo=UTC), 1, "Europe/Paris"
    ) == datetime(2026, 2, 28, 23, tzinfo=UTC)


# ------------------------------------------------- the upcoming invoice is the real invoice


ZONES = ("UTC", "America/New_York", "Asia/Tokyo")


@hsettings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zone=st.sampled_from(ZONES),
    minutes=st.integers(min_value=0, max_value=120 * 24 * 60),
    months=st.integers(min_value=1, max_value=3),
    limited=st.booleans(),
)
@example(zone="America/New_York", minutes=0, months=3, limited=False)  # at the start: 3 fees
@example(zone="Asia/Tokyo", minutes=31 * 24 * 60, months=1, limited=True)  # Feb 1 to Mar 1
def test_the_upcoming_invoice_is_the_real_invoice_whenever_a_months_coupon_is_redeemed(
    zone: str, minutes: int, months: int, limited: bool
) -> None:
    if not Plan.objects.filter(code="pro").exists():
        a_plan("pro", timing="advance", since=JAN - timedelta(days=1))  # Tokyo's Jan 1
    pro = Plan.objects.get(code="pro")
    n = Customer.objects.count()
    code = f"h{n}"
    coupon(code, kind="percent", percent_off=D(10), duration="months", duration_months=months,
           metrics=("api_calls",) if limited else ())  # fmt: skip
    customer = CustomerFactory(external_id=f"h{n}", timezone=zone)
    start = datetime(2026, 1, 1, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    subscription_create(customer_id=customer.pk, plan_id=pro.pk, actor=TEST_ACTOR, as_of=start)
    redeemed = start + timedelta(minutes=minutes)
    end = plus_months(redeemed, months, zone)
    dates = [
        datetime(2026, 1 + k, 1, tzinfo=ZoneInfo(zone)).astimezone(UTC) for k in range(6)
    ]  # its local first days: Jan 1 .. Jun 1
    done = False
    for k, date in enumerate(dates):
        if k:  # usage in the period ending on `date`: 100 calls (1.00) and 2 GB (1.00)
            usage_ingest(
                events=[
                    {"event_id": f"{code}-{k}-c", "customer": customer.external_id,
                     "metric": "api_calls", "event_time": (date - timedelta(days=3)).isoformat(),
                     "properties": {"calls": 100}},
                    {"event_id": f"{code}-{k}-g", "customer": customer.external_id,
                     "metric": "storage_gb", "event_time": (date - timedelta(days=3)).isoformat(),
                     "properties": {"gb": "2"}},
                ],
                actor=TEST_ACTOR, as_of=date - timedelta(days=2),
            )  # fmt: skip
        if not done and redeemed <= date:
            coupon_redeem(customer_id=customer.pk, coupon_code=code, actor=TEST_ACTOR,
                          as_of=redeemed)  # fmt: skip
            done = True
        preview = upcoming_invoice(customer_id=customer.pk, as_of=date - timedelta(seconds=1))
        invoice = bill(customer, date)
        same_as_preview(preview, invoice)
        discount = sum((line.amount for line in invoice.lines.filter(kind="discount")), D(0))
        # the window by the test's own calendar months, in the customer's zone
        inside = redeemed <= date < end
        # 10% of the fee 30.00 and the usage 2.00 = 3.20; of the api_calls usage 1.00 = 0.10
        expected = (D("-0.10") if k else D(0)) if limited else (D("-3.20") if k else D("-3.00"))
        assert discount == (expected if inside else D(0)), (date, redeemed, end)
