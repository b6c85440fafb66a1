"""The billing clock: what is due at an instant, queued once (leases), billed by chunks through
the one writer (invoicing/services/writer.py) with one subscription's failure kept from the
others, and the drafts it finalizes (the one "complete" check: invoicing.selectors)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest

from billing.lifecycle import BILLABLE
from billing.models import Customer, Subscription, SubscriptionChange
from billing.selectors import clock_scope
from billing.services import journal_write, subscription_ids_due, usage_partitions_ahead
from catalog.models import OneTimeFee
from core.audit import Actor, audit_context
from invoicing.models import (
    BilledPeriod,
    BillingFailure,
    ClockLease,
    ClockTick,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
)
from invoicing.selectors import drafts_ready
from invoicing.services.finalize import finalize_locked
from invoicing.services.writer import (
    bill_locked,
    locked_subscriptions,
    stops_billing,
    totals_update,
)

logger = logging.getLogger(__name__)
# the kind of a billing run's job (core.jobs): a tick's, or manage.py bill's
BILLING_RUN = "billing_run"


def clock_tick_start(
    *, as_of: datetime, started_at: datetime, worker: str, task_id: str
) -> ClockTick:
    """Record that a tick of the billing clock began, at `started_at`, to work for `as_of`."""
    with transaction.atomic(durable=True):
        tick = ClockTick.objects.create(
            as_of=as_of, started_at=started_at, worker=worker, task_id=task_id, summary={}
        )
    logger.info("billing clock tick %s as of %s on %s", tick.pk, as_of.isoformat(), worker)
    return tick


def clock_tick_finish(*, tick_id: int, finished_at: datetime, summary: dict[str, Any]) -> ClockTick:
    with transaction.atomic(durable=True):
        tick = ClockTick.objects.select_for_update().get(pk=tick_id)
        tick.finished_at = finished_at
        tick.summary = summary
        tick.save(update_fields=["finished_at", "summary"])
    return tick


Enqueue = Callable[[list[int], datetime, str], None]  # ids, as_of, the lease's token


def clock_tick_work(
    *,
    as_of: datetime,
    enqueue: Enqueue,
    enqueue_finalize: Enqueue | None = None,
    enqueue_pdfs: Callable[[list[int]], None] | None = None,
    token: str = "",
    leases: bool = True,
    test_clock: int | None = None,
    on_due: Callable[[list[int]], None] | None = None,
) -> dict[str, Any]:
    """Find what is due at `as_of` and hand it, in chunks, to the enqueue functions (Celery tasks
    in production): subscriptions with something to bill or advance, drafts past their grace
    period to finalize, and finalized invoices still without their PDF. With `leases`, what a
    tick queued is not queued again by the next ones until its task releases it, or until
    BILLING_LEASE_SECONDS after `as_of` (a task lost with its worker is queued again then).
    Only the customers of one clock scope (billing.selectors.clock_scope): live customers (the
    default) or those of the test clock `test_clock`, advanced by integrations/testclocks.py.
    `on_due` hears the subscriptions to bill (after the leases) before their chunks are queued:
    the billing run's job (core.jobs) takes its total from it."""
    # a test clock's instant may lie in any era: its customers' events wait in the default
    # partition (no DDL, no lock of the live usage table at every step of an advance)
    partitions = usage_partitions_ahead(as_of=as_of) if test_clock is None else []
    token = token or f"tick@{as_of.isoformat()}"
    if test_clock is None:  # not a test clock's advance: its time is not the leases' time
        with transaction.atomic():  # leases long run out (their work queued again since, or done)
            ClockLease.objects.filter(expires_at__lt=as_of - timedelta(days=1)).delete()
    size = settings.BILLING_CHUNK_SIZE
    expires = as_of + timedelta(seconds=settings.BILLING_LEASE_SECONDS)
    due = subscriptions_to_bill(as_of=as_of, test_clock=test_clock)
    if leases:
        due = leases_claim("subscription", due, token=token, as_of=as_of, expires_at=expires)
    chunks = [due[i : i + size] for i in range(0, len(due), size)]
    if on_due is not None:
        on_due(due)
    for chunk in chunks:
        enqueue(chunk, as_of, token)
    summary: dict[str, Any] = {"subscriptions_due": len(due), "tasks": len(chunks)}
    if enqueue_finalize is not None:
        drafts = invoices_due_for_finalization(as_of=as_of, test_clock=test_clock)
        if leases:
            drafts = leases_claim("invoice", drafts, token=token, as_of=as_of, expires_at=expires)
        for i in range(0, len(drafts), size):
            enqueue_finalize(drafts[i : i + size], as_of, token)
        summary["drafts_to_finalize"] = len(drafts)
    if enqueue_pdfs is not None:
        waiting = invoices_without_pdf(as_of=as_of, test_clock=test_clock)
        if leases:
            waiting = leases_claim("pdf", waiting, token=token, as_of=as_of, expires_at=expires)
        for i in range(0, len(waiting), 10):
            enqueue_pdfs(waiting[i : i + 10])
        summary["pdfs_queued"] = len(waiting)
    if partitions:
        summary["usage_partitions_created"] = partitions
    return summary


