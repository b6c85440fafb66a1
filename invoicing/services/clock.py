"""The billing clock: what is due at an instant, billed step by step (the general path), and
the drafts the clock may finalize. The set-based path for a chunk is in invoicing/run.py."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from billing.models import (
    Customer,
    ProrationLine,
    Subscription,
)
from billing.periods import Period
from billing.services import (
    active_redemptions,
    journal_write,
    subscription_advance,
    subscription_ids_due,
    subscriptions_due,
    usage_partitions_ahead,
)
from core.audit import Actor, audit_context
from core.db import bulk_update
from core.exceptions import Conflict
from invoicing import builder
from invoicing.models import (
    BilledPeriod,
    ClockTick,
    Invoice,
    InvoiceStatus,
)
from invoicing.services.finalize import finalize_locked
from invoicing.services.lines import (
    BILLABLE,
    REDEMPTION_FIELDS,
    add_lines,
    customers_marked_until,
    invoice_created,
    recompute_totals,
    use_redemptions,
)

logger = logging.getLogger(__name__)


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


Enqueue = Callable[[list[int], datetime], None]


def clock_tick_work(
    *, as_of: datetime, enqueue: Enqueue, enqueue_finalize: Enqueue | None = None
) -> dict[str, Any]:
    """Find what is due at `as_of` and hand it, in chunks, to the enqueue functions (Celery tasks
    in production): subscriptions with something due (periods ended, advance fees, starts, trial
    notices and ends, scheduled changes, end dates) to bill and advance, and drafts past their
    grace period to finalize."""
    partitions = usage_partitions_ahead(as_of=as_of)
    due = sorted(
        set(subscription_ids_due(as_of=as_of))
        | set(advance_fees_due(as_of=as_of))
        | set(final_periods_due(as_of=as_of).values_list("pk", flat=True))
    )
    size = settings.BILLING_CHUNK_SIZE
    chunks = [due[i : i + size] for i in range(0, len(due), size)]
    for chunk in chunks:
        enqueue(chunk, as_of)
    summary: dict[str, Any] = {"subscriptions_due": len(due), "tasks": len(chunks)}
    if enqueue_finalize is not None:
        drafts = invoices_due_for_finalization(as_of=as_of)
        for i in range(0, len(drafts), size):
            enqueue_finalize(drafts[i : i + size], as_of)
        summary["drafts_to_finalize"] = len(drafts)
    if partitions:
        summary["usage_partitions_created"] = partitions
    return summary


def _bill(
    *,
    subscription_id: int,
    kind: str,
    period: Period,
    billing_date: datetime,
    as_of: datetime,
    actor: Actor,
) -> Invoice | None:
    """One billing step of one subscription period onto the customer's draft for
    `billing_date`. Idempotent through BilledPeriod (subscription, period start, kind)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="billing run"):
        customer_id = Subscription.objects.values_list("customer_id", flat=True).get(
            pk=subscription_id
        )
        customer = Customer.objects.select_for_update().get(pk=customer_id)
        sub = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("customer", "plan", "plan_version__plan")
            .get(pk=subscription_id)
        )
        done = BilledPeriod.objects.filter(
            subscription=sub, period_start=period.start, kind=kind
        ).first()
        if done is not None:
            return done.invoice
        if kind == BilledPeriod.Kind.ADVANCE:
            fee = builder.advance_fee_line(sub, period)
            specs = [fee] if fee else []
        elif sub.status in ("canceled", "ended"):
            specs = builder.final_lines(sub, period)
        else:
            specs = builder.period_lines(sub, period)
        invoice, created = Invoice.objects.select_for_update().get_or_create(
            customer=customer,
            billing_date=billing_date,
            defaults={
                "currency": customer.currency,
                "grace_until": billing_date + timedelta(days=customer.invoice_grace_period_days),
                "created_at": as_of,
                "updated_at": as_of,
            },
        )
        if invoice.status != InvoiceStatus.DRAFT:
            raise Conflict(
                f"The invoice of {customer.external_id} for {billing_date.isoformat()} is already "
                "finalized; the period needs a correction document.",
                code="invoice_finalized",
            )
        redemptions = active_redemptions([customer.pk], [invoice.pk]).get(customer.pk, [])
        used = builder.discount_lines(sub, specs, redemptions, invoice.pk)
        specs = [*specs, *(spec for spec, _ in used)]
        invoice.customer = customer
        add_lines(invoice, sub, specs)
        bulk_update(use_redemptions(used, invoice), REDEMPTION_FIELDS)
        proration_ids = [s.proration_line_id for s in specs if s.proration_line_id]
        ProrationLine.objects.filter(pk__in=proration_ids).update(invoiced_at=as_of)
        if kind == BilledPeriod.Kind.PERIOD_END:  # events before it now refresh a draft
            customers_marked_until("usage_billed_until", {customer.pk: period.end})
        BilledPeriod.objects.create(
            subscription=sub,
            kind=kind,
            period_start=period.start,
            period_end=period.end,
            invoice=invoice,
            created_at=as_of,
        )
        recompute_totals(invoice)
        invoice.updated_at = as_of
        invoice.save()
        if created:
            journal_write(**invoice_created(invoice, customer), actor=actor)
    return invoice


