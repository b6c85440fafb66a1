"""Two ways of billing that must agree, on generated cases (hypothesis).

Each example generates customers with subscriptions (monthly and weekly plans, fees in advance
and in arrears, calendar alignment, trials, anchors before the start, quantities), what happens
to them (quantity and plan changes now or at the period end, cancellations now or at the period
end, pauses and resumes, set end dates, add-ons), coupons (percentage and fixed, once, repeating
and forever), taxes (exclusive and inclusive) and credit, and usage events (some arriving days
late). The same scenario is played twice, for two copies of every customer, through the clock's
own services at the same instants: one copy's subscriptions billed one per chunk, the other's all
in one chunk. Then:

- the two copies' invoices are identical, line for line;
- running the last tick again changes nothing;
- every preview of the upcoming invoice taken when nothing more was to happen to its customer
  before its billing date equals the invoice billed that day.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import Customer, Subscription
from billing.services import (
    coupon_redeem,
    customer_balance_adjust,
    journal_dispatch,
    subscription_addon_add,
    subscription_cancel,
    subscription_change,
    subscription_create,
    subscription_end,
    subscription_pause,
    subscription_resume,
    usage_ingest,
)
from catalog import services as catalog
from catalog.models import Plan
from core.audit import CLOCK
from core.exceptions import ApplicationError
from invoicing.models import Invoice
from invoicing.selectors import upcoming_invoice
from invoicing.services import (
    invoices_due_for_finalization,
    invoices_finalize_ready,
    subscriptions_bill_chunk,
    subscriptions_to_bill,
)
from tests.conftest import TEST_ACTOR
from tests.invoicing.findings import calls_metric
from tests.invoicing.findings import usage_plan as make_plan

pytestmark = pytest.mark.django_db
D = Decimal
START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 75  # Jan 1 to Mar 16
EXAMPLES = int(os.environ.get("BILLING_PROPERTY_EXAMPLES", "25"))
PLANS = ("m_arr", "m_adv", "w_adv", "cal_adv")
COUPONS = (None, "pct15", "fix5", "once10")
COUNTRIES = ("US", "FR", "NZ")  # none, 20% exclusive, 15% inclusive
OPS = ("qty_now", "qty_end", "plan_now", "plan_end", "cancel_now", "cancel_end", "pause",
       "end_date", "addon")  # fmt: skip
serial = count()


def catalog_once() -> dict[str, Plan]:
    """The scenarios' catalog, made by the first example (the test's transaction keeps it)."""
    if not Plan.objects.filter(code="m_arr").exists():
        calls_metric()
        make_plan("m_arr", "30.00", timing="arrears", unit_price="0.05")
        make_plan("m_adv", "20.00", timing="advance", unit_price="0.10")
        make_plan("w_adv", "7.00", timing="advance", unit_price=None, interval_unit="week")
        make_plan("cal_adv", "31.00", timing="advance", unit_price="0.02", calendar_aligned=True)
        for code, data in {
            "pct15": {"kind": "percent", "percent_off": D(15), "duration": "forever"},
            "fix5": {"kind": "fixed", "amount_off": D(5), "currency": "USD",
                     "duration": "repeating", "duration_periods": 2},
            "once10": {"kind": "percent", "percent_off": D(10), "duration": "once"},
        }.items():  # fmt: skip
            catalog.coupon_create(
                actor=TEST_ACTOR, as_of=START, data={"code": code, "name": code.upper(), **data}
            )
        catalog.tax_rate_create(actor=TEST_ACTOR, as_of=START,
                                data={"code": "fr", "name": "TVA", "percentage": D(20),
                                      "country": "FR"})  # fmt: skip
        catalog.tax_rate_create(actor=TEST_ACTOR, as_of=START,
                                data={"code": "nz", "name": "GST", "percentage": D(15),
                                      "inclusive": True, "country": "NZ"})  # fmt: skip
        catalog.addon_create(actor=TEST_ACTOR, as_of=START,
                             data={"code": "setup", "name": "Setup", "amount": D("12.50"),
                                   "currency": "USD"})  # fmt: skip
    return {plan.code: plan for plan in Plan.objects.filter(code__in=PLANS)}


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return START + timedelta(days=day, hours=hour, minutes=minute)


ops = st.tuples(
    st.integers(1, DAYS - 5), st.integers(1, 23), st.sampled_from(OPS), st.integers(1, 4),
    st.sampled_from(PLANS),
)  # fmt: skip
subscriptions = st.fixed_dictionaries(
    {
        "plan": st.sampled_from(PLANS),
        "day": st.integers(0, 20),
        "hour": st.sampled_from([0, 0, 9, 17]),
        "anchor": st.sampled_from([None, None, -3, 2]),  # days from the start's, or the default
        "trial": st.sampled_from([0, 0, 7]),
        "quantity": st.integers(1, 3),
        "ops": st.lists(ops, max_size=2),
    }
)
customers = st.fixed_dictionaries(
    {
        "country": st.sampled_from(COUNTRIES),
        "grace": st.integers(0, 3),
        "credit": st.sampled_from([0, 0, 25]),
        "coupon": st.sampled_from(COUPONS),
        "subs": st.lists(subscriptions, min_size=1, max_size=2),
        # (day, hour, calls, days late)
        "events": st.lists(
            st.tuples(
                st.integers(0, DAYS - 2),
                st.integers(0, 23),
                st.integers(0, 300),
                st.sampled_from([0, 0, 0, 1, 4]),
            ),
            max_size=8,
        ),
    }
)


@dataclass(order=True)
class Action:
    when: datetime
    rank: int  # at one instant: ticks last
    name: str = field(compare=False)
    args: tuple[Any, ...] = field(compare=False, default=())


@dataclass
class Copy:
    """One copy of the scenario's customers: external ids, their subscriptions by position."""

    chunked: bool
    customers: dict[int, Customer] = field(default_factory=dict)
    subs: dict[tuple[int, int], int] = field(default_factory=dict)


