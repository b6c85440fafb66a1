"""Reconciliation: for a window of billing dates, every link of the chain is checked again and
every mismatch is reported (never corrected silently):

1. events -> billed: each billed usage window's quantity now (the SQL aggregate of the events
   stored) against what was billed for it: the invoice's usage line, or the latest applied
   correction of it. A late event still waiting for its correction to be handled or approved
   is a mismatch until then (the report says which correction is proposed);
2. aggregates -> lines: each usage line's amount against the rating engine on its quantity and
   the price book it was billed with;
3. lines -> totals: each invoice's subtotal and total against the sum of its rounded lines;
4. totals -> ledger: each finalized invoice's receivable posting against its total;
5. the ledger's trial balance: zero in every currency.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum

from billing.aggregation import aggregate_one, transactions_windows
from billing.models import LedgerEntry
from billing.services import trial_balance
from catalog.models import Charge
from catalog.pricing import Percentage
from catalog.selectors import charge_rater
from invoicing.models import (
    Correction,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    ReconciliationReport,
)


def reconcile(*, start: datetime, end: datetime, as_of: datetime) -> ReconciliationReport:
    mismatches: list[dict[str, Any]] = []
    checked = {"usage_lines": 0, "invoices": 0, "ledger_documents": 0}
    invoices = Invoice.objects.filter(billing_date__gte=start, billing_date__lt=end).select_related(
        "customer"
    )
    for invoice in invoices.prefetch_related("lines__plan_version__plan"):
        checked["invoices"] += 1
        lines = list(invoice.lines.all())
        total = sum((line.amount for line in lines), Decimal(0))
        exclusive = sum((line.tax_amount for line in lines if not line.tax_inclusive), Decimal(0))
        if total != invoice.subtotal or invoice.subtotal + exclusive != invoice.total:
            mismatches.append(
                {
                    "check": "lines->totals",
                    "invoice": str(invoice),
                    "lines": str(total),
                    "subtotal": str(invoice.subtotal),
                    "total": str(invoice.total),
                }
            )
        if invoice.kind == InvoiceKind.BILLING and invoice.status != InvoiceStatus.VOID:
            for line in lines:
                if line.kind == LineKind.USAGE and line.subscription_id and line.period_start:
                    checked["usage_lines"] += 1
                    _check_usage_line(invoice, line, mismatches)
        if invoice.status in (InvoiceStatus.OPEN, InvoiceStatus.PAID, InvoiceStatus.UNCOLLECTIBLE):
            checked["ledger_documents"] += 1
            posted = LedgerEntry.objects.filter(
                document_type="invoice", document_id=invoice.pk, account="receivable"
            ).filter(~Q(memo__contains="voided")).aggregate(d=Sum("debit"))["d"] or Decimal(0)
            if posted != max(invoice.total, Decimal(0)):
                mismatches.append(
                    {
                        "check": "totals->ledger",
                        "invoice": str(invoice),
                        "total": str(invoice.total),
                        "posted": str(posted),
                    }
                )
    balance = {k: str(v) for k, v in trial_balance().items() if v}
    if balance:
        mismatches.append({"check": "trial balance", "not_zero": balance})
    with transaction.atomic():
        return ReconciliationReport.objects.create(
            window_start=start,
            window_end=end,
            created_at=as_of,
            ok=not mismatches,
            checked=checked,
            mismatches=mismatches,
        )


def _check_usage_line(
    invoice: Invoice, line: InvoiceLine, mismatches: list[dict[str, Any]]
) -> None:
    charge = None
    if line.plan_version_id is not None:
        charge = (
            Charge.objects.filter(plan_version=line.plan_version_id, metric__code=line.metric_code)
            .select_related("metric", "plan_version__plan")
            .first()
        )
    if charge is None:
        mismatches.append(
            {
                "check": "aggregates->lines",
                "invoice": str(invoice),
                "line": line.pk,
                "problem": "no charge for the line's price book",
            }
        )
        return
    if line.period_start is None or line.period_end is None:
        return
    found = aggregate_one(
        metric=charge.metric,
        customer_id=invoice.customer_id,
        start=line.period_start,
        end=line.period_end,
    )
    corrections = Correction.objects.filter(
        invoice=invoice,
        subscription=line.subscription_id,
        kind=Correction.Kind.USAGE,
        metric_code=line.metric_code,
        period_start=line.period_start,
    ).order_by("-id")
    applied = corrections.filter(status=Correction.Status.APPLIED).first()
    billed = applied.quantity if applied is not None else line.quantity
    if found.quantity != billed:
        proposed = corrections.filter(status=Correction.Status.PROPOSED).first()
        mismatches.append(
            {
                "check": "events->billed",
                "invoice": str(invoice),
                "line": line.pk,
                "metric": line.metric_code,
                "billed_quantity": str(billed),
                "quantity_now": str(found.quantity),
                "correction_proposed": proposed.pk if proposed is not None else None,
            }
        )
    rater = charge_rater(charge=charge)
    if isinstance(rater, Percentage) and rater.per_transaction:  # priced event by event
        window = (invoice.customer_id, line.period_start, line.period_end)
        values = transactions_windows(metric=charge.metric, windows=[window]).get(window, [])
        rated = rater.rate_transactions(values)
    else:
        rated = rater.rate(line.quantity)
    if rated.rounded != line.amount:
        mismatches.append(
            {
                "check": "aggregates->lines",
                "invoice": str(invoice),
                "line": line.pk,
                "amount": str(line.amount),
                "rated": str(rated.rounded),
            }
        )
