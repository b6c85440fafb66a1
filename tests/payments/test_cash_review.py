"""Defects found by the review of issue 12, each reproduced first: what an unapply may not do
(re-open a credited invoice, take back a paid top-up whose credit was granted), a written-off
invoice is not voided, the issued PDF's amount due does not move with payments, invoices are
locked only as their customer's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from billing.services import journal_dispatch
from core.exceptions import ApplicationError, Conflict, TransitionNotAllowed
from invoicing import pdf
from invoicing.services import credit_note_issue, invoice_mark_uncollectible, invoice_void
from payments.models import Allocation, Payment
from payments.services import AllocationRequest, payment_record, payment_unapply
from payments.services.wallets import wallet_top_up
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import a_customer, assert_trial_balance_zero, open_invoice

pytestmark = pytest.mark.django_db
D = Decimal
JAN = datetime(2026, 1, 5, 9, tzinfo=UTC)
NOW = datetime(2026, 2, 20, 9, tzinfo=UTC)


def transfer(customer, amount: str, **extra):  # type: ignore[no-untyped-def]
    return payment_record(
        customer_id=customer.pk, amount=D(amount), currency=customer.currency, received_at=NOW,
        reference="B", actor=ACTOR, as_of=NOW, **extra,
    )  # fmt: skip


def test_an_unapply_never_makes_a_credited_invoice_owe_again() -> None:
    acme = a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    paid = transfer(acme, "100.00", allocations=[AllocationRequest(invoice.pk)])
    credit_note_issue(invoice_id=invoice.pk, as_of=NOW, actor=ACTOR, reason="full credit")
    allocation = Allocation.objects.get(payment=paid)
    with pytest.raises(Conflict) as refused:
        payment_unapply(allocation_id=allocation.pk, actor=ACTOR, as_of=NOW, reason="oops")
    assert refused.value.code == "credited"
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("paid", D(0))
    assert Allocation.objects.get(pk=allocation.pk).unapplied_at is None
    assert_trial_balance_zero()


def test_an_unapply_within_what_credit_notes_left_owing_is_allowed() -> None:
    acme = a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    line = invoice.lines.get()
    credit_note_issue(invoice_id=invoice.pk, as_of=NOW, actor=ACTOR, reason="part",
                      lines=[(line.pk, D("30.00"))])  # fmt: skip
    paid = transfer(acme, "70.00", allocations=[AllocationRequest(invoice.pk)])
    payment_unapply(allocation_id=Allocation.objects.get(payment=paid).pk, actor=ACTOR,
                    as_of=NOW, reason="bounced")  # fmt: skip
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("open", D("70.00"))
    assert_trial_balance_zero()


def test_a_paid_top_up_whose_credit_was_granted_is_not_taken_back() -> None:
    acme = a_customer()
    top_up = wallet_top_up(customer_id=acme.pk, amount=D("100.00"), actor=ACTOR, as_of=JAN)
    paid = transfer(acme, "100.00", allocations=[AllocationRequest(top_up.pk)])
    journal_dispatch(as_of=NOW + timedelta(minutes=1))  # the credit is granted
    acme.refresh_from_db()
    assert acme.balance == D("100.00")
    with pytest.raises(Conflict) as refused:
        payment_unapply(allocation_id=Allocation.objects.get(payment=paid).pk, actor=ACTOR,
                        as_of=NOW, reason="bounced")  # fmt: skip
    assert refused.value.code == "top_up_granted"
    assert Payment.objects.get(pk=paid.pk).unapplied == D(0)
    assert_trial_balance_zero()


def test_a_written_off_invoice_is_not_voided() -> None:
    acme = a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    transfer(acme, "30.00", allocations=[AllocationRequest(invoice.pk)])
    invoice_mark_uncollectible(invoice_id=invoice.pk, as_of=NOW, actor=ACTOR, reason="gone")
    transfer(acme, "20.00", allocations=[AllocationRequest(invoice.pk)])
    with pytest.raises(TransitionNotAllowed):
        invoice_void(invoice_id=invoice.pk, as_of=NOW, actor=ACTOR, reason="void it")
    lonely = open_invoice(acme, "50.00", JAN)
    invoice_mark_uncollectible(invoice_id=lonely.pk, as_of=NOW, actor=ACTOR, reason="gone")
    with pytest.raises(TransitionNotAllowed):
        invoice_void(invoice_id=lonely.pk, as_of=NOW, actor=ACTOR, reason="void it")
    assert_trial_balance_zero()


def test_the_issued_pdf_says_what_was_due_at_issue_whatever_is_paid_later() -> None:
    from billing.services import customer_balance_adjust

    acme = a_customer()
    customer_balance_adjust(customer_id=acme.pk, amount=D("30.00"), actor=ACTOR, as_of=JAN,
                            reason="goodwill")  # fmt: skip
    invoice = open_invoice(acme, "100.00", JAN)
    before = pdf.invoice_html(invoice)
    assert "$70.00" in before  # 100.00 less the 30.00 of credit
    transfer(acme, "40.00", allocations=[AllocationRequest(invoice.pk)])
    invoice.refresh_from_db()
    assert invoice.amount_due == D("30.00")
    assert pdf.invoice_html(invoice) == before


def test_an_invoice_of_another_customer_is_refused_without_locking_it() -> None:
    acme, other = a_customer(), a_customer()
    theirs = open_invoice(other, "10.00", JAN)
    with pytest.raises(ApplicationError) as refused:
        transfer(acme, "10.00", allocations=[AllocationRequest(theirs.pk)])
    assert refused.value.field == "allocations[0].invoice"


def test_a_failing_clock_hook_does_not_stop_the_others_and_the_tick_says_so() -> None:
    from invoicing.clock_hooks import TickHooksFailed, _hooks, register_tick_hook, run_tick_hooks

    seen: list[datetime] = []

    def broken(as_of: datetime) -> dict[str, int]:
        raise RuntimeError("deadlock detected")

    def counting(as_of: datetime) -> dict[str, int]:
        seen.append(as_of)
        return {"done": 1}

    register_tick_hook("a.broken", broken)
    register_tick_hook("z.counting", counting)
    try:
        with pytest.raises(TickHooksFailed) as failed:
            run_tick_hooks(NOW)
    finally:
        _hooks.pop("a.broken")
        _hooks.pop("z.counting")
    assert seen == [NOW]  # ran after the broken one
    assert failed.value.summary["a.broken"] == {"error": "RuntimeError: deadlock detected"}
    assert failed.value.summary["z.counting"] == {"done": 1}


def test_a_soft_time_limit_in_a_clock_hook_stops_the_tick_at_once() -> None:
    from celery.exceptions import SoftTimeLimitExceeded

    from invoicing.clock_hooks import _hooks, register_tick_hook, run_tick_hooks

    seen: list[datetime] = []

    def out_of_time(as_of: datetime) -> dict[str, int]:
        raise SoftTimeLimitExceeded()

    def counting(as_of: datetime) -> dict[str, int]:
        seen.append(as_of)
        return {"done": 1}

    register_tick_hook("a.slow", out_of_time)
    register_tick_hook("z.counting", counting)
    try:
        with pytest.raises(SoftTimeLimitExceeded):
            run_tick_hooks(NOW)
    finally:
        _hooks.pop("a.slow")
        _hooks.pop("z.counting")
    assert seen == []  # the time is up: no further hook runs
