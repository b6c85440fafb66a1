"""Celery tasks of the billing app: thin wrappers around services."""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from billing.services import journal_dispatch, subscription_advance
from core.audit import CLOCK


@shared_task(name="billing.journal_dispatch")
def journal_dispatch_task() -> dict[str, int]:
    return journal_dispatch(as_of=timezone.now())


@shared_task(name="billing.subscriptions_advance")
def subscriptions_advance_task(subscription_ids: list[int], as_of: str) -> int:
    """Bring a chunk of subscriptions up to the tick's instant; each in its own transaction."""
    instant = datetime.fromisoformat(as_of)
    for subscription_id in subscription_ids:
        subscription_advance(subscription_id=subscription_id, as_of=instant, actor=CLOCK)
    return len(subscription_ids)
