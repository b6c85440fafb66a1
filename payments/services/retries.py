"""Retries of failed automatic payments: the policies, the schedule, the clock's retries, the
restart when a customer's payment method changes, and "retry now".

The schedule. A retry policy is a list of days (ascending, each 1 to 365, at most 10, no
duplicates; empty: no retries) counted from the invoice's FIRST failed automatic attempt, not
between attempts: with 3, 5, 7 and a first failure on Jan 10 09:00 the retries are due on
Jan 13, 15 and 17 at 09:00, whenever the attempts in between ran. After a failure,
`schedule_retries` sets the failed payment's `retry_at` to the first of those instants still
ahead of the failure; when none is left the schedule is used up (None). Every failed automatic
payment is retried so, declines included: a card may be topped up meanwhile.

Which policy. The policy of the plan of the subscription on the invoice's first line (the lines
in the order the invoice shows them), else the global policy, else 3, 5 and 7 days
(`DEFAULT_RETRY_DAYS`). An invoice with lines of several plans uses its first line's plan; an
invoice without a subscription line (a one-off) uses the global policy.

Only the latest attempt of an invoice carries a `retry_at`: whatever makes the next attempt
(the clock, a method change, retry now) clears it on the one before, in the same transaction.

The clock (`retries_due`, a tick hook). Failed automatic payments whose `retry_at` has come:
when the invoice can no longer be paid (paid, void, uncollectible), owes nothing, or its
customer turned automatic collection off, the retries stop (`retry_at` cleared); when nothing
can be charged now (no usable method) the retry moves to the schedule's next instant; else the
next attempt is made (attempt n + 1, for the invoice's amount due at that moment, charged to
the method resolved again now) through collection's `collection_payments_create`, which charges
it after the commit. One transaction per chunk, locks in the fixed order customer, payments,
invoices; the (invoice, attempt) unique key and the re-read of `retry_at` under the lock make a
tick that runs twice, or two workers at once, make each attempt once.

A method change (`payment_method.added`, `payment_method.default_changed`,
`subscription.payment_method_changed` naming a method, `payment_method.updated` to `active`)
restarts collection: each still payable invoice of the customer whose latest automatic attempt
failed, and which the changed method would now be charged for, gets ONE immediate attempt (the
next number). Its failure continues the original schedule (days still count from the first
failure), so a change after the schedule was used up gives exactly that one attempt.

Retry now (`payment_retry_now`): staff or the API ask for the next attempt at once; refused when
the invoice cannot be paid, owes nothing, has an attempt pending, or has no usable method. The
customer's portal "pay now" is the same call with the method the customer chose (`method_id`)
and the attempt number its form showed (`expected_attempt`: a double submission charges once).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, Q
from django.db.models.functions import Coalesce

from billing.models import Customer, Subscription
from billing.selectors import clock_scope
from billing.services import journal_write
from catalog.models import Plan
from core.audit import Actor, audit_context
from core.db import bulk_update, lock_id
from core.exceptions import Conflict, NotFound, ValidationFailed
from invoicing.models import Invoice, InvoiceLine, InvoiceStatus
from payments.gateways.base import GatewayError, Outcome
from payments.gateways.registry import TEST_MODE_GATEWAY, can_charge
from payments.gateways.registry import gateway as gateway_named
from payments.models import (
    DEFAULT_RETRY_DAYS,
    GatewayCall,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentMethodState,
    PaymentState,
    RetryPolicy,
)

if TYPE_CHECKING:
    from billing.models import JournalEvent
    from payments.services.collection import Resolution

MAX_DAYS = 365
MAX_RETRIES = 10
RETRYABLE = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)
ACTOR = Actor.system("payments.retries")
TICK_HOOK = "payments.retries"
AUTO_COLLECTION_OFF = "auto_collection_off"  # collection's SkipReason (a StrEnum)
METHOD_HANDLER = "payments.retries.method_changed"
METHOD_EVENTS = frozenset(
    {
        "payment_method.added",
        "payment_method.default_changed",
        "payment_method.updated",
        "subscription.payment_method_changed",
    }
)


# ---------------------------------------------------------------------------------------------
# the schedule (pure)


def next_retry_at(first_failure: datetime, days: Sequence[int], as_of: datetime) -> datetime | None:
    """The first instant `first_failure + d days` (d in `days`) still ahead of `as_of`; None
    when the schedule is used up."""
    for day in days:
        at = first_failure + timedelta(days=day)
        if at > as_of:
            return at
    return None


def checked_days(days: object) -> list[int]:
    """The days of a policy, or ValidationFailed naming the element at fault (`days[2]`)."""
    if not isinstance(days, list | tuple):
        raise ValidationFailed("days is a list of whole days.", field="days", code="not_a_list")
    if len(days) > MAX_RETRIES:
        raise ValidationFailed(
            f"At most {MAX_RETRIES} retries ({len(days)} given).", field="days", code="too_many"
        )
    for index, day in enumerate(days):
        field = f"days[{index}]"
        if isinstance(day, bool) or not isinstance(day, int):
            raise ValidationFailed("A day is a whole number.", field=field, code="not_an_integer")
        if not 1 <= day <= MAX_DAYS:
            raise ValidationFailed(
                f"A retry comes 1 to {MAX_DAYS} days after the first failure ({day} given).",
                field=field,
                code="out_of_range",
            )
        if day in days[:index]:
            raise ValidationFailed(f"{day} is listed twice.", field=field, code="duplicate")
        if index and day < days[index - 1]:
            raise ValidationFailed(
                f"Days are ascending: {day} comes after {days[index - 1]}.",
                field=field,
                code="not_ascending",
            )
    return list(days)


# ---------------------------------------------------------------------------------------------
# policies: reads


@dataclass(frozen=True)
class EffectivePolicy:
    """The days that apply, and the policy they come from (`scope`): the plan's own ("plan"),
    the global one ("global") or the built-in default ("default")."""

    days: tuple[int, ...]
    scope: str
    policy: RetryPolicy | None


def retry_policy_effective(*, plan_id: int | None) -> EffectivePolicy:
    """The policy that applies to the invoices of a plan (None: to invoices of no plan)."""
    where = Q(plan__isnull=True) if plan_id is None else Q(plan_id=plan_id) | Q(plan__isnull=True)
    found = {p.plan_id: p for p in RetryPolicy.objects.select_related("plan").filter(where)}
    if plan_id is not None and plan_id in found:
        return EffectivePolicy(tuple(found[plan_id].days), "plan", found[plan_id])
    if None in found:
        return EffectivePolicy(tuple(found[None].days), "global", found[None])
    return EffectivePolicy(DEFAULT_RETRY_DAYS, "default", None)


def _days_by_plan(plan_ids: Iterable[int | None]) -> dict[int | None, tuple[int, ...]]:
    wanted = {p for p in plan_ids if p is not None}
    rows = {
        p.plan_id: tuple(p.days)
        for p in RetryPolicy.objects.filter(Q(plan__isnull=True) | Q(plan_id__in=wanted))
    }
    fallback = rows.get(None, DEFAULT_RETRY_DAYS)
    return {None: fallback, **{p: rows.get(p, fallback) for p in wanted}}


def invoice_subscriptions(invoice_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """(subscription id, plan id) of each invoice's first line of a subscription, the lines in
    the order the invoice shows them. Invoices without such a line are left out."""
    ordering = [f for f in InvoiceLine._meta.ordering or () if f != "invoice"]
    rows = (
        InvoiceLine.objects.filter(invoice_id__in=list(invoice_ids), subscription__isnull=False)
        .order_by("invoice_id", *ordering)
        .distinct("invoice_id")
        .values_list("invoice_id", "subscription_id", "subscription__plan_id")
    )
    return {invoice: (subscription, plan) for invoice, subscription, plan in rows}


def _first_failures(invoice_ids: Iterable[int]) -> dict[int, datetime]:
    """When each invoice's first automatic attempt failed: the gateway's first failing answer,
    else (no call recorded) when the failed charge was sent."""
    ids = list(invoice_ids)
    failed = Q(kind=PaymentKind.AUTOMATIC, state=PaymentState.FAILED, invoice_id__in=ids)
    first: dict[int, datetime] = dict(
        GatewayCall.objects.filter(
            payment__kind=PaymentKind.AUTOMATIC,
            payment__state=PaymentState.FAILED,
            payment__invoice_id__in=ids,
            outcome=Outcome.FAILED,
        )
        .values("payment__invoice_id")
        .annotate(at=Min("at"))
        .values_list("payment__invoice_id", "at")
    )
    missing = [i for i in ids if i not in first]
    if missing:
        first.update(
            Payment.objects.filter(failed, invoice_id__in=missing)
            .values("invoice_id")
            .annotate(at=Min(Coalesce("charge_requested_at", "created_at")))
            .values_list("invoice_id", "at")
        )
    return first


# ---------------------------------------------------------------------------------------------
# the contract with collection


def schedule_retries(failed: Sequence[Payment], *, as_of: datetime) -> None:
    """Set `retry_at` on failed automatic payments (locked, in memory; the caller saves it): the
    next instant of the invoice's retry schedule after its first failed attempt that is still
    ahead of `as_of` (the failure), None when the schedule is used up. Payments that are not
    automatic collection of an invoice get None."""
    automatic = [p for p in failed if p.kind == PaymentKind.AUTOMATIC and p.invoice_id]
    for payment in failed:
        payment.retry_at = None
    if not automatic:
        return
    invoice_ids = {p.invoice_id for p in automatic if p.invoice_id is not None}
    plans = {i: plan for i, (_, plan) in invoice_subscriptions(invoice_ids).items()}
    days = _days_by_plan(plans.values())
    first = _first_failures(invoice_ids)
    for payment in automatic:
        assert payment.invoice_id is not None
        start = min(first.get(payment.invoice_id, as_of), as_of)
        payment.retry_at = next_retry_at(start, days[plans.get(payment.invoice_id)], as_of)


# ---------------------------------------------------------------------------------------------
# policies: writes


def _journal_policy(
    plan: Plan | None,
    days: list[int] | None,
    previous: list[int] | None,
    *,
    actor: Actor,
    as_of: datetime,
) -> None:
    effective = None if days is not None else list(retry_policy_effective(plan_id=None).days)
    journal_write(
        type="retry_policy.updated",
        subject_type="retry_policy",
        subject_id=plan.pk if plan else "global",
        payload={
            "plan_id": plan.pk if plan else None,
            "plan": plan.code if plan else None,
            "days": days,
            "previous_days": previous,
            "removed": days is None,
            **({"falls_back_to": effective} if days is None else {}),
        },
        actor=actor,
        occurred_at=as_of,
    )


def _locked_scope(plan_id: int | None) -> Plan | None:
    """Serialise writers of one scope (a transaction-level advisory lock: the global policy has
    no row to lock before it exists), and the plan."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id(f"retry-policy:{plan_id}")])
    if plan_id is None:
        return None
    plan = Plan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(f"No plan with id {plan_id}.", field="plan")
    return plan


