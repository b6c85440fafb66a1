"""Test clocks: a frozen time for test customers (Stripe's test clocks are the model).

A test customer is attached to its clock when it is created and never moves. Its actions (a
subscription created, usage received, an invoice finalized by hand, a payment) happen at the
clock's frozen time, not the wall clock's (`billing.selectors.customer_as_of`); the live billing
clock never bills it, and an advance of its clock (integrations/testclocks.py) runs the billing
clock for that clock's customers only, step by step up to the new time.

These services are the clock's own states: created, advancing (to a time), moved step by step
while advancing, ready, failed, deleted. Each is one transaction with its journal event (but
the steps: a row update with its audit history), so webhooks tell integrators what happens.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from django.db import transaction

from billing import periods
from billing.enums import TERMINAL
from billing.models import Customer, Subscription, TestClock, TestClockStatus
from billing.services.customers import customer_snapshot
from billing.services.journal import journal_write, journal_write_many
from core.audit import Actor, audit_context
from core.exceptions import Conflict, NotFound, ValidationFailed

# a clock with no subscription (or only ended ones) may move this far in one advance
NO_SUBSCRIPTION_LIMIT = periods.Interval("year", 1)
# how long an interval roughly is, to find the shortest of a clock's subscriptions
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
# a clock's time stays in this range (created or advanced): the billing code counts periods,
# partitions and limits from it, and Python's datetimes end at year 9999
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)

# the states a clock may move to from each (a step stays `advancing`)
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    TestClockStatus.READY: frozenset({TestClockStatus.ADVANCING}),
    TestClockStatus.FAILED: frozenset({TestClockStatus.ADVANCING}),
    TestClockStatus.ADVANCING: frozenset(
        {TestClockStatus.ADVANCING, TestClockStatus.READY, TestClockStatus.FAILED}
    ),
}


def _transition(clock: TestClock, to: str) -> None:
    if to not in ALLOWED_TRANSITIONS[clock.status]:
        code = (
            "test_clock_advancing"
            if clock.status == TestClockStatus.ADVANCING
            else "test_clock_not_advancing"
        )
        raise Conflict(f"A test clock that is {clock.status} cannot become {to}.", code=code)


def _in_range(frozen_time: datetime) -> datetime:
    if frozen_time.tzinfo is None:
        raise ValidationFailed("Give the time with its UTC offset.", field="frozen_time")
    at = frozen_time.astimezone(UTC)
    if not EARLIEST <= at <= LATEST:
        raise ValidationFailed(
            f"A test clock's time lies between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}.",
            field="frozen_time",
            code="out_of_range",
        )
    return at


def clock_payload(clock: TestClock) -> dict[str, object]:
    return {
        "test_clock": {
            "id": clock.pk,
            "name": clock.name,
            "frozen_time": clock.frozen_time.isoformat(),
            "status": clock.status,
            "advancing_to": clock.advancing_to.isoformat() if clock.advancing_to else None,
            "deleted_at": clock.deleted_at.isoformat() if clock.deleted_at else None,
        }
    }


def _journal(clock: TestClock, type: str, actor: Actor, as_of: datetime, **extra: object) -> None:
    journal_write(
        type=type,
        subject_type="test_clock",
        subject_id=clock.pk,
        payload={**clock_payload(clock), **extra},
        actor=actor,
        occurred_at=as_of,
    )


def locked_test_clock(test_clock_id: int, *, field: str | None = None) -> TestClock:
    try:
        return TestClock.objects.select_for_update().get(pk=test_clock_id)
    except TestClock.DoesNotExist:
        raise NotFound(f"No test clock with id {test_clock_id}.", field=field) from None


def clock_create(*, name: str, frozen_time: datetime, actor: Actor, as_of: datetime) -> TestClock:
    """A new test clock at `frozen_time` (any instant, past or future), `ready`."""
    name = name.strip()
    if not name:
        raise ValidationFailed("A test clock needs a name.", field="name", code="required")
    at = _in_range(frozen_time)
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="test clock"):
        clock = TestClock.objects.create(
            name=name[:100],
            frozen_time=at,
            status=TestClockStatus.READY,
            created_at=as_of,
            updated_at=as_of,
        )
        # its events happen at its time, as everything of its customers (created_at, updated_at
        # and deleted_at of the clock itself are the wall clock's: when it was done for real)
        _journal(clock, "test_clock.created", actor, at)
    return clock


def advance_limit(clock: TestClock) -> tuple[datetime, str]:
    """The furthest instant one advance may reach from the clock's time: two intervals of the
    shortest billing interval among its customers' subscriptions that have not ended (as
    Stripe), or one year without any. Returns it with a description of the interval."""
    units = (
        Subscription.objects.filter(customer__test_clock=clock)
        .exclude(status__in=TERMINAL)
        .values_list("plan__interval_unit", "plan__interval_count")
        .distinct()
    )
    intervals = [periods.Interval(unit, count) for unit, count in units]
    if intervals:
        shortest = min(intervals, key=lambda i: _UNIT_DAYS[i.unit] * i.count)
        steps, label = 2, f"two intervals of {shortest.count} {shortest.unit}(s)"
    else:
        shortest, steps, label = NO_SUBSCRIPTION_LIMIT, 1, "one year (no subscription)"
    start = clock.frozen_time.astimezone(UTC)
    try:
        day = periods.boundary_date(start.date(), shortest, steps)
        limit = datetime.combine(day, start.timetz())
    except (OverflowError, ValueError):  # past Python's last date: the range's end
        return max(LATEST, start), label
    return min(limit, max(LATEST, start)), label


def clock_advance_start(
    *,
    test_clock_id: int,
    frozen_time: datetime,
    actor: Actor,
    as_of: datetime,
    after_commit: Callable[[int], None] | None = None,
) -> TestClock:
    """Mark the clock `advancing` to `frozen_time` (after its time, within `advance_limit`);
    `after_commit(clock id)` runs once this commits (the caller queues the advance's task).
    Refused (409) while it is advancing or once deleted."""
    target = _in_range(frozen_time)
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="test clock advance"):
        clock = locked_test_clock(test_clock_id)
        if clock.is_deleted:
            raise Conflict("This test clock was deleted.", code="test_clock_deleted")
        if clock.status == TestClockStatus.ADVANCING:
            raise Conflict(
                f"The test clock is advancing to {clock.advancing_to:%Y-%m-%d %H:%M:%S} UTC: "
                "wait until it is ready.",
                code="test_clock_advancing",
            )
        _transition(clock, TestClockStatus.ADVANCING)
        if target <= clock.frozen_time:
            raise ValidationFailed(
                f"A test clock only moves forward: give a time after its time "
                f"({clock.frozen_time.isoformat()}).",
                field="frozen_time",
                code="not_after_current",
            )
        limit, label = advance_limit(clock)
        if target > limit:
            raise ValidationFailed(
                f"One advance may move the clock at most {label} ahead: to "
                f"{limit.isoformat()} at the latest.",
                field="frozen_time",
                code="beyond_limit",
            )
        clock.status = TestClockStatus.ADVANCING
        clock.advancing_to = target
        clock.last_error = ""
        clock.step_attempts = 0
        clock.updated_at = as_of
        clock.save(
            update_fields=["status", "advancing_to", "last_error", "step_attempts", "updated_at"]
        )
        _journal(clock, "test_clock.advancing", actor, clock.frozen_time)
        if after_commit is not None:
            # robust: a broker down now leaves it advancing; the resume sweep queues it later
            transaction.on_commit(lambda: after_commit(clock.pk), robust=True)
    return clock


def clock_step(
    *, test_clock_id: int, instant: datetime, actor: Actor, as_of: datetime, begin: bool = True
) -> TestClock:
    """While advancing: a run starts the work at `instant`, the clock's time or a later one up
    to its target (what its customers do in tasks of this step happens at it). At its time
    again (a continuation, a run after a lost one) `step_attempts` counts up; at a later time
    it starts again at 1 (`begin=False`: the clock only moves there, its work left to the
    next run: 0). Not journaled (one event when the advance is done); audited.
    409 `test_clock_not_advancing` when it is not advancing (another run ended it) or is past
    `instant` already (another run moved it)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="test clock step"):
        clock = locked_test_clock(test_clock_id)
        if clock.status != TestClockStatus.ADVANCING or clock.advancing_to is None:
            raise Conflict("The test clock is not advancing.", code="test_clock_not_advancing")
        _transition(clock, TestClockStatus.ADVANCING)
        if not clock.frozen_time <= instant <= clock.advancing_to:
            raise Conflict(
                "A step must lie between the clock's time and its target (another run moved it).",
                code="test_clock_not_advancing",
            )
        if not begin:
            clock.step_attempts = 0
        else:
            again = instant == clock.frozen_time
            clock.step_attempts = clock.step_attempts + 1 if again else 1
        clock.frozen_time = instant
        clock.updated_at = as_of
        clock.save(update_fields=["frozen_time", "step_attempts", "updated_at"])
    return clock


