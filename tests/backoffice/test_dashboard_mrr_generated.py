"""The SQL MRR (backoffice/selectors.py) equals a plain Python reference
(backoffice/dashboard.reference_mrr) on generated subscription histories: plans of every
interval (days, weeks, months, years, counts above one, fees that do not divide evenly), several
subscriptions per customer, trials, ends and cancellations, pauses (resumed or not), applied
changes of plan and quantity, changes that never applied (scheduled, canceled), price moves at
renewals, and changes and moves at the same instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from backoffice import selectors
from backoffice.dashboard import MOVEMENTS, Change, History, PriceMove, Terms, reference_mrr
from billing.models import (
    Subscription,
    SubscriptionChange,
    SubscriptionPause,
    SubscriptionPriceMove,
)
from catalog.models import PlanVersion
from tests.billing.subs import customer, priced_plan

pytestmark = pytest.mark.django_db

BASE = datetime(2025, 6, 1, tzinfo=UTC)
AS_OF = datetime(2026, 5, 20, 9, 30, tzinfo=UTC)
FIRST, LAST = date(2025, 9, 1), date(2026, 5, 1)
PLANS = [  # code, fee, unit, count
    ("m30", "30.00", "month", 1), ("m9999", "99.99", "month", 1), ("y1000", "1000.00", "year", 1),
    ("w777", "7.77", "week", 1), ("q50", "50.00", "month", 3), ("d123", "1.23", "day", 1),
    ("y2", "333.33", "year", 2), ("w2", "0.01", "week", 2),
]  # fmt: skip

instants = st.integers(min_value=0, max_value=330 * 24).map(lambda h: BASE + timedelta(hours=h))
durations = st.integers(min_value=1, max_value=200 * 24).map(lambda h: timedelta(hours=h))

subscription = st.fixed_dictionaries(
    {
        "customer": st.integers(0, 3),
        "plan": st.integers(0, len(PLANS) - 1),
        "quantity": st.integers(1, 5),
        "start": instants,
        "trial": st.one_of(
            st.none(), st.none(), st.integers(1, 60 * 24).map(lambda h: timedelta(hours=h))
        ),
        "end": st.one_of(st.none(), durations),
        "pauses": st.lists(st.tuples(durations, st.one_of(st.none(), durations)), max_size=2),
        # changes (applied or not) and price moves at renewals ("move": onto another price
        # book, the quantity kept), at the same instant now and then
        "changes": st.lists(
            st.tuples(
                st.one_of(durations, st.just(timedelta(0))),
                st.integers(0, len(PLANS) - 1),
                st.integers(1, 5),
                st.sampled_from(["applied", "applied", "scheduled", "canceled", "move", "move"]),
            ),
            max_size=4,
        ),
    }
)


@pytest.fixture
def world() -> dict[str, Any]:
    plans = [
        priced_plan(code, fee, interval_unit=unit, interval_count=count)
        for code, fee, unit, count in PLANS
    ]
    versions = [PlanVersion.objects.get(plan=p) for p in plans]
    return {"plans": plans, "versions": versions, "customers": [customer() for _ in range(4)]}


def _terms(i: int) -> Terms:
    _, fee, unit, count = PLANS[i]
    return Terms(Decimal(fee), unit, count)


def store(world: dict[str, Any], spec: dict[str, Any]) -> History:
    """The subscription's rows as the services would leave them, and its reference history."""
    start = spec["start"]
    plan_i, quantity = spec["plan"], spec["quantity"]
    at = start
    changes: list[tuple[datetime, int, int, int, int, str]] = []
    for gap, new_plan, new_quantity, status in spec["changes"]:
        if not gap and status not in ("applied", "move"):
            gap = timedelta(hours=1)  # one scheduled change per instant (a constraint)
        at = at + gap
        if status == "move":
            new_quantity = quantity
        changes.append((at, plan_i, quantity, new_plan, new_quantity, status))
        if status in ("applied", "move"):
            plan_i, quantity = new_plan, new_quantity
    trial_end = start + spec["trial"] if spec["trial"] else None
    end = start + spec["end"] if spec["end"] else None
    versions, plans = world["versions"], world["plans"]
    sub = Subscription.objects.create(
        customer=world["customers"][spec["customer"]], plan=plans[plan_i],
        plan_version=versions[plan_i], quantity=quantity, status="canceled" if end else "active",
        start_at=start, billing_anchor=start.date(), trial_end=trial_end,
        current_period_start=start, current_period_end=start + timedelta(days=30),
        current_period_index=0, fee_since=start, canceled_at=end, ended_at=end,
        created_at=start, updated_at=start,
    )  # fmt: skip
    for effective, from_i, from_q, to_i, to_q, status in changes:
        if status == "move":
            SubscriptionPriceMove.objects.create(
                subscription=sub, from_plan_version=versions[from_i],
                to_plan_version=versions[to_i], effective_at=effective, created_at=effective,
            )  # fmt: skip
            continue
        SubscriptionChange.objects.create(
            subscription=sub, kind="plan_quantity", status=status,
            from_plan_version=versions[from_i] if status == "applied" else None,
            applied_plan_version=versions[to_i] if status == "applied" else None,
            new_plan=plans[to_i], from_quantity=from_q,
            new_quantity=to_q if to_q != from_q else None, effective_at=effective,
            created_at=effective,
        )  # fmt: skip
    pauses = []
    at = start
    for gap, length in spec["pauses"]:
        paused = at + gap
        resumed = paused + length if length is not None else None
        SubscriptionPause.objects.create(subscription=sub, paused_at=paused, resumed_at=resumed)
        pauses.append((paused, resumed))
        if resumed is None:
            break
        at = resumed
    return History(
        customer=world["customers"][spec["customer"]].pk,
        start_at=start,
        terms=_terms(plan_i),
        quantity=quantity,
        trial_end=trial_end,
        end_at=end,
        pauses=pauses,
        changes=[
            Change(effective, _terms(fi), fq, _terms(ti), tq)
            for effective, fi, fq, ti, tq, status in changes
            if status == "applied"
        ],
        moves=[
            PriceMove(effective, _terms(fi), _terms(ti))
            for effective, fi, _, ti, _, status in changes
            if status == "move"
        ],
    )


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(subscription, min_size=1, max_size=6))
def test_the_sql_mrr_equals_the_python_reference(
    world: dict[str, Any], specs: list[dict[str, Any]]
) -> None:
    try:
        with transaction.atomic():
            histories = [store(world, spec) for spec in specs]
            got = selectors.mrr_by_month(currency="USD", first=FIRST, last=LAST, as_of=AS_OF)
            raise _Rollback(got)
    except _Rollback as done:
        got = done.result
    expected = reference_mrr(histories, FIRST, LAST, AS_OF, "USD")
    event("some MRR" if any(m.mrr for m in expected) else "no MRR")
    event("movements" if any(any(m.counts.values()) for m in expected) else "no movement")
    assert [(m.month, m.mrr, m.customers) for m in got] == [
        (m.month, m.mrr, m.customers) for m in expected
    ]
    for mine, theirs in zip(got, expected, strict=True):
        for kind in MOVEMENTS:
            assert (mine.counts[kind], mine.amounts[kind]) == (
                theirs.counts[kind],
                theirs.amounts[kind],
            ), (mine.month, kind)


class _Rollback(Exception):
    def __init__(self, result: Any) -> None:
        self.result = result
