"""Automatic collection: an invoice finalized is charged to its payment method, exactly once.

The path, every step set-based (one query per step for a chunk, never one per invoice):

1. `invoice.finalized` reaches the batch journal handler `payments.collect`
   (`on_invoices_finalized`). For each invoice still open or partially paid with something due,
   whose customer has `auto_collection` on, it resolves the method: the override of the
   invoice's subscriptions when all of them agree on one, else the customer's default; the method
   must be active, not detached, on an enabled gateway (`payments.gateways.registry`). It creates
   a pending automatic payment, attempt 1, for the amount due (`collection_payments_create`:
   INSERT ... ON CONFLICT DO NOTHING on the unique (invoice, attempt), so a redelivered event
   never makes a second payment). An invoice it cannot charge gets `invoice.collection_skipped`
   with a reason (`SkipReason`). After commit, charge tasks are queued by chunks of CHARGE_CHUNK.
2. `payments_charge` claims the chunk's pending payments never sent (one UPDATE ... RETURNING
   setting `charge_requested_at`; a payment already sent belongs to the reconciler and is never
   charged again), commits, calls `gateway.charge` for each with the payment's idempotency key
   (outside any transaction), then records every answer in one transaction.
3. `payment_answers_record` is the ONE place gateway answers become facts, whether they come
   from a charge, the reconciler's `status` or a Stripe webhook: a GatewayCall per answer;
   succeeded → the payment succeeds (`received_write`: ledger and `payment.succeeded`) and is
   applied to its invoice for min(amount, amount due) if the invoice is still payable (the rest
   stays unapplied cash: a bank transfer may have paid it meanwhile); failed → `payment.failed`
   and `payments.services.retries.schedule_retries` sets `retry_at`; unknown → still pending.
   Locks: customers, then payments, then invoices, each by id.

   Answers that come late. A gateway whose `status` search lags behind its charges says so
   with a class attribute `status_lag_seconds` (Stripe: 86400; a gateway without it, the
   sandbox and the manual one, 0): a `status` answer `failed` with reason `not_found` for a
   payment whose charge was sent less than that long ago is only recorded as a GatewayCall —
   the payment stays pending and the reconciler asks again on its next pass (`status_lag`).
   A SUCCEEDED answer (webhook or status) for a payment already FAILED is never dropped: the
   money was taken. The payment succeeds (the one FAILED → SUCCEEDED transition of
   PAYMENT_TRANSITIONS) exactly as a pending one does — received_at, reference, `retry_at`
   cleared, `received_write`, applied to its invoice for what the invoice still owes (the rest
   stays unapplied cash for staff to refund or move) — and `payment.late_success` is written
   besides `payment.succeeded` so finance sees it. A later attempt of the same invoice still
   pending and never sent is then failed `not_needed` when the invoice owes nothing any more
   (locked before the invoices, in this transaction: a claim waiting on it re-reads its state
   and skips it; a claim that took it first has already read the invoice and sent the charge,
   whose success then stays unapplied cash). A FAILED answer for a SUCCEEDED payment is only
   recorded as a call: nothing un-pays a payment.
4. `payments_reconcile` (a clock hook queues it each tick): a pending payment sent more than
   RECONCILE_AFTER_SECONDS ago is resolved by asking the gateway its status (never by charging
   again); a pending payment never sent for that long (its task was lost) is charged.

Idempotency keys are `<db tag>-inv-<invoice id>-attempt-<n>`: deterministic per invoice and
attempt, and the tag (a hash of the database's server, name and oid) keeps two databases that
share one sandbox Redis (or one Stripe account) from ever presenting the same key.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from billing.journal import register_handler
from billing.models import Customer
from billing.selectors import clock_scope
from billing.services import journal_write_many
from catalog.money import quantize
from core.audit import Actor, audit_context
from core.db import bulk_update, copy_insert
from invoicing.clock_hooks import register_tick_hook
from invoicing.models import Invoice, InvoiceLine, InvoiceStatus
from invoicing.services.settle import PAYABLE
from payments.gateways.base import Gateway, GatewayError, Outcome, Result
from payments.gateways.manual import ManualGateway
from payments.gateways.registry import gateway as gateway_named
from payments.gateways.sandbox import SandboxGateway
from payments.models import (
    PAYMENT_TRANSITIONS,
    GatewayCall,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentMethodState,
    PaymentState,
)
from payments.services.cash import Part, allocations_write, payment_payload, received_write
from payments.services.retries import schedule_retries

if TYPE_CHECKING:
    from billing.models import JournalEvent

logger = logging.getLogger(__name__)

ZERO = Decimal(0)
COLLECT_HANDLER = "payments.collect"
RECONCILE_HOOK = "payments.reconcile"
CHARGE_CHUNK = 100  # payments per charge task
RECONCILE_CHUNK = 200  # payments per status round and recording transaction
DEFAULT_RECONCILE_AFTER_SECONDS = 60
COLLECTOR = Actor.system("collection")


class SkipReason(StrEnum):
    """Why `invoice.collection_skipped`: the invoice was not charged automatically."""

    AUTO_COLLECTION_OFF = "auto_collection_off"  # the customer pays by hand
    NO_PAYMENT_METHOD = "no_payment_method"  # no override, no default
    METHOD_NOT_ACTIVE = "method_not_active"  # expired, failed verification or detached
    GATEWAY_DISABLED = "gateway_disabled"  # the method's gateway is not in PAYMENT_GATEWAYS


def status_lag(gateway: str) -> timedelta:
    """How long after a charge was sent the gateway's `status` may still answer `not_found`
    for a charge it did take (its class's `status_lag_seconds`; 0 for a gateway that does not
    say, or that this code does not know). Read from the class: no gateway is configured."""
    cls: type | None = None
    if gateway == "stripe":  # imported only when asked for (it loads the `stripe` library)
        from payments.gateways.stripe_gateway import StripeGateway

        cls = StripeGateway
    elif gateway == "sandbox":
        cls = SandboxGateway
    elif gateway == "manual":
        cls = ManualGateway
    return timedelta(seconds=int(getattr(cls, "status_lag_seconds", 0)))


def reconcile_after() -> timedelta:
    """How long a pending payment waits before the reconciler looks at it
    (PAYMENTS_RECONCILE_AFTER_SECONDS, default 60 s)."""
    seconds = getattr(settings, "PAYMENTS_RECONCILE_AFTER_SECONDS", DEFAULT_RECONCILE_AFTER_SECONDS)
    return timedelta(seconds=int(seconds))


# ---------------------------------------------------------------------------------------------
# idempotency keys

_tags: dict[str, str] = {}


def database_tag() -> str:
    """A short tag of this database (its server, name and oid), stable while it lives: keys of
    two databases sharing one gateway namespace never meet. Read once per process."""
    alias = connection.alias
    if alias not in _tags:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_database(), oid FROM pg_database WHERE datname = current_database()"
            )
            name, oid = cursor.fetchone()
        s = connection.settings_dict
        where = f"{s.get('HOST') or 'local'}:{s.get('PORT') or 5432}/{name}#{oid}"
        _tags[alias] = hashlib.sha256(where.encode()).hexdigest()[:10]
    return _tags[alias]


def collection_idempotency_key(invoice_id: int, attempt: int) -> str:
    """What the gateway sees for the `attempt`-th automatic charge of an invoice."""
    return f"{database_tag()}-inv-{invoice_id}-attempt-{attempt}"


def _invoice_ref(idempotency_key: str) -> str:
    """The invoice part of a key (`<tag>-inv-<id>`): the sandbox counts soft-decline attempts
    per token and this reference."""
    return idempotency_key.rsplit("-attempt-", 1)[0]


# ---------------------------------------------------------------------------------------------
# which method pays an invoice


@dataclass(frozen=True)
class Resolution:
    method: PaymentMethod | None
    skip: SkipReason | None


def collection_methods_resolve(invoices: Sequence[Invoice]) -> dict[int, Resolution]:
    """The method each invoice is charged to, or why it is not (two queries for any number of
    invoices): the override of its subscriptions when all its lines' subscriptions agree on one,
    else its customer's default; active, attached, on an enabled gateway. Auto-collection off
    is checked first."""
    ids = [i.pk for i in invoices]
    overrides: dict[int, set[int | None]] = {}
    rows = (
        InvoiceLine.objects.filter(invoice_id__in=ids, subscription__isnull=False)
        .values_list("invoice_id", "subscription__payment_method_override__payment_method_id")
        .distinct()
    )
    for invoice_id, method_id in rows:
        overrides.setdefault(invoice_id, set()).add(method_id)
    chosen: dict[int, int | None] = {}
    for invoice_id, found in overrides.items():
        if len(found) == 1 and None not in found:
            chosen[invoice_id] = next(iter(found))
    override_ids = {m for m in chosen.values() if m is not None}
    customer_ids = {i.customer_id for i in invoices}
    methods = list(
        PaymentMethod.objects.filter(
            Q(pk__in=override_ids) | Q(customer_id__in=customer_ids, is_default=True)
        )
    )
    by_id = {m.pk: m for m in methods}
    defaults = {m.customer_id: m for m in methods if m.is_default}
    enabled: dict[tuple[str, bool], bool] = {}
    out: dict[int, Resolution] = {}
    for invoice in invoices:
        if not invoice.customer.auto_collection:
            out[invoice.pk] = Resolution(None, SkipReason.AUTO_COLLECTION_OFF)
            continue
        override = chosen.get(invoice.pk)
        method = by_id.get(override) if override else defaults.get(invoice.customer_id)
        if method is None or method.customer_id != invoice.customer_id:
            out[invoice.pk] = Resolution(None, SkipReason.NO_PAYMENT_METHOD)
        elif method.is_detached or method.state != PaymentMethodState.ACTIVE:
            out[invoice.pk] = Resolution(method, SkipReason.METHOD_NOT_ACTIVE)
        else:
            mode = (method.gateway, invoice.customer.is_test)
            if mode not in enabled:
                enabled[mode] = _gateway_or_none(method.gateway, test=mode[1]) is not None
            skip = None if enabled[mode] else SkipReason.GATEWAY_DISABLED
            out[invoice.pk] = Resolution(method, skip)
    return out


def _gateway_or_none(name: str, *, test: bool) -> Gateway | None:
    try:
        return gateway_named(name, test=test)
    except GatewayError:
        return None


# ---------------------------------------------------------------------------------------------
# creating the attempts


def collection_payments_create(
    attempts: Sequence[tuple[Invoice, int, PaymentMethod]], *, as_of: datetime, actor: Actor
) -> list[Payment]:
    """Pending automatic payments, one per (invoice, attempt number, method): the invoice's
    amount due in its currency, the method's gateway, the deterministic idempotency key. One
    INSERT ... ON CONFLICT DO NOTHING on the unique (invoice, attempt): an attempt that exists
    already is left alone and not returned. Runs inside the caller's transaction; the charges
    of the payments created are queued after it commits (chunks of CHARGE_CHUNK). The retries
    call it for attempts 2, 3...; it returns the payments created."""
    if not connection.in_atomic_block:
        raise RuntimeError("collection_payments_create runs inside its caller's transaction")
    rows: list[dict[str, Any]] = []
    for invoice, attempt, method in attempts:
        amount = quantize(invoice.amount_due, invoice.currency)
        if amount <= 0:
            continue
        rows.append(
            {
                "customer_id": invoice.customer_id,
                "currency": invoice.currency,
                "amount": str(amount),
                "method_id": method.pk,
                "gateway": method.gateway,
                "idempotency_key": collection_idempotency_key(invoice.pk, attempt),
                "invoice_id": invoice.pk,
                "attempt": attempt,
            }
        )
    if not rows:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO payments_payment (
                customer_id, kind, state, currency, amount, method_id, gateway,
                gateway_reference, idempotency_key, invoice_id, attempt, applied, unapplied,
                to_balance, refunded, failure_code, failure_message, retryable, memo,
                created_by, created_at, updated_at)
            SELECT r.customer_id, %s, %s, r.currency, r.amount, r.method_id, r.gateway,
                   '', r.idempotency_key, r.invoice_id, r.attempt, 0, 0, 0, 0, '', '', false, '',
                   %s, %s, %s
            FROM jsonb_to_recordset(%s::jsonb) AS r(
                customer_id bigint, currency text, amount numeric, method_id bigint,
                gateway text, idempotency_key text, invoice_id bigint, attempt integer)
            ON CONFLICT (invoice_id, attempt) WHERE invoice_id IS NOT NULL DO NOTHING
            RETURNING id, invoice_id, attempt
            """,
            [
                PaymentKind.AUTOMATIC,
                PaymentState.PENDING,
                actor.label,
                as_of,
                as_of,
                json.dumps(rows),
            ],
        )
        created = cursor.fetchall()
    by_key = {(r["invoice_id"], r["attempt"]): r for r in rows}
    payments = []
    for pk, invoice_id, attempt in created:
        r = by_key[(invoice_id, attempt)]
        payments.append(
            Payment(
                pk=pk,
                customer_id=r["customer_id"],
                kind=PaymentKind.AUTOMATIC,
                state=PaymentState.PENDING,
                currency=r["currency"],
                amount=Decimal(r["amount"]),
                method_id=r["method_id"],
                gateway=r["gateway"],
                idempotency_key=r["idempotency_key"],
                invoice_id=invoice_id,
                attempt=attempt,
                created_by=actor.label,
                created_at=as_of,
                updated_at=as_of,
            )
        )
    charges_schedule([p.pk for p in payments])
    return payments


