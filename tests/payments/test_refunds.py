"""Refunds (issue 12, item 5): of an overpayment (unapplied cash) and of a paid invoice with a
credit note (the customer's credit balance); reservation, gateway, outcome; the reconciler;
refusals; the API and the admin; the ledger checked by hand after every step.

Ledger figures are debit positive (tests.payments.helpers.ledger_of): an invoice of 100 is
receivable +100 / revenue -100; money received is cash +x / unapplied cash -x; applying it moves
unapplied cash to the receivable; a refund credits cash."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from billing.models import Customer, CustomerBalanceTransaction, JournalEvent
from billing.services import journal_dispatch
from core.exceptions import NotFound, ValidationFailed
from invoicing.clock_hooks import tick_hooks
from invoicing.models import CreditNote, Invoice
from invoicing.services import credit_note_issue
from payments.gateways.base import Outcome
from payments.gateways.manual import ManualGateway
from payments.gateways.sandbox import SandboxGateway
from payments.models import (
    GatewayCall,
    Payment,
    PaymentKind,
    PaymentState,
    Refund,
)
from payments.services import AllocationRequest, payment_apply, payment_record
from payments.services.cash import received_write
from payments.services.refunds import (
    refund_create,
    refund_reconcile,
    refund_reserve,
    refundable_of,
    refunds_reconcile_due,
    refunds_to_reconcile,
)
from payments.services.wallets import wallet_grant
from payments.tasks.refunds import refund_reconcile_task
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
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens there: the gateway's answer is unknown


@pytest.fixture(autouse=True)
def gateways(settings: Any) -> Iterator[tuple[SandboxGateway, ManualGateway]]:
    """The sandbox and manual gateways of this test only (own Redis namespaces)."""
    name = f"test-refunds-{uuid.uuid4().hex}"
    settings.SANDBOX_GATEWAY_NAMESPACE = f"{name}-sandbox"
    settings.MANUAL_GATEWAY_NAMESPACE = f"{name}-manual"
    sandbox = SandboxGateway(namespace=f"{name}-sandbox")
    manual = ManualGateway(namespace=f"{name}-manual")
    yield sandbox, manual
    sandbox.reset()
    manual.reset()


def card_payment(customer: Customer, amount: str, *, token: str = "tok_ok") -> Payment:  # noqa: S107
    """A card payment charged through the sandbox and recorded as received (unapplied)."""
    key = f"test-charge-{uuid.uuid4().hex}"
    charged = SandboxGateway().charge(
        token=token, amount=D(amount), currency=customer.currency, idempotency_key=key
    )
    assert charged.outcome is Outcome.SUCCEEDED
    with transaction.atomic():
        payment = Payment.objects.create(
            customer=customer, kind=PaymentKind.AUTOMATIC, state=PaymentState.SUCCEEDED,
            currency=customer.currency, amount=D(amount), gateway="sandbox",
            gateway_reference=charged.reference, idempotency_key=key, unapplied=D(amount),
            received_at=NOW, created_by=ACTOR.label, created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        received_write([payment], as_of=NOW, actor=ACTOR)
    return payment


def transfer(customer: Customer, amount: str, **extra: Any) -> Payment:
    return payment_record(
        customer_id=customer.pk, amount=D(amount), currency=customer.currency,
        received_at=NOW, reference="BANK-42", actor=ACTOR, as_of=NOW, **extra,
    )  # fmt: skip


def refund(payment: Payment, amount: str | None, **extra: Any) -> Refund:
    return refund_create(
        payment_id=payment.pk, amount=None if amount is None else D(amount),
        reason=extra.pop("reason", "customer asked"), actor=ACTOR,
        as_of=extra.pop("as_of", NOW), **extra,
    )  # fmt: skip


def fresh(obj: Any) -> Any:
    obj.refresh_from_db()
    return obj


def events(prefix: str = "refund.") -> list[str]:
    return list(
        JournalEvent.objects.filter(type__startswith=prefix)
        .order_by("id")
        .values_list("type", flat=True)
    )


def balance(customer: Customer) -> Decimal:
    return Customer.objects.get(pk=customer.pk).balance


# ------------------------------------------------------------------------------ overpayments


@pytest.mark.django_db
def test_partial_then_full_refund_of_an_overpayment(gateways: Any) -> None:
    sandbox, _ = gateways
    acme = a_customer()
    open_invoice(acme, "80.00", JAN)
    payment = card_payment(acme, "100.00")
    payment_apply(payment_id=payment.pk, actor=ACTOR, as_of=NOW)  # 80 applied, 20 unapplied
    assert ledger_of(acme) == {"cash": D(100), "unapplied_cash": D(-20), "revenue": D(-80)}

    first = refund(payment, "5.00")
    assert (first.state, first.amount, first.source) == ("succeeded", D(5), "unapplied")
    assert first.gateway_reference == SandboxGateway.refund_reference(first.idempotency_key)
    assert first.settled_at == NOW
    assert (fresh(payment).refunded, payment.unapplied, payment.applied) == (D(5), D(15), D(80))
    # Dr unapplied cash 5, Cr cash 5
    assert ledger_of(acme) == {"cash": D(95), "unapplied_cash": D(-15), "revenue": D(-80)}

    rest = refund(payment, None)  # the most allowed: the 15.00 left unapplied
    assert (rest.state, rest.amount) == ("succeeded", D(15))
    assert (fresh(payment).refunded, payment.unapplied) == (D(20), D(0))
    assert ledger_of(acme) == {"cash": D(80), "revenue": D(-80)}
    assert rest.idempotency_key != first.idempotency_key
    assert sandbox.refund_count() == 2
    assert events() == ["refund.created", "refund.succeeded"] * 2
    assert list(GatewayCall.objects.filter(refund=rest).values_list("action", "outcome")) == [
        ("refund", "succeeded")
    ]
    with pytest.raises(ValidationFailed) as refused:
        refund(payment, None)
    assert (refused.value.field, refused.value.code) == ("amount", "nothing_refundable")
    assert_trial_balance_zero()


@pytest.mark.django_db
def test_refusals_name_the_field_and_change_nothing(gateways: Any) -> None:
    sandbox, _ = gateways
    acme, other = a_customer(), a_customer()
    open_invoice(acme, "80.00", JAN)
    payment = card_payment(acme, "100.00")
    payment_apply(payment_id=payment.pk, actor=ACTOR, as_of=NOW)
    theirs = open_invoice(other, "10.00", JAN)
    their_note = credit_note_issue(invoice_id=theirs.pk, as_of=NOW, actor=ACTOR, reason="x")
    before = ledger_of(acme)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"amount": "20.01"}, "amount", "exceeds_refundable"),
        ({"amount": "0"}, "amount", "not_positive"),
        ({"amount": "-1"}, "amount", "not_positive"),
        ({"amount": "1.001"}, "amount", "too_many_decimals"),
        ({"amount": "1", "reason": "  "}, "reason", "required"),
        ({"amount": "1", "credit_note_id": their_note.pk}, "credit_note", "other_customer"),
        ({"amount": "1", "credit_note_id": 10**9}, "credit_note", "not_found"),
        ({"amount": "1", "credit_invoice_id": theirs.pk}, "credit_invoice", "other_customer"),
        ({"amount": "1", "credit_lines": [(1, D(1))]}, "credit_lines", "requires_credit_invoice"),
    ]
    for extra, field, code in cases:
        amount = extra.pop("amount")
        with pytest.raises(ValidationFailed) as refused:
            refund(payment, amount, **extra)
        assert (refused.value.field, refused.value.code) == (field, code), extra
    with pytest.raises(NotFound):
        refund_create(payment_id=10**9, amount=D(1), reason="x", actor=ACTOR, as_of=NOW)
    assert Refund.objects.count() == 0
    assert (fresh(payment).refunded, payment.unapplied) == (D(0), D(20))
    assert ledger_of(acme) == before
    assert sandbox.refund_count() == 0
    assert events() == []


@pytest.mark.django_db
def test_a_refund_the_gateway_refuses_gives_the_reservation_back(gateways: Any) -> None:
    """The charge was partly refunded at the gateway already (outside our books): our refund of
    50 exceeds what the gateway has left (40), fails, and nothing stays held."""
    sandbox, _ = gateways
    acme = a_customer()
    payment = card_payment(acme, "100.00")
    sandbox.refund(reference=payment.gateway_reference, amount=D(60), currency="USD",
                   idempotency_key=f"elsewhere-{uuid.uuid4().hex}")  # fmt: skip
    failed = refund(payment, "50.00")
    assert (failed.state, failed.failure_code) == ("failed", "refund_exceeds_charge")
    assert failed.settled_at is None
    assert (fresh(payment).refunded, payment.unapplied) == (D(0), D(100))
    # reserved (Dr unapplied 50, Cr cash 50) and reversed (Dr cash 50, Cr unapplied 50)
    assert ledger_of(acme) == {"cash": D(100), "unapplied_cash": D(-100)}
    assert events() == ["refund.created", "refund.failed"]
    assert sandbox.refund_count() == 1  # only the one made elsewhere
    assert refund(payment, "40.00").state == "succeeded"  # what the gateway holds still
    assert_trial_balance_zero()


# ------------------------------------------------------------------------------ idempotency


@pytest.mark.django_db
def test_the_gateway_key_never_refunds_twice(gateways: Any) -> None:
    sandbox, _ = gateways
    acme = a_customer()
    payment = card_payment(acme, "30.00")
    done = refund(payment, "10.00")
    # the same refund sent again (a retried call) with its key: the first answer, no new refund
    again = sandbox.refund(reference=payment.gateway_reference, amount=D(10), currency="USD",
                           idempotency_key=done.idempotency_key)  # fmt: skip
    assert (again.outcome, again.reference) == (Outcome.SUCCEEDED, done.gateway_reference)
    assert sandbox.refund_count() == 1
    # a late status answer about a settled refund changes nothing
    assert refund_reconcile(refund_id=done.pk, actor=ACTOR, as_of=NOW + timedelta(hours=1)) == done
    assert fresh(payment).refunded == D(10)


@pytest.mark.django_db
def test_the_same_idempotency_key_replays_the_refund(api: Any, gateways: Any) -> None:
    sandbox, _ = gateways
    acme = a_customer()
    payment = card_payment(acme, "30.00")
    url = f"/api/v1/payments/{payment.pk}/refunds/"
    body = {"amount": "12.50", "reason": "duplicate order"}
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="refund-once")
    second = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="refund-once")
    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert Refund.objects.count() == 1
    assert sandbox.refund_count() == 1
    assert fresh(payment).refunded == D("12.50")


# ------------------------------------------------------------------------------ unknown answers


@pytest.mark.django_db
def test_an_unknown_answer_stays_pending_until_the_reconciler_settles_it(gateways: Any) -> None:
    sandbox, _ = gateways
    acme = a_customer()
    payment = card_payment(acme, "100.00")
    with override_settings(REDIS_URL=DEAD_REDIS):  # the gateway does not answer
        pending = refund(payment, "50.00")
    assert pending.state == "pending"
    assert (fresh(payment).refunded, payment.unapplied) == (D(50), D(50))  # held meanwhile
    assert ledger_of(acme) == {"cash": D(50), "unapplied_cash": D(-50)}
    with pytest.raises(ValidationFailed) as refused:
        refund(payment, "50.01")  # the held 50 is not refundable twice
    assert refused.value.code == "exceeds_refundable"
    assert refunds_to_reconcile(as_of=NOW + timedelta(seconds=59)) == []
    later = NOW + timedelta(seconds=60)
    assert refunds_to_reconcile(as_of=later) == [pending.pk]
    # the gateway never saw the key: the reconciler sends it again with that same key
    settled = refund_reconcile(refund_id=pending.pk, actor=ACTOR, as_of=later)
    assert (settled.state, settled.settled_at) == ("succeeded", later)
    calls = GatewayCall.objects.filter(refund=pending).order_by("id")
    assert [(c.action, c.outcome, c.reason) for c in calls] == [
        ("refund", "unknown", "gateway_unreachable"),
        ("status", "failed", "not_found"),
        ("refund", "succeeded", ""),
    ]
    assert sandbox.refund_count() == 1
    assert refund_reconcile(refund_id=pending.pk, actor=ACTOR, as_of=later).state == "succeeded"
    assert sandbox.refund_count() == 1
    assert refunds_to_reconcile(as_of=later) == []
    assert ledger_of(acme) == {"cash": D(50), "unapplied_cash": D(-50)}
    assert events() == ["refund.created", "refund.succeeded"]
    assert_trial_balance_zero()


@pytest.mark.django_db
def test_a_refund_that_reached_the_gateway_is_settled_by_its_status(gateways: Any) -> None:
    """The process stopped after the gateway refunded, before recording the answer: the
    clock's task asks the status and records it; nothing is refunded twice."""
    sandbox, _ = gateways
    acme = a_customer()
    payment = card_payment(acme, "40.00")
    held = refund_reserve(payment_id=payment.pk, amount=None, reason="overpaid", actor=ACTOR,
                          as_of=NOW)  # fmt: skip
    sandbox.refund(reference=payment.gateway_reference, amount=D(40), currency="USD",
                   idempotency_key=held.idempotency_key)  # fmt: skip
    assert dict(tick_hooks())["payments.refunds"] is refunds_reconcile_due
    later = (NOW + timedelta(minutes=5)).isoformat()
    assert refund_reconcile_task(held.pk, later) == "succeeded"
    assert [(c.action, c.outcome) for c in GatewayCall.objects.filter(refund=held)] == [
        ("status", "succeeded")
    ]
    assert fresh(held).gateway_reference == SandboxGateway.refund_reference(held.idempotency_key)
    assert refund_reconcile_task(held.pk, later) == "succeeded"  # twice: nothing more
    assert sandbox.refund_count() == 1
    assert ledger_of(acme) == {}
    assert_trial_balance_zero()


