"""Writes of the invoicing app."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum

from billing.models import (
    BalanceKind,
    CouponRedemption,
    Customer,
    LedgerAccount,
    ProrationLine,
    Subscription,
)
from billing.periods import Period
from billing.services import (
    BalanceMove,
    Posting,
    active_redemptions,
    balance_moves_record,
    customer_snapshot,
    journal_write,
    journal_write_many,
    ledger_post,
    ledger_post_many,
    subscription_advance,
    subscription_ids_due,
    subscriptions_due,
    usage_partitions_ahead,
)
from catalog.models import AddOn, TaxRate
from catalog.money import quantize
from catalog.pricing import plain
from catalog.selectors import pick_tax_rate, tax_rates_in_use
from catalog.tax import line_tax
from core.audit import CLOCK, Actor, audit_context
from core.db import bulk_update
from core.exceptions import Conflict, NotFound, TransitionNotAllowed, ValidationFailed
from invoicing import builder, pdf
from invoicing.models import (
    INVOICE_TRANSITIONS,
    BilledPeriod,
    ClockTick,
    Correction,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    NumberSeries,
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


# ---------------------------------------------------------------------------------- invoices


def _locked_invoice(invoice_id: int) -> Invoice:
    try:
        customer_id = Invoice.objects.values_list("customer_id", flat=True).get(pk=invoice_id)
    except Invoice.DoesNotExist:
        raise NotFound(f"No invoice with id {invoice_id}.") from None
    Customer.objects.select_for_update().get(pk=customer_id)
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=invoice_id)
    )


def _recompute_totals(invoice: Invoice) -> None:
    _recompute_totals_many([invoice])


def _recompute_totals_many(invoices: Sequence[Invoice]) -> None:
    """Subtotal from the lines (one query for all), total with the tax (not saved)."""
    sums = {
        row[0]: row[1:]
        for row in InvoiceLine.objects.filter(invoice__in=[i.pk for i in invoices])
        .values("invoice")
        .annotate(
            t=Sum("amount"),
            tax=Sum("tax_amount"),
            excl=Sum("tax_amount", filter=Q(tax_inclusive=False)),
        )
        .values_list("invoice", "t", "tax", "excl")
    }
    zero = (Decimal(0), Decimal(0), Decimal(0))
    for invoice in invoices:
        subtotal, tax, exclusive = (x or Decimal(0) for x in sums.get(invoice.pk, zero))
        invoice.subtotal = subtotal
        invoice.tax_total = tax
        invoice.total = subtotal + exclusive
        invoice.amount_due = max(invoice.total - invoice.credit_applied, Decimal(0))


def tax_rate_of(customer: Customer, rates: list[TaxRate] | None = None) -> TaxRate | None:
    """The tax rate of a customer's invoice lines: none when it is tax exempt, else the rate of
    its address (see catalog.selectors.pick_tax_rate)."""
    if customer.tax_exempt:
        return None
    return pick_tax_rate(
        tax_rates_in_use() if rates is None else rates, customer.country, customer.state
    )


def _taxed(line: InvoiceLine, rate: TaxRate | None, currency: str) -> InvoiceLine:
    tax = line_tax(
        line.amount,
        rate.percentage if rate else Decimal(0),
        rate.inclusive if rate else False,
        currency,
    )
    line.tax_rate = rate
    line.tax_percentage = tax.percentage
    line.tax_inclusive = tax.inclusive
    line.tax_amount = tax.amount
    return line


def line_of(
    spec: builder.LineSpec,
    invoice: Invoice,
    sub: Subscription | None,
    position: int,
    note: dict[str, Any] | None = None,
    rate: TaxRate | None = None,
) -> InvoiceLine:
    """An (unsaved) invoice line from a built line, with its tax at `rate`."""
    line = InvoiceLine(
        invoice=invoice,
        subscription=sub,
        kind=spec.kind,
        description=spec.description,
        quantity=spec.quantity,
        unit_amount=spec.unit_amount,
        amount=spec.amount,
        period_start=spec.period_start,
        period_end=spec.period_end,
        metric_code=spec.metric_code,
        explanation={**spec.explanation, **(note or {})},
        position=position,
    )
    return _taxed(line, rate, invoice.currency)


def _add_lines(
    invoice: Invoice,
    sub: Subscription,
    specs: Sequence[builder.LineSpec],
    *,
    position: int | None = None,
    note: dict[str, Any] | None = None,
) -> None:
    """Store built lines on an invoice, after its last line (or at `position`)."""
    start = invoice.lines.count() if position is None else position
    rate = tax_rate_of(invoice.customer)
    InvoiceLine.objects.bulk_create(
        line_of(spec, invoice, sub, start + i, note, rate) for i, spec in enumerate(specs)
    )


def use_redemptions(
    used: Sequence[tuple[builder.LineSpec, CouponRedemption]], invoice: Invoice
) -> list[CouponRedemption]:
    """Count the discounts given onto `invoice` against their redemptions (in memory; the
    caller saves the returned ones): one more period the first time a redemption discounts this
    invoice, and used up once its duration is reached."""
    changed: dict[int, CouponRedemption] = {}
    for spec, r in used:
        if r.last_invoice_id != invoice.pk:
            r.periods_applied += 1
            r.last_invoice_id = invoice.pk
        r.amount_discounted -= spec.amount
        coupon = r.coupon
        if coupon.duration == "once" or (
            coupon.duration == "repeating" and r.periods_applied >= (coupon.duration_periods or 0)
        ):
            r.status = CouponRedemption.Status.USED_UP
        changed[r.pk] = r
    return list(changed.values())


REDEMPTION_FIELDS = ["periods_applied", "last_invoice_id", "amount_discounted", "status"]


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
        redemptions = active_redemptions([customer.pk]).get(customer.pk, [])
        used = builder.discount_lines(sub, specs, redemptions, invoice.pk)
        specs = [*specs, *(spec for spec, _ in used)]
        invoice.customer = customer
        _add_lines(invoice, sub, specs)
        bulk_update(use_redemptions(used, invoice), REDEMPTION_FIELDS)
        proration_ids = [s.proration_line_id for s in specs if s.proration_line_id]
        ProrationLine.objects.filter(pk__in=proration_ids).update(invoiced_at=as_of)
        if kind == BilledPeriod.Kind.PERIOD_END and (
            customer.usage_billed_until is None or customer.usage_billed_until < period.end
        ):  # events before this now concern a draft: they refresh it
            customer.usage_billed_until = period.end
            customer.save(update_fields=["usage_billed_until"])
        BilledPeriod.objects.create(
            subscription=sub,
            kind=kind,
            period_start=period.start,
            period_end=period.end,
            invoice=invoice,
            created_at=as_of,
        )
        _recompute_totals(invoice)
        invoice.updated_at = as_of
        invoice.save()
        if created:
            journal_write(
                type="invoice.created",
                subject_type="invoice",
                subject_id=invoice.pk,
                payload={
                    "customer": customer.external_id,
                    "billing_date": billing_date.isoformat(),
                },
                actor=actor,
                occurred_at=as_of,
            )
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


BILLABLE = {"active", "past_due", "paused"}


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
        _finalize(invoices, as_of, actor)
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


def _next_number(prefix: str, year: int) -> str:
    return _next_numbers(prefix, year, 1)[0]


def _next_numbers(prefix: str, year: int, count: int) -> list[str]:
    """The next `count` numbers of a series, under its row lock (held to the commit, so numbers
    are gapless and in commit order also under concurrent finalization)."""
    series, _ = NumberSeries.objects.select_for_update().get_or_create(prefix=prefix, year=year)
    first = series.last_number + 1
    series.last_number += count
    series.save(update_fields=["last_number"])
    return [f"{prefix}-{year}-{n:06d}" for n in range(first, first + count)]


def invoice_finalize(*, invoice_id: int, as_of: datetime, actor: Actor) -> Invoice:
    """Number the draft (gapless per series and year, under the series' row lock), freeze the
    customer and company details, set the due date; a zero total is paid at once."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="finalize"):
        invoice = _locked_invoice(invoice_id)
        if invoice.status != InvoiceStatus.DRAFT:
            raise TransitionNotAllowed(f"Invoice {invoice} is {invoice.status}, not a draft.")
        billed = BilledPeriod.objects.filter(
            subscription=OuterRef("pk"),
            kind=BilledPeriod.Kind.PERIOD_END,
            period_start=OuterRef("current_period_start"),
        )
        pending = (
            Subscription.objects.filter(
                customer_id=invoice.customer_id,
                status__in=BILLABLE,
                current_period_end__lte=invoice.billing_date,
            )
            .exclude(Exists(billed))
            .first()
        )
        if pending is not None:  # its period would have no draft left to go to
            raise Conflict(
                f"Subscription #{pending.pk} has a period ending by this invoice's billing date "
                "still to bill onto it: the clock bills it first.",
                code="billing_pending",
            )
        _finalize([invoice], as_of, actor)
    return invoice


def _finalize(invoices: list[Invoice], as_of: datetime, actor: Actor) -> None:
    """Finalize drafts whose customers and rows the caller has locked: totals, snapshots, due
    dates, then (last, so the series' row lock is held briefly) their numbers in order, the
    ledger postings and journal events in one write each, and their PDFs after commit."""
    if not invoices:
        return
    _retax(invoices)
    _recompute_totals_many(invoices)
    company = dict(settings.COMPANY)
    available = {i.customer_id: i.customer.balance for i in invoices}
    for invoice in invoices:
        customer = invoice.customer
        invoice.status = InvoiceStatus.OPEN
        invoice.finalized_at = as_of
        invoice.due_at = as_of + timedelta(days=customer.payment_terms_days)
        invoice.customer_snapshot = customer_snapshot(customer)
        invoice.company_snapshot = company
        # the customer's credit balance pays what it can; a total below zero becomes credit
        applied = min(available[customer.pk], invoice.total) if invoice.total > 0 else Decimal(0)
        available[customer.pk] += -applied + max(-invoice.total, Decimal(0))
        invoice.credit_applied = applied
        invoice.amount_due = max(invoice.total - applied, Decimal(0))
        if invoice.amount_due <= 0:
            invoice.status = InvoiceStatus.PAID
            invoice.paid_at = as_of
        invoice.updated_at = as_of
    numbers = _next_numbers("INV", as_of.year, len(invoices))
    for invoice, number in zip(invoices, numbers, strict=True):
        invoice.number = number
    bulk_update(
        invoices,
        [
            "number",
            "status",
            "finalized_at",
            "due_at",
            "customer_snapshot",
            "company_snapshot",
            "paid_at",
            "subtotal",
            "tax_total",
            "total",
            "credit_applied",
            "amount_due",
            "updated_at",
        ],
    )
    moves = []
    for invoice in invoices:
        for amount, kind in (
            (-invoice.credit_applied, BalanceKind.APPLIED),
            (max(-invoice.total, Decimal(0)), BalanceKind.CARRIED),
        ):
            if amount:
                moves.append(
                    BalanceMove(invoice.customer, amount, kind, "invoice", invoice.pk,
                                f"invoice {invoice.number}")
                )  # fmt: skip
    balance_moves_record(moves, actor=actor, at=as_of)
    ledger_post_many(
        [
            Posting(
                customer_id=invoice.customer_id,
                currency=invoice.currency,
                amounts=_finalized_amounts(invoice),
                document_type="invoice",
                document_id=invoice.pk,
                memo=f"invoice {invoice.number} finalized",
                at=as_of,
            )
            for invoice in invoices
        ]
    )
    journal_write_many(
        [
            {
                "type": "invoice.finalized",
                "subject_type": "invoice",
                "subject_id": invoice.pk,
                "payload": {
                    "number": invoice.number,
                    "total": str(invoice.total),
                    "currency": invoice.currency,
                    "customer": invoice.customer.external_id,
                    "due_at": invoice.due_at.isoformat() if invoice.due_at else None,
                },
                "occurred_at": as_of,
            }
            for invoice in invoices
        ],
        actor=actor,
    )
    latest: dict[int, datetime] = {}
    for invoice in invoices:
        latest[invoice.customer_id] = max(
            invoice.billing_date, latest.get(invoice.customer_id, invoice.billing_date)
        )
    for until in sorted(set(latest.values())):
        Customer.objects.filter(
            pk__in=[c for c, at in latest.items() if at == until],
        ).filter(Q(usage_invoiced_until__isnull=True) | Q(usage_invoiced_until__lt=until)).update(
            usage_invoiced_until=until
        )
    ids = [invoice.pk for invoice in invoices]
    for i in range(0, len(ids), PDF_BATCH):
        transaction.on_commit(partial(_render_soon, ids[i : i + PDF_BATCH]), robust=True)


PDF_BATCH = 10


# --------------------------------------------------------------- after finalization: postings


def _finalized_amounts(invoice: Invoice) -> list[tuple[str, Decimal]]:
    """Receivable = total, revenue = total less its tax, tax payable = the tax; credit from the
    customer's balance settles part of the receivable; a total below zero is moved from the
    receivable to the customer's credit."""
    amounts: list[tuple[str, Decimal]] = [
        (LedgerAccount.RECEIVABLE, invoice.total),
        (LedgerAccount.REVENUE, -(invoice.total - invoice.tax_total)),
        (LedgerAccount.TAX, -invoice.tax_total),
    ]
    if invoice.credit_applied:
        amounts += [
            (LedgerAccount.CUSTOMER_CREDIT, invoice.credit_applied),
            (LedgerAccount.RECEIVABLE, -invoice.credit_applied),
        ]
    if invoice.total < 0:
        amounts += [
            (LedgerAccount.RECEIVABLE, -invoice.total),
            (LedgerAccount.CUSTOMER_CREDIT, invoice.total),
        ]
    return amounts


def _retax(invoices: Sequence[Invoice]) -> None:
    """Lines carry the tax of the customer's rate when they were added; if the customer's rate
    changed since (a new address, exempted), its draft's lines are taxed again at finalization."""
    rates = tax_rates_in_use()
    wanted = {i.pk: tax_rate_of(i.customer, rates) for i in invoices}
    stale = set()
    for invoice_id, rate_id, percentage, inclusive in (
        InvoiceLine.objects.filter(invoice__in=list(wanted))
        .values_list("invoice", "tax_rate", "tax_percentage", "tax_inclusive")
        .distinct()
    ):
        rate = wanted[invoice_id]
        now = (rate.pk, rate.percentage, rate.inclusive) if rate else (None, Decimal(0), False)
        if (rate_id, percentage, inclusive) != now:
            stale.add(invoice_id)
    if stale:
        by_id = {i.pk: i for i in invoices}
        lines = [
            _taxed(line, wanted[line.invoice_id], by_id[line.invoice_id].currency)
            for line in InvoiceLine.objects.filter(invoice__in=stale)
        ]
        bulk_update(lines, ["tax_rate", "tax_percentage", "tax_inclusive", "tax_amount"])


def credited_total(invoice: Invoice) -> Decimal:
    return invoice.credit_notes.aggregate(t=Sum("total"))["t"] or Decimal(0)


def outstanding_of(invoice: Invoice) -> Decimal:
    """What the customer still owes on a finalized invoice: its amount due less the credit
    notes against it (their parts that reduced the receivable); payments come with the payments
    issue."""
    if invoice.status == InvoiceStatus.PAID:
        return Decimal(0)
    notes = invoice.credit_notes.aggregate(t=Sum("total"), b=Sum("to_balance"))
    return invoice.amount_due - ((notes["t"] or Decimal(0)) - (notes["b"] or Decimal(0)))


def invoice_void(*, invoice_id: int, as_of: datetime, actor: Actor, reason: str) -> Invoice:
    """Void an open invoice that nothing has been credited against: its posting is reversed.
    The invoice stays, marked void, with its number (the series keeps no gap)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        invoice = _locked_invoice(invoice_id)
        _move(invoice, InvoiceStatus.VOID)
        if credited_total(invoice):
            raise Conflict("Credit notes were issued against this invoice: credit the rest.")
        invoice.voided_at = as_of
        invoice.updated_at = as_of
        invoice.save()
        ledger_post(
            customer=invoice.customer,
            currency=invoice.currency,
            amounts=[(account, -amount) for account, amount in _finalized_amounts(invoice)],
            document_type="invoice",
            document_id=invoice.pk,
            memo=f"invoice {invoice.number} voided: {reason}",
            at=as_of,
        )
        if invoice.credit_applied:  # the credit it took from the balance goes back
            balance_moves_record(
                [BalanceMove(invoice.customer, invoice.credit_applied, BalanceKind.RESTORED,
                             "invoice", invoice.pk, f"invoice {invoice.number} voided")],
                actor=actor,
                at=as_of,
            )  # fmt: skip
        journal_write(
            type="invoice.voided",
            subject_type="invoice",
            subject_id=invoice.pk,
            payload={"number": invoice.number, "reason": reason},
            actor=actor,
            occurred_at=as_of,
        )
    return invoice


def invoice_mark_uncollectible(
    *, invoice_id: int, as_of: datetime, actor: Actor, reason: str
) -> Invoice:
    """Write the outstanding amount off to bad debt."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        invoice = _locked_invoice(invoice_id)
        _move(invoice, InvoiceStatus.UNCOLLECTIBLE)
        outstanding = outstanding_of(invoice)
        invoice.updated_at = as_of
        invoice.save()
        ledger_post(
            customer=invoice.customer,
            currency=invoice.currency,
            amounts=[
                (LedgerAccount.BAD_DEBT, outstanding),
                (LedgerAccount.RECEIVABLE, -outstanding),
            ],
            document_type="invoice",
            document_id=invoice.pk,
            memo=f"invoice {invoice.number} uncollectible: {reason}",
            at=as_of,
        )
        journal_write(
            type="invoice.marked_uncollectible",
            subject_type="invoice",
            subject_id=invoice.pk,
            payload={"number": invoice.number, "outstanding": str(outstanding), "reason": reason},
            actor=actor,
            occurred_at=as_of,
        )
    return invoice


def _move(invoice: Invoice, to: str) -> None:
    if to not in INVOICE_TRANSITIONS[invoice.status]:
        raise TransitionNotAllowed(f"A {invoice.status} invoice cannot become {to}.")
    invoice.status = to


def credit_note_issue(
    *,
    invoice_id: int,
    as_of: datetime,
    actor: Actor,
    reason: str,
    lines: Sequence[tuple[int, Decimal]] | None = None,
) -> CreditNote:
    """Credit a finalized invoice: wholly (no `lines`: every line's remaining amount), or by
    (invoice line id, amount). Never more than a line's amount, nor than the invoice's total."""
    if not reason.strip():
        raise ValidationFailed("A credit note needs its reason.", field="reason", code="required")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        invoice = _locked_invoice(invoice_id)
        if invoice.status not in (InvoiceStatus.OPEN, InvoiceStatus.PAID):
            raise TransitionNotAllowed(f"A {invoice.status} invoice cannot be credited.")
        credited = {
            row["invoice_line"]: row["t"]
            for row in CreditNoteLine.objects.filter(credit_note__invoice=invoice)
            .values("invoice_line")
            .annotate(t=Sum("amount"))
        }
        by_id = {line.pk: line for line in invoice.lines.all()}
        wanted = (
            lines
            if lines is not None
            else [
                (line.pk, line.amount - credited.get(line.pk, Decimal(0)))
                for line in by_id.values()
            ]
        )
        credit_lines = []
        for index, (line_id, amount) in enumerate(wanted):
            line = by_id.get(line_id)
            field = f"lines[{index}]"
            if line is None:
                raise ValidationFailed(f"Line {line_id} is not on {invoice}.", field=field)
            left = line.amount - credited.get(line_id, Decimal(0))
            if amount <= 0 and lines is not None:
                raise ValidationFailed("A credited amount is positive.", field=f"{field}.amount")
            if quantize(amount, invoice.currency) != amount:
                raise ValidationFailed(
                    f"{amount} has more decimals than {invoice.currency} allows.",
                    field=f"{field}.amount",
                )
            if amount > left:
                raise ValidationFailed(
                    f"{amount} exceeds what is left to credit on line {line_id} ({left}).",
                    field=f"{field}.amount",
                    code="exceeds_invoice",
                )
            if amount > 0 or (lines is None and amount < 0):  # a whole credit nets discounts
                credit_lines.append((line, amount))
        total = sum((amount for _, amount in credit_lines), Decimal(0))
        if total <= 0:
            raise ValidationFailed("Nothing is left to credit on this invoice.", field="lines")
        if total > invoice.total - credited_total(invoice):
            raise ValidationFailed(
                "The credit exceeds what is left of the invoice.",
                field="lines",
                code="exceeds_invoice",
            )
        note = _issue_credit_note(
            invoice, [(line.pk, amount) for line, amount in credit_lines], as_of, actor, reason
        )
    return note


# ------------------------------------------------------------------------------------- PDF


def _render_soon(invoice_ids: list[int]) -> None:
    """After commit: a worker renders the PDFs (finalization never waits for them)."""
    from invoicing.tasks import invoice_render_pdfs_task

    invoice_render_pdfs_task.delay(invoice_ids)


def invoice_render_pdf(*, invoice_id: int, as_of: datetime) -> Invoice:
    """Render and store a finalized invoice's PDF once, with its SHA-256. An invoice that has
    one keeps it: the stored document is what was issued."""
    with transaction.atomic(durable=True):
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if invoice.pdf:
            return invoice
        if invoice.status == InvoiceStatus.DRAFT:
            raise TransitionNotAllowed("A draft has no PDF: finalize it first.")
        data = pdf.render_pdf(pdf.invoice_html(invoice))
        invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(data), save=False)
        invoice.pdf_sha256 = pdf.checksum(data)
        invoice.pdf_rendered_at = as_of
        invoice.save(update_fields=["pdf", "pdf_sha256", "pdf_rendered_at"])
    return invoice


