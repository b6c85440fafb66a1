"""PDFs rendered in batches (issue 18, target 4): the PDF task renders a chunk of invoices with
one stylesheet and one font configuration per process and their reads together, and every PDF
is the same bytes as rendering its document alone, in a fresh process state."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.money import UnknownCurrencyError
from invoicing import pdf
from invoicing.models import CreditNote, Invoice
from invoicing.services import credit_note_issue, invoice_finalize, invoice_render_pdf
from invoicing.services.branding import branding_update
from invoicing.services.drafts import invoice_draft_create, invoice_line_add
from invoicing.tasks import invoice_render_pdfs_task
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_branding import image

pytestmark = pytest.mark.django_db
AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def invoice_with(lines: int, *, finalize: bool = True) -> Invoice:
    """An invoice of `lines` lines of 10.00, 11.00, ...: 40 lines take three pages."""
    customer = CustomerFactory(name=f"Customer of {lines}", currency="EUR")
    draft = invoice_draft_create(customer_id=customer.pk, as_of=AT, actor=TEST_ACTOR)
    for k in range(lines):
        invoice_line_add(
            invoice_id=draft.pk, description=f"Setup {k + 1}", amount=Decimal(10 + k),
            quantity=Decimal(1), as_of=AT, actor=TEST_ACTOR,
        )  # fmt: skip
    if not finalize:
        return draft
    return invoice_finalize(invoice_id=draft.pk, as_of=AT, actor=TEST_ACTOR)


def note_of(invoice: Invoice) -> CreditNote:
    return credit_note_issue(
        invoice_id=invoice.pk, as_of=AT + timedelta(days=1), actor=TEST_ACTOR, reason="Goodwill",
        lines=[(invoice.lines.order_by("position", "id").first().pk, Decimal("4.00"))],  # type: ignore[union-attr]
    )  # fmt: skip


def alone(html: str) -> bytes:
    """A document rendered as the first of a process: nothing shared with any earlier one."""
    pdf._typesetter.cache_clear()
    return pdf.render_pdf(html)


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_a_batch_gives_each_document_the_bytes_of_rendering_it_alone() -> None:
    branding_update(data={"display_name": "Initrode", "logo": image()}, as_of=AT, actor=TEST_ACTOR)
    one, forty, three = invoice_with(1), invoice_with(40), invoice_with(3)
    documents = [
        pdf.invoice_html(one), pdf.invoice_html(forty), pdf.credit_note_html(note_of(three)),
        pdf.invoice_html(three),
    ]  # fmt: skip
    expected = [alone(html) for html in documents]
    assert pdf.render_pdfs(documents) == expected
    assert pdf.render_pdfs(documents[::-1]) == expected[::-1]
    # each document counts its own pages (the footer's "page n / N"), never the batch's
    assert [len(pages(data)) for data in expected] == [1, 3, 1, 1]
    assert f"Invoice {forty.number} · page 3 / 3" in pages(expected[1])[2]
    assert f"Invoice {one.number} · page 1 / 1" in pages(expected[0])[0]
    assert "Credit note" in pages(expected[2])[0]


def test_the_pdf_task_stores_a_chunk_with_its_reads_together_and_one_transaction(
    settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    branding_update(data={"display_name": "Initrode", "logo": image()}, as_of=AT, actor=TEST_ACTOR)
    invoices = [invoice_with(1), invoice_with(40), invoice_with(3)]
    draft, done = invoice_with(2, finalize=False), invoice_with(2)
    done = invoice_render_pdf(invoice_id=done.pk, as_of=AT)
    expected = {invoice.pk: alone(pdf.invoice_html(invoice)) for invoice in invoices}
    with CaptureQueriesContext(connection) as queries:
        stored = invoice_render_pdfs_task([*expected, draft.pk, done.pk])
    # reads: the invoices without a PDF, all their lines, their brand's logo; writes: one
    # UPDATE per invoice in one transaction (a savepoint inside the test's transaction)
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert statements == ["SELECT", "SELECT", "SELECT", "SAVEPOINT", "UPDATE", "UPDATE",
                          "UPDATE", "RELEASE"]  # fmt: skip
    assert stored == 3
    for invoice in Invoice.objects.filter(pk__in=expected):
        assert invoice.pdf.read() == expected[invoice.pk]
        assert invoice.pdf_sha256 == pdf.checksum(expected[invoice.pk])
        assert invoice.pdf_rendered_at is not None
    assert Invoice.objects.get(pk=draft.pk).pdf_sha256 == ""
    again = Invoice.objects.get(pk=done.pk)
    assert (again.pdf.name, again.pdf_sha256) == (done.pdf.name, done.pdf_sha256)
    assert invoice_render_pdfs_task(list(expected)) == 0  # rendered once: kept as issued


def test_a_document_that_cannot_be_rendered_leaves_the_others_of_its_chunk_stored(
    settings: Any, tmp_path: Path
) -> None:
    """One invoice of a chunk whose row is damaged (its currency no longer exists: written
    around the frozen-invoice trigger, as a bad restore would) fails its rendering: the others
    are rendered alone and stored, each the bytes of rendering it alone, and the failure is
    raised (the task fails; the tick queues the invoice still without its PDF again after
    PDF_GRACE, and it fails alone)."""
    settings.MEDIA_ROOT = tmp_path
    first, damaged, last = invoice_with(1), invoice_with(2), invoice_with(3)
    expected = {invoice.pk: alone(pdf.invoice_html(invoice)) for invoice in (first, last)}
    with connection.cursor() as cursor:  # in the test's transaction: rolled back with it
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check left pending
        cursor.execute("ALTER TABLE invoicing_invoice DISABLE TRIGGER invoicing_invoice_frozen")
        cursor.execute("UPDATE invoicing_invoice SET currency = 'ZZZ' WHERE id = %s", [damaged.pk])
        cursor.execute("ALTER TABLE invoicing_invoice ENABLE TRIGGER invoicing_invoice_frozen")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    with pytest.raises(UnknownCurrencyError, match="ZZZ"):
        invoice_render_pdfs_task([first.pk, damaged.pk, last.pk])
    for invoice in Invoice.objects.filter(pk__in=expected):
        assert invoice.pdf.read() == expected[invoice.pk]
        assert invoice.pdf_sha256 == pdf.checksum(expected[invoice.pk])
    left = Invoice.objects.get(pk=damaged.pk)
    assert (left.pdf.name, left.pdf_sha256, left.pdf_rendered_at) == ("", "", None)
    # queued again: the stored ones are kept as issued, the damaged one fails again alone
    with pytest.raises(UnknownCurrencyError):
        invoice_render_pdfs_task([first.pk, damaged.pk, last.pk])
    assert Invoice.objects.filter(pk__in=expected).exclude(pdf="").count() == 2