def play(scenario: list[dict[str, Any]], plans: dict[str, Plan]) -> tuple[Copy, Copy, list]:
    n = next(serial)
    one, all_ = Copy(chunked=False), Copy(chunked=True)
    actions: list[Action] = [Action(at(day, 0, 5), 9, "tick") for day in range(DAYS)]
    for c, spec in enumerate(scenario):
        for copy in (one, all_):
            customer = Customer.objects.create(
                external_id=f"x{n}-{c}-{'one' if copy is one else 'all'}", name=f"C{c}",
                currency="USD", country=spec["country"],
                invoice_grace_period_days=spec["grace"], created_at=START, updated_at=START,
            )  # fmt: skip
            copy.customers[c] = customer
            if spec["credit"]:
                customer_balance_adjust(customer_id=customer.pk, amount=D(spec["credit"]),
                                        actor=TEST_ACTOR, as_of=START, reason="grant")  # fmt: skip
            if spec["coupon"]:
                coupon_redeem(customer_id=customer.pk, coupon_code=spec["coupon"],
                              actor=TEST_ACTOR, as_of=START)  # fmt: skip
        for s, sub in enumerate(spec["subs"]):
            start = at(sub["day"], sub["hour"])
            actions.append(Action(start, 0, "create", (c, s, sub)))
            for day, hour, kind, number, plan in sub["ops"]:
                if day > sub["day"]:
                    actions.append(Action(at(day, hour), 1, kind, (c, s, number, plan)))
                    if kind == "pause":
                        actions.append(Action(at(day + number, hour), 1, "resume", (c, s)))
        for k, (day, hour, calls, late) in enumerate(spec["events"]):
            received = at(day + late, hour, 30)
            actions.append(Action(received, 2, "event", (c, k, at(day, hour), calls)))
    previews: list[tuple[Customer, datetime, dict[str, Any]]] = []
    quiet = quiet_until(scenario)
    for action in sorted(actions):
        if action.name == "tick":
            tick(action.when, (one, all_))
            continue
        for copy in (one, all_):
            run(action, copy, plans, scenario)
        if action.name == "tick" and action.when.day % 3 == 0:  # previews every third day
            for c, customer in all_.customers.items():
                preview = upcoming_invoice(customer_id=customer.pk, as_of=action.when)
                date = preview["billing_date"]
                # compared when nothing happens to the customer until the invoice is final
                final = date + timedelta(days=scenario[c]["grace"] + 1) if date else None
                if final is not None and final <= at(DAYS - 1) and quiet(c, action.when, final):
                    previews.append((customer, date, preview))
    return one, all_, previews