def _scope_policy(plan_id: int | None) -> RetryPolicy | None:
    query = RetryPolicy.objects.select_for_update()
    if plan_id is None:
        return query.filter(plan__isnull=True).first()
    return query.filter(plan_id=plan_id).first()


def retry_policy_set(
    *,
    plan_id: int | None,
    days: Sequence[int],
    actor: Actor,
    as_of: datetime,
    reason: str = "",
) -> RetryPolicy:
    """Set the global policy (`plan_id` None) or a plan's own. Journals `retry_policy.updated`
    when the days change; history rows carry the actor and the reason."""
    checked = checked_days(days)
    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason=reason or "retry policy set"),
    ):
        plan = _locked_scope(plan_id)
        policy = _scope_policy(plan_id)
        previous = list(policy.days) if policy is not None else None
        if policy is None:
            policy = RetryPolicy.objects.create(plan=plan, days=checked, updated_at=as_of)
        elif previous == checked:
            return policy
        else:
            policy.days = checked
            policy.updated_at = as_of
            policy.save(update_fields=["days", "updated_at"])
        _journal_policy(plan, checked, previous, actor=actor, as_of=as_of)
    return policy


def retry_policy_remove(
    *, plan_id: int | None, actor: Actor, as_of: datetime, reason: str = ""
) -> None:
    """Remove a plan's own policy: its invoices follow the global one again. The global policy
    cannot be removed, only set."""
    if plan_id is None:
        raise ValidationFailed(
            "The global retry policy cannot be removed, only set (an empty list: no retries).",
            field="plan",
            code="global_not_removable",
        )
    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason=reason or "retry policy removed"),
    ):
        plan = _locked_scope(plan_id)
        assert plan is not None
        policy = _scope_policy(plan_id)
        if policy is None:
            raise NotFound(f"Plan {plan.code} has no retry policy of its own.", field="plan")
        previous = list(policy.days)
        policy.delete()
        _journal_policy(plan, None, previous, actor=actor, as_of=as_of)


