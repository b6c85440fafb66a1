"""Dunning's entry actions carried out by the owners' own services, after the transition's
commit: billing pauses and cancels subscriptions (subscription_pause, subscription_cancel),
invoicing writes invoices off (invoice_mark_uncollectible). Those are durable services (one
transaction each), so they cannot run inside dunning's: each action is a `DunningAction` row
written with its transition, run by a task after the commit (and by the clock when its instant
comes, or when a task was lost).

Once: a runner holds the action's lock (a PostgreSQL session advisory lock on its id, taken
with "try": the owners' services are durable, so no row lock can be held across them) while it
carries it out; another runner finding it held leaves the action to it (`busy`), and an
evaluation canceling pending actions leaves it too. Under the lock the action runs only while
still pending; it is skipped when its target is already where it would put it (paused,
canceled, no longer owing ...); a refusal by the owner's service is recorded as `skipped` with
the owner's message. The outcome is recorded in a second, short transaction that re-reads the
row locked: a row done or canceled meanwhile is left as it is.

Undo: when the customer moves down or leaves, a cancellation at period end that dunning set is
undone (`subscription_undo_cancel`) by an `uncancel` action, only while the subscription's
pending cancellation is still the one dunning set (same instant): one staff set is never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from billing.enums import TERMINAL
from billing.models import Subscription
from billing.services import subscription_cancel, subscription_pause, subscription_undo_cancel
from core.audit import Actor
from core.db import lock_connection
from core.exceptions import ApplicationError
from invoicing.models import Invoice
from invoicing.services import invoice_mark_uncollectible
from payments.models.dunning import ActionKind, ActionStatus, DunningAction

WRITABLE_OFF = ("open", "partially_paid")
LOCK_CLASS = 0x64756E6E  # "dunn": the first key of an action's advisory lock


def action_lock(action_id: int) -> tuple[int, int]:
    """The two keys of the action's advisory lock (for `pg_advisory_lock(%s::int4, %s::int4)`)."""
    return LOCK_CLASS, action_id % 2147483647


def action_lock_free_sql() -> RawSQL:
    """True for an action no runner holds (taking its lock until the transaction ends)."""
    return RawSQL(
        'pg_try_advisory_xact_lock(%s::int4, ("payments_dunningaction"."id" %% 2147483647)::int4)',
        (LOCK_CLASS,),
        output_field=BooleanField(),
    )


def _try_lock(action_id: int) -> bool:
    with lock_connection().cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s::int4, %s::int4)", action_lock(action_id))
        row = cursor.fetchone()
    return bool(row and row[0])


def _unlock(action_id: int) -> None:
    with lock_connection().cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s::int4, %s::int4)", action_lock(action_id))


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
    if action.kind == ActionKind.UNDO_CANCEL_AT_PERIOD_END:
        undoes = action.undoes
        if not sub.cancel_at_period_end:
            return "no cancellation at period end pending"
        if undoes is None or undoes.status != ActionStatus.DONE:
            return "dunning did not set the cancellation"
        if sub.cancel_requested_at != undoes.done_at:
            return "the cancellation pending was set again since dunning's: kept"
        return ""
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
    if action.kind == ActionKind.UNDO_CANCEL_AT_PERIOD_END:
        subscription_undo_cancel(subscription_id=action.subscription_id, actor=actor, as_of=as_of,
                                 reason=f"dunning: {action.transition.direction}")  # fmt: skip
        return "cancellation at period end undone"
    if action.kind == ActionKind.PAUSE:
        subscription_pause(subscription_id=action.subscription_id, actor=actor, as_of=as_of,
                           reason=why)  # fmt: skip
        return "paused"
    # canceled now only when its period is not paid (dunning's rule): no credit for unused days
    # of a fee never paid (its invoice stays owed, or is written off). Dunning's own rule, not
    # a request: the plan's cancellation policy does not time it (override_policy)
    subscription_cancel(
        subscription_id=action.subscription_id, actor=actor, as_of=as_of,
        at_period_end=action.kind == ActionKind.CANCEL_AT_PERIOD_END, prorate=False, reason=why,
        override_policy=True,
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
    the later of `as_of` and its own instant. Counts: done, skipped, busy (held by another
    runner, or an undo whose cancellation is still being set: left pending for the sweep)."""
    counts = {"done": 0, "skipped": 0, "busy": 0}
    ids = list(
        DunningAction.objects.filter(
            pk__in=list(action_ids), status=ActionStatus.PENDING, due_at__lte=as_of
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for action_id in ids:
        if not _try_lock(action_id):
            counts["busy"] += 1
            continue
        try:
            _run_one(action_id, as_of, actor, counts)
        finally:
            _unlock(action_id)
    return counts


def _run_one(action_id: int, as_of: datetime, actor: Actor, counts: dict[str, int]) -> None:
    """Carry out one action whose lock the caller holds (read again: still pending?)."""
    action = (
        DunningAction.objects.select_related("transition", "undoes")
        .filter(pk=action_id, status=ActionStatus.PENDING)
        .first()
    )
    if action is None:
        return
    if action.undoes is not None and action.undoes.status == ActionStatus.PENDING:
        counts["busy"] += 1  # the cancellation it undoes is being set: after it
        return
    at = max(as_of, action.due_at)
    reason = _already(action)
    if reason:
        _record(action.pk, ActionStatus.SKIPPED, reason, at)
        counts["skipped"] += 1
        return
    try:
        outcome = _carry_out(action, at, actor)
    except SoftTimeLimitExceeded:
        raise
    except ApplicationError as exc:  # the owner refused: moot, or done meanwhile
        _record(action.pk, ActionStatus.SKIPPED, exc.message, at)
        counts["skipped"] += 1
        return
    _record(action.pk, ActionStatus.DONE, outcome, at)
    counts["done"] += 1
