"""Writes of the invoicing app, one module per part of an invoice's life:

- `clock`: what the billing clock finds due and the general, subscription-by-subscription path
  (the set-based path for a chunk is invoicing/run.py);
- `lines`: the building blocks (locks, lines and their tax, totals, numbers);
- `finalize`: finalization, the credit balance, ledger postings, the PDF;
- `adjust`: void, write-off, credit notes;
- `drafts`: hand-added lines, and draft refreshes from events in the grace period;
- `corrections`: re-rating finalized periods and the documents that settle differences.
"""

from invoicing.services.adjust import (
    credit_note_issue,
    credited_total,
    invoice_mark_uncollectible,
    invoice_void,
    outstanding_of,
)
from invoicing.services.clock import (
    advance_fees_due,
    clock_tick_finish,
    clock_tick_start,
    clock_tick_work,
    final_periods_due,
    invoice_finalize_if_ready,
    invoices_due_for_finalization,
    invoices_finalize_ready,
    invoices_ready,
    subscription_bill_due,
    subscription_period_bill,
)
from invoicing.services.corrections import (
    correction_apply,
    corrections_propose,
    on_late_usage,
    rerate_scope,
)
from invoicing.services.drafts import (
    invoice_addon_add,
    invoice_draft_create,
    invoice_drafts_refresh,
    invoice_line_add,
    invoice_line_remove,
    on_usage_for_draft,
)
from invoicing.services.finalize import invoice_finalize, invoice_render_pdf
from invoicing.services.lines import BILLABLE, line_of, tax_rate_of

__all__ = [
    "BILLABLE",
    "advance_fees_due",
    "clock_tick_finish",
    "clock_tick_start",
    "clock_tick_work",
    "correction_apply",
    "corrections_propose",
    "credit_note_issue",
    "credited_total",
    "final_periods_due",
    "invoice_addon_add",
    "invoice_draft_create",
    "invoice_drafts_refresh",
    "invoice_finalize",
    "invoice_finalize_if_ready",
    "invoice_line_add",
    "invoice_line_remove",
    "invoice_mark_uncollectible",
    "invoice_render_pdf",
    "invoice_void",
    "invoices_due_for_finalization",
    "invoices_finalize_ready",
    "invoices_ready",
    "line_of",
    "on_late_usage",
    "on_usage_for_draft",
    "outstanding_of",
    "rerate_scope",
    "subscription_bill_due",
    "subscription_period_bill",
    "tax_rate_of",
]
