"""Refunds: money given back to a customer through the gateway that took it.

A refund pays out of one of two sources (`RefundSource`):

- **unapplied** — an overpayment: the payment's unapplied cash (what no invoice took). The
  refund is at most that.
- **credit_balance** — a paid invoice credited: a credit note on an invoice the payment has a
  live allocation to (an existing one, or one issued in the same transaction by invoicing's own
  `credit_note_parts` + `issue_credit_note`). The note takes its total off what is still owed and
  puts the rest on the customer's credit balance (`to_balance`; on a paid invoice, all of it);
  the refund pays out from the balance: at most what that note put on the balance and no refund
  took yet, the customer's *refundable* balance now, and the payment's refundable amount.

  The refundable balance is the balance less what the customer's wallet grants still hold
  (`CreditGrant.remaining`, summed; an expired grant holds nothing): that part of the balance is
  promotional credit staff granted or prepaid credit bought with a top-up, and a credit note
  never pays it out as cash. The balance is fungible: once invoices have used a note's credit,
  what is left is the grants', and the note refunds nothing more. A grant's `remaining` follows
  the invoices that used it when the wallet attributes them (the `invoice.finalized` handler):
  until then it still counts in full, so the limit errs on the side of refunding less.

Whatever the source, a payment never gives back more than it took: `amount - refunded`.

Reservation first, gateway after, in three steps (`refund_create` runs them in a row):

1. `refund_reserve` (one durable transaction, locks customer → payment [→ invoice]): the checks,
   then the reservation: a `pending` Refund with a deterministic idempotency key (the payment's
   key and the refund's sequence number), `payment.refunded` up (and `unapplied` down, or the
   customer's balance down with a `refunded` balance move), the ledger posted at once (unapplied:
   Dr unapplied cash, Cr cash; credit balance: Dr customer credit, Cr cash) and `refund.created`.
   Two refunds of one payment queue on the customer's lock: together they never exceed it.
2. `refund_send` (no transaction open): the gateway's `refund` with that key — the same key never
   refunds twice, so sending again after a crash or an `unknown` answer is safe.
3. `refund_outcome_record` (durable, same locks), the one place an answer is recorded: every
   gateway call is kept (`GatewayCall`); `succeeded` settles the refund (`refund.succeeded`),
   `failed` reverses the reservation — columns, balance, a reverse posting — (`refund.failed`),
   `unknown` leaves it pending.

A pending refund older than `RECONCILE_AFTER` is the reconciler's (`refund_reconcile`, driven by
the billing clock's hook registered in `register()`): it asks the gateway's `status` with the
key and records the answer the same way; a key the gateway never saw (the process stopped
between the reservation and the call) is sent again with the same key.

Manual payments (bank transfers, cheques) refund through the manual gateway: it records the
refund by its key, and finance staff send the money back by hand.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Sum

from billing.models import BalanceKind, Customer, LedgerAccount
from billing.selectors import clock_scope
from billing.services import (
    BalanceMove,
    Posting,
    balance_moves_record,
    journal_write_many,
    ledger_post_many,
)
from catalog.money import quantize
from core.audit import Actor, audit_context
from core.exceptions import Conflict, NotFound, TransitionNotAllowed, ValidationFailed
from invoicing.clock_hooks import register_tick_hook
from invoicing.models import CreditNote, Invoice
from invoicing.services.adjust import credit_note_parts, issue_credit_note
from payments.gateways.base import Gateway, GatewayError, Outcome, Result
from payments.gateways.registry import TEST_MODE_GATEWAY, gateway
from payments.models import (
    Allocation,
    CreditGrant,
    GatewayCall,
    Payment,
    PaymentState,
    Refund,
    RefundSource,
    RefundState,
)

ZERO = Decimal(0)
RECONCILE_AFTER = timedelta(seconds=60)
RECONCILE_BATCH = 500
LIVE = (RefundState.PENDING, RefundState.SUCCEEDED)  # what a refund holds until it fails
KEY_MAX_LENGTH = 128  # Refund.idempotency_key


# ---------------------------------------------------------------------------------------------
# reads


@dataclass(frozen=True)
class CreditNoteRefundable:
    credit_note: CreditNote
    left: Decimal  # what it put on the balance that no live refund took yet


@dataclass(frozen=True)
class Refundable:
    """What a payment can give back now, by source (for the admin's form and the API's docs).
    A refund from a credit note is also bounded by `balance` and `payment`."""

    payment: Decimal  # amount - refunded: never more, whatever the source
    unapplied: Decimal  # an overpayment's refund: at most min(this, payment)
    balance: Decimal  # the customer's refundable credit balance (less what grants hold)
    credit_notes: tuple[CreditNoteRefundable, ...]  # on invoices this payment paid


def _paid_invoice_ids(payment: Payment) -> set[int]:
    return set(
        Allocation.objects.filter(payment=payment, unapplied_at__isnull=True).values_list(
            "invoice_id", flat=True
        )
    )


def _refunded_from(note_ids: Sequence[int]) -> dict[int, Decimal]:
    rows = (
        Refund.objects.filter(credit_note_id__in=list(note_ids), state__in=LIVE)
        .values("credit_note_id")
        .annotate(t=Sum("amount"))
    )
    return {row["credit_note_id"]: row["t"] for row in rows}


def note_left(note: CreditNote) -> Decimal:
    """What `note` put on the customer's balance that no pending or succeeded refund took."""
    return note.to_balance - _refunded_from([note.pk]).get(note.pk, ZERO)


