"""The language switch: this session's pages in English or German."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from portal.access import portal_view
from portal.services.pages import portal_session_language_set


@require_POST
@portal_view
def language(request: HttpRequest) -> HttpResponse:
    """Back to the page it was chosen on (a path of this site only), now in that language; a
    language we do not speak: back with an error message in the page's language."""
    portal = request.portal  # type: ignore[attr-defined]
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) and (
        back.startswith("/portal/")
    )
    try:
        portal_session_language_set(
            session_id=portal.session.pk,
            language=request.POST.get("language", ""),
            as_of=timezone.now(),
            actor=portal.actor,
        )
    except ApplicationError:  # not one of ours: back, in the language the page was in
        messages.error(request, _("This language is not available."))
    return HttpResponseRedirect(back if safe else reverse("portal:overview"))
