"""`brand` for every template: the company's name, logo URL and colours as the portal shows
them (`templates/portal/_brand.html`). Read lazily: a page that does not show it costs no
query, one that does costs one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from invoicing.selectors import branding_current


@dataclass(frozen=True)
class Brand:
    name: str
    logo_url: str
    primary_color: str
    primary_text_color: str
    accent_color: str


def current_brand() -> Brand:
    brand = branding_current()
    return Brand(
        name=brand.display_name,
        logo_url=reverse("portal:brand_logo", args=[brand.logo_id]) if brand.logo_id else "",
        primary_color=brand.primary_color,
        primary_text_color=brand.primary_text_color,
        accent_color=brand.accent_color,
    )


def brand(request: HttpRequest) -> dict[str, Any]:
    return {"brand": SimpleLazyObject(current_brand)}
