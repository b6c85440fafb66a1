"""Test clocks: advance a clock's test customers through time with the live billing code.

`clock_advance` marks the clock `advancing` (billing.services.testclocks) and queues
`integrations.test_clock_advance`, which runs `clock_advance_run`: the clock moves to each
instant of `advance_instants` in turn (its time, then a day later, and so on, then the target)
and at each one does what the live billing clock and its workers do for live customers, for
this clock's customers only:

1. the tick's work (`invoicing.services.clock_tick_work` with `test_clock=`): subscriptions due
   are billed and their complete drafts finalized, drafts past their grace period finalized —
   here, in this process, through the same services the tick's Celery tasks call; invoices
   still without their PDF are queued for it, as the live tick does;
2. as the tick does next, every clock hook that takes `test_clock` (payment reconciler,
   retries, refunds, wallets, dunning, renewal notices, the e-mail sweep; see
   `invoicing.clock_hooks`);
3. what that work sets off, until nothing is left (`_settle`): the journal dispatched to its
   handlers (collection creates payments, notifications records e-mails, dunning evaluates)
   until no event of the clock's customers is left undelivered to any handler (waiting for a
   handler another dispatcher holds), the payments charged, the dunning evaluations and entry
   actions due, the e-mails sent — all at the step's instant, so a failed payment's retry,
   dunning and e-mails happen at the right test time.

The instants (`next_instant`): the clock's time, then a day later, and so on, and also every
instant something of its customers falls due before that (a period or trial end, a start, an
end date, a scheduled change, a draft's grace period, a retry, a dunning check or action, an
e-mail's next attempt), then the target: work is never done later than a live clock would.

One run at a time per clock (a session advisory lock: a second one answers "busy"); a run
that finds the clock ended or moved by another gives up quietly ("not_advancing"). The run
beats (`updated_at`) while it works; the resume sweep re-queues only an advance nobody holds.
A run out of its time inside an instant leaves it to its continuation; an instant that no run
gets past (TEST_CLOCK_STEP_ATTEMPTS runs started at it) fails the advance.

Then the clock is at the target, `ready`. The Celery tasks the same work also queues (charges,
sends, evaluations) find nothing left to do, or do it at the clock's time (the charge and send
tasks take a test customer's time from its clock, billing.selectors.customer_as_of). An error
leaves the clock `failed` at the last instant it reached, with the error. A long advance
continues in a new task after TEST_CLOCK_TASK_SECONDS (the state is the clock's time).
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import CharField, Exists, Min, Model, OuterRef, Q, QuerySet
from django.db.models.functions import Cast

from billing import journal
from billing.enums import TERMINAL, ChangeStatus
from billing.lifecycle import TRIAL_WILL_END_NOTICE
from billing.models import (
    Customer,
    JournalDelivery,
    JournalEvent,
    Subscription,
    SubscriptionChange,
    TestClock,
    TestClockStatus,
)
from billing.selectors import clock_scope
from billing.services import journal_dispatch
from billing.services.testclocks import (
    clock_advance_fail,
    clock_advance_finish,
    clock_advance_start,
    clock_heartbeat,
    clock_step,
)
from core.audit import CLOCK, Actor
from core.db import advisory_lock
from core.exceptions import Conflict
from invoicing.clock_hooks import run_tick_hooks
from invoicing.models import Invoice, InvoiceStatus
from invoicing.services import clock_tick_work, invoices_finalize_ready, subscriptions_bill_chunk
from notifications.models import Notification
from notifications.models import State as NotificationState
from notifications.services import notifications_send_due
from payments.models import Payment, PaymentState
from payments.models.cash import Refund
from payments.models.dunning import ActionStatus, CustomerDunning, DunningAction
from payments.models.methods import PaymentMethod
from payments.services.collection import COLLECTOR, payments_charge
from payments.services.dunning import (
    DUNNING,
    dunning_actions_due,
    dunning_customers_due,
    dunning_evaluate_many,
)
from payments.services.dunning_actions import dunning_actions_run

logger = logging.getLogger(__name__)

STEP = timedelta(days=1)
SETTLE_ROUNDS = 12  # rounds of follow-up work per step (each round's work may set off more)
# a task advances for at most this long, then queues its continuation (under the soft limit)
TEST_CLOCK_TASK_SECONDS = 240
IN_FLIGHT_WAIT_SECONDS = 30.0  # a charge sent by a worker: wait this long for its answer
# a journal handler another dispatcher holds: wait this long for it (then the run continues
# later: the instant is redone by its continuation)
HANDLER_WAIT_SECONDS = 60.0
HEARTBEAT_SECONDS = 30.0  # a run working at one instant moves the clock's updated_at this often
TEST_CLOCK_STEP_ATTEMPTS = 3  # runs started at one instant before the advance fails
TEST_CLOCKS = Actor.system("test_clock")


class OutOfTime(Exception):
    """The run's time is up inside an instant: its continuation redoes the instant."""


