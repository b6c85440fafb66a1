from django.urls import path

from invoicing.api import branding_views, imports_views, views

urlpatterns = [
    path("invoices/", views.InvoiceList.as_view(), name="invoice-list"),
    path("invoices/<int:pk>/", views.InvoiceDetail.as_view(), name="invoice-detail"),
    path("invoices/<int:pk>/finalize/", views.InvoiceFinalize.as_view(), name="invoice-finalize"),
    path("invoices/<int:pk>/void/", views.InvoiceVoid.as_view(), name="invoice-void"),
    path("invoices/<int:pk>/mark-uncollectible/", views.InvoiceUncollectible.as_view()),
    path("invoices/<int:pk>/credit-notes/", views.CreditNoteCreate.as_view()),
    path("credit-notes/", views.CreditNoteList.as_view(), name="credit-note-list"),
    path("invoices/<int:pk>/pdf/", views.InvoicePdf.as_view(), name="invoice-pdf"),
    path("credit-notes/<int:pk>/pdf/", views.CreditNotePdf.as_view(), name="credit-note-pdf"),
    path("invoices/<int:pk>/lines/", views.InvoiceLineAdd.as_view()),
    path("invoices/<int:pk>/lines/<int:line_id>/", views.InvoiceLineRemove.as_view()),
    path("invoices/<int:pk>/add-ons/", views.InvoiceAddOnAdd.as_view()),
    path("customers/<int:pk>/upcoming-invoice/", views.UpcomingInvoice.as_view()),
    path("corrections/", views.CorrectionList.as_view(), name="correction-list"),
    path("corrections/<int:pk>/apply/", views.CorrectionApply.as_view(), name="correction-apply"),
    path("corrections/rerate/", views.Rerate.as_view(), name="corrections-rerate"),
    path("billing-failures/", views.BillingFailureList.as_view(), name="billing-failure-list"),
    path("branding/", branding_views.BrandingView.as_view(), name="branding"),
    path("imports/", imports_views.ImportCollectionView.as_view(), name="import-list"),
    path("imports/validate/", imports_views.ImportValidateView.as_view(), name="import-validate"),
    path("imports/<int:pk>/", imports_views.ImportDetailView.as_view(), name="import-detail"),
]