def subscriptions_to_bill(*, as_of: datetime, test_clock: int | None = None) -> list[int]:
    """Subscriptions with anything due at `as_of`: an edge of the clock (a start, a trial's
    notice or end, a scheduled change, a period end, an end date), a fee in advance not billed,
    a start step not billed, or the last part of a period cut short not billed. In one clock
    scope (live by default)."""
    leftover = Subscription.objects.filter(
        clock_scope(test_clock),
        status__in=["canceled", "ended"],
        ended_at__lte=as_of,
        proration_lines__invoiced_at__isnull=True,
    ).values_list("pk", flat=True)
    return sorted(
        set(subscription_ids_due(as_of=as_of, test_clock=test_clock))
        | set(advance_fees_due(as_of=as_of, test_clock=test_clock))
        | set(start_steps_due(as_of=as_of, test_clock=test_clock))
        | set(final_periods_due(as_of=as_of, test_clock=test_clock).values_list("pk", flat=True))
        | set(leftover)  # lines left waiting when it ended: a closing step
    )


def leases_claim(
    kind: str, ids: Sequence[int], *, token: str, as_of: datetime, expires_at: datetime
) -> list[int]:
    """Lease the ids not leased already (or whose lease ran out by `as_of`); returns them."""
    if not ids:
        return []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO invoicing_clocklease (kind, object_id, token, expires_at) "
            "SELECT %s, unnest(%s::bigint[]), %s, %s "
            "ON CONFLICT (kind, object_id) DO UPDATE "
            "SET token = EXCLUDED.token, expires_at = EXCLUDED.expires_at "
            "WHERE invoicing_clocklease.expires_at <= %s "
            "RETURNING object_id",
            [kind, list(ids), token, expires_at, as_of],
        )
        return sorted(row[0] for row in cursor.fetchall())


