"""Signing in and out of the portal."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.exceptions import ApplicationError
from portal.access import SESSION_KEY
from portal.services import portal_link_consume, portal_session_end


@require_GET
def session_link(request: HttpRequest, token: str) -> HttpResponse:
    """A single-use link: opens a portal session, then the overview."""
    try:
        session = portal_link_consume(token=token, as_of=timezone.now())
    except ApplicationError as error:
        return render(request, "portal/link_refused.html", {"error": error}, status=410)
    request.session.cycle_key()
    request.session[SESSION_KEY] = session.pk
    return HttpResponseRedirect(reverse("portal:overview"))


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/login.html", {"expired": "expired" in request.GET})


@require_http_methods(["POST"])
def logout(request: HttpRequest) -> HttpResponse:
    session_id = request.session.pop(SESSION_KEY, None)
    if isinstance(session_id, int):
        portal_session_end(session_id=session_id, reason="logged out", as_of=timezone.now())
    return HttpResponseRedirect(reverse("portal:login"))