def subscription_period_bill(
    *,
    subscription_id: int,
    period_start: datetime,
    period_end: datetime,
    as_of: datetime,
    actor: Actor,
) -> Invoice:
    """Bill an ended period: its usage, its arrears fee and the pending proration lines, onto the
    draft for its end. Idempotent: a period already billed returns its invoice."""
    invoice = _bill(
        subscription_id=subscription_id,
        kind=BilledPeriod.Kind.PERIOD_END,
        period=Period(period_start, period_end, -2),
        billing_date=period_end,
        as_of=as_of,
        actor=actor,
    )
    assert invoice is not None
    return invoice


def subscription_bill_due(*, subscription_id: int, as_of: datetime, actor: Actor) -> int:
    """The clock's work for one subscription: bill every step due up to `as_of` in time order
    (a period's advance fee at its start; its usage and arrears fee at its end), rolling the
    subscription forward between them, then bring it up to `as_of`. Re-running it bills nothing
    twice. Returns the number of billing steps taken."""
    steps = 0
    for _ in range(1000):  # bounded: each pass moves the subscription to its next period
        sub = Subscription.objects.select_related("plan_version", "customer", "plan").get(
            pk=subscription_id
        )
        if sub.status not in BILLABLE:
            if (
                sub.status in ("pending", "trialing")
                and subscription_advance(
                    subscription_id=subscription_id, as_of=as_of, actor=actor
                ).status
                in BILLABLE
            ):
                continue  # it started or its trial ended: bill its first period
            if final_periods_due(as_of=as_of).filter(pk=sub.pk).exists():
                assert sub.ended_at is not None
                _bill(
                    subscription_id=sub.pk,
                    kind=BilledPeriod.Kind.PERIOD_END,
                    period=Period(sub.current_period_start, sub.ended_at, -2),
                    billing_date=sub.ended_at,
                    as_of=as_of,
                    actor=actor,
                )
                steps += 1
            break
        inside = min(as_of, sub.current_period_end - timedelta(microseconds=1))
        if subscriptions_due(as_of=inside).filter(pk=sub.pk).exists():
            # a tick missed for a while: what fell due inside the period (a scheduled change,
            # an end date) happens first, in time order, so the period is billed as it went
            subscription_advance(subscription_id=sub.pk, as_of=inside, actor=actor)
            sub.refresh_from_db()
            if sub.status not in BILLABLE:
                continue
        period = sub.period_at(sub.current_period_start)
        if sub.plan_version.fee_timing == "advance" and period.start <= as_of:
            _bill(
                subscription_id=sub.pk,
                kind=BilledPeriod.Kind.ADVANCE,
                period=period,
                billing_date=period.start,
                as_of=as_of,
                actor=actor,
            )
            steps += 1
        if sub.current_period_end > as_of:
            break
        _bill(
            subscription_id=sub.pk,
            kind=BilledPeriod.Kind.PERIOD_END,
            period=period,
            billing_date=period.end,
            as_of=as_of,
            actor=actor,
        )
        steps += 1
        subscription_advance(subscription_id=sub.pk, as_of=period.end, actor=actor)
    # anything else due by now (a scheduled change, a trial notice)? one cheap query decides,
    # rather than locking and walking every subscription again
    if subscriptions_due(as_of=as_of).filter(pk=subscription_id).exists():
        subscription_advance(subscription_id=subscription_id, as_of=as_of, actor=actor)
    return steps


