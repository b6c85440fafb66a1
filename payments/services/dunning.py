"""Dunning: evaluating a customer's overdue situation against its policy, the transitions, and
what a state does (Kill Bill's overdue states, blocking per subscription).

The situation at `as_of` (`situation_of`). An invoice is overdue when it is open, partially paid
or uncollectible (written off but still owed: paying it clears dunning), its due date is before
`as_of` and it still owes something. Days past due are those of the oldest overdue invoice,
counted in calendar days of the customer's time zone (due on the 10th local: 1 day past due from
the 11th at 00:00 local). The amount overdue is the sum of the overdue invoices' amounts due, in
the customer's currency. Failed attempts are the failed automatic payments of the overdue
invoices (each retry that failed counts).

The state. The customer's policy (its own, else the default one) is read now (an edit applies
from the next evaluation). Nothing overdue: no state. Else the state of highest position whose
conditions set all hold: days past due >= min_days_past_due, amount overdue >= min_amount_overdue
(a state whose amount names a currency holds it only for customers billed in that currency),
failed attempts >= min_failed_attempts. Evaluation moves straight to it.

A transition is written only when the state changes, with the customer row-locked (the first
lock; then subscriptions, invoices): two ticks, a handler delivered twice, or two workers at once
see the state already entered and write nothing. Each `DunningTransition` carries its reason, the
amounts that caused it, copies of the states' names and actions, and journals
`dunning.state_entered` (up or down) or `dunning.cleared` in its transaction. An evaluation is
never for an instant before the customer's last one (a late event does not move it back).

What a state does:
- properties, held while the customer is in the state and set again at every evaluation:
  `block_entitlements` (per subscription, through billing: a subscription whose current period's
  fee in advance is on a paid invoice keeps its features until that period ends; the others are
  blocked now) and `refuse_plan_changes`. Leaving the state (cleared, or down to a state without
  them) lifts them in the same transaction.
- on entering it upwards, once: the e-mail (the event's `template`: the notifications app sends
  it), pausing or canceling the subscriptions (immediately, or at the end of the current period;
  a period already paid is never cut: its pause comes at its end, its cancellation is at period
  end), and writing the overdue invoices off. These are `DunningAction`s carried out after the
  commit by billing's and invoicing's own services (payments.services.dunning_actions); those
  still pending when the customer moves down or leaves are canceled, and a cancellation at
  period end that dunning set (billing's flag, set at once so the period's end never renews)
  is undone then. A move down sends no e-mail and does nothing once.
- positions are compared within one policy; across policies (an assignment, a new default) a
  state of the same code is the same state (direction `same`: no e-mail, no entry action),
  another code is entered.

Triggers: the clock (`dunning_tick`: customers whose invoice's due date was crossed since their
last evaluation, whose automatic payment failed since, whose next day threshold came, or whose
pending block instant came; one task per chunk of customers, each customer in its own
transaction), and at once the journal handler on payments, allocations, credit notes, voids,
write-offs, finalizations and time zone changes, in the dispatcher's transaction. A policy edit
makes the customers it applies to due at the clock's next tick.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from billing import periods
from billing.enums import TERMINAL
from billing.models import Customer, Subscription
from billing.selectors import clock_scope, customer_clock_clamp
from billing.services import (
    customer_plan_changes_refuse,
    dunning_blocks_due,
    journal_write,
    locked_customer,
    subscriptions_dunning_block,
)
from core.audit import Actor, audit_context
from invoicing.models import BilledPeriod, Invoice, InvoiceStatus
from payments.models import Payment, PaymentKind, PaymentState
from payments.models.dunning import (
    ActionKind,
    ActionStatus,
    ActionWhen,
    CustomerDunning,
    Direction,
    DunningAction,
    DunningPolicy,
    DunningState,
    DunningTransition,
    SubscriptionAction,
)
from payments.selectors import event_customers
from payments.services.dunning_actions import action_lock_free_sql

if TYPE_CHECKING:
    from billing.models import JournalEvent

ZERO = Decimal(0)
DUNNING = Actor.system("dunning")
TICK_HOOK = "payments.dunning"
HANDLER = "payments.dunning.evaluate"
OVERDUE = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.UNCOLLECTIBLE)
WRITABLE_OFF = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)
EVENTS = frozenset(
    {
        "payment.succeeded", "payment.failed", "payment.applied", "payment.unapplied",
        "payment.late_success", "payment.moved_to_balance", "invoice.paid",
        "invoice.partially_paid", "invoice.reopened", "invoice.payment_moved",
        "invoice.voided", "invoice.marked_uncollectible", "credit_note.created",
        "invoice.finalized",  # one finalized with its due date already past (terms of 0 days)
        "customer.updated",  # only a change of time zone (the days past due are local days)
    }
)  # fmt: skip
NOT_NEEDED = "not_needed"  # an attempt collection dropped (the invoice owed nothing then)


# ---------------------------------------------------------------------------------------------
# the situation (reads)


@dataclass(frozen=True)
class Situation:
    days_past_due: int
    amount_overdue: Decimal
    currency: str
    failed_attempts: int
    invoice_ids: tuple[int, ...]  # the overdue invoices, oldest due first
    oldest_due_at: datetime | None

    @property
    def overdue(self) -> bool:
        return self.amount_overdue > 0


def local_days_between(earlier: datetime, later: datetime, zone: str) -> int:
    """Calendar days from `earlier` to `later` in the time zone `zone` (0 on the same day)."""
    zone = zone or "UTC"
    return (periods.local_date(later, zone) - periods.local_date(earlier, zone)).days


def situation_of(customer: Customer, as_of: datetime) -> Situation:
    """The customer's overdue situation at `as_of` (see the module's note). One query."""
    failed = (
        Payment.objects.filter(
            invoice_id=OuterRef("pk"), kind=PaymentKind.AUTOMATIC, state=PaymentState.FAILED
        )
        .exclude(failure_code=NOT_NEEDED)
        .values("invoice_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = list(
        Invoice.objects.filter(
            customer=customer, currency=customer.currency, status__in=OVERDUE,
            amount_due__gt=0, due_at__lt=as_of,
        )
        .annotate(failed=Coalesce(Subquery(failed), 0))
        .order_by("due_at", "id")
        .values_list("id", "due_at", "amount_due", "failed")
    )  # fmt: skip
    if not rows:
        return Situation(0, ZERO, customer.currency, 0, (), None)
    oldest = rows[0][1]
    assert oldest is not None  # due_at < as_of
    return Situation(
        days_past_due=local_days_between(oldest, as_of, customer.timezone),
        amount_overdue=sum((r[2] for r in rows), ZERO),
        currency=customer.currency,
        failed_attempts=sum(r[3] for r in rows),
        invoice_ids=tuple(r[0] for r in rows),
        oldest_due_at=oldest,
    )


def state_holds(state: DunningState, situation: Situation) -> bool:
    """Whether every condition the state sets holds (nothing overdue: none holds)."""
    if not situation.overdue:
        return False
    if state.min_days_past_due is not None and situation.days_past_due < state.min_days_past_due:
        return False
    if state.min_amount_overdue is not None:
        if state.amount_currency and state.amount_currency != situation.currency:
            return False
        if situation.amount_overdue < state.min_amount_overdue:
            return False
    return not (
        state.min_failed_attempts is not None
        and situation.failed_attempts < state.min_failed_attempts
    )


def target_state(states: Sequence[DunningState], situation: Situation) -> DunningState | None:
    """The state of highest position whose conditions hold."""
    found = [s for s in states if state_holds(s, situation)]
    return max(found, key=lambda s: s.position) if found else None


def next_check_at(
    states: Sequence[DunningState], situation: Situation, zone: str
) -> datetime | None:
    """When the days past due next reach a state's minimum (local midnight): the clock looks at
    the customer again then. None when nothing is overdue or no such minimum is ahead."""
    if situation.oldest_due_at is None:
        return None
    ahead = sorted(
        s.min_days_past_due
        for s in states
        if s.min_days_past_due is not None and s.min_days_past_due > situation.days_past_due
    )
    if not ahead:
        return None
    zone = zone or "UTC"
    day = periods.local_date(situation.oldest_due_at, zone) + timedelta(days=ahead[0])
    return periods.local_midnight(day, zone)


def policy_of(record: CustomerDunning) -> DunningPolicy | None:
    if record.policy_id is not None:
        return record.policy
    return DunningPolicy.objects.filter(is_default=True).first()


def record_of(customer: Customer, as_of: datetime) -> CustomerDunning:
    """The locked customer's dunning row, locked (made on first use)."""
    record = (
        CustomerDunning.objects.select_for_update(of=("self",))
        .select_related("policy", "state")
        .filter(customer=customer)
        .first()
    )
    if record is None:
        record = CustomerDunning.objects.create(customer=customer, updated_at=as_of)
    return record


