"""The back office's REST routes: jobs, exports, customer notes, the dashboard's figures."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