def _tax_share(line: InvoiceLine, amount: Decimal, currency: str) -> Decimal:
    """The tax in crediting `amount` of a line: the line's tax in proportion, rounded once; the
    whole rest of the line credits the whole rest of its tax."""
    if not line.tax_amount or not line.amount:
        return Decimal(0)
    if amount == line.amount:
        return line.tax_amount
    return quantize(line.tax_amount * amount / line.amount, currency)


def _issue_credit_note(
    invoice: Invoice,
    parts: Sequence[tuple[int, Decimal]],
    as_of: datetime,
    actor: Actor,
    reason: str,
) -> CreditNote:
    """Number, store, post and journal a credit note (checks are the caller's)."""
    lines = {line.pk: line for line in invoice.lines.filter(pk__in=[pk for pk, _ in parts])}
    taxes = {pk: _tax_share(lines[pk], amount, invoice.currency) for pk, amount in parts}
    amount_total = sum((amount for _, amount in parts), Decimal(0))
    tax_total = sum(taxes.values(), Decimal(0))
    exclusive = sum((taxes[pk] for pk, _ in parts if not lines[pk].tax_inclusive), Decimal(0))
    total = amount_total + exclusive
    to_balance = max(total - max(outstanding_of(invoice), Decimal(0)), Decimal(0))
    note = CreditNote.objects.create(
        invoice=invoice,
        number=_next_number("CN", as_of.year),
        currency=invoice.currency,
        total=total,
        tax_total=tax_total,
        to_balance=to_balance,
        reason=reason,
        issued_at=as_of,
        issued_by=actor.label,
    )
    CreditNoteLine.objects.bulk_create(
        CreditNoteLine(
            credit_note=note,
            invoice_line_id=pk,
            description=lines[pk].description,
            amount=amount,
            tax_amount=taxes[pk],
        )
        for pk, amount in parts
    )
    ledger_post(
        customer=invoice.customer,
        currency=invoice.currency,
        amounts=[
            (LedgerAccount.REVENUE, total - tax_total),
            (LedgerAccount.TAX, tax_total),
            (LedgerAccount.RECEIVABLE, -(total - to_balance)),
            (LedgerAccount.CUSTOMER_CREDIT, -to_balance),
        ],
        document_type="credit_note",
        document_id=note.pk,
        memo=f"credit note {note.number} on {invoice.number}: {reason}",
        at=as_of,
    )
    if to_balance:  # beyond what was still owed: the customer keeps it as credit
        balance_moves_record(
            [BalanceMove(invoice.customer, to_balance, BalanceKind.CREDIT_NOTE, "credit_note",
                         note.pk, f"credit note {note.number}")],
            actor=actor,
            at=as_of,
        )  # fmt: skip
    journal_write(
        type="credit_note.created",
        subject_type="invoice",
        subject_id=invoice.pk,
        payload={
            "credit_note": note.number,
            "invoice": invoice.number,
            "total": str(total),
            "reason": reason,
        },
        actor=actor,
        occurred_at=as_of,
    )
    return note