class StepNotCompleted(RuntimeError):
    """No run got past one instant: the advance fails there."""


def advance_instants(
    start: datetime, target: datetime, *, step: timedelta = STEP
) -> list[datetime]:
    """The regular instants an advance from `start` to `target` stops at: `start` itself (what
    was due at the clock's time and not done yet: a subscription just created), then every
    `step` (a day) after it, then `target`. An advance also stops at the instants things fall
    due in between (`next_instant`)."""
    instants = [start]
    while instants[-1] + step < target:
        instants.append(instants[-1] + step)
    if target > start:
        instants.append(target)
    return instants


def next_instant(
    test_clock_id: int, after: datetime, target: datetime, *, step: timedelta = STEP
) -> datetime:
    """The instant after `after` an advance stops at next: a day later, the target, or the
    first instant something of the clock's customers falls due before those (one MIN query per
    kind of due time), so nothing is done later than a live clock would do it."""
    until = min(after + step, target)
    due = [d for d in _due_times(test_clock_id, after, until) if d is not None]
    return min([until, *due])


def _due_times(test_clock_id: int, after: datetime, until: datetime) -> list[datetime | None]:
    scope = clock_scope(test_clock_id)
    window = {"gt": after, "lt": until}

    def first(queryset: QuerySet[Any], field: str, **filters: object) -> datetime | None:
        lookups = {f"{field}__{op}": at for op, at in window.items()}
        found: datetime | None = queryset.filter(**lookups, **filters).aggregate(m=Min(field))["m"]
        return found

    subs = Subscription.objects.filter(scope).exclude(status__in=TERMINAL)
    notice = subs.filter(
        trial_will_end_sent=False,
        trial_end__gt=after + TRIAL_WILL_END_NOTICE,
        trial_end__lt=until + TRIAL_WILL_END_NOTICE,
    ).aggregate(m=Min("trial_end"))["m"]
    return [
        first(subs, "current_period_end"),
        first(subs, "start_at", status="pending"),
        first(subs, "trial_end"),
        notice - TRIAL_WILL_END_NOTICE if notice else None,
        first(subs, "ends_at"),
        first(
            SubscriptionChange.objects.filter(
                clock_scope(test_clock_id, customer="subscription__customer")
            ),
            "effective_at",
            status=ChangeStatus.SCHEDULED,
        ),
        first(Invoice.objects.filter(scope), "grace_until", status=InvoiceStatus.DRAFT),
        first(Payment.objects.filter(scope), "retry_at", state=PaymentState.FAILED),
        first(CustomerDunning.objects.filter(scope), "next_check_at"),
        first(DunningAction.objects.filter(scope), "due_at", status=ActionStatus.PENDING),
        first(
            Notification.objects.filter(scope),
            "next_attempt_at",
            state__in=[NotificationState.PENDING, NotificationState.SENDING],
        ),
    ]


def clock_advance(
    *, test_clock_id: int, frozen_time: datetime, actor: Actor, as_of: datetime
) -> TestClock:
    """Start an advance (see billing.services.testclocks.clock_advance_start: checks,
    `advancing`, `test_clock.advancing`) and queue its task after the commit."""
    return clock_advance_start(
        test_clock_id=test_clock_id,
        frozen_time=frozen_time,
        actor=actor,
        as_of=as_of,
        after_commit=_enqueue,
    )


