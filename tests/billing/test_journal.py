from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.journal import handler_registered
from billing.models import JournalDelivery, JournalEvent
from billing.services import journal_dispatch
from tests.billing.factories import CustomerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_journal_handlers")]


def test_every_event_reaches_every_handler_once_in_order() -> None:
    seen: dict[str, list[int]] = {"a": [], "b": []}
    a, b = CustomerFactory(), CustomerFactory()
    with (
        handler_registered("a", lambda e: seen["a"].append(e.pk)),
        handler_registered("b", lambda e: seen["b"].append(e.pk), types={"customer.created"}),
    ):
        report = journal_dispatch(as_of=timezone.now())
        again = journal_dispatch(as_of=timezone.now())
    ids = list(JournalEvent.objects.order_by("id").values_list("id", flat=True))
    assert seen["a"] == ids == seen["b"]
    assert report == {"delivered": 4, "failed": 0, "waiting": 0}
    assert again == {"delivered": 0, "failed": 0, "waiting": 0}
    assert JournalDelivery.objects.filter(status="delivered").count() == 4
    assert {a.pk, b.pk} == {
        int(s) for s in JournalEvent.objects.values_list("subject_id", flat=True)
    }


def test_a_failing_handler_loses_nothing_and_keeps_order_per_subject() -> None:
    customer = CustomerFactory(name="v1")
    other = CustomerFactory(name="other")
    from billing.services import customer_update
    from tests.conftest import TEST_ACTOR

    customer_update(
        customer_id=customer.pk, actor=TEST_ACTOR, as_of=timezone.now(), changes={"name": "v2"}
    )
    first = JournalEvent.objects.filter(subject_id=str(customer.pk)).order_by("id").first()
    assert first is not None
    received: list[int] = []
    failing = {first.pk}

    def handler(event: JournalEvent) -> None:
        if event.pk in failing:
            raise ConnectionError("downstream is down")
        received.append(event.pk)

    now = timezone.now()
    with handler_registered("flaky", handler):
        report = journal_dispatch(as_of=now)
        # the failed event and the later event of the same subject wait; the other subject flows
        assert report == {"delivered": 1, "failed": 1, "waiting": 1}
        assert received == [JournalEvent.objects.get(subject_id=str(other.pk)).pk]
        delivery = JournalDelivery.objects.get(event=first, handler="flaky")
        assert delivery.status == "failed"
        assert delivery.attempts == 1
        assert "downstream is down" in delivery.last_error
        assert delivery.next_attempt_at == now + timedelta(seconds=10)

        # before its backoff ends nothing is retried
        assert journal_dispatch(as_of=now + timedelta(seconds=5))["delivered"] == 0
        # the downstream recovers: the failed event then the waiting one, in order
        failing.clear()
        report = journal_dispatch(as_of=now + timedelta(seconds=11))
    assert report["delivered"] == 2
    customer_events = list(
        JournalEvent.objects.filter(subject_id=str(customer.pk))
        .order_by("id")
        .values_list("id", flat=True)
    )
    assert received[1:] == customer_events
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


def test_handler_writes_roll_back_with_a_failed_delivery() -> None:
    CustomerFactory(name="keep")

    def handler(event: JournalEvent) -> None:
        JournalEvent.objects.filter(pk=event.pk).update(type="tampered")
        raise ValueError("fail after writing")

    with handler_registered("writer", handler):
        journal_dispatch(as_of=timezone.now())
    assert not JournalEvent.objects.filter(type="tampered").exists()


def test_duplicate_handler_names_are_refused() -> None:
    from billing.journal import register_handler

    with handler_registered("same", lambda e: None), pytest.raises(ValueError, match="same"):
        register_handler("same", lambda e: None)


@pytest.mark.parametrize("batch", [False, True])
def test_a_soft_time_limit_stops_the_dispatch_instead_of_being_recorded_as_a_failure(
    batch: bool,
) -> None:
    """Celery's soft time limit is an Exception: a handler's failure is recorded and retried, but
    the time limit must stop the task (nothing delivered, nothing recorded as failed)."""
    from celery.exceptions import SoftTimeLimitExceeded

    CustomerFactory()

    def out_of_time(_: object) -> None:
        raise SoftTimeLimitExceeded()

    with (
        handler_registered("slow", out_of_time, types={"customer.created"}, batch=batch),
        pytest.raises(SoftTimeLimitExceeded),
    ):
        journal_dispatch(as_of=timezone.now())
    assert not JournalDelivery.objects.filter(handler="slow").exists()


def test_many_events_store_what_one_event_stores() -> None:
    """journal_write_many writes plain rows by COPY (JSON serialized by orjson): the stored
    events are the ones journal_write stores, field for field, JSON value for JSON value."""
    from django.db import connection, transaction

    from billing.journal import payload_marked
    from billing.services import journal_write, journal_write_many
    from core.audit import Actor

    at = timezone.now()
    payload = {"é": "Zürich ✓", "n": [1, 2.5, None, True], "d": {"k": "", "big": 2**63}}
    actor = Actor(kind="user", id="7", label="anne")
    with transaction.atomic(), payload_marked(replay=True):
        journal_write(type="t.one", subject_type="s", subject_id=5, payload=payload, actor=actor,
                      occurred_at=at)  # fmt: skip
        event = {"type": "t.one", "subject_type": "s", "subject_id": 5, "payload": payload}
        journal_write_many([{**event, "occurred_at": at}], actor=actor)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, subject_type, subject_id, payload::text, actor::text, occurred_at "
            "FROM billing_journalevent WHERE type = 't.one' ORDER BY id"
        )
        one, many = cursor.fetchall()
    assert one == many
    assert many[:3] == ("t.one", "s", "5")
    assert many[5] == at
    assert JournalEvent.objects.filter(type="t.one").last().payload == {  # type: ignore[union-attr]
        **payload,
        "replay": True,
    }