def charges_schedule(payment_ids: Sequence[int]) -> None:
    """Queue the charges of payments after the current transaction commits, CHARGE_CHUNK a
    task (a worker never sees a payment that is not committed)."""
    ids = sorted(payment_ids)
    for i in range(0, len(ids), CHARGE_CHUNK):
        transaction.on_commit(partial(_enqueue_charge, ids[i : i + CHARGE_CHUNK]), robust=True)


def _enqueue_charge(payment_ids: list[int]) -> None:
    from payments.tasks.collection import payments_charge_task

    payments_charge_task.delay(payment_ids)


# ---------------------------------------------------------------------------------------------
# the journal handler


def on_invoices_finalized(events: list[JournalEvent]) -> None:
    """The batch handler `payments.collect` of `invoice.finalized` (see the module's note).
    Runs in the dispatcher's transaction with the events' delivery records. Acts for the
    latest finalization instant of the batch in each clock scope: live customers' events and
    a test clock's (its frozen time, see billing.selectors.clock_scope) are never mixed."""
    if not events:
        return
    finalized: dict[int, datetime] = {}
    for e in events:
        finalized[int(e.subject_id)] = max(
            e.occurred_at, finalized.get(int(e.subject_id), e.occurred_at)
        )
    invoices = list(
        Invoice.objects.select_related("customer")
        .filter(
            pk__in=sorted(finalized),
            status__in=(InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID),
            amount_due__gt=0,
        )
        .order_by("pk")
    )
    scopes: dict[int | None, list[Invoice]] = {}
    for invoice in invoices:
        scopes.setdefault(invoice.customer.test_clock_id, []).append(invoice)
    for group in scopes.values():
        _collect(group, as_of=max(finalized[i.pk] for i in group))


