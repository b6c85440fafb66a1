"""The clock's side of subscriptions: what is due at an instant, and bringing a subscription up
to it (starts, trial notices and ends, scheduled changes, period rolls onto the price book in
force, end dates) in time order."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from billing import periods
from billing.enums import (
    TERMINAL,
    ChangeStatus,
)
from billing.models import (
    Subscription,
    SubscriptionChange,
)
from billing.services.entitlements import entitlements_recompute
from billing.services.journal import journal_write_many
from billing.services.subscriptions import (
    TRIAL_WILL_END_NOTICE,
    S,
    apply_change,
    locked_subscription,
    set_period,
    start_paid,
    subscription_event,
    subscription_finish,
    subscription_move,
    subscription_snapshot,
)
from catalog.models import PlanVersion
from core.audit import Actor, audit_context
from core.db import bulk_update


def subscriptions_due(*, as_of: datetime) -> QuerySet[Subscription]:
    """Subscriptions with something to do at `as_of` (for the clock tick)."""
    from django.db.models import Exists, OuterRef, Q

    changes = SubscriptionChange.objects.filter(
        subscription=OuterRef("pk"), status=ChangeStatus.SCHEDULED, effective_at__lte=as_of
    )
    return Subscription.objects.exclude(status__in=TERMINAL).filter(
        Q(current_period_end__lte=as_of)
        | Q(status=S.PENDING, start_at__lte=as_of)
        | Q(status=S.TRIALING, trial_end__lte=as_of + TRIAL_WILL_END_NOTICE,
            trial_will_end_sent=False)
        | Q(ends_at__lte=as_of)
        | Exists(changes)
    )  # fmt: skip


def subscription_advance(*, subscription_id: int, as_of: datetime, actor: Actor) -> Subscription:
    """Bring one subscription up to `as_of`: start, trial notices and ends, scheduled changes,
    period ends (cancellations at period end, new periods), set end dates, in time order.
    Idempotent: running it twice, or for an earlier instant, does nothing more."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="billing clock"):
        sub = locked_subscription(subscription_id)
        for _ in range(10_000):  # bounded: every step moves the subscription forward in time
            if not _advance_one(sub, as_of, actor):
                break
    return sub


def _advance_one(sub: Subscription, as_of: datetime, actor: Actor) -> bool:
    if sub.status in TERMINAL:
        return False
    next_change = (
        sub.changes.filter(status=ChangeStatus.SCHEDULED, effective_at__lte=as_of)
        .select_related("new_plan")
        .first()
    )
    candidates: list[tuple[datetime, int, str]] = []
    if sub.status == S.PENDING and sub.start_at <= as_of:
        candidates.append((sub.start_at, 0, "start"))
    if sub.status == S.TRIALING and sub.trial_end is not None:
        notice = sub.trial_end - TRIAL_WILL_END_NOTICE
        if not sub.trial_will_end_sent and notice <= as_of:
            candidates.append((max(notice, sub.start_at), 1, "trial_notice"))
        if sub.trial_end <= as_of:
            candidates.append((sub.trial_end, 2, "trial_end"))
    if sub.ends_at is not None and sub.ends_at <= as_of:
        candidates.append((sub.ends_at, 3, "end"))
    if next_change is not None:
        candidates.append((next_change.effective_at, 4, "change"))
    if sub.status not in (S.PENDING, S.TRIALING) and sub.current_period_end <= as_of:
        candidates.append((sub.current_period_end, 5, "period_end"))
    if not candidates:
        return False
    at, _, what = min(candidates)
    if what == "start":
        subscription_move(sub, S.TRIALING if sub.trial_end and sub.trial_end > at else S.ACTIVE)
        if sub.status == S.ACTIVE:
            set_period(sub, at)
        sub.updated_at = as_of
        sub.save()
        subscription_event(sub, "updated", actor, at, started=True)
        entitlements_recompute(customer=sub.customer, as_of=as_of)
    elif what == "trial_notice":
        sub.trial_will_end_sent = True
        sub.save(update_fields=["trial_will_end_sent"])
        subscription_event(sub, "trial_will_end", actor, at)
    elif what == "trial_end":
        start_paid(sub, at, reanchor=False)
        sub.updated_at = as_of
        sub.save()
        subscription_event(sub, "updated", actor, at, trial_ended=True)
        entitlements_recompute(customer=sub.customer, as_of=as_of)
    elif what == "end":
        subscription_finish(sub, S.ENDED, at, actor, reason="set end date")
    elif what == "change":
        assert next_change is not None
        apply_change(sub, next_change, actor, as_of)
    else:  # the period ended
        if sub.cancel_at_period_end:
            subscription_finish(sub, S.CANCELED, at, actor, reason="canceled at period end")
        else:
            subscriptions_roll(subs=[sub], as_of=as_of, actor=actor)
    return True


def _published_versions(plan_ids: Iterable[int]) -> dict[int, list[PlanVersion]]:
    found: dict[int, list[PlanVersion]] = {}
    versions = PlanVersion.objects.filter(plan_id__in=set(plan_ids), status="published")
    for version in versions.select_related("plan").order_by("effective_from"):
        found.setdefault(version.plan_id, []).append(version)
    return found


def _in_force(versions: list[PlanVersion], at: datetime) -> PlanVersion | None:
    for version in versions:
        if version.effective_from <= at and (
            version.effective_until is None or version.effective_until > at
        ):
            return version
    return None


def subscriptions_roll(*, subs: list[Subscription], as_of: datetime, actor: Actor) -> None:
    """Move subscriptions, locked by the caller, whose period has ended into their next period
    (the clock's period roll, for one or a whole chunk at once). Each new period is priced with
    the plan's version in force at its start: a version that took effect during the period that
    ended applies from this roll on (with the entitlements it grants). Without a version in force
    then, the subscription keeps the one it has."""
    versions = _published_versions(sub.plan_id for sub in subs)
    events, moved = [], []
    for sub in subs:
        at = sub.current_period_end
        set_period(sub, at)
        sub.updated_at = as_of
        extra: dict[str, Any] = {
            "new_period": [sub.current_period_start.isoformat(), sub.current_period_end.isoformat()]
        }
        version = _in_force(versions.get(sub.plan_id, []), sub.current_period_start)
        if version is not None and version.pk != sub.plan_version_id:
            extra["price_version"] = {"from": sub.plan_version.label, "to": version.label}
            sub.plan_version = version
            moved.append(sub)
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
        ],
    )
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


def subscription_ids_due(*, as_of: datetime) -> list[int]:
    return list(subscriptions_due(as_of=as_of).values_list("pk", flat=True))
