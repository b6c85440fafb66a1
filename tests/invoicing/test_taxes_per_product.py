"""Taxes per charge, add-on and product (issue 17, item 8): a rate set in the catalog overrides
the customer's address rate, line by line; several rates on one invoice, each in the tax
breakdown (API and PDF) with its base; exempt and reverse-charge rates with their legal mention;
a discount split across the rates it discounts; credit notes credit the tax by rate; the
upcoming invoice says the same as the real one."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from billing.models import Customer, Subscription
from billing.services import (
    coupon_redeem,
    subscription_addon_add,
    subscription_create,
    trial_balance,
    usage_ingest,
)
from catalog import services as catalog
from catalog.models import Plan, TaxRate
from catalog.money import quantize
from invoicing import pdf
from invoicing.models import Invoice
from invoicing.planner import LineSpec, discount_by_rate
from invoicing.selectors import upcoming_invoice
from invoicing.services import credit_note_issue, invoice_finalize, subscriptions_bill
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import metric
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
D = Decimal
JAN, FEB = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
REVERSE = "Reverse charge: VAT due by the customer, Art. 196 Directive 2006/112/EC"


def rate(code: str, percentage: str, **data: Any) -> TaxRate:
    return catalog.tax_rate_create(
        actor=TEST_ACTOR, as_of=JAN,
        data={"code": code, "name": code.upper(), "percentage": D(percentage), **data},
    )  # fmt: skip


def taxed_plan() -> Plan:
    """A 100.00 fee in arrears under a product taxed at 20%, usage at 0.50 a call under a
    charge taxed at 5.5%; an add-on of 10.00 under a reverse charge. The address rate of FR is
    10% (codes sort it first among FR's rates)."""
    rate("a_fr_10", "10", country="FR")
    standard = rate("std_20", "20")
    reduced = rate("reduced_5_5", "5.5", category="reduced")
    reverse = rate(
        "eu_reverse", "0", category="reverse_charge", legal_mention=REVERSE
    )  # fmt: skip
    product = catalog.product_create(
        actor=TEST_ACTOR, as_of=JAN, data={"code": "soft", "name": "Software", "tax_rate": standard}
    )
    calls = metric("api_calls", aggregation="sum", field_name="calls")
    plan = catalog.plan_create(
        actor=TEST_ACTOR, as_of=JAN,
        data={"code": "pro", "name": "Pro", "currency": "USD", "interval_unit": "month",
              "product": product},
    )  # fmt: skip
    version = catalog.plan_version_create(
        plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN,
        data={"effective_from": JAN, "fixed_fee": D("100.00"), "fee_timing": "arrears"},
        charges=[{"metric": calls, "pricing_model": "per_unit",
                  "params": {"unit_price": "0.50"}, "tax_rate": reduced}],
    )  # fmt: skip
    catalog.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=JAN)
    catalog.addon_create(
        actor=TEST_ACTOR, as_of=JAN,
        data={"code": "onboarding", "name": "Onboarding", "currency": "USD",
              "amount": D("10.00"), "tax_rate": reverse},
    )  # fmt: skip
    return plan


def customer_of(plan: Plan, external_id: str, **fields: Any) -> Customer:
    customer = CustomerFactory(external_id=external_id, country="FR", **fields)
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN)
    report = usage_ingest(
        events=[
            {"event_id": f"{external_id}-{n}", "customer": external_id, "metric": "api_calls",
             "event_time": (JAN + timedelta(days=n + 1)).isoformat(),
             "properties": {"calls": 10}}
            for n in range(10)
        ],
        actor=TEST_ACTOR, as_of=JAN + timedelta(days=20),
    )  # fmt: skip
    assert report.count("accepted") == 10  # 100 calls x 0.50 = 50.00
    subscription_addon_add(
        subscription_id=sub.pk, addon_code="onboarding", quantity=D(1), actor=TEST_ACTOR,
        as_of=JAN + timedelta(days=20),
    )  # fmt: skip
    return customer


def rows(breakdown: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["code"], D(r["base"]), D(r["tax"])) for r in breakdown]