def clock_heartbeat(*, test_clock_id: int, as_of: datetime) -> None:
    """A run is still working at the clock's instant: `updated_at` moves (the resume sweep
    leaves it alone). One UPDATE of an advancing clock, not a state change."""
    TestClock.objects.filter(pk=test_clock_id, status=TestClockStatus.ADVANCING).update(
        updated_at=as_of
    )


def clock_advance_finish(*, test_clock_id: int, actor: Actor, as_of: datetime) -> TestClock:
    """The advance is done: the clock is at its target, `ready` (`test_clock.ready`)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="test clock ready"):
        clock = locked_test_clock(test_clock_id)
        if clock.status != TestClockStatus.ADVANCING or clock.advancing_to is None:
            raise Conflict("The test clock is not advancing.", code="test_clock_not_advancing")
        _transition(clock, TestClockStatus.READY)
        clock.frozen_time = clock.advancing_to
        clock.advancing_to = None
        clock.status = TestClockStatus.READY
        clock.updated_at = as_of
        clock.save(update_fields=["frozen_time", "advancing_to", "status", "updated_at"])
        _journal(clock, "test_clock.ready", actor, clock.frozen_time)
    return clock


def clock_advance_fail(
    *, test_clock_id: int, error: str, actor: Actor, as_of: datetime
) -> TestClock:
    """The advance stopped on an error: the clock stays at the last step it reached, `failed`
    with the error (`test_clock.failed`); it may be advanced again from there. Only an
    advancing clock fails (409 `test_clock_not_advancing` otherwise: another run ended it)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="test clock failed"):
        clock = locked_test_clock(test_clock_id)
        _transition(clock, TestClockStatus.FAILED)
        clock.status = TestClockStatus.FAILED
        clock.last_error = error[:4000]
        clock.advancing_to = None
        clock.updated_at = as_of
        clock.save(update_fields=["status", "last_error", "advancing_to", "updated_at"])
        _journal(clock, "test_clock.failed", actor, clock.frozen_time, error=error[:500])
    return clock


