"""Routes of cash application (issue 12, item 8): payments, apply, unapply, move to balance,
a customer's unapplied cash. Included by payments/api/urls.py under /api/v1/."""

from django.urls import path

from payments.api import cash_views as views

urlpatterns = [
    path("payments/", views.PaymentCollection.as_view(), name="payment-list"),
    path("payments/<int:pk>/", views.PaymentDetail.as_view(), name="payment-detail"),
    path("payments/<int:pk>/apply/", views.PaymentApply.as_view(), name="payment-apply"),
    path(
        "payments/<int:pk>/move-to-balance/",
        views.PaymentMoveToBalance.as_view(),
        name="payment-move-to-balance",
    ),
    path(
        "allocations/<int:pk>/unapply/",
        views.AllocationUnapply.as_view(),
        name="allocation-unapply",
    ),
    path(
        "customers/<int:pk>/unapplied-cash/",
        views.CustomerUnappliedCash.as_view(),
        name="customer-unapplied-cash",
    ),
]