def refundable_balance(customer_id: int, balance: Decimal) -> Decimal:
    """What of the customer's credit `balance` a credit note can refund: the balance less what
    its wallet grants still hold (promotional or prepaid credit, never refunded as cash through
    a credit note; see the module's note), never below zero."""
    held: Decimal = CreditGrant.objects.filter(customer_id=customer_id, remaining__gt=0).aggregate(
        t=Sum("remaining", default=ZERO)
    )["t"]
    return max(balance - held, ZERO)


def refundable_of(payment: Payment) -> Refundable:
    """What `payment` can give back now (reads only; the reservation checks again under lock)."""
    notes = list(
        CreditNote.objects.filter(invoice_id__in=_paid_invoice_ids(payment), to_balance__gt=0)
        .select_related("invoice")
        .order_by("issued_at", "pk")
    )
    taken = _refunded_from([n.pk for n in notes])
    left = payment.amount - payment.refunded
    balance = Customer.objects.values_list("balance", flat=True).get(pk=payment.customer_id)
    return Refundable(
        payment=left,
        unapplied=min(payment.unapplied, left),
        balance=refundable_balance(payment.customer_id, balance),
        credit_notes=tuple(
            CreditNoteRefundable(n, n.to_balance - taken.get(n.pk, ZERO)) for n in notes
        ),
    )


