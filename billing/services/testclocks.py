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
from billing.services.journal import journal_write
from core.audit import Actor, audit_context
from core.exceptions import Conflict, NotFound, ValidationFailed

# a clock with no subscription (or only ended ones) may move this far in one advance
NO_SUBSCRIPTION_LIMIT = periods.Interval("year", 1)
# how long an interval roughly is, to find the shortest of a clock's subscriptions
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


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
    if frozen_time.tzinfo is None:
        raise ValidationFailed("Give the time with its UTC offset.", field="frozen_time")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="test clock"):
        clock = TestClock.objects.create(
            name=name[:100],
            frozen_time=frozen_time.astimezone(UTC),
            status=TestClockStatus.READY,
            created_at=as_of,
            updated_at=as_of,
        )
        _journal(clock, "test_clock.created", actor, as_of)
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
    day = periods.boundary_date(start.date(), shortest, steps)
    return datetime.combine(day, start.timetz()), label


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
    if frozen_time.tzinfo is None:
        raise ValidationFailed("Give the time with its UTC offset.", field="frozen_time")
    target = frozen_time.astimezone(UTC)
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
        clock.updated_at = as_of
        clock.save(update_fields=["status", "advancing_to", "last_error", "updated_at"])
        _journal(clock, "test_clock.advancing", actor, clock.frozen_time)
        if after_commit is not None:
            # robust: a broker down now leaves it advancing; the resume sweep queues it later
            transaction.on_commit(lambda: after_commit(clock.pk), robust=True)
    return clock


def clock_step(*, test_clock_id: int, instant: datetime, as_of: datetime) -> TestClock:
    """While advancing: the clock has reached `instant` (what its customers do in tasks of this
    step happens at it). Not journaled (one event when the advance is done)."""
    with transaction.atomic(durable=True):
        clock = locked_test_clock(test_clock_id)
        if clock.status != TestClockStatus.ADVANCING or clock.advancing_to is None:
            raise Conflict("The test clock is not advancing.", code="test_clock_not_advancing")
        if not clock.frozen_time <= instant <= clock.advancing_to:
            raise ValidationFailed("A step must lie between the clock's time and its target.")
        clock.frozen_time = instant
        clock.updated_at = as_of
        clock.save(update_fields=["frozen_time", "updated_at"])
    return clock


def clock_advance_finish(*, test_clock_id: int, actor: Actor, as_of: datetime) -> TestClock:
    """The advance is done: the clock is at its target, `ready` (`test_clock.ready`)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="test clock ready"):
        clock = locked_test_clock(test_clock_id)
        if clock.status != TestClockStatus.ADVANCING or clock.advancing_to is None:
            raise Conflict("The test clock is not advancing.", code="test_clock_not_advancing")
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
    """The advance stopped on an error: the clock stays at the last step it completed,
    `failed` with the error (`test_clock.failed`); it may be advanced again from there."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="test clock failed"):
        clock = locked_test_clock(test_clock_id)
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
        for customer in customers:
            customer.archived_at = at
            customer.updated_at = at
            customer.save(update_fields=["archived_at", "updated_at"])
            journal_write(
                type="customer.archived",
                subject_type="customer",
                subject_id=customer.pk,
                payload={"customer": customer_snapshot(customer), "reason": "test clock deleted"},
                actor=actor,
                occurred_at=at,
            )
        clock.deleted_at = as_of
        clock.updated_at = as_of
        clock.save(update_fields=["deleted_at", "updated_at"])
        _journal(clock, "test_clock.deleted", actor, at, customers_archived=len(customers))
    return clock


__all__ = [
    "advance_limit",
    "clock_advance_fail",
    "clock_advance_finish",
    "clock_advance_start",
    "clock_create",
    "clock_delete",
    "clock_payload",
    "clock_step",
    "locked_test_clock",
]
