from django.urls import path

from payments.api import wallet_views as views

urlpatterns = [
    path("customers/<int:pk>/wallet/", views.CustomerWallet.as_view(), name="customer-wallet"),
    path(
        "customers/<int:pk>/wallet/history/",
        views.CustomerWalletHistory.as_view(),
        name="customer-wallet-history",
    ),
    path(
        "customers/<int:pk>/wallet/grants/",
        views.CustomerWalletGrants.as_view(),
        name="customer-wallet-grants",
    ),
    path(
        "customers/<int:pk>/wallet/top-ups/",
        views.CustomerWalletTopUps.as_view(),
        name="customer-wallet-top-ups",
    ),
    path(
        "customers/<int:pk>/wallet/settings/",
        views.CustomerWalletSettings.as_view(),
        name="customer-wallet-settings",
    ),
]
