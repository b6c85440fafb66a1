"""Automatic collection (issue 12, item 3): an invoice finalized is charged to its method once,
unknown answers are resolved by the reconciler (never by a second charge), and one recording
function turns every gateway answer into facts, set-based."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from billing.models import Customer, JournalDelivery, JournalEvent
from billing.services import journal_dispatch, subscription_create
from core.audit import Actor
from invoicing.models import Invoice, InvoiceLine
from invoicing.services import invoice_draft_create, invoice_finalize, invoice_line_add
from payments.gateways.base import GatewayError, Outcome, Result
from payments.gateways.sandbox import SandboxGateway
from payments.models import Allocation, GatewayCall, Payment, PaymentMethod
from payments.services import payment_method_add, payment_record, subscription_payment_method_set
from payments.services.collection import (
    COLLECT_HANDLER,
    Answer,
    collection_idempotency_key,
    collection_payments_create,
    payment_answers_record,
    payments_charge,
    payments_reconcile,
    reconcile_due,
)
from tests.billing.subs import priced_plan
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import a_customer, assert_trial_balance_zero, ledger_of, open_invoice

pytestmark = pytest.mark.django_db

D = Decimal
JAN = datetime(2026, 1, 5, 9, tzinfo=UTC)
LATER = JAN + timedelta(hours=1)


@pytest.fixture(autouse=True)
def sandbox(settings: Any) -> Iterator[SandboxGateway]:
    """The registry's sandbox, in a namespace of this test's own."""
    namespace = f"test-collection-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    settings.PAYMENTS_RECONCILE_AFTER_SECONDS = 60
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()


def card(customer: Customer, token: str = "tok_ok", **extra: Any) -> PaymentMethod:  # noqa: S107
    """A sandbox card of the customer's own (`tok_ok+<id>` behaves as `tok_ok`)."""
    data = {"gateway": "sandbox", "token": f"{token}+{customer.pk}-{uuid.uuid4().hex[:6]}",
            "kind": "card", "brand": "visa", "last4": "4242", "exp_month": 12,
            "exp_year": 2030, **extra}  # fmt: skip
    return payment_method_add(customer_id=customer.pk, actor=ACTOR, as_of=JAN, data=data)


def dispatch(at: datetime = LATER) -> None:
    journal_dispatch(as_of=at)


def charge_pending(at: datetime = LATER) -> dict[str, int]:
    """What the charge tasks queued after the handler's commit do (called directly)."""
    ids = list(Payment.objects.filter(state="pending").values_list("pk", flat=True))
    return payments_charge(payment_ids=ids, as_of=at, actor=ACTOR)


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def events(type: str) -> list[JournalEvent]:
    return list(JournalEvent.objects.filter(type=type).order_by("id"))


# ------------------------------------------------------------------------------ the happy path


def test_finalized_invoice_is_charged_and_paid(sandbox: SandboxGateway) -> None:
    acme = a_customer()
    method = card(acme)
    invoice = open_invoice(acme, "120.50", JAN)
    dispatch()
    [payment] = Payment.objects.all()
    assert (payment.state, payment.kind, payment.attempt) == ("pending", "automatic", 1)
    assert (payment.amount, payment.currency, payment.method_id) == (D("120.50"), "USD", method.pk)
    assert payment.idempotency_key == collection_idempotency_key(invoice.pk, 1)
    assert payment.invoice_id == invoice.pk
    assert charge_pending() == {"succeeded": 1, "failed": 0, "unknown": 0}
    payment = fresh(payment)
    assert payment.state == "succeeded"
    assert payment.received_at == LATER
    assert payment.gateway_reference == sandbox.charge_reference(payment.idempotency_key)
    assert (payment.applied, payment.unapplied) == (D("120.50"), D(0))
    [allocation] = Allocation.objects.all()
    assert (allocation.invoice_id, allocation.amount) == (invoice.pk, D("120.50"))
    invoice = fresh(invoice)
    assert (invoice.status, invoice.amount_due) == ("paid", D(0))
    assert sandbox.charge_count() == 1
    [call] = GatewayCall.objects.all()
    assert (call.action, call.outcome, call.payment_id) == ("charge", "succeeded", payment.pk)
    assert [e.subject_id for e in events("payment.succeeded")] == [str(payment.pk)]
    assert len(events("invoice.paid")) == 1
    assert ledger_of(acme) == {"cash": D("120.50"), "revenue": D("-120.50")}
    assert_trial_balance_zero()


