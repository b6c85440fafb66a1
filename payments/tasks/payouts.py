"""Celery tasks of payouts: thin wrappers around payments.services.payouts_run. They read the
clock (domain code never does) and act as the payouts' system actor."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from payments.services.payouts_run import PAYOUTER, payouts_execute, payouts_reconcile

__all__ = ["payouts_execute_task", "payouts_reconcile_task"]


@shared_task(name="payments.payouts_execute")
def payouts_execute_task(payout_ids: list[int]) -> dict[str, int]:
    """Send a chunk of pending payouts (queued after the commit that made them due)."""
    return payouts_execute(payout_ids=payout_ids, as_of=timezone.now(), actor=PAYOUTER)


@shared_task(name="payments.payouts_reconcile")
def payouts_reconcile_task(as_of: str | None = None) -> dict[str, int]:
    """Resolve payouts waiting for their answer (queued by the clock's hook)."""
    instant = datetime.fromisoformat(as_of) if as_of else timezone.now()
    return payouts_reconcile(as_of=instant, actor=PAYOUTER)
