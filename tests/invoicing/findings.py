"""Helpers shared by the billing-pipeline tests: plans with a fee and a per-unit usage charge,
customers, events, and what was billed for a customer (invoices plus corrections)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from billing.models import Customer
from billing.services import journal_dispatch, usage_ingest
from catalog.models import BillableMetric, Plan
from invoicing.models import Correction, Invoice, InvoiceLine
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import metric, published_version
from tests.catalog.factories import plan as make_plan
from tests.conftest import TEST_ACTOR

D = Decimal
JAN, FEB = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
MAR, APR = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)


def calls_metric(code: str = "api_calls") -> BillableMetric:
    return BillableMetric.objects.filter(code=code).first() or metric(code)


def usage_plan(
    code: str,
    fee: str = "49.00",
    *,
    timing: str = "arrears",
    unit_price: str | None = "0.05",
    trial_days: int = 0,
    currency: str = "USD",
    effective_from: datetime = datetime(2025, 1, 1, tzinfo=UTC),
    **plan_fields: Any,
) -> Plan:
    """A plan whose price book has a fixed fee and (unless `unit_price` is None) a per-unit
    charge on `api_calls` (the sum of the events' `calls`)."""
    plan = make_plan(code, currency=currency, **plan_fields)
    charges = (
        [
            {
                "metric": calls_metric(),
                "pricing_model": "per_unit",
                "params": {"unit_price": unit_price},
            }
        ]
        if unit_price is not None
        else []
    )
    published_version(
        plan,
        effective_from,
        charges,
        fixed_fee=D(fee),
        fee_timing=timing,
        trial_days=trial_days,
    )
    return plan


def a_customer(external_id: str, **fields: Any) -> Customer:
    return CustomerFactory(external_id=external_id, **fields)


def send(
    customer: str,
    at: datetime,
    calls: int | str,
    *,
    received: datetime | None = None,
    event_id: str | None = None,
    metric_code: str = "api_calls",
    field: str = "calls",
) -> Any:
    """One usage event of `customer` at `at`, received at `received` (default: a minute later)."""
    report = usage_ingest(
        events=[
            {
                "event_id": event_id or f"{customer}-{metric_code}-{at.isoformat()}-{calls}",
                "customer": customer,
                "metric": metric_code,
                "event_time": at.isoformat(),
                "properties": {field: calls if isinstance(calls, int) else str(calls)},
            }
        ],
        actor=TEST_ACTOR,
        as_of=received or at + timedelta(minutes=1),
    )
    assert report.count("accepted") == 1, report.as_dict()
    return report.outcomes[0]


def dispatch(at: datetime) -> dict[str, int]:
    return journal_dispatch(as_of=at)


def lines_of(invoice: Invoice) -> list[tuple[str, Decimal]]:
    return [(line.kind, line.amount) for line in invoice.lines.order_by("position", "id")]


def usage_billed(customer: Customer, metric_code: str = "api_calls") -> Decimal:
    """What the customer has been billed for a metric: its usage lines on invoices (drafts
    included) that are not corrections, plus every correction's difference."""
    lines = InvoiceLine.objects.filter(
        invoice__customer=customer,
        invoice__corrects__isnull=True,
        metric_code=metric_code,
        kind__in=["usage", "minimum"],
    ).exclude(invoice__status="void")
    billed = sum((line.amount for line in lines), D(0))
    corrections = Correction.objects.filter(
        invoice__customer=customer, metric_code=metric_code
    ).exclude(status="nothing")
    return billed + sum((c.difference for c in corrections), D(0))
