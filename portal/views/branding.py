"""The company's colours for the portal's pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def brand_css(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        ":root { --brand: #1f4e79; --brand-text: #ffffff; }\n", content_type="text/css"
    )