def leases_release(kind: str, ids: Sequence[int], *, token: str) -> None:
    """The task that held these leases is done: the next tick may queue the ids again."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            # bigint[]: psycopg sends small ids as int2[], and bigint = ANY(int2[]) is
            # compared element by element for every lease of the kind (never hashed nor indexed)
            "DELETE FROM invoicing_clocklease WHERE kind = %s AND object_id = ANY(%s::bigint[]) "
            "AND token = %s",
            [kind, list(ids), token],
        )


# ------------------------------------------------------------------------ a chunk of the run


@dataclass
class ChunkResult:
    steps: int = 0
    finalized: int = 0
    failed: dict[int, str] = field(default_factory=dict)  # subscription id -> the reason


def subscriptions_bill_chunk(
    *, subscription_ids: Sequence[int], as_of: datetime, actor: Actor, lease: str = ""
) -> ChunkResult:
    """The clock's work for a chunk: in one transaction, bill it (invoicing/services/writer.py)
    and finalize its customers' drafts that are complete; if that fails, each subscription
    alone, so that one subscription's failure (recorded as a BillingFailure with its reason,
    and tried again by the next tick) never stops the others. A soft time limit or a lost
    database connection stops the chunk (the task is retried as a whole)."""
    result = ChunkResult()
    _bill_isolated(list(subscription_ids), as_of, actor, result)
    if lease:
        leases_release("subscription", subscription_ids, token=lease)
    return result


def _bill_and_finalize(ids: list[int], as_of: datetime, actor: Actor) -> tuple[int, int]:
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="billing run"):
        subs = locked_subscriptions(ids)
        run = bill_locked(subs, as_of=as_of, actor=actor, totals=False)
        finalized = drafts_finalize_locked(
            customer_ids={sub.customer_id for sub in subs}, as_of=as_of, actor=actor
        )
        # the drafts left open (their grace period) get their totals; finalization computed
        # the others'
        totals_update([d for d in run.touched if d.pk not in finalized], as_of)
    return run.steps, len(finalized)


def _bill_isolated(ids: list[int], as_of: datetime, actor: Actor, result: ChunkResult) -> None:
    try:
        steps, finalized = _bill_and_finalize(ids, as_of, actor)
    except Exception as exc:
        if stops_billing(exc):
            raise
        if len(ids) > 1:  # find the one: each alone (a chunk of one is the same writer)
            for sid in ids:
                _bill_isolated([sid], as_of, actor, result)
            return
        logger.exception("billing subscription %s as of %s failed", ids[0], as_of.isoformat())
        result.failed[ids[0]] = billing_failure_record(
            subscription_id=ids[0], exc=exc, as_of=as_of, actor=actor
        )
        return
    result.steps += steps
    result.finalized += finalized
    with transaction.atomic(), audit_context(actor=actor, reason="billed again"):
        BillingFailure.objects.filter(subscription__in=ids, resolved_at__isnull=True).update(
            resolved_at=as_of
        )


def billing_failure_record(
    *, subscription_id: int, exc: BaseException, as_of: datetime, actor: Actor
) -> str:
    """Record (or count again) a subscription's billing failure, with its reason; journaled as
    `subscription.billing_failed`. Returns the reason."""
    reason = f"{type(exc).__name__}: {exc}"[:2000]
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="billing failed"):
        failure = (
            BillingFailure.objects.select_for_update()
            .filter(subscription_id=subscription_id, resolved_at__isnull=True)
            .first()
        )
        if failure is None:
            failure = BillingFailure(
                subscription_id=subscription_id, first_failed_at=as_of, attempts=0
            )
        failure.attempts += 1
        failure.as_of = as_of
        failure.last_failed_at = as_of
        failure.error = type(exc).__name__
        failure.message = str(exc)[:2000] or type(exc).__name__
        failure.traceback = "".join(traceback.format_exception(exc))[-8000:]
        failure.save()
        journal_write(
            type="subscription.billing_failed",
            subject_type="subscription",
            subject_id=subscription_id,
            payload={"reason": reason, "attempts": failure.attempts, "as_of": as_of.isoformat()},
            actor=actor,
            occurred_at=as_of,
        )
    return reason


# ------------------------------------------------------------------------------ finalization


def _has_lines() -> Exists:
    """A draft with nothing on it is never finalized (never a numbered document for nothing)."""
    return Exists(InvoiceLine.objects.filter(invoice=OuterRef("pk")))


def invoices_ready(*, invoice_ids: Sequence[int], as_of: datetime) -> list[int]:
    """The drafts among `invoice_ids` that the clock may finalize at `as_of`: past their grace
    period, and complete (see invoicing.selectors.drafts_ready)."""
    drafts = list(
        Invoice.objects.filter(
            _has_lines(), pk__in=invoice_ids, status=InvoiceStatus.DRAFT, grace_until__lte=as_of
        ).order_by("billing_date", "id")
    )
    return drafts_ready(drafts)


def invoices_finalize_ready(
    *, invoice_ids: Sequence[int], as_of: datetime, actor: Actor, lease: str = ""
) -> int:
    """The clock's finalization of a chunk of drafts, those ready (see `invoices_ready`), in one
    transaction. Returns how many were finalized."""
    count = 0
    if invoice_ids and invoices_ready(invoice_ids=invoice_ids, as_of=as_of):
        with transaction.atomic(durable=True), audit_context(actor=actor, reason="finalize"):
            customer_ids = set(
                Invoice.objects.filter(pk__in=invoice_ids).values_list("customer_id", flat=True)
            )
            list(Customer.objects.select_for_update().filter(pk__in=customer_ids).order_by("pk"))
            count = len(
                drafts_finalize_locked(
                    customer_ids=customer_ids, as_of=as_of, actor=actor, invoice_ids=invoice_ids
                )
            )
    if lease:
        leases_release("invoice", invoice_ids, token=lease)
    return count


def drafts_finalize_locked(
    *,
    customer_ids: set[int],
    as_of: datetime,
    actor: Actor,
    invoice_ids: Sequence[int] | None = None,
) -> set[int]:
    """Finalize the drafts of customers the caller has locked (or those of `invoice_ids`) that
    are past their grace period and complete; returns their ids."""
    drafts = Invoice.objects.select_for_update(of=("self",)).filter(
        _has_lines(),
        customer_id__in=customer_ids,
        status=InvoiceStatus.DRAFT,
        grace_until__lte=as_of,
    )
    if invoice_ids is not None:
        drafts = drafts.filter(pk__in=invoice_ids)
    found = list(drafts.select_related("customer").order_by("billing_date", "id"))
    ready = set(drafts_ready(found))
    invoices = [invoice for invoice in found if invoice.pk in ready]
    finalize_locked(invoices, as_of, actor)
    return {invoice.pk for invoice in invoices}


def advance_fees_due(*, as_of: datetime, test_clock: int | None = None) -> list[int]:
    """Subscriptions whose current period's fee in advance is not billed yet."""
    billed = BilledPeriod.objects.filter(
        subscription=OuterRef("pk"),
        kind=BilledPeriod.Kind.ADVANCE,
        period_start=OuterRef("current_period_start"),
    )
    return list(
        Subscription.objects.filter(
            clock_scope(test_clock),
            status__in=BILLABLE,
            plan_version__fee_timing="advance",
            current_period_start__lte=as_of,
        )
        .filter(Q(trial_end__isnull=True) | Q(current_period_end__gt=F("trial_end")))
        .exclude(Exists(billed))
        .values_list("pk", flat=True)
    )


