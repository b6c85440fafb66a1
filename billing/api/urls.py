from django.urls import path

from billing.api import views

urlpatterns = [
    path("customers/", views.CustomerCollectionView.as_view(), name="customer-list"),
    path("customers/<int:pk>/", views.CustomerDetailView.as_view(), name="customer-detail"),
    path(
        "customers/external/<path:external_id>/",
        views.CustomerByExternalIdView.as_view(),
        name="customer-by-external-id",
    ),
    path(
        "customers/<int:pk>/archive/", views.CustomerArchiveView.as_view(), name="customer-archive"
    ),
    path(
        "customers/<int:pk>/unarchive/",
        views.CustomerUnarchiveView.as_view(),
        name="customer-unarchive",
    ),
    path(
        "customers/<int:pk>/history/", views.CustomerHistoryView.as_view(), name="customer-history"
    ),
]

from billing.api import subscriptions as subs  # noqa: E402

urlpatterns += [
    path("subscriptions/", subs.SubscriptionCollection.as_view(), name="subscription-list"),
    path("subscriptions/<int:pk>/", subs.SubscriptionDetail.as_view(), name="subscription-detail"),
    path("subscriptions/<int:pk>/timeline/", subs.SubscriptionTimeline.as_view()),
    path("subscriptions/<int:pk>/change/", subs.SubscriptionChangeView.as_view()),
    path("subscriptions/<int:pk>/change/preview/", subs.SubscriptionChangePreviewView.as_view()),
    path("subscriptions/<int:pk>/changes/", subs.SubscriptionChangeList.as_view()),
    path("subscriptions/<int:pk>/cancel/", subs.SubscriptionCancel.as_view()),
    path("subscriptions/<int:pk>/undo-cancel/", subs.SubscriptionUndoCancel.as_view()),
    path("subscriptions/<int:pk>/pause/", subs.SubscriptionPauseView.as_view()),
    path("subscriptions/<int:pk>/resume/", subs.SubscriptionResumeView.as_view()),
    path("subscriptions/<int:pk>/activate/", subs.SubscriptionActivate.as_view()),
    path("subscriptions/<int:pk>/end/", subs.SubscriptionEnd.as_view()),
    path("subscriptions/<int:pk>/proration-lines/", subs.ProrationLineList.as_view()),
    path("subscriptions/<int:pk>/items/", subs.SubscriptionItems.as_view()),
    path("subscriptions/<int:pk>/items/<int:item_id>/", subs.SubscriptionItem.as_view()),
    path(
        "subscriptions/<int:pk>/items/<int:item_id>/remove/",
        subs.SubscriptionItemRemove.as_view(),
    ),
    path("subscription-changes/<int:pk>/cancel/", subs.ChangeCancelView.as_view()),
    path("entitlements/check/", subs.EntitlementCheck.as_view(), name="entitlement-check"),
    path("customers/<int:pk>/entitlements/", subs.CustomerEntitlements.as_view()),
    path(
        "customers/<int:pk>/entitlements/overrides/<slug:feature>/",
        subs.CustomerOverride.as_view(),
    ),
    path("customers/<int:pk>/entitlements/block/", subs.CustomerBlock.as_view()),
]

from billing.api import usage  # noqa: E402

urlpatterns += [
    path("events", usage.EventView.as_view(), name="event-create"),
    path("events/", usage.UsageEventList.as_view(), name="event-list"),
    path("events/batch", usage.EventBatchView.as_view(), name="event-batch"),
    path("customers/<int:pk>/usage/", usage.CurrentUsageView.as_view(), name="customer-usage"),
]

from billing.api import credits  # noqa: E402

urlpatterns += [
    path("customers/<int:pk>/balance/", credits.CustomerBalance.as_view()),
    path("customers/<int:pk>/coupons/", credits.CustomerCoupons.as_view()),
    path("coupon-redemptions/<int:pk>/remove/", credits.RedemptionRemove.as_view()),
    path("subscriptions/<int:pk>/add-ons/", credits.SubscriptionAddOn.as_view()),
]

from billing.api import apikeys  # noqa: E402

urlpatterns += [
    path("api-keys/", apikeys.ApiKeyCollection.as_view(), name="api-key-list"),
    path("api-keys/<int:pk>/", apikeys.ApiKeyDetail.as_view(), name="api-key-detail"),
    path("api-keys/<int:pk>/revoke/", apikeys.ApiKeyRevoke.as_view(), name="api-key-revoke"),
]
