"""webhooks API routes."""

from django.urls import path

from integrations.api import webhooks_views as views

urlpatterns = [
    path("webhook-endpoints/", views.WebhookEndpointCollection.as_view(),
         name="webhook-endpoint-list"),
    path("webhook-endpoints/<int:pk>/", views.WebhookEndpointDetail.as_view()),
    path("webhook-endpoints/<int:pk>/rotate-secret/", views.WebhookEndpointRotateSecret.as_view()),
    path("webhook-endpoints/<int:pk>/enable/", views.WebhookEndpointEnable.as_view()),
    path("webhook-endpoints/<int:pk>/disable/", views.WebhookEndpointDisable.as_view()),
    path("webhook-endpoints/<int:pk>/test/", views.WebhookEndpointTest.as_view()),
    path("webhook-endpoints/<int:pk>/replay/", views.WebhookEndpointReplay.as_view()),
    path("webhook-deliveries/", views.WebhookDeliveryCollection.as_view(),
         name="webhook-delivery-list"),
    path("webhook-deliveries/<int:pk>/", views.WebhookDeliveryDetail.as_view()),
    path("webhook-event-types/", views.WebhookEventTypes.as_view()),
]  # fmt: skip