def refunds_to_reconcile(
    *, as_of: datetime, limit: int = RECONCILE_BATCH, test_clock: int | None = None
) -> list[int]:
    """Pending refunds sent at least `RECONCILE_AFTER` before `as_of`, oldest first, in one
    clock scope (live customers' by default, or a test clock's)."""
    return list(
        Refund.objects.filter(
            clock_scope(test_clock, customer="payment__customer"),
            state=RefundState.PENDING,
            refund_requested_at__lte=as_of - RECONCILE_AFTER,
        )
        .order_by("refund_requested_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


# ---------------------------------------------------------------------------------------------
# services


def refund_create(
    *,
    payment_id: int,
    amount: Decimal | None,
    reason: str,
    actor: Actor,
    as_of: datetime,
    credit_note_id: int | None = None,
    credit_invoice_id: int | None = None,
    credit_lines: Sequence[tuple[int, Decimal]] | None = None,
) -> Refund:
    """Refund `amount` (None: the most allowed) of a payment: reserve it, send it to the
    payment's gateway, record the answer (see the module's note). Without a credit note it
    refunds an overpayment; with `credit_note_id` (an existing note) or `credit_invoice_id`
    (a note issued now: `credit_lines` as (invoice line id, amount), else the whole invoice) it
    pays out what the note put on the customer's balance. Returns the refund: `succeeded`,
    `failed` (the reservation reversed) or `pending` (the gateway's answer is not known yet)."""
    refund = refund_reserve(
        payment_id=payment_id, amount=amount, reason=reason, actor=actor, as_of=as_of,
        credit_note_id=credit_note_id, credit_invoice_id=credit_invoice_id,
        credit_lines=credit_lines,
    )  # fmt: skip
    return refund_send(refund_id=refund.pk, actor=actor, as_of=as_of)


def refund_reserve(
    *,
    payment_id: int,
    amount: Decimal | None,
    reason: str,
    actor: Actor,
    as_of: datetime,
    credit_note_id: int | None = None,
    credit_invoice_id: int | None = None,
    credit_lines: Sequence[tuple[int, Decimal]] | None = None,
) -> Refund:
    """Step 1 of `refund_create`: check and reserve a pending refund (nothing is sent)."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("Say why the money goes back.", field="reason", code="required")
    if credit_note_id is not None and credit_invoice_id is not None:
        raise ValidationFailed(
            "Name an existing credit note or an invoice to credit, not both.",
            field="credit_invoice",
            code="one_credit_source",
        )
    if credit_lines is not None and credit_invoice_id is None:
        raise ValidationFailed(
            "Credit lines go with the invoice to credit (credit_invoice).",
            field="credit_lines",
            code="requires_credit_invoice",
        )
    found = (
        Payment.objects.filter(pk=payment_id)
        .values_list("gateway", "customer__test_clock_id")
        .first()
    )
    if found is None:
        raise NotFound(f"No payment with id {payment_id}.")
    # a gateway switched off here (or live for a test customer) refuses before anything is written
    _gateway_of(found[0], test=found[1] is not None)
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        customer, payment = _locked(payment_id)
        if payment.state != PaymentState.SUCCEEDED:
            raise ValidationFailed(
                f"Payment #{payment.pk} is {payment.state}: only money received is refunded.",
                field="payment",
                code="not_succeeded",
            )
        if amount is not None:
            _check_amount(amount, payment.currency)
        left = payment.amount - payment.refunded
        note: CreditNote | None = None
        if credit_note_id is None and credit_invoice_id is None:
            source, limit = RefundSource.UNAPPLIED, min(payment.unapplied, left)
            what = "the payment's unapplied cash"
        else:
            note = _credit_note(
                payment, customer, credit_note_id=credit_note_id,
                credit_invoice_id=credit_invoice_id, credit_lines=credit_lines,
                reason=reason, as_of=as_of, actor=actor,
            )  # fmt: skip
            customer.refresh_from_db(fields=["balance"])  # a note issued now credited it
            source = RefundSource.CREDIT_BALANCE
            limit = min(note_left(note), refundable_balance(customer.pk, customer.balance), left)
            what = f"credit note {note.number} left on the customer's balance"
        refunded = limit if amount is None else amount
        if refunded <= 0:
            raise ValidationFailed(
                f"Nothing is refundable from {what}.", field="amount", code="nothing_refundable"
            )
        if refunded > limit:
            raise ValidationFailed(
                f"{refunded} is more than is refundable from {what}: "
                f"{quantize(limit, payment.currency)} {payment.currency}.",
                field="amount",
                code="exceeds_refundable",
            )
        refund = Refund.objects.create(
            payment=payment,
            amount=refunded,
            currency=payment.currency,
            source=source,
            credit_note=note,
            state=RefundState.PENDING,
            reason=reason,
            idempotency_key=_key(payment),
            refund_requested_at=as_of,
            created_by=actor.label,
            created_at=as_of,
            updated_at=as_of,
        )
        _hold(refund, payment, customer, sign=1, actor=actor, as_of=as_of)
        journal_write_many([_event("refund.created", refund, customer, as_of)], actor=actor)
    return refund


def refund_send(*, refund_id: int, actor: Actor, as_of: datetime) -> Refund:
    """Step 2 of `refund_create`: send a pending refund to its gateway with its key (outside
    any transaction) and record the answer. A refund no longer pending is returned as it is."""
    refund = Refund.objects.select_related("payment__customer").get(pk=refund_id)
    if refund.state != RefundState.PENDING:
        return refund
    gw = _gateway_or_refusal(refund.payment.gateway, test=refund.payment.customer.is_test)
    call = _send(gw, refund) if not isinstance(gw, Result) else (GatewayCall.Action.REFUND, gw)
    return refund_outcome_record(refund_id=refund.pk, calls=[call], actor=actor, as_of=as_of)


def refund_reconcile(*, refund_id: int, actor: Actor, as_of: datetime) -> Refund:
    """Resolve a pending refund sent at least `RECONCILE_AFTER` before `as_of`: ask the gateway
    its status with the refund's key and record the answer; a key the gateway never saw is
    sent again with that same key (it refunds once). Anything else is returned as it is."""
    refund = Refund.objects.select_related("payment__customer").filter(pk=refund_id).first()
    if refund is None:
        raise NotFound(f"No refund with id {refund_id}.")
    requested = refund.refund_requested_at
    if refund.state != RefundState.PENDING or (
        requested is not None and requested > as_of - RECONCILE_AFTER
    ):
        return refund
    gw = _gateway_or_refusal(refund.payment.gateway, test=refund.payment.customer.is_test)
    if isinstance(gw, Result):  # a test customer's refund on a live gateway: never sent
        call = (GatewayCall.Action.REFUND, gw)
        return refund_outcome_record(refund_id=refund.pk, calls=[call], actor=actor, as_of=as_of)
    try:
        status = gw.status(idempotency_key=refund.idempotency_key)
    except GatewayError as error:
        status = Result(outcome=Outcome.UNKNOWN, reason=error.code, message=error.message)
    calls: list[tuple[str, Result]] = [(GatewayCall.Action.STATUS, status)]
    if status.outcome is Outcome.FAILED and status.reason == "not_found":
        calls.append(_send(gw, refund))
    return refund_outcome_record(refund_id=refund.pk, calls=calls, actor=actor, as_of=as_of)


def refund_outcome_record(
    *,
    refund_id: int,
    calls: Sequence[tuple[str, Result]],
    actor: Actor,
    as_of: datetime,
) -> Refund:
    """The one place a gateway's answers about a refund are recorded: each (action, result) as
    a GatewayCall; the last one decides a pending refund — `succeeded` settles it, `failed`
    reverses its reservation, `unknown` leaves it pending. A refund already settled or failed
    only gets the calls recorded (a late or repeated answer changes nothing)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="refund answered"):
        payment_id = Refund.objects.values_list("payment_id", flat=True).get(pk=refund_id)
        customer, payment = _locked(payment_id)
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        GatewayCall.objects.bulk_create(
            GatewayCall(
                payment=payment, refund=refund, gateway=payment.gateway, action=action,
                idempotency_key=refund.idempotency_key, outcome=result.outcome.value,
                reference=result.reference[:255], reason=result.reason[:64],
                message=result.message[:255], raw=result.raw, at=as_of,
            )
            for action, result in calls
        )  # fmt: skip
        if refund.state != RefundState.PENDING or not calls:
            return refund
        result = calls[-1][1]
        if result.outcome is Outcome.UNKNOWN:
            return refund
        refund.updated_at = as_of
        if result.outcome is Outcome.SUCCEEDED:
            refund.state = RefundState.SUCCEEDED
            refund.settled_at = as_of
            refund.gateway_reference = result.reference[:255]
            refund.save(update_fields=["state", "settled_at", "gateway_reference", "updated_at"])
            event = "refund.succeeded"
        else:
            refund.state = RefundState.FAILED
            refund.failure_code = (result.reason or "failed")[:64]
            refund.failure_message = result.message[:255]
            refund.save(update_fields=["state", "failure_code", "failure_message", "updated_at"])
            _hold(refund, payment, customer, sign=-1, actor=actor, as_of=as_of)
            event = "refund.failed"
        journal_write_many([_event(event, refund, customer, as_of)], actor=actor)
    return refund


# ---------------------------------------------------------------------------------------------
# helpers


def _gateway_of(name: str, *, test: bool) -> Gateway:
    """The gateway of a payment's refund; a Conflict `gateway_unavailable` when it is switched
    off here, `test_mode_gateway` when it would move real money for a test customer (`test`:
    the payment's customer is on a test clock)."""
    found = _gateway_or_refusal(name, test=test)
    if isinstance(found, Result):
        raise Conflict(found.message, code=TEST_MODE_GATEWAY)
    return found


def _gateway_or_refusal(name: str, *, test: bool) -> Gateway | Result:
    """`_gateway_of`, but a gateway refused for a test customer is the FAILED answer to record
    for a refund already reserved (nothing is sent)."""
    try:
        return gateway(name, test=test)
    except GatewayError as error:
        if error.code == TEST_MODE_GATEWAY:
            return Result(outcome=Outcome.FAILED, reason=error.code, message=error.message)
        raise Conflict(
            f"The payment's gateway cannot refund here: {error.message}",
            code="gateway_unavailable",
        ) from None


def _send(gw: Gateway, refund: Refund) -> tuple[str, Result]:
    """The gateway's `refund` with the refund's key; a refusal before trying is a failure."""
    payment = refund.payment
    reference = payment.gateway_reference
    if payment.gateway == "manual" and not reference.strip():
        reference = payment.idempotency_key  # a transfer recorded without its bank reference
    try:
        result = gw.refund(
            reference=reference,
            amount=quantize(refund.amount, refund.currency),
            currency=refund.currency,
            idempotency_key=refund.idempotency_key,
            reason=refund.reason,
        )
    except GatewayError as error:
        result = Result(outcome=Outcome.FAILED, reason=error.code, message=error.message)
    return GatewayCall.Action.REFUND, result


def _locked(payment_id: int) -> tuple[Customer, Payment]:
    """Lock the payment's customer, then the payment (the order of every payments service)."""
    customer_id = (
        Payment.objects.filter(pk=payment_id).values_list("customer_id", flat=True).first()
    )
    if customer_id is None:
        raise NotFound(f"No payment with id {payment_id}.")
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    return customer, Payment.objects.select_for_update().get(pk=payment_id)


def _check_amount(amount: Decimal, currency: str) -> None:
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed(
            "A refund's amount is above zero.", field="amount", code="not_positive"
        )
    if quantize(amount, currency) != amount:
        raise ValidationFailed(
            f"{amount} has more decimals than {currency} allows.",
            field="amount",
            code="too_many_decimals",
        )


def _key(payment: Payment) -> str:
    """The refund's idempotency key: the payment's own key and the refund's sequence number,
    taken under the payment's lock (hashed when too long for the column)."""
    sequence = Refund.objects.filter(payment=payment).count() + 1
    key = f"{payment.idempotency_key}:refund:{sequence}"
    if len(key) > KEY_MAX_LENGTH:
        key = "refund:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _credit_note(
    payment: Payment,
    customer: Customer,
    *,
    credit_note_id: int | None,
    credit_invoice_id: int | None,
    credit_lines: Sequence[tuple[int, Decimal]] | None,
    reason: str,
    as_of: datetime,
    actor: Actor,
) -> CreditNote:
    """The credit note the refund pays out: an existing one, or one issued now on the invoice
    (locked), both on an invoice this payment has a live allocation to."""
    paid = _paid_invoice_ids(payment)
    if credit_note_id is not None:
        note = CreditNote.objects.select_related("invoice").filter(pk=credit_note_id).first()
        if note is None or note.invoice.customer_id != customer.pk:
            raise ValidationFailed(
                f"The customer {customer.external_id} has no credit note {credit_note_id}.",
                field="credit_note",
                code="not_found" if note is None else "other_customer",
            )
        if note.invoice_id not in paid:
            raise ValidationFailed(
                f"Credit note {note.number} is on {note.invoice}, which payment #{payment.pk} "
                "did not pay.",
                field="credit_note",
                code="not_paid_by_payment",
            )
        return note
    invoice = (
        Invoice.objects.select_for_update().filter(pk=credit_invoice_id).first()
        if credit_invoice_id is not None
        else None
    )
    if invoice is None or invoice.customer_id != customer.pk:
        raise ValidationFailed(
            f"The customer {customer.external_id} has no invoice {credit_invoice_id}.",
            field="credit_invoice",
            code="not_found" if invoice is None else "other_customer",
        )
    if invoice.pk not in paid:
        raise ValidationFailed(
            f"Payment #{payment.pk} did not pay {invoice}.",
            field="credit_invoice",
            code="not_paid_by_payment",
        )
    try:
        parts = credit_note_parts(invoice, credit_lines)
    except TransitionNotAllowed as refused:
        raise ValidationFailed(
            refused.message, field="credit_invoice", code="not_creditable"
        ) from None
    except ValidationFailed as refused:  # lines[0].amount -> credit_lines[0].amount
        field = f"credit_{refused.field}" if refused.field else "credit_lines"
        raise ValidationFailed(refused.message, field=field, code=refused.code) from None
    return issue_credit_note(invoice, parts, as_of, actor, reason)


