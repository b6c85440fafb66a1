"""Finalization: numbers, frozen details, the credit balance, ledger postings, and the PDF."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, Sum

from billing.models import (
    BalanceKind,
    LedgerAccount,
)
from billing.services import (
    BalanceMove,
    Posting,
    balance_moves_record,
    customer_snapshot,
    journal_write_many,
    ledger_post_many,
)
from core.audit import Actor, audit_context
from core.db import bulk_update
from core.exceptions import Conflict, TransitionNotAllowed
from invoicing import pdf
from invoicing.models import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
)
from invoicing.selectors import brand_snapshot, branding_current, drafts_pending
from invoicing.services.lines import (
    TEST_PREFIX,
    document_year,
    locked_invoice,
    next_numbers,
    recompute_totals_many,
    series_prefix,
    taxed,
)
from invoicing.taxes import Rates


def invoice_finalize(*, invoice_id: int, as_of: datetime, actor: Actor) -> Invoice:
    """Number the draft (gapless per series and year, under the series' row lock), freeze the
    customer and company details, set the due date; a zero total is paid at once."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="finalize"):
        invoice = locked_invoice(invoice_id)
        if invoice.status != InvoiceStatus.DRAFT:
            raise TransitionNotAllowed(f"Invoice {invoice} is {invoice.status}, not a draft.")
        if not invoice.lines.exists():
            raise Conflict(
                "The draft has no lines: a document with nothing on it is never numbered. Add a "
                "line first.",
                code="empty_invoice",
            )
        pending = drafts_pending([invoice])[invoice.pk]
        if pending:  # a step of this date would have no draft left to go to
            sub_id, at = pending[0]
            raise Conflict(
                f"Subscription #{sub_id} may still bill a step dated {at.isoformat()}, by this "
                "invoice's billing date: the clock bills it first.",
                code="billing_pending",
            )
        finalize_locked([invoice], as_of, actor)
    return invoice


def finalize_locked(invoices: list[Invoice], as_of: datetime, actor: Actor) -> None:
    """Finalize drafts whose customers and rows the caller has locked: totals, snapshots, due
    dates, then (last, so the series' row lock is held briefly) their numbers in order, the
    ledger postings and journal events in one write each, and their PDFs after commit."""
    if not invoices:
        return
    prepaid = _totals_retaxed(invoices)
    # the company's details and its brand (name, colours, logo digest) as they are now: the
    # document keeps them whatever staff change later
    company = {**settings.COMPANY, "brand": brand_snapshot(branding_current())}
    available = {i.customer_id: i.customer.balance for i in invoices}
    for invoice in invoices:
        customer = invoice.customer
        invoice.status = InvoiceStatus.OPEN
        invoice.finalized_at = as_of
        invoice.due_at = as_of + timedelta(days=customer.payment_terms_days)
        invoice.customer_snapshot = customer_snapshot(customer)
        invoice.company_snapshot = company
        # the customer's credit balance pays what it can (not prepaid credit being bought: a
        # top-up is paid in money); a total below zero becomes credit
        applied = (
            min(available[customer.pk], invoice.total)
            if invoice.total > 0 and invoice.pk not in prepaid
            else Decimal(0)
        )
        available[customer.pk] += -applied + max(-invoice.total, Decimal(0))
        invoice.credit_applied = applied
        invoice.amount_due = max(invoice.total - applied, Decimal(0))
        if invoice.amount_due <= 0:
            invoice.status = InvoiceStatus.PAID
            invoice.paid_at = as_of
        invoice.updated_at = as_of
    # test customers' invoices (a test clock's) are numbered in their own gapless series
    for prefix in ("INV", TEST_PREFIX + "INV"):
        series = [i for i in invoices if series_prefix("INV", i.customer) == prefix]
        if series:
            numbers = next_numbers(prefix, document_year(as_of), len(series))
            for invoice, number in zip(series, numbers, strict=True):
                invoice.number = number
    bulk_update(
        invoices,
        [
            "number",
            "status",
            "finalized_at",
            "due_at",
            "customer_snapshot",
            "company_snapshot",
            "paid_at",
            "subtotal",
            "tax_total",
            "total",
            "credit_applied",
            "amount_due",
            "updated_at",
        ],
    )
    moves = []
    for invoice in invoices:
        for amount, kind in (
            (-invoice.credit_applied, BalanceKind.APPLIED),
            (max(-invoice.total, Decimal(0)), BalanceKind.CARRIED),
        ):
            if amount:
                moves.append(
                    BalanceMove(invoice.customer, amount, kind, "invoice", invoice.pk,
                                f"invoice {invoice.number}")
                )  # fmt: skip
    balance_moves_record(moves, actor=actor, at=as_of)
    ledger_post_many(
        [
            Posting(
                customer_id=invoice.customer_id,
                currency=invoice.currency,
                amounts=finalized_amounts(invoice, prepaid.get(invoice.pk, Decimal(0))),
                document_type="invoice",
                document_id=invoice.pk,
                memo=f"invoice {invoice.number} finalized",
                at=as_of,
            )
            for invoice in invoices
        ]
    )
    journal_write_many(
        [
            {
                "type": "invoice.finalized",
                "subject_type": "invoice",
                "subject_id": invoice.pk,
                "payload": {
                    "number": invoice.number,
                    "total": str(invoice.total),
                    "currency": invoice.currency,
                    "customer": invoice.customer.external_id,
                    "due_at": invoice.due_at.isoformat() if invoice.due_at else None,
                },
                "occurred_at": as_of,
            }
            for invoice in invoices
        ],
        actor=actor,
    )
    ids = [invoice.pk for invoice in invoices]
    for i in range(0, len(ids), PDF_BATCH):
        transaction.on_commit(partial(_render_soon, ids[i : i + PDF_BATCH]), robust=True)


PDF_BATCH = 10


def prepaid_totals(invoice_ids: Sequence[int]) -> dict[int, Decimal]:
    """The invoices' prepaid-credit lines (wallet top-ups) summed, by invoice (one query; an
    invoice without such lines is absent)."""
    rows = (
        InvoiceLine.objects.filter(invoice__in=list(invoice_ids), kind=LineKind.PREPAID)
        .values("invoice")
        .annotate(t=Sum("amount"))
        .values_list("invoice", "t")
    )
    return {invoice_id: total for invoice_id, total in rows if total is not None}


def finalized_amounts(
    invoice: Invoice, prepaid: Decimal | None = None
) -> list[tuple[str, Decimal]]:
    """Receivable = total, revenue = total less its tax and its prepaid-credit lines, tax
    payable = the tax, prepaid credit sold = the prepaid-credit lines (untaxed; revenue comes
    when the credit is used by later invoices); credit from the customer's balance settles part
    of the receivable; a total below zero is moved from the receivable to the customer's
    credit. `prepaid`: the invoice's prepaid-credit lines, when the caller summed them for a
    batch (`prepaid_totals`); None reads them."""
    if prepaid is None:
        prepaid = prepaid_totals([invoice.pk]).get(invoice.pk, Decimal(0))
    amounts: list[tuple[str, Decimal]] = [
        (LedgerAccount.RECEIVABLE, invoice.total),
        (LedgerAccount.REVENUE, -(invoice.total - invoice.tax_total - prepaid)),
        (LedgerAccount.TAX, -invoice.tax_total),
    ]
    if prepaid:
        amounts.append((LedgerAccount.PREPAID_SOLD, -prepaid))
    if invoice.credit_applied:
        amounts += [
            (LedgerAccount.CUSTOMER_CREDIT, invoice.credit_applied),
            (LedgerAccount.RECEIVABLE, -invoice.credit_applied),
        ]
    if invoice.total < 0:
        amounts += [
            (LedgerAccount.RECEIVABLE, -invoice.total),
            (LedgerAccount.CUSTOMER_CREDIT, invoice.total),
        ]
    return amounts


def _totals_retaxed(invoices: Sequence[Invoice]) -> dict[int, Decimal]:
    """One read of the drafts' lines, grouped by invoice, tax and kind, for three things: their
    lines taxed again where their tax changed since they were added (`_retax`), their totals
    (as `recompute_totals_many` sets them) and their prepaid-credit lines summed (as
    `prepaid_totals` returns them)."""
    rates = Rates()
    by_id = {i.pk: i for i in invoices}
    sums = {pk: [ZERO, ZERO, ZERO] for pk in by_id}  # amounts, tax, tax added (not inclusive)
    prepaid: dict[int, Decimal] = {}
    stale = set()
    rows = (
        InvoiceLine.objects.filter(invoice__in=list(by_id))
        .order_by()  # the lines' default order would join their subscriptions and widen groups
        .annotate(prepaid=ExpressionWrapper(Q(kind=LineKind.PREPAID), BooleanField()))
        .values("invoice", "catalog_tax_rate", "tax_rate", "tax_percentage", "tax_inclusive",
                "tax_category", "prepaid")
        .annotate(t=Sum("amount"), tax=Sum("tax_amount"))
        .values_list("invoice", "catalog_tax_rate", "tax_rate", "tax_percentage",
                     "tax_inclusive", "tax_category", "prepaid", "t", "tax")
    )  # fmt: skip
    for invoice_id, set_rate, rate_id, percentage, inclusive, category, is_prepaid, t, tax in rows:
        totals = sums[invoice_id]
        totals[0] += t
        totals[1] += tax
        if not inclusive:
            totals[2] += tax
        if is_prepaid:
            prepaid[invoice_id] = prepaid.get(invoice_id, ZERO) + t
            continue
        rate = rates.for_line(by_id[invoice_id].customer, set_rate)
        now = (
            (rate.pk, rate.percentage, rate.inclusive, rate.category)
            if rate
            else (None, Decimal(0), False, "")
        )
        if (rate_id, percentage, inclusive, category) != now:
            stale.add(invoice_id)
    for invoice in invoices:
        subtotal, tax_total, exclusive = sums[invoice.pk]
        invoice.subtotal = subtotal
        invoice.tax_total = tax_total
        invoice.total = subtotal + exclusive
        invoice.amount_due = max(invoice.total - invoice.credit_applied, ZERO)
    if stale:
        _retax([by_id[pk] for pk in sorted(stale)], rates)
    return prepaid


ZERO = Decimal(0)


def _retax(invoices: Sequence[Invoice], rates: Rates) -> None:
    """Lines carry the tax of their rate when they were added (invoicing/taxes.py: the rate set
    in the catalog on what priced them, else the customer's address rate); if that changed since
    (a new address, exempted), its draft's lines are taxed again at finalization, and its totals
    computed again. Prepaid-credit lines are never taxed (the credit's use is, on the invoices
    it pays)."""
    by_id = {i.pk: i for i in invoices}
    lines = [
        taxed(
            line,
            rates.for_line(by_id[line.invoice_id].customer, line.catalog_tax_rate_id),
            by_id[line.invoice_id].currency,
        )
        for line in InvoiceLine.objects.filter(invoice__in=list(by_id)).exclude(
            kind=LineKind.PREPAID
        )
    ]
    bulk_update(
        lines, ["tax_rate", "tax_percentage", "tax_inclusive", "tax_amount", "tax_category"]
    )
    recompute_totals_many(invoices)


def _render_soon(invoice_ids: list[int]) -> None:
    """After commit: a worker renders the PDFs (finalization never waits for them)."""
    from invoicing.tasks import invoice_render_pdfs_task

    invoice_render_pdfs_task.delay(invoice_ids)


def invoice_render_pdf(*, invoice_id: int, as_of: datetime) -> Invoice:
    """Render and store a finalized invoice's PDF once, with its SHA-256 (`invoices_render_pdfs`
    of one: the same bytes as in any batch). An invoice that has its PDF is returned as is; a
    draft has none."""
    invoice = Invoice.objects.get(pk=invoice_id)
    if invoice.pdf:
        return invoice
    if invoice.status == InvoiceStatus.DRAFT:
        raise TransitionNotAllowed("A draft has no PDF: finalize it first.")
    invoices_render_pdfs(invoice_ids=[invoice_id], as_of=as_of)
    invoice.refresh_from_db()
    return invoice


def invoices_render_pdfs(*, invoice_ids: Sequence[int], as_of: datetime) -> int:
    """Render and store the PDFs of finalized invoices (a chunk of the PDF queue) once each,
    with their SHA-256; how many were stored. The documents are frozen at finalization, so they
    are rendered from plain reads (one query for the invoices, and `pdf.invoices_html`'s few for
    all their lines, names and logos), outside any lock, each the same bytes as rendered alone
    (`pdf.render_pdfs`); then one transaction writes the results, each only on an invoice that
    still has no PDF: an invoice that has one keeps it (the stored document is what was issued,
    and a concurrent second rendering is thrown away). Drafts and invoices with a PDF are
    skipped."""
    invoices = list(
        Invoice.objects.filter(pk__in=list(invoice_ids), pdf="")
        .exclude(status=InvoiceStatus.DRAFT)
        .order_by("pk")
    )
    if not invoices:
        return 0
    try:
        documents = pdf.render_pdfs(pdf.invoices_html(invoices))
    except Exception as exc:
        if isinstance(exc, SoftTimeLimitExceeded) or len(invoices) == 1:
            raise
        # one document of the chunk failed: each alone, so that the others are stored, then the
        # first failure goes on (the tick queues what is left again after PDF_GRACE)
        done, failure = 0, None
        for invoice in invoices:
            try:
                done += invoices_render_pdfs(invoice_ids=[invoice.pk], as_of=as_of)
            except Exception as alone:
                if isinstance(alone, SoftTimeLimitExceeded):
                    raise
                failure = failure or alone
        if failure is not None:
            raise failure from exc
        return done
    field = Invoice._meta.get_field("pdf")
    stored = [
        (
            invoice.pk,
            default_storage.save(
                field.generate_filename(invoice, f"{invoice.number}.pdf"), ContentFile(data)
            ),
            pdf.checksum(data),
        )
        for invoice, data in zip(invoices, documents, strict=True)
    ]
    lost = []
    with transaction.atomic(durable=True):
        for invoice_id, name, sha256 in stored:
            if not Invoice.objects.filter(pk=invoice_id, pdf="").update(
                pdf=name, pdf_sha256=sha256, pdf_rendered_at=as_of
            ):
                lost.append(name)
    for name in lost:
        default_storage.delete(name)
    return len(stored) - len(lost)