def _collect(invoices: list[Invoice], *, as_of: datetime) -> None:
    with audit_context(actor=COLLECTOR, reason="automatic collection"):
        resolved = collection_methods_resolve(invoices)
        attempts: list[tuple[Invoice, int, PaymentMethod]] = []
        skipped: list[dict[str, Any]] = []
        for invoice in invoices:
            r = resolved[invoice.pk]
            if r.skip is None and r.method is not None:
                attempts.append((invoice, 1, r.method))
                continue
            skipped.append(
                {
                    "type": "invoice.collection_skipped",
                    "subject_type": "invoice",
                    "subject_id": invoice.pk,
                    "payload": {
                        "number": invoice.number,
                        "customer": invoice.customer.external_id,
                        "reason": str(r.skip),
                        "payment_method": r.method.pk if r.method else None,
                        "amount_due": str(invoice.amount_due),
                        "currency": invoice.currency,
                    },
                    "occurred_at": as_of,
                }
            )
        collection_payments_create(attempts, as_of=as_of, actor=COLLECTOR)
        journal_write_many(skipped, actor=COLLECTOR)


# ---------------------------------------------------------------------------------------------
# recording what gateways answered


@dataclass(frozen=True)
class Answer:
    """A gateway's answer about a payment: to a `charge`, a `status` or in a webhook."""

    payment_id: int
    action: str  # GatewayCall.Action
    result: Result