def _enqueue(test_clock_id: int, queue: str | None = None) -> None:
    from integrations.testclock_tasks import clock_advance_task

    queue = queue or settings.TEST_CLOCK_QUEUE
    if queue:
        clock_advance_task.apply_async(args=(test_clock_id,), queue=queue)
    else:
        clock_advance_task.delay(test_clock_id)


def _advance_lock_name(test_clock_id: int) -> str:
    return f"test-clock-advance:{test_clock_id}"


def clock_advance_run(
    *, test_clock_id: int, now: Callable[[], datetime], seconds: float | None = None
) -> str:
    """Advance the clock (see the module's note) for at most `seconds` (default
    TEST_CLOCK_TASK_SECONDS; None in the settings: no limit): "ready" when it reached its
    target, "continue" when the time ran out first (the caller queues the rest), "failed"
    (the clock records the error), "busy" (another run holds the clock) or "not_advancing"
    (nothing to do: a repeated task, or another run ended the advance)."""
    with advisory_lock(_advance_lock_name(test_clock_id), wait=False, reentrant=False) as mine:
        if not mine:
            return "busy"
        return _run(test_clock_id, now, TEST_CLOCK_TASK_SECONDS if seconds is None else seconds)


def _run(test_clock_id: int, now: Callable[[], datetime], limit: float) -> str:
    clock = TestClock.objects.get(pk=test_clock_id)
    if clock.status != TestClockStatus.ADVANCING or clock.advancing_to is None:
        return "not_advancing"
    deadline = time.monotonic() + limit
    target, instant = clock.advancing_to, clock.frozen_time
    try:
        while True:
            try:
                step = clock_step(
                    test_clock_id=test_clock_id, instant=instant, actor=TEST_CLOCKS, as_of=now()
                )
            except Conflict:
                return "not_advancing"  # another run ended or moved it: it owns the advance
            if step.step_attempts > TEST_CLOCK_STEP_ATTEMPTS:
                raise StepNotCompleted(
                    f"{step.step_attempts - 1} runs started the work at {instant.isoformat()} "
                    "and none completed it (each ran out of time or was lost)."
                )
            clock_work(test_clock_id=test_clock_id, as_of=instant, now=now, deadline=deadline)
            if instant >= target:
                break
            instant = next_instant(test_clock_id, instant, target)
            if time.monotonic() > deadline:
                # the next instant is the continuation's first (its work not started here)
                clock_step(test_clock_id=test_clock_id, instant=instant, actor=TEST_CLOCKS,
                           as_of=now(), begin=False)  # fmt: skip
                return "continue"
        clock_advance_finish(test_clock_id=test_clock_id, actor=TEST_CLOCKS, as_of=now())
        return "ready"
    except OutOfTime:
        return "continue"  # the continuation redoes the instant the clock is at
    except SoftTimeLimitExceeded:
        raise  # the task's time is up: its continuation redoes the instant the clock is at
    except Exception as exc:  # recorded on the clock (failed), journaled, logged
        logger.exception("test clock %s: the advance failed", test_clock_id)
        error = f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}"
        try:
            clock_advance_fail(test_clock_id=test_clock_id, error=error, actor=TEST_CLOCKS,
                               as_of=now())  # fmt: skip
        except Conflict:
            return "not_advancing"  # another run ended it meanwhile
        return "failed"


