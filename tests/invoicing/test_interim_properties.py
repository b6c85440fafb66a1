"""Interim billing properties (hypothesis): with generated usage billed at generated instants
(usage thresholds, one-off or recurring, on a per_unit or graduated charge; a charge paid in
advance on its own or the next invoice), the upcoming invoice taken after the last billing is
the period's end invoice, and what the interim billings billed plus the period end's net line
is the period's whole usage rated, to the cent."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import Customer
from billing.services import subscription_create, usage_ingest
from catalog import services as catalog
from catalog.models import BillableMetric, Plan
from core.audit import CLOCK
from invoicing.models import InterimBilling, Invoice, InvoiceLine
from invoicing.selectors import upcoming_invoice
from invoicing.services import subscriptions_bill_chunk
from invoicing.services.interim import customer_interim_bill
from tests.billing.test_proration_by_day import utc
from tests.catalog.factories import metric
from tests.catalog.factories import plan as make_plan
from tests.conftest import TEST_ACTOR
from tests.invoicing.findings import calls_metric

D = Decimal
APR, MAY = utc(2025, 4, 1), utc(2025, 5, 1)
serial = count()
PLANS: dict[tuple[Any, ...], Plan] = {}

# graduated: 0-100 calls at 0.50 each and a flat 5.00 once the first call is made, then 0.10
GRADUATED = {"tiers": [{"from": "0", "to": "100", "unit_price": "0.50", "flat_fee": "5"},
                       {"from": "100", "to": None, "unit_price": "0.10"}]}  # fmt: skip
PER_UNIT = {"unit_price": "0.25"}


def gross(model: str, calls: int) -> Decimal:
    """The period's calls rated by hand (the amounts are whole cents already)."""
    if model == "per_unit":
        return calls * D("0.25")
    if calls == 0:
        return D("0.00")
    return D("5.00") + min(calls, 100) * D("0.50") + max(calls - 100, 0) * D("0.10")


def uploads_metric() -> BillableMetric:
    found = BillableMetric.objects.filter(code="uploads").first()
    return found or metric("uploads", aggregation="count", field_name="")


def generated_plan(
    model: str, fixed: tuple[str, ...], recurring: str | None, advance: str | None
) -> Plan:
    key = (model, fixed, recurring, advance)
    if key not in PLANS or not Plan.objects.filter(pk=PLANS[key].pk).exists():
        plan = make_plan(f"ip{next(serial)}")
        params = PER_UNIT if model == "per_unit" else GRADUATED
        charges: list[dict[str, Any]] = [
            {"metric": calls_metric(), "pricing_model": model, "params": params}
        ]
        if advance:
            charges.append(
                {"metric": uploads_metric(), "pricing_model": "per_unit",
                 "params": {"unit_price": "2.00", "pay_in_advance": True, "invoice": advance}}
            )  # fmt: skip
        thresholds = [{"amount": a} for a in fixed]
        if recurring:
            thresholds.append({"amount": recurring, "recurring": True})
        v = catalog.plan_version_create(
            plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR,
            data={"effective_from": utc(2020, 1, 1), "fixed_fee": D("0"),
                  "fee_timing": "arrears"},
            charges=charges, usage_thresholds=thresholds,
        )  # fmt: skip
        catalog.plan_version_publish(version_id=v.pk, actor=TEST_ACTOR, as_of=APR)
        PLANS[key] = plan
    return PLANS[key]


def ingest(
    customer: Customer, at: datetime, accepted: datetime, calls: int, uploads: int, key: str
) -> None:
    """The calls (one event) and uploads (one event each) at `at`, accepted at `accepted`."""
    events: list[dict[str, Any]] = [
        {"event_id": f"u{key}-{u}", "customer": customer.external_id, "metric": "uploads",
         "event_time": at.isoformat()}
        for u in range(uploads)
    ]  # fmt: skip
    if calls:
        events.append(
            {"event_id": f"c{key}", "customer": customer.external_id, "metric": "api_calls",
             "event_time": at.isoformat(), "properties": {"calls": calls}}
        )  # fmt: skip
    if events:
        usage_ingest(events=events, actor=TEST_ACTOR, as_of=accepted)