def _failed_payload(payment: Payment) -> dict[str, Any]:
    return {
        **payment_payload(payment),
        "failure_message": payment.failure_message,
        "retryable": payment.retryable,
        "retry_at": payment.retry_at.isoformat() if payment.retry_at else None,
    }


def payment_answers_record(
    *, answers: Sequence[Answer], as_of: datetime, actor: Actor
) -> list[Payment]:
    """Record gateway answers (any mix of payments and outcomes) in one transaction, set-based;
    see the module's note. Every answer gets its GatewayCall; a payment that is no longer
    pending only changes on a late success (FAILED → SUCCEEDED); a `not_found` status inside
    the gateway's `status_lag` leaves it pending. Returns the payments whose state changed."""
    if not answers:
        return []
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="gateway answer"):
        return _record(answers, as_of=as_of, actor=actor)


def _too_early(payment: Payment, answer: Answer, as_of: datetime) -> bool:
    """A `status` that found no charge while the gateway's search may not have caught up."""
    result = answer.result
    if answer.action != GatewayCall.Action.STATUS or result.reason != "not_found":
        return False
    sent = payment.charge_requested_at
    return sent is not None and as_of - sent < status_lag(payment.gateway)


def _succeed(payment: Payment, result: Result, as_of: datetime) -> None:
    payment.state = PaymentState.SUCCEEDED
    payment.received_at = as_of
    payment.gateway_reference = result.reference[:255]
    payment.unapplied = payment.amount
    payment.failure_code = payment.failure_message = ""
    payment.retryable = False
    payment.retry_at = None
    payment.updated_at = as_of


