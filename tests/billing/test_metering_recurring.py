"""Issue 17, items 10 and 6 (second half): the event operation (add / remove) of unique counts,
recurring (non-resetting) metrics and prorated charges on them. Counts and amounts computed by
hand in the comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from billing.aggregation import aggregate_one, aggregate_windows, reproduce_sql
from billing.models import UsageEvent
from billing.services import subscription_create, usage_ingest
from catalog import services as catalog
from core.exceptions import ValidationFailed
from invoicing.models import Invoice
from invoicing.selectors import upcoming_invoice
from invoicing.services import subscriptions_bill
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import metric
from tests.conftest import TEST_ACTOR

D = Decimal
JAN, FEB, MAR, APR, MAY = (datetime(2026, m, 1, tzinfo=UTC) for m in (1, 2, 3, 4, 5))
V1 = "/api/v1/"


def ev(event_id: str, code: str, at: datetime, op: str | None = None, **props: Any) -> dict:
    event: dict[str, Any] = {
        "event_id": event_id,
        "customer": "acme",
        "metric": code,
        "event_time": at.isoformat(),
        "properties": props,
    }
    if op is not None:
        event["operation"] = op
    return event


def ingest(events: list[dict[str, Any]], as_of: datetime = MAR + timedelta(days=10)) -> Any:
    return usage_ingest(events=events, actor=TEST_ACTOR, as_of=as_of)


def quantity(m: Any, cid: int, start: datetime, end: datetime) -> tuple[Decimal, int]:
    found = aggregate_one(metric=m, customer_id=cid, start=start, end=end)
    # the writer's form (many windows at once) and the query shown to people agree with it
    both = aggregate_windows(metric=m, windows=[(cid, start, end)]).get((cid, start, end))
    got = (both.quantity, both.events) if both else (D(0), 0)
    assert got == (found.quantity, found.events)
    with connection.cursor() as cursor:
        cursor.execute(reproduce_sql(m, cid, start, end))
        shown = cursor.fetchone()
    if m.aggregation == "unique_count" or m.recurring:
        assert (D(shown[0]) if shown else D(0), int(shown[1]) if shown else 0) == (
            found.quantity,
            found.events,
        )
    return found.quantity, found.events


@pytest.fixture
def acme(db: None) -> Any:
    return CustomerFactory(external_id="acme")


@pytest.mark.django_db
def test_unique_count_add_and_remove_in_one_period_and_across_periods(acme: Any) -> None:
    users = metric("users", aggregation="unique_count", field_name="user")
    seats = metric("seat_users", aggregation="unique_count", field_name="user", recurring=True)
    day = timedelta(days=1)
    events = []
    for code in ("users", "seat_users"):
        events += [
            ev(f"{code}-a", code, JAN + day, user="a"),
            ev(f"{code}-b", code, JAN + 2 * day, user="b"),
            ev(f"{code}-c", code, JAN + 3 * day, user="c"),
            ev(f"{code}-b-", code, JAN + 4 * day, "remove", user="b"),
            # February: b comes back, c leaves
            ev(f"{code}-b2", code, FEB + day, "add", user="b"),
            ev(f"{code}-c-", code, FEB + 2 * day, "remove", user="c"),
        ]
    assert ingest(events).count("accepted") == 12
    stored = UsageEvent.objects.filter(operation="remove").count()
    assert stored == 4
    cid = acme.pk
    # January: a, b, c added, b removed: {a, c} = 2 (4 events) -- metered and recurring alike
    assert quantity(users, cid, JAN, FEB) == (D(2), 4)
    assert quantity(seats, cid, JAN, FEB) == (D(2), 4)
    # February, metered: only February's events count: b added (1), c removed (0) = 1
    assert quantity(users, cid, FEB, MAR) == (D(1), 2)
    # February, recurring: a carried, b back, c removed = {a, b} = 2
    assert quantity(seats, cid, FEB, MAR) == (D(2), 2)
    # March, no events: metered 0; recurring still {a, b} = 2
    assert quantity(users, cid, MAR, APR) == (D(0), 0)
    assert quantity(seats, cid, MAR, APR) == (D(2), 0)


@pytest.mark.django_db
def test_a_value_only_removed_counts_nothing_and_a_re_added_one_counts(acme: Any) -> None:
    users = metric("users", aggregation="unique_count", field_name="user")
    day = timedelta(days=1)
    ingest(
        [
            ev("x-", "users", JAN + day, "remove", user="x"),  # never added here: 0, not -1
            ev("y1", "users", JAN + day, user="y"),
            ev("y-", "users", JAN + 2 * day, "remove", user="y"),
            ev("y2", "users", JAN + 3 * day, user="y"),  # back: counts
        ]
    )
    assert quantity(users, acme.pk, JAN, FEB) == (D(1), 4)


@pytest.mark.django_db
def test_recurring_sum_of_seats_carries_from_period_to_period(acme: Any) -> None:
    metric("seats", aggregation="sum", field_name="n", allow_negative=True, recurring=True)
    seats = metric("seats_metered", aggregation="sum", field_name="n", allow_negative=True)
    recurring = catalog.BillableMetric.objects.get(code="seats")
    ingest(
        [
            ev("s1", "seats", JAN, n=5),  # +5 on day 1 of period 1
            ev("s2", "seats", FEB + timedelta(days=9), n=-2),  # -2 in period 2
            ev("m1", "seats_metered", JAN, n=5),
            ev("m2", "seats_metered", FEB + timedelta(days=9), n=-2),
        ]
    )
    cid = acme.pk
    # recurring: Jan 5; Feb 5 - 2 = 3; Mar (no events) 3
    assert quantity(recurring, cid, JAN, FEB) == (D(5), 1)
    assert quantity(recurring, cid, FEB, MAR) == (D(3), 1)
    assert quantity(recurring, cid, MAR, APR) == (D(3), 0)
    # the same events on a metered sum: each period from zero
    assert quantity(seats, cid, FEB, MAR)[0] == D(-2)
    assert quantity(seats, cid, MAR, APR)[0] == D(0)


def seat_plan(code: str, unit: str, *, prorated: bool = True, model: str = "per_unit") -> Any:
    seats = catalog.BillableMetric.objects.filter(code="seats").first() or metric(
        "seats", aggregation="sum", field_name="n", allow_negative=True, recurring=True
    )
    plan = catalog.plan_create(
        actor=TEST_ACTOR,
        as_of=JAN,
        data={"code": code, "name": code, "currency": "USD", "interval_unit": "month"},
    )
    params: dict[str, Any] = {"unit_price": "10"}
    if model == "volume":
        params = {"tiers": [{"from": "0", "to": None, "unit_price": "10"}]}
    version = catalog.plan_version_create(
        plan_id=plan.pk,
        actor=TEST_ACTOR,
        as_of=JAN,
        data={
            "effective_from": JAN,
            "fixed_fee": D(0),
            "fee_timing": "arrears",
            "proration_unit": unit,
        },
        charges=[
            {
                "metric": seats,
                "pricing_model": model,
                "params": {**params, "prorated": prorated},
            }
        ],
    )
    catalog.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=JAN)
    return plan


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("unit", "expected_quantity", "expected_amount"),
    [
        # by whole days: 5 seats all April (30 days), +3 on day 11 (any time that day, the day
        # at the new level): (5 x 10 + 8 x 20) / 30 = 210 / 30 = 7 = 5 + 3 x 20/30; 7 x 10 = 70
        ("day", D(7), D("70.00")),
        # by the second: +3 at Apr 11 15:00: 5 seats for 10 days 15 h = 918,000 s, then 8 for
        # 19 days 9 h = 1,674,000 s, of 2,592,000 s (30 days):
        # (5 x 918000 + 8 x 1674000) / 2592000 = 17982000 / 2592000 = 6.9375
        # = 5 + 3 x 1674000 / 2592000 = 5 + 1.9375; x 10 = 69.375 -> 69.38 (half up)
        ("second", D("6.9375"), D("69.38")),
    ],
)
def test_prorated_seats_by_the_writer_and_the_upcoming_invoice(
    acme: Any, unit: str, expected_quantity: Decimal, expected_amount: Decimal
) -> None:
    plan = seat_plan("team", unit)
    sub = subscription_create(customer_id=acme.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR)
    ingest(
        [
            ev("s1", "seats", APR, n=5),
            ev("s2", "seats", APR + timedelta(days=10, hours=15), n=3),
        ],
        as_of=APR + timedelta(days=12),
    )
    preview = upcoming_invoice(customer_id=acme.pk, as_of=APR + timedelta(days=12))
    line = next(x for x in preview["lines"] if x.get("explanation", {}).get("metric") == "seats")
    assert D(line["quantity"]) == expected_quantity
    assert line["amount"] == expected_amount
    proration = line["explanation"]["proration"]
    assert proration["unit"] == unit
    subscriptions_bill(subscription_ids=[sub.pk], as_of=MAY, actor=TEST_ACTOR)
    invoice = Invoice.objects.get(customer=acme, billing_date=MAY, kind="billing")
    written = invoice.lines.get(metric_code="seats")
    assert (written.quantity, written.amount) == (expected_quantity, expected_amount)
    assert written.explanation["proration"]["formula"] == proration["formula"]
    if unit == "day":
        assert proration["formula"] == "(5 x 10 + 8 x 20) / 30 = 7"
    else:
        assert proration["formula"] == "(5 x 918000 + 8 x 1674000) / 2592000 = 6.9375"
    assert "recurring" in written.explanation
    # reconciliation re-computes the prorated quantity over the line's reference period
    from invoicing.reconciliation import reconcile

    report = reconcile(start=MAY, end=MAY + timedelta(days=1), as_of=MAY)
    assert [m for m in report.mismatches if m["check"] != "trial balance"] == []
    # May, no events: all 8 seats held the whole month, 8 x 10 = 80
    june = datetime(2026, 6, 1, tzinfo=UTC)
    subscriptions_bill(subscription_ids=[sub.pk], as_of=june, actor=TEST_ACTOR)
    may = Invoice.objects.get(customer=acme, billing_date=june, kind="billing")
    assert may.lines.get(metric_code="seats").amount == D("80.00")


@pytest.mark.django_db
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    changes=st.lists(
        st.tuples(st.integers(0, 29 * 24), st.integers(-3, 6)), min_size=1, max_size=6
    ),
    unit=st.sampled_from(["day", "second"]),
)
def test_the_upcoming_invoice_and_the_writer_agree(
    db: None, changes: list[tuple[int, int]], unit: str
) -> None:
    """Seat changes at random hours of April: the upcoming invoice seen on April 30 and the
    invoice written on May 1 bill the same prorated amount."""
    customer = CustomerFactory()  # hypothesis reuses the database: a new customer each example
    plan = seat_plan(f"p{len(changes)}{unit}{customer.pk}", unit, model="volume")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR)
    level = 0
    events = []
    for i, (hour, n) in enumerate(sorted(changes)):
        n = max(n, -level)  # never below zero seats
        level += n
        events.append(
            {
                "event_id": f"e{i}",
                "customer": customer.external_id,
                "metric": "seats",
                "event_time": (APR + timedelta(hours=hour)).isoformat(),
                "properties": {"n": n},
            }
        )
    assert usage_ingest(events=events, actor=TEST_ACTOR, as_of=MAY).count("accepted") == len(events)
    preview = upcoming_invoice(customer_id=customer.pk, as_of=MAY - timedelta(hours=1))
    previewed = next(
        x for x in preview["lines"] if x.get("explanation", {}).get("metric") == "seats"
    )
    subscriptions_bill(subscription_ids=[sub.pk], as_of=MAY, actor=TEST_ACTOR)
    written = Invoice.objects.get(customer=customer, billing_date=MAY).lines.get(
        metric_code="seats"
    )
    assert (written.quantity, written.amount) == (D(previewed["quantity"]), previewed["amount"])


@pytest.mark.django_db
def test_operation_errors_per_event_and_over_the_api(api: APIClient, acme: Any) -> None:
    metric("api_calls", aggregation="sum", field_name="calls")
    metric("users", aggregation="unique_count", field_name="user")
    at = datetime.now(UTC) - timedelta(minutes=5)
    report = ingest(
        [
            ev("r1", "api_calls", at, "remove", calls=1),
            ev("r2", "users", at, "delete", user="a"),
            ev("r3", "users", at, "remove", user="a"),
        ],
        as_of=datetime.now(UTC),
    )
    outcomes = report.as_dict()["events"]
    assert [o["status"] for o in outcomes] == ["rejected", "rejected", "accepted"]
    assert outcomes[0]["errors"][0]["field"] == "operation"
    assert outcomes[0]["errors"][0]["code"] == "not_unique_count"
    assert outcomes[1]["errors"][0]["code"] == "invalid_choice"
    one = api.post(f"{V1}events", ev("r4", "api_calls", at, "remove", calls=1), format="json")
    assert one.status_code == 400
    assert one.json()["errors"][0]["field"] == "operation"
    unknown = api.post(f"{V1}events", ev("r5", "users", at, "undo", user="a"), format="json")
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "operation"
    batch = api.post(
        f"{V1}events/batch",
        {"events": [ev("r6", "users", at, "remove", user="b"), ev("r7", "api_calls", at, "remove",
                                                                 calls=2)]},
        format="json",
    )  # fmt: skip
    assert batch.status_code == 200
    assert [e["status"] for e in batch.json()["events"]] == ["accepted", "rejected"]
    listed = api.get(f"{V1}events/?customer=acme").json()
    assert {e["operation"] for e in listed["results"]} == {"remove"}


@pytest.mark.django_db
def test_recurring_and_prorated_are_checked_by_the_services_and_the_api(api: APIClient) -> None:
    bad = api.post(
        f"{V1}metrics/",
        {"code": "calls", "name": "Calls", "aggregation": "count", "recurring": True},
        format="json",
    )
    assert bad.status_code == 400
    assert "recurring" in str(bad.json())
    weighted = api.post(
        f"{V1}metrics/",
        {"code": "gb", "name": "GB", "aggregation": "weighted_sum", "field_name": "gb",
         "recurring": True},
        format="json",
    )  # fmt: skip
    assert weighted.status_code == 400
    good = api.post(
        f"{V1}metrics/",
        {"code": "seats", "name": "Seats", "aggregation": "sum", "field_name": "n",
         "recurring": True},
        format="json",
    )  # fmt: skip
    assert good.status_code == 201, good.json()
    assert good.json()["recurring"] is True
    metered = metric("api_calls", aggregation="sum", field_name="calls")
    plan = catalog.plan_create(
        actor=TEST_ACTOR,
        as_of=JAN,
        data={"code": "pro", "name": "Pro", "currency": "USD", "interval_unit": "month"},
    )
    with pytest.raises(ValidationFailed) as not_recurring:
        catalog.plan_version_create(
            plan_id=plan.pk,
            actor=TEST_ACTOR,
            as_of=JAN,
            data={"effective_from": JAN, "fixed_fee": D(0)},
            charges=[
                {
                    "metric": metered,
                    "pricing_model": "per_unit",
                    "params": {"unit_price": "1", "prorated": True},
                }
            ],
        )
    assert not_recurring.value.field == "charges[0].params.prorated"
    response = api.post(
        f"{V1}plan-versions/",
        {
            "plan": "pro",
            "effective_from": "2026-01-01T00:00:00Z",
            "fixed_fee": "0",
            "charges": [
                {
                    "metric": "seats",
                    "pricing_model": "package",
                    "params": {"package_size": 1, "package_price": "1", "prorated": True},
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "prorated" in str(response.json())