# ---------------------------------------------------------------------------------------------
# making the next attempt (inside the caller's transaction)


@dataclass
class _Locked:
    customers: dict[int, Customer]
    invoices: dict[int, Invoice]
    payments: list[Payment]  # the invoices' automatic payments
    latest: dict[int, Payment]  # the latest automatic attempt of each invoice that has one
    subscriptions: dict[int, tuple[int, int]]


def _lock(customer_ids: Iterable[int], invoice_ids: Iterable[int]) -> _Locked:
    """Lock, in the fixed order, the customers, the invoices' automatic payments and the
    invoices; and read what deciding the next attempt needs."""
    invoice_ids = sorted(set(invoice_ids))
    customers = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(pk__in=sorted(set(customer_ids)))
        .order_by("pk")
    }
    payments = list(
        Payment.objects.select_for_update()
        .filter(invoice_id__in=invoice_ids, kind=PaymentKind.AUTOMATIC)
        .order_by("pk")
    )
    latest: dict[int, Payment] = {}
    for payment in payments:
        assert payment.invoice_id is not None
        current = latest.get(payment.invoice_id)
        if current is None or (payment.attempt or 0) > (current.attempt or 0):
            latest[payment.invoice_id] = payment
    invoices = {
        i.pk: i
        for i in Invoice.objects.select_for_update().filter(pk__in=invoice_ids).order_by("pk")
    }
    return _Locked(customers, invoices, payments, latest, invoice_subscriptions(invoice_ids))


