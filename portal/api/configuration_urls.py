"""Portal configurations and a customer's own configuration."""

from django.urls import path

from portal.api import configuration_views as views

urlpatterns = [
    path(
        "portal-configurations/",
        views.PortalConfigurationCollection.as_view(),
        name="portal-configuration-list",
    ),
    path(
        "portal-configurations/<int:pk>/",
        views.PortalConfigurationDetail.as_view(),
        name="portal-configuration-detail",
    ),
    path(
        "customers/<int:pk>/portal-configuration/",
        views.CustomerPortalConfigurationView.as_view(),
        name="customer-portal-configuration",
    ),
]
