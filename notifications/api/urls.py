from django.urls import path

from notifications.api import views

urlpatterns = [
    path("notifications/", views.NotificationCollection.as_view(), name="notification-list"),
    path("notifications/<int:pk>/", views.NotificationDetail.as_view(), name="notification-detail"),
    path(
        "notifications/<int:pk>/resend/",
        views.NotificationResend.as_view(),
        name="notification-resend",
    ),
    path(
        "customers/<int:pk>/notifications/",
        views.CustomerNotifications.as_view(),
        name="customer-notifications",
    ),
]