# ------------------------------------------------------------------------------ credit notes


@pytest.mark.django_db
def test_refund_of_a_paid_invoice_with_a_credit_note_issued_with_it(gateways: Any) -> None:
    sandbox, _ = gateways
    acme = a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    payment = card_payment(acme, "100.00")
    payment_apply(payment_id=payment.pk, actor=ACTOR, as_of=NOW)
    assert fresh(invoice).status == "paid"
    assert ledger_of(acme) == {"cash": D(100), "revenue": D(-100)}

    done = refund(payment, None, credit_invoice_id=invoice.pk, reason="service not delivered")
    note = CreditNote.objects.get(invoice=invoice)
    assert (note.total, note.to_balance, note.reason) == (D(100), D(100), "service not delivered")
    assert (done.state, done.amount, done.source, done.credit_note) == (
        "succeeded", D(100), "credit_balance", note,
    )  # fmt: skip
    assert (fresh(invoice).status, invoice.amount_due) == ("paid", D(0))  # stays paid
    assert balance(acme) == D(0)  # +100 by the credit note, -100 refunded
    kinds = CustomerBalanceTransaction.objects.filter(customer=acme).order_by("id")
    assert [(t.kind, t.amount) for t in kinds] == [("credit_note", D(100)), ("refunded", D(-100))]
    assert (fresh(payment).refunded, payment.applied, payment.unapplied) == (D(100), D(100), D(0))
    # credit note: Dr revenue 100, Cr customer credit 100; refund: Dr customer credit, Cr cash
    assert ledger_of(acme) == {}
    assert sandbox.refund_count() == 1
    assert events("credit_note.") == ["credit_note.created"]
    with pytest.raises(ValidationFailed) as refused:
        refund(payment, "1.00", credit_note_id=note.pk)
    assert (refused.value.field, refused.value.code) == ("amount", "exceeds_refundable")
    assert_trial_balance_zero()


