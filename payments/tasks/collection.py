"""Celery tasks of automatic collection: thin wrappers around payments.services.collection.
They read the clock (domain code never does) and act as the collection's system actor."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from payments.services.collection import COLLECTOR, payments_charge, payments_reconcile

__all__ = ["payments_charge_task", "payments_reconcile_task"]


@shared_task(name="payments.charge")
def payments_charge_task(payment_ids: list[int]) -> dict[str, int]:
    """Charge a chunk of pending automatic payments (queued after the commit that made them)."""
    return payments_charge(payment_ids=payment_ids, as_of=timezone.now(), actor=COLLECTOR)


@shared_task(name="payments.reconcile")
def payments_reconcile_task(as_of: str | None = None) -> dict[str, int]:
    """Resolve old pending payments (queued by the clock's hook with the tick's instant)."""
    instant = datetime.fromisoformat(as_of) if as_of else timezone.now()
    return payments_reconcile(as_of=instant, actor=COLLECTOR)
