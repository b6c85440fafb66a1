"""The integrations API: webhook endpoints and deliveries, test clocks."""

from django.urls import include, path

urlpatterns = [
    path("", include("integrations.api.webhooks_urls")),
    path("", include("integrations.api.testclocks_urls")),
]
