"""The journal: domain events written in the transaction of their change, and their dispatch."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from billing import journal
from billing.models import JournalDelivery, JournalEvent
from core.audit import Actor
from core.db import advisory_lock, copy_rows, json_text

logger = logging.getLogger(__name__)


def journal_write(
    *,
    type: str,
    subject_type: str,
    subject_id: object,
    payload: Mapping[str, Any],
    actor: Actor,
    occurred_at: datetime,
) -> JournalEvent:
    """Append a domain event. Must run inside the transaction of the change it records."""
    if not connection.in_atomic_block:
        raise RuntimeError("journal_write must run inside the transaction of its change")
    event = JournalEvent.objects.create(
        type=type,
        subject_type=subject_type,
        subject_id=str(subject_id),
        payload={**payload, **(journal.payload_marks.get() or {})},
        actor=actor.as_dict(),
        occurred_at=occurred_at,
    )
    if not any(item[1] is _dispatch_soon for item in connection.run_on_commit):
        transaction.on_commit(_dispatch_soon, robust=True)
    return event


def journal_write_many(events: Sequence[Mapping[str, Any]], *, actor: Actor) -> None:
    """Append many domain events at once (a billing run's chunk): each mapping holds `type`,
    `subject_type`, `subject_id`, `payload` and `occurred_at`. Inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("journal_write_many must run inside the transaction of its change")
    if not events:
        return
    # plain rows to COPY, JSON serialized in C: a JournalEvent instance per event (Model.__init__)
    # cost more than writing it; the payload and actor fields have no encoder, so `json_text`
    # stores the same JSON values Django's json.dumps would
    who = json_text(actor.as_dict())
    marks = journal.payload_marks.get() or {}
    copy_rows(
        JournalEvent,
        ("type", "subject_type", "subject_id", "payload", "actor", "occurred_at"),
        [
            (
                e["type"],
                e["subject_type"],
                str(e["subject_id"]),
                json_text({**e["payload"], **marks}),
                who,
                e["occurred_at"],
            )
            for e in events
        ],
    )
    if not any(item[1] is _dispatch_soon for item in connection.run_on_commit):
        transaction.on_commit(_dispatch_soon, robust=True)


DISPATCH_DEBOUNCE_MS = 250


@cache
def _redis() -> Any:
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)


def _dispatch_soon() -> None:
    """After commit: ask a worker to dispatch, at most once per DISPATCH_DEBOUNCE_MS (a busy
    billing run commits thousands of events a second; one dispatch picks them all up). If the
    broker is down, beat's sweep catches up."""
    from billing.tasks import journal_dispatch_task

    if _redis().set("billing:journal-dispatch-scheduled", 1, nx=True, px=DISPATCH_DEBOUNCE_MS):
        journal_dispatch_task.apply_async(countdown=DISPATCH_DEBOUNCE_MS / 1000)


def journal_dispatch(*, as_of: datetime, batch_size: int = 500) -> dict[str, int]:
    """Hand undelivered journal events to every registered handler; see billing.journal."""
    report = {"delivered": 0, "failed": 0, "waiting": 0}
    token = journal.dispatch_as_of.set(as_of)  # handlers read the dispatcher's time from it
    unmarked = journal.payload_marks.set(None)  # what handlers write is their own, not a replay's
    try:
        for handler in journal.handlers():
            with advisory_lock(f"journal-dispatch:{handler.name}", wait=False) as acquired:
                if acquired:  # else another dispatcher is on this handler right now
                    _dispatch_to(handler, as_of=as_of, batch_size=batch_size, report=report)
    finally:
        journal.payload_marks.reset(unmarked)
        journal.dispatch_as_of.reset(token)
    return report


