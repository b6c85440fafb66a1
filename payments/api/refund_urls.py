from django.urls import path

from payments.api import refund_views as views

urlpatterns = [
    path(
        "payments/<int:pk>/refunds/",
        views.PaymentRefundCreate.as_view(),
        name="payment-refund-create",
    ),
    path("refunds/", views.RefundCollection.as_view(), name="refund-list"),
    path("refunds/<int:pk>/", views.RefundDetail.as_view(), name="refund-detail"),
]
