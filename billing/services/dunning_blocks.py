"""Billing's side of dunning: what a customer in a dunning state loses, per subscription.

Dunning (payments) decides; billing keeps the effect where every entitlement check and every
plan change reads it:
- a subscription is blocked from an instant (`dunning_blocked_from`): the instant its customer
  entered a blocking state, or the end of a period already paid (a period paid in advance keeps
  running to its end). It is in effect (`dunning_blocked`) once that instant has passed and
  dunning has evaluated the customer again at or after it (`dunning_blocks_due` names those
  customers to the clock). A blocked subscription grants no feature; a feature that only blocked
  subscriptions grant is refused with the reason `blocked_by_dunning`.
- while dunning holds the customer in a blocking state (`Customer.dunning_blocking`), a
  subscription created is blocked from its start (its first period is not paid);
- a customer whose plan changes are refused cannot change a subscription's plan or quantity
  (error `plan_changes_refused`); changes scheduled before stay scheduled.

Both run inside dunning's transaction, with the customer locked by it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from billing.enums import TERMINAL
from billing.models import Customer, Subscription
from billing.services.entitlements import entitlements_recompute
from billing.services.journal import journal_write
from core.audit import Actor
from core.exceptions import ValidationFailed


def subscriptions_dunning_block(
    *,
    customer: Customer,
    blocked_from: Mapping[int, datetime | None],
    reason: str,
    as_of: datetime,
    actor: Actor,
    blocking: bool | None = None,
) -> list[int]:
    """Set when each named subscription of `customer` is blocked: None = not blocked; an instant
    at or before `as_of` = blocked now; a later one = blocked from then. Subscriptions not named
    are left as they are. `blocking` (when given) says whether the customer is in a blocking
    state: subscriptions created while it is are blocked from their start. Recomputes the
    entitlements and journals each subscription whose block comes into effect or ends; returns
    their ids."""
    if blocking is not None and (
        customer.dunning_blocking,
        customer.dunning_blocking_reason,
    ) != (blocking, reason if blocking else ""):
        customer.dunning_blocking = blocking
        customer.dunning_blocking_reason = reason if blocking else ""
        customer.updated_at = as_of
        customer.save(update_fields=["dunning_blocking", "dunning_blocking_reason", "updated_at"])
    if not blocked_from:
        return []
    subs = list(
        Subscription.objects.select_for_update()
        .filter(customer=customer, pk__in=list(blocked_from))
        .order_by("pk")
    )
    unknown = set(blocked_from) - {s.pk for s in subs}
    if unknown:
        raise ValidationFailed(
            f"Subscriptions {sorted(unknown)} are not subscriptions of this customer.",
            field="subscriptions",
        )
    changed: list[int] = []
    for sub in subs:
        start = blocked_from[sub.pk]
        blocked = start is not None and start <= as_of
        new_reason = reason if start is not None else ""
        if (sub.dunning_blocked, sub.dunning_blocked_from, sub.dunning_block_reason) == (
            blocked,
            start,
            new_reason,
        ):
            continue
        effect = sub.dunning_blocked != blocked
        sub.dunning_blocked = blocked
        sub.dunning_blocked_from = start
        sub.dunning_block_reason = new_reason
        sub.updated_at = as_of
        sub.save(
            update_fields=[
                "dunning_blocked", "dunning_blocked_from", "dunning_block_reason", "updated_at",
            ]
        )  # fmt: skip
        if effect:
            changed.append(sub.pk)
            journal_write(
                type="subscription.entitlements_blocked"
                if blocked
                else "subscription.entitlements_unblocked",
                subject_type="subscription",
                subject_id=sub.pk,
                payload={
                    "customer": customer.pk,
                    "reason": reason,
                    "blocked_from": None if start is None else start.isoformat(),
                },
                actor=actor,
                occurred_at=as_of,
            )
    if changed:
        entitlements_recompute(customer=customer, as_of=as_of)
    return changed


def dunning_blocks_due(*, as_of: datetime, test_clock: int | None = None) -> list[int]:
    """Customers with a live subscription whose block instant has passed but is not in effect
    yet (the end of a period that was paid): dunning evaluates them again. One indexed query.
    In one clock scope (live customers' by default, or a test clock's)."""
    from billing.selectors import clock_scope

    return list(
        Subscription.objects.filter(
            clock_scope(test_clock), dunning_blocked=False, dunning_blocked_from__lte=as_of
        )
        .exclude(status__in=TERMINAL)
        .order_by("customer_id")
        .values_list("customer_id", flat=True)
        .distinct()
    )


def customer_plan_changes_refuse(
    *, customer: Customer, refused: bool, reason: str, as_of: datetime, actor: Actor
) -> None:
    """Refuse (or allow again) plan and quantity changes of the customer's subscriptions."""
    if customer.plan_changes_refused == refused:
        return
    customer.plan_changes_refused = refused
    customer.plan_changes_refused_reason = reason if refused else ""
    customer.updated_at = as_of
    customer.save(update_fields=["plan_changes_refused", "plan_changes_refused_reason",
                                 "updated_at"])  # fmt: skip
    journal_write(
        type="customer.plan_changes_refused" if refused else "customer.plan_changes_allowed",
        subject_type="customer",
        subject_id=customer.pk,
        payload={"reason": reason},
        actor=actor,
        occurred_at=as_of,
    )
