"""The gateways' own pages (the sandbox gateway's card form)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