# ------------------------------------------------------------------ drafts: one-off lines, preview


def invoice_line_add(
    *,
    invoice_id: int,
    description: str,
    amount: Decimal,
    quantity: Decimal,
    as_of: datetime,
    actor: Actor,
) -> InvoiceLine:
    """A one-off line on a draft (a setup fee, a goodwill credit): amount is per unit, the line is
    quantity x amount rounded once."""
    if not description.strip():
        raise ValidationFailed("A line needs a description.", field="description", code="required")
    if quantity <= 0:
        raise ValidationFailed("quantity is positive.", field="quantity", code="min_value")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="one-off line"):
        invoice = _locked_draft(invoice_id)
        return _store_on_draft(
            invoice,
            InvoiceLine(
                kind=LineKind.ONE_OFF,
                description=description.strip(),
                quantity=quantity,
                unit_amount=amount,
                amount=quantize(quantity * amount, invoice.currency),
                explanation={"formula": f"{quantity} x {amount}", "added_by": actor.label},
            ),
            as_of,
        )


def _locked_draft(invoice_id: int) -> Invoice:
    invoice = _locked_invoice(invoice_id)
    if invoice.status != InvoiceStatus.DRAFT:
        raise TransitionNotAllowed("Only a draft takes new lines; credit or correct instead.")
    return invoice


