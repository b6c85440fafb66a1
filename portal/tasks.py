"""Celery tasks of the portal: thin wrappers around a service or an e-mail."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.core.mail import get_connection
from django.utils import timezone

from portal.emails import access_message
from portal.models import PortalLink, PortalUserState

logger = logging.getLogger(__name__)

__all__ = ["portal_access_email_task"]


@shared_task(
    name="portal.send_access_email",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def portal_access_email_task(link_id: int, url: str) -> str:
    """E-mail an invitation or login link (queued on the e-mail queue after the commit that
    issued it). `url` holds the link's token: it is in the broker until this runs, and the
    link is single-use and short-lived. A link already used, expired or whose user was
    disabled meanwhile is not sent. A transient SMTP or network error is retried (30 s,
    doubling, 5 times)."""
    link = PortalLink.objects.select_related("user", "customer").filter(pk=link_id).first()
    if link is None or link.user is None:
        return "missing"
    if link.used_at is not None or link.expires_at <= timezone.now():
        return "stale"
    if link.user.state == PortalUserState.DISABLED:
        return "disabled"
    message = access_message(link, url)
    message.connection = get_connection()
    message.send()
    logger.info("portal %s link %s e-mailed to user %s", link.kind, link.pk, link.user_id)
    return "sent"
