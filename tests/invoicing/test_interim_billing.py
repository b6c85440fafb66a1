"""Interim billing (issue 17 items 5 and 6a): progressive (threshold) billing and usage charges
paid in advance, billed before the period's end through the one writer, deducted at the
period's end, shown by the upcoming invoice. Amounts computed by hand in the comments."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
import redis
import time_machine
from django.conf import settings

from billing.models import Customer
from billing.services import subscription_create, usage_ingest
from catalog import services as catalog
from catalog.models import Plan
from catalog.pricing import PricingError, compile_charge
from core.audit import CLOCK
from core.exceptions import ValidationFailed
from invoicing import planner
from invoicing.models import InterimBilling, Invoice
from invoicing.selectors import upcoming_invoice
from invoicing.services import subscriptions_bill_chunk
from invoicing.services.interim import QUEUED_KEY, customer_interim_bill, interim_tick
from invoicing.tasks import customer_interim_bill_task
from tests.billing.test_proration_by_day import utc
from tests.catalog.factories import metric
from tests.catalog.factories import plan as make_plan
from tests.conftest import TEST_ACTOR
from tests.invoicing.findings import calls_metric

D = Decimal
APR, MAY = utc(2025, 4, 1), utc(2025, 5, 1)
THRESHOLDS = [{"amount": "50.00"}, {"amount": "100.00", "recurring": True}]
serial = count()


def test_threshold_levels() -> None:
    # 50 once, then every 100 after it: 50, 150, 250, ...
    t = [planner.Threshold(D("50")), planner.Threshold(D("100"), recurring=True)]
    assert planner.threshold_reached(t, D("49.99")) is None
    assert planner.threshold_reached(t, D("60")) == D("50")
    assert planner.threshold_reached(t, D("149.99")) == D("50")
    assert planner.threshold_reached(t, D("170")) == D("150")
    assert planner.threshold_reached(t, D("250")) == D("250")
    # only a recurring one: every 100 from 0
    assert planner.threshold_reached([planner.Threshold(D("100"), True)], D("99")) is None
    assert planner.threshold_reached([planner.Threshold(D("100"), True)], D("310")) == D("300")


def test_pay_in_advance_params_are_checked() -> None:
    rater = compile_charge(
        "per_unit", {"unit_price": "2", "pay_in_advance": True, "invoice": "next"}, currency="USD"
    )
    assert (rater.pay_in_advance, rater.advance_invoice) == (True, "next")
    refused = [
        ("volume", {"tiers": [{"from": "0", "to": None, "unit_price": "1"}],
                    "pay_in_advance": True}, "pay_in_advance"),
        ("per_unit", {"unit_price": "2", "pay_in_advance": True, "invoice": "later"}, "invoice"),
        ("per_unit", {"unit_price": "2", "invoice": "own"}, "invoice"),
        ("per_unit", {"unit_price": "2", "pay_in_advance": "yes"}, "pay_in_advance"),
    ]  # fmt: skip
    for model, params, field in refused:
        with pytest.raises(PricingError) as error:
            compile_charge(model, params, currency="USD")
        assert error.value.field == field


def book(
    *,
    thresholds: list[dict[str, Any]] = (),
    advance: str | None = None,  # type: ignore[assignment]
) -> Plan:
    plan = make_plan(f"interim{next(serial)}")
    charges: list[dict[str, Any]] = [
        {"metric": calls_metric(), "pricing_model": "per_unit", "params": {"unit_price": "0.10"}}
    ]
    if advance:
        uploads = metric("uploads", aggregation="count", field_name="")
        charges.append(
            {"metric": uploads, "pricing_model": "per_unit",
             "params": {"unit_price": "2.00", "pay_in_advance": True, "invoice": advance}}
        )  # fmt: skip
    v = catalog.plan_version_create(
        plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR,
        data={"effective_from": utc(2020, 1, 1), "fixed_fee": D("0"), "fee_timing": "arrears"},
        charges=charges, usage_thresholds=thresholds,
    )  # fmt: skip
    catalog.plan_version_publish(version_id=v.pk, actor=TEST_ACTOR, as_of=APR)
    return plan


def customer_on(plan: Plan, name: str) -> tuple[Customer, int]:
    customer = Customer.objects.create(
        external_id=name, name=name, currency="USD", created_at=APR, updated_at=APR,
        invoice_grace_period_days=0,
    )  # fmt: skip
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR)
    return customer, sub.pk


def calls(customer: Customer, n: int, at: Any, key: str) -> None:
    usage_ingest(
        events=[{"event_id": key, "customer": customer.external_id, "metric": "api_calls",
                 "event_time": at.isoformat(), "properties": {"calls": n}}],
        actor=TEST_ACTOR, as_of=at + timedelta(minutes=1),
    )  # fmt: skip


def upload(customer: Customer, at: Any, key: str) -> None:
    usage_ingest(
        events=[{"event_id": key, "customer": customer.external_id, "metric": "uploads",
                 "event_time": at.isoformat()}],
        actor=TEST_ACTOR, as_of=at + timedelta(minutes=1),
    )  # fmt: skip


def invoices(customer: Customer) -> list[Invoice]:
    return list(Invoice.objects.filter(customer=customer).order_by("billing_date", "id"))


@pytest.mark.django_db
def test_the_services_check_and_copy_thresholds() -> None:
    plan = make_plan("thr")
    bad = [
        ([{"amount": "0"}], "usage_thresholds[0].amount"),
        ([{"amount": "10.001"}], "usage_thresholds[0].amount"),
        ([{"amount": "10"}, {"amount": "10"}], "usage_thresholds[1].amount"),
        ([{"amount": "10", "recurring": True}, {"amount": "20", "recurring": True}],
         "usage_thresholds[1].recurring"),
        ([{"amount": "10", "every": "month"}], "usage_thresholds[0].every"),
    ]  # fmt: skip
    for thresholds, field in bad:
        with pytest.raises(ValidationFailed) as error:
            catalog.plan_version_create(
                plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR,
                data={"effective_from": APR}, usage_thresholds=thresholds,
            )  # fmt: skip
        assert error.value.field == field
    v = catalog.plan_version_create(
        plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR, data={"effective_from": APR},
        usage_thresholds=THRESHOLDS,
    )  # fmt: skip
    copy = catalog.plan_version_copy(version_id=v.pk, actor=TEST_ACTOR, as_of=APR)
    assert [(t.amount, t.recurring) for t in copy.usage_thresholds.order_by("amount")] == [
        (D("50"), False), (D("100"), True),
    ]  # fmt: skip
    catalog.plan_version_update(
        version_id=copy.pk, actor=TEST_ACTOR, as_of=APR, data={}, usage_thresholds=[]
    )
    assert not copy.usage_thresholds.exists()


@pytest.mark.django_db
def test_progressive_billing_through_the_writer_and_the_upcoming_invoice() -> None:
    customer, sid = customer_on(book(thresholds=THRESHOLDS), "thresholds")
    # 600 calls x 0.10 = 60.00 >= 50: a threshold invoice of 60.00
    calls(customer, 600, utc(2025, 4, 10), "c1")
    at1 = utc(2025, 4, 10, 12)
    customer_interim_bill(customer_id=customer.pk, as_of=at1, actor=CLOCK)
    customer_interim_bill(customer_id=customer.pk, as_of=at1, actor=CLOCK)  # a retry: nothing
    first = invoices(customer)
    assert [(i.total, i.status) for i in first] == [(D("60.00"), "open")]
    line = first[0].lines.get()
    assert line.explanation["interim"]["formula"] == "60.00 - 0 billed before = 60.00"
    assert line.explanation["interim"]["threshold"] == "50"
    # 1,700 calls = 170.00 >= 150 (50 + 100): 170.00 - 60.00 = 110.00
    calls(customer, 1100, utc(2025, 4, 20), "c2")
    at2 = utc(2025, 4, 20, 12)
    customer_interim_bill(customer_id=customer.pk, as_of=at2, actor=CLOCK)
    customer_interim_bill(customer_id=customer.pk, as_of=at2 + timedelta(hours=1), actor=CLOCK)
    assert [i.total for i in invoices(customer)] == [D("60.00"), D("110.00")]
    # 1,900 calls = 190.00 < 250: no threshold invoice
    calls(customer, 200, utc(2025, 4, 25), "c3")
    customer_interim_bill(customer_id=customer.pk, as_of=utc(2025, 4, 25, 12), actor=CLOCK)
    assert InterimBilling.objects.filter(subscription_id=sid).count() == 2
    numbers = [i.number for i in invoices(customer)]
    # the upcoming invoice: 190.00 - 170.00 already billed = 20.00
    upcoming = upcoming_invoice(customer_id=customer.pk, as_of=utc(2025, 4, 26))
    assert upcoming["billing_date"] == MAY
    assert [(r["kind"], r["amount"]) for r in upcoming["lines"]] == [("usage", D("20.00"))]
    subscriptions_bill_chunk(subscription_ids=[sid], as_of=MAY, actor=CLOCK)
    last = Invoice.objects.get(customer=customer, billing_date=MAY)
    (usage,) = last.lines.all()
    assert usage.amount == D("20.00") == upcoming["total"] == last.total
    billed = usage.explanation["already_billed"]
    assert billed["formula"] == "190.00 - 170.00 already billed = 20.00"
    assert billed["invoices"] == numbers
    assert usage.description == f"Api Calls (1900) less 170.00 billed on {', '.join(numbers)}"
    # the customer paid 60 + 110 + 20 = 190.00 = 1,900 x 0.10, exactly once
    assert sum(i.total for i in invoices(customer)) == D("190.00")


@pytest.mark.django_db
def test_a_charge_paid_in_advance_on_its_own_invoices() -> None:
    customer, sid = customer_on(book(advance="own"), "own")
    for n, day in enumerate((5, 6, 7), 1):
        upload(customer, utc(2025, 4, day), f"u{n}")
        at = utc(2025, 4, day, 1)
        customer_interim_bill(customer_id=customer.pk, as_of=at, actor=CLOCK)
        customer_interim_bill(customer_id=customer.pk, as_of=at, actor=CLOCK)  # a retry
    # 3 uploads, one invoice each: 1 x 2.00, then 2 x 2.00 - 2.00, then 3 x 2.00 - 4.00
    assert [(i.total, i.status) for i in invoices(customer)] == [(D("2.00"), "open")] * 3
    subscriptions_bill_chunk(subscription_ids=[sid], as_of=MAY, actor=CLOCK)
    last = Invoice.objects.get(customer=customer, billing_date=MAY)
    # the period's end: the api calls (0 calls: 0.00) and no line for the uploads (6.00 - 6.00)
    assert [(line.metric_code, line.amount) for line in last.lines.all()] == [
        ("api_calls", D("0.00"))
    ]


@pytest.mark.django_db
def test_a_charge_paid_in_advance_on_the_next_invoice() -> None:
    customer, sid = customer_on(book(advance="next"), "next")
    for n, day in enumerate((5, 6, 7), 1):
        upload(customer, utc(2025, 4, day), f"u{n}")
        customer_interim_bill(customer_id=customer.pk, as_of=utc(2025, 4, day, 1), actor=CLOCK)
    (draft,) = invoices(customer)  # one line each on the draft of the period's end
    assert (draft.billing_date, draft.status) == (MAY, "draft")
    assert [line.amount for line in draft.lines.order_by("position")] == [D("2.00")] * 3
    upcoming = upcoming_invoice(customer_id=customer.pk, as_of=utc(2025, 4, 8))
    subscriptions_bill_chunk(subscription_ids=[sid], as_of=MAY, actor=CLOCK)
    draft.refresh_from_db()
    # 3 x 2.00 paid in advance, the api calls 0.00; the uploads' period line nets to 0: none
    assert sorted((line.metric_code, line.amount) for line in draft.lines.all()) == [
        ("api_calls", D("0.00")), *[("uploads", D("2.00"))] * 3,
    ]  # fmt: skip
    assert draft.total == D("6.00") == upcoming["total"]


@pytest.mark.django_db(transaction=True)
def test_ingestion_queues_one_task_per_customer_and_the_tick_is_a_safety_net() -> None:
    customer, _ = customer_on(book(thresholds=THRESHOLDS), "queued")
    client = redis.Redis.from_url(settings.REDIS_URL)
    key = QUEUED_KEY.format(customer.pk)
    client.delete(key)
    calls(customer, 300, utc(2025, 4, 10), "q1")
    assert client.get(key) == b"1"  # queued after the commit (a task on the broker)
    calls(customer, 300, utc(2025, 4, 10, 1), "q2")  # queued already: not again
    # the task (called here as the worker would) clears the mark first, then bills
    with time_machine.travel(utc(2025, 4, 10, 2), tick=False):  # the worker's now
        customer_interim_bill_task(customer.pk)
    assert client.get(key) is None
    assert [i.total for i in invoices(customer)] == [D("60.00")]
    # the clock's hook queues the customer's task again (its mark was cleared), which finds
    # nothing new to bill
    assert interim_tick(utc(2025, 4, 11)) == {"interim_queued": 1}
    assert client.get(key) == b"1"
    with time_machine.travel(utc(2025, 4, 11, 1), tick=False):
        customer_interim_bill_task(customer.pk)
    assert [i.total for i in invoices(customer)] == [D("60.00")]
