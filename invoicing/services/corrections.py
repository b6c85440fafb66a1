"""Usage that arrives after its window was billed: re-rating, and the documents that settle it.

Ingestion journals an event whose time falls before the customer's latest billed window's end
(`usage.late_received`, see billing/services/usage.py). Its handler, under the customer's lock,
takes every billed window the events may fall in (BilledPeriod: the only record of what is
billed) and plans its usage again with the events stored now and the price book it was billed
with (the planner, invoicing/planner.py):

- a window still on a draft is refreshed in place (its usage lines, then the draft's
  discounts and totals): nothing is lost whether the draft is later finalized or not;
- a window on a finalized invoice is compared with what was invoiced and corrected so far: one
  `Correction` per metric that differs (and one for the coupon discounts that follow), proposed
  to finance, or applied at once with CORRECTIONS_AUTO_APPLY. Applying issues **one** document
  per original invoice per run: a supplementary invoice linked to it when the net is an
  increase, a credit note on it when it is a decrease. Originals never change.

So each accepted event ends up billed once: on its window's invoice, or in a correction of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum

from billing.models import Subscription
from billing.periods import Period
from billing.selectors import customer_clock_clamp
from billing.services import journal_write, locked_customer
from catalog.models import BillableMetric
from core.audit import CLOCK, Actor, audit_context
from core.exceptions import Conflict, NotFound, TransitionNotAllowed, ValidationFailed
from core.jobs import Progress
from invoicing import planner, selectors
from invoicing.models import (
    BilledPeriod,
    Correction,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
)
from invoicing.planner import LineSpec, Step
from invoicing.services.adjust import issue_credit_note
from invoicing.services.lines import (
    invoice_created,
    line_of,
    locked_invoice,
    recompute_totals,
)
from invoicing.services.writer import draft_windows_rerate
from invoicing.taxes import Rates

CORRECTABLE = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID)
USAGE_KINDS = (LineKind.USAGE, LineKind.MINIMUM)


def usage_rerate(
    *,
    customer_id: int,
    start: datetime,
    end: datetime | None,
    as_of: datetime,
    actor: Actor,
    metric_code: str | None = None,
) -> list[Correction]:
    """Re-rate the customer's billed usage windows that overlap [start, end) (`end` None: every
    window from `start` on) — with `metric_code`, those of invoices that bill that metric:
    drafts refreshed, finalized invoices corrected, each invoice re-rated whole (see the module's
    note). Runs inside the caller's transaction, which holds the customer's lock; returns the
    corrections recorded."""
    touched = BilledPeriod.objects.filter(
        subscription__customer_id=customer_id,
        kind=BilledPeriod.Kind.PERIOD_END,
        invoice__isnull=False,
        period_end__gt=start,
    )
    if end is not None:
        touched = touched.filter(period_start__lt=end)
    if metric_code:
        touched = touched.filter(
            invoice__lines__metric_code=metric_code, invoice__lines__kind=LineKind.USAGE
        )
    invoice_ids = set(touched.values_list("invoice_id", flat=True))
    invoices = {
        i.pk: i
        for i in Invoice.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk__in=invoice_ids)
        .order_by("pk")
    }
    by_invoice: dict[int, list[BilledPeriod]] = {}
    windows = BilledPeriod.objects.filter(
        invoice__in=list(invoices), kind=BilledPeriod.Kind.PERIOD_END
    ).select_related("plan_version__plan__product")
    for item in windows.order_by("invoice_id", "period_start", "id"):
        assert item.invoice_id is not None
        by_invoice.setdefault(item.invoice_id, []).append(item)
    found: list[Correction] = []
    for invoice_id, items in sorted(by_invoice.items()):
        invoice = invoices[invoice_id]
        if invoice.status == InvoiceStatus.DRAFT:
            draft_windows_rerate(invoice, items, as_of)
        elif invoice.status in CORRECTABLE:
            found += _propose(invoice, items, as_of, actor)
    return found


def _states(windows: Sequence[BilledPeriod]) -> dict[int, tuple[Step, Any]]:
    """Each window as a step of its subscription priced with the book it was billed with."""
    subs = {
        s.pk: s
        for s in Subscription.objects.filter(
            pk__in={w.subscription_id for w in windows}
        ).select_related("plan", "plan_version__plan__product", "customer")
    }
    found = {}
    for w in windows:
        state = subs[w.subscription_id].state()
        if w.plan_version is not None:
            state = replace(state, book=w.plan_version.book())
        step = Step(state.id, planner.PERIOD_END, Period(w.period_start, w.period_end, -2),
                    w.period_end)  # fmt: skip
        found[w.pk] = (step, state)
    return found


def _propose(
    invoice: Invoice,
    windows: Sequence[BilledPeriod],
    as_of: datetime,
    actor: Actor,
) -> list[Correction]:
    """Compare all of a finalized invoice's billed windows with what they come to now; record
    the differences (superseding the corrections still proposed for it, which this run computes
    again), applied at once with CORRECTIONS_AUTO_APPLY."""
    steps = _states(windows)
    charges = selectors.charge_terms({state.book.id for _, state in steps.values()})
    usage = selectors.usage_of(planner.usage_windows(steps.values(), charges), charges)
    stored = list(invoice.lines.select_related("plan_version").order_by("position", "id"))
    settled = _settled(invoice)
    now: dict[tuple[int, datetime, str], list[LineSpec]] = {}
    interim = selectors.interim_billed((w.subscription_id, w.period_start) for w in windows)
    for w in windows:
        step, state = steps[w.pk]
        early = interim.get((w.subscription_id, w.period_start), {})  # billed before its end
        specs = planner.usage_lines(state, step.window, charges[state.book.id], usage, early)
        if state.book.minimum_commitment is not None:  # the plan's true-up, metric code ""
            period = state.period_at(step.window.start)
            fees = selectors.period_fees([(state.id, period)], invoice_id=invoice.pk)
            true_up = planner.commitment_line(
                state, step.window, [*fees.get((state.id, period.start), []),
                                     *[planner.interim_spec(state, step.window, b)
                                       for b in early.values()], *specs],
            )  # fmt: skip
            specs += [true_up] if true_up else []
        for spec in specs:
            now.setdefault((w.subscription_id, w.period_start, spec.metric_code), []).append(spec)
    billed: dict[tuple[int, datetime, str], list[InvoiceLine]] = {}
    for line in stored:
        if line.kind in USAGE_KINDS and line.subscription_id and line.period_start:
            if planner.is_interim(line.explanation):  # billed before the period's end: the
                continue  # recomputed line is net of it (InterimBilling), not a correction's
            key = (line.subscription_id, line.period_start, line.metric_code)
            billed.setdefault(key, []).append(line)
    ends = {(w.subscription_id, w.period_start): w.period_end for w in windows}
    rows: list[Correction] = []
    replaced: list[LineSpec] = []
    for key in sorted(set(now) | {k for k in billed if (k[0], k[1]) in ends}):
        sub_id, period_start, metric = key
        recomputed = sum((s.amount for s in now.get(key, [])), Decimal(0))
        invoiced = sum((line.amount for line in billed.get(key, [])), Decimal(0))
        replaced += now.get(key, [])
        difference = recomputed - invoiced - settled.get((Correction.Kind.USAGE, *key), Decimal(0))
        if difference:
            rows.append(
                Correction(
                    invoice=invoice,
                    subscription_id=sub_id,
                    kind=Correction.Kind.USAGE,
                    metric_code=metric,
                    period_start=period_start,
                    period_end=ends[(sub_id, period_start)],
                    invoiced=invoiced + settled.get((Correction.Kind.USAGE, *key), Decimal(0)),
                    recomputed=recomputed,
                    quantity=next(
                        (s.quantity for s in now.get(key, []) if s.kind == LineKind.USAGE), None
                    ),
                    difference=difference,
                    status=Correction.Status.PROPOSED,
                    created_at=as_of,
                    explanation={
                        "rule": "re-rated with the events stored now and the price book billed",
                        "lines_now": [s.explanation for s in now.get(key, [])],
                    },
                )
            )
    rows += _discount_rows(invoice, stored, replaced, windows, settled, as_of)
    Correction.objects.filter(invoice=invoice, status=Correction.Status.PROPOSED).delete()
    created = Correction.objects.bulk_create(rows)
    if created and settings.CORRECTIONS_AUTO_APPLY:
        _issue_document(invoice, created, as_of, actor)
    return created


def _settled(invoice: Invoice) -> dict[tuple[str, int, datetime | None, str], Decimal]:
    """What the corrections applied so far to an invoice settled, by (kind, subscription, window
    start, metric); discounts by (kind, subscription, None, "")."""
    found: dict[tuple[str, int, datetime | None, str], Decimal] = {}
    applied = Correction.objects.filter(invoice=invoice, status=Correction.Status.APPLIED)
    for kind, sub_id, start, metric, total in (
        applied.values("kind", "subscription_id", "period_start", "metric_code")
        .annotate(t=Sum("difference"))
        .values_list("kind", "subscription_id", "period_start", "metric_code", "t")
    ):
        key = (kind, sub_id, None if kind == Correction.Kind.DISCOUNT else start, metric)
        found[key] = found.get(key, Decimal(0)) + total
    return found


def _discount_rows(
    invoice: Invoice,
    stored: Sequence[InvoiceLine],
    replaced: Sequence[LineSpec],
    windows: Sequence[BilledPeriod],
    settled: dict[tuple[str, int, datetime | None, str], Decimal],
    as_of: datetime,
) -> list[Correction]:
    """The coupons that discounted the invoice, computed again on its lines with the usage of
    the re-rated windows now: one correction per subscription whose discount changed."""
    before = [line for line in stored if line.kind == LineKind.DISCOUNT]
    if not before:
        return []
    coupons = [
        c
        for c in selectors.coupons_of([invoice.customer_id], [invoice.pk]).get(
            invoice.customer_id, []
        )
        if invoice.pk in c.discounted
    ]
    touched = {(w.subscription_id, w.period_start) for w in windows}
    kept = [
        spec
        for spec in selectors.line_specs(line for line in stored if line.kind != LineKind.DISCOUNT)
        if not (
            spec.kind in USAGE_KINDS
            and (spec.subscription_id, spec.period_start) in touched
            and not planner.is_interim(spec.explanation)  # billed before its end: not re-rated
        )
    ]
    lines = kept + [s for s in replaced if (s.subscription_id, s.period_start) in touched]
    now = planner.invoice_discounts(lines, coupons, invoice.currency)
    rows = []
    for sub_id in sorted({line.subscription_id for line in before if line.subscription_id}):
        was = sum((line.amount for line in before if line.subscription_id == sub_id), Decimal(0))
        was += settled.get((Correction.Kind.DISCOUNT, sub_id, None, ""), Decimal(0))
        will = sum((s.amount for s in now if s.subscription_id == sub_id), Decimal(0))
        if will == was:
            continue
        mine = [w for w in windows if w.subscription_id == sub_id] or list(windows)
        rows.append(
            Correction(
                invoice=invoice,
                subscription_id=sub_id,
                kind=Correction.Kind.DISCOUNT,
                metric_code="",
                period_start=min(w.period_start for w in mine),
                period_end=max(w.period_end for w in mine),
                invoiced=was,
                recomputed=will,
                difference=will - was,
                status=Correction.Status.PROPOSED,
                created_at=as_of,
                explanation={
                    "rule": "the invoice's coupons on its lines with the usage re-rated",
                    "discounts_now": [s.explanation for s in now if s.subscription_id == sub_id],
                },
            )
        )
    return rows


def _issue_document(
    invoice: Invoice, corrections: Sequence[Correction], as_of: datetime, actor: Actor
) -> None:
    """One document settles the corrections of one original invoice: a supplementary invoice
    linked to it for a net increase, a credit note on it for a net decrease (each correction a
    line of it); a net of zero (a coupon absorbing the change) needs none."""
    net = sum((c.difference for c in corrections), Decimal(0))
    reason = "re-rating of usage for " + ", ".join(
        sorted({f"{c.period_start:%Y-%m-%d} to {c.period_end:%Y-%m-%d}" for c in corrections})
    )
    if net > 0:
        supplement = _supplementary_invoice(invoice, corrections, as_of, actor, reason)
        for c in corrections:
            c.supplementary_invoice = supplement
    elif net < 0:
        note = issue_credit_note(invoice, _credit_parts(invoice, corrections), as_of, actor, reason)
        for c in corrections:
            c.credit_note = note
    for c in corrections:
        c.status = Correction.Status.APPLIED
        c.applied_at = as_of
        c.applied_by = actor.label
        c.save()


def _supplementary_invoice(
    invoice: Invoice,
    corrections: Sequence[Correction],
    as_of: datetime,
    actor: Actor,
    reason: str,
) -> Invoice:
    supplement = Invoice.objects.create(
        customer=invoice.customer,
        kind=InvoiceKind.CORRECTION,
        currency=invoice.currency,
        billing_date=as_of,
        grace_until=as_of,
        corrects=invoice,
        created_at=as_of,
        updated_at=as_of,
    )
    books = dict(
        invoice.lines.filter(plan_version__isnull=False).values_list(
            "subscription_id", "plan_version_id"
        )
    )
    # a correction is taxed like the lines it corrects: a usage correction at the rate set in the
    # catalog on the usage lines of its metric and window; a coupon correction split by rate over
    # what changed its discount (`_discount_covered`), never the address rate by default
    usage_rates: dict[tuple[Any, ...], set[int | None]] = {}
    usage_terms: dict[tuple[Any, ...], tuple[int | None, int | None]] = {}  # charge, plan
    discounted: dict[int | None, dict[int | None, Decimal]] = {}  # sub -> rate -> discount
    for sub_id, kind, start, metric, set_rate, charge_id, plan_id, amount in invoice.lines.filter(
        kind__in=[*USAGE_KINDS, LineKind.DISCOUNT]
    ).values_list(
        "subscription_id", "kind", "period_start", "metric_code", "catalog_tax_rate",
        "charge_id", "plan_version__plan_id", "amount",
    ):  # fmt: skip
        if kind == LineKind.DISCOUNT:
            weights = discounted.setdefault(sub_id, {})
            weights[set_rate] = weights.get(set_rate, Decimal(0)) - amount
        else:
            usage_rates.setdefault((sub_id, start, metric), set()).add(set_rate)
            if charge_id is not None or (sub_id, start, metric) not in usage_terms:
                usage_terms[(sub_id, start, metric)] = (charge_id, plan_id)
    coupons = (
        [
            c
            for c in selectors.coupons_of([invoice.customer_id], [invoice.pk]).get(
                invoice.customer_id, []
            )
            if invoice.pk in c.discounted
        ]
        if any(c.kind == Correction.Kind.DISCOUNT for c in corrections)
        else []
    )

    def usage_rate(key: tuple[Any, ...]) -> int | None:
        found = usage_rates.get(key, {None})
        return next(iter(found)) if len(found) == 1 else None

    rates = Rates()
    lines: list[InvoiceLine] = []
    for c in corrections:
        usage = c.kind == Correction.Kind.USAGE
        what = (c.metric_code or "minimum commitment") if usage else "coupon discounts"
        spec = LineSpec(
            kind=LineKind.USAGE if usage else LineKind.DISCOUNT,
            description=f"Correction of {invoice.number}: {what}",
            amount=c.difference,
            period_start=c.period_start,
            period_end=c.period_end,
            metric_code=c.metric_code,
            explanation={
                "corrects": invoice.number,
                "invoiced": str(c.invoiced),
                "recomputed": str(c.recomputed),
                "reason": reason,
                "rule": c.explanation.get("rule", ""),
            },
            subscription_id=c.subscription_id,
            book_id=books.get(c.subscription_id) if usage else None,
        )
        if usage:
            key = (c.subscription_id, c.period_start, c.metric_code)
            specs = [replace(spec, tax_rate_id=usage_rate(key), charge_id=usage_terms.get(
                key, (None, None))[0])]  # fmt: skip
        else:
            covered = _discount_covered(c, corrections, coupons, usage_terms, usage_rate)
            if not covered:  # no usage of it corrected now: the subscription's discount lines
                covered = [
                    (LineSpec(kind=LineKind.DISCOUNT, description="", amount=weight,
                              tax_rate_id=rate_id), weight)
                    for rate_id, weight in discounted.get(c.subscription_id, {}).items()
                ]  # fmt: skip
            specs = planner.discount_by_rate(spec, covered, invoice.currency)
        for part in specs:
            rate = rates.for_line(invoice.customer, part.tax_rate_id)
            lines.append(line_of(part, supplement, len(lines), rate))
    InvoiceLine.objects.bulk_create(lines)
    recompute_totals(supplement)
    supplement.save()
    journal_write(
        **invoice_created(supplement, invoice.customer, corrects=invoice.number), actor=actor
    )
    return supplement


def _discount_covered(
    correction: Correction,
    batch: Sequence[Correction],
    coupons: Sequence[planner.Coupon],
    usage_terms: dict[tuple[Any, ...], tuple[int | None, int | None]],
    usage_rate: Any,
) -> list[tuple[LineSpec, Decimal]]:
    """What changed a coupon correction's discount: the usage corrections of its subscription
    in the same batch that the invoice's coupons cover (a coupon limited to metrics or charges
    covers only theirs), each weighted by its change (usage up, discount down), at the rate of
    the usage lines it corrects, for `planner.discount_by_rate`."""
    covered = []
    for other in batch:
        if other.kind != Correction.Kind.USAGE:
            continue
        if other.subscription_id != correction.subscription_id:
            continue
        key = (other.subscription_id, other.period_start, other.metric_code)
        charge_id, plan_id = usage_terms.get(key, (None, None))
        weight = other.difference if correction.difference < 0 else -other.difference
        line = LineSpec(
            kind=LineKind.USAGE,
            description="",
            amount=weight,
            metric_code=other.metric_code,
            subscription_id=other.subscription_id,
            charge_id=charge_id,
            tax_rate_id=usage_rate(key),
        )
        if any(c.applies(other.subscription_id, plan_id) and c.covers(line) for c in coupons):
            covered.append((line, weight))
    return covered


def _credit_parts(invoice: Invoice, corrections: Sequence[Correction]) -> list[tuple[int, Decimal]]:
    """The credit note's parts on the original's lines: each correction on the lines it
    corrects (its metric's usage and minimum lines of the window, or the subscription's discount
    lines), the largest first; an increase among them is a negative part."""
    parts: dict[int, Decimal] = {}
    for c in corrections:
        if c.kind == Correction.Kind.USAGE:
            lines = list(
                invoice.lines.filter(
                    subscription=c.subscription_id,
                    metric_code=c.metric_code,
                    period_start=c.period_start,
                    kind__in=USAGE_KINDS,
                ).order_by("-amount", "id")
            )
        else:
            lines = list(
                invoice.lines.filter(
                    subscription=c.subscription_id, kind=LineKind.DISCOUNT
                ).order_by("amount", "id")
            )
        if not lines:
            raise ValidationFailed(f"Nothing on {invoice} to credit for {c}.", field="invoice")
        credit = -c.difference
        for line in lines if credit > 0 else ():
            room = line.amount - parts.get(line.pk, Decimal(0))
            take = min(credit, max(room, Decimal(0)))
            if take > 0:
                parts[line.pk] = parts.get(line.pk, Decimal(0)) + take
                credit -= take
        if credit:  # an increase, or more than the lines hold: on the first of them
            parts[lines[0].pk] = parts.get(lines[0].pk, Decimal(0)) + credit
    return [(pk, amount) for pk, amount in parts.items() if amount]


def correction_apply(*, correction_id: int, as_of: datetime, actor: Actor) -> Correction:
    """Finance approves a proposed correction: the document for it and the other corrections
    proposed for the same invoice (one run's) is issued now. Locks the customer, then the
    invoice, then the corrections; the original must still be open or paid."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="correction"):
        invoice_id = (
            Correction.objects.filter(pk=correction_id).values_list("invoice_id", flat=True).first()
        )
        if invoice_id is None:
            raise NotFound(f"No correction with id {correction_id}.")
        invoice = locked_invoice(invoice_id)
        as_of = customer_clock_clamp(invoice.customer, as_of)  # a test customer: its clock's
        batch = list(
            Correction.objects.select_for_update()
            .filter(invoice=invoice, status=Correction.Status.PROPOSED)
            .order_by("id")
        )
        correction = next((c for c in batch if c.pk == correction_id), None)
        if correction is None:
            status = (
                Correction.objects.filter(pk=correction_id).values_list("status", flat=True).first()
            )
            if status is None:  # superseded by a newer re-rating meanwhile
                raise Conflict(
                    "This correction was superseded by a newer re-rating of its invoice: apply "
                    "the one proposed now.",
                    code="superseded",
                )
            raise TransitionNotAllowed(f"This correction is {status}, not proposed.")
        if invoice.status not in CORRECTABLE:
            raise TransitionNotAllowed(
                f"Invoice {invoice.number} is {invoice.status}: a correction applies to an open "
                "or paid invoice only."
            )
        _issue_document(invoice, batch, as_of, actor)
    correction.refresh_from_db()
    return correction


def on_late_usage(event: Any) -> None:
    """Journal handler of `usage.late_received`, in the dispatcher's transaction: the customer
    locked first (as every service that touches its balance), then its billed windows re-rated."""
    payload = event.payload
    customer_id = int(event.subject_id)
    locked_customer(customer_id)
    # a time-weighted or recurring metric carries its level (its quantity) into every later
    # window: they are re-rated too
    carried = (
        BillableMetric.objects.filter(code__in=payload.get("metrics", []))
        .filter(Q(aggregation="weighted_sum") | Q(recurring=True))
        .exists()
    )
    with audit_context(actor=CLOCK, reason="late usage"):
        usage_rerate(
            customer_id=customer_id,
            start=datetime.fromisoformat(payload["earliest"]),
            end=None
            if carried
            else datetime.fromisoformat(payload["latest"]) + timedelta(microseconds=1),
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
    progress: Progress | None = None,
) -> list[Correction]:
    """Finance re-rates a scope (customers, optionally one metric, a window of periods): drafts
    are refreshed, finalized periods compared with what they come to now, and corrections
    recorded (and applied at once when CORRECTIONS_AUTO_APPLY). One transaction per customer;
    `progress` (core.jobs) is advanced by each customer once its transaction has committed."""
    if end <= start:
        raise ValidationFailed("end must come after start.", field="end")
    if progress is not None:
        progress.set_total(len(customer_ids))
    found: list[Correction] = []
    for customer_id in customer_ids:
        with transaction.atomic(durable=True), audit_context(actor=actor, reason="re-rating"):
            customer = locked_customer(customer_id)
            found += usage_rerate(
                customer_id=customer_id,
                start=start,
                end=end,
                as_of=customer_clock_clamp(customer, as_of),  # a test customer: its clock's
                actor=actor,
                metric_code=metric_code,
            )
        if progress is not None:
            progress.advance(1)
    return found


__all__ = [
    "correction_apply",
    "on_late_usage",
    "rerate_scope",
    "usage_rerate",
]