def test_each_line_is_taxed_at_its_own_rate_with_a_breakdown_and_a_split_discount(
    api: Any,
) -> None:
    plan = taxed_plan()
    customer = customer_of(plan, "fr1")
    ten = catalog.coupon_create(
        actor=TEST_ACTOR, as_of=JAN,
        data={"code": "ten", "name": "Ten", "kind": "percent", "percent_off": D(10),
              "duration": "forever"},
    )  # fmt: skip
    coupon_redeem(customer_id=customer.pk, coupon_code=ten.code, actor=TEST_ACTOR, as_of=JAN)
    before = upcoming_invoice(customer_id=customer.pk, as_of=JAN + timedelta(days=25))

    subscriptions_bill(
        subscription_ids=[Subscription.objects.get(customer=customer).pk], as_of=FEB,
        actor=TEST_ACTOR,
    )  # fmt: skip
    draft = Invoice.objects.get(customer=customer, billing_date=FEB)
    invoice = invoice_finalize(invoice_id=draft.pk, as_of=FEB, actor=TEST_ACTOR)
    lines = list(invoice.lines.select_related("tax_rate").order_by("position", "id"))
    got = [(x.kind, x.amount, x.tax_rate.code, x.tax_category, x.tax_amount) for x in lines]
    assert got == [
        ("fixed_fee", D("100.00"), "std_20", "standard", D("20.00")),  # 100 x 20%
        ("usage", D("50.00"), "reduced_5_5", "reduced", D("2.75")),  # 50 x 5.5%
        ("add_on", D("10.00"), "eu_reverse", "reverse_charge", D("0.00")),
        # 10% of the 150.00 of fee and usage = 15.00, split by rate in proportion:
        # 15.00 x 100 / 150 = 10.00 at 20% (tax -2.00), the rest 5.00 at 5.5% (-0.275 -> -0.28)
        ("discount", D("-10.00"), "std_20", "standard", D("-2.00")),
        ("discount", D("-5.00"), "reduced_5_5", "reduced", D("-0.28")),
    ]
    # 160.00 - 15.00 = 145.00; tax 20.00 + 2.75 + 0 - 2.00 - 0.28 = 20.47
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        D("145.00"), D("20.47"), D("165.47"),
    )  # fmt: skip
    assert set(trial_balance().values()) <= {D(0)}

    # the API: each line's rate and category, the breakdown by rate with its base
    body = api.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert [(x["tax_rate"], x["tax_category"]) for x in body["lines"][:3]] == [
        ("std_20", "standard"), ("reduced_5_5", "reduced"), ("eu_reverse", "reverse_charge"),
    ]  # fmt: skip
    breakdown = [(*row, r["category"], r["legal_mention"])
                 for row, r in zip(rows(body["tax_breakdown"]), body["tax_breakdown"],
                                   strict=True)]  # fmt: skip
    assert breakdown == [
        ("std_20", D("90.00"), D("18.00"), "standard", ""),  # 100 - 10; 20 - 2
        ("reduced_5_5", D("45.00"), D("2.47"), "reduced", ""),  # 50 - 5; 2.75 - 0.28
        ("eu_reverse", D("10.00"), D("0.00"), "reverse_charge", REVERSE),
    ]

    # the PDF prints each rate with its base, and the legal mention
    html = pdf.invoice_html(invoice)
    assert REVERSE in html
    assert "20%" in html
    assert "5.5%" in html
    assert "0%" in html
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    # the breakdown under the totals: each rate's name, percentage, base and tax
    assert "STD_20 20% $90.00 $18.00" in text
    assert "REDUCED_5_5 5.5% $45.00 $2.47" in text
    assert "EU_REVERSE 0% $10.00 $0.00" in text

    # the upcoming invoice, asked before the period ended, said the same
    assert [(x["kind"], x["amount"], x["tax_amount"], x["tax_rate_code"])
            for x in before["lines"]] == [
        (x.kind, x.amount, x.tax_amount, x.tax_rate.code) for x in lines
    ]  # fmt: skip
    assert (before["subtotal"], before["tax_total"], before["total"]) == (
        invoice.subtotal, invoice.tax_total, invoice.total,
    )  # fmt: skip
    assert rows(before["tax_breakdown"]) == rows(body["tax_breakdown"])

    # a credit note of the whole invoice credits the tax rate by rate
    note = credit_note_issue(invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="refund")
    assert (note.total, note.tax_total) == (D("165.47"), D("20.47"))
    credited = next(
        n for n in api.get("/api/v1/credit-notes/").json()["results"] if n["id"] == note.pk
    )
    assert rows(credited["tax_breakdown"]) == rows(body["tax_breakdown"])
    assert REVERSE in pdf.credit_note_html(note)
    assert set(trial_balance().values()) <= {D(0)}