def _store_on_draft(invoice: Invoice, line: InvoiceLine, as_of: datetime) -> InvoiceLine:
    """A hand-added line after the draft's last one, taxed as its other lines; totals again."""
    line.invoice = invoice
    line.position = invoice.lines.count()
    _taxed(line, tax_rate_of(invoice.customer), invoice.currency).save()
    _recompute_totals(invoice)
    invoice.updated_at = as_of
    invoice.save()
    return line


def invoice_addon_add(
    *,
    invoice_id: int,
    addon_code: str,
    quantity: Decimal,
    as_of: datetime,
    actor: Actor,
) -> InvoiceLine:
    """An add-on from the catalog on a draft: quantity x its price, rounded once, taxed as the
    customer's other lines."""
    if quantity <= 0:
        raise ValidationFailed("quantity is positive.", field="quantity", code="min_value")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="add-on"):
        invoice = _locked_draft(invoice_id)
        addon = AddOn.objects.filter(code=addon_code, archived_at__isnull=True).first()
        if addon is None:
            raise NotFound(f"No add-on {addon_code!r}.", field="add_on")
        if addon.currency != invoice.currency:
            raise ValidationFailed(
                f"The add-on is priced in {addon.currency}, the invoice is in {invoice.currency}.",
                field="add_on",
                code="currency_mismatch",
            )
        return _store_on_draft(
            invoice,
            InvoiceLine(
                kind=LineKind.ADD_ON,
                description=f"{addon.name} x {plain(quantity)}",
                quantity=quantity,
                unit_amount=addon.amount,
                amount=quantize(quantity * addon.amount, invoice.currency),
                explanation={
                    "add_on": addon.code,
                    "formula": f"{plain(quantity)} x {plain(addon.amount)}",
                    "added_by": actor.label,
                },
            ),
            as_of,
        )


