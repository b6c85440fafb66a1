"""Payments reaching an invoice: its amount due and its status follow its allocations.

Payments (a higher layer) own allocations; they tell this module, in their own transaction and
with the invoices row-locked, how much was applied to or taken back from each invoice and how
much all live allocations of it come to afterwards. Here the invoice's amount due moves, and its
status with it:

- nothing left due: `paid` (an uncollectible invoice paid in full is `paid` too);
- something due and something paid: `partially_paid` (an uncollectible invoice stays
  uncollectible until it is paid in full);
- something due and nothing paid (every payment unapplied): `open`.

The amount due never goes below zero (a check constraint stands behind it) nor above what the
invoice owed before any payment (its total less the credit applied and its credit notes): a
payment taken back from an invoice credited after it was paid is refused (`credited`), since the
credit note's credit went to the customer's balance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from billing.services import journal_write_many
from core.audit import Actor
from core.db import bulk_update
from core.exceptions import Conflict, TransitionNotAllowed
from invoicing.models import INVOICE_TRANSITIONS, CreditNote, Invoice, InvoiceStatus

ZERO = Decimal(0)

# what a payment may be applied to, and what it may be taken back from
PAYABLE = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.UNCOLLECTIBLE)
UNAPPLIABLE = (*PAYABLE, InvoiceStatus.PAID)


@dataclass(frozen=True)
class Settlement:
    invoice: Invoice  # row-locked by the caller; the same object for several of one invoice
    amount: Decimal  # positive: a payment applied; negative: taken back (unapplied)
    paid_after: Decimal  # all live allocations of the invoice once this one is counted


def invoices_settle(settlements: Sequence[Settlement], *, as_of: datetime, actor: Actor) -> None:
    """Move the amounts due and statuses of locked invoices (see the module's note), in one
    write, with their `invoice.paid` / `invoice.partially_paid` / `invoice.reopened` events.
    Inside the caller's transaction."""
    events: list[dict[str, Any]] = []
    changed: dict[int, Invoice] = {}
    ceiling = _owed_ceilings([s.invoice for s in settlements if s.amount < 0])
    for s in settlements:
        invoice = s.invoice
        allowed = PAYABLE if s.amount > 0 else UNAPPLIABLE
        if invoice.status not in allowed:
            raise TransitionNotAllowed(
                f"Invoice {invoice} is {invoice.status}: payments "
                + ("cannot be applied to it." if s.amount > 0 else "cannot be taken back from it.")
            )
        due = invoice.amount_due - s.amount
        if due < 0:
            raise Conflict(
                f"{s.amount} is more than invoice {invoice} still owes ({invoice.amount_due}).",
                code="exceeds_amount_due",
            )
        if s.amount < 0 and due > ceiling[invoice.pk]:
            raise Conflict(
                f"Invoice {invoice} was credited after it was paid: taking this payment back "
                f"would make it owe {due}, more than its credit notes left owing "
                f"({ceiling[invoice.pk]}). Their credit is on the customer's balance: refund it "
                "or move it instead.",
                code="credited",
            )
        invoice.amount_due = due
        status = _status_for(invoice, s.paid_after)
        if status != invoice.status:
            if status not in INVOICE_TRANSITIONS[invoice.status]:
                raise TransitionNotAllowed(f"A {invoice.status} invoice cannot become {status}.")
            invoice.status = status
        invoice.paid_at = as_of if status == InvoiceStatus.PAID else None
        invoice.updated_at = as_of
        changed[invoice.pk] = invoice
        kinds: dict[str, str] = {
            InvoiceStatus.PAID: "invoice.paid",
            InvoiceStatus.PARTIALLY_PAID: "invoice.partially_paid",
            InvoiceStatus.OPEN: "invoice.reopened",
        }
        # uncollectible: a part recovered, or taken back
        kind = kinds.get(status, "invoice.payment_moved")
        events.append(
            {
                "type": kind,
                "subject_type": "invoice",
                "subject_id": invoice.pk,
                "payload": {
                    "number": invoice.number,
                    "currency": invoice.currency,
                    "amount": str(s.amount),
                    "paid": str(s.paid_after),
                    "amount_due": str(invoice.amount_due),
                    "status": invoice.status,
                },
                "occurred_at": as_of,
            }
        )
    bulk_update(list(changed.values()), ["amount_due", "status", "paid_at", "updated_at"])
    journal_write_many(events, actor=actor)


def _owed_ceilings(invoices: Sequence[Invoice]) -> dict[int, Decimal]:
    """What each invoice may owe at most once payments are taken back: its total less the
    credit applied at finalization and all its credit notes (one query)."""
    if not invoices:
        return {}
    credited = dict(
        CreditNote.objects.filter(invoice__in=[i.pk for i in invoices])
        .values_list("invoice_id")
        .annotate(t=Sum("total"))
    )
    return {
        i.pk: max(i.total - i.credit_applied - credited.get(i.pk, ZERO), ZERO) for i in invoices
    }


def _status_for(invoice: Invoice, paid: Decimal) -> str:
    if invoice.amount_due == 0:
        return InvoiceStatus.PAID
    if invoice.status == InvoiceStatus.UNCOLLECTIBLE:
        return InvoiceStatus.UNCOLLECTIBLE
    return InvoiceStatus.PARTIALLY_PAID if paid > 0 else InvoiceStatus.OPEN
