"""The portal's API: portal sessions and users (access), portal configurations and branding."""

from django.urls import include, path

urlpatterns = [
    path("", include("portal.api.access_urls")),
    path("", include("portal.api.configuration_urls")),
]
