"""Celery tasks of dunning: thin wrappers around payments.services.dunning. The clock's hook
(`payments.dunning`) queues the evaluations of the customers due and the entry actions due;
the evaluations are idempotent (a state already entered writes nothing), so a task that runs
twice, or a retried one, changes nothing the second time."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from payments.services.dunning import DUNNING, dunning_evaluate, dunning_evaluate_many
from payments.services.dunning_actions import dunning_actions_run

__all__ = [
    "dunning_actions_run_task",
    "dunning_evaluate_customers_task",
    "dunning_evaluate_task",
]


def _at(as_of: str | None) -> datetime:
    return datetime.fromisoformat(as_of) if as_of else timezone.now()


@shared_task(name="payments.dunning_evaluate_customers")
def dunning_evaluate_customers_task(
    customer_ids: list[int], as_of: str | None = None
) -> dict[str, int]:
    """Evaluate a chunk of customers for `as_of` (ISO 8601; default now), one transaction each."""
    return dunning_evaluate_many(customer_ids=customer_ids, as_of=_at(as_of), actor=DUNNING)


@shared_task(name="payments.dunning_evaluate")
def dunning_evaluate_task(customer_id: int, as_of: str | None = None) -> int | None:
    """Evaluate one customer; the transition's id, or None when its state did not change."""
    transition = dunning_evaluate(customer_id=customer_id, as_of=_at(as_of), actor=DUNNING)
    return transition.pk if transition is not None else None


@shared_task(name="payments.dunning_actions_run")
def dunning_actions_run_task(action_ids: list[int], as_of: str | None = None) -> dict[str, int]:
    """Carry out dunning's entry actions whose instant has come (pause, cancel, write-off)."""
    return dunning_actions_run(action_ids=action_ids, as_of=_at(as_of), actor=DUNNING)
