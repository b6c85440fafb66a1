"""Signing in and out of the portal: the integrator's portal session link, the sign-in page
(a magic link by e-mail), the e-mailed links (invitation, login), sign-out.

An e-mailed link opens a page with a "Continue" button and is consumed by its POST: mail
scanners that fetch every link of a message (to check it) would otherwise use it up before the
person clicks. The integrator's session link is consumed by its GET (it is handed to a browser
by a redirect, as Stripe's). Either way the Django session key is cycled on sign-in (no session
fixation) and expires with the portal session."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.audit import Actor
from core.exceptions import ApplicationError, NotFound
from core.request_ips import client_ip
from portal.access import SESSION_KEY, current_session
from portal.models import LinkKind, PortalLink, PortalSession
from portal.services import portal_link_consume, portal_login_request, portal_session_end
from portal.services.access import TooManyRequests, link_refusal, token_hash

LOGIN_EMAIL_KEY = "portal_login_email"


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A page outside a portal session, in the browser's language (Accept-Language)."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        response = render(request, template, context, status=status)
        response.headers.setdefault("Content-Language", language)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _refused(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    status = 404 if isinstance(error, NotFound) else 410
    return _render(request, "portal/link_refused.html", {"error": error}, status=status)


def _sign_in(request: HttpRequest, session: PortalSession) -> HttpResponse:
    request.session.cycle_key()  # a new key: one planted before sign-in is worth nothing
    request.session[SESSION_KEY] = session.pk
    request.session.set_expiry(session.expires_at)
    request.session.pop(LOGIN_EMAIL_KEY, None)
    return HttpResponseRedirect(reverse("portal:overview"))


@require_GET
def session_link(request: HttpRequest, token: str) -> HttpResponse:
    """A portal session link from the integrator: opens a session, then the overview."""
    try:
        with translation.override(translation.get_language_from_request(request)):
            session = portal_link_consume(
                token=token, as_of=timezone.now(), kinds=(LinkKind.SESSION,)
            )
    except ApplicationError as error:
        return _refused(request, error)
    return _sign_in(request, session)


@require_http_methods(["GET", "POST"])
def login_link(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation or login link from an e-mail: GET shows whose portal it opens and a
    Continue button, POST opens the session."""
    link = (
        PortalLink.objects.select_related("customer", "user")
        .filter(token_hash=token_hash(token))
        .first()
    )
    kinds = (LinkKind.INVITATION, LinkKind.LOGIN)
    language = translation.get_language_from_request(request)
    with translation.override(language):
        problem = link_refusal(link, as_of=timezone.now(), kinds=kinds)
    if problem is not None:
        return _refused(request, problem)
    assert link is not None
    if request.method == "GET":
        return _render(request, "portal/login_link.html", {"link": link})
    try:
        with translation.override(language):
            session = portal_link_consume(token=token, as_of=timezone.now(), kinds=kinds)
    except ApplicationError as error:
        return _refused(request, error)
    return _sign_in(request, session)


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """The sign-in page: an e-mail address in, "check your inbox" out, the same whether the
    address is a portal user's or not."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        if request.method == "POST":
            form = LoginForm(request.POST)
            if form.is_valid():
                email = form.cleaned_data["email"]
                base_url = request.build_absolute_uri("/")
                try:
                    portal_login_request(
                        email=email,
                        ip=client_ip(request),
                        base_url=base_url,
                        as_of=timezone.now(),
                    )
                except TooManyRequests as error:
                    form.add_error("email" if error.field else None, error.message)
                    return _render(request, "portal/login.html", {"form": form}, status=429)
                except ApplicationError as error:
                    form.add_error("email", error.message)
                else:
                    request.session[LOGIN_EMAIL_KEY] = email
                    return HttpResponseRedirect(reverse("portal:login") + "?sent=1")
            return _render(request, "portal/login.html", {"form": form}, status=400)
        if "sent" in request.GET and LOGIN_EMAIL_KEY in request.session:
            return _render(
                request, "portal/login_sent.html", {"email": request.session[LOGIN_EMAIL_KEY]}
            )
        context = {
            "form": LoginForm(),
            "expired": "expired" in request.GET,
            "signed_out": "signed_out" in request.GET,
            "signed_in": current_session(request) is not None,
        }
        return _render(request, "portal/login.html", context)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Ends the portal session; back to the integrator's return URL when the session came with
    one, else to the sign-in page."""
    session = current_session(request)
    return_url = ""
    if session is not None:
        actor = Actor(
            kind="customer",
            id=str(session.customer_id),
            label=f"portal:{session.user.email}" if session.user else f"session {session.pk}",
        )
        portal_session_end(
            session_id=session.pk, reason="signed out", as_of=timezone.now(), actor=actor
        )
        return_url = session.return_url
    request.session.flush()
    if return_url:
        return HttpResponseRedirect(return_url)
    return HttpResponseRedirect(reverse("portal:login") + "?signed_out=1")