def _record(answers: Sequence[Answer], *, as_of: datetime, actor: Actor) -> list[Payment]:
    ids = sorted({a.payment_id for a in answers})
    customer_ids = sorted(
        set(Payment.objects.filter(pk__in=ids).values_list("customer_id", flat=True))
    )
    customers = {
        c.pk: c
        for c in Customer.objects.select_for_update().filter(pk__in=customer_ids).order_by("pk")
    }
    payments = {
        p.pk: p for p in Payment.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    for p in payments.values():
        p.customer = customers[p.customer_id]
    copy_insert(
        [
            GatewayCall(
                payment_id=a.payment_id,
                gateway=payments[a.payment_id].gateway,
                action=a.action,
                idempotency_key=payments[a.payment_id].idempotency_key,
                outcome=a.result.outcome.value,
                reference=a.result.reference[:255],
                reason=a.result.reason[:64],
                message=a.result.message[:255],
                raw=a.result.raw,
                at=as_of,
            )
            for a in answers
            if a.payment_id in payments
        ]
    )
    succeeded: list[Payment] = []
    failed: list[Payment] = []
    late: dict[int, str] = {}  # payment id -> the failure code it had before its late success
    for a in answers:
        payment = payments.get(a.payment_id)
        if payment is None:
            continue
        result = a.result
        if result.outcome is Outcome.SUCCEEDED:
            if PaymentState.SUCCEEDED not in PAYMENT_TRANSITIONS[payment.state]:
                continue  # already succeeded: a repeated answer
            if payment.state == PaymentState.FAILED:
                late[payment.pk] = payment.failure_code
            _succeed(payment, result, as_of)
            succeeded.append(payment)
        elif result.outcome is Outcome.FAILED:
            if payment.state != PaymentState.PENDING or _too_early(payment, a, as_of):
                continue  # never un-pays; a lagging search asks again next time
            payment.state = PaymentState.FAILED
            payment.gateway_reference = result.reference[:255]
            payment.failure_code = (result.reason or "failed")[:64]
            payment.failure_message = result.message[:255]
            # "not_found" to a status: the charge never reached the gateway, nothing was taken
            payment.retryable = result.retryable or result.reason == "not_found"
            payment.updated_at = as_of
            failed.append(payment)
    # a payment failed and then found succeeded within one batch is a success only
    failed = [p for p in failed if p.state == PaymentState.FAILED]
    if failed:
        schedule_retries(failed, as_of=as_of)
    changed = succeeded + failed
    bulk_update(
        changed,
        [
            "state",
            "received_at",
            "gateway_reference",
            "unapplied",
            "failure_code",
            "failure_message",
            "retryable",
            "retry_at",
            "updated_at",
        ],
    )
    late_paid = [p for p in succeeded if p.pk in late]
    # later attempts of the invoices paid late, locked before the invoices (the fixed order)
    later = _later_attempts_unsent(late_paid, exclude=payments.keys())
    for p in later:
        p.customer = customers[p.customer_id]  # the invoice's customer, locked above
    if succeeded:
        received_write(succeeded, as_of=as_of, actor=actor)
        _apply_to_invoices(succeeded, as_of=as_of, actor=actor)
    not_needed = _fail_not_needed(later, as_of=as_of) if later else []
    journal_write_many(
        [
            {
                "type": "payment.failed",
                "subject_type": "payment",
                "subject_id": p.pk,
                "payload": _failed_payload(p),
                "occurred_at": as_of,
            }
            for p in failed
        ]
        + [
            {
                "type": "payment.late_success",
                "subject_type": "payment",
                "subject_id": p.pk,
                "payload": {
                    **payment_payload(p),
                    "previous_failure_code": late[p.pk],
                    "applied": str(quantize(p.applied, p.currency)),
                    "unapplied": str(quantize(p.unapplied, p.currency)),
                },
                "occurred_at": as_of,
            }
            for p in late_paid
        ]
        + _not_needed_events(not_needed, as_of=as_of),
        actor=actor,
    )
    return changed + not_needed


def _later_attempts_unsent(paid: Sequence[Payment], *, exclude: Iterable[int]) -> list[Payment]:
    """The pending attempts never sent of the invoices of `paid` (locked by id)."""
    invoice_ids = sorted({p.invoice_id for p in paid if p.invoice_id})
    if not invoice_ids:
        return []
    return list(
        Payment.objects.select_for_update()
        .filter(
            invoice_id__in=invoice_ids,
            state=PaymentState.PENDING,
            charge_requested_at__isnull=True,
        )
        .exclude(pk__in=list(exclude))
        .order_by("pk")
    )


def _fail_not_needed(later: Sequence[Payment], *, as_of: datetime) -> list[Payment]:
    """Fail `not_needed` the attempts (locked, never sent) whose invoice (locked, allocations
    written) owes nothing any more or cannot be paid; an invoice still owing keeps its attempt
    (the claim lowers the amount to what is owed)."""
    invoices = {i.pk: i for i in Invoice.objects.filter(pk__in={p.invoice_id for p in later})}
    out = []
    for payment in later:
        invoice = invoices[payment.invoice_id or 0]
        if invoice.status in CHARGEABLE and quantize(invoice.amount_due, invoice.currency) > 0:
            continue
        _mark_not_needed(payment, invoice, as_of)
        out.append(payment)
    bulk_update(out, _NOT_NEEDED_FIELDS)
    return out


def _apply_to_invoices(succeeded: Sequence[Payment], *, as_of: datetime, actor: Actor) -> None:
    """Each succeeded payment to its invoice (locked here, after the payments), for what the
    invoice still owes at most; an invoice no longer payable leaves the cash unapplied."""
    invoice_ids = sorted({p.invoice_id for p in succeeded if p.invoice_id})
    if not invoice_ids:
        return
    invoices = {
        i.pk: i
        for i in Invoice.objects.select_for_update().filter(pk__in=invoice_ids).order_by("pk")
    }
    left = {pk: i.amount_due for pk, i in invoices.items()}
    parts = []
    for payment in succeeded:
        invoice = invoices.get(payment.invoice_id or 0)
        if invoice is None or invoice.status not in PAYABLE:
            continue
        amount = min(payment.unapplied, left[invoice.pk])
        if amount > 0:
            left[invoice.pk] -= amount
            parts.append(Part(payment, invoice, amount, "payment"))
    allocations_write(parts, as_of=as_of, actor=actor)


# ---------------------------------------------------------------------------------------------
# charging


NOT_NEEDED = "not_needed"  # failure_code of a payment whose invoice needed no charge any more
CHARGEABLE = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)  # what a charge may still pay