@pytest.mark.django_db
def test_refund_with_credit_lines_and_with_an_existing_credit_note(gateways: Any) -> None:
    acme = a_customer()
    invoice, other = open_invoices(acme, ["100.00", "50.00"], JAN)
    payment = card_payment(acme, "100.00")
    payment_apply(payment_id=payment.pk, actor=ACTOR, as_of=NOW,
                  allocations=[AllocationRequest(invoice.pk)])  # fmt: skip
    line = invoice.lines.get()
    part = refund(payment, None, credit_invoice_id=invoice.pk, credit_lines=[(line.pk, D(30))])
    assert (part.amount, part.credit_note.to_balance) == (D(30), D(30))
    assert ledger_of(acme) == {"cash": D(70), "revenue": D(-120), "receivable": D(50)}

    note = credit_note_issue(invoice_id=invoice.pk, as_of=NOW, actor=ACTOR, reason="discount",
                             lines=[(line.pk, D(40))])  # fmt: skip
    assert (note.to_balance, balance(acme)) == (D(40), D(40))
    with pytest.raises(ValidationFailed) as refused:
        refund(payment, "40.01", credit_note_id=note.pk)
    assert (refused.value.field, refused.value.code) == ("amount", "exceeds_refundable")
    assert refund(payment, "25.00", credit_note_id=note.pk).state == "succeeded"
    assert refund(payment, None, credit_note_id=note.pk).amount == D(15)
    assert balance(acme) == D(0)
    assert fresh(payment).refunded == D(70)
    # 100 received, 70 given back; revenue 150 invoiced less 70 credited; 50 still owed
    assert ledger_of(acme) == {"cash": D(30), "revenue": D(-80), "receivable": D(50)}

    # the other invoice was not paid by this payment; a line beyond the invoice is refused
    note_on_other = credit_note_issue(invoice_id=other.pk, as_of=NOW, actor=ACTOR, reason="x",
                                      lines=[(other.lines.get().pk, D(5))])  # fmt: skip
    for extra, field, code in [
        ({"credit_note_id": note_on_other.pk}, "credit_note", "not_paid_by_payment"),
        ({"credit_invoice_id": other.pk}, "credit_invoice", "not_paid_by_payment"),
        ({"credit_invoice_id": invoice.pk, "credit_lines": [(line.pk, D(31))]},
         "credit_lines[0].amount", "exceeds_invoice"),
    ]:  # fmt: skip
        with pytest.raises(ValidationFailed) as refused:
            refund(payment, "1.00", **extra)
        assert (refused.value.field, refused.value.code) == (field, code)
    assert CreditNote.objects.filter(invoice=invoice).count() == 2  # none issued by the refusals
    assert_trial_balance_zero()