def test_charging_twice_charges_once(sandbox: SandboxGateway) -> None:
    acme = a_customer()
    card(acme)
    open_invoice(acme, "10.00", JAN)
    dispatch()
    ids = list(Payment.objects.values_list("pk", flat=True))
    payments_charge(payment_ids=ids, as_of=LATER, actor=ACTOR)
    again = payments_charge(payment_ids=ids, as_of=LATER, actor=ACTOR)
    assert again == {"succeeded": 0, "failed": 0, "unknown": 0}  # nothing claimed
    assert sandbox.charge_count() == 1
    assert GatewayCall.objects.count() == 1


# ------------------------------------------------------------------------------ failures


def test_a_retryable_decline_fails_with_payment_failed_and_a_retry_date(
    sandbox: SandboxGateway,
) -> None:
    acme = a_customer()
    card(acme, "tok_insufficient_funds")
    invoice = open_invoice(acme, "30.00", JAN)
    dispatch()
    assert charge_pending() == {"succeeded": 0, "failed": 1, "unknown": 0}
    [payment] = Payment.objects.all()
    assert (payment.state, payment.failure_code, payment.retryable) == (
        "failed",
        "insufficient_funds",
        True,
    )
    assert payment.retry_at == LATER + timedelta(days=3)  # the default schedule: 3, 5, 7 days
    [failed] = events("payment.failed")
    assert failed.subject_id == str(payment.pk)
    assert failed.payload["failure_code"] == "insufficient_funds"
    assert fresh(invoice).status == "open"
    assert sandbox.charge_count() == 0
    assert_trial_balance_zero()


def test_a_hard_decline_fails_not_retryable(sandbox: SandboxGateway) -> None:
    acme = a_customer()
    card(acme, "tok_declined")
    open_invoice(acme, "30.00", JAN)
    dispatch()
    charge_pending()
    [payment] = Payment.objects.all()
    assert (payment.state, payment.failure_code, payment.retryable) == (
        "failed",
        "card_declined",
        False,
    )
    # the retries' schedule retries declines too (a card may be topped up meanwhile)
    assert payment.retry_at == LATER + timedelta(days=3)
    assert len(events("payment.failed")) == 1


# ------------------------------------------------------------------------------ skipped


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("auto_collection_off", "auto_collection_off"),
        ("no_method", "no_payment_method"),
        ("expired", "method_not_active"),
        ("gateway_disabled", "gateway_disabled"),
    ],
)
def test_an_invoice_that_cannot_be_charged_is_skipped_with_a_reason(
    setup: str, reason: str, settings: Any
) -> None:
    acme = a_customer(auto_collection=setup != "auto_collection_off")
    if setup in ("auto_collection_off", "gateway_disabled"):
        card(acme)
    elif setup == "expired":
        card(acme, exp_month=1, exp_year=2020)
    invoice = open_invoice(acme, "15.00", JAN)
    if setup == "gateway_disabled":
        settings.PAYMENT_GATEWAYS = ["manual"]
    dispatch()
    assert not Payment.objects.exists()
    [skipped] = events("invoice.collection_skipped")
    assert skipped.subject_id == str(invoice.pk)
    assert skipped.payload["reason"] == reason
    assert fresh(invoice).status == "open"


def test_a_paid_invoice_makes_no_payment_and_no_skip() -> None:
    acme = a_customer()
    card(acme)
    draft = invoice_draft_create(customer_id=acme.pk, as_of=JAN, actor=ACTOR)
    invoice_line_add(invoice_id=draft.pk, description="x", amount=D("10"), quantity=D(1),
                     as_of=JAN, actor=ACTOR)  # fmt: skip
    payment_record(customer_id=acme.pk, amount=D("10.00"), currency="USD", received_at=JAN,
                   reference="prepaid", actor=ACTOR, as_of=JAN)  # fmt: skip
    invoice_finalize(invoice_id=draft.pk, as_of=JAN, actor=ACTOR)
    from payments.services import payment_apply

    payment_apply(payment_id=Payment.objects.get().pk, actor=ACTOR, as_of=JAN)
    dispatch()
    assert Payment.objects.filter(kind="automatic").count() == 0
    assert events("invoice.collection_skipped") == []