def clock_work(
    *,
    test_clock_id: int,
    as_of: datetime,
    now: Callable[[], datetime],
    deadline: float | None = None,
) -> None:
    """One instant of an advance: the billing clock's tick for the clock's customers, the
    clock hooks for them, then what that work sets off (see the module's note). Past
    `deadline` (time.monotonic()) between two rounds of that: OutOfTime."""

    def bill(ids: list[int], at: datetime, lease: str) -> None:
        subscriptions_bill_chunk(subscription_ids=ids, as_of=at, actor=CLOCK)

    def finalize(ids: list[int], at: datetime, lease: str) -> None:
        invoices_finalize_ready(invoice_ids=ids, as_of=at, actor=CLOCK)

    def render_pdfs(invoice_ids: list[int]) -> None:
        """As the live tick: a worker renders them (on the test clocks' queue when set)."""
        from invoicing.tasks import invoice_render_pdfs_task

        queue = {"queue": settings.TEST_CLOCK_QUEUE} if settings.TEST_CLOCK_QUEUE else {}
        invoice_render_pdfs_task.apply_async(args=(invoice_ids,), **queue)

    clock_tick_work(
        as_of=as_of,
        enqueue=bill,
        enqueue_finalize=finalize,
        enqueue_pdfs=render_pdfs,
        leases=False,
        test_clock=test_clock_id,
    )
    run_tick_hooks(as_of, test_clock=test_clock_id)
    _settle(test_clock_id, as_of, now, deadline)


def _settle(
    test_clock_id: int, as_of: datetime, now: Callable[[], datetime], deadline: float | None
) -> None:
    """What the workers would do after a tick, here and at `as_of`, until a round finds nothing
    left: the journal's events of the clock's customers to their handlers, the payments to
    charge, the dunning evaluations and actions due, the e-mails due (all of this clock's
    customers only; only their work counts: live work never keeps a step going)."""
    scope = clock_scope(test_clock_id)
    beat = time.monotonic()
    for round_ in range(SETTLE_ROUNDS):
        if round_ and deadline is not None and time.monotonic() > deadline:
            raise OutOfTime
        if time.monotonic() - beat > HEARTBEAT_SECONDS:
            clock_heartbeat(test_clock_id=test_clock_id, as_of=now())
            beat = time.monotonic()
        done = _dispatch_scope(test_clock_id, now)
        _wait_for_charges_in_flight(test_clock_id)
        pending = list(
            Payment.objects.filter(
                scope, state=PaymentState.PENDING, charge_requested_at__isnull=True
            ).values_list("pk", flat=True)
        )
        if pending:
            payments_charge(payment_ids=sorted(pending), as_of=as_of, actor=COLLECTOR)
            done += len(pending)
        due = dunning_customers_due(as_of=as_of, test_clock=test_clock_id)
        if due:
            done += dunning_evaluate_many(customer_ids=due, as_of=as_of, actor=DUNNING)[
                "transitions"
            ]
        actions = dunning_actions_due(as_of=as_of, test_clock=test_clock_id)
        if actions:
            dunning_actions_run(action_ids=actions, as_of=as_of, actor=DUNNING)
            done += len(actions)
        sent = notifications_send_due(as_of=as_of, test_clock=test_clock_id)
        done += sum(sent.values()) - sent.get("not_due", 0)
        if not done:
            return
    logger.warning("test clock %s: work still set off at %s after %d rounds",
                   test_clock_id, as_of.isoformat(), SETTLE_ROUNDS)  # fmt: skip


# the journal's subjects that belong to a customer, and the lookup to its test clock
_SUBJECTS: dict[str, tuple[type[Model], str]] = {
    "subscription": (Subscription, "customer__test_clock"),
    "invoice": (Invoice, "customer__test_clock"),
    "payment": (Payment, "customer__test_clock"),
    "refund": (Refund, "payment__customer__test_clock"),
    "payment_method": (PaymentMethod, "customer__test_clock"),
    "notification": (Notification, "customer__test_clock"),
}


def scope_events(test_clock_id: int) -> QuerySet[JournalEvent]:
    """The journal's events of a test clock: of the clock itself, its customers and what they
    own (subscriptions, invoices, payments, refunds, payment methods, e-mails)."""

    def ids(model: type[Model], **filters: object) -> QuerySet[Any]:
        rows: QuerySet[Any] = model._default_manager.filter(**filters)
        found: QuerySet[Any] = rows.annotate(_id=Cast("pk", CharField())).values("_id")
        return found

    q = Q(subject_type="test_clock", subject_id=str(test_clock_id)) | Q(
        subject_type="customer", subject_id__in=ids(Customer, test_clock=test_clock_id)
    )
    for subject_type, (model, lookup) in _SUBJECTS.items():
        q |= Q(subject_type=subject_type, subject_id__in=ids(model, **{lookup: test_clock_id}))
    return JournalEvent.objects.filter(q)