def invoices_ready(*, invoice_ids: Sequence[int], as_of: datetime) -> list[int]:
    """The drafts among `invoice_ids` that the clock may finalize at `as_of`: past their grace
    period, with no subscription of their customer still to bill a period ending by their
    billing date onto them (then a later tick does)."""
    drafts = list(
        Invoice.objects.filter(
            pk__in=invoice_ids, status=InvoiceStatus.DRAFT, grace_until__lte=as_of
        )
        .order_by("billing_date", "id")
        .values_list("pk", "customer_id", "billing_date")
    )
    ends: dict[int, list[datetime]] = {}
    for customer_id, end in Subscription.objects.filter(
        customer_id__in={c for _, c, _ in drafts}, status__in=BILLABLE
    ).values_list("customer_id", "current_period_end"):
        ends.setdefault(customer_id, []).append(end)
    return [
        pk
        for pk, customer_id, billing_date in drafts
        if not any(end <= billing_date for end in ends.get(customer_id, []))
    ]


def invoice_finalize_if_ready(*, invoice_id: int, as_of: datetime, actor: Actor) -> bool:
    """Finalize a draft past its grace period, unless one of its customer's subscriptions still
    has a period ending by its billing date to bill onto it (then the next tick does)."""
    return bool(invoices_finalize_ready(invoice_ids=[invoice_id], as_of=as_of, actor=actor))


def invoices_finalize_ready(*, invoice_ids: Sequence[int], as_of: datetime, actor: Actor) -> int:
    """The clock's finalization of a chunk of drafts, those ready (see `invoices_ready`), in one
    transaction. Returns how many were finalized."""
    ready = invoices_ready(invoice_ids=invoice_ids, as_of=as_of)
    if not ready:
        return 0
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="finalize"):
        customer_ids = sorted(
            set(Invoice.objects.filter(pk__in=ready).values_list("customer_id", flat=True))
        )
        list(Customer.objects.select_for_update().filter(pk__in=customer_ids).order_by("pk"))
        invoices = list(
            Invoice.objects.select_for_update(of=("self",))
            .select_related("customer")
            .filter(pk__in=invoices_ready(invoice_ids=ready, as_of=as_of))  # again, under lock
            .order_by("billing_date", "id")
        )
        finalize_locked(invoices, as_of, actor)
    return len(invoices)


def advance_fees_due(*, as_of: datetime) -> list[int]:
    """Subscriptions whose current period's advance fee is not billed yet."""
    billed = BilledPeriod.objects.filter(
        subscription=OuterRef("pk"),
        kind=BilledPeriod.Kind.ADVANCE,
        period_start=OuterRef("current_period_start"),
    )
    return list(
        Subscription.objects.filter(
            status__in=BILLABLE,
            plan_version__fee_timing="advance",
            current_period_start__lte=as_of,
        )
        .exclude(Exists(billed))
        .values_list("pk", flat=True)
    )


def final_periods_due(*, as_of: datetime) -> QuerySet[Subscription]:
    """Subscriptions canceled or ended inside a paid period whose last part (its usage up to
    the end, pending proration lines, an arrears fee up to a set end date) is not billed yet."""
    billed = BilledPeriod.objects.filter(
        subscription=OuterRef("pk"),
        kind=BilledPeriod.Kind.PERIOD_END,
        period_start=OuterRef("current_period_start"),
    )
    return (
        Subscription.objects.filter(
            status__in=["canceled", "ended"],
            ended_at__lte=as_of,
            ended_at__gt=F("current_period_start"),
        )
        .filter(Q(trial_end__isnull=True) | Q(trial_end__lte=F("current_period_start")))
        .exclude(Exists(billed))
    )


def invoices_due_for_finalization(*, as_of: datetime) -> list[int]:
    return list(
        Invoice.objects.filter(status=InvoiceStatus.DRAFT, grace_until__lte=as_of)
        .order_by("billing_date", "id")
        .values_list("pk", flat=True)
    )