# ------------------------------------------------------------------------------ the method


def test_the_subscriptions_override_is_charged_not_the_default() -> None:
    acme = a_customer()
    default = card(acme, "tok_declined")
    own = card(acme)
    plan = priced_plan(f"coll_{acme.pk}", "10")
    sub = subscription_create(customer_id=acme.pk, plan_id=plan.pk, actor=ACTOR, as_of=JAN,
                              start_at=JAN)  # fmt: skip
    subscription_payment_method_set(subscription_id=sub.pk, payment_method_id=own.pk,
                                    actor=ACTOR, as_of=JAN)  # fmt: skip
    assert fresh(default).is_default

    def invoice_of(with_subscription: bool) -> Invoice:
        draft = invoice_draft_create(customer_id=acme.pk, as_of=JAN, actor=ACTOR)
        line = invoice_line_add(invoice_id=draft.pk, description="x", amount=D("5"),
                                quantity=D(1), as_of=JAN, actor=ACTOR)  # fmt: skip
        if with_subscription:
            InvoiceLine.objects.filter(pk=line.pk).update(subscription=sub)
        return invoice_finalize(invoice_id=draft.pk, as_of=JAN, actor=ACTOR)

    covered, loose = invoice_of(True), invoice_of(False)
    dispatch()
    methods = dict(Payment.objects.values_list("invoice_id", "method_id"))
    assert methods == {covered.pk: own.pk, loose.pk: default.pk}


# ------------------------------------------------------------------------------ exactly once


def test_a_redelivered_event_makes_no_second_payment(
    sandbox: SandboxGateway, django_capture_on_commit_callbacks: Any
) -> None:
    acme = a_customer()
    card(acme)
    open_invoice(acme, "20.00", JAN)
    dispatch()
    charge_pending()
    JournalDelivery.objects.filter(handler=COLLECT_HANDLER).delete()  # as if never recorded
    with django_capture_on_commit_callbacks() as queued:
        dispatch(LATER + timedelta(minutes=1))
    assert JournalDelivery.objects.filter(handler=COLLECT_HANDLER, status="delivered").count() == 1
    assert Payment.objects.count() == 1
    assert not [c for c in queued if "enqueue_charge" in repr(c)]
    charge_pending()
    assert sandbox.charge_count() == 1
    assert_trial_balance_zero()


def test_the_handler_queues_charges_in_chunks_after_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    invoices = []
    for _ in range(3):
        who = a_customer()
        card(who)
        invoices.append(open_invoice(who, "1.00", JAN))
    with django_capture_on_commit_callbacks() as queued:
        dispatch()
    charges = [c for c in queued if "_enqueue_charge" in repr(c)]
    assert len(charges) == 1  # three payments, one chunk
    assert sorted(charges[0].args[0]) == sorted(Payment.objects.values_list("pk", flat=True))


def test_timeout_that_charged_is_resolved_by_the_reconciler_and_charged_once(
    sandbox: SandboxGateway,
) -> None:
    acme = a_customer()
    card(acme, "tok_timeout_charged")
    invoice = open_invoice(acme, "42.00", JAN)
    dispatch()
    assert charge_pending() == {"succeeded": 0, "failed": 0, "unknown": 1}
    [payment] = Payment.objects.all()
    assert payment.state == "pending"
    assert payment.charge_requested_at == LATER
    # a retry of the charge task and a too-early reconciler do nothing
    assert payments_charge(payment_ids=[payment.pk], as_of=LATER, actor=ACTOR)["unknown"] == 0
    assert payments_reconcile(as_of=LATER + timedelta(seconds=30), actor=ACTOR)["asked"] == 0
    report = payments_reconcile(as_of=LATER + timedelta(seconds=61), actor=ACTOR)
    assert report == {"asked": 1, "resolved": 1, "charged": 0}
    payment = fresh(payment)
    assert payment.state == "succeeded"
    assert (fresh(invoice).status, fresh(invoice).amount_due) == ("paid", D(0))
    assert [c.action for c in payment.calls.all()] == ["charge", "status"]
    assert sandbox.charge_count() == 1  # the sandbox took the money once
    # later reconcilers and charges leave it alone
    payments_reconcile(as_of=LATER + timedelta(hours=1), actor=ACTOR)
    payments_charge(payment_ids=[payment.pk], as_of=LATER, actor=ACTOR)
    assert sandbox.charge_count() == 1
    assert Allocation.objects.count() == 1
    assert_trial_balance_zero()