def quiet_until(scenario: list[dict[str, Any]]) -> Any:
    """Whether nothing happens to a customer (no change, no event received) in (after, until]."""
    moments: dict[int, list[datetime]] = {}
    for c, spec in enumerate(scenario):
        found = moments.setdefault(c, [])
        for sub in spec["subs"]:
            found.append(at(sub["day"], sub["hour"]))
            for day, hour, kind, number, _ in sub["ops"]:
                found.append(at(day, hour))
                if kind == "pause":
                    found.append(at(day + number, hour))
        for day, hour, _, late in spec["events"]:
            found.append(at(day + late, hour, 30))

    def quiet(c: int, after: datetime, until: datetime) -> bool:
        return not any(after < m <= until + timedelta(minutes=5) for m in moments[c])

    return quiet


def tick(when: datetime, copies: tuple[Copy, ...]) -> None:
    """The clock's tick: what is due, billed for each copy (one per chunk, or one chunk), then
    the drafts past their grace period finalized."""
    due = set(subscriptions_to_bill(as_of=when))
    drafts = set(invoices_due_for_finalization(as_of=when))
    for copy in copies:
        mine = sorted(due & set(copy.subs.values()))
        for chunk in [mine] if copy.chunked else [[sid] for sid in mine]:
            if chunk:
                subscriptions_bill_chunk(subscription_ids=chunk, as_of=when, actor=CLOCK)
        ids = {c.pk for c in copy.customers.values()}
        theirs = Invoice.objects.filter(pk__in=drafts, customer_id__in=ids)
        invoices_finalize_ready(
            invoice_ids=list(theirs.values_list("pk", flat=True)), as_of=when, actor=CLOCK
        )


def run(action: Action, copy: Copy, plans: dict[str, Plan], scenario: list[dict[str, Any]]) -> None:
    when = action.when
    if action.name == "event":
        c, k, event_time, calls = action.args
        customer = copy.customers[c]
        usage_ingest(
            events=[{"event_id": f"e{k}", "customer": customer.external_id,
                     "metric": "api_calls", "event_time": event_time.isoformat(),
                     "properties": {"calls": calls}}],
            actor=TEST_ACTOR, as_of=when,
        )  # fmt: skip
        journal_dispatch(as_of=when)
        return
    if action.name == "create":
        c, s, sub = action.args
        day = when.date()
        anchor = None if sub["anchor"] is None else day + timedelta(days=sub["anchor"])
        created = subscription_create(
            customer_id=copy.customers[c].pk, plan_id=plans[sub["plan"]].pk, actor=TEST_ACTOR,
            as_of=when, quantity=sub["quantity"], trial_days=sub["trial"], billing_anchor=anchor,
        )  # fmt: skip
        copy.subs[(c, s)] = created.pk
        return
    c, s = action.args[:2]
    sub_id = copy.subs.get((c, s))
    if sub_id is None:
        return
    number, plan = action.args[2:4] if len(action.args) > 2 else (1, "")
    try:
        now_or_end = "now" if action.name.endswith("_now") else "period_end"
        match action.name:
            case "qty_now" | "qty_end":
                subscription_change(subscription_id=sub_id, actor=TEST_ACTOR, as_of=when,
                                    quantity=number, when=now_or_end)  # fmt: skip
            case "plan_now" | "plan_end":
                subscription_change(subscription_id=sub_id, actor=TEST_ACTOR, as_of=when,
                                    plan_id=plans[plan].pk, when=now_or_end)  # fmt: skip
            case "cancel_now" | "cancel_end":
                subscription_cancel(subscription_id=sub_id, actor=TEST_ACTOR, as_of=when,
                                    at_period_end=action.name == "cancel_end")  # fmt: skip
            case "pause":
                subscription_pause(subscription_id=sub_id, actor=TEST_ACTOR, as_of=when)
            case "resume":
                subscription_resume(subscription_id=sub_id, actor=TEST_ACTOR, as_of=when)
            case "end_date":
                subscription_end(subscription_id=sub_id, actor=TEST_ACTOR, as_of=when,
                                 ends_at=when + timedelta(days=5 * number))  # fmt: skip
            case "addon":
                subscription_addon_add(
                    subscription_id=sub_id, addon_code="setup", quantity=D(number),
                    actor=TEST_ACTOR, as_of=when,
                )  # fmt: skip
    except ApplicationError:
        pass  # refused alike for both copies (same state): what matters is what was billed


