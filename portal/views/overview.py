"""The overview page: the customer's subscriptions, the upcoming invoice, balance and credits,
and what is overdue."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.access import portal_view
from portal.pages.display import reader_for
from portal.pages.overview import overview_of


@require_GET
@portal_view
def overview(request: HttpRequest) -> HttpResponse:
    portal = request.portal  # type: ignore[attr-defined]
    reader = reader_for(portal)
    context = overview_of(portal.customer, portal.configuration, reader, timezone.now())
    return render(request, "portal/overview.html", {**context, "reader": reader, "nav": "overview"})
