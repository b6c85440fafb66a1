"""Cash application over the API (issue 12, item 8): record a manual payment, apply it,
take an allocation back, move an overpayment to the balance, a customer's unapplied cash, the
payments list and a payment's timeline; every refusal a 400 naming the field that changes
nothing; Idempotency-Key; permissions; the customer's auto_collection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Customer, CustomerBalanceTransaction, JournalEvent, LedgerEntry
from invoicing.models import Invoice
from invoicing.services import invoice_draft_create
from payments.models import Allocation, GatewayCall, Payment, Refund
from payments.services import AllocationRequest, payment_record
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import (
    a_customer,
    assert_trial_balance_zero,
    ledger_of,
    open_invoice,
    open_invoices,
)

pytestmark = pytest.mark.django_db

D = Decimal
JAN = datetime(2026, 1, 5, 9, tzinfo=UTC)
PAYMENTS = "/api/v1/payments/"


def received() -> str:
    """An instant safely in the past of the request (the view acts for the wall clock)."""
    return (timezone.now() - timedelta(hours=1)).isoformat()


def body(customer: Customer, amount: str, **extra: Any) -> dict[str, Any]:
    return {
        "customer": customer.external_id,
        "amount": amount,
        "currency": customer.currency,
        "received_at": received(),
        "reference": "BANK-1",
        **extra,
    }


def post(api: APIClient, url: str, data: Any = None, **headers: Any) -> Any:
    return api.post(url, data if data is not None else {}, format="json", **headers)


def fresh(invoice: Invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


def recorded(customer: Customer, amount: str, **extra: Any) -> Payment:
    return payment_record(
        customer_id=customer.pk, amount=D(amount), currency=customer.currency,
        received_at=JAN + timedelta(days=40), reference="BANK-0", actor=ACTOR,
        as_of=JAN + timedelta(days=40), **extra,
    )  # fmt: skip


def counts() -> dict[str, int]:
    return {
        "payments": Payment.objects.count(),
        "allocations": Allocation.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "journal": JournalEvent.objects.count(),
        "balance": CustomerBalanceTransaction.objects.count(),
    }


def amounts_of(payment: Payment) -> tuple[Decimal, ...]:
    payment.refresh_from_db()
    return (payment.applied, payment.unapplied, payment.to_balance, payment.refunded)


def the_error(response: Any) -> tuple[str | None, str]:
    assert response.status_code == 400, (response.status_code, response.json())
    (error,) = response.json()["errors"]
    return error["field"], error["code"]


# ----------------------------------------------------------------------- happy paths


def test_record_and_apply_oldest_first(api: APIClient) -> None:
    acme = a_customer()
    first, second, third = open_invoices(acme, ["100.00", "50.00", "30.00"], JAN)
    response = post(api, PAYMENTS, body(acme, "200", apply="oldest_first", memo="March"))
    assert response.status_code == 201, response.json()
    out = response.json()
    # 200 pays 100 + 50 + 30 = 180; 20 stays unapplied
    assert (out["amount"], out["applied"], out["unapplied"], out["to_balance"],
            out["refunded"]) == ("200.00", "180.00", "20.00", "0.00", "0.00")  # fmt: skip
    assert (out["customer"], out["kind"], out["state"], out["gateway"], out["reference"],
            out["memo"]) == (acme.external_id, "manual", "succeeded", "manual", "BANK-1",
                             "March")  # fmt: skip
    assert [(a["invoice"], a["invoice_number"], a["amount"], a["live"]) for a in
            out["allocations"]] == [(first.pk, first.number, "100.00", True),
                                    (second.pk, second.number, "50.00", True),
                                    (third.pk, third.number, "30.00", True)]  # fmt: skip
    assert (out["attempts"], out["refunds"]) == ([], [])
    assert [fresh(i).status for i in (first, second, third)] == ["paid"] * 3
    assert ledger_of(acme) == {"cash": D("200.00"), "unapplied_cash": D("-20.00"),
                               "revenue": D("-180.00")}  # fmt: skip
    assert_trial_balance_zero()


def test_record_with_allocations_as_asked(api: APIClient) -> None:
    acme = a_customer()
    first, second = open_invoices(acme, ["100.00", "50.00"], JAN)
    allocations = [{"invoice": second.pk, "amount": "20.00"}, {"invoice": first.pk}]
    response = post(api, PAYMENTS, body(acme, "150.00", allocations=allocations))
    assert response.status_code == 201, response.json()
    out = response.json()
    # second gets 20 as asked; first gets all it owes (100) of the 130 left; 30 unapplied
    assert [(a["invoice"], a["amount"]) for a in out["allocations"]] == [
        (second.pk, "20.00"), (first.pk, "100.00"),
    ]  # fmt: skip
    assert (out["applied"], out["unapplied"]) == ("120.00", "30.00")
    assert (fresh(first).status, fresh(second).status) == ("paid", "partially_paid")
    assert fresh(second).amount_due == D("30.00")
    assert_trial_balance_zero()


def test_record_unapplied_then_apply_unapply_and_move_to_balance(api: APIClient) -> None:
    acme = a_customer()
    first, second = open_invoices(acme, ["70.00", "40.00"], JAN)
    created = post(api, PAYMENTS, body(acme, "100.00"))  # apply defaults to "none"
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert (created.json()["applied"], created.json()["unapplied"]) == ("0.00", "100.00")
    assert created.json()["allocations"] == []

    cash = api.get(f"/api/v1/customers/{acme.pk}/unapplied-cash/").json()
    assert (cash["customer"], cash["currency"], cash["total"]) == (acme.external_id, "USD",
                                                                   "100.00")  # fmt: skip
    assert [p["id"] for p in cash["payments"]] == [pk]

    applied = post(api, f"{PAYMENTS}{pk}/apply/")  # no body: oldest due first
    assert applied.status_code == 200, applied.json()
    # 100 pays the first (70) and 30 of the second (40): the second owes 10
    assert [(a["invoice"], a["amount"]) for a in applied.json()["allocations"]] == [
        (first.pk, "70.00"), (second.pk, "30.00"),
    ]  # fmt: skip
    assert (applied.json()["applied"], applied.json()["unapplied"]) == ("100.00", "0.00")
    assert (fresh(second).status, fresh(second).amount_due) == ("partially_paid", D("10.00"))
    assert api.get(f"/api/v1/customers/{acme.pk}/unapplied-cash/").json()["total"] == "0.00"

    allocation = applied.json()["allocations"][1]["id"]
    undone = post(api, f"/api/v1/allocations/{allocation}/unapply/", {"reason": "wrong invoice"})
    assert undone.status_code == 200, undone.json()
    taken_back = undone.json()["allocations"][1]
    assert (taken_back["live"], taken_back["unapply_reason"]) == (False, "wrong invoice")
    assert taken_back["unapplied_at"] is not None
    assert taken_back["unapplied_by"].startswith("api_key")
    assert (undone.json()["applied"], undone.json()["unapplied"]) == ("70.00", "30.00")
    assert (fresh(second).status, fresh(second).amount_due) == ("open", D("40.00"))
    again = post(api, f"/api/v1/allocations/{allocation}/unapply/", {"reason": "twice"})
    assert (again.status_code, again.json()["errors"][0]["code"]) == (409, "already_unapplied")

    moved = post(api, f"{PAYMENTS}{pk}/move-to-balance/", {"amount": "12.50", "reason": "keep"})
    assert moved.status_code == 200, moved.json()
    # 30 unapplied - 12.50 moved = 17.50
    assert (moved.json()["unapplied"], moved.json()["to_balance"]) == ("17.50", "12.50")
    acme.refresh_from_db()
    assert acme.balance == D("12.50")
    rest = post(api, f"{PAYMENTS}{pk}/move-to-balance/", {"reason": "all of it"})
    assert (rest.json()["unapplied"], rest.json()["to_balance"]) == ("0.00", "30.00")
    acme.refresh_from_db()
    assert acme.balance == D("30.00")

    detail = api.get(f"{PAYMENTS}{pk}/").json()
    assert (detail["amount"], detail["applied"], detail["unapplied"], detail["to_balance"]) == (
        "100.00", "70.00", "0.00", "30.00",
    )  # fmt: skip
    assert [a["live"] for a in detail["allocations"]] == [True, False]
    assert ledger_of(acme) == {"cash": D("100.00"), "customer_credit": D("-30.00"),
                               "receivable": D("40.00"), "revenue": D("-110.00")}  # fmt: skip
    assert_trial_balance_zero()


def test_money_is_shown_in_the_currencys_decimals(api: APIClient) -> None:
    yen = a_customer(currency="JPY")
    invoice = open_invoice(yen, "1000", JAN)
    response = post(api, PAYMENTS, body(yen, "1500", apply="oldest_first"))
    assert response.status_code == 201, response.json()
    out = response.json()
    assert (out["amount"], out["applied"], out["unapplied"]) == ("1500", "1000", "500")
    assert out["allocations"][0]["amount"] == "1000"
    assert fresh(invoice).status == "paid"
    dinar = a_customer(currency="KWD")
    out = post(api, PAYMENTS, body(dinar, "1.25")).json()
    assert (out["amount"], out["unapplied"]) == ("1.250", "1.250")
    cash = api.get(f"/api/v1/customers/{dinar.pk}/unapplied-cash/").json()
    assert cash["total"] == "1.250"


def test_an_automatic_payment_shows_its_invoice_attempt_retry_calls_and_refunds(
    api: APIClient,
) -> None:
    """The rows automatic collection and refunds write (built here directly: this test reads)."""
    acme = a_customer()
    invoice = open_invoice(acme, "80.00", JAN)
    at = JAN + timedelta(days=1)
    failed = Payment.objects.create(
        customer=acme, kind="automatic", state="failed", currency="USD", amount=D("80.00"),
        gateway="sandbox", idempotency_key="auto-1", invoice=invoice, attempt=1,
        retry_at=at + timedelta(days=3), failure_code="card_declined",
        failure_message="Declined", created_by="clock", created_at=at, updated_at=at,
    )  # fmt: skip
    GatewayCall.objects.create(
        payment=failed, gateway="sandbox", action="charge", idempotency_key="auto-1",
        outcome="failed", reason="card_declined", message="Declined", reference="ch_1", at=at,
    )  # fmt: skip
    paid = recorded(acme, "90.00")
    Refund.objects.create(
        payment=paid, amount=D("5.00"), currency="USD", source="unapplied", state="succeeded",
        reason="overpaid", idempotency_key="refund-1", created_by="finance", created_at=at,
        updated_at=at,
    )  # fmt: skip
    out = api.get(f"{PAYMENTS}{failed.pk}/").json()
    assert (out["kind"], out["state"], out["invoice"], out["attempt"], out["failure_code"]) == (
        "automatic", "failed", invoice.pk, 1, "card_declined",
    )  # fmt: skip
    assert out["retry_at"].startswith("2026-01-09")
    assert [(c["action"], c["outcome"], c["reason"], c["message"], c["reference"])
            for c in out["attempts"]] == [("charge", "failed", "card_declined", "Declined",
                                           "ch_1")]  # fmt: skip
    refunds = api.get(f"{PAYMENTS}{paid.pk}/").json()["refunds"]
    assert [(r["amount"], r["state"], r["source"], r["credit_note"]) for r in refunds] == [
        ("5.00", "succeeded", "unapplied", None)
    ]
    listed = api.get(PAYMENTS, {"invoice": invoice.pk}).json()["results"]
    assert [p["id"] for p in listed] == [failed.pk]


# ------------------------------------------------------------------------- refusals


def _refused(api: APIClient, url: str, data: Any) -> tuple[str | None, str]:
    before = counts()
    response = post(api, url, data)
    assert counts() == before, "a refusal changed something"
    return the_error(response)


def test_refusals_of_a_new_payment_name_the_field_and_change_nothing(api: APIClient) -> None:
    acme, other = a_customer(), a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    foreign = open_invoice(other, "10.00", JAN)
    draft = invoice_draft_create(customer_id=acme.pk, as_of=JAN, actor=ACTOR)
    future = (timezone.now() + timedelta(days=1)).isoformat()
    cases: list[tuple[dict[str, Any], tuple[str, str]]] = [
        (body(acme, "0"), ("amount", "not_positive")),
        (body(acme, "-5.00"), ("amount", "not_positive")),
        (body(acme, "10.001"), ("amount", "too_many_decimals")),  # USD has 2
        (body(acme, "10.00001"), ("amount", "max_decimal_places")),
        (body(acme, "10", currency="EUR"), ("currency", "currency_mismatch")),
        (body(acme, "10", currency="XYZ"), ("currency", "unknown_currency")),
        (body(acme, "10", received_at=future), ("received_at", "in_future")),
        (body(acme, "150", allocations=[{"invoice": invoice.pk, "amount": "120.00"}]),
         ("allocations[0].amount", "exceeds_amount_due")),
        (body(acme, "50", allocations=[{"invoice": invoice.pk, "amount": "60.00"}]),
         ("allocations[0].amount", "exceeds_unapplied")),
        (body(acme, "50", allocations=[{"invoice": invoice.pk, "amount": "0"}]),
         ("allocations[0].amount", "not_positive")),
        (body(acme, "50", allocations=[{"invoice": invoice.pk, "amount": "1.005"}]),
         ("allocations[0].amount", "too_many_decimals")),
        (body(acme, "50", allocations=[{"invoice": foreign.pk}]),
         ("allocations[0].invoice", "not_found")),
        (body(acme, "50", allocations=[{"invoice": draft.pk, "amount": "1"}]),
         ("allocations[0].invoice", "not_payable")),
        (body(acme, "50", allocations=[{"invoice": 987654321}]),
         ("allocations[0].invoice", "not_found")),
        (body(acme, "50", allocations=[{"invoice": invoice.pk, "amount": "1"},
                                       {"invoice": invoice.pk, "amount": "1"}]),
         ("allocations[1].invoice", "duplicate")),
        (body(acme, "50", allocations=[]), ("allocations", "empty")),
        (body(acme, "50", allocations=[{"invoice": invoice.pk}], apply="oldest_first"),
         ("apply", "conflicting")),
        (body(acme, "50", apply="always"), ("apply", "invalid_choice")),
        (body(acme, "50", bogus=1), ("bogus", "unknown_field")),
        (body(acme, "50", allocations=[{"invoice": invoice.pk, "bogus": 1}]),
         ("allocations[0].bogus", "unknown_field")),
    ]  # fmt: skip
    for data, expected in cases:
        assert _refused(api, PAYMENTS, data) == expected, data
    missing = body(acme, "10")
    del missing["received_at"]
    assert _refused(api, PAYMENTS, missing) == ("received_at", "required")
    nobody = post(api, PAYMENTS, {**body(acme, "10"), "customer": "nobody"})
    assert (nobody.status_code, nobody.json()["errors"][0]["field"]) == (404, "customer")
    assert fresh(invoice).amount_due == D("100.00")


def test_an_invoice_in_another_currency_is_refused_on_the_allocation(api: APIClient) -> None:
    acme = a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    # a customer whose currency changed under an issued invoice (the customer API refuses
    # that now: `currency_in_use`): a raw update, as an older row could be
    Customer.objects.filter(pk=acme.pk).update(currency="EUR")
    acme.refresh_from_db()
    data = body(acme, "50", allocations=[{"invoice": invoice.pk}])
    # the service reports every check of a part on the part's amount
    assert _refused(api, PAYMENTS, data) == ("allocations[0].invoice", "currency_mismatch")


def test_refusals_of_apply_unapply_and_move_change_nothing(api: APIClient) -> None:
    acme, other = a_customer(), a_customer()
    first, second = open_invoices(acme, ["30.00", "40.00"], JAN)
    foreign = open_invoice(other, "10.00", JAN)
    payment = recorded(acme, "50.00", allocations=[AllocationRequest(first.pk, D("10.00"))])
    allocation = Allocation.objects.get(payment=payment)
    apply = f"{PAYMENTS}{payment.pk}/apply/"
    move = f"{PAYMENTS}{payment.pk}/move-to-balance/"
    unapply = f"/api/v1/allocations/{allocation.pk}/unapply/"
    # the payment holds 40; the first invoice owes 20, the second 40
    cases: list[tuple[str, Any, tuple[str, str]]] = [
        (apply, {"allocations": [{"invoice": first.pk, "amount": "25.00"}]},
         ("allocations[0].amount", "exceeds_amount_due")),
        (apply, {"allocations": [{"invoice": first.pk, "amount": "20.00"},
                                 {"invoice": second.pk, "amount": "30.00"}]},
         ("allocations[1].amount", "exceeds_unapplied")),
        (apply, {"allocations": [{"invoice": second.pk, "amount": "-1"}]},
         ("allocations[0].amount", "not_positive")),
        (apply, {"allocations": [{"invoice": second.pk, "amount": "1.999"}]},
         ("allocations[0].amount", "too_many_decimals")),
        (apply, {"allocations": [{"invoice": foreign.pk}]},
         ("allocations[0].invoice", "not_found")),
        (apply, {"allocations": [{"invoice": second.pk}, {"invoice": second.pk}]},
         ("allocations[1].invoice", "duplicate")),
        (apply, {"allocations": []}, ("allocations", "empty")),
        (apply, {"invoice": second.pk}, ("invoice", "unknown_field")),
        (move, {"amount": "40.01", "reason": "too much"}, ("amount", "exceeds_unapplied")),
        (move, {"amount": "0", "reason": "nothing"}, ("amount", "not_positive")),
        (move, {"amount": "1.001", "reason": "decimals"}, ("amount", "too_many_decimals")),
        (move, {"amount": "1"}, ("reason", "required")),
        (move, {"amount": "1", "reason": "   "}, ("reason", "blank")),
        (unapply, {}, ("reason", "required")),
        (unapply, {"reason": "x", "amount": "1"}, ("amount", "unknown_field")),
    ]  # fmt: skip
    for url, data, expected in cases:
        assert _refused(api, url, data) == expected, (url, data)
    assert amounts_of(payment) == (D("10.00"), D("40.00"), D(0), D(0))
    assert (fresh(first).amount_due, fresh(second).amount_due) == (D("20.00"), D("40.00"))
    assert post(api, f"{PAYMENTS}987654321/apply/").status_code == 404
    assert post(api, "/api/v1/allocations/987654321/unapply/", {"reason": "x"}).status_code == 404


def test_apply_conflicts_when_nothing_is_left_or_nothing_is_open(api: APIClient) -> None:
    acme = a_customer()
    payment = recorded(acme, "10.00")
    nothing_open = post(api, f"{PAYMENTS}{payment.pk}/apply/")
    assert (nothing_open.status_code, nothing_open.json()["errors"][0]["code"]) == (
        409, "no_open_invoice",
    )  # fmt: skip
    open_invoice(acme, "10.00", JAN)
    assert post(api, f"{PAYMENTS}{payment.pk}/apply/").status_code == 200
    used = post(api, f"{PAYMENTS}{payment.pk}/apply/")
    assert (used.status_code, used.json()["errors"][0]["code"]) == (409, "nothing_unapplied")
    empty = post(api, f"{PAYMENTS}{payment.pk}/move-to-balance/", {"reason": "rest"})
    assert (empty.status_code, empty.json()["errors"][0]["code"]) == (409, "nothing_unapplied")


# ---------------------------------------------------------------------- idempotency


def test_an_idempotency_key_replays_the_same_payment_and_records_once(api: APIClient) -> None:
    acme = a_customer()
    open_invoice(acme, "60.00", JAN)
    data = body(acme, "100.00", apply="oldest_first")
    first = post(api, PAYMENTS, data, HTTP_IDEMPOTENCY_KEY="transfer-42")
    before = counts()
    again = post(api, PAYMENTS, data, HTTP_IDEMPOTENCY_KEY="transfer-42")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert counts() == before
    assert Payment.objects.filter(customer=acme).count() == 1
    other = post(api, PAYMENTS, {**data, "amount": "99.00"}, HTTP_IDEMPOTENCY_KEY="transfer-42")
    assert other.status_code == 422
    pk = first.json()["id"]
    moved = post(api, f"{PAYMENTS}{pk}/move-to-balance/", {"reason": "r"},
                 HTTP_IDEMPOTENCY_KEY="move-1")  # fmt: skip
    replayed = post(api, f"{PAYMENTS}{pk}/move-to-balance/", {"reason": "r"},
                    HTTP_IDEMPOTENCY_KEY="move-1")  # fmt: skip
    assert replayed.json() == moved.json()
    assert CustomerBalanceTransaction.objects.filter(customer=acme).count() == 1
    acme.refresh_from_db()
    assert acme.balance == D("40.00")  # 100 - 60 applied, moved once


# ------------------------------------------------------------------ list and filters


def test_list_is_paginated_newest_first_and_filtered(api: APIClient) -> None:
    acme, other = a_customer(), a_customer(currency="EUR")
    invoice = open_invoice(acme, "30.00", JAN)
    day = JAN + timedelta(days=40)
    old = payment_record(
        customer_id=acme.pk, amount=D("10.00"), currency="USD", received_at=JAN, reference="A",
        actor=ACTOR, as_of=day,
    )  # fmt: skip
    applied = payment_record(
        customer_id=acme.pk, amount=D("20.00"), currency="USD", received_at=day, reference="B",
        actor=ACTOR, as_of=day + timedelta(minutes=1),
        allocations=[AllocationRequest(invoice.pk)],
    )  # fmt: skip
    euros = payment_record(
        customer_id=other.pk, amount=D("5.00"), currency="EUR", received_at=day, reference="C",
        actor=ACTOR, as_of=day + timedelta(minutes=2),
    )  # fmt: skip

    def ids(**query: Any) -> list[int]:
        response = api.get(PAYMENTS, query)
        assert response.status_code == 200, response.json()
        return [p["id"] for p in response.json()["results"]]

    assert ids() == [euros.pk, applied.pk, old.pk]
    page = api.get(PAYMENTS, {"limit": 2}).json()
    assert [p["id"] for p in page["results"]] == [euros.pk, applied.pk]
    rest = api.get(page["next"]).json()
    assert ([p["id"] for p in rest["results"]], rest["next"]) == ([old.pk], None)
    assert ids(customer=acme.external_id) == [applied.pk, old.pk]
    assert ids(customer="nobody") == []
    assert ids(state="succeeded", kind="manual", gateway="manual") == [euros.pk, applied.pk,
                                                                       old.pk]  # fmt: skip
    assert (ids(state="failed"), ids(kind="automatic")) == ([], [])
    assert ids(invoice=invoice.pk) == [applied.pk]
    assert ids(received_before=(JAN + timedelta(days=1)).isoformat()) == [old.pk]
    assert ids(received_after=day.isoformat()) == [euros.pk, applied.pk]
    row = api.get(PAYMENTS, {"customer": other.external_id}).json()["results"][0]
    assert (row["amount"], row["currency"], row["reference"]) == ("5.00", "EUR", "C")
    assert "allocations" not in row  # the list is light; the detail has the timeline
    for query, field in (({"bogus": "1"}, "bogus"), ({"state": "lost"}, "state"),
                         ({"invoice": "x"}, "invoice"), ({"invoice": "0"}, "invoice"),
                         ({"received_after": "yesterday"}, "received_after")):  # fmt: skip
        refused = api.get(PAYMENTS, query)
        assert refused.status_code == 400, query
        assert refused.json()["errors"][0]["field"] == field
    assert api.get(f"{PAYMENTS}987654321/").status_code == 404
    assert api.get("/api/v1/customers/987654321/unapplied-cash/").status_code == 404


# ---------------------------------------------------------------------- permissions


def session(django_user_model: Any, name: str, codenames: list[str]) -> APIClient:
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = APIClient()
    client.force_login(user)
    return client


def test_staff_sessions_need_the_payment_permissions(django_user_model: Any) -> None:
    acme = a_customer()
    open_invoice(acme, "10.00", JAN)
    payment = recorded(acme, "30.00", apply_oldest_first=True)
    allocation = Allocation.objects.get(payment=payment)
    viewer = session(django_user_model, "viewer", ["view_payment"])
    clerk = session(django_user_model, "clerk", ["view_payment", "add_payment"])
    lead = session(django_user_model, "lead", ["view_payment", "change_payment"])
    nobody = session(django_user_model, "nobody", ["view_customer", "view_invoice"])

    reads = [PAYMENTS, f"{PAYMENTS}{payment.pk}/", f"/api/v1/customers/{acme.pk}/unapplied-cash/"]
    for url in reads:
        assert viewer.get(url).status_code == 200, url
        assert nobody.get(url).status_code == 403, url
    before = counts()
    assert post(viewer, PAYMENTS, body(acme, "5.00")).status_code == 403
    assert post(viewer, f"{PAYMENTS}{payment.pk}/apply/").status_code == 403
    assert post(viewer, f"{PAYMENTS}{payment.pk}/move-to-balance/", {"reason": "r"}).status_code \
        == 403  # fmt: skip
    assert post(viewer, f"/api/v1/allocations/{allocation.pk}/unapply/", {"reason": "r"}) \
        .status_code == 403  # fmt: skip
    assert post(clerk, f"{PAYMENTS}{payment.pk}/move-to-balance/", {"reason": "r"}).status_code \
        == 403  # fmt: skip
    assert post(lead, PAYMENTS, body(acme, "5.00")).status_code == 403
    assert counts() == before

    assert post(clerk, PAYMENTS, body(acme, "5.00")).status_code == 201
    moved = post(lead, f"{PAYMENTS}{payment.pk}/move-to-balance/", {"amount": "1", "reason": "r"})
    assert moved.status_code == 200, moved.json()
    undone = post(lead, f"/api/v1/allocations/{allocation.pk}/unapply/", {"reason": "r"})
    assert undone.status_code == 200, undone.json()
    assert APIClient().get(PAYMENTS).status_code == 401


# --------------------------------------------------------------------------- schema


def test_the_schema_documents_the_routes(staff_client: Any) -> None:
    schema = staff_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = schema.json()["paths"]
    posts = [
        "/api/v1/payments/",
        "/api/v1/payments/{id}/apply/",
        "/api/v1/payments/{id}/move-to-balance/",
        "/api/v1/allocations/{id}/unapply/",
    ]
    for path in posts:
        op = paths[path]["post"]
        assert any(p["name"] == "Idempotency-Key" for p in op["parameters"]), path
        assert "400" in op["responses"], path
        assert "requestBody" in op, path
    for path in ("/api/v1/payments/", "/api/v1/payments/{id}/",
                 "/api/v1/customers/{id}/unapplied-cash/"):  # fmt: skip
        assert "200" in paths[path]["get"]["responses"], path
    query = {p["name"] for p in paths["/api/v1/payments/"]["get"]["parameters"]}
    assert {"customer", "state", "kind", "gateway", "invoice", "received_after",
            "received_before", "cursor", "limit"} <= query  # fmt: skip


# --------------------------------------------------------- the customer's auto_collection


def test_auto_collection_round_trips_through_the_customer_api(api: APIClient) -> None:
    data = {"external_id": "manual-payer", "name": "MP", "currency": "USD",
            "auto_collection": False}  # fmt: skip
    made = post(api, "/api/v1/customers/", data)
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert made.json()["auto_collection"] is False
    assert api.get(f"/api/v1/customers/{pk}/").json()["auto_collection"] is False
    assert Customer.objects.get(pk=pk).auto_collection is False
    patched = api.patch(f"/api/v1/customers/{pk}/", {"auto_collection": True}, format="json")
    assert (patched.status_code, patched.json()["auto_collection"]) == (200, True)
    assert api.get(f"/api/v1/customers/{pk}/").json()["auto_collection"] is True
    assert Customer.objects.get(pk=pk).auto_collection is True
    other = post(api, "/api/v1/customers/", {"external_id": "card-payer", "name": "CP",
                                             "currency": "USD"})  # fmt: skip
    assert other.json()["auto_collection"] is True  # the default
    bad = api.patch(f"/api/v1/customers/{pk}/", {"auto_collection": "sometimes"}, format="json")
    assert the_error(bad)[0] == "auto_collection"
    by_external = api.get("/api/v1/customers/external/manual-payer/").json()
    assert by_external["auto_collection"] is True