def _claim(payment_ids: Sequence[int], *, as_of: datetime, actor: Actor) -> list[Payment]:
    """Mark pending payments never sent as sent (one UPDATE ... RETURNING, payments locked by
    id) and return those to charge, with their methods and invoices. Its own transaction:
    committed before any gateway call, so a crash after it leaves the payment to the
    reconciler's `status`.

    The invoice is looked at again here, just before the money is asked for (a bank transfer,
    a void or a write-off may have come since the payment was created):
    - no longer open or partially paid, or owing nothing: the payment is not charged; it fails
      with failure_code "not_needed", not retryable, no retry date, `charge_requested_at`
      cleared (nothing was sent) and `payment.failed` with `reason` "not_needed";
    - owing less than the payment's amount: the payment's amount is lowered to what is owed
      before it is sent (it was never sent, so nothing else knows the old amount).
    Payments of no invoice are charged as they are."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="charge claimed"):
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH c AS (
                    SELECT id FROM payments_payment
                    WHERE id = ANY(%s::bigint[]) AND state = 'pending'
                      AND charge_requested_at IS NULL
                    ORDER BY id FOR UPDATE
                )
                UPDATE payments_payment p SET charge_requested_at = %s, updated_at = %s
                FROM c WHERE p.id = c.id RETURNING p.id
                """,
                [list(payment_ids), as_of, as_of],
            )
            claimed = [row[0] for row in cursor.fetchall()]
        if not claimed:
            return []
        payments = list(
            Payment.objects.select_related("method", "invoice", "customer")
            .filter(pk__in=claimed)
            .order_by("pk")
        )
        to_charge: list[Payment] = []
        not_needed: list[Payment] = []
        lowered: list[Payment] = []
        for payment in payments:
            invoice = payment.invoice
            if invoice is None:
                to_charge.append(payment)
                continue
            owed = quantize(invoice.amount_due, invoice.currency)
            if invoice.status not in CHARGEABLE or owed <= 0:
                _mark_not_needed(payment, invoice, as_of)
                not_needed.append(payment)
                continue
            if owed < payment.amount:
                payment.amount = owed
                lowered.append(payment)
            to_charge.append(payment)
        bulk_update(not_needed, _NOT_NEEDED_FIELDS)
        bulk_update(lowered, ["amount"])
        journal_write_many(_not_needed_events(not_needed, as_of=as_of), actor=actor)
        return to_charge


_NOT_NEEDED_FIELDS = [
    "state",
    "failure_code",
    "failure_message",
    "retryable",
    "retry_at",
    "charge_requested_at",
    "updated_at",
]


