"""A cancellation credited by a credit note (Lago's way) instead of a proration line on the next
invoice: a price book's `cancellation_credit` = `credit_note`.

Billing's `subscription_cancel` calls `cancellation_credit_notes` (registered at start-up with
`billing.services.register_cancel_credit`) in the cancellation's transaction, with the
subscription (locked, canceled) and the cancellation's proration lines. For the credit of the
unused part of a fee paid in advance, it finds the invoice that billed that fee (BilledPeriod
`advance` of the period: the only record of "billed") and its fixed-fee line covering the
credited part, and issues a credit note on that invoice for the credit's amount (rounded once,
as the proration line would have been), with its share of the line's tax as every credit note
(`issue_credit_note`), naming the subscription and carrying the proration's explanation (the
period, the unused part in seconds or days, the formula).

It falls back to today's proration line — which waits for the next invoice — and says why in the
line's explanation (`cancellation_credit`) when:
- the fee is billed in arrears (nothing was paid in advance: the used part is charged);
- no invoice billed the period's fee in advance yet;
- that invoice is still a draft (a credit note credits a finalized invoice only), or void, or
  cannot be credited (`credit_note_parts`' refusals: e.g. what is left on its line);
- the fee was billed at other terms than those canceled (a change of plan or quantity in the
  period: its proration lines are still pending).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from billing.models import Subscription
from billing.proration import Line
from core.audit import Actor
from core.exceptions import ApplicationError
from invoicing.models import BilledPeriod, InvoiceLine, InvoiceStatus, LineKind
from invoicing.services.adjust import credit_note_parts, issue_credit_note
from invoicing.services.lines import locked_invoice

ARREARS = (
    "the fee is billed in arrears: nothing was paid in advance to credit; the used part is "
    "charged on the next invoice"
)
RULE = "cancellation credited by a credit note on the invoice that billed the fee in advance"


def _fallback(line: Line, why: str) -> Line:
    return replace(
        line,
        explanation={
            **line.explanation,
            "cancellation_credit": {
                "asked": "credit_note",
                "given": "proration_line",
                "why": why,
            },
        },
    )


def cancellation_credit_notes(
    sub: Subscription, lines: Sequence[Line], as_of: datetime, actor: Actor
) -> list[Line]:
    """Credit notes for the credits of unused advance fees among a cancellation's lines; the
    lines left for the next invoice (see the module's note). In the caller's transaction."""
    left: list[Line] = []
    for line in lines:
        if line.kind == "charge":  # a fee in arrears: its used part
            left.append(_fallback(line, ARREARS))
            continue
        if line.kind != "credit" or line.explanation.get("fee_timing") != "advance":
            left.append(line)
            continue
        if not line.rounded:  # a credit of less than half a cent: nothing to credit
            left.append(_fallback(line, "the credit rounds to zero: no credit note"))
            continue
        why = _credit(sub, line, as_of, actor)
        if why:
            left.append(_fallback(line, why))
    return left


def _credit(sub: Subscription, line: Line, as_of: datetime, actor: Actor) -> str:
    """Issue the credit note of one credit line; "" when issued, else why not."""
    billed = (
        BilledPeriod.objects.filter(
            subscription=sub,
            kind=BilledPeriod.Kind.ADVANCE,
            period_start__lte=line.start,
            period_end__gte=line.end,
            invoice__isnull=False,
        )
        .order_by("-period_start")
        .first()
    )
    if billed is None or billed.invoice_id is None:
        return "no invoice billed this period's fee in advance yet"
    invoice = locked_invoice(billed.invoice_id)
    if invoice.status == InvoiceStatus.DRAFT:
        return (
            f"the invoice that billed the fee in advance (draft #{invoice.pk}) is not finalized "
            "yet: a credit note credits a finalized invoice only"
        )
    fee: InvoiceLine | None = (
        invoice.lines.filter(
            subscription=sub,
            kind=LineKind.FIXED_FEE,
            period_start__lte=line.start,
            period_end__gte=line.end,
        )
        .order_by("id")
        .first()
    )
    if fee is None:
        return f"invoice {invoice.number} has no fee line covering the credited part"
    if fee.plan_version_id != sub.plan_version_id or fee.quantity != sub.quantity:
        return (
            f"invoice {invoice.number} billed the fee at other terms than those canceled (a "
            "change in the period, whose proration lines are still pending)"
        )
    amount = -line.rounded
    try:
        parts = credit_note_parts(invoice, [(fee.pk, amount)])
    except ApplicationError as exc:
        return f"invoice {invoice.number} cannot be credited: {exc.message}"
    reason = f"Subscription #{sub.pk} canceled: {line.description}"[:255]
    explanation = {
        **line.explanation,  # the period, the unused part (seconds or days), the formula
        "rule": RULE,
        "proration_rule": line.explanation.get("rule", ""),
        "cancellation_credit": "credit_note",
        "subscription": sub.pk,
        "canceled_at": as_of.isoformat(),
        "invoice": invoice.number,
        "invoice_line": fee.pk,
        "amount": str(amount),
    }
    issue_credit_note(
        invoice, parts, as_of, actor, reason, subscription_id=sub.pk, explanation=explanation
    )
    return ""
