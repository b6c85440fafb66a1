"""The company's brand for the portal's pages: its colours as a stylesheet of CSS custom
properties (the CSP allows no inline style elements we write), and its logo by digest. Both are
public (the sign-in page shows them too) and say nothing about any customer."""

from __future__ import annotations

import hashlib
import re

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from invoicing.models import BrandLogo
from invoicing.selectors import branding_current

DIGEST = re.compile(r"^[0-9a-f]{64}$")


def brand_stylesheet() -> str:
    brand = branding_current()
    return (
        ":root {\n"
        f"  --brand: {brand.primary_color};\n"
        f"  --brand-text: {brand.primary_text_color};\n"
        f"  --brand-accent: {brand.accent_color};\n"
        "}\n"
        ".brand { display: inline-flex; align-items: center; gap: .5rem; }\n"
        ".brand-logo { height: 2rem; width: auto; max-width: 10rem; object-fit: contain; }\n"
    )


def _matches(request: HttpRequest, tag: str) -> bool:
    sent = request.headers.get("If-None-Match", "")
    return sent.strip() == "*" or tag in [t.strip().removeprefix("W/") for t in sent.split(",")]


@require_GET
def brand_css(request: HttpRequest) -> HttpResponse:
    """Revalidated at every use (`no-cache`), answered 304 while the brand is unchanged."""
    css = brand_stylesheet()
    tag = f'"{hashlib.sha256(css.encode()).hexdigest()[:32]}"'
    response: HttpResponse = (
        HttpResponseNotModified()
        if _matches(request, tag)
        else HttpResponse(css, content_type="text/css; charset=utf-8")
    )
    response["ETag"] = tag
    patch_cache_control(response, public=True, no_cache=True)
    return response


@require_GET
def brand_logo(request: HttpRequest, digest: str) -> HttpResponse:
    """A logo's bytes by their SHA-256: they never change, so they are cached for a year."""
    if not DIGEST.match(digest):
        raise Http404("No such logo.")
    tag = f'"{digest}"'
    if _matches(request, tag) and BrandLogo.objects.filter(pk=digest).exists():
        response: HttpResponse = HttpResponseNotModified()
    else:
        logo = BrandLogo.objects.filter(pk=digest).values_list("content_type", "data").first()
        if logo is None:
            raise Http404("No such logo.")
        response = HttpResponse(bytes(logo[1]), content_type=logo[0])
    response["ETag"] = tag
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    patch_cache_control(response, public=True, max_age=31536000, immutable=True)
    return response