@pytest.mark.django_db
def test_a_failed_refund_from_a_credit_note_gives_the_credit_back(gateways: Any) -> None:
    sandbox, _ = gateways
    acme = a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    payment = card_payment(acme, "100.00")
    payment_apply(payment_id=payment.pk, actor=ACTOR, as_of=NOW)
    sandbox.refund(reference=payment.gateway_reference, amount=D(100), currency="USD",
                   idempotency_key=f"elsewhere-{uuid.uuid4().hex}")  # fmt: skip
    failed = refund(payment, None, credit_invoice_id=invoice.pk)
    assert (failed.state, failed.amount) == ("failed", D(100))
    assert balance(acme) == D(100)  # the credit note's credit stays with the customer
    assert fresh(payment).refunded == D(0)
    assert ledger_of(acme) == {"cash": D(100), "customer_credit": D(-100)}
    assert_trial_balance_zero()


@pytest.mark.django_db
def test_a_credit_note_whose_credit_invoices_used_never_pays_out_granted_credit(
    gateways: Any,
) -> None:
    """Review: paid 100, credited in full (balance 100); the next invoice took those 100
    (balance 0); staff then granted 50 of promotional credit (balance 50). The note's credit is
    gone: a refund "from the credit note" pays out nothing, and the grant stays whole."""
    acme = a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    payment = transfer(acme, "100.00", allocations=[AllocationRequest(invoice.pk)])
    note = credit_note_issue(invoice_id=invoice.pk, as_of=NOW, actor=ACTOR, reason="credit")
    assert balance(acme) == D(100)
    following = open_invoice(acme, "100.00", NOW + timedelta(days=1))
    assert (fresh(following).credit_applied, balance(acme)) == (D(100), D(0))
    grant = wallet_grant(customer_id=acme.pk, amount=D("50.00"), reason="promo", actor=ACTOR,
                         as_of=NOW + timedelta(days=2))  # fmt: skip
    assert balance(acme) == D(50)
    before = ledger_of(acme)
    for amount, code in ((None, "nothing_refundable"), ("0.01", "exceeds_refundable")):
        with pytest.raises(ValidationFailed) as refused:
            refund(payment, amount, credit_note_id=note.pk, as_of=NOW + timedelta(days=3))
        assert (refused.value.field, refused.value.code) == ("amount", code)
    assert not Refund.objects.exists()
    assert (balance(acme), fresh(grant).remaining, fresh(payment).refunded) == (
        D(50), D(50), D(0),
    )  # fmt: skip
    assert ledger_of(acme) == before
    assert refundable_of(payment).balance == D(0)
    assert_trial_balance_zero()


