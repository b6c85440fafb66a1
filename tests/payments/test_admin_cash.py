"""Issue 12, item 9: the admin of cash application. Finance staff record a bank transfer and
apply it to chosen open invoices in one form (refusals on the input they are about, nothing
written), apply, unapply and move a payment's cash from its page, read its timeline; staff who
may only view see no button and are refused; the customer page shows its unapplied cash; the AR
aging report buckets what is owed (amounts computed by hand) in two queries."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from billing.models import Customer
from invoicing.models import Invoice
from invoicing.services import invoice_mark_uncollectible
from payments.models import Allocation, Payment
from payments.reports import ar_aging
from payments.services import AllocationRequest, payment_record
from tests.conftest import TEST_ACTOR
from tests.payments.helpers import (
    a_customer,
    assert_trial_balance_zero,
    open_invoice,
    open_invoices,
)

pytestmark = pytest.mark.django_db
D = Decimal
JAN = datetime(2026, 1, 5, 9, tzinfo=UTC)
FEB = datetime(2026, 2, 20, 9, tzinfo=UTC)
ADD = "/admin/payments/payment/add/"


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def fresh(invoice: Invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


def three_invoices(**extra: Any) -> tuple[Customer, list[Invoice]]:
    customer = a_customer(**extra)
    return customer, open_invoices(customer, ["100.00", "150.00", "400.00"], JAN)


def record_post(customer: Customer, amounts: dict[int, str], **fields: str) -> dict[str, str]:
    data = {
        "customer": str(customer.pk), "amount": "500.00", "currency": customer.currency,
        "received_at_0": "2026-02-20", "received_at_1": "10:30:00", "reference": "BANK-77",
        "memo": "wire",
    }  # fmt: skip
    data.update({f"alloc_{pk}": amount for pk, amount in amounts.items()})
    data.update(fields)
    return data


@pytest.fixture
def viewer(client: Any, django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("auditor", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(user)
    return client


# ------------------------------------------------------------------------------- the pages


def test_the_pages_render_for_finance_staff(staff_client: Any) -> None:
    # a long name (as Faker sometimes makes): the list shortens it, never the external id
    customer, (first, second, third) = three_invoices(
        timezone="Europe/Berlin", name="Bartholomew-Featherstonehaugh, Cholmondeley and Sons Ltd"
    )
    payment = payment_record(
        customer_id=customer.pk, amount=D("120.00"), currency="USD", received_at=FEB,
        reference="BANK-1", actor=TEST_ACTOR, as_of=FEB,
        allocations=[AllocationRequest(first.pk, D("100.00"))],
    )  # fmt: skip
    listing = text(staff_client.get("/admin/payments/payment/"))
    for expected in (customer.external_id, "120.00 USD", "100.00 USD", "20.00 USD", "BANK-1",
                     "2026-02-20 10:00 Europe/Berlin"):  # fmt: skip
        assert expected in listing, expected
    assert staff_client.get("/admin/payments/payment/?q=BANK-1").status_code == 200
    assert staff_client.get("/admin/payments/payment/?state__exact=succeeded").status_code == 200

    pick = staff_client.get(ADD)
    assert pick.status_code == 200
    assert 'id="pick-customer-form"' in text(pick)
    # the picker searches as you type (the admin's autocomplete of customers)
    found = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "payments", "model_name": "payment", "field_name": "customer",
         "term": customer.external_id},
    )  # fmt: skip
    assert found.status_code == 200
    assert found.json()["results"][0]["id"] == str(customer.pk)
    # without JavaScript: the external id typed
    step2 = text(staff_client.get(f"{ADD}?external_id={customer.external_id}"))
    assert 'id="record-payment-form"' in step2
    step2 = text(staff_client.get(f"{ADD}?customer={customer.pk}"))
    assert "Europe/Berlin" in step2
    # the open invoices with what each still owes, oldest due first; the paid one is not there
    assert step2.count('class="open-invoice"') == 2
    assert step2.index(second.number) < step2.index(third.number)
    assert first.number not in step2
    for expected in ("150.00 USD", "400.00 USD", f'name="alloc_{second.pk}"'):
        assert expected in step2, expected

    page = text(staff_client.get(f"/admin/payments/payment/{payment.pk}/change/"))
    for expected in ('id="payment-timeline"', "100.00 USD applied to", first.number,
                     'id="action-apply"', 'id="action-move"', 'id="unapply-'):  # fmt: skip
        assert expected in page, expected
    assert 'name="_save"' not in page

    customer_page = text(staff_client.get(f"/admin/billing/customer/{customer.pk}/change/"))
    assert 'id="overview-payments"' in customer_page
    assert f"{ADD}?customer={customer.pk}" in customer_page
    assert 'id="customer-unapplied">20.00 USD<' in customer_page
    assert customer_page.count('class="overview-payment"') == 1
    assert customer_page.count('class="overview-holding"') == 1

    index = text(staff_client.get("/admin/"))
    entry = reverse("admin:payments_agingreport_changelist")  # a proxy: listed like a model
    assert entry in index
    assert staff_client.get(entry + "?as_of=2026-06-30")["Location"] == (
        reverse("admin:payments_ar_aging") + "?as_of=2026-06-30"
    )
    assert staff_client.get(reverse("admin:payments_ar_aging")).status_code == 200


def test_refund_and_retry_links_only_when_their_pages_exist(staff_client: Any) -> None:
    customer, _ = three_invoices()
    payment = payment_record(
        customer_id=customer.pk, amount=D("10.00"), currency="USD", received_at=FEB,
        reference="B", actor=TEST_ACTOR, as_of=FEB,
    )  # fmt: skip
    page = text(staff_client.get(f"/admin/payments/payment/{payment.pk}/change/"))
    from django.urls import NoReverseMatch

    try:
        url = reverse("admin:payments_refund_add") + f"?payment={payment.pk}"
    except NoReverseMatch:
        assert 'id="action-refund"' not in page
    else:
        assert url in page
    assert 'id="action-retry"' not in page  # a manual payment is never retried


# ---------------------------------------------------------------------------- recording


def test_recording_a_transfer_applies_the_amounts_typed_and_keeps_the_rest(
    staff_client: Any,
) -> None:
    customer, (first, second, third) = three_invoices(timezone="Europe/Berlin")
    response = staff_client.post(
        ADD, record_post(customer, {first.pk: "100.00", second.pk: "150.00"})
    )
    assert response.status_code == 302, text(response)
    payment = Payment.objects.get()
    assert response["Location"] == f"/admin/payments/payment/{payment.pk}/change/"
    # 500.00 - 100.00 - 150.00 = 250.00 unapplied
    assert (payment.amount, payment.applied, payment.unapplied) == (
        D("500.00"), D("250.00"), D("250.00"),
    )  # fmt: skip
    assert (payment.kind, payment.gateway, payment.gateway_reference, payment.memo) == (
        "manual", "manual", "BANK-77", "wire",
    )  # fmt: skip
    # typed as 10:30 in Berlin (UTC+1 in February)
    assert payment.received_at == datetime(2026, 2, 20, 9, 30, tzinfo=UTC)
    assert [fresh(i).status for i in (first, second, third)] == ["paid", "paid", "open"]
    assert fresh(third).amount_due == D("400.00")
    assert_trial_balance_zero()


def test_apply_oldest_first_from_the_form(staff_client: Any) -> None:
    customer, (first, second, third) = three_invoices()
    response = staff_client.post(ADD, record_post(customer, {}, apply_oldest_first="on"))
    assert response.status_code == 302
    payment = Payment.objects.get()
    # 100.00 + 150.00 paid, 250.00 of the 400.00
    assert (payment.applied, payment.unapplied) == (D("500.00"), D("0.00"))
    assert [fresh(i).status for i in (first, second, third)] == ["paid", "paid", "partially_paid"]
    assert fresh(third).amount_due == D("150.00")


@pytest.mark.parametrize(
    ("amounts", "fields", "where", "message"),
    [
        # 300.00 + 300.00 of a 500.00 payment: the second row is refused
        ({1: "100.00", 2: "150.00", 3: "300.00"}, {}, 3, "more than payment"),
        ({1: "120.00"}, {}, 1, "more than invoice"),  # the first owes 100.00
        ({}, {"amount": "500.001"}, "amount", "more decimals than USD allows"),
        ({}, {"currency": "EUR"}, "currency", "billed in USD, not EUR"),
        ({}, {"amount": "-5"}, "amount", "above zero"),
    ],
)
def test_a_refusal_shows_on_its_input_and_nothing_is_written(
    staff_client: Any, amounts: dict[int, str], fields: dict[str, str], where: Any, message: str
) -> None:
    customer, invoices = three_invoices()
    typed = {invoices[n - 1].pk: amount for n, amount in amounts.items()}
    response = staff_client.post(ADD, record_post(customer, typed, **fields))
    assert response.status_code == 200
    form = response.context["form"]
    field = f"alloc_{invoices[where - 1].pk}" if isinstance(where, int) else where
    assert message in " ".join(form.errors.get(field, [])), form.errors
    page = text(response)
    assert message in page
    # what was typed is kept
    for pk, amount in typed.items():
        assert f'name="alloc_{pk}" value="{amount}"' in page
    assert Payment.objects.count() == 0
    assert Allocation.objects.count() == 0
    assert [fresh(i).status for i in invoices] == ["open"] * 3


HUGE = ("1E+19", "99999999999999999999", "12345678901234567.5")


@pytest.mark.parametrize("amount", HUGE)
def test_amounts_beyond_the_columns_are_form_errors_on_every_money_input(
    staff_client: Any, amount: str
) -> None:
    """Review: numbers the numeric(20, 4) columns cannot hold were a server error (DataError).
    Every money input of the payments admin refuses them on its field; nothing is written."""
    customer, invoices = three_invoices()
    first = invoices[0]
    staff_client.raise_request_exception = False
    recorded = staff_client.post(ADD, record_post(customer, {}, amount=amount))
    assert recorded.status_code == 200
    assert recorded.context["form"].errors["amount"]
    typed = staff_client.post(ADD, record_post(customer, {first.pk: amount}))
    assert typed.status_code == 200
    assert typed.context["form"].errors[f"alloc_{first.pk}"]
    assert (Payment.objects.count(), Allocation.objects.count()) == (0, 0)

    payment = payment_record(
        customer_id=customer.pk, amount=D("10.00"), currency="USD", received_at=FEB,
        reference="B", actor=TEST_ACTOR, as_of=FEB,
    )  # fmt: skip
    pages = [
        (reverse("admin:payments_payment_apply", args=[payment.pk]), {f"alloc_{first.pk}": amount},
         f"alloc_{first.pk}"),
        (reverse("admin:payments_payment_move", args=[payment.pk]),
         {"amount": amount, "reason": "r"}, "amount"),
        (f"/admin/payments/refund/add/?payment={payment.pk}",
         {"payment": str(payment.pk), "amount": amount, "reason": "r"}, "amount"),
        (reverse("admin:payments_creditgrant_top_up"),
         {"customer": str(customer.pk), "amount": amount}, "amount"),
        ("/admin/payments/creditgrant/add/",
         {"customer": str(customer.pk), "amount": amount, "reason": "promo"}, "amount"),
    ]  # fmt: skip
    for url, data, field in pages:
        response = staff_client.post(url, data)
        assert response.status_code == 200, url
        form = response.context.get("adminform")
        errors = (form.form if form is not None else response.context["form"]).errors
        assert errors.get(field), (url, errors)
    payment.refresh_from_db()
    assert (payment.applied, payment.unapplied, payment.refunded) == (D(0), D("10.00"), D(0))
    assert Allocation.objects.count() == 0
    assert Payment.objects.count() == 1
    assert [fresh(i).status for i in invoices] == ["open"] * 3
    customer.refresh_from_db()
    assert customer.balance == D(0)
    assert Invoice.objects.filter(customer=customer).count() == 3  # no top-up invoice


# ------------------------------------------------------------- apply, unapply, move to balance


def test_apply_unapply_and_move_through_the_payment_page(staff_client: Any) -> None:
    customer, (first, second, _third) = three_invoices()
    payment = payment_record(
        customer_id=customer.pk, amount=D("300.00"), currency="USD", received_at=FEB,
        reference="B", actor=TEST_ACTOR, as_of=FEB,
    )  # fmt: skip
    apply_url = reverse("admin:payments_payment_apply", args=[payment.pk])
    page = text(staff_client.get(apply_url))
    assert "300.00 USD" in page
    assert page.count('class="open-invoice"') == 3
    # too much on the second invoice: refused on its row
    refused = staff_client.post(apply_url, {f"alloc_{second.pk}": "151.00"})
    assert "more than invoice" in " ".join(refused.context["form"].errors[f"alloc_{second.pk}"])
    nothing = staff_client.post(apply_url, {})
    assert "Type an amount" in text(nothing)
    done = staff_client.post(apply_url, {f"alloc_{first.pk}": "100.00", f"alloc_{second.pk}": "50"})
    assert done.status_code == 302
    payment.refresh_from_db()
    assert (payment.applied, payment.unapplied) == (D("150.00"), D("150.00"))
    assert fresh(second).status == "partially_paid"

    allocation = Allocation.objects.get(invoice=first)
    unapply_url = reverse("admin:payments_payment_unapply", args=[payment.pk, allocation.pk])
    assert "go back to the payment" in text(staff_client.get(unapply_url))
    assert staff_client.post(unapply_url, {"reason": ""}).status_code == 200  # reason required
    assert staff_client.post(unapply_url, {"reason": "wrong invoice"}).status_code == 302
    payment.refresh_from_db()
    assert (payment.applied, payment.unapplied) == (D("50.00"), D("250.00"))
    assert fresh(first).status == "open"

    move_url = reverse("admin:payments_payment_move", args=[payment.pk])
    too_much = staff_client.post(move_url, {"amount": "250.01", "reason": "overpaid"})
    assert "more than the payment's unapplied cash" in " ".join(
        too_much.context["form"].errors["amount"]
    )
    assert staff_client.post(move_url, {"amount": "40.00", "reason": "overpaid"}).status_code == 302
    payment.refresh_from_db()
    assert (payment.unapplied, payment.to_balance) == (D("210.00"), D("40.00"))
    customer.refresh_from_db()
    assert customer.balance == D("40.00")

    page = text(staff_client.get(f"/admin/payments/payment/{payment.pk}/change/"))
    kinds = re.findall(r'class="timeline-row timeline-([a-z-]+)"', page)
    # created, applied x2, taken back, moved: in time order
    assert kinds[0] == "created"
    assert sorted(kinds) == sorted(["created", "applied", "applied", "unapplied", "to-balance"])
    assert kinds.index("unapplied") > kinds.index("applied")
    assert kinds[-1] == "to-balance"
    assert "taken back (wrong invoice)" in page
    assert "40.00 USD moved to the credit balance" in page
    # only the live allocation (to the second invoice) can be taken back
    assert page.count("action-unapply") == 1
    assert_trial_balance_zero()


# --------------------------------------------------------------------------- view-only staff


def test_view_only_staff_see_no_button_and_their_posts_are_refused(viewer: Any) -> None:
    customer, (first, second, _third) = three_invoices()
    payment = payment_record(
        customer_id=customer.pk, amount=D("300.00"), currency="USD", received_at=FEB,
        reference="B", actor=TEST_ACTOR, as_of=FEB,
        allocations=[AllocationRequest(first.pk, D("100.00"))],
    )  # fmt: skip
    page = viewer.get(f"/admin/payments/payment/{payment.pk}/change/")
    assert page.status_code == 200
    body = text(page)
    for button in ("action-apply", "action-move", "action-refund", "action-unapply", "_save"):
        assert button not in body, button
    allocation = Allocation.objects.get()
    for url, data in (
        (reverse("admin:payments_payment_apply", args=[payment.pk]),
         {f"alloc_{second.pk}": "10.00"}),
        (reverse("admin:payments_payment_unapply", args=[payment.pk, allocation.pk]),
         {"reason": "x"}),
        (reverse("admin:payments_payment_move", args=[payment.pk]), {"reason": "x"}),
        (ADD, record_post(customer, {second.pk: "10.00"})),
        (f"/admin/payments/payment/{payment.pk}/change/", {}),
    ):  # fmt: skip
        assert viewer.post(url, data).status_code == 403, url
    assert viewer.get(ADD).status_code == 403
    payment.refresh_from_db()
    assert (payment.applied, payment.unapplied, payment.to_balance) == (
        D("100.00"), D("200.00"), D("0"),
    )  # fmt: skip
    assert Payment.objects.count() == 1
    # they read the report
    assert viewer.get(reverse("admin:payments_ar_aging")).status_code == 200


# ---------------------------------------------------------------------------------- AR aging


def test_ar_aging_buckets_what_is_owed_by_days_past_due(
    staff_client: Any, django_assert_num_queries: Any
) -> None:
    """Due dates (payment terms 0: due when finalized), as of 2026-06-30:
    current  200.00 (due that day); the other customer (30 days' terms): 1,000.00 finalized
             Jun 1 (due Jul 1) and 100.00 finalized Jun 5 (due Jul 5)
    1-30     10.00 (1 day), 20.00 (May 31: 30 days)
    31-60    40.00 (May 30: 31 days)
    61-90    80.00 (Apr 1: 90 days)
    over 90  160.00 (Mar 31: 91 days), 300.00 less 120.00 paid = 180.00 (Jan 15)
    written off 55.00; paid 70.00 not there; EUR 33.00 (Jun 10: 20 days) apart."""
    acme = a_customer(payment_terms_days=0)
    big = a_customer(payment_terms_days=30)
    euro = a_customer(payment_terms_days=0, currency="EUR")

    def at(m: int, d: int) -> datetime:
        return datetime(2026, m, d, 12, tzinfo=UTC)

    for amount, when in (("200.00", at(6, 30)), ("10.00", at(6, 29)),
                         ("20.00", at(5, 31)), ("40.00", at(5, 30)), ("80.00", at(4, 1)),
                         ("160.00", at(3, 31))):  # fmt: skip
        open_invoice(acme, amount, when)
    partly = open_invoice(acme, "300.00", at(1, 15))
    written_off = open_invoice(acme, "55.00", at(2, 1))
    paid = open_invoice(acme, "70.00", at(2, 2))
    open_invoice(big, "1000.00", at(6, 1))  # due Jul 1: current
    open_invoice(big, "100.00", at(6, 5))  # due Jul 5: current
    open_invoice(euro, "33.00", at(6, 10))
    payment_record(
        customer_id=acme.pk, amount=D("190.00"), currency="USD", received_at=at(7, 10),
        reference="B", actor=TEST_ACTOR, as_of=at(7, 10),
        allocations=[AllocationRequest(partly.pk, D("120.00")), AllocationRequest(paid.pk)],
    )  # fmt: skip
    invoice_mark_uncollectible(
        invoice_id=written_off.pk, as_of=at(7, 10), actor=TEST_ACTOR, reason="gone"
    )

    with django_assert_num_queries(2):
        report = ar_aging(as_of=date(2026, 6, 30), top=1)
    eur, usd = report.currencies  # by code
    assert usd.currency == "USD"
    assert usd.buckets == {
        "current": D("1300.00"), "1_30": D("30.00"), "31_60": D("40.00"), "61_90": D("80.00"),
        "over_90": D("340.00"),
    }  # fmt: skip
    assert usd.counts == {"current": 3, "1_30": 2, "31_60": 1, "61_90": 1, "over_90": 2}
    assert usd.total == D("1790.00")
    assert (usd.written_off, usd.written_off_count) == (D("55.00"), 1)
    # the top customer of two: the one owing 1,100.00 (acme owes 690.00)
    assert usd.customer_count == 2
    [top] = usd.customers
    assert (top.external_id, top.total) == (big.external_id, D("1100.00"))
    assert eur.buckets["1_30"] == D("33.00")
    assert eur.total == D("33.00")

    report = ar_aging(as_of=date(2026, 6, 30), top=5)
    acme_row = next(r for r in report.currencies[1].customers if r.customer_id == acme.pk)
    assert acme_row.buckets == {
        "current": D("200.00"), "1_30": D("30.00"), "31_60": D("40.00"), "61_90": D("80.00"),
        "over_90": D("340.00"),
    }  # fmt: skip
    assert (acme_row.total, acme_row.written_off) == (D("690.00"), D("55.00"))

    page = text(staff_client.get(reverse("admin:payments_ar_aging") + "?as_of=2026-06-30"))
    for expected in ("1,790.00 USD", "1,300.00 USD", "340.00 USD", "55.00 USD",
                     "33.00 EUR", "<svg", big.external_id, acme.external_id):  # fmt: skip
        assert expected in page, expected
    assert "<script" not in page.split('class="aging-chart"')[1].split("</div>")[0]
    bad = text(staff_client.get(reverse("admin:payments_ar_aging") + "?as_of=June"))
    assert "is not a date" in bad


def test_ar_aging_leaves_out_invoices_finalized_after_its_day(
    django_assert_num_queries: Any,
) -> None:
    """Review: the aging on a past day counted invoices finalized later. On 2026-06-30 it holds
    what was finalized by the end of that day (UTC): 10.00 at 23:59:59, not 20.00 at midnight
    on Jul 1 nor 40.00 in August; as of Jul 1 the 20.00 is there, and the 40.00 in September."""
    acme = a_customer(payment_terms_days=30)
    open_invoice(acme, "10.00", datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC))
    open_invoice(acme, "20.00", datetime(2026, 7, 1, tzinfo=UTC))
    open_invoice(acme, "40.00", datetime(2026, 8, 3, 9, tzinfo=UTC))

    def owed(day: date) -> tuple[Decimal, int]:
        with django_assert_num_queries(2):
            report = ar_aging(as_of=day)
        if not report.currencies:
            return D(0), 0
        [usd] = report.currencies
        assert [c.total for c in usd.customers] == [usd.total]
        return usd.total, usd.invoice_count

    assert owed(date(2026, 6, 29)) == (D(0), 0)
    assert owed(date(2026, 6, 30)) == (D("10.00"), 1)
    assert owed(date(2026, 7, 1)) == (D("30.00"), 2)
    assert owed(date(2026, 9, 1)) == (D("70.00"), 3)