def start_steps_due(*, as_of: datetime, test_clock: int | None = None) -> list[int]:
    """Subscriptions started, still in the period they started in, whose start step (one-time
    fees, a free trial's zero invoice) is not billed yet: their price book (or the one a change
    moved them from) has one-time fees, or issues a trial invoice and they started in a trial.
    A narrowing in SQL; the planner decides (invoicing.planner.start_step)."""
    billed = BilledPeriod.objects.filter(
        subscription=OuterRef("pk"), kind=BilledPeriod.Kind.START, period_start=OuterRef("start_at")
    )
    fees = OneTimeFee.objects.filter(plan_version=OuterRef("plan_version"))
    moved_from_fees = SubscriptionChange.objects.filter(
        subscription=OuterRef("pk"),
        status="applied",
        effective_at__gte=OuterRef("start_at"),
        from_plan_version__one_time_fees__isnull=False,
    )
    trial_invoice = Q(plan_version__trial_invoice=True, trial_end__gt=F("start_at"))
    return list(
        Subscription.objects.filter(clock_scope(test_clock), start_at__lte=as_of)
        .exclude(status="pending")
        .exclude(ended_at__lte=F("start_at"))
        .filter(current_period_start__lte=Greatest("start_at", Coalesce("trial_end", "start_at")))
        .filter(Exists(fees) | Exists(moved_from_fees) | trial_invoice)
        .exclude(Exists(billed))
        .values_list("pk", flat=True)
    )


def final_periods_due(*, as_of: datetime, test_clock: int | None = None) -> QuerySet[Subscription]:
    """Subscriptions canceled or ended inside a paid period whose last part (its usage up to
    the end, pending proration lines, an arrears fee up to a set end date) is not billed yet."""
    billed = BilledPeriod.objects.filter(
        subscription=OuterRef("pk"),
        kind=BilledPeriod.Kind.PERIOD_END,
        period_start=OuterRef("current_period_start"),
    )
    return (
        Subscription.objects.filter(
            clock_scope(test_clock),
            status__in=["canceled", "ended"],
            ended_at__lte=as_of,
            ended_at__gt=F("current_period_start"),
        )
        .filter(Q(trial_end__isnull=True) | Q(current_period_end__gt=F("trial_end")))
        .filter(start_at__lt=F("ended_at"))
        .exclude(Exists(billed))
    )


def invoices_due_for_finalization(*, as_of: datetime, test_clock: int | None = None) -> list[int]:
    return list(
        Invoice.objects.filter(
            _has_lines(),
            clock_scope(test_clock),
            status=InvoiceStatus.DRAFT,
            grace_until__lte=as_of,
        )
        .order_by("billing_date", "id")
        .values_list("pk", flat=True)
    )


PDF_GRACE = timedelta(minutes=10)


def invoices_without_pdf(*, as_of: datetime, test_clock: int | None = None) -> list[int]:
    """Finalized invoices whose PDF (queued at finalization) is still missing a while later:
    the tick queues them again, so a lost message never leaves an invoice without its PDF."""
    return list(
        Invoice.objects.filter(clock_scope(test_clock), finalized_at__lte=as_of - PDF_GRACE, pdf="")
        .exclude(status=InvoiceStatus.DRAFT)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