@pytest.mark.django_db
def test_a_credit_note_refund_beside_granted_credit_takes_only_the_note_s_credit(
    gateways: Any,
) -> None:
    """Granted 50 (balance 50), then paid 100 and credited in full (balance 150): the note's 100
    are refundable (150 less the 50 the grant holds), not a cent more; the grant's 50 stay."""
    acme = a_customer()
    grant = wallet_grant(customer_id=acme.pk, amount=D("50.00"), reason="promo", actor=ACTOR,
                         as_of=JAN - timedelta(days=1))  # fmt: skip
    invoice = open_invoice(acme, "100.00", JAN)  # the grant's 50 pay half of it
    assert (fresh(invoice).amount_due, balance(acme)) == (D(50), D(0))
    payment = transfer(acme, "50.00", allocations=[AllocationRequest(invoice.pk)])
    journal_dispatch(as_of=NOW)  # the wallet attributes the 50 used to the grant
    assert fresh(grant).remaining == D(0)
    note = credit_note_issue(invoice_id=invoice.pk, as_of=NOW, actor=ACTOR, reason="credit")
    assert (note.to_balance, balance(acme)) == (D(100), D(100))
    # the note put 100 on the balance, the payment took 50: it refunds at most 50
    assert refundable_of(payment).balance == D(100)
    done = refund(payment, None, credit_note_id=note.pk)
    assert (done.state, done.amount) == ("succeeded", D(50))

    # now with credit the grant still holds beside the note's: a second customer
    globex = a_customer()
    second = open_invoice(globex, "100.00", JAN)
    paid = transfer(globex, "100.00", allocations=[AllocationRequest(second.pk)])
    kept = wallet_grant(customer_id=globex.pk, amount=D("50.00"), reason="promo", actor=ACTOR,
                        as_of=NOW)  # fmt: skip
    credited = credit_note_issue(invoice_id=second.pk, as_of=NOW, actor=ACTOR, reason="credit")
    assert balance(globex) == D(150)
    assert refundable_of(paid).balance == D(100)
    with pytest.raises(ValidationFailed) as refused:
        refund(paid, "100.01", credit_note_id=credited.pk)
    assert (refused.value.field, refused.value.code) == ("amount", "exceeds_refundable")
    assert refund(paid, "60.00", credit_note_id=credited.pk).state == "succeeded"
    assert refund(paid, None, credit_note_id=credited.pk).amount == D(40)
    assert (balance(globex), fresh(kept).remaining, fresh(paid).refunded) == (
        D(50), D(50), D(100),
    )  # fmt: skip
    assert_trial_balance_zero()


