"""Taxes (exclusive and inclusive, by the customer's address), coupons, add-ons and the customer's
credit balance on invoices, through the clock's billing and finalization, with the ledger."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from billing.models import Customer, CustomerBalanceTransaction, Subscription
from billing.services import (
    account_balances,
    coupon_redeem,
    customer_balance_adjust,
    subscription_addon_add,
    trial_balance,
)
from catalog import services as catalog
from catalog.models import Coupon, Plan
from core.exceptions import ApplicationError
from invoicing.models import Invoice
from invoicing.services import (
    credit_note_issue,
    invoice_addon_add,
    invoice_draft_create,
    invoice_finalize,
    invoice_line_add,
    invoice_void,
)
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_invoices import FEB, JAN, run_tick, workload_customer, workload_plan

MAR, APR = FEB.replace(month=3), FEB.replace(month=4)
pytestmark = pytest.mark.django_db
D = Decimal


def tax_rate(code: str, percentage: str, *, inclusive: bool = False, **where: str) -> None:
    catalog.tax_rate_create(
        actor=TEST_ACTOR,
        as_of=JAN,
        data={"code": code, "name": code.upper(), "percentage": D(percentage),
              "inclusive": inclusive, **where},
    )  # fmt: skip


def customer_in(i: int, plan: Plan, **fields: Any) -> Customer:
    customer = workload_customer(i, plan)  # w1: 49.00 fee + 9.19 + 0.01 usage = 58.20
    Customer.objects.filter(pk=customer.pk).update(**fields)
    customer.refresh_from_db()
    return customer


def invoice_of(customer: Customer, at: Any = FEB) -> Invoice:
    return Invoice.objects.get(customer=customer, billing_date=at)


def ledger_is_balanced() -> None:
    assert set(trial_balance().values()) <= {D(0)}


def test_exclusive_and_inclusive_taxes_by_address_rounded_per_line() -> None:
    tax_rate("de_vat", "19", country="DE")
    tax_rate("fr_vat", "20", inclusive=True, country="FR")
    tax_rate("us_ca", "7.25", country="US", region="CA")
    plan = workload_plan()
    germany = customer_in(1, plan, country="DE")
    france = customer_in(5001, plan, country="FR")  # i = 5001 bills like i = 1: 58.20
    california = customer_in(10001, plan, country="US", state="ca")
    exempt = customer_in(15001, plan, country="DE", tax_exempt=True)
    texas = customer_in(20001, plan, country="US", state="TX")  # no rate: no tax
    run_tick(FEB + timedelta(minutes=5))

    de = invoice_of(germany)
    # 49.00 x 19% = 9.31; 9.19 x 19% = 1.7461 -> 1.75; 0.01 x 19% = 0.0019 -> 0.00
    assert [line.tax_amount for line in de.lines.order_by("position")] == [
        D("9.31"), D("1.75"), D("0.00"),
    ]  # fmt: skip
    assert (de.subtotal, de.tax_total, de.total) == (D("58.20"), D("11.06"), D("69.26"))
    fr = invoice_of(france)
    # inclusive: tax = amount x 20/120: 8.1666 -> 8.17, 1.5316 -> 1.53, 0.0016 -> 0.00
    assert (fr.subtotal, fr.tax_total, fr.total) == (D("58.20"), D("9.70"), D("58.20"))
    ca = invoice_of(california)
    assert ca.tax_total == D("3.55") + D("0.67") + D("0.00")  # region matched case-blind
    assert invoice_of(exempt).tax_total == D(0)
    assert invoice_of(texas).tax_total == D(0)
    balances = account_balances(customer_id=france.pk)
    assert balances[("revenue", "USD")] == D("-48.50")  # 58.20 less its 9.70 of VAT
    assert balances[("tax", "USD")] == D("-9.70")
    assert balances[("receivable", "USD")] == D("58.20")
    ledger_is_balanced()

    # a credit note of one line carries that line's share of the tax
    usage = de.lines.get(metric_code="api_calls")
    note = credit_note_issue(
        invoice_id=de.pk, as_of=FEB, actor=TEST_ACTOR, reason="goodwill",
        lines=[(usage.pk, D("9.19"))],
    )  # fmt: skip
    assert (note.total, note.tax_total, note.to_balance) == (D("10.94"), D("1.75"), D(0))
    assert account_balances(customer_id=germany.pk)[("tax", "USD")] == D("-9.31")
    ledger_is_balanced()


def coupon(code: str, **data: Any) -> Coupon:
    return catalog.coupon_create(
        actor=TEST_ACTOR, as_of=JAN, data={"code": code, "name": code.title(), **data}
    )


def test_coupons_discount_the_periods_they_last_and_tax_follows_the_discount() -> None:
    tax_rate("de_vat", "19", country="DE")
    plan = workload_plan()
    ten = coupon("ten", kind="percent", percent_off=D(10), duration="repeating",
                 duration_periods=2)  # fmt: skip
    twenty = coupon("twenty", kind="fixed", amount_off=D(20), currency="USD", duration="once")
    first = customer_in(1, plan)
    second = customer_in(2, plan, country="DE")  # 49.00 + 0.02
    coupon_redeem(customer_id=first.pk, coupon_code=ten.code, actor=TEST_ACTOR, as_of=JAN)
    redemption = coupon_redeem(
        customer_id=second.pk, coupon_code=twenty.code, actor=TEST_ACTOR, as_of=JAN,
        subscription_id=Subscription.objects.get(customer=second).pk,
    )  # fmt: skip
    run_tick(FEB + timedelta(minutes=5))
    feb = invoice_of(first)
    discount = feb.lines.get(kind="discount")
    assert discount.amount == D("-5.82")  # 10% of 58.20
    assert discount.explanation["formula"] == "58.20 x 10% = 5.82"
    assert feb.total == D("52.38")
    taxed = invoice_of(second)
    # 49.02 - 20.00 = 29.02, taxed at 19%: 9.31 + 0.00 - 3.80 = 5.51
    assert taxed.subtotal == D("29.02")
    assert taxed.tax_total == D("5.51")
    assert taxed.total == D("34.53")
    redemption.refresh_from_db()
    assert (redemption.status, redemption.amount_discounted) == ("used_up", D("20.00"))
    run_tick(MAR + timedelta(minutes=5))
    assert invoice_of(first, MAR).lines.get(kind="discount").amount == D("-4.90")
    assert not invoice_of(second, MAR).lines.filter(kind="discount").exists()  # once: used up
    run_tick(APR + timedelta(minutes=5))
    assert not invoice_of(first, APR).lines.filter(kind="discount").exists()  # two periods
    ledger_is_balanced()


def test_coupon_redemption_is_refused_with_a_clear_reason(api: Any) -> None:
    plan = workload_plan()
    other = catalog.plan_create(
        actor=TEST_ACTOR, as_of=JAN,
        data={"code": "other", "name": "Other", "currency": "USD", "interval_unit": "month"},
    )  # fmt: skip
    coupon("eur", kind="fixed", amount_off=D(5), currency="EUR", duration="once")
    only_other = coupon("only-other", kind="percent", percent_off=D(5), duration="forever")
    only_other.plans.set([other])
    coupon("one-use", kind="percent", percent_off=D(5), duration="forever", max_redemptions=1)
    customer = customer_in(1, plan)
    sub = Subscription.objects.get(customer=customer)
    url = f"/api/v1/customers/{customer.pk}/coupons/"

    def refused(body: dict[str, Any], status: int, field: str, code: str) -> None:
        response = api.post(url, body, format="json")
        assert response.status_code == status, response.content
        error = response.json()["errors"][0]
        assert (error["field"], error["code"]) == (field, code), error

    refused({"coupon": "nope"}, 404, "coupon", "not_found")
    refused({"coupon": "eur"}, 400, "coupon", "currency_mismatch")
    refused({"coupon": "only-other", "subscription": sub.pk}, 400, "subscription",
            "plan_not_eligible")  # fmt: skip
    assert api.post(url, {"coupon": "one-use"}, format="json").status_code == 201
    refused({"coupon": "one-use"}, 409, "coupon", "redemption_limit")
    listed = api.get(url).json()["results"]
    assert [(r["coupon"], r["status"]) for r in listed] == [("one-use", "active")]
    removed = api.post(f"/api/v1/coupon-redemptions/{listed[0]['id']}/remove/")
    assert removed.json()["status"] == "removed"


def test_the_credit_balance_pays_invoices_and_takes_what_falls_below_zero(api: Any) -> None:
    plan = workload_plan()
    customer = customer_in(1, plan)
    response = api.post(
        f"/api/v1/customers/{customer.pk}/balance/",
        {"amount": "30.00", "reason": "service outage"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["balance_after"] == "30.0000"
    refused = api.post(
        f"/api/v1/customers/{customer.pk}/balance/",
        {"amount": "-50.00", "reason": "too much"},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "exceeds_balance"
    run_tick(FEB + timedelta(minutes=5))
    invoice = invoice_of(customer)
    assert (invoice.total, invoice.credit_applied, invoice.amount_due) == (
        D("58.20"), D("30.00"), D("28.20"),
    )  # fmt: skip
    assert invoice.status == "open"
    customer.refresh_from_db()
    assert customer.balance == D(0)
    ledger_is_balanced()
    assert account_balances(customer_id=customer.pk)[("customer_credit", "USD")] == D(0)
    # voiding gives the credit back
    invoice_void(invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="billed by mistake")
    customer.refresh_from_db()
    assert customer.balance == D("30.00")
    ledger_is_balanced()
    # a draft whose credits exceed its charges: finalized, settled, its credit carried
    customer_balance_adjust(
        customer_id=customer.pk, amount=D(-30), actor=TEST_ACTOR, as_of=FEB, reason="reset",
        kind="adjustment",
    )  # fmt: skip
    run_tick(MAR - timedelta(days=1))  # nothing due yet; the March draft comes at March 1
    run_tick(MAR + timedelta(minutes=1))
    march = invoice_of(customer, MAR)
    assert march.status == "open"
    # (the March invoice was finalized by the tick: a draft by hand for a one-off refund)
    refund = invoice_draft_create(customer_id=customer.pk, as_of=MAR + timedelta(days=1),
                                  actor=TEST_ACTOR)  # fmt: skip
    invoice_line_add(
        invoice_id=refund.pk, description="Refund of a setup fee", amount=D("-80"),
        quantity=D(1), as_of=MAR, actor=TEST_ACTOR,
    )  # fmt: skip
    final = invoice_finalize(invoice_id=refund.pk, as_of=MAR, actor=TEST_ACTOR)
    assert (final.total, final.amount_due, final.status) == (D("-80.00"), D(0), "paid")
    customer.refresh_from_db()
    assert customer.balance == D("80.00")
    # an invoice the balance pays whole is paid; a credit note on it goes back to the balance
    extra = invoice_draft_create(customer_id=customer.pk, as_of=MAR + timedelta(days=2),
                                 actor=TEST_ACTOR)  # fmt: skip
    invoice_line_add(
        invoice_id=extra.pk, description="Training", amount=D("20"), quantity=D(1), as_of=MAR,
        actor=TEST_ACTOR,
    )  # fmt: skip
    paid = invoice_finalize(invoice_id=extra.pk, as_of=MAR, actor=TEST_ACTOR)
    assert (paid.credit_applied, paid.amount_due, paid.status) == (D("20.00"), D(0), "paid")
    note = credit_note_issue(invoice_id=paid.pk, as_of=MAR, actor=TEST_ACTOR, reason="no show")
    assert note.to_balance == D("20.00")
    customer.refresh_from_db()
    assert customer.balance == D("80.00")
    # one on an open invoice lowers what is owed instead
    open_note = credit_note_issue(invoice_id=march.pk, as_of=MAR, actor=TEST_ACTOR, reason="sorry")
    assert open_note.to_balance == D(0)
    kinds = list(
        CustomerBalanceTransaction.objects.filter(customer=customer)
        .order_by("id")
        .values_list("kind", "amount")
    )
    assert kinds == [
        ("grant", D("30.00")), ("applied", D("-30.00")), ("restored", D("30.00")),
        ("adjustment", D("-30.00")), ("carried", D("80.00")), ("applied", D("-20.00")),
        ("credit_note", D("20.00")),
    ]  # fmt: skip
    ledger_is_balanced()
    history = api.get(f"/api/v1/customers/{customer.pk}/balance/").json()["results"]
    assert sorted(row["kind"] for row in history) == sorted(kind for kind, _ in kinds)


def test_add_ons_on_a_draft_and_on_the_next_invoice(api: Any) -> None:
    plan = workload_plan()
    catalog.addon_create(
        actor=TEST_ACTOR, as_of=JAN,
        data={"code": "onboarding", "name": "Onboarding", "currency": "USD", "amount": D("150")},
    )  # fmt: skip
    catalog.addon_create(
        actor=TEST_ACTOR, as_of=JAN,
        data={"code": "eu-pack", "name": "EU pack", "currency": "EUR", "amount": D("10")},
    )  # fmt: skip
    customer = customer_in(1, plan, invoice_grace_period_days=3)
    sub = Subscription.objects.get(customer=customer)
    with time_machine.travel(JAN + timedelta(days=14), tick=False):  # the API acts "now"
        response = api.post(
            f"/api/v1/subscriptions/{sub.pk}/add-ons/", {"add_on": "onboarding"}, format="json"
        )
        wrong = api.post(f"/api/v1/subscriptions/{sub.pk}/add-ons/", {"add_on": "eu-pack"},
                         format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["amount_rounded"] == "150.0000"
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["code"] == "currency_mismatch"
    run_tick(FEB + timedelta(minutes=5))
    draft = invoice_of(customer)
    assert draft.status == "draft"  # three days of grace
    assert draft.lines.get(kind="add_on").amount == D("150.00")
    line = invoice_addon_add(invoice_id=draft.pk, addon_code="onboarding", quantity=D("0.5"),
                             as_of=FEB, actor=TEST_ACTOR)  # fmt: skip
    assert line.amount == D("75.00")
    draft.refresh_from_db()
    assert draft.total == D("58.20") + D("150.00") + D("75.00")
    removed = api.delete(f"/api/v1/invoices/{draft.pk}/lines/{line.pk}/")
    assert removed.status_code == 204
    over_api = api.post(f"/api/v1/invoices/{draft.pk}/add-ons/",
                        {"add_on": "onboarding", "quantity": "2"}, format="json")  # fmt: skip
    assert over_api.status_code == 201
    assert over_api.json()["amount"] == "300.0000"
    with pytest.raises(ApplicationError):
        subscription_addon_add(subscription_id=sub.pk, addon_code="missing", quantity=D(1),
                               actor=TEST_ACTOR, as_of=FEB)  # fmt: skip


def test_the_pdf_shows_taxes_discounts_and_the_credit_applied(settings: Any, tmp_path: Any) -> None:
    import io

    import pypdf

    from invoicing.services import invoice_render_pdf

    settings.MEDIA_ROOT = tmp_path
    tax_rate("de_vat", "19", country="DE")
    plan = workload_plan()
    customer = customer_in(1, plan, country="DE", tax_id="DE123456789", locale="de-DE")
    coupon("ten", kind="percent", percent_off=D(10), duration="forever")
    coupon_redeem(customer_id=customer.pk, coupon_code="ten", actor=TEST_ACTOR, as_of=JAN)
    customer_balance_adjust(customer_id=customer.pk, amount=D("10"), actor=TEST_ACTOR, as_of=JAN,
                            reason="welcome")  # fmt: skip
    run_tick(FEB + timedelta(minutes=5))
    invoice = invoice_of(customer)
    # 58.20 - 5.82 = 52.38 net; tax 9.31 + 1.75 + 0.00 - 1.11 = 9.95; total 62.33; 10 of credit
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        D("52.38"), D("9.95"), D("62.33"),
    )  # fmt: skip
    assert (invoice.credit_applied, invoice.amount_due) == (D("10.00"), D("52.33"))
    rendered = invoice_render_pdf(invoice_id=invoice.pk, as_of=FEB)
    text = " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(rendered.pdf.read())).pages
    )
    expected_texts = ("DE123456789", "Rabatt (Gutschein", "-5,82", "19\xa0%", "9,95", "62,33",
                      "52,33")  # fmt: skip
    for expected in expected_texts:
        assert expected in text, expected


def test_finance_staff_add_lines_credit_and_coupons_in_the_admin(staff_client: Any) -> None:
    plan = workload_plan()
    catalog.addon_create(
        actor=TEST_ACTOR, as_of=JAN,
        data={"code": "setup", "name": "Setup", "currency": "USD", "amount": D("99")},
    )  # fmt: skip
    coupon("ten", kind="percent", percent_off=D(10), duration="once")
    customer = customer_in(1, plan, invoice_grace_period_days=5)
    run_tick(FEB + timedelta(minutes=5))
    draft = invoice_of(customer)
    page = staff_client.get(f"/admin/invoicing/invoice/{draft.pk}/change/")
    assert b"action-add-line" in page.content
    url = f"/admin/invoicing/invoice/{draft.pk}/add-line/"
    empty = staff_client.post(url, {"quantity": "1"})
    assert b"Pick an add-on, or give a description and an amount." in empty.content
    addon = catalog_addon_id("setup")
    assert staff_client.post(url, {"add_on": addon, "quantity": "2"}).status_code == 302
    assert draft.lines.get(kind="add_on").amount == D("198.00")
    # a balance grant refused by the service shows on the form; a valid one is recorded
    add = "/admin/billing/customerbalancetransaction/add/"
    form = {"customer": customer.pk, "kind": "grant", "reason": "x"}
    refused = staff_client.post(add, {**form, "amount": "-5"})
    assert b"cannot go below zero" in refused.content
    assert staff_client.post(add, {**form, "amount": "25"}).status_code == 302
    customer.refresh_from_db()
    assert customer.balance == D("25.00")
    redeem = "/admin/billing/couponredemption/add/"
    ten = Coupon.objects.get(code="ten").pk
    assert staff_client.post(redeem, {"customer": customer.pk, "coupon": ten}).status_code == 302
    again = staff_client.post(redeem, {"customer": customer.pk, "coupon": ten})
    assert b"already active" in again.content
    created = staff_client.post(f"/admin/invoicing/invoice/new-draft/{customer.pk}/")
    assert created.status_code == 302
    assert Invoice.objects.filter(customer=customer, status="draft").count() == 2
    shown = staff_client.get(f"/admin/billing/customer/{customer.pk}/change/")
    assert b"new-draft-invoice" in shown.content
    assert b"25.0000" in shown.content
    assert b"ten" in shown.content


def catalog_addon_id(code: str) -> int:
    from catalog.models import AddOn

    return AddOn.objects.get(code=code).pk


def test_late_events_in_the_grace_period_refresh_the_discount_and_the_preview(api: Any) -> None:
    from billing.services import journal_dispatch, usage_ingest

    tax_rate("de_vat", "19", country="DE")
    plan = workload_plan()
    customer = customer_in(1, plan, country="DE", invoice_grace_period_days=3)
    coupon("ten", kind="percent", percent_off=D(10), duration="forever")
    coupon_redeem(customer_id=customer.pk, coupon_code="ten", actor=TEST_ACTOR, as_of=JAN)
    preview = api.get(f"/api/v1/customers/{customer.pk}/upcoming-invoice/").json()
    assert {line["kind"] for line in preview["lines"]} >= {"fixed_fee", "discount"}
    assert preview["tax_rate"] == "DE_VAT 19% excl."
    run_tick(FEB + timedelta(minutes=5))
    draft = invoice_of(customer)
    assert draft.lines.get(kind="discount").amount == D("-5.82")
    usage_ingest(
        events=[{"event_id": "late", "customer": "w1", "metric": "api_calls",
                 "event_time": "2026-01-31T23:00:00Z", "properties": {"calls": 1000}}],
        actor=TEST_ACTOR,
        as_of=FEB + timedelta(hours=2),
    )  # fmt: skip
    journal_dispatch(as_of=FEB + timedelta(hours=2))
    draft.refresh_from_db()
    assert draft.lines.get(metric_code="api_calls").amount == D("11.19")
    assert draft.lines.get(kind="discount").amount == D("-6.02")  # 10% of 60.20
    assert draft.subtotal == D("54.18")
    redemption = customer.redemptions.get()
    assert redemption.amount_discounted == D("6.02")
    assert redemption.periods_applied == 1


def test_corrections_follow_percentage_coupons_and_carry_tax(settings: Any) -> None:
    from billing.services import journal_dispatch, usage_ingest
    from invoicing.models import Correction

    settings.CORRECTIONS_AUTO_APPLY = True
    tax_rate("de_vat", "19", country="DE")
    plan = workload_plan()
    customer = customer_in(1, plan, country="DE")
    coupon("ten", kind="percent", percent_off=D(10), duration="forever")
    coupon_redeem(customer_id=customer.pk, coupon_code="ten", actor=TEST_ACTOR, as_of=JAN)
    run_tick(FEB + timedelta(minutes=5))
    original = invoice_of(customer)
    assert original.status == "open"
    later = FEB + timedelta(days=3)

    def late(event_id: str, calls: int) -> dict[str, Correction]:
        """The corrections of one run, by kind."""
        before = max(Correction.objects.values_list("id", flat=True), default=0)
        usage_ingest(
            events=[{"event_id": event_id, "customer": "w1", "metric": "api_calls",
                     "event_time": "2026-01-20T00:00:00Z", "properties": {"calls": calls}}],
            actor=TEST_ACTOR,
            as_of=later,
        )  # fmt: skip
        journal_dispatch(as_of=later)
        return {c.kind: c for c in Correction.objects.filter(id__gt=before)}

    # +4.00 of usage, and the 10% coupon that discounted it follows: -0.40; 19% VAT on both
    up = late("up", 2000)
    assert (up["usage"].difference, up["discount"].difference) == (D("4.00"), D("-0.40"))
    supplement = up["usage"].supplementary_invoice
    assert supplement is not None
    assert up["discount"].supplementary_invoice == supplement  # one document for the run
    assert (supplement.subtotal, supplement.tax_total, supplement.total) == (
        D("3.60"), D("0.68"), D("4.28"),
    )  # fmt: skip
    # 7.19 now: 6.00 less than the 13.19 invoiced and corrected, and 0.60 less discount
    down = late("down", -3000)
    assert (down["usage"].difference, down["discount"].difference) == (D("-6.00"), D("0.60"))
    note = down["usage"].credit_note
    assert note is not None
    assert down["discount"].credit_note == note
    # 5.40 with its tax: 6.00 x 1.75 / 9.19 = 1.14 on the usage, -0.60 x 1.11 / 5.82 = -0.11
    assert (note.total, note.tax_total) == (D("6.43"), D("1.03"))
    ledger_is_balanced()


def test_a_once_percentage_discounts_every_subscription_of_its_invoice() -> None:
    from billing.services import subscription_create
    from tests.invoicing.test_invoices import bill_to_draft

    plan = workload_plan()
    customer = customer_in(1, plan)
    second = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                                 as_of=JAN)  # fmt: skip
    coupon("ten", kind="percent", percent_off=D(10), duration="once")
    redemption = coupon_redeem(customer_id=customer.pk, coupon_code="ten", actor=TEST_ACTOR,
                               as_of=JAN)  # fmt: skip
    for sub in Subscription.objects.filter(customer=customer).order_by("pk"):  # one by one
        invoice = bill_to_draft(sub)
    discounts = sorted(invoice.lines.filter(kind="discount").values_list("amount", flat=True))
    assert discounts == [D("-5.82"), D("-5.82")]  # each subscription's 58.20 (usage is the
    # customer's: both price book's charges read the same events)
    redemption.refresh_from_db()
    assert (redemption.status, redemption.periods_applied) == ("used_up", 1)
    assert redemption.amount_discounted == D("11.64")
    assert second.pk in set(invoice.lines.values_list("subscription", flat=True))


def test_a_draft_by_hand_over_the_api(api: Any) -> None:
    from tests.billing.factories import CustomerFactory

    customer = CustomerFactory(external_id="walk-in")  # no subscription: a one-off sale
    created = api.post("/api/v1/invoices/", {"customer": "walk-in", "grace_days": 2},
                       format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["total"], body["lines"]) == ("draft", "0.0000", [])
    line = api.post(f"/api/v1/invoices/{body['id']}/lines/",
                    {"description": "Consulting", "amount": "120", "quantity": "3"},
                    format="json")  # fmt: skip
    assert line.status_code == 201
    final = api.post(f"/api/v1/invoices/{body['id']}/finalize/")
    assert final.json()["total"] == "360.0000"
    assert final.json()["status"] == "open"
    missing = api.post("/api/v1/invoices/", {"customer": "nobody"}, format="json")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["field"] == "customer"
    bad = api.post("/api/v1/invoices/", {"customer": "walk-in", "grace_days": 99}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "grace_days"
    assert customer.invoices.count() == 1


def _one_line_invoice(amount: str, tax_percent: str) -> tuple[Invoice, Any]:
    """A finalized invoice of one line of `amount`, taxed at `tax_percent` (a customer in a
    country of its own, taxed at that rate)."""
    from catalog.models import TaxRate
    from invoicing.services import invoice_draft_create, invoice_finalize, invoice_line_add
    from tests.billing.factories import CustomerFactory

    country = {"7": "AT", "15": "DE", "19": "FR", "20": "IT", "7.25": "ES"}[tax_percent]
    if not TaxRate.objects.filter(country=country).exists():
        tax_rate(f"vat_{country.lower()}", tax_percent, country=country)
    customer = CustomerFactory(country=country)
    draft = invoice_draft_create(customer_id=customer.pk, as_of=JAN, actor=TEST_ACTOR)
    line = invoice_line_add(invoice_id=draft.pk, description="Service", amount=D(amount),
                            quantity=D(1), as_of=JAN, actor=TEST_ACTOR)  # fmt: skip
    return invoice_finalize(invoice_id=draft.pk, as_of=JAN, actor=TEST_ACTOR), line


def test_partial_credit_notes_never_give_back_more_tax_than_was_charged() -> None:
    from invoicing.services import credit_note_issue

    invoice, line = _one_line_invoice("1.00", "15")
    assert line.tax_amount == D("0.15")
    first = credit_note_issue(invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="a",
                              lines=[(line.pk, D("0.50"))])  # fmt: skip
    second = credit_note_issue(invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="b",
                               lines=[(line.pk, D("0.50"))])  # fmt: skip
    # 0.075 rounds to 0.08 on the first half; the half that completes the line carries the rest
    assert (first.tax_total, second.tax_total) == (D("0.08"), D("0.07"))
    assert (first.total + second.total) == invoice.total == D("1.15")
    ledger_is_balanced()


@hsettings(max_examples=40, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    cents=st.integers(min_value=1, max_value=100_000),
    percent=st.sampled_from(["7", "15", "19", "20", "7.25"]),
    cuts=st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=4),
)
def test_credited_tax_adds_up_to_the_line_tax_however_the_line_is_cut(
    cents: int, percent: str, cuts: list[int]
) -> None:
    from invoicing.models import CreditNoteLine
    from invoicing.services import credit_note_issue

    amount = D(cents) / 100
    invoice, line = _one_line_invoice(str(amount), percent)
    left = amount
    for cut in cuts:
        part = (amount * cut / 100).quantize(D("0.01"))
        if not 0 < part < left:
            continue
        credit_note_issue(invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="part",
                          lines=[(line.pk, part)])  # fmt: skip
        left -= part
    credit_note_issue(invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="rest")
    taxes = [c.tax_amount for c in CreditNoteLine.objects.filter(invoice_line=line)]
    assert sum(taxes) == line.tax_amount
    assert all(t >= 0 for t in taxes)