def invoice_line_remove(*, invoice_id: int, line_id: int, as_of: datetime, actor: Actor) -> None:
    with (
        transaction.atomic(durable=True),
        audit_context(actor=actor, reason="one-off line removed"),
    ):
        invoice = _locked_invoice(invoice_id)
        if invoice.status != InvoiceStatus.DRAFT:
            raise TransitionNotAllowed("A finalized invoice never changes.")
        deleted, _ = invoice.lines.filter(
            pk=line_id, kind__in=[LineKind.ONE_OFF, LineKind.ADD_ON], subscription__isnull=True
        ).delete()
        if not deleted:
            raise NotFound(
                "No one-off or add-on line with that id on this draft (billed lines stay)."
            )
        _recompute_totals(invoice)
        invoice.updated_at = as_of
        invoice.save()


def upcoming_invoice(*, customer_id: int, as_of: datetime) -> dict[str, Any]:
    """What the customer would be billed if its current periods ended now: each live
    subscription's usage so far, its period's fee, and its pending proration lines."""
    customer = Customer.objects.get(pk=customer_id)
    lines: list[builder.LineSpec] = []
    subs = Subscription.objects.filter(customer=customer, status__in=BILLABLE).select_related(
        "plan", "plan_version__plan", "customer"
    )
    redemptions = active_redemptions([customer.pk]).get(customer.pk, [])
    rate = tax_rate_of(customer)
    for sub in subs:
        period = sub.period_at(sub.current_period_start)
        so_far = Period(period.start, min(as_of, period.end), period.index)
        fee = builder.fee_line(
            sub, period, max(sub.fee_since, period.start), period.end, sub.plan_version.fee_timing
        )
        specs = [*([fee] if fee else []), *builder.usage_lines(sub, so_far)]
        specs += builder.proration_lines(sub)
        lines += specs + [spec for spec, _ in builder.discount_lines(sub, specs, redemptions, 0)]
    rows: list[dict[str, Any]] = []
    for line in lines:
        tax = line_tax(
            line.amount,
            rate.percentage if rate else Decimal(0),
            rate.inclusive if rate else False,
            customer.currency,
        )
        rows.append(
            {
                "kind": line.kind,
                "description": line.description,
                "quantity": line.quantity,
                "amount": line.amount,
                "tax_amount": tax.amount,
                "period_start": line.period_start,
                "period_end": line.period_end,
                "explanation": line.explanation,
                "exclusive_tax": tax.exclusive_amount,
            }
        )
    subtotal = sum((row["amount"] for row in rows), Decimal(0))
    tax_total = sum((row["tax_amount"] for row in rows), Decimal(0))
    total = subtotal + sum((row.pop("exclusive_tax") for row in rows), Decimal(0))
    credit = min(customer.balance, total) if total > 0 else Decimal(0)
    return {
        "customer": customer.external_id,
        "currency": customer.currency,
        "as_of": as_of,
        "lines": rows,
        "subtotal": subtotal,
        "tax_total": tax_total,
        "tax_rate": str(rate) if rate else None,
        "total": total,
        "credit_applied": credit,
        "amount_due": max(total - credit, Decimal(0)),
    }


