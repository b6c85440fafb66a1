"""After finalization: void, write-off, credit notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from billing.models import (
    BalanceKind,
    LedgerAccount,
)
from billing.services import (
    BalanceMove,
    balance_moves_record,
    journal_write,
    ledger_post,
)
from catalog.money import quantize
from core.audit import Actor, audit_context
from core.exceptions import Conflict, TransitionNotAllowed, ValidationFailed
from invoicing.models import (
    INVOICE_TRANSITIONS,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
)
from invoicing.services.finalize import finalized_amounts
from invoicing.services.lines import (
    document_year,
    locked_invoice,
    next_number,
    series_prefix,
)

CREDITABLE = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID)
SETTLING = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)  # paid once nothing is due


def credited_total(invoice: Invoice) -> Decimal:
    return invoice.credit_notes.aggregate(t=Sum("total"))["t"] or Decimal(0)


def outstanding_of(invoice: Invoice) -> Decimal:
    """What the customer still owes on a finalized invoice: its amount due, which is its total
    less the customer credit applied at finalization, the credit notes against it (the parts
    of them that reduced the receivable) and the payments applied to it."""
    if invoice.status == InvoiceStatus.PAID:
        return Decimal(0)
    return invoice.amount_due


def invoice_void(*, invoice_id: int, as_of: datetime, actor: Actor, reason: str) -> Invoice:
    """Void an open invoice that nothing has been credited against: its posting is reversed.
    The invoice stays, marked void, with its number (the series keeps no gap)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        invoice = locked_invoice(invoice_id)
        _move(invoice, InvoiceStatus.VOID)
        if credited_total(invoice):
            raise Conflict("Credit notes were issued against this invoice: credit the rest.")
        invoice.voided_at = as_of
        invoice.updated_at = as_of
        invoice.save()
        ledger_post(
            customer=invoice.customer,
            currency=invoice.currency,
            amounts=[(account, -amount) for account, amount in finalized_amounts(invoice)],
            document_type="invoice",
            document_id=invoice.pk,
            memo=f"invoice {invoice.number} voided: {reason}",
            at=as_of,
        )
        if invoice.credit_applied:  # the credit it took from the balance goes back
            balance_moves_record(
                [BalanceMove(invoice.customer, invoice.credit_applied, BalanceKind.RESTORED,
                             "invoice", invoice.pk, f"invoice {invoice.number} voided")],
                actor=actor,
                at=as_of,
            )  # fmt: skip
        journal_write(
            type="invoice.voided",
            subject_type="invoice",
            subject_id=invoice.pk,
            payload={"number": invoice.number, "reason": reason},
            actor=actor,
            occurred_at=as_of,
        )
    return invoice


