from django.urls import include, path

from payments.api import views

urlpatterns = [
    path("payment-methods/", views.PaymentMethodCollection.as_view(), name="payment-method-list"),
    path(
        "payment-methods/<int:pk>/",
        views.PaymentMethodDetail.as_view(),
        name="payment-method-detail",
    ),
    path(
        "payment-methods/<int:pk>/default/",
        views.PaymentMethodDefault.as_view(),
        name="payment-method-default",
    ),
    path(
        "payment-methods/<int:pk>/detach/",
        views.PaymentMethodDetach.as_view(),
        name="payment-method-detach",
    ),
    path(
        "subscriptions/<int:pk>/payment-method/",
        views.SubscriptionPaymentMethodView.as_view(),
        name="subscription-payment-method",
    ),
    path("", include("payments.api.cash_urls")),
    path("", include("payments.api.refund_urls")),
    path("", include("payments.api.collection_urls")),
    path("", include("payments.api.retry_urls")),
    path("", include("payments.api.wallet_urls")),
    path("", include("payments.api.dunning_urls")),
    path("", include("payments.api.payouts_urls")),
]
