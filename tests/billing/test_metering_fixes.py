"""Issue 17 review of metering (recurring metrics and prorated charges): whole days are the fee's
local days, a cut window follows the change-day rule, current usage prorates a stub as the
upcoming invoice does, ids follow the batch order, a new subscription does not carry the
level of the customer's earlier ones. Amounts computed by hand in the comments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing import periods
from billing.aggregation import aggregate_one, current_usage, prorated_windows
from billing.models import UsageEvent
from billing.proration import DAY, Rule
from billing.services import subscription_cancel, subscription_create, usage_ingest
from catalog import services as catalog
from invoicing.models import Invoice
from invoicing.selectors import upcoming_invoice
from invoicing.services import subscriptions_bill
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import metric
from tests.conftest import TEST_ACTOR

D = Decimal
NY = ZoneInfo("America/New_York")
APR = datetime(2026, 4, 1, tzinfo=UTC)


def seats_metric() -> Any:
    return catalog.BillableMetric.objects.filter(code="seats").first() or metric(
        "seats", aggregation="sum", field_name="n", allow_negative=True, recurring=True
    )


def seat_plan(code: str, unit: str, since: datetime, fee: str = "0", calendar: bool = False) -> Any:
    plan = catalog.plan_create(
        actor=TEST_ACTOR,
        as_of=since,
        data={
            "code": code,
            "name": code,
            "currency": "USD",
            "interval_unit": "month",
            "calendar_aligned": calendar,
        },
    )
    version = catalog.plan_version_create(
        plan_id=plan.pk,
        actor=TEST_ACTOR,
        as_of=since,
        data={
            "effective_from": since,
            "fixed_fee": D(fee),
            "fee_timing": "arrears",
            "proration_unit": unit,
        },
        charges=[
            {
                "metric": seats_metric(),
                "pricing_model": "per_unit",
                "params": {"unit_price": "10", "prorated": True},
            }
        ],
    )
    catalog.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=since)
    return plan


def ev(event_id: str, customer: str, at: datetime, n: int) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "customer": customer,
        "metric": "seats",
        "event_time": at.isoformat(),
        "properties": {"n": n},
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("when", "expected"),
    [
        # 5 seats from Mar 1, +3 at 00:30 local on Mar 20 (after the spring-forward of Mar 8):
        # local days 5 x 19 + 8 x 12 = 191; 191 / 31 = 6.161290322581 x 10 = 61.61
        # (24-hour UTC steps from the window's start made it 5 x 18 + 8 x 13 = 194 -> 62.58)
        (datetime(2026, 3, 20, 0, 30, tzinfo=NY), D("61.61")),
        # +3 at 23:30 local on Mar 19: day 19 at the new level: 5 x 18 + 8 x 13 = 194 -> 62.58
        (datetime(2026, 3, 19, 23, 30, tzinfo=NY), D("62.58")),
    ],
)
def test_prorated_days_are_the_fees_local_days_across_dst(when: datetime, expected: D) -> None:
    start, end = datetime(2026, 3, 1, tzinfo=NY), datetime(2026, 4, 1, tzinfo=NY)
    customer = CustomerFactory(external_id="ny", timezone="America/New_York")
    plan = seat_plan("team", "day", start.astimezone(UTC))
    sub = subscription_create(
        customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=start
    )
    usage_ingest(
        events=[ev("a", "ny", start, 5), ev("b", "ny", when, 3)],
        actor=TEST_ACTOR,
        as_of=end - timedelta(hours=1),
    )
    subscriptions_bill(subscription_ids=[sub.pk], as_of=end + timedelta(hours=1), actor=TEST_ACTOR)
    line = Invoice.objects.get(customer=customer, kind="billing").lines.get(metric_code="seats")
    assert line.amount == expected
    proration = line.explanation["proration"]
    assert proration["reference_length"] == "31 days"
    assert proration["time_zone"] == "America/New_York"


@pytest.mark.django_db
@pytest.mark.parametrize("hour", [11, 15])
def test_a_cut_window_follows_the_change_day_rule_as_the_fee(hour: int) -> None:
    customer = CustomerFactory(external_id=f"cut{hour}")
    plan = seat_plan("team", "day", APR, fee="30")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR)
    usage_ingest(
        events=[ev("a", customer.external_id, APR, 5)],
        actor=TEST_ACTOR,
        as_of=APR + timedelta(days=1),
    )
    at = APR + timedelta(days=9, hours=hour)  # Apr 10, 11:00 or 15:00 UTC
    subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=at)
    subscriptions_bill(subscription_ids=[sub.pk], as_of=at + timedelta(days=1), actor=TEST_ACTOR)
    usage = [
        line
        for invoice in Invoice.objects.filter(customer=customer)
        for line in invoice.lines.all()
        if line.kind == "usage"
    ]
    # the day of the cancellation at the new terms (none): 9 days of 30, as the fee's line
    # 5 seats x 9 / 30 = 1.5 x 10 = 15.00 (the fee: 30 x 9 / 30 = 9.00)
    assert [line.amount for line in usage] == [D("15.00")]
    assert usage[0].explanation["proration"]["formula"] == "(5 x 9) / 30 = 1.5"


@pytest.mark.django_db
def test_current_usage_prorates_a_stub_as_the_upcoming_invoice() -> None:
    customer = CustomerFactory(external_id="stub")
    since = datetime(2026, 4, 1, tzinfo=UTC)
    plan = seat_plan("cal", "day", since, calendar=True)
    start = datetime(2026, 4, 11, tzinfo=UTC)  # a stub Apr 11 - May 1 of the 30-day April
    subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=start)
    as_of = start + timedelta(days=5)
    usage_ingest(events=[ev("a", "stub", start, 6)], actor=TEST_ACTOR, as_of=as_of)
    # 6 seats for the stub's 20 days of April's 30: 6 x 20 / 30 = 4 x 10 = 40.00
    [view] = current_usage(customer_id=customer.pk, as_of=as_of)
    [charge] = view["charges"]
    assert (D(charge["quantity"]), charge["estimated_amount"]) == (D(4), "40.00")
    preview = upcoming_invoice(customer_id=customer.pk, as_of=as_of)
    line = next(x for x in preview["lines"] if x.get("explanation", {}).get("metric") == "seats")
    assert line["amount"] == D(charge["estimated_amount"])
    assert line["explanation"]["proration"] == charge["explanation"]["proration"]


@pytest.mark.django_db
@pytest.mark.parametrize(("order", "expected"), [(("add", "remove"), 0), (("remove", "add"), 1)])
def test_same_instant_add_and_remove_in_one_batch_follow_the_batch_order(
    order: tuple[str, str], expected: int
) -> None:
    customer = CustomerFactory(external_id="users")
    users = metric("users", aggregation="unique_count", field_name="user")
    at = APR + timedelta(days=3)
    # decoys first so the join order differs from the batch's
    events = [
        {
            "event_id": f"{i}",
            "customer": "users",
            "metric": "users",
            "event_time": at.isoformat(),
            "operation": op,
            "properties": {"user": "x"},
        }
        for i, op in zip(("z9", "a1"), order, strict=True)
    ]
    result = usage_ingest(events=events, actor=TEST_ACTOR, as_of=at)
    assert result.count("accepted") == 2
    stored = list(UsageEvent.objects.filter(customer=customer).order_by("id"))
    assert [e.event_id for e in stored] == ["z9", "a1"]  # ids in batch order
    found = aggregate_one(
        metric=users, customer_id=customer.pk, start=APR, end=APR + timedelta(days=30)
    )
    assert found.quantity == expected


@pytest.mark.django_db
def test_a_new_subscription_does_not_carry_an_ended_ones_level() -> None:
    customer = CustomerFactory(external_id="again")
    plan = seat_plan("team", "second", APR)
    first = subscription_create(
        customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR
    )
    usage_ingest(events=[ev("a", "again", APR, 5)], actor=TEST_ACTOR, as_of=APR)
    ended = APR + timedelta(days=9, hours=15)  # Apr 10 15:00
    subscription_cancel(subscription_id=first.pk, actor=TEST_ACTOR, as_of=ended)
    second = subscription_create(
        customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=ended
    )
    may = datetime(2026, 5, 1, tzinfo=UTC)
    subscriptions_bill(subscription_ids=[first.pk, second.pk], as_of=may, actor=TEST_ACTOR)
    lines = {
        line.subscription_id: line
        for invoice in Invoice.objects.filter(customer=customer)
        for line in invoice.lines.filter(kind="usage")
    }
    # the ended one: 5 seats for 9 d 15 h = 831,600 s of April's 2,592,000 s:
    # 5 x 831600 / 2592000 = 1.604166666667 x 10 = 16.04166... -> 16.04
    assert lines[first.pk].amount == D("16.04")
    # the new one starts at 0 seats: the first one's +5 is not carried
    assert second.pk not in lines or lines[second.pk].amount == D("0.00")
    assert aggregate_one(
        metric=seats_metric(), customer_id=customer.pk, start=ended, end=may
    ).quantity == D(0)
    # its own events count from its start: +2 on Apr 20 -> level 2 in June
    usage_ingest(
        events=[ev("b", "again", APR + timedelta(days=19), 2)], actor=TEST_ACTOR, as_of=may
    )
    june = datetime(2026, 6, 1, tzinfo=UTC)
    assert aggregate_one(
        metric=seats_metric(), customer_id=customer.pk, start=may, end=june
    ).quantity == D(2)


@pytest.mark.django_db
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    minutes=st.integers(0, 31 * 24 * 60 - 1),
    change_day=st.sampled_from(["new", "old"]),
    zone=st.sampled_from(["America/New_York", "Europe/Paris", "UTC", "America/Havana"]),
)
def test_a_seat_added_at_any_instant_is_held_the_fees_days(
    minutes: int, change_day: str, zone: str
) -> None:
    """The prorated charge's days and the fee's (billing/proration.py `Rule`) agree: a seat
    added at any instant of March (a DST change in it) is held Rule.count(at, end) days."""
    customer = CustomerFactory(timezone=zone)
    seats = seats_metric()
    start = periods.local_midnight(date(2026, 3, 1), zone)
    end = periods.local_midnight(date(2026, 4, 1), zone)
    at = min(start + timedelta(minutes=minutes), end - timedelta(minutes=1))
    usage_ingest(events=[ev("x", customer.external_id, at, 1)], actor=TEST_ACTOR, as_of=end)
    window = (customer.pk, start, end)
    held = prorated_windows(metric=seats, windows=[window], unit=DAY, change_day=change_day).get(
        window
    )
    rule = Rule(DAY, change_day, zone)
    assert held is not None
    assert held.proration is not None
    assert held.proration["integral"] == rule.count(at, end)
    assert held.proration["window_length"] == rule.count(start, end) == 31


@pytest.mark.django_db
def test_the_event_list_marks_a_remove_and_filters_by_operation(admin_client: Any) -> None:
    CustomerFactory(external_id="listed")
    metric("members", aggregation="unique_count", field_name="user")
    at = APR + timedelta(days=2)
    events = [
        {"event_id": event_id, "customer": "listed", "metric": "members",
         "event_time": at.isoformat(), "operation": op, "properties": {"user": "x"}}
        for event_id, op in (("joined-1", "add"), ("left-1", "remove"))
    ]  # fmt: skip
    assert usage_ingest(events=events, actor=TEST_ACTOR, as_of=at).count("accepted") == 2
    page = admin_client.get("/admin/billing/usageevent/").content.decode()
    assert "left-1 (remove)" in page
    assert "joined-1 (add)" not in page
    assert "joined-1" in page
    removes = admin_client.get("/admin/billing/usageevent/?operation=remove").content.decode()
    assert "left-1 (remove)" in removes
    assert "joined-1" not in removes
