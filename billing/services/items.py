"""Subscription items (Stripe's subscription items): several plans billed on one subscription's
cycle, each with its own quantity. An item is a subscription row with a `parent` (see the items
section of billing/services/subscriptions.py for what it shares with its parent); these services
add, change and remove one through the subscription services themselves, so that an item's fee,
proration lines, changes and cancellation follow the one set of rules of any subscription."""

from __future__ import annotations

from datetime import datetime

from billing.models import Subscription, SubscriptionChange
from billing.services.subscriptions import (
    subscription_cancel,
    subscription_change,
    subscription_create,
)
from core.audit import Actor
from core.exceptions import NotFound, ValidationFailed


def subscription_items(subscription_id: int) -> list[Subscription]:
    """A subscription's items, live or not, oldest first, with their plans."""
    return list(
        Subscription.objects.filter(parent_id=subscription_id)
        .select_related("plan", "plan_version")
        .order_by("created_at", "id")
    )


def subscription_item_add(
    *,
    subscription_id: int,
    plan_id: int,
    actor: Actor,
    as_of: datetime,
    quantity: int = 1,
    prorate: bool = True,
    reason: str = "",
) -> Subscription:
    """Add an item to a subscription. `prorate` (the default): it starts now and its first
    period is the stub to the subscription's next period boundary, its fee that stub's share
    of a whole period (by the second from the local midnight of today, or by whole days, as its
    price book's proration unit says). Without: it starts at the current period's end, nothing
    prorated. Refused (400) for a plan of another currency or billing interval, or when the
    subscription is itself an item; (409) when it is not active."""
    customer_id = (
        Subscription.objects.filter(pk=subscription_id)
        .values_list("customer_id", flat=True)
        .first()
    )
    if customer_id is None:
        raise NotFound(f"No subscription with id {subscription_id}.")
    return subscription_create(
        customer_id=customer_id,
        plan_id=plan_id,
        actor=actor,
        as_of=as_of,
        quantity=quantity,
        reason=reason,
        parent_id=subscription_id,
        item_at_period_end=not prorate,
    )


def item_of(subscription_id: int, item_id: int) -> Subscription:
    item = Subscription.objects.filter(pk=item_id, parent_id=subscription_id).first()
    if item is None:
        raise NotFound(f"Subscription #{subscription_id} has no item {item_id}.")
    return item


def subscription_item_remove(
    *,
    subscription_id: int,
    item_id: int,
    actor: Actor,
    as_of: datetime,
    prorate: bool = True,
    at_period_end: bool = False,
    reason: str = "",
) -> Subscription:
    """Remove an item: cancel it at once (its own proration lines only: the used part of a fee
    in arrears charged, the unused part of a fee in advance credited with `prorate`), or at the
    period end. Journal: subscription.item_removed on the subscription."""
    item_of(subscription_id, item_id)
    return subscription_cancel(
        subscription_id=item_id,
        actor=actor,
        as_of=as_of,
        at_period_end=at_period_end,
        prorate=prorate,
        reason=reason,
    )


def subscription_item_update(
    *,
    subscription_id: int,
    item_id: int,
    actor: Actor,
    as_of: datetime,
    quantity: int | None = None,
    plan_id: int | None = None,
    when: str | datetime = "now",
    prorate: bool = True,
    reason: str = "",
) -> SubscriptionChange:
    """Change an item's quantity or plan: a subscription change of the item (its own proration
    lines; a plan of another interval is refused as for any change)."""
    if quantity is None and plan_id is None:
        raise ValidationFailed("Give a new quantity or plan.", field="quantity")
    item_of(subscription_id, item_id)
    return subscription_change(
        subscription_id=item_id,
        actor=actor,
        as_of=as_of,
        quantity=quantity,
        plan_id=plan_id,
        when=when,
        prorate=prorate,
        reason=reason,
    )