def test_timeout_that_did_not_charge_is_failed_by_the_reconciler(sandbox: SandboxGateway) -> None:
    acme = a_customer()
    card(acme, "tok_timeout_not_charged")
    open_invoice(acme, "42.00", JAN)
    dispatch()
    charge_pending()
    at = LATER + timedelta(minutes=2)
    assert payments_reconcile(as_of=at, actor=ACTOR)["resolved"] == 1
    [payment] = Payment.objects.all()
    assert (payment.state, payment.failure_code, payment.retryable) == (
        "failed",
        "timeout_not_charged",
        True,
    )
    assert payment.retry_at == at + timedelta(days=3)
    assert len(events("payment.failed")) == 1
    assert sandbox.charge_count() == 0
    assert_trial_balance_zero()


def test_a_payment_whose_task_was_lost_is_charged_by_the_reconciler(
    sandbox: SandboxGateway,
) -> None:
    acme = a_customer()
    card(acme)
    invoice = open_invoice(acme, "9.99", JAN)
    dispatch()  # the charge task queued after commit is lost
    assert reconcile_due(JAN + timedelta(seconds=30)) == {"pending_to_reconcile": 0}
    report = payments_reconcile(as_of=JAN + timedelta(minutes=5), actor=ACTOR)
    assert report == {"asked": 0, "resolved": 0, "charged": 1}
    assert fresh(invoice).status == "paid"
    assert sandbox.charge_count() == 1


def test_an_invoice_partly_paid_before_the_charge_lowers_the_amount_charged(
    sandbox: SandboxGateway,
) -> None:
    """A bank transfer of 20.00 of 50.00 before the charge went out: 30.00 is charged."""
    acme = a_customer()
    card(acme)
    invoice = open_invoice(acme, "50.00", JAN)
    dispatch()
    payment_record(customer_id=acme.pk, amount=D("20.00"), currency="USD", received_at=JAN,
                   reference="BANK", actor=ACTOR, as_of=JAN, apply_oldest_first=True)  # fmt: skip
    assert charge_pending() == {"succeeded": 1, "failed": 0, "unknown": 0}
    charged = Payment.objects.get(kind="automatic")
    assert (charged.state, charged.amount, charged.applied, charged.unapplied) == (
        "succeeded", D("30.00"), D("30.00"), D(0))  # fmt: skip
    assert sandbox.status(idempotency_key=charged.idempotency_key).raw["sandbox"]["amount"] == (
        "30.00"
    )
    [succeeded] = [e for e in events("payment.succeeded") if e.subject_id == str(charged.pk)]
    assert D(succeeded.payload["amount"]) == D("30.00")
    assert (fresh(invoice).status, fresh(invoice).amount_due) == ("paid", D(0))
    assert_trial_balance_zero()