def _resolve(locked: _Locked, invoices: Sequence[Invoice]) -> dict[int, Resolution]:
    """What each invoice would be charged to now: collection's one resolver (the override of
    its subscriptions when they agree on one, else the customer's default; active, attached, on
    an enabled gateway; nothing when automatic collection is off)."""
    from payments.services.collection import collection_methods_resolve

    for invoice in invoices:
        invoice.customer = locked.customers[invoice.customer_id]
    return collection_methods_resolve(list(invoices)) if invoices else {}


def _usable(resolution: Resolution | None) -> PaymentMethod | None:
    if resolution is None or resolution.skip is not None:
        return None
    return resolution.method


def _payable(invoice: Invoice) -> bool:
    return invoice.status in RETRYABLE and invoice.amount_due > 0


def _attempts_create(
    attempts: list[tuple[Invoice, int, PaymentMethod]],
    superseded: list[Payment],
    *,
    as_of: datetime,
    actor: Actor,
) -> list[Payment]:
    """Create the attempts (collection charges them after the commit) and clear `retry_at` on
    the attempts they follow."""
    from payments.services.collection import collection_payments_create

    created = collection_payments_create(attempts, as_of=as_of, actor=actor) if attempts else []
    for payment in superseded:
        payment.retry_at = None
        payment.updated_at = as_of
    bulk_update(superseded, ["retry_at", "updated_at"])
    return created


# ---------------------------------------------------------------------------------------------
# the clock


