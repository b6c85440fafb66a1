"""Celery tasks of the notifications: thin wrappers around notifications.services."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from billing.selectors import customer_times
from notifications.models import Notification
from notifications.services import notification_send

__all__ = ["notification_send_task"]


@shared_task(bind=True, name="notifications.send", max_retries=None)
def notification_send_task(self: Any, notification_id: int) -> str:
    """Send one notification (queued after the commit that recorded it). A transient error
    leaves it pending and the task retries at its next attempt's time (the row counts the
    attempts and gives up after NOTIFICATIONS_MAX_ATTEMPTS); a row locked for a moment by
    another transaction (`busy`) is tried again a few seconds later. The bound on the task's
    own retries is a safety net only: the sweep queues again whatever is still due. Sent at its
    customer's time: now, or a test customer's clock time."""
    now = timezone.now()
    owner = Notification.objects.filter(pk=notification_id).values_list("customer_id", flat=True)
    as_of = customer_times(owner, now).get(owner[0], now) if owner else now
    result = notification_send(notification_id=notification_id, as_of=as_of)
    bound = 4 * settings.NOTIFICATIONS_MAX_ATTEMPTS
    if result.retry_in is not None and self.request.retries < bound:
        raise self.retry(countdown=result.retry_in)
    return result.state
