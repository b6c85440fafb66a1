"""The overview page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.access import portal_view


@require_GET
@portal_view
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/overview.html", {})
