"""Celery tasks of the retries: thin wrappers around payments.services.retries. The clock calls
`retries_due` itself (a tick hook); this task runs it on demand for an instant."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from payments.services.retries import retries_due

__all__ = ["payment_retries_due_task"]


@shared_task(name="payments.retries_due")
def payment_retries_due_task(as_of: str | None = None) -> dict[str, int]:
    """Make the retries due at `as_of` (ISO 8601; default now)."""
    return retries_due(datetime.fromisoformat(as_of) if as_of else timezone.now())