def _hold(
    refund: Refund, payment: Payment, customer: Customer, *, sign: int, actor: Actor,
    as_of: datetime,
) -> None:  # fmt: skip
    """Reserve (sign 1) or give back (sign -1, a failed refund) what `refund` takes: the
    payment's columns, the customer's balance, and the ledger (posted at once)."""
    amount = refund.amount * sign
    payment.refunded += amount
    if refund.source == RefundSource.UNAPPLIED:
        payment.unapplied -= amount
        held = LedgerAccount.UNAPPLIED_CASH
    else:
        held = LedgerAccount.CUSTOMER_CREDIT
        why = refund.reason if sign > 0 else f"refund #{refund.pk} failed: credit restored"
        balance_moves_record(
            [BalanceMove(customer, -amount, BalanceKind.REFUNDED, "refund", refund.pk, why)],
            actor=actor,
            at=as_of,
        )
    payment.updated_at = as_of
    payment.save(update_fields=["refunded", "unapplied", "updated_at"])
    memo = f"refund #{refund.pk} of payment #{payment.pk}" + (
        f": {refund.reason}" if sign > 0 else " failed: reversed"
    )
    ledger_post_many(
        [
            Posting(
                customer_id=customer.pk,
                currency=refund.currency,
                amounts=[(held, amount), (LedgerAccount.CASH, -amount)],
                document_type="refund",
                document_id=refund.pk,
                memo=memo[:255],
                at=as_of,
            )
        ]
    )