# ------------------------------------------------------------------------------ concurrency


@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_of_one_payment_never_exceed_it() -> None:
    acme = a_customer()
    payment = transfer(acme, "100.00")
    barrier = threading.Barrier(8)
    codes: list[str] = []
    states: list[str] = []

    def give_back() -> None:
        try:
            barrier.wait()
            states.append(refund(payment, "30.00").state)
        except ValidationFailed as refused:
            codes.append(refused.code or "")
        finally:
            connection.close()

    threads = [threading.Thread(target=give_back) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert states == ["succeeded"] * 3
    assert sorted(codes) == ["exceeds_refundable"] * 5
    assert (fresh(payment).refunded, payment.unapplied) == (D(90), D(10))
    assert sorted(Refund.objects.values_list("idempotency_key", flat=True)) == [
        f"{payment.idempotency_key}:refund:{n}" for n in (1, 2, 3)
    ]
    assert ledger_of(acme) == {"cash": D(10), "unapplied_cash": D(-10)}
    assert_trial_balance_zero()


# ------------------------------------------------------------------------------ the scenario


@pytest.mark.django_db
def test_one_transfer_over_three_invoices_then_the_rest_refunded(gateways: Any) -> None:
    """Issue 12, item 10: a bank transfer of 500.00 pays invoices of 100, 150 and 200; the
    50.00 left unapplied is refunded (by finance, through the manual gateway)."""
    _, manual = gateways
    acme = a_customer()
    invoices = open_invoices(acme, ["100.00", "150.00", "200.00"], JAN)
    assert ledger_of(acme) == {"receivable": D(450), "revenue": D(-450)}
    assert_trial_balance_zero()

    payment = transfer(acme, "500.00", allocations=[AllocationRequest(i.pk) for i in invoices])
    assert [Invoice.objects.get(pk=i.pk).status for i in invoices] == ["paid"] * 3
    assert (payment.applied, payment.unapplied) == (D(450), D(50))
    # cash +500 / unapplied -500; applied: unapplied +450 / receivable -450
    assert ledger_of(acme) == {"cash": D(500), "unapplied_cash": D(-50), "revenue": D(-450)}
    assert_trial_balance_zero()

    done = refund(payment, None, reason="overpaid: the rest sent back")
    assert (done.state, done.amount, done.source) == ("succeeded", D(50), "unapplied")
    assert done.gateway_reference == ManualGateway.refund_reference(done.idempotency_key)
    assert manual.status(idempotency_key=done.idempotency_key).outcome is Outcome.SUCCEEDED
    assert (fresh(payment).applied, payment.unapplied, payment.refunded) == (D(450), 0, D(50))
    # refund: Dr unapplied cash 50, Cr cash 50
    assert ledger_of(acme) == {"cash": D(450), "revenue": D(-450)}
    assert [Invoice.objects.get(pk=i.pk).status for i in invoices] == ["paid"] * 3
    assert_trial_balance_zero()


# ------------------------------------------------------------------------------ property


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
           HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["unapplied", "credit"]),
            st.one_of(st.none(), st.decimals(min_value=-5, max_value=120, places=2)),
        ),
        max_size=6,
    )
)
@pytest.mark.django_db
def test_any_refunds_keep_the_payment_and_the_ledger_whole(
    steps: list[tuple[str, Decimal | None]],
) -> None:
    acme = a_customer()
    invoice = open_invoice(acme, "60.00", JAN)
    payment = transfer(acme, "100.00", apply_oldest_first=True)  # 60 applied, 40 unapplied
    note: CreditNote | None = None
    for source, amount in steps:
        extra: dict[str, Any] = {}
        if source == "credit":
            extra = {"credit_note_id": note.pk} if note else {"credit_invoice_id": invoice.pk}
        with contextlib.suppress(ValidationFailed):  # refusals change nothing: checked below
            refund(payment, None if amount is None else str(amount), **extra)
        note = note or CreditNote.objects.filter(invoice=invoice).first()
        fresh(payment)
        assert payment.refunded <= payment.amount
        assert payment.unapplied >= 0
        assert balance(acme) >= 0
        succeeded = sum(
            (
                r.amount
                for r in Refund.objects.filter(payment=payment, state__in=("pending", "succeeded"))
            ),
            D(0),
        )
        assert payment.refunded == succeeded
        assert payment.applied + payment.unapplied + payment.to_balance <= payment.amount
        assert_trial_balance_zero()


