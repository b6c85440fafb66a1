"""Celery tasks of automatic collection: thin wrappers around payments.services.collection.
They read the clock (domain code never does) and act as the collection's system actor."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from billing.selectors import customer_times, group_by_time
from payments.models import Payment
from payments.services.collection import COLLECTOR, payments_charge, payments_reconcile

__all__ = ["payments_charge_task", "payments_reconcile_task"]


@shared_task(name="payments.charge")
def payments_charge_task(payment_ids: list[int]) -> dict[str, int]:
    """Charge a chunk of pending automatic payments (queued after the commit that made them),
    each at its customer's time: now, or a test customer's clock time."""
    owners = dict(Payment.objects.filter(pk__in=payment_ids).values_list("pk", "customer_id"))
    times = customer_times(owners.values(), timezone.now())
    counts: dict[str, int] = {}
    for at, ids in group_by_time({pk: times[c] for pk, c in owners.items()}):
        for outcome, n in payments_charge(payment_ids=ids, as_of=at, actor=COLLECTOR).items():
            counts[outcome] = counts.get(outcome, 0) + n
    return counts


@shared_task(name="payments.reconcile")
def payments_reconcile_task(
    as_of: str | None = None, test_clock: int | None = None
) -> dict[str, int]:
    """Resolve old pending payments (queued by the clock's hook with the tick's instant), of
    live customers or of one test clock's."""
    instant = datetime.fromisoformat(as_of) if as_of else timezone.now()
    return payments_reconcile(as_of=instant, actor=COLLECTOR, test_clock=test_clock)