@pytest.mark.parametrize("before", ["paid by transfer", "voided", "uncollectible"])
def test_a_charge_no_longer_needed_is_not_sent(sandbox: SandboxGateway, before: str) -> None:
    """The invoice paid, voided or written off between the payment's creation and its
    charge: nothing is sent; the payment fails "not_needed", not retryable, and nothing is left
    for the reconciler or the retries."""
    from invoicing.services import invoice_mark_uncollectible, invoice_void

    acme = a_customer()
    card(acme)
    invoice = open_invoice(acme, "50.00", JAN)
    dispatch()
    if before == "paid by transfer":
        payment_record(
            customer_id=acme.pk, amount=D("50.00"), currency="USD", received_at=JAN,
            reference="BANK", actor=ACTOR, as_of=JAN, apply_oldest_first=True,
        )  # fmt: skip
    elif before == "voided":
        invoice_void(invoice_id=invoice.pk, as_of=JAN, actor=ACTOR, reason="duplicate")
    else:
        invoice_mark_uncollectible(invoice_id=invoice.pk, as_of=JAN, actor=ACTOR, reason="gone")
    assert charge_pending() == {"succeeded": 0, "failed": 0, "unknown": 0}  # nothing sent
    payment = Payment.objects.get(kind="automatic")
    assert (payment.state, payment.failure_code, payment.retryable, payment.retry_at) == (
        "failed", "not_needed", False, None)  # fmt: skip
    assert payment.charge_requested_at is None  # never sent
    assert (payment.applied, payment.unapplied, payment.amount) == (D(0), D(0), D("50.00"))
    assert sandbox.charge_count() == 0
    assert GatewayCall.objects.count() == 0
    [failed] = events("payment.failed")
    assert failed.subject_id == str(payment.pk)
    assert (failed.payload["reason"], failed.payload["failure_code"]) == ("not_needed",) * 2
    assert failed.payload["retry_at"] is None
    assert payments_reconcile(as_of=LATER + timedelta(days=30), actor=ACTOR) == {
        "asked": 0, "resolved": 0, "charged": 0}  # fmt: skip
    assert sandbox.charge_count() == 0
    assert_trial_balance_zero()


def test_claiming_takes_as_many_statements_for_one_payment_as_for_many(
    django_assert_max_num_queries: Any,
) -> None:
    """The claim (with its not-needed and lowered payments) and the charges are set-based."""
    worlds = []
    for size in (1, 30):
        ids = []
        for index in range(size):
            who = a_customer()
            card(who)
            invoice = open_invoice(who, "10.00", JAN)
            method = card(who)
            with transaction.atomic():
                [p] = collection_payments_create([(invoice, 1, method)], as_of=JAN, actor=ACTOR)
            if index % 3 == 1:  # part paid: lowered
                payment_record(customer_id=who.pk, amount=D("4.00"), currency="USD",
                               received_at=JAN, reference="BANK", actor=ACTOR, as_of=JAN,
                               apply_oldest_first=True)  # fmt: skip
            elif index % 3 == 2:  # all paid: not needed
                payment_record(customer_id=who.pk, amount=D("10.00"), currency="USD",
                               received_at=JAN, reference="BANK", actor=ACTOR, as_of=JAN,
                               apply_oldest_first=True)  # fmt: skip
            ids.append(p.pk)
        worlds.append(ids)
    for ids in worlds:
        with django_assert_max_num_queries(36):
            payments_charge(payment_ids=ids, as_of=LATER, actor=ACTOR)
    automatic = Payment.objects.filter(kind="automatic")
    assert Counter(automatic.values_list("state", flat=True)) == {"succeeded": 21, "failed": 10}
    assert set(automatic.filter(state="failed").values_list("failure_code", flat=True)) == {
        "not_needed"
    }
    assert Invoice.objects.exclude(status="paid").count() == 0
    assert_trial_balance_zero()