def test_a_tax_exempt_customer_is_never_taxed_whatever_its_products_rate() -> None:
    plan = taxed_plan()
    customer = customer_of(plan, "fr2", tax_exempt=True)
    subscriptions_bill(
        subscription_ids=[Subscription.objects.get(customer=customer).pk], as_of=FEB,
        actor=TEST_ACTOR,
    )  # fmt: skip
    draft = Invoice.objects.get(customer=customer, billing_date=FEB)
    invoice = invoice_finalize(invoice_id=draft.pk, as_of=FEB, actor=TEST_ACTOR)
    lines = invoice.lines.order_by("position")
    assert [(x.amount, x.tax_rate_id, x.tax_amount) for x in lines] == [
        (D("100.00"), None, D(0)), (D("50.00"), None, D(0)), (D("10.00"), None, D(0)),
    ]  # fmt: skip
    # the rates set in the catalog are kept on the lines: exempting is the customer's
    assert invoice.lines.filter(catalog_tax_rate__isnull=False).count() == 3
    assert (invoice.tax_total, invoice.total) == (D(0), D("160.00"))


def test_a_draft_is_taxed_again_at_each_lines_own_rate_when_the_customer_changes() -> None:
    plan = taxed_plan()
    customer = customer_of(plan, "fr3", tax_exempt=True)
    subscriptions_bill(
        subscription_ids=[Subscription.objects.get(customer=customer).pk], as_of=FEB,
        actor=TEST_ACTOR,
    )  # fmt: skip
    Customer.objects.filter(pk=customer.pk).update(tax_exempt=False)
    draft = Invoice.objects.get(customer=customer, billing_date=FEB)
    invoice = invoice_finalize(invoice_id=draft.pk, as_of=FEB, actor=TEST_ACTOR)
    # no longer exempt: 20.00 + 2.75 + 0.00, each at the rate its catalog sets
    assert [x.tax_amount for x in invoice.lines.order_by("position")] == [
        D("20.00"), D("2.75"), D("0.00"),
    ]  # fmt: skip
    assert invoice.tax_total == D("22.75")


V1 = "/api/v1/"


def error(response: Any) -> tuple[str, str]:
    first = response.json()["errors"][0]
    return first["field"], first["code"]


def test_tax_rates_products_charges_and_add_ons_over_the_api(api: Any) -> None:
    def post(path: str, body: dict[str, Any]) -> Any:
        return api.post(V1 + path, body, format="json")

    bad = post("tax-rates/", {"code": "ex", "name": "Exempt", "percentage": "5",
                              "category": "exempt", "legal_mention": "Art. 261"})  # fmt: skip
    assert (bad.status_code, error(bad)[0]) == (400, "percentage"), bad.json()
    bad = post("tax-rates/", {"code": "rc", "name": "RC", "percentage": "0",
                              "category": "reverse_charge"})  # fmt: skip
    assert (bad.status_code, error(bad)[0]) == (400, "legal_mention"), bad.json()
    bad = post("tax-rates/", {"code": "z", "name": "Zero", "percentage": "7", "category": "zero"})
    assert (bad.status_code, error(bad)[0]) == (400, "percentage"), bad.json()
    bad = post("tax-rates/", {"code": "x", "name": "X", "percentage": "0", "category": "nope"})
    assert (bad.status_code, *error(bad)) == (400, "category", "invalid_choice"), bad.json()
    made = post("tax-rates/", {"code": "rc", "name": "RC", "percentage": "0",
                               "category": "reverse_charge", "legal_mention": REVERSE})  # fmt: skip
    assert made.status_code == 201, made.json()
    assert (made.json()["category"], made.json()["legal_mention"]) == ("reverse_charge", REVERSE)
    frozen = api.patch(f"{V1}tax-rates/{made.json()['id']}/", {"category": "exempt"},
                       format="json")  # fmt: skip
    assert frozen.status_code == 409
    assert error(frozen) == ("category", "immutable")

    product = post("products/", {"code": "soft", "name": "Software", "tax_rate": "rc"})
    assert (product.status_code, product.json().get("tax_rate")) == (201, "rc"), product.json()
    unknown = post("products/", {"code": "hard", "name": "Hardware", "tax_rate": "nope"})
    assert unknown.status_code == 400
    assert error(unknown)[0] == "tax_rate"
    old = rate("old_vat", "19")
    catalog.tax_rate_update(tax_rate_id=old.pk, actor=TEST_ACTOR, as_of=JAN,
                            changes={"archived": True})  # fmt: skip
    archived = post("addons/", {"code": "a", "name": "A", "currency": "USD", "amount": "1",
                                "tax_rate": "old_vat"})  # fmt: skip
    assert archived.status_code == 400
    assert error(archived) == ("tax_rate", "archived")
    addon = post("addons/", {"code": "a", "name": "A", "currency": "USD", "amount": "1",
                             "tax_rate": "rc"})  # fmt: skip
    assert addon.status_code == 201
    assert addon.json()["tax_rate"] == "rc"
    cleared = api.patch(f"{V1}products/{product.json()['id']}/", {"tax_rate": None},
                        format="json")  # fmt: skip
    assert cleared.status_code == 200
    assert cleared.json()["tax_rate"] is None

    metric("api_calls", aggregation="sum", field_name="calls")
    post("plans/", {"code": "pro", "name": "Pro", "currency": "USD", "interval_unit": "month"})
    charge = {"metric": "api_calls", "pricing_model": "per_unit", "params": {"unit_price": "1"}}
    version = post("plan-versions/", {"plan": "pro", "effective_from": "2026-01-01T00:00:00Z",
                                      "charges": [{**charge, "tax_rate": "rc"}]})  # fmt: skip
    assert version.status_code == 201, version.json()
    assert version.json()["charges"][0]["tax_rate"] == "rc"
    bad = post("plan-versions/", {"plan": "pro", "effective_from": "2027-01-01T00:00:00Z",
                                  "charges": [{**charge, "tax_rate": "old_vat"}]})  # fmt: skip
    assert bad.status_code == 400
    assert error(bad) == ("charges[0].tax_rate", "archived")


