"""The clock's side of subscriptions: what is due at an instant, and bringing a subscription up
to it (starts, trial notices and ends, scheduled changes, period rolls onto the price book in
force, end dates) in time order. The rules are billing/lifecycle.py's; this module applies them
to rows, with their journal events and entitlements.

Production runs these through the invoicing clock (invoicing/writer.py), which bills each period
before it lets the period end (`period_ends=False`, then `subscriptions_period_end`).
`subscription_advance` also rolls periods, without billing them: it is for a deployment without
invoicing and for tests of the subscription rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from billing import lifecycle, periods
from billing.enums import (
    TERMINAL,
    ChangeStatus,
)
from billing.models import (
    Subscription,
    SubscriptionChange,
    SubscriptionPriceMove,
)
from billing.services.entitlements import entitlements_recompute
from billing.services.journal import journal_write_many
from billing.services.subscriptions import (
    S,
    apply_change,
    items_finish,
    items_follow_end,
    locked_subscription,
    start_paid,
    subscription_event,
    subscription_finish,
    subscription_move,
    subscription_snapshot,
)
from catalog.models import PlanVersion
from core.audit import Actor, audit_context
from core.db import bulk_update


def subscriptions_due(*, as_of: datetime, test_clock: int | None = None) -> QuerySet[Subscription]:
    """Subscriptions with something to do at `as_of` (for the clock tick), in one clock scope:
    live customers' (the default) or a test clock's (billing.selectors.clock_scope)."""
    from django.db.models import Exists, OuterRef, Q

    from billing.selectors import clock_scope

    changes = SubscriptionChange.objects.filter(
        subscription=OuterRef("pk"), status=ChangeStatus.SCHEDULED, effective_at__lte=as_of
    )
    return Subscription.objects.exclude(status__in=TERMINAL).filter(clock_scope(test_clock)).filter(
        Q(current_period_end__lte=as_of)
        | Q(status=S.PENDING, start_at__lte=as_of)
        | Q(status=S.TRIALING, trial_end__lte=as_of + lifecycle.TRIAL_WILL_END_NOTICE,
            trial_will_end_sent=False)
        | Q(ends_at__lte=as_of)
        | Exists(changes)
    )  # fmt: skip


def subscription_advance(*, subscription_id: int, as_of: datetime, actor: Actor) -> Subscription:
    """Bring one subscription up to `as_of`: start, trial notices and ends, scheduled changes,
    period ends (cancellations at period end, new periods), set end dates, in time order.
    Idempotent: running it twice, or for an earlier instant, does nothing more. Periods roll here
    without being billed (see the module's note)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="billing clock"):
        sub = locked_subscription(subscription_id)
        subscription_edges_apply(sub, until=as_of, actor=actor, period_ends=True)
    return sub


def subscription_edges_apply(
    sub: Subscription,
    *,
    until: datetime,
    actor: Actor,
    period_ends: bool,
    peers: Sequence[Subscription] = (),
) -> bool:
    """Apply to a subscription its caller has locked everything due by `until`, in time order;
    without `period_ends`, only what falls due before its current period ends (the invoicing
    clock bills a period first, then ends it with `subscriptions_period_end`). Returns whether
    anything happened. `peers`: the other subscriptions the caller locked (the clock's chunk):
    what the subscription's end or end date does to its items is done to those objects."""
    moved = False
    peers = [sub, *peers]
    for _ in range(10_000):  # bounded: every step moves the subscription forward in time
        if not _advance_one(sub, until, actor, period_ends=period_ends, peers=peers):
            break
        moved = True
    return moved


def _advance_one(
    sub: Subscription,
    as_of: datetime,
    actor: Actor,
    *,
    period_ends: bool,
    peers: Sequence[Subscription],
) -> bool:
    if sub.status in TERMINAL:
        return False
    state = sub.state()
    limit = lifecycle.edge_limit(state, as_of, period_ends=period_ends)
    next_change = (
        sub.changes.filter(status=ChangeStatus.SCHEDULED, effective_at__lte=limit)
        .select_related("new_plan")
        .first()
    )
    edge = lifecycle.next_edge(
        state,
        until=as_of,
        period_ends=period_ends,
        trial_will_end_sent=sub.trial_will_end_sent,
        changes=[(next_change.effective_at, next_change.pk)] if next_change else [],
    )
    if edge is None:
        return False
    at = edge.at
    if edge.what == "start":
        subscription_move(sub, S.TRIALING if sub.trial_end and sub.trial_end > at else S.ACTIVE)
        sub.take(lifecycle.started(state, at))
        sub.updated_at = as_of
        sub.save()
        subscription_event(sub, "updated", actor, at, started=True)
        entitlements_recompute(customer=sub.customer, as_of=as_of)
    elif edge.what == "trial_notice":
        sub.trial_will_end_sent = True
        sub.save(update_fields=["trial_will_end_sent"])
        subscription_event(sub, "trial_will_end", actor, at)
    elif edge.what == "trial_end":
        before = sub.ends_at
        start_paid(sub, at, reanchor=False)
        sub.updated_at = as_of
        sub.save()
        items_follow_end(sub, before, as_of, actor, peers=peers)
        subscription_event(sub, "updated", actor, at, trial_ended=True)
        entitlements_recompute(customer=sub.customer, as_of=as_of)
    elif edge.what == "end":
        subscription_finish(sub, S.ENDED, at, actor, reason="set end date")
        items_finish(sub, S.ENDED, at, actor, peers=peers)
    elif edge.what == "change":
        assert next_change is not None
        apply_change(sub, next_change, actor, as_of, peers=peers)
    else:  # the period ended
        subscriptions_period_end(subs=[sub], as_of=as_of, actor=actor, peers=peers)
    return True


def subscriptions_period_end(
    *,
    subs: list[Subscription],
    as_of: datetime,
    actor: Actor,
    peers: Sequence[Subscription] = (),
) -> None:
    """End the current period of subscriptions their caller has locked (and, under the invoicing
    clock, billed): canceled at period end, or rolled into the next period (set-based). A
    parent canceled at period end finishes its live items with it (`items_finish`); `peers`:
    the other subscriptions the caller locked (see `subscription_edges_apply`)."""
    pool = [*subs, *peers]
    rolling = []
    for sub in subs:
        if sub.status in TERMINAL:  # an item finished with its parent just before
            continue
        if sub.cancel_at_period_end:
            at = sub.current_period_end
            subscription_finish(sub, S.CANCELED, at, actor, reason="canceled at period end")
            items_finish(sub, S.CANCELED, at, actor, peers=pool)
        else:
            rolling.append(sub)
    if rolling:
        subscriptions_roll(subs=rolling, as_of=as_of, actor=actor, peers=pool)


def _published_versions(plan_ids: Iterable[int]) -> dict[int, list[PlanVersion]]:
    found: dict[int, list[PlanVersion]] = {}
    versions = PlanVersion.objects.filter(plan_id__in=set(plan_ids), status="published")
    for version in versions.select_related("plan__product").order_by("effective_from"):
        found.setdefault(version.plan_id, []).append(version)
    return found


def subscriptions_roll(
    *,
    subs: list[Subscription],
    as_of: datetime,
    actor: Actor,
    peers: Sequence[Subscription] = (),
) -> None:
    """Move subscriptions, locked by the caller, whose period has ended into their next period
    (the clock's period roll, for one or a whole chunk at once). Each new period is priced with
    the plan's version in force at its start (lifecycle.rolled): a version that took effect
    during the period that ended applies from this roll on (with the entitlements it grants).
    Without a version in force then, the subscription keeps the one it has. Each move onto
    another version is recorded (`SubscriptionPriceMove`, one INSERT for the chunk). A version
    whose phases are a fixed term sets the end date (lifecycle.with_walk_end): its items'
    follow (`items_follow_end`; `peers`: see `subscription_edges_apply`)."""
    versions = _published_versions(sub.plan_id for sub in subs)
    books = {plan: [v.book() for v in found] for plan, found in versions.items()}
    rows = {v.pk: v for found in versions.values() for v in found}
    read = {book.id: book for found in books.values() for book in found}  # for sub.state
    events, moved = [], []
    price_moves: list[SubscriptionPriceMove] = []
    ends_before = {sub.pk: sub.ends_at for sub in subs}
    for sub in subs:
        at = sub.current_period_end
        state, old_book = lifecycle.rolled(sub.state(read), books.get(sub.plan_id, []))
        sub.take(state, rows.get(state.book.id))
        sub.updated_at = as_of
        extra: dict[str, Any] = {
            "new_period": [sub.current_period_start.isoformat(), sub.current_period_end.isoformat()]
        }
        if old_book is not None:
            extra["price_version"] = {"from": old_book.label, "to": state.book.label}
            moved.append(sub)
            price_moves.append(
                SubscriptionPriceMove(
                    subscription=sub,
                    from_plan_version_id=old_book.id,
                    to_plan_version_id=state.book.id,
                    effective_at=at,
                    created_at=as_of,
                )
            )
        events.append(
            {
                "type": "subscription.updated",
                "subject_type": "subscription",
                "subject_id": sub.pk,
                "payload": {"subscription": subscription_snapshot(sub), **extra},
                "occurred_at": at,
            }
        )
    bulk_update(
        subs,
        [
            "current_period_start",
            "current_period_end",
            "current_period_index",
            "fee_since",
            "plan_version",
            "updated_at",
            "ends_at",
        ],
    )
    pool = [*subs, *peers]
    for sub in subs:
        if sub.ends_at != ends_before[sub.pk]:
            items_follow_end(sub, ends_before[sub.pk], as_of, actor, peers=pool)
    # the structured record of each move onto a new version (what the dashboard's MRR reads):
    # one INSERT for the chunk, only when a version moved
    if price_moves:
        SubscriptionPriceMove.objects.bulk_create(price_moves)
    journal_write_many(events, actor=actor)
    for sub in moved:
        entitlements_recompute(customer=sub.customer, as_of=as_of)


def subscription_periods(*, subscription: Subscription, count: int = 12) -> list[periods.Period]:
    """The subscription's billing periods from its first paid one (for timelines)."""
    first = subscription.period_at(subscription.trial_end or subscription.start_at)
    result = [first]
    while len(result) < count:
        result.append(subscription.period_at(result[-1].end))
    return result


def subscription_ids_due(*, as_of: datetime, test_clock: int | None = None) -> list[int]:
    return list(subscriptions_due(as_of=as_of, test_clock=test_clock).values_list("pk", flat=True))
