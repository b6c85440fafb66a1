"""The portal's own error pages: a 404 (another customer's object, a stale address) and a refused
form (an expired CSRF token), in the portal's frame, in the session's language when the customer
is signed in (else the browser's), with a way back. Wired for /portal/ and /gateways/ by
config/urls.py (`handler404`, `csrf_failure`, settings.CSRF_FAILURE_VIEW); elsewhere Django's
pages stay."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from invoicing.pdf import document_language
from portal.access import PortalContext, current_session
from portal.selectors import configuration_for

PREFIXES = ("/portal/", "/gateways/")


def is_portal_path(request: HttpRequest) -> bool:
    return request.path.startswith(PREFIXES)


def _portal_context(request: HttpRequest) -> PortalContext | None:
    """The signed-in customer's context (already there when a portal view raised the 404)."""
    portal: PortalContext | None = getattr(request, "portal", None)
    if portal is not None:
        return portal
    session = current_session(request) if hasattr(request, "session") else None
    if session is None:
        return None
    portal = PortalContext(
        session=session,
        customer=session.customer,
        user=session.user,
        configuration=configuration_for(session),
        language=document_language(session.locale or session.customer.locale),
    )
    request.portal = portal  # type: ignore[attr-defined]
    return portal


def _error_page(request: HttpRequest, kind: str, status: int) -> HttpResponse:
    portal = _portal_context(request)
    if portal is not None:
        language = portal.language
    else:
        language = document_language(translation.get_language_from_request(request))
    context: dict[str, Any] = {
        "kind": kind,
        "back_url": reverse("portal:overview" if portal else "portal:login"),
        "signed_in": portal is not None,
    }
    with translation.override(language):
        response = render(request, "portal/error.html", context, status=status)
    response.headers["Content-Language"] = language
    response.headers["Cache-Control"] = "private, no-store"
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "not_found", 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_page(request, "csrf", 403)
