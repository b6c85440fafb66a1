"""Celery tasks of webhook delivery: thin wrappers around the sender and an e-mail to staff."""

from __future__ import annotations

import logging
import smtplib
import time

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from integrations.models import WebhookEndpoint
from integrations.webhook_delivery import webhook_deliveries_send_due

logger = logging.getLogger(__name__)

__all__ = ["webhook_deliver_task", "webhook_endpoint_disabled_email_task"]

TASK_BUDGET_SECONDS = 60  # then the task queues itself again (other tasks get the worker)
HELD_BACK_TRIES = 3


@shared_task(name="integrations.webhooks_deliver")
def webhook_deliver_task() -> dict[str, int]:
    """Send due deliveries batch after batch until none is left (or the budget is spent: then
    queue another task). Several of these run at once and share the work."""
    totals: dict[str, int] = {}
    started = time.monotonic()
    held_back = 0
    while True:
        report = webhook_deliveries_send_due(as_of=timezone.now())
        for key, value in report.items():
            totals[key] = totals.get(key, 0) + value
        if not report.get("claimed"):
            # candidates held back: behind a delivery another worker was claiming at that very
            # moment; claiming again sees that claim and skips only its chains (a few times:
            # a row locked for long is someone else's, and that one's task sends on)
            held_back += 1
            if not report.get("candidates") or held_back > HELD_BACK_TRIES:
                return totals
            time.sleep(0.05)
            continue
        held_back = 0
        if time.monotonic() - started > TASK_BUDGET_SECONDS:
            webhook_deliver_task.delay()
            return totals


def staff_to_tell() -> list[str]:
    """The e-mail addresses of active staff who may change webhook endpoints."""
    users = get_user_model().objects.with_perm(
        "integrations.change_webhookendpoint",
        is_active=True,
        include_superusers=True,
        backend="django.contrib.auth.backends.ModelBackend",
    )
    return sorted({u.email for u in users.filter(is_staff=True) if u.email})


@shared_task(
    name="integrations.webhook_endpoint_disabled_email",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def webhook_endpoint_disabled_email_task(endpoint_id: int) -> str:
    """Tell staff that an endpoint was disabled because its deliveries kept failing."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        return "missing"
    recipients = staff_to_tell()
    if not recipients:
        return "nobody"
    base = getattr(settings, "PORTAL_BASE_URL", "") or ""
    admin_path = f"/admin/integrations/webhookendpoint/{endpoint.pk}/change/"
    if endpoint.enabled:
        return "enabled again"
    disabled = endpoint.disabled_at or timezone.now()
    body = (
        f"The webhook endpoint #{endpoint.pk} ({endpoint.url}) was disabled on "
        f"{disabled:%Y-%m-%d %H:%M} UTC: every delivery to it failed for three days.\n"
        f"Reason: {endpoint.disabled_reason}\n\n"
        "Its pending deliveries wait. Fix the receiver, then enable the endpoint again in the "
        "admin or with POST /api/v1/webhook-endpoints/{id}/enable/; replay what it missed.\n\n"
        f"{base.rstrip('/')}{admin_path}\n"
    )
    message = EmailMessage(
        subject=f"Webhook endpoint #{endpoint.pk} disabled: {endpoint.url}"[:200],
        body=body,
        to=recipients,
        connection=get_connection(),
    )
    message.send()
    logger.info("webhook endpoint %s disabled: %d staff told", endpoint.pk, len(recipients))
    return "sent"