# an event: (day, hour, calls, uploads, late, billed after): `late` is accepted two days after
# its instant; `billed after`: an interim billing runs 30 minutes after it is accepted
events_strategy = st.lists(
    st.tuples(
        st.integers(0, 26), st.integers(0, 23), st.integers(0, 400), st.integers(0, 2),
        st.booleans(), st.booleans(),
    ),
    min_size=1,
    max_size=5,
)  # fmt: skip


@pytest.mark.django_db
@settings(
    max_examples=12, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(
    model=st.sampled_from(["per_unit", "graduated"]),
    fixed=st.sampled_from([(), ("5",), ("20", "60")]),
    recurring=st.sampled_from([None, "15", "40"]),
    advance=st.sampled_from([None, "own", "next"]),
    events=events_strategy,
)
def test_interim_billings_the_upcoming_invoice_and_the_sum(
    model: str, fixed: tuple[str, ...], recurring: str | None, advance: str | None,
    events: list[tuple[int, int, int, int, bool, bool]],
) -> None:  # fmt: skip
    plan = generated_plan(model, fixed, recurring, advance)
    n = next(serial)
    customer = Customer.objects.create(
        external_id=f"ip{n}", name="P", currency="USD", created_at=APR, updated_at=APR,
        invoice_grace_period_days=0,
    )  # fmt: skip
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR)
    # the actions in time order: ingestions (at their acceptance) and interim billings
    actions: list[tuple[datetime, int, str, Any]] = []
    for i, (day, hour, calls, uploads, late, bill) in enumerate(events):
        at = APR + timedelta(days=day, hours=hour, minutes=i)
        accepted = at + (timedelta(days=2) if late else timedelta(minutes=1))
        actions.append((accepted, 0, "ingest", (at, calls, uploads, f"{n}-{i}")))
        if bill:
            actions.append((accepted + timedelta(minutes=30), 1, "bill", None))
    last = APR
    for instant, _, kind, what in sorted(actions, key=lambda a: (a[0], a[1])):
        if kind == "ingest":
            at, calls, uploads, key = what
            ingest(customer, at, instant, calls, uploads if advance else 0, key)
        else:
            customer_interim_bill(customer_id=customer.pk, as_of=instant, actor=CLOCK)
        last = max(last, instant + timedelta(minutes=1))
    preview = upcoming_invoice(customer_id=customer.pk, as_of=last + timedelta(minutes=1))
    assert preview["billing_date"] == MAY
    subscriptions_bill_chunk(subscription_ids=[sub.pk], as_of=MAY, actor=CLOCK)
    invoice = Invoice.objects.get(customer=customer, billing_date=MAY)
    assert sorted((r["kind"], r["amount"], r["description"]) for r in preview["lines"]) == sorted(
        (line.kind, line.amount, line.description) for line in invoice.lines.all()
    )
    assert preview["total"] == invoice.total

    # what the interim billings billed of each charge + its period end line = its usage rated
    total_calls = sum(e[2] for e in events)
    total_uploads = sum(e[3] for e in events) if advance else 0
    expected = {"api_calls": gross(model, total_calls), "uploads": total_uploads * D("2.00")}
    for code, whole in expected.items():
        interim = sum(
            (b.amount for b in InterimBilling.objects.filter(
                subscription_id=sub.pk, charge__metric__code=code)),
            D(0),
        )  # fmt: skip
        period_end = sum(
            (line.amount for line in invoice.lines.filter(metric_code=code)
             if not (line.explanation or {}).get("interim")),
            D(0),
        )  # fmt: skip
        assert interim + period_end == whole, (code, interim, period_end)
        billed = InvoiceLine.objects.filter(invoice__customer=customer, metric_code=code)
        assert sum((line.amount for line in billed), D(0)) == whole  # on every invoice, once