def test_the_sandboxs_charge_many_answers_as_charge_does() -> None:
    """The same calls through `charge_many` (one pipeline) and through `charge` one by one,
    each in a namespace of its own: the same answers, refusals and counts; a repeated key
    charges once."""
    calls: list[dict[str, Any]] = []
    for index, token in enumerate(
        [
            "tok_ok",
            "tok_declined",
            "tok_insufficient_funds",
            "tok_timeout_charged",
            "tok_soft_decline_2",
            "tok_soft_decline_2",
            "tok_nope",
            "tok_ok",
        ]
    ):
        calls.append(
            {"token": token, "amount": D("12.50"), "currency": "USD",
             "idempotency_key": f"k-{index}", "metadata": {"invoice": "inv-1"}}
        )  # fmt: skip
    calls.append({**calls[0]})  # the same key again: the same answer, charged once
    calls.append({**calls[0], "amount": D("13.00")})  # reused for another charge
    calls.append({**calls[1], "amount": D("-1")})  # refused before the gateway
    one = SandboxGateway(namespace=f"test-one-{uuid.uuid4().hex[:8]}")
    many = SandboxGateway(namespace=f"test-many-{uuid.uuid4().hex[:8]}")
    try:
        expected: list[Any] = []
        for c in calls:
            try:
                expected.append(one.charge(**c))
            except GatewayError as error:
                expected.append(("error", error.code))
        got = [
            ("error", r.code) if isinstance(r, GatewayError) else r for r in many.charge_many(calls)
        ]
        assert got == expected
        refused = [x for x in got if isinstance(x, tuple)]
        assert refused == [
            ("error", "invalid_token"),
            ("error", "idempotency_key_reused"),
            ("error", "invalid_amount"),
        ]
        assert many.charge_count() == one.charge_count() == 4  # ok, timeout, soft 2nd, ok
        assert many.charge_many(calls[:1]) == [expected[0]]  # replayed later: same answer
        assert many.charge_count() == 4
    finally:
        one.reset()
        many.reset()


# ------------------------------------------------------------------------------ one recorder


def _world(cases: list[tuple[str, str]]) -> list[Payment]:
    """One customer per three cases, an invoice and a pending attempt per case; `pre` pays part
    or all of the invoice by bank transfer before the answer comes."""
    payments = []
    customer = method = None
    for index, (_, pre) in enumerate(cases):
        if index % 3 == 0:
            customer = a_customer()
            method = card(customer)
        assert customer is not None
        assert method is not None
        invoice = open_invoice(customer, f"{10 + index % 7}.25", JAN)
        with transaction.atomic():
            [payment] = collection_payments_create([(invoice, 1, method)], as_of=JAN, actor=ACTOR)
        if pre != "none":
            amount = D("5.00") if pre == "part" else fresh(invoice).amount_due
            payment_record(customer_id=customer.pk, amount=amount, currency="USD",
                           received_at=JAN, reference="BANK", actor=ACTOR, as_of=JAN,
                           allocations=None, apply_oldest_first=False)  # fmt: skip
            from payments.services import AllocationRequest, payment_apply

            bank = Payment.objects.filter(kind="manual").latest("id")
            payment_apply(payment_id=bank.pk, actor=ACTOR, as_of=JAN,
                          allocations=[AllocationRequest(invoice.pk)])  # fmt: skip
        payments.append(payment)
    return payments


RESULTS = {
    "ok": Result(Outcome.SUCCEEDED, reference="ch_1"),
    "soft": Result(Outcome.FAILED, reason="insufficient_funds", retryable=True),
    "hard": Result(Outcome.FAILED, reason="card_declined"),
    "unknown": Result(Outcome.UNKNOWN, reason="timeout"),
}


def _state(payment: Payment) -> tuple[Any, ...]:
    p = fresh(payment)
    invoice = fresh(p.invoice)
    return (p.state, p.applied, p.unapplied, p.failure_code, p.retryable, p.retry_at,
            invoice.status, invoice.amount_due)  # fmt: skip


