"""Reconciliation: for a window of billing dates, every link of the chain is checked again and
every mismatch is reported (never corrected silently):

1. events -> billed: each billed usage window's quantity now (the SQL aggregate of the events
   stored) against what was billed for it: the invoice's usage line, or the latest applied
   correction of it. A late event still waiting for its correction to be handled or approved
   is a mismatch until then (the report says which correction is proposed);
2. aggregates -> lines: each usage line's amount against the rating engine on its quantity and
   the price book it was billed with;
3. lines -> totals: each invoice's subtotal and total against the sum of its rounded lines;
4. documents -> ledger: each issued invoice's and credit note's postings, account by account,
   against what its own figures say they must be (found through the documents' links: the
   postings of the document, the journal event of a write-off), and each credit note's lines
   against its totals;
5. the ledger's trial balance: zero in every currency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from billing.aggregation import (
    aggregate_one,
    prorated_terms,
    prorated_windows,
    transactions_windows,
)
from billing.models import LedgerAccount, LedgerEntry
from billing.services import trial_balance
from catalog.models import Charge
from catalog.pricing import Percentage
from catalog.selectors import charge_rater
from core.jobs import Progress
from invoicing.models import (
    Correction,
    CreditNote,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    ReconciliationReport,
)


def reconcile(
    *, start: datetime, end: datetime, as_of: datetime, progress: Progress | None = None
) -> ReconciliationReport:
    """Check the window (see the module's note); `progress` (core.jobs) counts the invoices."""
    mismatches: list[dict[str, Any]] = []
    checked = {"usage_lines": 0, "invoices": 0, "ledger_documents": 0}
    # live customers' documents: a test clock's (test customers) are not in the live report
    invoices = Invoice.objects.filter(
        billing_date__gte=start, billing_date__lt=end, customer__test_clock__isnull=True
    ).select_related("customer")
    if progress is not None:
        progress.set_total(invoices.count())
    for invoice in invoices.prefetch_related("lines__plan_version__plan"):
        if progress is not None and checked["invoices"]:
            progress.advance(1)
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
    if progress is not None and checked["invoices"]:
        progress.advance(1)  # the last invoice's
    checked["ledger_documents"] = _check_documents_against_ledger(
        [i for i in invoices if i.status != InvoiceStatus.DRAFT], mismatches
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
    rater = charge_rater(charge=charge)
    proration = (line.explanation or {}).get("proration")
    if rater.prorated and isinstance(proration, dict):  # the level held, over the same period
        window = (invoice.customer_id, line.period_start, line.period_end)
        unit = proration.get("unit", "second")
        change_day = charge.plan_version.proration_change_day
        held = prorated_windows(
            metric=charge.metric, windows=[window], unit=unit, change_day=change_day
        ).get(window)
        reference = proration["reference_period"]
        quantity, _ = prorated_terms(
            held,
            (datetime.fromisoformat(reference["start"]), datetime.fromisoformat(reference["end"])),
            unit,
            change_day,
            proration.get("time_zone", "UTC"),
        )
        found = replace(found, quantity=quantity)
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


def _net(document_type: str, ids: list[int]) -> dict[int, dict[str, Decimal]]:
    rows = (
        LedgerEntry.objects.filter(document_type=document_type, document_id__in=ids)
        .values("document_id", "account")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    found: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        amount = (row["d"] or Decimal(0)) - (row["c"] or Decimal(0))
        if amount:
            found[row["document_id"]][row["account"]] = amount
    return found


def _nonzero(amounts: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    net: dict[str, Decimal] = defaultdict(Decimal)
    for account, amount in amounts:
        net[account] += amount
    return {account: amount for account, amount in net.items() if amount}


def _check_documents_against_ledger(
    invoices: list[Invoice], mismatches: list[dict[str, Any]]
) -> int:
    """Issued invoices and their credit notes against their postings (see the module's note)."""
    from billing.models import JournalEvent
    from invoicing.services.finalize import finalized_amounts, prepaid_totals

    ids = [i.pk for i in invoices]
    written_off = {
        int(subject): Decimal(payload["outstanding"])
        for subject, payload in JournalEvent.objects.filter(
            type="invoice.marked_uncollectible", subject_type="invoice",
            subject_id__in=[str(pk) for pk in ids],
        ).values_list("subject_id", "payload")
    }  # fmt: skip
    posted = _net("invoice", ids)
    prepaid = prepaid_totals(ids)
    for invoice in invoices:
        parts = (
            []
            if invoice.status == InvoiceStatus.VOID
            else finalized_amounts(invoice, prepaid.get(invoice.pk, Decimal(0)))
        )
        if invoice.pk in written_off:
            loss = written_off[invoice.pk]
            parts += [(LedgerAccount.BAD_DEBT, loss), (LedgerAccount.RECEIVABLE, -loss)]
        expected = _nonzero(parts)
        if expected != posted.get(invoice.pk, {}):
            mismatches.append(
                {
                    "check": "documents->ledger",
                    "invoice": str(invoice),
                    "expected": {a: str(v) for a, v in sorted(expected.items())},
                    "posted": {a: str(v) for a, v in sorted(posted.get(invoice.pk, {}).items())},
                }
            )
    notes = list(
        CreditNote.objects.filter(invoice_id__in=ids).prefetch_related("lines__invoice_line")
    )
    posted_notes = _net("credit_note", [n.pk for n in notes])
    for note in notes:
        lines = list(note.lines.all())
        tax = sum((line.tax_amount for line in lines), Decimal(0))
        exclusive = sum(
            (
                line.tax_amount
                for line in lines
                if line.invoice_line is None or not line.invoice_line.tax_inclusive
            ),
            Decimal(0),
        )
        amount = sum((line.amount for line in lines), Decimal(0))
        if tax != note.tax_total or amount + exclusive != note.total:
            mismatches.append(
                {
                    "check": "credit note lines->totals",
                    "credit_note": note.number,
                    "lines": str(amount),
                    "lines_tax": str(tax),
                    "total": str(note.total),
                    "tax_total": str(note.tax_total),
                }
            )
        expected = _nonzero(
            [
                (LedgerAccount.REVENUE, note.total - note.tax_total),
                (LedgerAccount.TAX, note.tax_total),
                (LedgerAccount.RECEIVABLE, -(note.total - note.to_balance)),
                (LedgerAccount.CUSTOMER_CREDIT, -note.to_balance),
            ]
        )
        if expected != posted_notes.get(note.pk, {}):
            mismatches.append(
                {
                    "check": "documents->ledger",
                    "credit_note": note.number,
                    "expected": {a: str(v) for a, v in sorted(expected.items())},
                    "posted": {a: str(v) for a, v in sorted(posted_notes.get(note.pk, {}).items())},
                }
            )
    return len(invoices) + len(notes)