# ---------------------------------------------------------------------------------------------
# blocking per subscription


def paid_periods(subscription_ids: Iterable[int], as_of: datetime) -> dict[int, datetime]:
    """The end of each subscription's period running at `as_of` whose fee in advance was billed
    on an invoice now paid (BilledPeriod, kind advance): that period keeps its features."""
    return dict(
        BilledPeriod.objects.filter(
            subscription_id__in=list(subscription_ids),
            kind=BilledPeriod.Kind.ADVANCE,
            invoice__status=InvoiceStatus.PAID,
            period_start__lte=as_of,
            period_end__gt=as_of,
        ).values_list("subscription_id", "period_end")
    )


def _live_subscriptions(customer: Customer) -> list[Subscription]:
    return list(
        Subscription.objects.filter(customer=customer)
        .exclude(status__in=list(TERMINAL))
        .order_by("pk")
    )


def _blocks(
    customer: Customer, state: DunningState | None, as_of: datetime, actor: Actor
) -> list[int]:
    """Set the subscriptions' blocks for the state the customer is in (see the module's note),
    and the customer's `dunning_blocking` flag (billing blocks a subscription created while it is
    set from its start); the ids whose block came into effect or ended. Called at every
    evaluation, also without any live subscription."""
    mapping: dict[int, datetime | None] = {}
    if state is not None and state.block_entitlements:
        subs = _live_subscriptions(customer)
        paid = paid_periods([s.pk for s in subs], as_of)
        for sub in subs:
            since = sub.dunning_blocked_from
            now = since if since is not None and since <= as_of else as_of
            mapping[sub.pk] = paid.get(sub.pk, now)
        reason = f"dunning: {state.name}"
    else:
        flagged = Subscription.objects.filter(customer=customer).filter(
            Q(dunning_blocked=True) | Q(dunning_blocked_from__isnull=False)
        )
        mapping = dict.fromkeys(flagged.values_list("pk", flat=True))
        reason = "dunning: not in a blocking state"
    return subscriptions_dunning_block(
        customer=customer, blocked_from=mapping, reason=reason, as_of=as_of, actor=actor,
        blocking=bool(state and state.block_entitlements),
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# the evaluation


def _reason(cause: str, situation: Situation, target: DunningState | None) -> str:
    if not situation.overdue:
        return f"{cause}: nothing overdue"
    facts = (
        f"{situation.days_past_due} day(s) past due, {situation.amount_overdue.normalize():f} "
        f"{situation.currency} overdue, {situation.failed_attempts} failed attempt(s)"
    )
    if target is None:
        return f"{cause}: no state's conditions hold ({facts})"[:255]
    return f"{cause}: {facts}"[:255]


def _direction(current: DunningState | None, target: DunningState | None) -> str:
    """Positions are compared within one policy only. Across policies (a policy assigned, a
    new default) the code decides: the same code is the same state (no entry: no e-mail, no
    entry action), another code is entered (up)."""
    if target is None:
        return Direction.CLEARED
    if current is None:
        return Direction.UP
    if current.policy_id != target.policy_id:
        return Direction.SAME if current.code == target.code else Direction.UP
    return Direction.UP if target.position > current.position else Direction.DOWN


def _transition_write(
    customer: Customer,
    record: CustomerDunning,
    policy: DunningPolicy | None,
    target: DunningState | None,
    situation: Situation,
    changed: list[int],
    *,
    cause: str,
    as_of: datetime,
    actor: Actor,
) -> DunningTransition:
    current = record.state
    direction = _direction(current, target)
    up = direction == Direction.UP
    assert target is not None or current is not None
    source = target if target is not None else current
    assert source is not None
    owner = policy if target is not None else current.policy if current is not None else None
    record.transitions_count += 1
    transition = DunningTransition.objects.create(
        customer=customer,
        sequence=record.transitions_count,
        direction=direction,
        policy=owner,
        policy_name=owner.name if owner is not None else "",
        from_state=current,
        from_code=current.code if current else "",
        from_name=current.name if current else "",
        from_position=current.position if current else None,
        to_state=target,
        to_code=target.code if target else "",
        to_name=target.name if target else "",
        to_position=target.position if target else None,
        email_template=target.email_template if target is not None and up else "",
        block_entitlements=bool(target and target.block_entitlements),
        refuse_plan_changes=bool(target and target.refuse_plan_changes),
        subscription_action=target.subscription_action if target and up else "none",
        subscription_action_when=source.subscription_action_when,
        mark_uncollectible=bool(target and up and target.mark_uncollectible),
        publish_event=source.publish_event,
        reason=_reason(cause, situation, target),
        days_past_due=situation.days_past_due,
        amount_overdue=situation.amount_overdue,
        currency=situation.currency,
        failed_attempts=situation.failed_attempts,
        subscriptions_changed=changed,
        as_of=as_of,
        actor=actor.label,
    )
    if situation.invoice_ids:
        transition.invoices.set(situation.invoice_ids)
    record.state = target
    record.entered_at = as_of
    common = {
        "transition": transition.pk,
        "sequence": transition.sequence,
        "direction": direction,
        "policy": transition.policy_name,
        "policy_id": transition.policy_id,
        "publish": transition.publish_event,
        "reason": transition.reason,
        "days_past_due": situation.days_past_due,
        "amount_overdue": str(situation.amount_overdue),
        "currency": situation.currency,
        "failed_attempts": situation.failed_attempts,
        "invoices": list(situation.invoice_ids),
        "subscriptions_blocked": changed,
    }
    if target is None:
        payload = {**common, "state_left": transition.from_code,
                   "state_left_name": transition.from_name}  # fmt: skip
    else:
        payload = {
            **common, "state": target.name, "state_code": target.code,
            "position": target.position, "template": transition.email_template,
            "from_state_code": transition.from_code,
        }  # fmt: skip
    journal_write(
        type="dunning.cleared" if target is None else "dunning.state_entered",
        subject_type="customer",
        subject_id=customer.pk,
        payload=payload,
        actor=actor,
        occurred_at=as_of,
    )
    return transition


def _actions_plan(
    transition: DunningTransition,
    customer: Customer,
    state: DunningState,
    situation: Situation,
    as_of: datetime,
) -> list[DunningAction]:
    """The entry actions done once by their owners' services after the commit."""
    actions: list[DunningAction] = []
    if state.subscription_action != SubscriptionAction.NONE:
        subs = _live_subscriptions(customer)
        paid = paid_periods([s.pk for s in subs], as_of)
        at_end = state.subscription_action_when == ActionWhen.PERIOD_END
        for sub in subs:
            if state.subscription_action == SubscriptionAction.PAUSE:
                if sub.status not in ("active", "past_due", "trialing"):
                    continue
                due = paid.get(sub.pk) or (sub.current_period_end if at_end else as_of)
                kind = ActionKind.PAUSE
            else:
                due = as_of
                later = at_end or sub.pk in paid
                kind = ActionKind.CANCEL_AT_PERIOD_END if later else ActionKind.CANCEL
                if later and sub.status == "pending":
                    kind = ActionKind.CANCEL  # one that has not started is canceled at once
            actions.append(
                DunningAction(
                    transition=transition,
                    customer=customer,
                    kind=kind,
                    subscription=sub,
                    due_at=due,
                )
            )
    if state.mark_uncollectible:
        for invoice_id in Invoice.objects.filter(
            pk__in=list(situation.invoice_ids), status__in=WRITABLE_OFF
        ).values_list("pk", flat=True):
            actions.append(
                DunningAction(
                    transition=transition,
                    customer=customer,
                    kind=ActionKind.MARK_UNCOLLECTIBLE,
                    invoice_id=invoice_id,
                    due_at=as_of,
                )
            )
    return DunningAction.objects.bulk_create(actions)


def _actions_cancel(customer: Customer, as_of: datetime, why: str) -> int:
    """Cancel the customer's pending entry actions (not an undo), except one a runner is
    carrying out right now (it holds the action's lock: it is done, then undone if need be)."""
    return (
        DunningAction.objects.filter(customer=customer, status=ActionStatus.PENDING)
        .exclude(kind=ActionKind.UNDO_CANCEL_AT_PERIOD_END)
        .alias(free=action_lock_free_sql())
        .filter(free=True)
        .update(status=ActionStatus.CANCELED, outcome=why[:255], done_at=as_of)
    )


def _undos_plan(
    transition: DunningTransition, customer: Customer, as_of: datetime
) -> list[DunningAction]:
    """Undo the cancellations at period end that dunning set (and that are still pending on a
    live subscription) when the customer moves down or leaves: one undo per cancellation,
    carried out by billing after the commit. One a runner is still carrying out is undone too
    (its undo waits for it). A cancellation someone else set is never undone."""
    done = (
        DunningAction.objects.filter(
            Q(status=ActionStatus.DONE, subscription__cancel_at_period_end=True)
            | Q(status=ActionStatus.PENDING),  # pending now: held by a runner (not canceled)
            customer=customer,
            kind=ActionKind.CANCEL_AT_PERIOD_END,
        )
        .exclude(subscription__status__in=list(TERMINAL))
        .exclude(Exists(DunningAction.objects.filter(undoes=OuterRef("pk"))))
        .order_by("pk")
    )
    return DunningAction.objects.bulk_create(
        DunningAction(
            transition=transition,
            customer=customer,
            kind=ActionKind.UNDO_CANCEL_AT_PERIOD_END,
            subscription_id=action.subscription_id,
            undoes=action,
            due_at=as_of,
        )
        for action in done
    )


def evaluate_locked(
    customer: Customer, *, as_of: datetime, actor: Actor, cause: str
) -> DunningTransition | None:
    """Evaluate the customer (row-locked by the caller) at `as_of`, inside the caller's
    transaction: the transition when its state changed, else None (see the module's note)."""
    as_of = customer_clock_clamp(customer, as_of)  # a test customer: never past its clock
    record = record_of(customer, as_of)
    if record.evaluated_at is not None and as_of < record.evaluated_at:
        as_of = record.evaluated_at  # never back in time
    policy = policy_of(record)
    states = list(policy.states.order_by("position")) if policy is not None else []
    situation = situation_of(customer, as_of)
    target = target_state(states, situation)
    changed = _blocks(customer, target, as_of, actor)
    customer_plan_changes_refuse(
        customer=customer,
        refused=bool(target and target.refuse_plan_changes),
        reason=f"dunning: {target.name}" if target else "",
        as_of=as_of,
        actor=actor,
    )
    transition = None
    if (target.pk if target else None) != record.state_id:
        transition = _transition_write(
            customer, record, policy, target, situation, changed,
            cause=cause, as_of=as_of, actor=actor,
        )  # fmt: skip
        planned: list[DunningAction] = []
        if transition.direction == Direction.UP:
            assert target is not None
            planned = _actions_plan(transition, customer, target, situation, as_of)
        elif transition.direction != Direction.SAME:  # down, or cleared
            _actions_cancel(customer, as_of, f"left the state ({transition.direction})")
            planned = _undos_plan(transition, customer, as_of)
        now = [a.pk for a in planned if a.due_at <= as_of]
        if now:
            transaction.on_commit(partial(_enqueue_actions, now, as_of), robust=True)
    record.evaluated_at = as_of
    record.next_check_at = next_check_at(states, situation, customer.timezone)
    record.oldest_due_at = situation.oldest_due_at
    record.updated_at = as_of
    record.save()
    return transition


def dunning_evaluate(
    *, customer_id: int, as_of: datetime, actor: Actor, cause: str = "evaluation"
) -> DunningTransition | None:
    """Evaluate one customer now, in its own transaction (clock tasks, "re-evaluate now")."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=f"dunning: {cause}"):
        customer = locked_customer(customer_id, field="customer")
        return evaluate_locked(customer, as_of=as_of, actor=actor, cause=cause)


def dunning_evaluate_many(
    *, customer_ids: Sequence[int], as_of: datetime, actor: Actor, cause: str = "clock"
) -> dict[str, int]:
    """Evaluate customers one by one (each its own transaction); counts."""
    moved = 0
    for customer_id in customer_ids:
        if dunning_evaluate(customer_id=customer_id, as_of=as_of, actor=actor, cause=cause):
            moved += 1
    return {"evaluated": len(customer_ids), "transitions": moved}


# ---------------------------------------------------------------------------------------------
# the clock


def dunning_customers_due(*, as_of: datetime, test_clock: int | None = None) -> list[int]:
    """Customers whose situation may have changed by `as_of`: an overdue invoice whose due date
    was crossed since their last evaluation, or that the last evaluation did not see (older than
    the oldest it saw, or none seen: an invoice due at once, committed after an evaluation for a
    later instant), a failed automatic payment of an overdue invoice since then, a day threshold
    reached (`next_check_at`, also set to the instant of a policy edit), the customer changed
    since (a time zone), a pending block instant passed. Two queries. In one clock scope (live
    customers' by default, or a test clock's: billing.selectors.clock_scope)."""
    scope = clock_scope(test_clock)
    stale = Q(customer__dunning__isnull=True) | Q(customer__dunning__evaluated_at__isnull=True)
    unseen = Q(customer__dunning__oldest_due_at__isnull=True) | Q(
        customer__dunning__oldest_due_at__gt=F("due_at")
    )  # due before the last evaluation, yet not among what it saw (committed after it)
    crossed = Invoice.objects.filter(
        Q(customer__dunning__evaluated_at__lte=F("due_at")) | stale | unseen,
        scope,
        currency=F("customer__currency"),
        status__in=OVERDUE,
        amount_due__gt=0,
        due_at__lt=as_of,
    ).values_list("customer_id", flat=True)
    failed = (
        Payment.objects.filter(
            Q(customer__dunning__evaluated_at__lt=F("updated_at")) | stale,
            scope,
            kind=PaymentKind.AUTOMATIC,
            state=PaymentState.FAILED,
            invoice__status__in=OVERDUE,
            invoice__currency=F("customer__currency"),
            invoice__amount_due__gt=0,
            invoice__due_at__lt=as_of,
            updated_at__lte=as_of,
        )
        .exclude(failure_code=NOT_NEEDED)
        .values_list("customer_id", flat=True)
    )
    checks = CustomerDunning.objects.filter(scope, next_check_at__lte=as_of).values_list(
        "customer_id", flat=True
    )
    # changed since: its time zone may have (the handler takes it at once; this, if it was lost)
    changed = CustomerDunning.objects.filter(
        Q(state__isnull=False) | Q(oldest_due_at__isnull=False),
        scope,
        customer__updated_at__gt=F("evaluated_at"),
        customer__updated_at__lte=as_of,
    ).values_list("customer_id", flat=True)
    found = set(crossed.union(failed, checks, changed))
    found.update(dunning_blocks_due(as_of=as_of, test_clock=test_clock))
    return sorted(found)


def dunning_actions_due(*, as_of: datetime, test_clock: int | None = None) -> list[int]:
    """Pending entry actions whose instant came by `as_of`, in one clock scope."""
    return list(
        DunningAction.objects.filter(
            clock_scope(test_clock), status=ActionStatus.PENDING, due_at__lte=as_of
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _enqueue_evaluations(customer_ids: list[int], as_of: datetime) -> None:
    from payments.tasks.dunning import dunning_evaluate_customers_task

    dunning_evaluate_customers_task.delay(customer_ids, as_of.isoformat())


def _enqueue_actions(action_ids: list[int], as_of: datetime) -> None:
    from payments.tasks.dunning import dunning_actions_run_task

    dunning_actions_run_task.delay(action_ids, as_of.isoformat())


def dunning_tick(as_of: datetime, *, test_clock: int | None = None) -> dict[str, int]:
    """The clock's hook: the customers due (one task per chunk of BILLING_CHUNK_SIZE; each
    customer evaluated in its own transaction), and the entry actions whose instant came. In
    one clock scope (live customers' by default, or a test clock's)."""
    due = dunning_customers_due(as_of=as_of, test_clock=test_clock)
    size = settings.BILLING_CHUNK_SIZE
    for i in range(0, len(due), size):
        _enqueue_evaluations(due[i : i + size], as_of)
    actions = dunning_actions_due(as_of=as_of, test_clock=test_clock)
    for i in range(0, len(actions), size):
        _enqueue_actions(actions[i : i + size], as_of)
    return {"customers_due": len(due), "actions_due": len(actions)}


# ---------------------------------------------------------------------------------------------
# the journal handler: at once on payments, allocations, credit notes, voids, write-offs


def _customers_of(events: Sequence[JournalEvent]) -> dict[int, datetime]:
    """Each customer the events concern, with the latest instant among its events."""
    owners = event_customers(events)
    found: dict[int, datetime] = {}
    for e in events:
        customer_id = owners.get((e.subject_type, e.subject_id))
        if customer_id is not None:
            found[customer_id] = max(e.occurred_at, found.get(customer_id, e.occurred_at))
    return found


def on_money_events(events: Sequence[JournalEvent]) -> None:
    """A batch handler (in the dispatcher's transaction): the customers of the events, locked
    in id order in one query, are evaluated at the instant of their latest event. Of the
    `customer.updated` events, only a change of time zone counts (the days past due and the
    next check are local)."""
    events = [
        e for e in events
        if e.type != "customer.updated" or "timezone" in ((e.payload or {}).get("changes") or {})
    ]  # fmt: skip
    found = _customers_of(events)
    if not found:
        return
    # only those in a state or with something overdue can change (one query): most payments
    # are of customers dunning has nothing to say about
    # (due before the events, or before the customer's last evaluation: never back in time)
    latest = Value(max(found.values()))
    overdue = Invoice.objects.filter(
        customer_id=OuterRef("pk"), status__in=OVERDUE, amount_due__gt=0,
        due_at__lt=Greatest(latest, Coalesce(OuterRef("dunning__evaluated_at"), latest)),
    )  # fmt: skip
    customers = list(
        Customer.objects.select_for_update(of=("self",))
        .filter(Q(dunning__state__isnull=False) | Exists(overdue), pk__in=sorted(found))
        .order_by("pk")
    )
    cause = ", ".join(sorted({e.type for e in events}))[:120]
    with audit_context(actor=DUNNING, reason="dunning after a payment or a document"):
        for customer in customers:
            evaluate_locked(customer, as_of=found[customer.pk], actor=DUNNING, cause=cause)


def register() -> None:
    """Journal handlers and clock hooks of dunning."""
    from billing.journal import register_handler
    from invoicing.clock_hooks import register_tick_hook

    register_tick_hook(TICK_HOOK, dunning_tick)
    register_handler(HANDLER, on_money_events, types=set(EVENTS), batch=True)


def customer_dunning_status(
    customer: Customer, as_of: datetime, *, transitions: int = 50
) -> dict[str, Any]:
    """What the API and the customer page show: the policy that applies ({"id", "name"}, or
    None), the state now, the situation overdue at `as_of`, the latest transitions. Two
    queries, three when the customer has transitions."""
    default = DunningPolicy.objects.filter(is_default=True)
    row = (
        Customer.objects.filter(pk=customer.pk)
        .select_related("dunning__policy", "dunning__state")
        .annotate(
            default_id=Subquery(default.values("pk")[:1]),
            default_name=Subquery(default.values("name")[:1]),
        )
        .get()
    )
    record: CustomerDunning | None = getattr(row, "dunning", None)
    assigned = record is not None and record.policy is not None
    policy: dict[str, Any] | None = None
    if record is not None and record.policy is not None:
        policy = {"id": record.policy.pk, "name": record.policy.name}
    elif row.default_id is not None:
        policy = {"id": row.default_id, "name": row.default_name}
    latest = (
        list(
            DunningTransition.objects.filter(customer=customer).order_by("-sequence")[:transitions]
        )
        if record is not None and record.transitions_count
        else []
    )
    return {
        "customer_id": customer.pk,
        "record": record,
        "policy": policy,
        "assigned": assigned,
        "state": record.state if record is not None else None,
        "entered_at": record.entered_at if record is not None else None,
        "evaluated_at": record.evaluated_at if record is not None else None,
        "situation": situation_of(customer, as_of),
        "transitions": latest,
    }
