"""Celery tasks of test clocks."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.utils import timezone

from integrations.testclocks import _enqueue, clock_advance_run, clocks_resume

__all__ = ["clock_advance_task", "clocks_resume_task"]


@shared_task(bind=True, name="integrations.test_clock_advance")
def clock_advance_task(self: Task[Any, Any], test_clock_id: int) -> str:
    """Advance a test clock (integrations/testclocks.py); a long advance continues in a new
    task on the same queue."""
    result = clock_advance_run(test_clock_id=test_clock_id, now=timezone.now)
    if result == "continue":
        _enqueue(test_clock_id, (self.request.delivery_info or {}).get("routing_key") or None)
    return result


@shared_task(name="integrations.test_clocks_resume")
def clocks_resume_task() -> list[int]:
    """Beat, every 5 minutes: queue again the advances whose task was lost."""
    return clocks_resume(now=timezone.now())