def invoice_mark_uncollectible(
    *, invoice_id: int, as_of: datetime, actor: Actor, reason: str
) -> Invoice:
    """Write the outstanding amount off to bad debt."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        invoice = locked_invoice(invoice_id)
        _move(invoice, InvoiceStatus.UNCOLLECTIBLE)
        outstanding = outstanding_of(invoice)
        invoice.updated_at = as_of
        invoice.save()
        ledger_post(
            customer=invoice.customer,
            currency=invoice.currency,
            amounts=[
                (LedgerAccount.BAD_DEBT, outstanding),
                (LedgerAccount.RECEIVABLE, -outstanding),
            ],
            document_type="invoice",
            document_id=invoice.pk,
            memo=f"invoice {invoice.number} uncollectible: {reason}",
            at=as_of,
        )
        journal_write(
            type="invoice.marked_uncollectible",
            subject_type="invoice",
            subject_id=invoice.pk,
            payload={"number": invoice.number, "outstanding": str(outstanding), "reason": reason},
            actor=actor,
            occurred_at=as_of,
        )
    return invoice


def _move(invoice: Invoice, to: str) -> None:
    if to not in INVOICE_TRANSITIONS[invoice.status]:
        raise TransitionNotAllowed(f"A {invoice.status} invoice cannot become {to}.")
    invoice.status = to


def credit_note_issue(
    *,
    invoice_id: int,
    as_of: datetime,
    actor: Actor,
    reason: str,
    lines: Sequence[tuple[int, Decimal]] | None = None,
) -> CreditNote:
    """Credit a finalized invoice: wholly (no `lines`: every line's remaining amount), or by
    (invoice line id, amount). Never more than a line's amount, nor than the invoice's total."""
    if not reason.strip():
        raise ValidationFailed("A credit note needs its reason.", field="reason", code="required")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        invoice = locked_invoice(invoice_id)
        parts = credit_note_parts(invoice, lines)
        note = issue_credit_note(invoice, parts, as_of, actor, reason)
    return note


def credit_note_preview(
    *, invoice_id: int, lines: Sequence[tuple[int, Decimal]] | None = None
) -> CreditNoteAmounts:
    """What `credit_note_issue` with these `lines` would issue now, checked and computed by the
    same code (`credit_note_parts`, `credit_note_amounts`), without writing or locking."""
    invoice = Invoice.objects.get(pk=invoice_id)
    return credit_note_amounts(invoice, credit_note_parts(invoice, lines))


def credit_note_parts(
    invoice: Invoice, lines: Sequence[tuple[int, Decimal]] | None
) -> list[tuple[int, Decimal]]:
    """The (invoice line id, amount) a credit note of `lines` credits (None: every line's
    remaining amount, discounts netted), after the checks: an open or paid invoice, its own
    lines, each once, positive amounts in the currency's decimals, never more than what is left
    of a line nor of the invoice. Reads only."""
    if invoice.status not in CREDITABLE:
        raise TransitionNotAllowed(f"A {invoice.status} invoice cannot be credited.")
    if invoice.lines.filter(kind=LineKind.PREPAID).exists():
        raise TransitionNotAllowed(
            "This invoice sells prepaid credit, which was never revenue: it is not credited. "
            "Void it while it is unpaid; once paid, its credit is on the customer's balance."
        )
    credited = {
        row["invoice_line"]: row["t"]
        for row in CreditNoteLine.objects.filter(credit_note__invoice=invoice)
        .values("invoice_line")
        .annotate(t=Sum("amount"))
    }
    by_id = {line.pk: line for line in invoice.lines.all()}
    wanted = (
        lines
        if lines is not None
        else [(line.pk, line.amount - credited.get(line.pk, Decimal(0))) for line in by_id.values()]
    )
    credit_lines = []
    seen: set[int] = set()
    for index, (line_id, amount) in enumerate(wanted):
        line = by_id.get(line_id)
        field = f"lines[{index}]"
        if line is None:
            raise ValidationFailed(f"Line {line_id} is not on {invoice}.", field=field)
        if line_id in seen:
            raise ValidationFailed(f"Line {line_id} is listed twice.", field=field)
        seen.add(line_id)
        left = line.amount - credited.get(line_id, Decimal(0))
        if amount <= 0 and lines is not None:
            raise ValidationFailed("A credited amount is positive.", field=f"{field}.amount")
        if quantize(amount, invoice.currency) != amount:
            raise ValidationFailed(
                f"{amount} has more decimals than {invoice.currency} allows.",
                field=f"{field}.amount",
            )
        if amount > left:
            raise ValidationFailed(
                f"{amount} exceeds what is left to credit on line {line_id} "
                f"({quantize(left, invoice.currency)}).",
                field=f"{field}.amount",
                code="exceeds_invoice",
            )
        if amount > 0 or (lines is None and amount < 0):  # a whole credit nets discounts
            credit_lines.append((line, amount))
    total = sum((amount for _, amount in credit_lines), Decimal(0))
    if total <= 0:
        raise ValidationFailed("Nothing is left to credit on this invoice.", field="lines")
    parts = [(line.pk, amount) for line, amount in credit_lines]
    # the note's total is what the invoice's total is made of: its amounts and their exclusive
    # tax (an invoice with a discount line totals less than its positive lines)
    left = invoice.total - credited_total(invoice)
    if credit_note_amounts(invoice, parts).total > left:
        raise ValidationFailed(
            f"The credit exceeds what is left of the invoice ({quantize(left, invoice.currency)}"
            " with its tax).",
            field="lines",
            code="exceeds_invoice",
        )
    return parts


def _tax_share(
    line: InvoiceLine, amount: Decimal, before: tuple[Decimal, Decimal], currency: str
) -> Decimal:
    """The tax in crediting `amount` of a line of which `before` = (amount, tax) was credited
    already: cumulatively in proportion, rounded once — the tax of everything credited so far
    less the tax credited before — so the credited tax never exceeds the line's tax, and the
    part that completes the line carries the rest of it."""
    if not line.tax_amount or not line.amount:
        return Decimal(0)
    credited, credited_tax = before
    so_far = credited + amount
    if so_far == line.amount:
        return line.tax_amount - credited_tax
    return quantize(line.tax_amount * so_far / line.amount, currency) - credited_tax


@dataclass(frozen=True)
class CreditedLine:
    line: InvoiceLine
    amount: Decimal
    tax_amount: Decimal  # its share of the line's tax (see `_tax_share`)


@dataclass(frozen=True)
class CreditNoteAmounts:
    """A credit note's figures before it is issued: its lines with their tax, its total (with
    exclusive tax), what it takes off the invoice's amount due and what goes to the customer's
    credit balance."""

    currency: str
    lines: tuple[CreditedLine, ...]
    amount_total: Decimal
    tax_total: Decimal
    total: Decimal
    outstanding: Decimal  # the amount due before it
    settled: Decimal  # taken off the amount due
    to_balance: Decimal  # beyond what was owed: the customer's credit


def credit_note_amounts(
    invoice: Invoice, parts: Sequence[tuple[int, Decimal]]
) -> CreditNoteAmounts:
    """The figures of a credit note of `parts` (checked by the caller) on `invoice`, as things
    stand: the one computation behind the issue and its preview. Reads only."""
    lines = {line.pk: line for line in invoice.lines.filter(pk__in=[pk for pk, _ in parts])}
    before = {
        row["invoice_line"]: (row["a"], row["t"])
        for row in CreditNoteLine.objects.filter(invoice_line__in=list(lines))
        .values("invoice_line")
        .annotate(a=Sum("amount"), t=Sum("tax_amount"))
    }
    nothing = (Decimal(0), Decimal(0))
    taxes = {
        pk: _tax_share(lines[pk], amount, before.get(pk, nothing), invoice.currency)
        for pk, amount in parts
    }
    amount_total = sum((amount for _, amount in parts), Decimal(0))
    tax_total = sum(taxes.values(), Decimal(0))
    exclusive = sum((taxes[pk] for pk, _ in parts if not lines[pk].tax_inclusive), Decimal(0))
    total = amount_total + exclusive
    outstanding = max(outstanding_of(invoice), Decimal(0))
    to_balance = max(total - outstanding, Decimal(0))
    return CreditNoteAmounts(
        currency=invoice.currency,
        lines=tuple(CreditedLine(lines[pk], amount, taxes[pk]) for pk, amount in parts),
        amount_total=amount_total,
        tax_total=tax_total,
        total=total,
        outstanding=outstanding,
        settled=total - to_balance,
        to_balance=to_balance,
    )


def issue_credit_note(
    invoice: Invoice,
    parts: Sequence[tuple[int, Decimal]],
    as_of: datetime,
    actor: Actor,
    reason: str,
    *,
    subscription_id: int | None = None,
    explanation: dict[str, Any] | None = None,
) -> CreditNote:
    """Number, store, post and journal a credit note (checks are the caller's). A credit note
    issued by a rule (a cancellation's credit) names its subscription and its explanation."""
    amounts = credit_note_amounts(invoice, parts)
    total, tax_total, to_balance = amounts.total, amounts.tax_total, amounts.to_balance
    outstanding, settled = amounts.outstanding, amounts.settled  # settled: off the amount due
    note = CreditNote.objects.create(
        invoice=invoice,
        number=next_number(series_prefix("CN", invoice.customer), document_year(as_of)),
        currency=invoice.currency,
        total=total,
        tax_total=tax_total,
        to_balance=to_balance,
        reason=reason,
        subscription_id=subscription_id,
        explanation=explanation or {},
        issued_at=as_of,
        issued_by=actor.label,
    )
    CreditNoteLine.objects.bulk_create(
        CreditNoteLine(
            credit_note=note,
            invoice_line_id=part.line.pk,
            description=part.line.description,
            amount=part.amount,
            tax_amount=part.tax_amount,
        )
        for part in amounts.lines
    )
    ledger_post(
        customer=invoice.customer,
        currency=invoice.currency,
        amounts=[
            (LedgerAccount.REVENUE, total - tax_total),
            (LedgerAccount.TAX, tax_total),
            (LedgerAccount.RECEIVABLE, -(total - to_balance)),
            (LedgerAccount.CUSTOMER_CREDIT, -to_balance),
        ],
        document_type="credit_note",
        document_id=note.pk,
        memo=f"credit note {note.number} on {invoice.number}: {reason}",
        at=as_of,
    )
    if settled:
        invoice.amount_due = outstanding - settled
        if invoice.amount_due == 0 and invoice.status in SETTLING:
            invoice.status = InvoiceStatus.PAID  # settled by its credit notes
            invoice.paid_at = as_of
        invoice.updated_at = as_of
        invoice.save(update_fields=["amount_due", "status", "paid_at", "updated_at"])
    if to_balance:  # beyond what was still owed: the customer keeps it as credit
        balance_moves_record(
            [BalanceMove(invoice.customer, to_balance, BalanceKind.CREDIT_NOTE, "credit_note",
                         note.pk, f"credit note {note.number}")],
            actor=actor,
            at=as_of,
        )  # fmt: skip
    journal_write(
        type="credit_note.created",
        subject_type="invoice",
        subject_id=invoice.pk,
        payload={
            "credit_note": note.number,
            "invoice": invoice.number,
            "total": str(total),
            "to_balance": str(to_balance),
            "invoice_amount_due": str(invoice.amount_due),
            "invoice_status": invoice.status,
            "reason": reason,
        },
        actor=actor,
        occurred_at=as_of,
    )
    return note
