"""Cash application (issue 12, item 4): one payment over several invoices, several payments
over one invoice, unapplied cash, moving an overpayment to the balance; ledger and events."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from billing.models import JournalEvent
from core.exceptions import ValidationFailed
from invoicing.models import Invoice
from payments.models import Allocation, Payment
from payments.services import (
    AllocationRequest,
    payment_apply,
    payment_move_to_balance,
    payment_record,
    payment_unapply,
)
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import (
    a_customer,
    assert_trial_balance_zero,
    ledger_of,
    open_invoice,
    open_invoices,
)

D = Decimal
JAN = datetime(2026, 1, 5, 9, tzinfo=UTC)
NOW = datetime(2026, 2, 20, 9, tzinfo=UTC)


def fresh(invoice: Invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


def record(customer, amount: str, **extra):  # type: ignore[no-untyped-def]
    return payment_record(
        customer_id=customer.pk, amount=D(amount), currency=customer.currency,
        received_at=NOW, reference="BANK-1", actor=ACTOR, as_of=NOW, **extra,
    )  # fmt: skip


@pytest.mark.django_db
def test_one_transfer_pays_three_invoices_oldest_first_and_keeps_the_rest() -> None:
    acme = a_customer()
    first, second, third = open_invoices(acme, ["100.00", "50.00", "30.00"], JAN)
    payment = record(acme, "200.00", apply_oldest_first=True)
    assert [fresh(i).status for i in (first, second, third)] == ["paid"] * 3
    payment.refresh_from_db()
    assert (payment.applied, payment.unapplied) == (D("180.00"), D("20.00"))
    assert ledger_of(acme) == {"cash": D("200.00"), "unapplied_cash": D("-20.00"),
                               "revenue": D("-180.00")}  # fmt: skip
    types = list(
        JournalEvent.objects.filter(type__startswith="payment.").values_list("type", flat=True)
    )
    assert types == ["payment.succeeded"] + ["payment.applied"] * 3
    assert JournalEvent.objects.filter(type="invoice.paid").count() == 3
    assert_trial_balance_zero()


@pytest.mark.django_db
def test_partial_payments_then_unapply_reopen_the_invoice() -> None:
    acme = a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    p1 = record(acme, "40.00", allocations=[AllocationRequest(invoice.pk, D("40.00"))])
    assert (fresh(invoice).status, fresh(invoice).amount_due) == ("partially_paid", D("60.00"))
    record(acme, "60.00", allocations=[AllocationRequest(invoice.pk)])
    assert (fresh(invoice).status, fresh(invoice).amount_due) == ("paid", D(0))
    first = Allocation.objects.get(payment=p1)
    payment_unapply(allocation_id=first.pk, actor=ACTOR, as_of=NOW, reason="wrong customer")
    assert (fresh(invoice).status, fresh(invoice).amount_due) == ("partially_paid", D("40.00"))
    assert fresh(invoice).paid_at is None
    p1.refresh_from_db()
    assert (p1.applied, p1.unapplied) == (D(0), D("40.00"))
    payment_move_to_balance(payment_id=p1.pk, actor=ACTOR, as_of=NOW, reason="overpaid")
    acme.refresh_from_db()
    assert acme.balance == D("40.00")
    assert ledger_of(acme)["customer_credit"] == D("-40.00")
    assert_trial_balance_zero()


@pytest.mark.django_db
def test_refusals_name_the_field_and_change_nothing() -> None:
    acme, other = a_customer(), a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    theirs = open_invoice(other, "10.00", JAN)
    cases = [
        ({"amount": "0"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": "200", "allocations": [AllocationRequest(invoice.pk, D("150"))]},
         "allocations[0].amount"),
        ({"amount": "50", "allocations": [AllocationRequest(invoice.pk, D("60"))]},
         "allocations[0].amount"),
        ({"amount": "50", "allocations": [AllocationRequest(theirs.pk, D("5"))]},
         "allocations[0].invoice"),
    ]  # fmt: skip
    for extra, field in cases:
        amount = extra.pop("amount")
        with pytest.raises(ValidationFailed) as refused:
            record(acme, amount, **extra)
        assert refused.value.field == field
    with pytest.raises(ValidationFailed) as refused:
        payment_record(customer_id=acme.pk, amount=D(5), currency="EUR", received_at=NOW,
                       reference="x", actor=ACTOR, as_of=NOW)  # fmt: skip
    assert refused.value.field == "currency"
    assert Payment.objects.count() == 0
    assert fresh(invoice).amount_due == D("100.00")


@pytest.mark.django_db
def test_amounts_beyond_any_invoice_are_refused_before_the_columns_overflow() -> None:
    """Review: an amount the numeric(20, 4) columns cannot hold reached the database (DataError,
    a 500). The services refuse an amount of MAX_INVOICE_TOTAL (10^14) or more on its field,
    code max_value: no invoice is that large, so no payment or move is."""
    acme = a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    for amount in ("1E+19", "99999999999999999999", "12345678901234567.5", "100000000000000"):
        with pytest.raises(ValidationFailed) as refused:
            record(acme, amount)
        assert (refused.value.field, refused.value.code) == ("amount", "max_value")
    payment = record(acme, "99999999999999.99")  # just below the bound: recorded
    with pytest.raises(ValidationFailed) as refused:
        payment_move_to_balance(payment_id=payment.pk, amount=D("1E+19"), reason="r",
                                actor=ACTOR, as_of=NOW)  # fmt: skip
    assert (refused.value.field, refused.value.code) == ("amount", "max_value")
    assert Payment.objects.count() == 1
    assert fresh(invoice).amount_due == D("100.00")
    assert_trial_balance_zero()


@pytest.mark.django_db
def test_the_database_refuses_an_over_applied_payment_or_invoice() -> None:
    acme = a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    payment = record(acme, "10.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(applied=D("20.00"), unapplied=D(0))
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(amount_due=D("-1"))


@pytest.mark.django_db(transaction=True)
def test_eight_threads_paying_one_invoice_never_over_apply() -> None:
    acme = a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    payments = [record(acme, "30.00") for _ in range(8)]
    barrier = threading.Barrier(8)
    errors: list[str] = []

    def pay(payment: Payment) -> None:
        try:
            barrier.wait()
            payment_apply(payment_id=payment.pk, actor=ACTOR, as_of=NOW,
                          allocations=[AllocationRequest(invoice.pk)])  # fmt: skip
        except ValidationFailed as refused:
            errors.append(refused.code or "")
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(p,)) for p in payments]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    applied = Allocation.objects.filter(invoice=invoice).aggregate(t=Sum("amount"))["t"]
    assert applied == D("100.00")  # 30 + 30 + 30 + 10, the others refused
    assert sorted(errors) == ["nothing_to_apply"] * 4
    assert (fresh(invoice).status, fresh(invoice).amount_due) == ("paid", D(0))
    assert_trial_balance_zero()


@pytest.mark.django_db
def test_a_payment_on_a_written_off_invoice_recovers_the_bad_debt() -> None:
    from invoicing.services import invoice_mark_uncollectible

    acme = a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    invoice_mark_uncollectible(invoice_id=invoice.pk, as_of=NOW, actor=ACTOR, reason="gone")
    partial = record(acme, "30.00", allocations=[AllocationRequest(invoice.pk)])
    assert (fresh(invoice).status, fresh(invoice).amount_due) == ("uncollectible", D("70.00"))
    assert ledger_of(acme) == {"cash": D("30.00"), "bad_debt": D("70.00"),
                               "revenue": D("-100.00")}  # fmt: skip
    assert_trial_balance_zero()
    payment_unapply(
        allocation_id=Allocation.objects.get(payment=partial).pk, actor=ACTOR, as_of=NOW,
        reason="bounced",
    )  # fmt: skip
    assert fresh(invoice).amount_due == D("100.00")
    assert ledger_of(acme)["bad_debt"] == D("100.00")
    record(acme, "100.00", allocations=[AllocationRequest(invoice.pk)])
    assert (fresh(invoice).status, fresh(invoice).amount_due) == ("paid", D(0))
    assert "bad_debt" not in ledger_of(acme)
    assert_trial_balance_zero()


@pytest.mark.django_db
def test_a_credit_note_and_payments_share_what_is_owed() -> None:
    from invoicing.services import credit_note_issue

    acme = a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    record(acme, "30.00", allocations=[AllocationRequest(invoice.pk)])
    line = invoice.lines.get()
    credit_note_issue(invoice_id=invoice.pk, as_of=NOW, actor=ACTOR, reason="discount",
                      lines=[(line.pk, D("50.00"))])  # fmt: skip
    assert (fresh(invoice).status, fresh(invoice).amount_due) == ("partially_paid", D("20.00"))
    with pytest.raises(ValidationFailed) as refused:
        record(acme, "25.00", allocations=[AllocationRequest(invoice.pk, D("25.00"))])
    assert refused.value.code == "exceeds_amount_due"
    record(acme, "25.00", allocations=[AllocationRequest(invoice.pk)])  # applies the 20.00 owed
    assert (fresh(invoice).status, fresh(invoice).amount_due) == ("paid", D(0))
    assert Payment.objects.get(amount=D("25.00")).unapplied == D("5.00")
    assert_trial_balance_zero()