def _mark_not_needed(payment: Payment, invoice: Invoice, as_of: datetime) -> None:
    """A pending payment never sent whose invoice needs no charge: failed `not_needed`, not
    retryable, no retry date, nothing sent (the caller saves _NOT_NEEDED_FIELDS)."""
    owed = quantize(invoice.amount_due, invoice.currency)
    payment.state = PaymentState.FAILED
    payment.failure_code = NOT_NEEDED
    payment.failure_message = (
        f"Not charged: invoice {invoice.number or invoice.pk} is "
        f"{invoice.get_status_display().lower()} and owes {owed} {invoice.currency}."
    )[:255]
    payment.retryable = False
    payment.retry_at = None
    payment.charge_requested_at = None
    payment.updated_at = as_of


def _not_needed_events(payments: Sequence[Payment], *, as_of: datetime) -> list[dict[str, Any]]:
    return [
        {
            "type": "payment.failed",
            "subject_type": "payment",
            "subject_id": p.pk,
            "payload": {**_failed_payload(p), "reason": NOT_NEEDED},
            "occurred_at": as_of,
        }
        for p in payments
    ]


# Gateways by (name, test): a test customer's payment (its customer on a test clock) gets the
# gateway as `gateway(name, test=True)` gives it — never one moving real money: a Stripe
# payment of a test customer with a live key fails `test_mode_gateway` without any request.
Gateways = dict[tuple[str, bool], Gateway | GatewayError]


def _gateway_cached(gateways: Gateways, name: str, test: bool) -> Gateway | GatewayError:
    if (name, test) not in gateways:
        try:
            gateways[name, test] = gateway_named(name, test=test)
        except GatewayError as error:
            gateways[name, test] = error
    return gateways[name, test]


def _charge_one(gateways: Gateways, payment: Payment) -> Answer:
    gw = _gateway_cached(gateways, payment.gateway, payment.customer.is_test)
    try:
        if isinstance(gw, GatewayError):
            raise gw
        if payment.method is None:
            raise GatewayError("The payment has no payment method.", code="invalid_token")
        result = gw.charge(**_charge_request(payment))
    except GatewayError as error:
        result = Result(Outcome.FAILED, reason=error.code, message=error.message[:255])
    return Answer(payment.pk, GatewayCall.Action.CHARGE, result)


def _charge_all(gateways: Gateways, claimed: list[Payment]) -> list[Answer]:
    """Every claimed payment's charge, an Answer each in the claimed order. A gateway with a
    `charge_many` (the sandbox: one Redis pipeline) gets its payments in one call, each
    answering exactly what its own `charge` would; any other gateway one call per payment."""
    by_gateway: dict[tuple[str, bool], list[Payment]] = {}
    for payment in claimed:
        by_gateway.setdefault((payment.gateway, payment.customer.is_test), []).append(payment)
    answers: dict[int, Answer] = {}
    for (name, test), payments in by_gateway.items():
        many = getattr(_gateway_cached(gateways, name, test), "charge_many", None)
        if many is None or any(p.method is None for p in payments):
            for payment in payments:
                answers[payment.pk] = _charge_one(gateways, payment)
            continue
        results = many([_charge_request(p) for p in payments])
        for payment, result in zip(payments, results, strict=True):
            if isinstance(result, GatewayError):
                result = Result(Outcome.FAILED, reason=result.code, message=result.message[:255])
            answers[payment.pk] = Answer(payment.pk, GatewayCall.Action.CHARGE, result)
    return [answers[p.pk] for p in claimed]


def _charge_request(payment: Payment) -> dict[str, Any]:
    """`charge`'s keyword arguments for a payment (its method is set)."""
    assert payment.method is not None
    metadata = {"invoice": _invoice_ref(payment.idempotency_key), "payment": str(payment.pk)}
    if payment.method.gateway_customer:  # Stripe charges a saved method through its Customer
        metadata["customer"] = payment.method.gateway_customer
    return {
        "token": payment.method.token,
        "amount": quantize(payment.amount, payment.currency),
        "currency": payment.currency,
        "idempotency_key": payment.idempotency_key,
        "description": f"invoice {payment.invoice.number}" if payment.invoice else "",
        "metadata": metadata,
    }


def payments_charge(*, payment_ids: Sequence[int], as_of: datetime, actor: Actor) -> dict[str, int]:
    """Charge pending automatic payments never sent (see the module's note): claim (one
    transaction), call the gateways (no transaction), record the answers (one transaction).
    Payments already sent, or no longer pending, are left alone. Returns counts by outcome."""
    claimed = _claim(payment_ids, as_of=as_of, actor=actor)
    gateways: Gateways = {}
    answers = _charge_all(gateways, claimed)
    payment_answers_record(answers=answers, as_of=as_of, actor=actor)
    return _counts(answers)