def invoice_drafts_refresh(*, customer_id: int, as_of: datetime) -> list[int]:
    """Re-rate the usage lines of the customer's draft invoices from the events stored now (late
    events in the grace period land in the draft). Runs inside the caller's transaction (the
    journal handler's); returns the refreshed invoice ids."""
    Customer.objects.select_for_update().get(pk=customer_id)
    refreshed = []
    drafts = Invoice.objects.select_for_update().filter(
        customer_id=customer_id, status=InvoiceStatus.DRAFT
    )
    for invoice in drafts:
        billed = BilledPeriod.objects.filter(
            invoice=invoice, kind=BilledPeriod.Kind.PERIOD_END
        ).select_related(
            "subscription__plan", "subscription__plan_version__plan", "subscription__customer"
        )
        for item in billed:
            sub = item.subscription
            period = Period(item.period_start, item.period_end, -2)
            old = invoice.lines.filter(
                subscription=sub,
                kind__in=[LineKind.USAGE, LineKind.MINIMUM],
                period_start=item.period_start,
            )
            position = min((line.position for line in old), default=invoice.lines.count())
            old.delete()
            _add_lines(
                invoice,
                sub,
                builder.usage_lines(sub, period),
                position=position,
                note={"refreshed_at": as_of.isoformat()},
            )
            _refresh_discounts(invoice, sub, as_of)
        _recompute_totals(invoice)
        invoice.updated_at = as_of
        invoice.save()
        refreshed.append(invoice.pk)
    return refreshed


