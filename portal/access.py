"""Who is looking at a portal page: `portal_view` loads the portal session named by the Django
session, refuses an ended or expired one (to the sign-in page), and puts a `PortalContext` on
`request.portal`. Every page and download reads `request.portal.customer` and filters by it, so
another customer's object answers 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation

from billing.models import Customer
from core.audit import Actor
from invoicing.pdf import document_language
from portal.models import PortalConfiguration, PortalSession, PortalUser, PortalUserState
from portal.selectors import configuration_for

SESSION_KEY = "portal_session_id"


@dataclass(frozen=True)
class PortalContext:
    session: PortalSession
    customer: Customer
    user: PortalUser | None
    configuration: PortalConfiguration | None
    language: str

    @property
    def return_host(self) -> str:
        """The host of the integrator's return URL ("Back to <host>"), "" when none."""
        return urlsplit(self.session.return_url).hostname or "" if self.session.return_url else ""

    @property
    def actor(self) -> Actor:
        """Who acts when the customer writes through the portal (history and journal)."""
        who = self.user.email if self.user is not None else f"session {self.session.pk}"
        return Actor(kind="customer", id=str(self.customer.pk), label=f"portal:{who}")


def current_session(request: HttpRequest) -> PortalSession | None:
    session_id = request.session.get(SESSION_KEY)
    if not isinstance(session_id, int):
        return None
    session = (
        PortalSession.objects.select_related("customer", "user", "configuration")
        .filter(pk=session_id)
        .first()
    )
    if session is None or session.ended_at is not None or session.expires_at <= timezone.now():
        return None
    if session.user is not None and session.user.state == PortalUserState.DISABLED:
        return None
    return session


def portal_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A portal page: signed-in customers only (else the sign-in page, saying the session
    ended), in the session's or the customer's language."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        session = current_session(request)
        if session is None:
            request.session.pop(SESSION_KEY, None)
            return HttpResponseRedirect(reverse("portal:login") + "?expired=1")
        language = document_language(session.locale or session.customer.locale)
        request.portal = PortalContext(  # type: ignore[attr-defined]
            session=session,
            customer=session.customer,
            user=session.user,
            configuration=configuration_for(session),
            language=language,
        )
        with translation.override(language):
            response = view(request, *args, **kwargs)
            response.headers.setdefault("Content-Language", language)
        response.headers["Cache-Control"] = "private, no-store"
        return response

    return wrapped
