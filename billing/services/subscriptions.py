"""Subscriptions: create, change plan or quantity (now, at period end or on a date, prorated),
cancel, pause and resume, end, add-ons; the clock's advance through trials, periods and scheduled
changes is in subscription_clock.py, with the helpers here. Each public service is one
transaction: row locks (customer, then subscription), the transition checked against
ALLOWED_TRANSITIONS, journal events, proration lines, the customer's entitlements recomputed, and
the audit context."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import transaction

from billing import lifecycle, periods, proration
from billing.enums import (
    ALLOWED_TRANSITIONS,
    TERMINAL,
    ChangeKind,
    ChangeStatus,
    ChangeTiming,
    ProrationKind,
    SubscriptionStatus,
)
from billing.models import (
    Customer,
    ProrationLine,
    Subscription,
    SubscriptionChange,
    SubscriptionPause,
)
from billing.services import policies
from billing.services.entitlements import entitlements_recompute
from billing.services.journal import journal_write
from catalog.models import AddOn, CancellationCredit, Plan, PlanVersion
from catalog.money import quantize
from catalog.pricing import plain
from catalog.selectors import NoPriceInForce, plan_version_at
from core.audit import Actor, audit_context
from core.exceptions import Conflict, NotFound, TransitionNotAllowed, ValidationFailed

S = SubscriptionStatus
TRIAL_WILL_END_NOTICE = lifecycle.TRIAL_WILL_END_NOTICE

# Invoicing registers its billing writer here at start-up (a higher layer tells this one what to
# do, as journal handlers do): before an action that depends on the subscription's current period
# (a change, a cancellation, a pause or resume, an end date, an add-on), the subscription is billed
# up to the action's instant, so the action never works on a period that ended unbilled.
CatchUp = Callable[[Subscription, datetime, Actor], None]
_catch_up: list[CatchUp] = []


def register_catch_up(func: CatchUp) -> None:
    if func not in _catch_up:
        _catch_up.append(func)


def catch_up(sub: Subscription, as_of: datetime, actor: Actor) -> None:
    """Bill a locked subscription up to `as_of` (see `register_catch_up`)."""
    for func in _catch_up:
        func(sub, as_of, actor)


# ----------------------------------------------------------------------------------- helpers


def subscription_snapshot(sub: Subscription) -> dict[str, Any]:
    def iso(value: datetime | date | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": sub.pk,
        "customer": sub.customer.external_id,
        "plan": sub.plan.code,
        "plan_version": sub.plan_version.label,
        "quantity": sub.quantity,
        "status": sub.status,
        "start_at": iso(sub.start_at),
        "billing_anchor": iso(sub.billing_anchor),
        "trial_end": iso(sub.trial_end),
        "current_period": [iso(sub.current_period_start), iso(sub.current_period_end)],
        "cancel_at_period_end": sub.cancel_at_period_end,
        "ends_at": iso(sub.ends_at),
        **({"phase": subscription_phase(sub)} if sub.plan_version.phase_count else {}),
    }


def subscription_phase(sub: Subscription) -> dict[str, Any] | None:
    """The phase of its price book its current period is in, and when the next one starts
    (None: its price book has no phases)."""
    state = sub.state()
    found = state.book.locate(state.walk_count(state.period))
    if found is None:
        return None
    position, into = found
    periods_, fee, name = state.book.phases[position]
    following = state.next_phase_at()
    return {
        "position": position,
        "name": name,
        "periods": periods_,
        "period_of_phase": into + 1,
        "fixed_fee": str(fee),
        "next_phase_at": following.isoformat() if following is not None else None,
        "walk_start_period": state.walk_start,
    }


def subscription_event(
    sub: Subscription, type_: str, actor: Actor, at: datetime, **extra: Any
) -> None:
    journal_write(
        type=f"subscription.{type_}",
        subject_type="subscription",
        subject_id=sub.pk,
        payload={"subscription": subscription_snapshot(sub), **extra},
        actor=actor,
        occurred_at=at,
    )


def subscription_move(sub: Subscription, to: str) -> None:
    if to not in ALLOWED_TRANSITIONS[sub.status]:
        raise TransitionNotAllowed(f"A {sub.status} subscription cannot become {to}.")
    sub.status = to


def locked_subscription(subscription_id: int) -> Subscription:
    """Lock the customer, then the subscription (the order every service follows)."""
    try:
        customer_id = Subscription.objects.values_list("customer_id", flat=True).get(
            pk=subscription_id
        )
    except Subscription.DoesNotExist:
        raise NotFound(f"No subscription with id {subscription_id}.") from None
    Customer.objects.select_for_update().get(pk=customer_id)
    return (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("customer", "plan", "plan_version", "plan_version__plan__product")
        .get(pk=subscription_id)
    )


def _save_lines(
    sub: Subscription,
    lines: Iterable[proration.Line],
    at: datetime,
    change: SubscriptionChange | None = None,
) -> list[ProrationLine]:
    saved = [
        ProrationLine(
            subscription=sub,
            change=change,
            kind=item.kind,
            description=item.description,
            currency=sub.plan.currency,
            amount=item.amount,
            amount_rounded=item.rounded,
            period_start=item.start,
            period_end=item.end,
            explanation=item.explanation,
            tax_rate_id=item.tax_rate_id,
            created_at=at,
        )
        for item in lines
    ]
    return ProrationLine.objects.bulk_create(saved)


def set_period(sub: Subscription, at: datetime) -> None:
    """Move the subscription (not saved) into the period containing `at`."""
    sub.take(lifecycle.with_period(sub.state(), at))


def _version_for(plan: Plan, at: datetime, field: str = "plan") -> PlanVersion:
    try:
        return plan_version_at(plan=plan, at=at)
    except NoPriceInForce as exc:
        raise ValidationFailed(str(exc), field=field, code="no_price_in_force") from None


# ------------------------------------------------------------------------------------- items
# An item (Stripe's subscription items) is a subscription row of its own with a `parent`: the
# subscription the customer sees. It shares the parent's customer (so its currency and time
# zone), billing interval and anchor, so its periods are the parent's and the billing writer puts
# its lines on the parent's invoices (one draft per customer and billing date). It has its own
# plan, quantity, price book, proration lines and changes. It never outlives its parent and is
# never paused alone: the parent's cancellation, undo, end date, pause and resume apply to its
# live items in the same transaction, through the same code.


def item_parent(
    customer: Customer, parent_id: int, plan: Plan, as_of: datetime, actor: Actor
) -> Subscription:
    """Lock and check the subscription an item is added to (the customer is locked): a live,
    billed subscription of that customer (not an item itself), on a plan of the same interval;
    billed up to `as_of` first."""
    parent = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("customer", "plan", "plan_version", "plan_version__plan__product")
        .filter(pk=parent_id, customer=customer)
        .first()
    )
    if parent is None:
        raise NotFound(f"No subscription with id {parent_id} for this customer.")
    if parent.parent_id is not None:
        raise ValidationFailed(
            f"Subscription #{parent.pk} is an item of #{parent.parent_id}: add the item to "
            f"#{parent.parent_id}.",
            field="parent",
            code="item_of_item",
        )
    catch_up(parent, as_of, actor)
    if parent.status not in (S.ACTIVE, S.PAST_DUE):
        raise Conflict(
            f"The subscription is {parent.status}: items are added to an active subscription "
            "(not pending, in a trial, paused or finished).",
            field="parent",
            code="parent_not_active",
        )
    if (plan.interval_unit, plan.interval_count) != (
        parent.plan.interval_unit,
        parent.plan.interval_count,
    ):
        raise ValidationFailed(
            f"Plan {plan.code} is billed every {plan.interval_count} {plan.interval_unit}(s), "
            f"the subscription every {parent.plan.interval_count} {parent.plan.interval_unit}(s):"
            " an item is billed on its subscription's cycle.",
            field="plan",
            code="interval_mismatch",
        )
    return parent


def item_event(
    parent: Subscription, item: Subscription, type_: str, actor: Actor, at: datetime, **extra: Any
) -> None:
    """subscription.item_added / item_removed, on the parent, with the item."""
    subscription_event(
        parent, type_, actor, at,
        item={"id": item.pk, "plan": item.plan.code, "quantity": item.quantity,
              "status": item.status},
        **extra,
    )  # fmt: skip


def locked_items(parent: Subscription, as_of: datetime, actor: Actor) -> list[Subscription]:
    """The live items of a locked subscription, locked after it (in id order) and billed up to
    `as_of`, for the parent's action to apply to them."""
    items = list(
        Subscription.objects.select_for_update(of=("self",))
        .select_related("customer", "plan", "plan_version", "plan_version__plan__product")
        .filter(parent=parent)
        .exclude(status__in=TERMINAL)
        .order_by("pk")
    )
    for item in items:
        catch_up(item, as_of, actor)
    return [item for item in items if item.status not in TERMINAL]


