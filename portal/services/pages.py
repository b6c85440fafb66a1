"""The reading pages' one write: the language a portal session shows its pages in."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction

from core.audit import Actor, audit_context
from core.exceptions import NotFound, ValidationFailed
from invoicing.pdf import document_language
from portal.models import PortalSession


def portal_session_language_set(
    *, session_id: int, language: str, as_of: datetime, actor: Actor
) -> PortalSession:
    """Show this session's pages in `language` (one of settings.LANGUAGES), for this session
    only: the session's locale becomes the customer's own when it speaks that language (de-AT
    stays de-AT, so its numbers and dates stay Austrian), else the language itself. The
    customer's locale (its documents' language) does not change."""
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        raise ValidationFailed(
            f"Unknown language {language!r}: one of {', '.join(codes)}.", field="language"
        )
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="portal language"):
        session = (
            PortalSession.objects.select_for_update()
            .select_related("customer")
            .filter(pk=session_id, ended_at__isnull=True, expires_at__gt=as_of)
            .first()
        )
        if session is None:
            raise NotFound("This portal session has ended.", code="session_ended")
        own = session.customer.locale
        locale = own if document_language(own) == language else language
        if session.locale != locale:
            session.locale = locale
            session.save(update_fields=["locale"])
    return session
