"""Test clocks: advance a clock's test customers through time with the live billing code.

`clock_advance` marks the clock `advancing` (billing.services.testclocks) and queues
`integrations.test_clock_advance`, which runs `clock_advance_run`: the clock moves to each
instant of `advance_instants` in turn (its time, then a day later, and so on, then the target)
and at each one does what the live billing clock and its workers do for live customers, for
this clock's customers only:

1. the tick's work (`invoicing.services.clock_tick_work` with `test_clock=`): subscriptions due
   are billed and their complete drafts finalized, drafts past their grace period finalized —
   here, in this process, through the same services the tick's Celery tasks call;
2. as the tick does next, every clock hook that takes `test_clock` (payment reconciler,
   retries, refunds, wallets, dunning, renewal notices, the e-mail sweep; see
   `invoicing.clock_hooks`);
3. what that work sets off, until nothing is left (`_settle`): the journal dispatched to its
   handlers (collection creates payments, notifications records e-mails, dunning evaluates),
   the payments charged, the dunning evaluations and entry actions due, the e-mails sent — all at
   the step's instant, so a failed payment's retry, dunning and e-mails happen at the right
   test time.

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
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from billing.models import TestClock, TestClockStatus
from billing.selectors import clock_scope
from billing.services import journal_dispatch
from billing.services.testclocks import (
    clock_advance_fail,
    clock_advance_finish,
    clock_advance_start,
    clock_step,
)
from core.audit import CLOCK, Actor
from invoicing.clock_hooks import run_tick_hooks
from invoicing.services import clock_tick_work, invoices_finalize_ready, subscriptions_bill_chunk
from notifications.services import notifications_send_due
from payments.models import Payment, PaymentState
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
TEST_CLOCKS = Actor.system("test_clock")


def advance_instants(
    start: datetime, target: datetime, *, step: timedelta = STEP
) -> list[datetime]:
    """The instants an advance from `start` to `target` stops at: `start` itself (what was due
    at the clock's time and not done yet: a subscription just created), then every `step`
    (a day) after it, then `target`."""
    instants = [start]
    while instants[-1] + step < target:
        instants.append(instants[-1] + step)
    if target > start:
        instants.append(target)
    return instants


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


def clock_advance_run(
    *, test_clock_id: int, now: Callable[[], datetime], seconds: float | None = None
) -> str:
    """Advance the clock (see the module's note) for at most `seconds` (default
    TEST_CLOCK_TASK_SECONDS; None in the settings: no limit): "ready" when it reached its
    target, "continue" when the time ran out first (the caller queues the rest), "failed"
    (the clock records the error), or "not_advancing" (nothing to do: a repeated task)."""
    clock = TestClock.objects.get(pk=test_clock_id)
    if clock.status != TestClockStatus.ADVANCING or clock.advancing_to is None:
        return "not_advancing"
    limit = TEST_CLOCK_TASK_SECONDS if seconds is None else seconds
    started = time.monotonic()
    try:
        for instant in advance_instants(clock.frozen_time, clock.advancing_to):
            if time.monotonic() - started > limit:
                return "continue"  # this instant is done again by the continuation
            clock_step(test_clock_id=test_clock_id, instant=instant, as_of=now())
            clock_work(test_clock_id=test_clock_id, as_of=instant, now=now)
        clock_advance_finish(test_clock_id=test_clock_id, actor=TEST_CLOCKS, as_of=now())
        return "ready"
    except SoftTimeLimitExceeded:
        raise  # the task's time is up: its continuation redoes the instant the clock is at
    except Exception as exc:  # recorded on the clock (failed), journaled, logged
        logger.exception("test clock %s: the advance failed", test_clock_id)
        error = f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}"
        clock_advance_fail(test_clock_id=test_clock_id, error=error, actor=TEST_CLOCKS,
                                as_of=now())  # fmt: skip
        return "failed"


def clock_work(*, test_clock_id: int, as_of: datetime, now: Callable[[], datetime]) -> None:
    """One instant of an advance: the billing clock's tick for the clock's customers, the
    clock hooks for them, then what that work sets off (see the module's note)."""

    def bill(ids: list[int], at: datetime, lease: str) -> None:
        subscriptions_bill_chunk(subscription_ids=ids, as_of=at, actor=CLOCK)

    def finalize(ids: list[int], at: datetime, lease: str) -> None:
        invoices_finalize_ready(invoice_ids=ids, as_of=at, actor=CLOCK)

    clock_tick_work(
        as_of=as_of,
        enqueue=bill,
        enqueue_finalize=finalize,
        leases=False,
        test_clock=test_clock_id,
    )
    run_tick_hooks(as_of, test_clock=test_clock_id)
    _settle(test_clock_id, as_of, now)


def _settle(test_clock_id: int, as_of: datetime, now: Callable[[], datetime]) -> None:
    """What the workers would do after a tick, here and at `as_of`, until a round finds nothing
    left: the journal to its handlers, the payments to charge, the dunning evaluations and
    actions due, the e-mails due (all of this clock's customers only, but the journal:
    its dispatch delivers every pending event, each handler acting at its event's time)."""
    scope = clock_scope(test_clock_id)
    for _ in range(SETTLE_ROUNDS):
        done = journal_dispatch(as_of=now())["delivered"]
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
    """Queue again the advances that stalled: `advancing`, and not moved for STALLED_AFTER
    (their task was lost: the broker was down after the commit, the worker died). The advance
    goes on from the clock's time (that instant redone: the work is idempotent). Returns them."""
    stalled = list(
        TestClock.objects.filter(
            status=TestClockStatus.ADVANCING, updated_at__lt=now - STALLED_AFTER
        ).values_list("pk", flat=True)
    )
    for test_clock_id in stalled:
        _enqueue(test_clock_id)
    return stalled


def register() -> None:
    """Journal handlers / clock hooks of test clocks: none (an advance drives the clock)."""