def test_a_chunk_of_one_and_a_chunk_of_many_agree(django_assert_max_num_queries: Any) -> None:
    """Generated cases recorded in one chunk in one world and one by one in another give the
    same payments, invoices, events and ledger; the chunk takes as many statements as one."""
    rng = random.Random(12)
    n = 200
    cases = [(rng.choice(list(RESULTS)), rng.choice(["none", "none", "part", "full"]))
             for _ in range(n)]  # fmt: skip
    one_by_one, chunked = _world(cases), _world(cases)
    before = Counter(JournalEvent.objects.values_list("type", flat=True))
    at = LATER
    actor = Actor.system("collection")
    for payment, (outcome, _) in zip(one_by_one, cases, strict=True):
        with django_assert_max_num_queries(24):
            payment_answers_record(
                answers=[Answer(payment.pk, "charge", RESULTS[outcome])], as_of=at, actor=actor
            )
    middle = Counter(JournalEvent.objects.values_list("type", flat=True))
    with django_assert_max_num_queries(24):
        payment_answers_record(
            answers=[
                Answer(p.pk, "charge", RESULTS[o]) for p, (o, _) in zip(chunked, cases, strict=True)
            ],
            as_of=at,
            actor=actor,
        )
    after = Counter(JournalEvent.objects.values_list("type", flat=True))
    assert [_state(p) for p in one_by_one] == [_state(p) for p in chunked]
    assert middle - before == after - middle  # the same events, as many of each
    ledgers = [
        (ledger_of(fresh(a).customer), ledger_of(fresh(b).customer))
        for a, b in zip(one_by_one[::3], chunked[::3], strict=True)
    ]
    assert all(x == y for x, y in ledgers)
    assert Counter(p.state for p in Payment.objects.filter(kind="automatic")) == Counter(
        {"succeeded": 0, "failed": 0, "pending": 0}
    ) + Counter(
        {
            "succeeded": 2 * sum(o == "ok" for o, _ in cases),
            "failed": 2 * sum(o in ("soft", "hard") for o, _ in cases),
            "pending": 2 * sum(o == "unknown" for o, _ in cases),
        }
    )
    assert_trial_balance_zero()


# ------------------------------------------------------------------------------ batch handlers


def test_a_batch_handler_gets_one_list_and_a_failure_is_pinned_to_its_event(
    no_journal_handlers: None,
) -> None:
    from billing.journal import handler_registered
    from billing.services import journal_write_many

    seen: list[list[str]] = []

    def handler(events: list[JournalEvent]) -> None:
        seen.append([e.subject_id for e in events])
        if any(e.payload.get("bad") for e in events):
            raise RuntimeError("bad event")

    with transaction.atomic():
        journal_write_many(
            [
                {"type": "t.x", "subject_type": "s", "subject_id": sid, "payload": payload,
                 "occurred_at": JAN}
                for sid, payload in [("a", {}), ("b", {"bad": True}), ("b", {}), ("c", {})]
            ],
            actor=ACTOR,
        )  # fmt: skip
    with handler_registered("test.batch", handler, types={"t.x"}, batch=True):
        report = journal_dispatch(as_of=LATER)
    # the batch once, then one by one: b's failure blocks only b's later event
    assert seen == [["a", "b", "b", "c"], ["a"], ["b"], ["c"]]
    assert report == {"delivered": 2, "failed": 1, "waiting": 1}
    statuses = dict(
        JournalDelivery.objects.filter(handler="test.batch").values_list(
            "event__subject_id", "status"
        )
    )
    assert statuses == {"a": "delivered", "b": "failed", "c": "delivered"}


# ------------------------------------------------------------------- answers that come too late


def failed_by_the_reconciler(amount: str = "42.00") -> tuple[Payment, Invoice]:
    """A charge that timed out and that the reconciler then found failed (retryable: a retry
    is scheduled three days on)."""
    acme = a_customer()
    card(acme, "tok_timeout_not_charged")
    invoice = open_invoice(acme, amount, JAN)
    dispatch()
    charge_pending()
    payments_reconcile(as_of=LATER + timedelta(minutes=2), actor=ACTOR)
    [payment] = Payment.objects.all()
    assert (payment.state, payment.retry_at) == ("failed", LATER + timedelta(minutes=2, days=3))
    return payment, invoice


LATE_SUCCESS = Result(Outcome.SUCCEEDED, reference="ch_late")


