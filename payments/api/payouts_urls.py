from django.urls import path

from payments.api import payouts_views as views

urlpatterns = [
    path("payees/", views.PayeeCollection.as_view(), name="payee-list"),
    path("payees/<int:pk>/", views.PayeeDetail.as_view(), name="payee-detail"),
    path("payees/<int:pk>/archive/", views.PayeeArchive.as_view(), name="payee-archive"),
    path(
        "payees/<int:pk>/payout-methods/",
        views.PayeePayoutMethods.as_view(),
        name="payee-payout-methods",
    ),
    path("payees/<int:pk>/customers/", views.PayeeCustomers.as_view(), name="payee-customers"),
    path("payees/<int:pk>/schedules/", views.PayeeSchedules.as_view(), name="payee-schedules"),
    path(
        "payout-methods/<int:pk>/default/",
        views.PayoutMethodDefault.as_view(),
        name="payout-method-default",
    ),
    path(
        "payout-methods/<int:pk>/detach/",
        views.PayoutMethodDetach.as_view(),
        name="payout-method-detach",
    ),
    path(
        "payee-customers/<int:pk>/",
        views.PayeeCustomerDetail.as_view(),
        name="payee-customer-detail",
    ),
    path(
        "payout-schedules/<int:pk>/",
        views.PayoutScheduleDetail.as_view(),
        name="payout-schedule-detail",
    ),
    path(
        "payout-schedules/<int:pk>/run/",
        views.PayoutScheduleRun.as_view(),
        name="payout-schedule-run",
    ),
    path("payouts/", views.PayoutCollection.as_view(), name="payout-list"),
    path("payouts/<int:pk>/", views.PayoutDetail.as_view(), name="payout-detail"),
    path("payouts/<int:pk>/retry/", views.PayoutRetry.as_view(), name="payout-retry"),
    path("payouts/<int:pk>/cancel/", views.PayoutCancel.as_view(), name="payout-cancel"),
]