def _event(kind: str, refund: Refund, customer: Customer, as_of: datetime) -> dict[str, Any]:
    note = refund.credit_note
    return {
        "type": kind,
        "subject_type": "refund",
        "subject_id": refund.pk,
        "payload": {
            "refund": refund.pk,
            "payment": refund.payment_id,
            "customer": customer.external_id,
            "amount": str(refund.amount),
            "currency": refund.currency,
            "source": refund.source,
            "credit_note": note.number if note is not None else None,
            "state": refund.state,
            "reason": refund.reason,
            "gateway_reference": refund.gateway_reference,
            "failure_code": refund.failure_code,
            "balance": str(customer.balance),
        },
        "occurred_at": as_of,
    }


# ---------------------------------------------------------------------------------------------
# the clock


def refunds_reconcile_due(as_of: datetime, *, test_clock: int | None = None) -> dict[str, int]:
    """The clock's hook: one reconcile task per pending refund due (after any commit)."""
    from payments.tasks.refunds import refund_reconcile_task

    due = refunds_to_reconcile(as_of=as_of, test_clock=test_clock)
    for refund_id in due:
        transaction.on_commit(partial(refund_reconcile_task.delay, refund_id, as_of.isoformat()))
    return {"refunds_to_reconcile": len(due)}


def register() -> None:
    """Journal handlers and clock hooks of this part, registered at start-up."""
    register_tick_hook("payments.refunds", refunds_reconcile_due)
