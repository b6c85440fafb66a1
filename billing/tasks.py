"""Celery tasks of the billing app: thin wrappers around services."""

from celery import shared_task
from django.utils import timezone

from billing.services import journal_dispatch


@shared_task(name="billing.journal_dispatch")
def journal_dispatch_task() -> dict[str, int]:
    return journal_dispatch(as_of=timezone.now())
