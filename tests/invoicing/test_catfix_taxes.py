"""Review fixes of issue 17's taxes (catfix): a coupon correction is taxed at the rate of the
usage it corrects (never the address rate when the discount was split across rates); a one-time
fee without a rate of its own takes the plan's product's; an invoice line names the charge that
priced it (a foreign key, not the explanation)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from billing.models import Subscription
from billing.services import coupon_redeem, journal_dispatch, subscription_create, usage_ingest
from catalog import services as catalog
from catalog.models import Charge
from invoicing.models import Correction, Invoice, InvoiceLine
from invoicing.selectors import line_specs, upcoming_invoice
from invoicing.services import invoice_finalize, subscriptions_bill
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_taxes_per_product import FEB, JAN, customer_of, rate, taxed_plan

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_coupon_correction_is_taxed_at_the_rate_of_the_usage_it_corrects(settings: Any) -> None:
    settings.CORRECTIONS_AUTO_APPLY = True
    plan = taxed_plan()
    customer = customer_of(plan, "fr1")
    ten = catalog.coupon_create(
        actor=TEST_ACTOR, as_of=JAN,
        data={"code": "ten", "name": "Ten", "kind": "percent", "percent_off": D(10),
              "duration": "forever"},
    )  # fmt: skip
    coupon_redeem(customer_id=customer.pk, coupon_code=ten.code, actor=TEST_ACTOR, as_of=JAN)
    sub = Subscription.objects.get(customer=customer)
    subscriptions_bill(subscription_ids=[sub.pk], as_of=FEB, actor=TEST_ACTOR)
    draft = Invoice.objects.get(customer=customer, billing_date=FEB)
    invoice = invoice_finalize(invoice_id=draft.pk, as_of=FEB, actor=TEST_ACTOR)
    # the original: discount -10.00 at std_20 and -5.00 at reduced_5_5 (split across rates)
    later = FEB + timedelta(days=3)
    usage_ingest(
        events=[{"event_id": "late1", "customer": "fr1", "metric": "api_calls",
                 "event_time": "2026-01-20T00:00:00Z", "properties": {"calls": 20}}],
        actor=TEST_ACTOR, as_of=later,
    )  # fmt: skip
    journal_dispatch(as_of=later)
    assert sorted((c.kind, c.difference) for c in Correction.objects.all()) == [
        ("discount", D("-1.00")),  # 10% of the 10.00 more
        ("usage", D("10.00")),  # 20 calls x 0.50
    ]
    supplement = Invoice.objects.get(corrects=invoice)
    got = [
        (x.kind, x.amount, x.tax_rate.code, x.tax_amount)
        for x in supplement.lines.select_related("tax_rate").order_by("position", "id")
    ]
    assert got == [
        ("usage", D("10.00"), "reduced_5_5", D("0.55")),  # 10.00 x 5.5%
        # the discount follows the usage it discounts: -1.00 x 5.5% = -0.055 -> -0.06,
        # not the address rate a_fr_10 (-0.10)
        ("discount", D("-1.00"), "reduced_5_5", D("-0.06")),
    ]
    # 9.00 + 0.55 - 0.06 = 9.49
    assert (supplement.subtotal, supplement.tax_total, supplement.total) == (
        D("9.00"), D("0.49"), D("9.49"),
    )  # fmt: skip


def test_a_one_time_fee_without_its_own_rate_takes_the_products_rate() -> None:
    rate("a_fr_10", "10", country="FR")
    standard = rate("std_20", "20")
    own = rate("own_5", "5")
    product = catalog.product_create(
        actor=TEST_ACTOR, as_of=JAN, data={"code": "soft", "name": "Software", "tax_rate": standard}
    )
    plan = catalog.plan_create(
        actor=TEST_ACTOR, as_of=JAN,
        data={"code": "pro", "name": "Pro", "currency": "USD", "interval_unit": "month",
              "product": product},
    )  # fmt: skip
    version = catalog.plan_version_create(
        plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN,
        data={"effective_from": JAN, "fixed_fee": D("100.00"), "fee_timing": "advance"},
        one_time_fees=[{"name": "Setup", "amount": D("50.00")},
                       {"name": "Training", "amount": D("20.00"), "tax_rate": own}],
    )  # fmt: skip
    catalog.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=JAN)
    customer = CustomerFactory(external_id="x1", country="FR")
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN)
    upcoming = upcoming_invoice(customer_id=customer.pk, as_of=JAN)
    subscriptions_bill(subscription_ids=[sub.pk], as_of=JAN, actor=TEST_ACTOR)
    lines = InvoiceLine.objects.filter(invoice__customer=customer).select_related("tax_rate")
    got = sorted((x.kind, x.amount, x.tax_rate.code, x.tax_amount) for x in lines)
    assert got == [
        ("fixed_fee", D("100.00"), "std_20", D("20.00")),  # 100 x 20%
        ("one_time", D("20.00"), "own_5", D("1.00")),  # its own rate: 20 x 5%
        ("one_time", D("50.00"), "std_20", D("10.00")),  # the product's: 50 x 20%, not 10%
    ]
    assert sorted(
        (x["kind"], x["amount"], x["tax_rate_code"], x["tax_amount"]) for x in upcoming["lines"]
    ) == [(k, a, c, t) for k, a, c, t in got]


def test_an_invoice_line_names_the_charge_that_priced_it() -> None:
    plan = taxed_plan()
    customer = customer_of(plan, "fr3")
    subscriptions_bill(
        subscription_ids=[Subscription.objects.get(customer=customer).pk], as_of=FEB,
        actor=TEST_ACTOR,
    )  # fmt: skip
    charge = Charge.objects.get(plan_version__plan=plan)
    lines = InvoiceLine.objects.filter(invoice__customer=customer).select_related("plan_version")
    assert {(x.kind, x.charge_id) for x in lines} == {
        ("fixed_fee", None), ("usage", charge.pk), ("add_on", None),
    }  # fmt: skip
    # read back from the column, not from the explanation (kept for people)
    usage = next(x for x in lines if x.kind == "usage")
    usage.explanation = {}
    assert line_specs([usage])[0].charge_id == charge.pk