def invoices_of(copy: Copy) -> dict[int, list[tuple[Any, ...]]]:
    """Every customer's invoices, comparable across copies (subscriptions by position)."""
    position = {sub_id: key[1] for key, sub_id in copy.subs.items()}
    found: dict[int, list[tuple[Any, ...]]] = {}
    for c, customer in copy.customers.items():
        rows = []
        for invoice in Invoice.objects.filter(customer=customer).order_by("billing_date", "id"):
            lines = tuple(
                (line.kind, line.description, line.amount, line.tax_amount, line.period_start,
                 line.period_end, line.metric_code, position.get(line.subscription_id or 0))
                for line in invoice.lines.all()
            )  # fmt: skip
            rows.append(
                (invoice.billing_date, invoice.kind, invoice.status, invoice.subtotal,
                 invoice.tax_total, invoice.total, invoice.credit_applied, invoice.amount_due,
                 lines)
            )  # fmt: skip
        found[c] = rows
    return found


def assert_same(left: dict[int, list[Any]], right: dict[int, list[Any]]) -> None:
    """Equal, or the first invoice that differs, shown whole."""
    for c in left:
        for a, b in zip(left[c], right[c], strict=False):
            assert a == b, f"customer {c}:\n one chunk each: {a}\n one chunk:      {b}"
        assert len(left[c]) == len(right[c]), (c, left[c], right[c])


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(customers, min_size=1, max_size=2))
def test_one_chunk_or_many_and_the_preview_give_the_same_invoices(
    scenario: list[dict[str, Any]],
) -> None:
    plans = catalog_once()
    one, all_, previews = play(scenario, plans)
    assert_same(invoices_of(one), invoices_of(all_))
    before = invoices_of(all_)
    tick(at(DAYS - 1, 0, 5), (one, all_))
    assert invoices_of(all_) == before  # the same tick again: nothing more
    for customer, date, preview in previews:
        invoice = (
            Invoice.objects.filter(customer=customer, billing_date=date, kind="billing")
            .order_by("id")
            .first()
        )
        assert invoice is not None, (customer.external_id, date, preview)
        billed = sorted((line.kind, line.amount) for line in invoice.lines.all())
        planned = sorted((line["kind"], line["amount"]) for line in preview["lines"])
        assert planned == billed, (customer.external_id, date)
        assert (preview["subtotal"], preview["tax_total"], preview["total"]) == (
            invoice.subtotal, invoice.tax_total, invoice.total,
        )  # fmt: skip
    assert Subscription.objects.filter(pk__in=list(one.subs.values())).count() == len(one.subs)
