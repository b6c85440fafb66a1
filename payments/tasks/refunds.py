"""Celery tasks: refunds (thin wrappers around payments.services.refunds)."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from core.audit import CLOCK
from payments.services.refunds import refund_reconcile

__all__ = ["refund_reconcile_task"]


@shared_task(name="payments.refund_reconcile")
def refund_reconcile_task(refund_id: int, as_of: str) -> str:
    """Resolve one pending refund by asking its gateway (enqueued by the clock's hook); a refund
    no longer pending, or a second run, does nothing. Returns the refund's state."""
    return refund_reconcile(
        refund_id=refund_id, actor=CLOCK, as_of=datetime.fromisoformat(as_of)
    ).state
