"""The pages that read: overview, invoices (and their PDFs), usage, billing details; and the
language switch."""

from django.urls import path

from portal.views import details, invoices, language, overview, usage

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("invoices/", invoices.invoices, name="invoices"),
    path("invoices/<int:invoice_id>/", invoices.invoice, name="invoice"),
    path("invoices/<int:invoice_id>/pdf/", invoices.invoice_pdf, name="invoice_pdf"),
    path(
        "credit-notes/<int:credit_note_id>/pdf/", invoices.credit_note_pdf, name="credit_note_pdf"
    ),
    path("usage/", usage.usage, name="usage"),
    path("billing-details/", details.details, name="details"),
    path("language/", language.language, name="language"),
]
