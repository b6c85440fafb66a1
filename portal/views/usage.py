"""The usage page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.access import portal_view
from portal.pages.display import reader_for
from portal.pages.usage import usage_of_customer


@require_GET
@portal_view
def usage(request: HttpRequest) -> HttpResponse:
    portal = request.portal  # type: ignore[attr-defined]
    reader = reader_for(portal)
    return render(
        request,
        "portal/usage.html",
        {"metrics": usage_of_customer(portal.customer, reader), "reader": reader, "nav": "usage"},
    )
