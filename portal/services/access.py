"""Links into the portal and the sessions opened from them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction

from billing.models import Customer
from core.audit import Actor, audit_context
from core.exceptions import NotFound, ValidationFailed
from portal.models import LinkKind, PortalLink, PortalSession

LINK_TTL = timedelta(minutes=5)  # a portal session link from the API, as Stripe's
SESSION_TTL = timedelta(hours=1)  # a session opened from a link


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_path(token: str) -> str:
    return f"/portal/session/{token}/"


def portal_session_create(
    *,
    customer_id: int,
    return_url: str = "",
    locale: str = "",
    configuration_id: int | None = None,
    as_of: datetime,
    actor: Actor,
) -> tuple[PortalLink, str]:
    """A single-use link into the customer's portal, valid for LINK_TTL: the link row and its
    token (shown once; only its hash is kept)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="portal session"):
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None:
            raise NotFound(f"No customer with id {customer_id}.", field="customer")
        token = secrets.token_urlsafe(32)
        link = PortalLink.objects.create(
            kind=LinkKind.SESSION,
            token_hash=token_hash(token),
            customer=customer,
            configuration_id=configuration_id,
            return_url=return_url,
            locale=locale,
            created_by=actor.label,
            created_at=as_of,
            expires_at=as_of + LINK_TTL,
        )
    return link, token


def portal_link_consume(*, token: str, as_of: datetime) -> PortalSession:
    """Open a session from a link: once, before it expires."""
    with transaction.atomic(durable=True):
        link = PortalLink.objects.select_for_update().filter(token_hash=token_hash(token)).first()
        if link is None:
            raise NotFound("This link is not valid.", code="link_invalid")
        if link.used_at is not None:
            raise ValidationFailed("This link was already used.", code="link_used")
        if link.expires_at <= as_of:
            raise ValidationFailed("This link has expired.", code="link_expired")
        actor = Actor(kind="customer", id=str(link.customer_id), label=f"portal:{link.pk}")
        with audit_context(actor=actor, reason="portal link opened"):
            link.used_at = as_of
            link.save(update_fields=["used_at"])
            return PortalSession.objects.create(
                link=link,
                customer_id=link.customer_id,
                user_id=link.user_id,
                configuration_id=link.configuration_id,
                return_url=link.return_url,
                locale=link.locale,
                created_at=as_of,
                expires_at=as_of + SESSION_TTL,
            )


def portal_session_end(*, session_id: int, reason: str, as_of: datetime) -> None:
    with transaction.atomic(durable=True):
        PortalSession.objects.filter(pk=session_id, ended_at__isnull=True).update(
            ended_at=as_of, end_reason=reason
        )