# ------------------------------------------------------------------------------ API


@pytest.mark.django_db
def test_api_refunds_lists_and_refuses(api: Any) -> None:
    acme, other = a_customer(), a_customer()
    payment = transfer(acme, "80.00")
    theirs = transfer(other, "10.00")
    url = f"/api/v1/payments/{payment.pk}/refunds/"
    refused = api.post(url, {"amount": "80.01", "reason": "x"}, format="json")
    assert refused.status_code == 400
    (error,) = refused.json()["errors"]
    assert (error["field"], error["code"]) == ("amount", "exceeds_refundable")
    assert (
        api.post(url, {"amount": "1", "reason": "x", "bogus": 1}, format="json").json()["errors"][
            0
        ]["code"]
        == "unknown_field"
    )
    assert api.post(url, {"amount": "1"}, format="json").json()["errors"][0]["field"] == "reason"
    missing = api.post("/api/v1/payments/999999999/refunds/", {"reason": "x"}, format="json")
    assert missing.status_code == 404
    assert Refund.objects.count() == 0
    assert fresh(payment).unapplied == D(80)

    created = api.post(url, {"amount": "30.00", "reason": "overpaid"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["state"], body["amount"], body["customer"], body["source"]) == (
        "succeeded", "30.0000", acme.external_id, "unapplied",
    )  # fmt: skip
    api.post(f"/api/v1/payments/{theirs.pk}/refunds/", {"reason": "all"}, format="json")
    assert len(api.get("/api/v1/refunds/").json()["results"]) == 2
    mine = api.get("/api/v1/refunds/", {"customer": acme.external_id}).json()["results"]
    assert [r["id"] for r in mine] == [body["id"]]
    assert [r["id"] for r in api.get("/api/v1/refunds/", {"payment": payment.pk}).json()[
        "results"]] == [body["id"]]  # fmt: skip
    assert api.get("/api/v1/refunds/", {"state": "failed"}).json()["results"] == []
    assert api.get("/api/v1/refunds/", {"nope": 1}).status_code == 400
    assert api.get(f"/api/v1/refunds/{body['id']}/").json()["reason"] == "overpaid"
    assert api.get("/api/v1/refunds/999999999/").status_code == 404


@pytest.mark.django_db
def test_api_refund_with_a_new_credit_note_and_the_schema(api: Any, staff_client: Any) -> None:
    acme = a_customer()
    invoice = open_invoice(acme, "100.00", JAN)
    payment = transfer(acme, "100.00", apply_oldest_first=True)
    line = invoice.lines.get()
    response = api.post(
        f"/api/v1/payments/{payment.pk}/refunds/",
        {"reason": "partly broken", "credit_invoice": invoice.pk,
         "credit_lines": [{"line": line.pk, "amount": "20.00"}]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert (response.json()["amount"], response.json()["source"]) == ("20.0000", "credit_balance")
    assert response.json()["credit_note_number"].startswith("CN")
    schema = staff_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = schema.json()["paths"]
    for path in ("/api/v1/payments/{id}/refunds/", "/api/v1/refunds/", "/api/v1/refunds/{id}/"):
        assert path in paths, path


@pytest.mark.django_db
def test_staff_need_add_refund(client: Any, django_user_model: Any) -> None:
    acme = a_customer()
    payment = transfer(acme, "10.00")
    viewer = django_user_model.objects.create_user("viewer", "v@example.com", "pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_refund"))
    client.force_login(viewer)
    url = f"/api/v1/payments/{payment.pk}/refunds/"
    assert client.post(url, {"reason": "x"}, content_type="application/json").status_code == 403
    assert client.get("/api/v1/refunds/").status_code == 200
    changelist = client.get("/admin/payments/refund/")
    assert changelist.status_code == 200
    assert "/admin/payments/refund/add/" not in changelist.content.decode()  # no add button
    assert client.get(f"/admin/payments/refund/add/?payment={payment.pk}").status_code == 403
    viewer.user_permissions.add(Permission.objects.get(codename="add_refund"))
    viewer = django_user_model.objects.get(pk=viewer.pk)  # permissions cached per object
    client.force_login(viewer)
    ok = client.post(url, {"reason": "x"}, content_type="application/json")
    assert ok.status_code == 201, ok.json()


# ------------------------------------------------------------------------------ admin


@pytest.mark.django_db
def test_admin_add_form_shows_what_is_refundable_and_refusals_on_their_field(
    staff_client: Any,
) -> None:
    acme = a_customer()
    invoice = open_invoice(acme, "80.00", JAN)
    payment = transfer(acme, "100.00", apply_oldest_first=True)  # 20.00 unapplied
    add = f"/admin/payments/refund/add/?payment={payment.pk}"
    assert staff_client.get("/admin/payments/refund/add/").status_code == 200  # any payment
    page = staff_client.get(add).content.decode()
    assert "20.00 USD" in page  # from its unapplied cash
    assert "Issue a credit note for invoice" in page
    assert invoice.number in page  # the invoice it paid, to credit

    form = {"payment": payment.pk, "amount": "20.01", "reason": "overpaid"}
    refused = staff_client.post(add, form)
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert "more than is refundable" in errors["amount"][0]
    assert Refund.objects.count() == 0

    done = staff_client.post(add, {**form, "amount": ""})  # empty: the most allowed
    made = Refund.objects.get()
    assert done.status_code == 302
    assert done.url == f"/admin/payments/refund/{made.pk}/change/"
    assert (made.amount, made.state, made.created_by) == (D(20), "succeeded", "finance")

    page = staff_client.get(f"/admin/payments/refund/{made.pk}/change/").content.decode()
    assert made.gateway_reference in page  # the gateway's call, with its reference
    assert 'name="_save"' not in page  # read-only

    credited = staff_client.post(
        add, {"payment": payment.pk, "reason": "not delivered", "credit_invoice": invoice.pk}
    )
    assert credited.status_code == 302
    assert Refund.objects.filter(source="credit_balance").get().amount == D(80)
    assert fresh(invoice).status == "paid"
    assert_trial_balance_zero()