def _parent_of(item: Subscription) -> Subscription:
    assert item.parent_id is not None
    return Subscription.objects.select_related("plan").get(pk=item.parent_id)


def _live_items(
    parent: Subscription, as_of: datetime, actor: Actor, peers: Sequence[Subscription] | None
) -> list[Subscription]:
    """The live items of a locked subscription: for a service (`peers` None) locked and billed up
    to `as_of` (`locked_items`); for the clock, the rows of its chunk (`peers`: locked in this
    transaction, used as they are so that the chunk sees what is done to them), the others
    locked here, none billed again (the clock bills them itself)."""
    if peers is None:
        return locked_items(parent, as_of, actor)
    chunk = {one.pk: one for one in peers}
    ids = list(
        Subscription.objects.select_for_update(of=("self",))
        .filter(parent=parent)
        .exclude(status__in=TERMINAL)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    found = [chunk[pk] if pk in chunk else locked_subscription(pk) for pk in ids]
    return [item for item in found if item.status not in TERMINAL]


def items_follow_end(
    parent: Subscription,
    before: datetime | None,
    as_of: datetime,
    actor: Actor,
    *,
    peers: Sequence[Subscription] | None = None,
) -> None:
    """An item never outlives its parent: when a parent's end date moved from `before` (a
    change of plan, a trial's end or a period roll onto a price book whose phases are a fixed
    term; an end date set), its live items' end dates follow through the end date's own path
    (`_end_locked`): set to it when they have none or a later one; moved with it (later, or
    none) when they followed the old one. `peers`: see `_live_items`."""
    end = parent.ends_at
    if end == before or parent.parent_id is not None:
        return
    for item in _live_items(parent, as_of, actor, peers):
        if end is not None and (item.ends_at is None or item.ends_at > end):
            pass
        elif not (before is not None and item.ends_at == before):
            continue
        _end_locked(item, end, as_of, actor, follow=True,
                    reason=f"the end date of its subscription #{parent.pk}")  # fmt: skip


def items_finish(
    parent: Subscription, status: str, at: datetime, actor: Actor, *, peers: Sequence[Subscription]
) -> None:
    """The clock finished a parent (its end date, a cancellation at period end): its live items
    finish with it, at the same instant, in the same transaction (one not started yet is
    canceled). `peers`: the clock's chunk (see `_live_items`)."""
    if parent.parent_id is not None:
        return
    for item in _live_items(parent, at, actor, peers):
        subscription_finish(
            item, S.CANCELED if item.status == S.PENDING else status, at, actor,
            reason=f"its subscription #{parent.pk} {parent.status}",
        )  # fmt: skip


def _within_parent_end(item: Subscription) -> None:
    """An item's own end date (a change of its plan to a fixed term) never passes its
    parent's."""
    if item.parent_id is None:
        return
    end = _parent_of(item).ends_at
    if end is not None and (item.ends_at is None or item.ends_at > end):
        item.ends_at = end


# ------------------------------------------------------------------------------------ create


def subscription_create(
    *,
    customer_id: int,
    plan_id: int,
    actor: Actor,
    as_of: datetime,
    start_at: datetime | None = None,
    quantity: int = 1,
    trial_days: int | None = None,
    billing_anchor: date | None = None,
    ends_at: datetime | None = None,
    metadata: dict[str, str] | None = None,
    reason: str = "",
    parent_id: int | None = None,
    item_at_period_end: bool = False,
) -> Subscription:
    """Start now or on a future date. The trial comes from the price book unless overridden;
    the anchor is the given local date, else the calendar boundary (calendar-aligned plans),
    else the day the trial ends, else the day of the start.
    `parent_id`: an item of that subscription (see `item_parent`): it starts now, without a
    trial, on the parent's anchor (its first period is the stub to the parent's next period
    boundary, its fee that stub's share), with the parent's end date or pending cancellation;
    `item_at_period_end`: it starts at the parent's current period end instead (nothing
    prorated: its first fee is a whole period's)."""
    start = start_at or as_of
    if quantity < 1:
        raise ValidationFailed("quantity is at least 1.", field="quantity", code="min_value")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        try:
            customer = Customer.objects.select_for_update().get(pk=customer_id)
        except Customer.DoesNotExist:
            raise NotFound(f"No customer with id {customer_id}.") from None
        if customer.is_archived:
            raise Conflict(f"Customer {customer.external_id} is archived.", field="customer")
        try:
            plan = Plan.objects.get(pk=plan_id)
        except Plan.DoesNotExist:
            raise NotFound(f"No plan with id {plan_id}.") from None
        if plan.currency != customer.currency:
            raise ValidationFailed(
                f"Plan {plan.code} is priced in {plan.currency}; customer "
                f"{customer.external_id} is billed in {customer.currency}.",
                field="plan",
                code="currency_mismatch",
            )
        if plan.archived_at is not None:
            raise Conflict(f"Plan {plan.code} is archived.", field="plan")
        parent = None
        if parent_id is not None:
            parent = item_parent(customer, parent_id, plan, as_of, actor)
            if start_at is not None:
                raise ValidationFailed("An item starts now or at the period end.",
                                       field="start_at")  # fmt: skip
            if item_at_period_end:
                start = parent.current_period_end
            trial_days, billing_anchor = 0, parent.billing_anchor
            ends_at = parent.ends_at
        version = _version_for(plan, start)
        if ends_at is not None and ends_at <= start:
            raise ValidationFailed("ends_at must come after the start.", field="ends_at")
        zone = customer.timezone
        days = version.trial_days if trial_days is None else trial_days
        if days < 0:
            raise ValidationFailed("trial_days cannot be negative.", field="trial_days")
        start_day = periods.local_date(start, zone)
        trial_end = periods.local_midnight(start_day + timedelta(days=days), zone) if days else None
        interval = periods.Interval(plan.interval_unit, plan.interval_count)
        if billing_anchor is not None:
            anchor = billing_anchor
        elif plan.calendar_aligned:
            anchor = periods.calendar_anchor(trial_end or start, interval, zone)
        else:
            anchor = periods.local_date(trial_end, zone) if trial_end else start_day
        sub = Subscription(
            customer=customer,
            parent=parent,
            cancel_at_period_end=parent.cancel_at_period_end if parent else False,
            cancel_requested_at=parent.cancel_requested_at if parent else None,
            plan=plan,
            plan_version=version,
            quantity=quantity,
            status=S.PENDING if start > as_of else (S.TRIALING if trial_end else S.ACTIVE),
            start_at=start,
            billing_anchor=anchor,
            trial_end=trial_end,
            ends_at=ends_at,
            metadata=metadata or {},
            created_at=as_of,
            updated_at=as_of,
            current_period_index=-1,
        )
        if customer.dunning_blocking:  # its first period is not paid: blocked from its start
            sub.dunning_blocked = True
            sub.dunning_blocked_from = as_of
            sub.dunning_block_reason = customer.dunning_blocking_reason
        if trial_end is not None:
            first_start = periods.local_midnight(start_day, zone)
            sub.current_period_start, sub.current_period_end = first_start, trial_end
            sub.fee_since = first_start
        else:
            set_period(sub, start)
            sub.fee_since = sub.current_period_start
        # a price book whose phases all have a duration (a fixed term) sets its end
        sub.ends_at = lifecycle.with_walk_end(sub.state()).ends_at
        sub.full_clean(exclude=["customer", "plan", "plan_version"])
        sub.save()
        subscription_event(sub, "created", actor, as_of)
        if parent is not None:
            item_event(parent, sub, "item_added", actor, as_of, reason=reason)
        if sub.dunning_blocked:
            journal_write(
                type="subscription.entitlements_blocked",
                subject_type="subscription",
                subject_id=sub.pk,
                payload={"customer": customer.pk, "reason": sub.dunning_block_reason,
                         "blocked_from": as_of.isoformat()},
                actor=actor,
                occurred_at=as_of,
            )  # fmt: skip
        entitlements_recompute(customer=customer, as_of=as_of)
    return sub


# ---------------------------------------------------------------------------- plan changes


def _check_change_instant(sub: Subscription, when: datetime, as_of: datetime) -> None:
    if sub.status in TERMINAL:
        raise TransitionNotAllowed(f"The subscription is {sub.status}.")
    if when < as_of:
        raise ValidationFailed("A change cannot take effect in the past.", field="effective_at")
    end = sub.ends_at
    if sub.cancel_at_period_end:
        end = sub.current_period_end if end is None else min(end, sub.current_period_end)
    if end is not None and when >= end:
        raise Conflict(
            f"The subscription ends at {end.isoformat()}; a change at {when.isoformat()} "
            "would come after its end.",
            field="effective_at",
            code="change_after_end",
        )
    taken = sub.changes.filter(status=ChangeStatus.SCHEDULED, effective_at=when).first()
    if taken is not None:
        raise Conflict(
            f"Change #{taken.pk} is already scheduled at {when.isoformat()}; cancel it first.",
            field="effective_at",
            code="conflicting_change",
        )


class ResolvedChange(NamedTuple):
    plan: Plan
    quantity: int
    instant: datetime
    timing: policies.Timing  # what decided the instant (a plan pair's policy, the heuristic...)


def resolve_change(
    sub: Subscription,
    as_of: datetime,
    plan_id: int | None,
    quantity: int | None,
    when: str | datetime,
    *,
    override_policy: bool = False,
    reason: str = "",
    phase: str | None = None,
) -> ResolvedChange:
    """The plan, quantity and instant a change request means, or its refusal: one rule for
    the change itself and for its preview. A plan pair's change policy times it (or refuses
    it) before the price heuristic of "auto" (billing/services/policies.py), which compares
    the fee of the phase in force now with the one the change would put it in (`phase`: the
    change's phase option; see `lifecycle.change_fees`)."""
    if plan_id is None and quantity is None:
        raise ValidationFailed("Give a new plan or a new quantity.", field="plan")
    if quantity is not None and quantity < 1:
        raise ValidationFailed("quantity is at least 1.", field="quantity", code="min_value")
    new_plan = sub.plan
    if plan_id is not None:
        try:
            new_plan = Plan.objects.get(pk=plan_id)
        except Plan.DoesNotExist:
            raise NotFound(f"No plan with id {plan_id}.") from None
        if new_plan.currency != sub.customer.currency:
            raise ValidationFailed(
                f"Plan {new_plan.code} is priced in {new_plan.currency}, the customer is "
                f"billed in {sub.customer.currency}.",
                field="plan",
                code="currency_mismatch",
            )
    if (new_plan.interval_unit, new_plan.interval_count) != (
        sub.plan.interval_unit,
        sub.plan.interval_count,
    ):
        raise Conflict(
            f"Plan {new_plan.code} is billed every {new_plan.interval_count} "
            f"{new_plan.interval_unit}(s), the subscription every {sub.plan.interval_count} "
            f"{sub.plan.interval_unit}(s): its periods cannot carry over. Cancel it and "
            "subscribe to the new plan instead.",
            field="plan",
            code="interval_mismatch",
        )
    new_quantity = quantity if quantity is not None else sub.quantity
    if new_plan.pk == sub.plan_id and new_quantity == sub.quantity:
        raise ValidationFailed("That is the subscription's current plan and quantity.",
                               field="plan", code="no_change")  # fmt: skip
    when, timing = policies.change_policy_timing(
        sub, new_plan, as_of, when, override=override_policy, reason=reason
    )
    if timing is None and when == "auto":
        probe = (
            _version_for(new_plan, max(as_of, sub.start_at))
            if new_plan.pk != sub.plan_id
            else sub.plan_version  # a change of quantity keeps the period's price book
        )
        old_amount, new_amount = lifecycle.change_fees(
            sub.state(), max(as_of, sub.start_at), probe.book(), new_quantity,
            phase=lifecycle.RESTART if phase == lifecycle.RESTART else lifecycle.SAME,
        )  # fmt: skip
        upgrade = new_amount >= old_amount
        when = "now" if upgrade or sub.status in (S.PENDING, S.TRIALING) else "period_end"
        fees = f"the period's fee {plain(old_amount)} -> {plain(new_amount)}"
        timing = (
            policies.Timing(ChangeTiming.UPGRADE, note=f"no change policy: an upgrade ({fees})")
            if upgrade
            else policies.Timing(ChangeTiming.NOT_STARTED, note="no change policy: not billed "
                                 "yet (pending or in a trial), at once")
            if when == "now"
            else policies.Timing(ChangeTiming.DOWNGRADE,
                                 note=f"no change policy: a downgrade ({fees})")
        )  # fmt: skip
    elif timing is None:
        timing = policies.Timing(ChangeTiming.REQUESTED, note="as asked")
    if when == "now":
        instant = as_of
    elif when == "period_end":
        instant = sub.current_period_end
    elif isinstance(when, datetime):
        instant = when
    else:
        raise ValidationFailed(
            "when is now, period_end, auto or an ISO 8601 instant.", field="when"
        )
    _check_change_instant(sub, instant, as_of)
    if new_plan.pk != sub.plan_id:
        _version_for(new_plan, instant)  # priced at that instant?
    return ResolvedChange(new_plan, new_quantity, instant, timing)


PHASE_CHOICES = (lifecycle.SAME, lifecycle.RESTART)


def check_phase(sub: Subscription, new_plan: Plan, instant: datetime, phase: str | None) -> str:
    """The phase option of a change (None: "same"): "same" or "restart", for a change of plan
    only (a change of quantity keeps the walk: refused rather than ignored). "same" is refused
    when the new plan's price book (in force at `instant`) has phases but fewer than the
    position the subscription's walk is at then (as its terms are now): "restart" it instead.
    A price book without phases is one open-ended phase; a change to it keeps nothing to walk."""
    if phase is None:
        return lifecycle.SAME
    if phase not in PHASE_CHOICES:
        raise ValidationFailed('phase is "same" or "restart".', field="phase", code="invalid")
    if new_plan.pk == sub.plan_id:
        raise ValidationFailed(
            "phase applies to a change of plan (a change of quantity keeps the phase).",
            field="phase",
            code="not_a_plan_change",
        )
    if phase == lifecycle.SAME and sub.status not in (S.PENDING, S.TRIALING):
        book = _version_for(new_plan, instant).book()
        state = sub.state()
        found = state.book.locate(state.walk_count(state.period_at(instant)))
        position = found[0] if found is not None else 0
        if book.phases and position >= len(book.phases):
            raise ValidationFailed(
                f"The subscription is in phase {position + 1} of {state.book.label}; "
                f"{book.label} has {len(book.phases)} phase(s): change it with phase "
                '"restart".',
                field="phase",
                code="phase_missing",
            )
    return phase


def subscription_change(
    *,
    subscription_id: int,
    actor: Actor,
    as_of: datetime,
    plan_id: int | None = None,
    quantity: int | None = None,
    when: str | datetime = "auto",
    prorate: bool = True,
    reason: str = "",
    previewed_lines: Sequence[tuple[str, Decimal]] | None = None,
    override_policy: bool = False,
    phase: str | None = None,
) -> SubscriptionChange:
    """Change the plan and/or the quantity. `when`: "now", "period_end", an instant, or "auto"
    (an upgrade, one that raises the period's fee, takes effect now; a downgrade at period end).
    `previewed_lines`: the proration lines (kind, rounded amount) of the preview the requester
    confirmed; a change that would write other lines (the clock moved past a cent, another change
    came first) is refused with 409 `preview_stale`, and nothing is written.
    A plan pair's change policy times or refuses it (billing/services/policies.py);
    `override_policy` (staff only, with a reason) lets a timing asked override it.
    `phase` (a change of plan): "same" (the default: the same phase of the new plan, as far
    into it) or "restart" (the new plan's phases start over): see `check_phase`."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        sub = locked_subscription(subscription_id)
        if sub.customer.plan_changes_refused:
            raise Conflict(
                "Plan and quantity changes are refused while the customer is in dunning ("
                f"{sub.customer.plan_changes_refused_reason or 'overdue invoices'}).",
                code="plan_changes_refused",
            )
        catch_up(sub, as_of, actor)
        new_plan, new_quantity, instant, timing = resolve_change(
            sub, as_of, plan_id, quantity, when, override_policy=override_policy, reason=reason,
            phase=phase,
        )  # fmt: skip
        phase = check_phase(sub, new_plan, instant, phase)
        change = _record_change(
            sub, new_plan, new_quantity, instant, actor, as_of, prorate=prorate, reason=reason,
            timing=timing, phase=phase,
        )  # fmt: skip
        if previewed_lines is not None:
            written = list(
                ProrationLine.objects.filter(change=change)
                .order_by("id")
                .values_list("kind", "amount_rounded")
            )
            if written != [(kind, Decimal(amount)) for kind, amount in previewed_lines]:
                raise Conflict(
                    "The change's amounts differ from its preview (time has passed or the "
                    "subscription changed): preview it again.",
                    code="preview_stale",
                )
    return change


def _record_change(
    sub: Subscription,
    new_plan: Plan,
    new_quantity: int,
    instant: datetime,
    actor: Actor,
    as_of: datetime,
    *,
    prorate: bool,
    reason: str,
    timing: policies.Timing | None = None,
    phase: str = lifecycle.SAME,
) -> SubscriptionChange:
    """A resolved change of a locked subscription: applied when its instant has come, else
    scheduled (the change and its preview's "what if" both write it this way)."""
    kind = (
        ChangeKind.PLAN_AND_QUANTITY
        if new_plan.pk != sub.plan_id and new_quantity != sub.quantity
        else ChangeKind.PLAN
        if new_plan.pk != sub.plan_id
        else ChangeKind.QUANTITY
    )
    change = SubscriptionChange.objects.create(
        subscription=sub,
        kind=kind,
        status=ChangeStatus.SCHEDULED,
        from_plan_version=sub.plan_version,
        new_plan=new_plan if new_plan.pk != sub.plan_id else None,
        from_quantity=sub.quantity,
        from_phase_start_period=sub.phase_start_period,
        new_quantity=new_quantity if new_quantity != sub.quantity else None,
        effective_at=instant,
        prorate=prorate,
        phase=phase,
        timing=timing.rule if timing is not None else "",
        policy=timing.policy if timing is not None else "",
        reason=reason,
        requested_by=actor.label,
        created_at=as_of,
    )
    if instant <= as_of:
        apply_change(sub, change, actor, as_of)
    else:
        subscription_event(sub, "updated", actor, as_of, scheduled_change=_change_dict(change))
    return change


@dataclass(frozen=True)
class ChangePreview:
    """What a change would do, computed by the rules of `subscription_change`, written nowhere."""

    new_plan: Plan
    new_version: str
    quantity: int
    effective_at: datetime
    applies_now: bool
    exact: bool  # False: it takes effect in a later period, priced when it applies
    lines: list[proration.Line]
    currency: str
    upcoming: Any = None  # what the `upcoming` reader returned with the change made
    timing: policies.Timing | None = None  # what decided when it takes effect

    @property
    def total(self) -> Decimal:
        return sum((line.rounded for line in self.lines), Decimal(0))


PREVIEW_ACTOR = Actor.system("preview")


def subscription_change_preview(
    *,
    subscription_id: int,
    as_of: datetime,
    plan_id: int | None = None,
    quantity: int | None = None,
    when: str | datetime = "auto",
    prorate: bool = True,
    upcoming: Callable[[int, datetime], Any] | None = None,
    override_policy: bool = False,
    reason: str = "",
    phase: str | None = None,
) -> ChangePreview:
    """The proration a change would bring, before it is confirmed: what `subscription_change`
    does — the subscription locked and billed up to `as_of` (catch-up), the same resolution of
    the request (`resolve_change`) and the same transition (`lifecycle.changed`) — in a
    transaction that is rolled back, so nothing is written. A change that takes effect after
    another scheduled one, or in a later period, is priced when it applies (`exact` False).
    `upcoming(customer_id, as_of)`, when given, is called with the change made (applied or
    scheduled, as the change would write it) before the rollback — a higher layer's reader, e.g.
    the upcoming invoice with the change — and its result is the preview's `upcoming`."""
    with transaction.atomic(durable=True):
        sub = locked_subscription(subscription_id)
        catch_up(sub, as_of, PREVIEW_ACTOR)
        new_plan, new_quantity, instant, timing = resolve_change(
            sub, as_of, plan_id, quantity, when, override_policy=override_policy, reason=reason,
            phase=phase,
        )  # fmt: skip
        phase = check_phase(sub, new_plan, instant, phase)
        new_version = (
            _version_for(new_plan, instant) if new_plan.pk != sub.plan_id else sub.plan_version
        )
        earlier = sub.changes.filter(
            status=ChangeStatus.SCHEDULED, effective_at__lt=instant
        ).exists()
        exact = not earlier and sub.current_period_start <= instant < sub.current_period_end
        lines: list[proration.Line] = []
        if exact:
            _, lines = lifecycle.changed(
                sub.state(), instant, new_version.book(), new_quantity, prorate=prorate,
                phase=phase,
            )  # fmt: skip
        seen = None
        if upcoming is not None:
            _record_change(
                sub, new_plan, new_quantity, instant, PREVIEW_ACTOR, as_of, prorate=prorate,
                reason="preview", timing=timing, phase=phase,
            )  # fmt: skip
            seen = upcoming(sub.customer_id, as_of)
        transaction.set_rollback(True)  # a preview: the catch-up's (and the change's) writes
        # are undone
    return ChangePreview(
        new_plan=new_plan,
        new_version=new_version.label,
        quantity=new_quantity,
        effective_at=instant,
        applies_now=instant <= as_of,
        exact=exact,
        lines=lines,
        currency=sub.plan.currency,
        upcoming=seen,
        timing=timing,
    )


def _change_dict(change: SubscriptionChange) -> dict[str, Any]:
    return {
        "id": change.pk,
        "kind": change.kind,
        "status": change.status,
        "new_plan": change.new_plan.code if change.new_plan else None,
        "new_quantity": change.new_quantity,
        "effective_at": change.effective_at.isoformat(),
        "prorate": change.prorate,
        "phase": change.phase,
        "timing": change.timing,
        "policy": change.policy,
    }


def apply_change(
    sub: Subscription,
    change: SubscriptionChange,
    actor: Actor,
    as_of: datetime,
    *,
    peers: Sequence[Subscription] | None = None,
) -> None:
    """Apply a change due to a locked subscription; its items' end dates follow its own when
    the change moved it (`items_follow_end`; `peers`: the clock's chunk)."""
    at = change.effective_at
    before = sub.ends_at
    new_plan = change.new_plan or sub.plan
    # a new plan is priced with its version in force then; a change of quantity keeps the
    # period's price book (a version taking effect inside the period waits for the next)
    new_version = _version_for(new_plan, at) if change.new_plan else sub.plan_version
    # the terms it changes from, as they are when it applies
    change.from_plan_version, change.from_quantity = sub.plan_version, sub.quantity
    change.from_phase_start_period = sub.phase_start_period
    state, lines = lifecycle.changed(
        sub.state(),
        at,
        new_version.book(),
        change.new_quantity or sub.quantity,
        prorate=change.prorate,
        phase=change.phase,
    )
    sub.take(state, new_version)
    _within_parent_end(sub)
    sub.updated_at = as_of
    sub.save()
    items_follow_end(sub, before, as_of, actor, peers=peers)
    change.status = ChangeStatus.APPLIED
    change.applied_plan_version = new_version
    change.applied_at = as_of
    change.save(
        update_fields=[
            "status", "applied_plan_version", "applied_at", "from_plan_version", "from_quantity",
            "from_phase_start_period",
        ]
    )  # fmt: skip
    saved = _save_lines(sub, lines, as_of, change)
    subscription_event(
        sub,
        "updated",
        actor,
        as_of,
        change=_change_dict(change),
        proration=[
            {"kind": line.kind, "amount": str(line.amount_rounded), "currency": line.currency}
            for line in saved
        ],
    )
    entitlements_recompute(customer=sub.customer, as_of=as_of)


def subscription_change_cancel(
    *, change_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> SubscriptionChange:
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        try:
            subscription_id = SubscriptionChange.objects.values_list(
                "subscription_id", flat=True
            ).get(pk=change_id)
        except SubscriptionChange.DoesNotExist:
            raise NotFound(f"No scheduled change with id {change_id}.") from None
        sub = locked_subscription(subscription_id)
        catch_up(sub, as_of, actor)  # a change already due has taken effect
        change = SubscriptionChange.objects.select_for_update().get(pk=change_id)
        if change.status != ChangeStatus.SCHEDULED:
            raise TransitionNotAllowed(f"Change #{change.pk} is {change.status}, not scheduled.")
        change.status = ChangeStatus.CANCELED
        change.canceled_at = as_of
        change.save(update_fields=["status", "canceled_at"])
        subscription_event(sub, "updated", actor, as_of, canceled_change=_change_dict(change))
    return change


# ---------------------------------------------------------------------------- cancel, end


def subscription_cancel(
    *,
    subscription_id: int,
    actor: Actor,
    as_of: datetime,
    at_period_end: bool | None = False,
    prorate: bool = True,
    reason: str = "",
    override_policy: bool = False,
) -> Subscription:
    """At period end (undoable until then), or at once, with or without a prorated credit for
    the unused part of the fixed fee. The plan's cancellation policy decides when (or refuses):
    `at_period_end` None takes its timing (without one: at once); a contrary one is refused
    unless `override_policy` (staff, with a reason; billing/services/policies.py). At once, a
    price book whose `cancellation_credit` is `credit_note` credits the unused part of a fee
    paid in advance by a credit note on the invoice that billed it, in this transaction (the
    hook invoicing registers), instead of a proration line for the next invoice.
    A subscription's live items are canceled with it, at the same time (at once: each with its
    own prorated credit); canceling an item removes it from its subscription (item_removed)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        sub = locked_subscription(subscription_id)
        catch_up(sub, as_of, actor)
        if sub.status in TERMINAL:
            raise TransitionNotAllowed(f"The subscription is already {sub.status}.")
        at_period_end, _timing = policies.cancel_policy_timing(
            sub, at_period_end, override=override_policy, reason=reason
        )
        _cancel_locked(sub, as_of, actor, at_period_end=bool(at_period_end), prorate=prorate,
                       reason=reason)  # fmt: skip
        if sub.parent_id is not None:
            item_event(_parent_of(sub), sub, "item_removed", actor, as_of, reason=reason,
                       at_period_end=bool(at_period_end), prorate=prorate)  # fmt: skip
        for item in locked_items(sub, as_of, actor):
            if at_period_end and item.cancel_at_period_end:
                continue  # already removed at period end
            later = bool(at_period_end) and item.status != S.PENDING  # not started: at once
            _cancel_locked(item, as_of, actor, at_period_end=later, prorate=prorate,
                           reason=reason)  # fmt: skip
    return sub


def _cancel_locked(
    sub: Subscription,
    as_of: datetime,
    actor: Actor,
    *,
    at_period_end: bool,
    prorate: bool,
    reason: str,
) -> None:
    """Cancel a locked subscription billed up to `as_of`, its timing decided."""
    if at_period_end:
        if sub.status == S.PENDING:
            raise Conflict("A subscription that has not started is canceled at once.")
        if sub.cancel_at_period_end:
            raise Conflict("A cancellation at period end is already pending.")
        sub.cancel_at_period_end = True
        sub.cancel_requested_at = as_of
        sub.updated_at = as_of
        sub.save()
        sub.changes.filter(
            status=ChangeStatus.SCHEDULED, effective_at__gte=sub.current_period_end
        ).update(status=ChangeStatus.CANCELED, canceled_at=as_of)
        subscription_event(sub, "updated", actor, as_of, cancel_at_period_end=True, reason=reason)
        return
    lines = lifecycle.cancel_lines(sub.state(), as_of, prorate=prorate)
    subscription_finish(sub, S.CANCELED, as_of, actor, reason=reason)
    _save_lines(sub, _cancellation_credit(sub, lines, as_of, actor), as_of)


def _cancellation_credit(
    sub: Subscription, lines: list[proration.Line], as_of: datetime, actor: Actor
) -> list[proration.Line]:
    """The one rule for the credit of a cancellation or an end date before the period's end:
    under a price book whose `cancellation_credit` is `credit_note`, the unused part of a fee
    paid in advance is credited by a credit note (`policies.cancel_credit`); the lines left
    wait for the next invoice as proration lines."""
    if lines and sub.plan_version.book().cancellation_credit == CancellationCredit.CREDIT_NOTE:
        return policies.cancel_credit(sub, lines, as_of, actor)
    return lines


def subscription_undo_cancel(
    *, subscription_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> Subscription:
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        sub = locked_subscription(subscription_id)
        catch_up(sub, as_of, actor)
        if not sub.cancel_at_period_end or sub.status in TERMINAL:
            raise Conflict("There is no pending cancellation to undo.")
        if sub.parent_id is not None and _parent_of(sub).cancel_at_period_end:
            raise Conflict(
                "Its subscription is canceled at period end: an item cannot outlive it; undo "
                "the subscription's cancellation.",
                code="item_follows_subscription",
            )
        for one in [sub, *locked_items(sub, as_of, actor)]:
            if not one.cancel_at_period_end:
                continue
            one.cancel_at_period_end = False
            one.cancel_requested_at = None
            one.updated_at = as_of
            one.save()
            subscription_event(one, "updated", actor, as_of, cancel_at_period_end=False)
    return sub


def subscription_end(
    *,
    subscription_id: int,
    actor: Actor,
    as_of: datetime,
    ends_at: datetime,
    reason: str = "",
    override_policy: bool = False,
) -> Subscription:
    """End on a set date (or at once when the date has come). An end date is a cancellation in
    effect: the plan's cancellation policy applies (`policies.end_policy_check`: `illegal`
    refuses it, `end_of_term` refuses one before the current period's end) unless
    `override_policy` (staff: the admin; the import of a history). The unused part of a fee paid
    in advance after an end inside the current period is credited by the cancellation's rule
    (a proration line, or a credit note under `cancellation_credit` = credit_note). Its live
    items end with it (never later)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        sub = locked_subscription(subscription_id)
        catch_up(sub, as_of, actor)
        if sub.status in TERMINAL:
            raise TransitionNotAllowed(f"The subscription is already {sub.status}.")
        policies.end_policy_check(sub, ends_at, override=override_policy)
        if sub.ends_at is not None and sub.ends_at != ends_at:
            raise Conflict(
                f"The subscription already ends at {sub.ends_at.isoformat()}.",
                field="ends_at",
                code="end_already_set",
            )
        if ends_at <= sub.start_at:
            raise ValidationFailed("ends_at must come after the start.", field="ends_at")
        if ends_at < as_of:
            raise ValidationFailed("ends_at cannot be in the past.", field="ends_at")
        if sub.parent_id is not None:
            parent_end = _parent_of(sub).ends_at
            if parent_end is not None and ends_at > parent_end:
                raise ValidationFailed(
                    f"Its subscription ends at {parent_end.isoformat()}: an item cannot "
                    "outlive it.",
                    field="ends_at",
                    code="item_outlives_subscription",
                )
        _end_locked(sub, ends_at, as_of, actor, reason=reason)
        for item in locked_items(sub, as_of, actor):
            if item.ends_at is None or item.ends_at > ends_at:
                _end_locked(item, ends_at, as_of, actor, reason=reason)
    return sub


def _end_locked(
    sub: Subscription,
    ends_at: datetime | None,
    as_of: datetime,
    actor: Actor,
    *,
    reason: str,
    follow: bool = False,
) -> None:
    """Set the end date of a locked subscription billed up to `as_of` (checked by the caller);
    None: no end date (an item following its parent's, see `items_follow_end`). `follow`: an
    item following its parent: a change scheduled after the end is canceled when it ends rather
    than refused."""
    if not follow and ends_at is not None:
        later = sub.changes.filter(status=ChangeStatus.SCHEDULED, effective_at__gte=ends_at)
        if later.exists():
            raise Conflict(
                f"Change #{later.first().pk} is scheduled after that end; cancel it first.",  # type: ignore[union-attr]
                field="ends_at",
                code="change_after_end",
            )
    credit = _unused_advance(sub, ends_at, as_of) if ends_at is not None else []
    sub.ends_at = ends_at
    sub.updated_at = as_of
    if ends_at is not None and ends_at <= as_of:
        subscription_finish(sub, S.ENDED, as_of, actor, reason=reason)
    else:
        sub.save()
        subscription_event(sub, "updated", actor, as_of,
                           ends_at=ends_at.isoformat() if ends_at else None)  # fmt: skip
    _save_lines(sub, _cancellation_credit(sub, credit, as_of, actor), as_of)


def _unused_advance(sub: Subscription, ends_at: datetime, as_of: datetime) -> list[proration.Line]:
    """An end date inside the current period of a fee in advance already billed for the whole
    period (its start has come: the subscription is billed up to now): the part after the end is
    credited. A later period's fee in advance is billed up to the end date instead."""
    state = sub.state()
    period = state.period
    billed = sub.status in (S.ACTIVE, S.PAST_DUE, S.PAUSED) and not state.in_trial_period
    if not billed or state.book.fee_timing != "advance" or period.start > as_of:
        return []
    if not period.start < ends_at < period.end:
        return []
    line = proration.line(
        "credit", state.terms, ends_at, period.end, period, sub.plan.currency,
        "ends before the end of the period", reference=state.fee_reference(period),
    )  # fmt: skip
    return [line] if line else []


def subscription_finish(
    sub: Subscription, status: str, at: datetime, actor: Actor, *, reason: str
) -> None:
    subscription_move(sub, status)
    if status == S.CANCELED:
        sub.canceled_at = at
    sub.ended_at = at
    sub.cancel_at_period_end = False
    sub.updated_at = at
    if sub.paused_at is not None:  # the pause ends with it: its paused time is credited
        _save_lines(sub, lifecycle.pause_lines(sub.state(), sub.paused_at, at), at)
        sub.pauses.filter(resumed_at__isnull=True).update(resumed_at=at)
        sub.paused_at = None
    sub.save()
    sub.changes.filter(status=ChangeStatus.SCHEDULED).update(
        status=ChangeStatus.CANCELED, canceled_at=at
    )
    subscription_event(
        sub, "canceled" if status == S.CANCELED else "ended", actor, at, reason=reason
    )
    entitlements_recompute(customer=sub.customer, as_of=at)


# ------------------------------------------------------------------------- pause and resume


def subscription_pause(
    *, subscription_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> Subscription:
    """Pause: no entitlements, no fixed fee for the paused time. Periods do not move: on resume
    the paused part of each period it touched is credited (by the second, or by whole days:
    the price book's proration unit)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        sub = locked_subscription(subscription_id)
        _refuse_item_alone(sub, "paused")
        catch_up(sub, as_of, actor)
        items = locked_items(sub, as_of, actor)
        if any(item.status == S.PENDING for item in items):
            raise Conflict(
                "An item added at period end has not started yet: remove it, or pause the "
                "subscription once it has started.",
                code="item_pending",
            )
        for one in [sub, *items]:  # its items with it
            subscription_move(one, S.PAUSED)
            one.paused_at = as_of
            one.updated_at = as_of
            one.save()
            SubscriptionPause.objects.create(subscription=one, paused_at=as_of)
            subscription_event(one, "updated", actor, as_of, paused=True)
        entitlements_recompute(customer=sub.customer, as_of=as_of)
    return sub


def _refuse_item_alone(sub: Subscription, what: str) -> None:
    if sub.parent_id is not None:
        raise Conflict(
            f"Subscription #{sub.pk} is an item of #{sub.parent_id}: it is {what} with its "
            "subscription, never alone.",
            code="item_follows_subscription",
        )


def subscription_resume(
    *, subscription_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> Subscription:
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        sub = locked_subscription(subscription_id)
        _refuse_item_alone(sub, "resumed")
        catch_up(sub, as_of, actor)
        if sub.status != S.PAUSED or sub.paused_at is None:
            raise TransitionNotAllowed("Only a paused subscription can be resumed.")
        for one in [sub, *locked_items(sub, as_of, actor)]:  # its items with it
            if one.status == S.PAUSED and one.paused_at is not None:
                _resume_locked(one, as_of, actor)
        entitlements_recompute(customer=sub.customer, as_of=as_of)
    return sub


def _resume_locked(sub: Subscription, as_of: datetime, actor: Actor) -> None:
    """Resume a locked paused subscription: its paused time is credited."""
    pause = sub.pauses.select_for_update().get(resumed_at__isnull=True)
    pause.resumed_at = as_of
    pause.save(update_fields=["resumed_at"])
    in_trial = sub.trial_end is not None and as_of < sub.trial_end
    subscription_move(sub, S.TRIALING if in_trial else S.ACTIVE)
    lines = lifecycle.pause_lines(sub.state(), pause.paused_at, as_of)
    sub.paused_at = None
    set_period(sub, as_of)
    sub.updated_at = as_of
    sub.save()
    _save_lines(sub, lines, as_of)
    subscription_event(sub, "updated", actor, as_of, resumed=True,
           paused_seconds=int((as_of - pause.paused_at).total_seconds()))  # fmt: skip


def subscription_activate(
    *, subscription_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> Subscription:
    """End a trial now: the first paid period starts today."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        sub = locked_subscription(subscription_id)
        catch_up(sub, as_of, actor)
        if sub.status != S.TRIALING:
            raise TransitionNotAllowed("Only a trialing subscription can be activated early.")
        before = sub.ends_at
        start_paid(sub, as_of, reanchor=True)
        sub.updated_at = as_of
        sub.save()
        items_follow_end(sub, before, as_of, actor)
        subscription_event(sub, "updated", actor, as_of, trial_ended_early=True)
        entitlements_recompute(customer=sub.customer, as_of=as_of)
    return sub


def start_paid(sub: Subscription, at: datetime, *, reanchor: bool) -> None:
    """The trial ends at `at`: the first paid period starts (see lifecycle.trial_ended)."""
    subscription_move(sub, S.ACTIVE)
    sub.take(lifecycle.trial_ended(sub.state(), at, reanchor=reanchor))


# ---------------------------------------------------------------------------------- add-ons


def subscription_addon_add(
    *, subscription_id: int, addon_code: str, quantity: Decimal, actor: Actor, as_of: datetime
) -> ProrationLine:
    """Buy a catalog add-on for a subscription: quantity x its price (rounded once), a line that
    waits, like proration lines, for the subscription's next invoice."""
    if quantity <= 0:
        raise ValidationFailed("quantity is positive.", field="quantity", code="min_value")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="add-on"):
        sub = locked_subscription(subscription_id)
        catch_up(sub, as_of, actor)
        if sub.status in TERMINAL:
            raise TransitionNotAllowed(f"The subscription is {sub.status}.")
        addon = AddOn.objects.filter(code=addon_code, archived_at__isnull=True).first()
        if addon is None:
            raise NotFound(f"No add-on {addon_code!r}.", field="add_on")
        if addon.currency != sub.plan.currency:
            raise ValidationFailed(
                f"The add-on is priced in {addon.currency}, the subscription in "
                f"{sub.plan.currency}.",
                field="add_on",
                code="currency_mismatch",
            )
        exact = addon.amount * quantity
        line = ProrationLine.objects.create(
            subscription=sub,
            kind=ProrationKind.ADD_ON,
            description=f"{addon.name} x {plain(quantity)}",
            currency=addon.currency,
            amount=exact,
            amount_rounded=quantize(exact, addon.currency),
            period_start=sub.current_period_start,
            period_end=sub.current_period_end,
            explanation={
                "add_on": addon.code,
                "formula": f"{plain(quantity)} x {plain(addon.amount)}",
                "added_by": actor.label,
            },
            tax_rate_id=addon.tax_rate_id,
            created_at=as_of,
        )
        subscription_event(
            sub, "updated", actor, as_of, add_on={"code": addon.code, "quantity": str(quantity)}
        )
    return line