def undelivered_in_scope(test_clock_id: int, *, now: datetime) -> set[tuple[str, int]]:
    """(handler, event id) of the clock's events a handler has not had yet and may have now
    (never tried, or its failure's next attempt is due: a failing event waiting for its
    backoff, or a later one of its subject, is the journal's to retry, not a step's)."""
    events = scope_events(test_clock_id)
    left: set[tuple[str, int]] = set()
    for handler in journal.handlers():
        wanted = events if handler.types is None else events.filter(type__in=handler.types)
        # probed per event of the clock through the unique (event, handler) index
        settled = JournalDelivery.objects.filter(event=OuterRef("pk"), handler=handler.name).filter(
            Q(status=JournalDelivery.Status.DELIVERED) | Q(next_attempt_at__gt=now)
        )
        pending = wanted.exclude(Exists(settled)).values_list("pk", flat=True)
        left |= {(handler.name, pk) for pk in pending}
    return left


def _dispatch_scope(test_clock_id: int, now: Callable[[], datetime]) -> int:
    """Dispatch the journal until every event of the clock's customers reached its handlers:
    a handler another dispatcher holds is waited for (HANDLER_WAIT_SECONDS, then OutOfTime:
    the instant is redone later). Returns how many of the clock's deliveries were made."""
    before = undelivered_in_scope(test_clock_id, now=now())
    if not before:
        return 0
    with ExitStack() as held:  # the handlers with work of ours, in one order (no deadlock)
        for name in sorted({handler for handler, _ in before}):
            if not held.enter_context(
                advisory_lock(f"journal-dispatch:{name}", timeout=HANDLER_WAIT_SECONDS)
            ):
                raise OutOfTime
        journal_dispatch(as_of=now())  # takes the locks held here again (reentrant)
    return len(before - undelivered_in_scope(test_clock_id, now=now()))


def _wait_for_charges_in_flight(test_clock_id: int) -> None:
    """A charge a worker sent (claimed, no answer yet) is waited for a while, so that its
    answer is recorded at this instant, as its task's; later, the reconciler resolves it."""
    deadline = time.monotonic() + IN_FLIGHT_WAIT_SECONDS
    in_flight = Payment.objects.filter(
        clock_scope(test_clock_id),
        state=PaymentState.PENDING,
        charge_requested_at__isnull=False,
        calls__isnull=True,  # sent, and no answer recorded (an unknown one is an answer)
    )
    while in_flight.exists() and time.monotonic() < deadline:
        time.sleep(0.2)


STALLED_AFTER = timedelta(seconds=2 * TEST_CLOCK_TASK_SECONDS)


def clocks_resume(*, now: datetime) -> list[int]:
    """Queue again the advances that stalled: `advancing`, not moved for STALLED_AFTER (a run
    beats every HEARTBEAT_SECONDS), and no run holding the clock (their task was lost: the
    broker was down after the commit, the worker died). The advance goes on from the clock's
    time (that instant redone: the work is idempotent). Returns them. A task queued twice
    meanwhile finds the clock busy or no longer advancing: it does nothing."""
    stalled = []
    for test_clock_id in TestClock.objects.filter(
        status=TestClockStatus.ADVANCING, updated_at__lt=now - STALLED_AFTER
    ).values_list("pk", flat=True):
        with advisory_lock(_advance_lock_name(test_clock_id), wait=False, reentrant=False) as free:
            if free:
                stalled.append(test_clock_id)
    for test_clock_id in stalled:
        _enqueue(test_clock_id)
    return stalled


def register() -> None:
    """Journal handlers / clock hooks of test clocks: none (an advance drives the clock)."""