def _counts(answers: Iterable[Answer]) -> dict[str, int]:
    counts = {o.value: 0 for o in Outcome}
    for a in answers:
        counts[a.result.outcome.value] += 1
    return counts


# ---------------------------------------------------------------------------------------------
# the reconciler


def payments_reconcile(
    *, as_of: datetime, actor: Actor, test_clock: int | None = None
) -> dict[str, int]:
    """Pending payments older than `reconcile_after()`: those sent are resolved by the
    gateway's `status` (never a second charge) through the one recording function; those never
    sent (a lost task) are charged now. Returns what it did. In one clock scope (live
    customers' by default, or a test clock's: billing.selectors.clock_scope)."""
    before = as_of - reconcile_after()
    report = {"asked": 0, "resolved": 0, "charged": 0}
    scope = clock_scope(test_clock)
    sent = list(
        Payment.objects.filter(scope, state=PaymentState.PENDING, charge_requested_at__lte=before)
        .order_by("pk")
        .values_list("pk", "gateway", "idempotency_key")
    )
    gateways: Gateways = {}
    test = test_clock is not None
    for i in range(0, len(sent), RECONCILE_CHUNK):
        answers = []
        for pk, name, key in sent[i : i + RECONCILE_CHUNK]:
            result = _status(gateways, name, key, test=test)
            answers.append(Answer(pk, GatewayCall.Action.STATUS, result))
        report["asked"] += len(answers)
        report["resolved"] += len(payment_answers_record(answers=answers, as_of=as_of, actor=actor))
    lost = list(
        Payment.objects.filter(
            scope,
            state=PaymentState.PENDING,
            charge_requested_at__isnull=True,
            created_at__lte=before,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for i in range(0, len(lost), CHARGE_CHUNK):
        counts = payments_charge(payment_ids=lost[i : i + CHARGE_CHUNK], as_of=as_of, actor=actor)
        report["charged"] += sum(counts.values())
    return report


def _status(gateways: Gateways, name: str, key: str, *, test: bool) -> Result:
    gw = _gateway_cached(gateways, name, test)
    if isinstance(gw, GatewayError):  # disabled since the charge (or live for a test customer)
        return Result(Outcome.UNKNOWN, reason=gw.code, message=gw.message[:255])
    try:
        return gw.status(idempotency_key=key)
    except GatewayError as error:
        return Result(Outcome.UNKNOWN, reason=error.code, message=error.message[:255])


def reconcile_due(as_of: datetime, *, test_clock: int | None = None) -> dict[str, int]:
    """The clock hook: when a pending payment is old enough, queue the reconciler for the
    tick's instant (after this hook, nothing of ours to commit). In one clock scope."""
    before = as_of - reconcile_after()
    due = Payment.objects.filter(
        Q(charge_requested_at__lte=before)
        | Q(charge_requested_at__isnull=True, created_at__lte=before),
        clock_scope(test_clock),
        state=PaymentState.PENDING,
    ).count()
    if due:
        from payments.tasks.collection import payments_reconcile_task

        payments_reconcile_task.delay(as_of.isoformat(), test_clock)
    return {"pending_to_reconcile": due}


# ---------------------------------------------------------------------------------------------
# webhooks


def stripe_webhook_apply(
    *, results: Sequence[tuple[str, Result]], as_of: datetime, actor: Actor
) -> dict[str, Any]:
    """Stripe's asynchronous outcomes (idempotency key, Result) applied to the payments with
    those keys through the one recording function; keys of no payment (refunds, other systems'
    intents) are ignored. Returns the payments recorded and the keys ignored."""
    keys = [key for key, _ in results]
    found = dict(
        Payment.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", "pk")
    )
    answers = [
        Answer(found[key], GatewayCall.Action.WEBHOOK, result)
        for key, result in results
        if key in found
    ]
    payment_answers_record(answers=answers, as_of=as_of, actor=actor)
    return {
        "payments": sorted({a.payment_id for a in answers}),
        "ignored": len(results) - len(answers),
    }


def register() -> None:
    """Journal handlers and clock hooks of this part, registered at start-up."""
    register_handler(
        COLLECT_HANDLER, on_invoices_finalized, types={"invoice.finalized"}, batch=True
    )
    register_tick_hook(RECONCILE_HOOK, reconcile_due)


__all__ = [
    "Answer",
    "SkipReason",
    "collection_idempotency_key",
    "collection_methods_resolve",
    "collection_payments_create",
    "payment_answers_record",
    "payments_charge",
    "payments_reconcile",
    "stripe_webhook_apply",
]