def test_a_success_after_a_failure_is_recorded_the_money_was_taken() -> None:
    payment, invoice = failed_by_the_reconciler()
    at = LATER + timedelta(hours=2)
    changed = payment_answers_record(
        answers=[Answer(payment.pk, GatewayCall.Action.WEBHOOK, LATE_SUCCESS)],
        as_of=at,
        actor=ACTOR,
    )
    assert [p.pk for p in changed] == [payment.pk]
    payment = fresh(payment)
    assert (payment.state, payment.received_at, payment.gateway_reference) == (
        "succeeded", at, "ch_late")  # fmt: skip
    assert (payment.applied, payment.unapplied) == (D("42.00"), D(0))
    assert (payment.retry_at, payment.retryable, payment.failure_code) == (None, False, "")
    assert (fresh(invoice).status, fresh(invoice).amount_due) == ("paid", D(0))
    [late] = events("payment.late_success")
    assert late.payload["previous_failure_code"] == "timeout_not_charged"
    assert late.payload["applied"] == "42.00"
    assert len(events("payment.succeeded")) == 1
    # received and applied: no receivable, no unapplied cash left
    assert ledger_of(invoice.customer) == {"cash": D("42.00"), "revenue": D("-42.00")}
    # the retry that was due makes no attempt
    from payments.services.retries import retries_due

    assert retries_due(LATER + timedelta(days=4))["retried"] == 0
    assert Payment.objects.count() == 1
    assert_trial_balance_zero()


def test_a_late_success_fails_the_next_attempt_not_sent_yet(sandbox: SandboxGateway) -> None:
    payment, invoice = failed_by_the_reconciler()
    from payments.services.retries import retries_due

    assert retries_due(LATER + timedelta(days=4))["retried"] == 1  # attempt 2, not sent yet
    second = Payment.objects.get(attempt=2)
    assert (second.state, second.charge_requested_at) == ("pending", None)
    payment_answers_record(
        answers=[Answer(payment.pk, GatewayCall.Action.STATUS, LATE_SUCCESS)],
        as_of=LATER + timedelta(days=4, minutes=1),
        actor=ACTOR,
    )
    second = fresh(second)
    assert (second.state, second.failure_code, second.retry_at) == ("failed", "not_needed", None)
    assert charge_pending(LATER + timedelta(days=4, minutes=2))["unknown"] == 0
    assert (
        payments_charge(payment_ids=[second.pk], as_of=LATER + timedelta(days=5), actor=ACTOR)[
            "succeeded"
        ]
        == 0
    )
    assert sandbox.charge_count() == 0
    assert fresh(invoice).status == "paid"
    assert fresh(payment).state == "succeeded"
    assert_trial_balance_zero()


def test_a_late_success_of_an_invoice_paid_meanwhile_stays_unapplied() -> None:
    payment, invoice = failed_by_the_reconciler()
    payment_record(customer_id=invoice.customer_id, amount=D("42.00"), currency="USD",
                   received_at=LATER, reference="BANK", actor=ACTOR,
                   as_of=LATER + timedelta(hours=1), apply_oldest_first=True)  # fmt: skip
    assert fresh(invoice).status == "paid"
    payment_answers_record(
        answers=[Answer(payment.pk, GatewayCall.Action.WEBHOOK, LATE_SUCCESS)],
        as_of=LATER + timedelta(hours=2),
        actor=ACTOR,
    )
    payment = fresh(payment)
    assert (payment.state, payment.applied, payment.unapplied) == ("succeeded", D(0), D("42.00"))
    assert events("payment.late_success")[0].payload["applied"] == "0.00"
    assert_trial_balance_zero()


def test_a_late_failure_never_unpays_a_success(sandbox: SandboxGateway) -> None:
    acme = a_customer()
    card(acme)
    invoice = open_invoice(acme, "42.00", JAN)
    dispatch()
    charge_pending()
    [payment] = Payment.objects.all()
    assert payment.state == "succeeded"
    before = (payment.state, payment.applied, payment.received_at, payment.gateway_reference)
    late = Result(Outcome.FAILED, reference="x", reason="not_found")
    for action in (GatewayCall.Action.STATUS, GatewayCall.Action.WEBHOOK):
        changed = payment_answers_record(
            answers=[Answer(payment.pk, action, late)],
            as_of=LATER + timedelta(hours=1),
            actor=ACTOR,
        )
        assert changed == []
    payment = fresh(payment)
    assert (payment.state, payment.applied, payment.received_at, payment.gateway_reference) == (
        before
    )
    assert [c.action for c in payment.calls.order_by("id")] == ["charge", "status", "webhook"]
    assert events("payment.failed") == []
    assert (fresh(invoice).status, payment.retry_at) == ("paid", None)
    assert_trial_balance_zero()