def _due(as_of: datetime) -> Any:
    return Payment.objects.filter(
        retry_at__lte=as_of,
        kind=PaymentKind.AUTOMATIC,
        state=PaymentState.FAILED,
        invoice__isnull=False,
    )


def retries_due(as_of: datetime, *, test_clock: int | None = None) -> dict[str, int]:
    """The clock's hook: make the retries due at `as_of`, a chunk (BILLING_CHUNK_SIZE payments)
    per transaction. Counts: `retried` (attempts made), `stopped` (retries ended: the invoice
    cannot be paid or owes nothing, automatic collection is off, or a later attempt exists),
    `postponed` (no usable method: the schedule's next instant). In one clock scope (live
    customers' by default, or a test clock's: billing.selectors.clock_scope)."""
    report: Counter[str] = Counter(retried=0, stopped=0, postponed=0)
    after = 0
    size = settings.BILLING_CHUNK_SIZE
    while True:
        ids = list(
            _due(as_of)
            .filter(clock_scope(test_clock), pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return dict(report)
        after = ids[-1]
        report.update(payment_retries_run(payment_ids=ids, as_of=as_of, actor=ACTOR))


def payment_retries_run(
    *, payment_ids: Sequence[int], as_of: datetime, actor: Actor
) -> dict[str, int]:
    """One chunk of the clock's retries, in one transaction (see the module's note)."""
    report: Counter[str] = Counter()
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="payment retry"):
        heads = list(
            _due(as_of).filter(pk__in=list(payment_ids)).values("customer_id", "invoice_id")
        )
        if not heads:
            return {}
        locked = _lock([h["customer_id"] for h in heads], [h["invoice_id"] for h in heads])
        # read again under the locks: another worker may have made these retries meanwhile
        asked = set(payment_ids)
        due = [
            p
            for p in locked.payments
            if p.pk in asked
            and p.state == PaymentState.FAILED
            and p.retry_at is not None
            and p.retry_at <= as_of
        ]
        latest = {p.pk for p in locked.latest.values()}
        # a later attempt exists (retry now, a method change): these are done with
        stale = [p for p in due if p.pk not in latest]
        due = [p for p in due if p.pk in latest]
        attempts: list[tuple[Invoice, int, PaymentMethod]] = []
        superseded: list[Payment] = list(stale)
        report["stopped"] += len(stale)
        postponed: list[Payment] = []
        live = [p for p in due if _payable(locked.invoices[p.invoice_id or 0])]
        resolved = _resolve(locked, [locked.invoices[p.invoice_id or 0] for p in live])
        for payment in due:
            assert payment.invoice_id is not None
            invoice = locked.invoices[payment.invoice_id]
            resolution = resolved.get(invoice.pk)
            if resolution is None or resolution.skip == AUTO_COLLECTION_OFF:
                superseded.append(payment)  # cannot be paid, owes nothing, or paid by hand
                report["stopped"] += 1
                continue
            method = _usable(resolution)
            if method is None:
                postponed.append(payment)
                continue
            attempts.append((invoice, (payment.attempt or 0) + 1, method))
            superseded.append(payment)
        created = _attempts_create(attempts, superseded, as_of=as_of, actor=actor)
        report["retried"] += len(created)
        if postponed:
            schedule_retries(postponed, as_of=as_of)
            for payment in postponed:
                payment.updated_at = as_of
                report["postponed" if payment.retry_at else "stopped"] += 1
            bulk_update(postponed, ["retry_at", "updated_at"])
    return dict(report)


# ---------------------------------------------------------------------------------------------
# a payment method changed: one immediate attempt


def _changed_method(event: JournalEvent) -> tuple[int | None, int | None]:
    """(customer id, method id) of a method change that may restart collection, or Nones."""
    payload = event.payload
    if event.type == "subscription.payment_method_changed":
        method_id = payload.get("payment_method")
        if method_id is None:  # the override was cleared: the default it falls back to failed
            return None, None
        customer_id = (
            Subscription.objects.filter(pk=payload.get("subscription"))
            .values_list("customer_id", flat=True)
            .first()
        )
        return customer_id, int(method_id)
    method = payload.get("payment_method") or {}
    if event.type == "payment_method.updated":
        state = (payload.get("changes") or {}).get("state")
        if not state or state[-1] != PaymentMethodState.ACTIVE:
            return None, None
    return method.get("customer"), method.get("id")


def on_payment_method_changed(event: JournalEvent) -> None:
    """Journal handler (in the dispatcher's transaction): see the module's note."""
    customer_id, method_id = _changed_method(event)
    if customer_id is None or method_id is None:
        return
    with audit_context(actor=ACTOR, reason=f"payment method changed ({event.type})"):
        collection_restart(
            customer_id=customer_id, method_id=method_id, as_of=event.occurred_at, actor=ACTOR
        )


def collection_restart(
    *, customer_id: int, method_id: int, as_of: datetime, actor: Actor
) -> list[Payment]:
    """One immediate attempt for each payable invoice of the customer whose latest automatic
    attempt failed and which `method_id` would now be charged for. Inside the caller's
    transaction."""
    candidates = list(
        Payment.objects.filter(
            customer_id=customer_id,
            kind=PaymentKind.AUTOMATIC,
            state=PaymentState.FAILED,
            invoice__status__in=RETRYABLE,
            invoice__amount_due__gt=0,
        )
        .values_list("invoice_id", flat=True)
        .distinct()
    )
    if not candidates:
        return []
    locked = _lock([customer_id], [i for i in candidates if i is not None])
    waiting = [
        locked.invoices[invoice_id]
        for invoice_id, latest in sorted(locked.latest.items())
        if latest.state == PaymentState.FAILED and _payable(locked.invoices[invoice_id])
    ]
    resolved = _resolve(locked, waiting)
    attempts: list[tuple[Invoice, int, PaymentMethod]] = []
    superseded: list[Payment] = []
    for invoice in waiting:
        latest = locked.latest[invoice.pk]
        method = _usable(resolved.get(invoice.pk))
        if method is None or method.pk != method_id:
            continue
        attempts.append((invoice, (latest.attempt or 0) + 1, method))
        if latest.retry_at is not None:
            superseded.append(latest)
    return _attempts_create(attempts, superseded, as_of=as_of, actor=actor)


# ---------------------------------------------------------------------------------------------
# retry now


def payment_retry_now(
    *,
    invoice_id: int,
    actor: Actor,
    as_of: datetime,
    method_id: int | None = None,
    expected_attempt: int | None = None,
) -> Payment:
    """The invoice's next automatic attempt, now (charged after the commit). Refused when the
    invoice cannot be paid or owes nothing, when an attempt is pending, or when it has no
    usable payment method.

    `method_id`: charge THAT method (the customer pays now with a method it chose, e.g. in the
    portal) instead of the one collection would resolve: one of the invoice's customer's own
    methods, attached, active, on an enabled gateway that can charge (not the manual one:
    `gateway_cannot_charge`), else ValidationFailed on `payment_method`. With a chosen method a
    customer whose automatic collection is off (it pays by bank transfer) may still pay now: it
    asked for this one charge. A failure of the attempt continues the invoice's retry schedule
    as any automatic attempt does (a customer with automatic collection off is never retried by
    the clock).

    `expected_attempt`: the attempt number the caller saw as next (a form rendered before);
    when another attempt was made meanwhile (a double submission) the call is refused
    (`attempt_exists`) instead of charging again."""
    customer_id = (
        Invoice.objects.filter(pk=invoice_id).values_list("customer_id", flat=True).first()
    )
    if customer_id is None:
        raise NotFound(f"No invoice with id {invoice_id}.", field="invoice")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="retry now"):
        locked = _lock([customer_id], [invoice_id])
        invoice = locked.invoices[invoice_id]
        latest = locked.latest.get(invoice_id)
        if invoice.status not in RETRYABLE:
            raise ValidationFailed(
                f"Invoice {invoice} is {invoice.get_status_display()}: it cannot be charged.",
                field="invoice",
                code="not_payable",
            )
        if invoice.amount_due <= 0:
            raise ValidationFailed(
                f"Invoice {invoice} owes nothing.", field="invoice", code="nothing_due"
            )
        if latest is not None and latest.state == PaymentState.PENDING:
            raise ValidationFailed(
                f"Attempt {latest.attempt} (payment #{latest.pk}) of invoice {invoice} is still "
                "pending: its outcome comes first.",
                field="invoice",
                code="attempt_pending",
            )
        attempt = (latest.attempt or 0) + 1 if latest is not None else 1
        if expected_attempt is not None and expected_attempt != attempt:
            raise ValidationFailed(
                f"Attempt {expected_attempt} of invoice {invoice} was already made (the next "
                f"is {attempt}): this request was sent twice.",
                field="invoice",
                code="attempt_exists",
            )
        if method_id is not None:
            method = _chosen_method(invoice, method_id, test=locked.customers[customer_id].is_test)
        else:
            method = _resolved_method(locked, invoice)
        superseded = [latest] if latest is not None and latest.retry_at is not None else []
        created = _attempts_create(
            [(invoice, attempt, method)], superseded, as_of=as_of, actor=actor
        )
        if not created:
            raise Conflict(
                f"Attempt {attempt} of invoice {invoice} was just made.", code="attempt_exists"
            )
    return created[0]