def test_the_admin_refuses_an_exempt_rate_with_a_percentage(staff_client: Any) -> None:
    bad = staff_client.post(
        reverse("admin:catalog_taxrate_add"),
        {"code": "ex", "name": "Exempt", "percentage": "5", "category": "exempt",
         "legal_mention": "", "country": "", "region": "", "description": ""},
    )  # fmt: skip
    assert bad.status_code == 200
    errors = bad.context["adminform"].form.errors
    assert "percentage" in errors
    assert "legal_mention" in errors
    good = staff_client.post(
        reverse("admin:catalog_taxrate_add"),
        {"code": "ex", "name": "Exempt", "percentage": "0", "category": "exempt",
         "legal_mention": "Exempt: Art. 261 CGI", "country": "", "region": "",
         "description": ""},
    )  # fmt: skip
    assert good.status_code == 302
    assert TaxRate.objects.get(code="ex").category == "exempt"
    assert staff_client.get(reverse("admin:catalog_product_add")).status_code == 200
    assert (
        "tax_rate"
        in staff_client.get(reverse("admin:catalog_product_add")).context["adminform"].form.fields
    )


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amounts=st.lists(
        st.tuples(
            st.sampled_from([None, 1, 2]),
            st.decimals(min_value=D("0.01"), max_value=D("9999.99"), places=2),
        ),
        min_size=1,
        max_size=6,
    ),
    percent=st.integers(min_value=1, max_value=100),
)
def test_a_discount_split_by_rate_adds_up_to_the_discount(
    amounts: list[tuple[int | None, Decimal]], percent: int
) -> None:
    """Two ways agree: the parts of a discount split by rate add up to the discount exactly,
    and each rate's part (but the last, which takes the rest) is its share rounded once."""
    lines = [
        LineSpec(kind="usage", description="x", amount=amount, tax_rate_id=rate_id)
        for rate_id, amount in amounts
    ]
    base = sum((line.amount for line in lines), D(0))
    discount = -quantize(base * percent / 100, "USD")
    spec = LineSpec(kind="discount", description="d", amount=discount)
    parts = discount_by_rate(spec, [(line, line.amount) for line in lines], "USD")
    assert sum((p.amount for p in parts), D(0)) == discount
    by_rate: dict[int | None, Decimal] = {}
    for line in lines:
        by_rate[line.tax_rate_id] = by_rate.get(line.tax_rate_id, D(0)) + line.amount
    assert {p.tax_rate_id for p in parts} <= set(by_rate)
    for part in parts[:-1]:
        assert part.amount == quantize(discount * by_rate[part.tax_rate_id] / base, "USD")