def _refresh_discounts(invoice: Invoice, sub: Subscription, as_of: datetime) -> None:
    """After a draft's usage changed: its coupon discounts for the subscription, again."""
    old = list(invoice.lines.filter(subscription=sub, kind=LineKind.DISCOUNT))
    if not old:
        return
    ids = {line.explanation.get("redemption_id") for line in old}
    redemptions = list(
        CouponRedemption.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("coupon")
        .prefetch_related("coupon__plans")
        .order_by("redeemed_at", "id")
    )
    specs = [
        builder.LineSpec(kind=line.kind, description=line.description, amount=line.amount,
                         period_start=line.period_start, period_end=line.period_end)
        for line in invoice.lines.filter(subscription=sub, kind__in=builder.DISCOUNTED)
    ]  # fmt: skip
    new = builder.discount_lines(sub, specs, redemptions, invoice.pk, again=True)
    for r in redemptions:
        before = sum(
            (-line.amount for line in old if line.explanation.get("redemption_id") == r.pk),
            Decimal(0),
        )
        after = sum((-spec.amount for spec, x in new if x.pk == r.pk), Decimal(0))
        r.amount_discounted += after - before
    bulk_update(redemptions, ["amount_discounted"])
    position = min(line.position for line in old)
    InvoiceLine.objects.filter(pk__in=[line.pk for line in old]).delete()
    _add_lines(invoice, sub, [spec for spec, _ in new], position=position,
               note={"refreshed_at": as_of.isoformat()})  # fmt: skip


def on_usage_for_draft(event: Any) -> None:
    """Journal handler of `usage.received_for_draft` (registered by InvoicingConfig.ready)."""
    invoice_drafts_refresh(customer_id=int(event.subject_id), as_of=event.occurred_at)


# ------------------------------------------------------------------------------- corrections


def corrections_propose(
    *,
    customer_id: int,
    start: datetime,
    end: datetime,
    as_of: datetime,
    actor: Actor,
    metric_code: str | None = None,
) -> list[Correction]:
    """Re-rate every finalized, billed period of the customer that overlaps [start, end) with the
    events stored now and the price books it was billed with; record one correction per metric
    that differs (applied at once when CORRECTIONS_AUTO_APPLY, else proposed). Runs inside the
    caller's transaction."""
    found: list[Correction] = []
    billed = BilledPeriod.objects.filter(
        subscription__customer_id=customer_id,
        kind=BilledPeriod.Kind.PERIOD_END,
        period_start__lt=end,
        period_end__gt=start,
        invoice__status__in=[InvoiceStatus.OPEN, InvoiceStatus.PAID],
    ).select_related(
        "invoice",
        "subscription__plan",
        "subscription__plan_version__plan",
        "subscription__customer",
    )
    for item in billed:
        sub, invoice = item.subscription, item.invoice
        period = Period(item.period_start, item.period_end, -2)
        now_lines = builder.usage_lines(sub, period)
        metrics = {line.metric_code for line in now_lines}
        for metric in sorted(metrics if metric_code is None else metrics & {metric_code}):
            recomputed = sum((x.amount for x in now_lines if x.metric_code == metric), Decimal(0))
            invoiced = invoice.lines.filter(
                subscription=sub,
                metric_code=metric,
                period_start=item.period_start,
                kind__in=[LineKind.USAGE, LineKind.MINIMUM],
            ).aggregate(t=Sum("amount"))["t"] or Decimal(0)
            settled = Correction.objects.filter(
                invoice=invoice,
                subscription=sub,
                metric_code=metric,
                period_start=item.period_start,
                status=Correction.Status.APPLIED,
            ).aggregate(t=Sum("difference"))["t"] or Decimal(0)
            factor, coupons = _percent_discounts(invoice, sub)
            difference = quantize((recomputed - invoiced) * factor, invoice.currency) - settled
            if not difference:
                continue
            pending = Correction.objects.filter(
                invoice=invoice,
                subscription=sub,
                metric_code=metric,
                period_start=item.period_start,
                status=Correction.Status.PROPOSED,
            )
            pending.delete()  # superseded by this newer re-rating
            correction = Correction.objects.create(
                invoice=invoice,
                subscription=sub,
                metric_code=metric,
                period_start=item.period_start,
                period_end=item.period_end,
                invoiced=invoiced + settled,
                recomputed=recomputed,
                difference=difference,
                status=Correction.Status.PROPOSED,
                created_at=as_of,
                explanation={
                    "lines_now": [x.explanation for x in now_lines if x.metric_code == metric],
                    "rule": "re-rated with the events stored now and the price book billed",
                    **(
                        {"percent_coupons": coupons, "discount_factor": str(factor)}
                        if coupons
                        else {}
                    ),
                },
            )
            if settings.CORRECTIONS_AUTO_APPLY:
                _apply_correction(correction, as_of, actor)
            found.append(correction)
    return found


