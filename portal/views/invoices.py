"""The invoices pages: the list of finalized invoices, one invoice, and the PDFs (an invoice's
stored PDF, a credit note's rendered on request, as the API serves them)."""

from __future__ import annotations

from typing import cast

from django.core.paginator import InvalidPage, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from invoicing import pdf
from invoicing.models import CreditNote, InvoiceStatus
from portal.access import portal_view
from portal.pages.display import reader_for
from portal.pages.invoices import PER_PAGE, finalized_invoices, invoice_detail, list_row


@require_GET
@portal_view
def invoices(request: HttpRequest) -> HttpResponse:
    portal = request.portal  # type: ignore[attr-defined]
    try:  # not a positive integer, or beyond the last page: 404 (page 1 of none is there)
        page = Paginator(finalized_invoices(portal.customer), PER_PAGE).page(
            request.GET.get("page", 1)
        )
    except InvalidPage:
        raise Http404 from None
    now = timezone.now()
    return render(
        request,
        "portal/invoices.html",
        {
            "page": page,
            "rows": [list_row(invoice, now) for invoice in page.object_list],
            "reader": reader_for(portal),
            "nav": "invoices",
        },
    )


@require_GET
@portal_view
def invoice(request: HttpRequest, invoice_id: int) -> HttpResponse:
    portal = request.portal  # type: ignore[attr-defined]
    found = get_object_or_404(finalized_invoices(portal.customer), pk=invoice_id)
    reader = reader_for(portal)
    return render(
        request,
        "portal/invoice.html",
        {**invoice_detail(found, reader, timezone.now()), "reader": reader, "nav": "invoices"},
    )


@require_GET
@portal_view
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """The invoice as issued: the PDF stored after finalization (never rendered here). Until a
    worker has stored it, a page saying so (409, Retry-After), as the API answers."""
    portal = request.portal  # type: ignore[attr-defined]
    found = get_object_or_404(finalized_invoices(portal.customer), pk=invoice_id)
    if not found.pdf:
        response = render(
            request,
            "portal/pdf_not_ready.html",
            {"invoice": found, "reader": reader_for(portal), "nav": "invoices"},
            status=409,
        )
        response["Retry-After"] = "5"
        return response
    download = FileResponse(
        found.pdf.open("rb"),
        as_attachment=True,
        content_type="application/pdf",
        filename=f"{found.number}.pdf",
    )
    download["X-Content-SHA256"] = found.pdf_sha256
    return cast(HttpResponse, download)  # streamed: portal_view only sets its headers


@require_GET
@portal_view
def credit_note_pdf(request: HttpRequest, credit_note_id: int) -> HttpResponse:
    """A credit note on one of the customer's invoices, rendered from its frozen rows."""
    portal = request.portal  # type: ignore[attr-defined]
    note = get_object_or_404(
        CreditNote.objects.select_related("invoice").exclude(invoice__status=InvoiceStatus.DRAFT),
        invoice__customer=portal.customer,
        pk=credit_note_id,
    )
    data = pdf.credit_note_pdf(note)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{note.number}.pdf"'
    response["X-Content-SHA256"] = pdf.checksum(data)
    return response
