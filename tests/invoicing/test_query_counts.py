"""The billing run is set-based: a chunk's SQL statements do not grow with its size (as Zulip
and Saleor assert for their hot paths). Counted for a chunk of 3 and a chunk of 30, billed and
finalized in one transaction through the clock's chunk service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import Customer
from billing.services import coupon_redeem, subscription_change, subscription_create, usage_ingest
from catalog import services as catalog
from core.audit import CLOCK
from invoicing.models import Invoice
from invoicing.services import subscriptions_bill_chunk
from tests.conftest import TEST_ACTOR
from tests.invoicing.findings import FEB, JAN, usage_plan
from tests.invoicing.test_invoices import workload_customer, workload_plan

pytestmark = pytest.mark.django_db
TICK = timedelta(minutes=5)


def statements(subscription_ids: Sequence[int]) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = subscriptions_bill_chunk(
            subscription_ids=subscription_ids, as_of=FEB + TICK, actor=CLOCK
        )
    assert result.failed == {}
    assert result.finalized == len(subscription_ids)
    return len(queries.captured_queries)


def test_the_standard_workload_chunk_costs_the_same_statements_for_3_or_30() -> None:
    plan = workload_plan()
    subs = [workload_customer(i, plan).subscriptions.get().pk for i in range(1, 37)]
    statements(subs[:3])  # the first chunk of the process warms its caches
    small, large = statements(subs[3:6]), statements(subs[6:36])
    assert small == large
    # 37 before the finalization read its lines once, 34 before the writer read the pending
    # proration lines only where they are used (issue 18)
    assert large <= 33, large
    assert Invoice.objects.filter(status="open").count() == 36


def test_fees_in_advance_coupons_taxes_and_prorations_cost_the_same_for_3_or_30() -> None:
    catalog.tax_rate_create(actor=TEST_ACTOR, as_of=JAN,
                            data={"code": "fr", "name": "TVA", "percentage": Decimal(20),
                                  "country": "FR"})  # fmt: skip
    catalog.coupon_create(actor=TEST_ACTOR, as_of=JAN,
                          data={"code": "ten", "name": "Ten", "kind": "percent",
                                "percent_off": Decimal(10), "duration": "forever"})  # fmt: skip
    plan = usage_plan("adv", "20.00", timing="advance")
    subs = []
    for i in range(36):
        customer = Customer.objects.create(
            external_id=f"q{i}", name=f"Q{i}", currency="USD", country="FR", created_at=JAN,
            updated_at=JAN,
        )  # fmt: skip
        sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                                  as_of=JAN)  # fmt: skip
        coupon_redeem(customer_id=customer.pk, coupon_code="ten", actor=TEST_ACTOR, as_of=JAN)
        usage_ingest(events=[{"event_id": "e", "customer": f"q{i}", "metric": "api_calls",
                              "event_time": (JAN + timedelta(days=3)).isoformat(),
                              "properties": {"calls": 10 + i}}],
                     actor=TEST_ACTOR, as_of=JAN + timedelta(days=3))  # fmt: skip
        subs.append(sub.pk)
    # January's fees in advance first (each chunk of one), then a seat more for everyone
    for sub_id in subs:
        subscriptions_bill_chunk(subscription_ids=[sub_id], as_of=JAN + TICK, actor=CLOCK)
        subscription_change(subscription_id=sub_id, actor=TEST_ACTOR,
                            as_of=JAN + timedelta(days=15), quantity=2, when="now")  # fmt: skip
    statements(subs[:3])
    small, large = statements(subs[3:6]), statements(subs[6:36])
    assert small == large
    # 50 before issue 18; 45 before coupons_of read a redemption's coupon, plans and invoices
    # in its one statement
    assert large <= 43, large
    february = Invoice.objects.get(customer__external_id="q10", billing_date=FEB)
    kinds = sorted(line.kind for line in february.lines.all())
    assert kinds == ["discount", "fixed_fee", "proration", "proration", "usage"]


def test_percentage_charges_per_transaction_read_only_the_filtered_events_set_based() -> None:
    """Issue 10, item 6: a charge priced per transaction rates the events its metric's filters
    keep (the same events its quantity counts), in one query for the whole chunk."""
    from tests.billing.factories import CustomerFactory
    from tests.catalog.factories import metric, plan, published_version

    card = metric("card_volume", field_name="amount", filters={"method": ["card"]})
    payments = plan("payments", currency="USD")
    published_version(payments, JAN, [{"metric": card, "pricing_model": "percentage",
                                       "params": {"rate": "2", "fixed_fee": "0.30"}}],
                      fixed_fee=Decimal(0), fee_timing="arrears")  # fmt: skip
    subs = []
    for i in range(36):
        customer = CustomerFactory(external_id=f"p{i}")
        subs.append(subscription_create(customer_id=customer.pk, plan_id=payments.pk,
                                        actor=TEST_ACTOR, as_of=JAN))  # fmt: skip
        events = [
            {"event_id": f"p{i}-{k}", "customer": f"p{i}", "metric": "card_volume",
             "event_time": (JAN + timedelta(days=k + 1)).isoformat(),
             "properties": {"amount": amount, "method": method}}
            for k, (amount, method) in enumerate(
                [("100.00", "card"), ("50.00", "card"), ("1000.00", "wire")]
            )
        ]  # fmt: skip
        report = usage_ingest(events=events, actor=TEST_ACTOR, as_of=JAN + timedelta(days=5))
        assert report.count("accepted") == 3
    statements([s.pk for s in subs[:3]])  # the first chunk of the process warms its caches
    few, many = statements([s.pk for s in subs[3:6]]), statements([s.pk for s in subs[6:]])
    assert few == many
    # card only: 2% of 100 + 0.30, 2% of 50 + 0.30 = 3.60 (the wire transfer is not a card's)
    for invoice in Invoice.objects.filter(customer__external_id__startswith="p"):
        usage = invoice.lines.get(kind="usage")
        assert (usage.quantity, usage.amount) == (Decimal("150"), Decimal("3.60"))
