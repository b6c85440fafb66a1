"""Dunning's entry actions carried out by the owners' own services, after the transition's
commit: billing pauses and cancels subscriptions (subscription_pause, subscription_cancel),
invoicing writes invoices off (invoice_mark_uncollectible). Those are durable services (one
transaction each), so they cannot run inside dunning's: each action is a `DunningAction` row
written with its transition, run by a task after the commit (and by the clock when its instant
comes, or when a task was lost).

Once: an action runs only while pending; it is skipped when its target is already where it
would put it (paused, canceled, no longer owing ...); a second worker running it at the same time
is refused by the owner's service (its own row lock and transition check), and the refusal is
recorded as `skipped` with the owner's message. The outcome is recorded in a second, short
transaction that re-reads the row locked: a row done or canceled meanwhile is left as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction

from billing.enums import TERMINAL
from billing.models import Subscription
from billing.services import subscription_cancel, subscription_pause
from core.audit import Actor
from core.exceptions import ApplicationError
from invoicing.models import Invoice
from invoicing.services import invoice_mark_uncollectible
from payments.models.dunning import ActionKind, ActionStatus, DunningAction

WRITABLE_OFF = ("open", "partially_paid")


def _already(action: DunningAction) -> str:
    """Why nothing is left to do (empty: the action is to be carried out)."""
    if action.kind == ActionKind.MARK_UNCOLLECTIBLE:
        invoice = Invoice.objects.get(pk=action.invoice_id or 0)
        if invoice.status not in WRITABLE_OFF or invoice.amount_due <= 0:
            return f"invoice {invoice} is {invoice.status}"
        return ""
    sub = Subscription.objects.get(pk=action.subscription_id or 0)
    if sub.status in TERMINAL:
        return f"subscription already {sub.status}"
    if action.kind == ActionKind.PAUSE and sub.status == "paused":
        return "subscription already paused"
    if action.kind == ActionKind.CANCEL_AT_PERIOD_END and sub.cancel_at_period_end:
        return "cancellation at period end already pending"
    return ""


def _carry_out(action: DunningAction, as_of: datetime, actor: Actor) -> str:
    why = f"dunning: {action.transition.to_name}"
    if action.kind == ActionKind.MARK_UNCOLLECTIBLE:
        assert action.invoice_id is not None
        invoice_mark_uncollectible(invoice_id=action.invoice_id, as_of=as_of, actor=actor,
                                   reason=why)  # fmt: skip
        return "written off"
    assert action.subscription_id is not None
    if action.kind == ActionKind.PAUSE:
        subscription_pause(subscription_id=action.subscription_id, actor=actor, as_of=as_of,
                           reason=why)  # fmt: skip
        return "paused"
    subscription_cancel(
        subscription_id=action.subscription_id, actor=actor, as_of=as_of,
        at_period_end=action.kind == ActionKind.CANCEL_AT_PERIOD_END, reason=why,
    )  # fmt: skip
    return "cancellation at period end set" if action.kind != ActionKind.CANCEL else "canceled"


def _record(action_id: int, status: str, outcome: str, as_of: datetime) -> None:
    with transaction.atomic(durable=True):
        action = DunningAction.objects.select_for_update().get(pk=action_id)
        if action.status != ActionStatus.PENDING:
            return
        action.status = status
        action.outcome = outcome[:255]
        action.done_at = as_of
        action.save(update_fields=["status", "outcome", "done_at"])


def dunning_actions_run(
    *, action_ids: Sequence[int], as_of: datetime, actor: Actor
) -> dict[str, int]:
    """Carry out the pending actions whose instant has come (see the module's note). Each at
    the later of `as_of` and its own instant. Counts: done, skipped."""
    counts = {"done": 0, "skipped": 0}
    actions = list(
        DunningAction.objects.select_related("transition")
        .filter(pk__in=list(action_ids), status=ActionStatus.PENDING, due_at__lte=as_of)
        .order_by("pk")
    )
    for action in actions:
        at = max(as_of, action.due_at)
        reason = _already(action)
        if reason:
            _record(action.pk, ActionStatus.SKIPPED, reason, at)
            counts["skipped"] += 1
            continue
        try:
            outcome = _carry_out(action, at, actor)
        except SoftTimeLimitExceeded:
            raise
        except ApplicationError as exc:  # the owner refused: done by another worker, or moot
            _record(action.pk, ActionStatus.SKIPPED, exc.message, at)
            counts["skipped"] += 1
            continue
        _record(action.pk, ActionStatus.DONE, outcome, at)
        counts["done"] += 1
    return counts