def _percent_discounts(invoice: Invoice, sub: Subscription) -> tuple[Decimal, list[str]]:
    """The share of a usage difference the customer pays after the percentage coupons that
    discounted this subscription's lines on the invoice (fixed amounts do not follow usage)."""
    factor, codes = Decimal(1), []
    for line in invoice.lines.filter(subscription=sub, kind=LineKind.DISCOUNT):
        percent = line.explanation.get("percent_off")
        if percent:
            factor *= 1 - Decimal(percent) / 100
            codes.append(str(line.explanation.get("coupon")))
    return factor, codes


def _apply_correction(correction: Correction, as_of: datetime, actor: Actor) -> None:
    invoice = correction.invoice
    reason = (
        f"re-rating of {correction.metric_code} for "
        f"{correction.period_start:%Y-%m-%d} to {correction.period_end:%Y-%m-%d}"
    )
    if correction.difference < 0:
        credit = -correction.difference
        lines = invoice.lines.filter(
            subscription=correction.subscription,
            metric_code=correction.metric_code,
            period_start=correction.period_start,
            kind__in=[LineKind.USAGE, LineKind.MINIMUM],
        ).order_by("-amount")
        parts = []
        for line in lines:
            take = min(credit, line.amount)
            if take > 0:
                parts.append((line.pk, take))
                credit -= take
        correction.credit_note = _issue_credit_note(invoice, parts, as_of, actor, reason)
    else:
        supplement = Invoice.objects.create(
            customer=invoice.customer,
            currency=invoice.currency,
            billing_date=as_of,
            grace_until=as_of,
            corrects=invoice,
            created_at=as_of,
            updated_at=as_of,
        )
        _taxed(
            InvoiceLine(
                invoice=supplement,
                subscription=correction.subscription,
                kind=LineKind.USAGE,
                description=f"Correction of {invoice.number}: {correction.metric_code}",
                amount=correction.difference,
                period_start=correction.period_start,
                period_end=correction.period_end,
                metric_code=correction.metric_code,
                explanation={
                    "corrects": invoice.number,
                    "invoiced": str(correction.invoiced),
                    "recomputed": str(correction.recomputed),
                    "reason": reason,
                    **{k: v for k, v in correction.explanation.items() if k != "lines_now"},
                },
            ),
            tax_rate_of(invoice.customer),
            invoice.currency,
        ).save()
        _recompute_totals(supplement)
        supplement.save()
        journal_write(
            type="invoice.created",
            subject_type="invoice",
            subject_id=supplement.pk,
            payload={"customer": invoice.customer.external_id, "corrects": invoice.number},
            actor=actor,
            occurred_at=as_of,
        )
        correction.supplementary_invoice = supplement
    correction.status = Correction.Status.APPLIED
    correction.applied_at = as_of
    correction.applied_by = actor.label
    correction.save()


def correction_apply(*, correction_id: int, as_of: datetime, actor: Actor) -> Correction:
    """Finance approves a proposed correction: its document is issued now."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="correction"):
        correction = (
            Correction.objects.select_for_update().select_related("invoice").get(pk=correction_id)
        )
        if correction.status != Correction.Status.PROPOSED:
            raise TransitionNotAllowed(f"This correction is {correction.status}.")
        _locked_invoice(correction.invoice_id)
        _apply_correction(correction, as_of, actor)
    return correction


def on_late_usage(event: Any) -> None:
    """Journal handler of `usage.late_received`: re-rate the affected finalized periods."""
    payload = event.payload
    corrections_propose(
        customer_id=int(event.subject_id),
        start=datetime.fromisoformat(payload["earliest"]),
        end=datetime.fromisoformat(payload["latest"]) + timedelta(microseconds=1),
        as_of=event.occurred_at,
        actor=CLOCK,
    )


def rerate_scope(
    *,
    customer_ids: Sequence[int],
    start: datetime,
    end: datetime,
    as_of: datetime,
    actor: Actor,
    metric_code: str | None = None,
) -> list[Correction]:
    """Finance re-rates a scope (customers, optionally one metric, a window of periods): each
    finalized period is compared with what it comes to now, and corrections are recorded (and
    applied at once when CORRECTIONS_AUTO_APPLY)."""
    if end <= start:
        raise ValidationFailed("end must come after start.", field="end")
    found: list[Correction] = []
    for customer_id in customer_ids:
        with transaction.atomic(durable=True), audit_context(actor=actor, reason="re-rating"):
            Customer.objects.select_for_update().get(pk=customer_id)
            found += corrections_propose(
                customer_id=customer_id,
                start=start,
                end=end,
                as_of=as_of,
                actor=actor,
                metric_code=metric_code,
            )
    return found
