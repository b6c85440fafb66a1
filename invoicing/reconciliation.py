"""Reconciliation: for a window, every link of the chain is checked again and every mismatch is
reported (never corrected silently):

1. events -> aggregates: each billed usage line's quantity against the SQL aggregate now (a
   difference is either a late event awaiting its correction, or a defect);
2. aggregates -> lines: the line's amount against the rating engine on its quantity and price book;
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

from billing.aggregation import aggregate_one
from billing.models import LedgerEntry
from billing.services import trial_balance
from catalog.models import Charge
from catalog.selectors import charge_rater
from invoicing.models import Correction, Invoice, InvoiceStatus, LineKind, ReconciliationReport


def reconcile(*, start: datetime, end: datetime, as_of: datetime) -> ReconciliationReport:
    mismatches: list[dict[str, Any]] = []
    checked = {"usage_lines": 0, "invoices": 0, "ledger_documents": 0}
    invoices = Invoice.objects.filter(billing_date__gte=start, billing_date__lt=end).select_related(
        "customer"
    )
    for invoice in invoices.prefetch_related("lines"):
        checked["invoices"] += 1
        lines = list(invoice.lines.all())
        total = sum((line.amount for line in lines), Decimal(0))
        if total != invoice.subtotal or invoice.subtotal + invoice.tax_total != invoice.total:
            mismatches.append(
                {
                    "check": "lines->totals",
                    "invoice": str(invoice),
                    "lines": str(total),
                    "subtotal": str(invoice.subtotal),
                    "total": str(invoice.total),
                }
            )
        for line in lines:
            if line.kind != LineKind.USAGE or line.subscription_id is None or not line.period_start:
                continue
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


def _check_usage_line(invoice: Invoice, line: Any, mismatches: list[dict[str, Any]]) -> None:
    sub = line.subscription
    charge = (
        Charge.objects.filter(plan_version__subscriptions=sub, metric__code=line.metric_code)
        .select_related("metric", "plan_version__plan")
        .first()
    )
    version = line.explanation.get("price_version")
    if version:
        code, _, number = version.partition("@v")
        charge = (
            Charge.objects.filter(
                plan_version__plan__code=code,
                plan_version__number=int(number),
                metric__code=line.metric_code,
            )
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
    found = aggregate_one(
        metric=charge.metric,
        customer_id=invoice.customer_id,
        start=line.period_start,
        end=line.period_end,
    )
    if found.quantity != line.quantity:
        corrected = Correction.objects.filter(
            invoice=invoice, metric_code=line.metric_code, period_start=line.period_start
        ).exists()
        mismatches.append(
            {
                "check": "events->aggregates",
                "invoice": str(invoice),
                "line": line.pk,
                "metric": line.metric_code,
                "billed_quantity": str(line.quantity),
                "quantity_now": str(found.quantity),
                "explained_by": "late events with a correction" if corrected else None,
            }
        )
    rated = charge_rater(charge=charge).rate(line.quantity)
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