def _chosen_method(invoice: Invoice, method_id: int, *, test: bool) -> PaymentMethod:
    """The method the customer chose to pay `invoice` with (see `payment_retry_now`)."""
    method = PaymentMethod.objects.filter(pk=method_id, customer_id=invoice.customer_id).first()
    if method is None:
        raise ValidationFailed(
            f"The customer has no payment method with id {method_id}.",
            field="payment_method",
            code="not_found",
        )
    if method.is_detached or method.state != PaymentMethodState.ACTIVE:
        state = "detached" if method.is_detached else method.state
        raise ValidationFailed(
            f"Only an active payment method can pay (this one is {state}).",
            field="payment_method",
            code="payment_method_not_active",
        )
    if not can_charge(method.gateway):
        raise ValidationFailed(
            f"A {method.get_kind_display()} on the {method.gateway} gateway cannot be charged "
            "(staff record the bank transfers that arrive): choose a card or a direct debit.",
            field="payment_method",
            code="gateway_cannot_charge",
        )
    try:
        gateway_named(method.gateway, test=test)
    except GatewayError as error:
        if error.code == TEST_MODE_GATEWAY:  # a test customer's method on a live Stripe key
            raise ValidationFailed(
                error.message, field="payment_method", code=TEST_MODE_GATEWAY
            ) from None
        raise ValidationFailed(
            f"The {method.gateway} gateway is not enabled here.",
            field="payment_method",
            code="gateway_disabled",
        ) from None
    return method


def _resolved_method(locked: _Locked, invoice: Invoice) -> PaymentMethod:
    """What collection would charge `invoice` to now, or ValidationFailed."""
    resolution = _resolve(locked, [invoice])[invoice.pk]
    if resolution.skip == AUTO_COLLECTION_OFF:
        raise ValidationFailed(
            f"The customer {invoice.customer.external_id} pays by hand (automatic "
            "collection is off): record its payment instead, or name the method to charge.",
            field="customer",
            code="auto_collection_off",
        )
    method = _usable(resolution)
    if method is None:
        why = f" ({resolution.skip})" if resolution.skip else ""
        raise ValidationFailed(
            f"Invoice {invoice} has no usable payment method{why}: add one, or make an "
            "active one the default.",
            field="payment_method",
            code="no_payment_method",
        )
    return method


def register() -> None:
    """Journal handlers and clock hooks of this part, registered at start-up."""
    from billing.journal import register_handler
    from invoicing.clock_hooks import register_tick_hook

    register_tick_hook(TICK_HOOK, retries_due)
    register_handler(METHOD_HANDLER, on_payment_method_changed, types=set(METHOD_EVENTS))
