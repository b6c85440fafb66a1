"""Writes of the invoicing app, one module per part of an invoice's life:

- `writer`: the one billing writer: the planner's steps for a chunk of subscriptions stored in
  one transaction, discounts and totals per draft, drafts' usage refreshed;
- `clock`: what the clock finds due (queued once, under leases), a chunk of the run with one
  subscription's failure kept from the others, and the drafts it finalizes;
- `lines`: the building blocks (locks, lines and their tax, totals, numbers);
- `finalize`: finalization, the credit balance, ledger postings, the PDF;
- `adjust`: void, write-off, credit notes;
- `drafts`: drafts and lines added by hand;
- `corrections`: usage arriving after its window was billed: drafts refreshed, invoices
  corrected, one document per original invoice per run.
"""

from invoicing.services.adjust import (
    credit_note_issue,
    credited_total,
    invoice_mark_uncollectible,
    invoice_void,
    outstanding_of,
)
from invoicing.services.clock import (
    ChunkResult,
    advance_fees_due,
    billing_failure_record,
    clock_tick_finish,
    clock_tick_start,
    clock_tick_work,
    final_periods_due,
    invoices_due_for_finalization,
    invoices_finalize_ready,
    invoices_ready,
    leases_claim,
    leases_release,
    subscriptions_bill_chunk,
    subscriptions_to_bill,
)
from invoicing.services.corrections import (
    correction_apply,
    on_late_usage,
    rerate_scope,
    usage_rerate,
)
from invoicing.services.drafts import (
    invoice_addon_add,
    invoice_draft_create,
    invoice_line_add,
    invoice_line_remove,
)
from invoicing.services.finalize import invoice_finalize, invoice_render_pdf, invoices_render_pdfs
from invoicing.services.lines import line_of, tax_rate_of
from invoicing.services.writer import BillingRun, subscriptions_bill

__all__ = [
    "BillingRun",
    "ChunkResult",
    "advance_fees_due",
    "billing_failure_record",
    "clock_tick_finish",
    "clock_tick_start",
    "clock_tick_work",
    "correction_apply",
    "credit_note_issue",
    "credited_total",
    "final_periods_due",
    "invoice_addon_add",
    "invoice_draft_create",
    "invoice_finalize",
    "invoice_line_add",
    "invoice_line_remove",
    "invoice_mark_uncollectible",
    "invoice_render_pdf",
    "invoice_void",
    "invoices_due_for_finalization",
    "invoices_finalize_ready",
    "invoices_ready",
    "invoices_render_pdfs",
    "leases_claim",
    "leases_release",
    "line_of",
    "on_late_usage",
    "outstanding_of",
    "rerate_scope",
    "subscriptions_bill",
    "subscriptions_bill_chunk",
    "subscriptions_to_bill",
    "tax_rate_of",
    "usage_rerate",
]