def _dispatch_to(
    handler: journal.Handler, *, as_of: datetime, batch_size: int, report: dict[str, int]
) -> None:
    # "not delivered to this handler" as a scalar subquery probed per event through the unique
    # (event, handler) index: a NOT EXISTS anti-join let the planner, with statistics lagging a
    # fast-growing journal, scan every delivery of the handler for every event (quadratic: 0.3 s
    # for 2,000 events, seconds for 10,000, on every dispatch).
    delivery = JournalDelivery.objects.filter(event=OuterRef("pk"), handler=handler.name)
    status = Coalesce(Subquery(delivery.values("status")[:1]), Value(""))
    pending = (
        JournalEvent.objects.annotate(_delivery=status)
        .exclude(_delivery=JournalDelivery.Status.DELIVERED)
        .order_by("id")
    )
    if handler.types is not None:
        pending = pending.filter(type__in=handler.types)
    blocked: set[str] = set()  # subjects with an undelivered earlier event: keep their order
    cursor = 0
    while True:
        batch: list[JournalEvent] = list(pending.filter(id__gt=cursor)[:batch_size])
        if not batch:
            return
        cursor = batch[-1].pk
        failures = {
            d.event_id: d
            for d in JournalDelivery.objects.filter(
                handler=handler.name, event__in=[e.pk for e in batch]
            )
        }
        due: list[tuple[JournalEvent, int]] = []  # (event, attempts) in journal order
        for event in batch:
            previous = failures.get(event.pk)
            ready = previous is None or previous.next_attempt_at is None
            if not ready and previous is not None and previous.next_attempt_at is not None:
                ready = previous.next_attempt_at <= as_of
            if event.subject in blocked or not ready:
                blocked.add(event.subject)
                report["waiting"] += 1
                continue
            due.append((event, (previous.attempts if previous else 0) + 1))
        if handler.batch and due and _deliver_batch(handler, due, as_of=as_of):
            report["delivered"] += len(due)
        else:  # one by one: a single-event handler, or a batch that failed (pin the failure)
            failed_now: set[str] = set()
            for event, attempts in due:
                if event.subject in failed_now:  # an earlier event of its subject just failed
                    report["waiting"] += 1
                    continue
                if _deliver(handler, event, attempts=attempts, as_of=as_of):
                    report["delivered"] += 1
                else:
                    failed_now.add(event.subject)
                    report["failed"] += 1
            blocked |= failed_now
        if len(batch) < batch_size:
            return


def _deliver_batch(
    handler: journal.Handler, due: Sequence[tuple[JournalEvent, int]], *, as_of: datetime
) -> bool:
    """A batch handler's events in one transaction with all their delivery records (one
    upsert). False (rolled back, logged) when the handler raised: the caller then delivers
    them one by one."""
    events = [event for event, _ in due]
    try:
        with transaction.atomic():
            handler.func(events)  # type: ignore[arg-type]
            _delivered_many([event.pk for event, _ in due], [a for _, a in due], handler, as_of)
        return True
    except SoftTimeLimitExceeded:
        raise  # the task's time is up: stop, the next dispatch delivers them
    except Exception:  # the events are delivered one by one next, which records the failure
        logger.exception(
            "journal batch handler %s failed on %d events: delivering them one by one",
            handler.name,
            len(events),
        )
        return False


def _delivered_many(
    event_ids: list[int], attempts: list[int], handler: journal.Handler, as_of: datetime
) -> None:
    """The delivery records of a batch: one INSERT ... ON CONFLICT DO UPDATE with the ids and
    attempts as two arrays (Django's bulk upsert builds and binds eight parameters per row)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO billing_journaldelivery (event_id, handler, status, attempts, last_error,
                                                 next_attempt_at, delivered_at, updated_at)
            SELECT e, %s, %s, a, '', NULL, %s, %s
            FROM unnest(%s::bigint[], %s::integer[]) AS t(e, a)
            ON CONFLICT (event_id, handler) DO UPDATE SET
                status = EXCLUDED.status, attempts = EXCLUDED.attempts, last_error = '',
                next_attempt_at = NULL, delivered_at = EXCLUDED.delivered_at,
                updated_at = EXCLUDED.updated_at
            """,
            [handler.name, JournalDelivery.Status.DELIVERED, as_of, as_of, event_ids, attempts],
        )


def _deliver(
    handler: journal.Handler, event: JournalEvent, *, attempts: int, as_of: datetime
) -> bool:
    try:
        with transaction.atomic():
            if handler.batch:
                handler.func([event])  # type: ignore[arg-type]
            else:
                handler.func(event)  # type: ignore[arg-type]
            JournalDelivery.objects.update_or_create(
                event=event,
                handler=handler.name,
                defaults={
                    "status": JournalDelivery.Status.DELIVERED,
                    "attempts": attempts,
                    "last_error": "",
                    "next_attempt_at": None,
                    "delivered_at": as_of,
                    "updated_at": as_of,
                },
            )
        return True
    except SoftTimeLimitExceeded:
        raise  # the task's time is up, not the handler's fault: nothing recorded, next dispatch
    except Exception:  # recorded below and retried with backoff: a handler never loses an event
        logger.exception("journal handler %s failed on %s", handler.name, event)
        with transaction.atomic():
            JournalDelivery.objects.update_or_create(
                event=event,
                handler=handler.name,
                defaults={
                    "status": JournalDelivery.Status.FAILED,
                    "attempts": attempts,
                    "last_error": traceback.format_exc(limit=20)[-8000:],
                    "next_attempt_at": as_of + timedelta(seconds=journal.backoff_seconds(attempts)),
                    "updated_at": as_of,
                },
            )
        return False
