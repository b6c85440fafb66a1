"""The pages that read: overview, invoices (and their PDFs), usage, billing details."""

from django.urls import path

from portal.views import overview

urlpatterns = [
    path("", overview.overview, name="overview"),
]
