from django.urls import path

from payments.api import retry_views as views

urlpatterns = [
    path("retry-policies/", views.RetryPolicyGlobal.as_view(), name="retry-policy-global"),
    path("plans/<int:pk>/retry-policy/", views.PlanRetryPolicy.as_view(), name="plan-retry-policy"),
    path(
        "invoices/<int:pk>/retry-payment/",
        views.InvoiceRetryPayment.as_view(),
        name="invoice-retry-payment",
    ),
]
