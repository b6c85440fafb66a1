"""The customer's finalized invoices (never a draft): the list and one invoice with its lines,
taxes, credit notes and the payments applied to it. Every lookup is scoped to the session's
customer (another customer's invoice is absent: 404)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from billing.models import Customer
from invoicing import pdf
from invoicing.models import CreditNote, Invoice, InvoiceStatus
from invoicing.taxes import lines_breakdown
from payments.models import Allocation
from portal.pages import display

UNPAID = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)
PER_PAGE = 20


def finalized_invoices(customer: Customer) -> QuerySet[Invoice]:
    """The customer's issued invoices, newest first: what the portal may show."""
    return (
        Invoice.objects.filter(customer=customer)
        .exclude(status=InvoiceStatus.DRAFT)
        .order_by("-finalized_at", "-id")
    )


def is_overdue(invoice: Invoice, as_of: datetime) -> bool:
    return bool(
        invoice.status in UNPAID
        and invoice.due_at is not None
        and invoice.due_at < as_of
        and invoice.amount_due > 0
    )


def list_row(invoice: Invoice, as_of: datetime) -> dict[str, Any]:
    overdue = is_overdue(invoice, as_of)
    return {
        "invoice": invoice,
        "status": display.invoice_status_words(invoice.status, overdue),
        "overdue": overdue,
        "payable": invoice.status in UNPAID and invoice.amount_due > 0,
    }


def invoice_detail(invoice: Invoice, reader: pdf.Reader, as_of: datetime) -> dict[str, Any]:
    """One finalized invoice as its PDF writes it, with what happened to it since: the credit
    notes against it and the payments applied to it (what is still due follows from them)."""
    lines = list(invoice.lines.select_related("tax_rate").order_by("position", "id"))
    notes = list(CreditNote.objects.filter(invoice=invoice).order_by("issued_at", "id"))
    allocations = list(
        Allocation.objects.filter(invoice=invoice, unapplied_at__isnull=True)
        .select_related("payment__method")
        .order_by("created_at", "id")
    )
    credited = sum((note.total - note.to_balance for note in notes), Decimal(0))
    return {
        **list_row(invoice, as_of),
        "lines": display.line_rows(lines, reader),
        "taxes": pdf._tax_rows(lines_breakdown(lines), reader),  # the PDF's, as it is
        "credit_notes": notes,
        "credited": credited,
        "payments": [
            {
                "amount": allocation.amount,
                "at": allocation.payment.received_at or allocation.created_at,
                "method": _method_words(allocation),
            }
            for allocation in allocations
        ],
        "paid": sum((a.amount for a in allocations), Decimal(0)),
    }


def _method_words(allocation: Allocation) -> str:
    method = allocation.payment.method
    if method is None:
        return ""
    if method.last4:
        return f"{method.brand or method.kind} •••• {method.last4}"
    return str(method.brand or method.kind)
