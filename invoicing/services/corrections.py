"""Corrections: re-rating finalized periods and issuing the documents that settle differences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum

from billing.models import (
    Customer,
    Subscription,
)
from billing.periods import Period
from billing.services import (
    journal_write,
)
from catalog.money import quantize
from core.audit import CLOCK, Actor, audit_context
from core.exceptions import TransitionNotAllowed, ValidationFailed
from invoicing import builder
from invoicing.models import (
    BilledPeriod,
    Correction,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
)
from invoicing.services.adjust import issue_credit_note
from invoicing.services.lines import (
    invoice_created,
    locked_invoice,
    recompute_totals,
    tax_rate_of,
    taxed,
)


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
        correction.credit_note = issue_credit_note(invoice, parts, as_of, actor, reason)
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
        taxed(
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
        recompute_totals(supplement)
        supplement.save()
        journal_write(
            **invoice_created(supplement, invoice.customer, corrects=invoice.number), actor=actor
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
        locked_invoice(correction.invoice_id)
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