def clock_delete(*, test_clock_id: int, actor: Actor, as_of: datetime) -> TestClock:
    """Delete a clock: nothing is hard-deleted. The clock is marked deleted (never advanced
    again) and its customers archived (their documents and history stay; the live clock never
    bills them). Refused while advancing (409)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="test clock deleted"):
        clock = locked_test_clock(test_clock_id)
        if clock.is_deleted:
            raise Conflict("This test clock was deleted already.", code="test_clock_deleted")
        if clock.status == TestClockStatus.ADVANCING:
            raise Conflict("The test clock is advancing: wait until it is ready.",
                           code="test_clock_advancing")  # fmt: skip
        at = clock.frozen_time
        customers = list(
            Customer.objects.select_for_update()
            .filter(test_clock=clock, archived_at__isnull=True)
            .order_by("pk")
        )
        # one UPDATE and one COPY of their events, however many they are
        Customer.objects.filter(pk__in=[c.pk for c in customers]).update(
            archived_at=at, updated_at=at
        )
        for customer in customers:
            customer.archived_at = customer.updated_at = at
        journal_write_many(
            [
                {
                    "type": "customer.archived",
                    "subject_type": "customer",
                    "subject_id": customer.pk,
                    "payload": {
                        "customer": customer_snapshot(customer),
                        "reason": "test clock deleted",
                    },
                    "occurred_at": at,
                }
                for customer in customers
            ],
            actor=actor,
        )
        clock.deleted_at = as_of
        clock.updated_at = as_of
        clock.save(update_fields=["deleted_at", "updated_at"])
        _journal(clock, "test_clock.deleted", actor, at, customers_archived=len(customers))
    return clock


__all__ = [
    "ALLOWED_TRANSITIONS",
    "EARLIEST",
    "LATEST",
    "advance_limit",
    "clock_advance_fail",
    "clock_advance_finish",
    "clock_advance_start",
    "clock_create",
    "clock_delete",
    "clock_heartbeat",
    "clock_payload",
    "clock_step",
    "locked_test_clock",
]
