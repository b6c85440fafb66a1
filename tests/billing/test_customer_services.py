from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pghistory.models import Events

from billing.models import Customer, JournalEvent
from billing.services import customer_archive, customer_create, customer_update, journal_write
from core.audit import Actor
from core.exceptions import ValidationFailed
from invoicing.services.writer import _usage_billed_until
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db


def test_create_writes_customer_journal_and_history_together() -> None:
    customer = customer_create(
        actor=Actor(kind="user", id="7", label="alice"),
        as_of=timezone.now(),
        data={"external_id": "x1", "name": "X", "currency": "jpy"},
        reason="onboarding call",
    )
    assert customer.currency == "JPY"
    assert JournalEvent.objects.filter(
        type="customer.created", subject_id=str(customer.pk)
    ).exists()
    (event,) = Events.objects.tracks(customer)
    assert event.pgh_label == "insert"
    assert event.pgh_context["actor"] == "alice"
    assert event.pgh_context["reason"] == "onboarding call"


def test_a_rolled_back_change_leaves_no_journal_event_and_no_history() -> None:
    class Boom(Exception):
        pass

    def change_then_fail() -> None:
        with transaction.atomic():
            customer = Customer.objects.create(
                external_id="rb",
                name="R",
                currency="USD",
                created_at=timezone.now(),
                updated_at=timezone.now(),
            )
            journal_write(
                type="customer.created",
                subject_type="customer",
                subject_id=customer.pk,
                payload={},
                actor=TEST_ACTOR,
                occurred_at=timezone.now(),
            )
            raise Boom

    with pytest.raises(Boom):
        change_then_fail()
    assert not Customer.objects.exists()
    assert not JournalEvent.objects.exists()
    assert Events.objects.tracks(Customer(pk=1)).count() == 0


def test_service_failure_rolls_back_everything() -> None:
    customer = CustomerFactory()
    with pytest.raises(ValidationError):
        customer_update(
            customer_id=customer.pk,
            actor=TEST_ACTOR,
            as_of=timezone.now(),
            changes={"name": "ok", "timezone": "Nowhere/Land"},
        )
    customer.refresh_from_db()
    assert customer.name != "ok"
    assert JournalEvent.objects.filter(type="customer.updated").count() == 0


def test_journal_write_outside_a_transaction_is_refused() -> None:
    # pytest-django wraps this test in a transaction, so leave it to prove the guard
    from django.db import connection

    in_block = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        with pytest.raises(RuntimeError):
            journal_write(
                type="x",
                subject_type="s",
                subject_id=1,
                payload={},
                actor=TEST_ACTOR,
                occurred_at=timezone.now(),
            )
    finally:
        connection.in_atomic_block = in_block


def test_no_op_update_writes_nothing() -> None:
    customer = CustomerFactory(name="Same")
    customer_update(
        customer_id=customer.pk, actor=TEST_ACTOR, as_of=timezone.now(), changes={"name": "Same"}
    )
    assert not JournalEvent.objects.filter(type="customer.updated").exists()


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationFailed) as info:
        customer_create(
            actor=TEST_ACTOR,
            as_of=timezone.now(),
            data={"external_id": "u", "name": "U", "currency": "USD", "colour": "red"},
        )
    assert info.value.field == "colour"


def test_archive_keeps_history_with_reason() -> None:
    customer = CustomerFactory()
    customer_archive(
        customer_id=customer.pk, actor=TEST_ACTOR, as_of=timezone.now(), reason="fraud"
    )
    labels = [
        (e.pgh_label, (e.pgh_context or {}).get("reason"))
        for e in Events.objects.tracks(customer).order_by("pgh_created_at", "pgh_id")
    ]
    assert labels[-1] == ("update", "fraud")


def test_the_billing_watermark_moving_writes_no_history_row_and_a_real_change_still_does() -> None:
    customer = customer_create(
        actor=TEST_ACTOR,
        as_of=timezone.now(),
        data={"external_id": "w1", "name": "W", "currency": "USD"},
    )
    until = datetime(2026, 3, 1, tzinfo=UTC)
    _usage_billed_until({customer.pk: until})  # the billing writer's own statement
    customer.refresh_from_db()
    assert customer.usage_billed_until == until
    assert [e.pgh_label for e in Events.objects.tracks(customer)] == ["insert"]
    customer_update(
        customer_id=customer.pk, actor=TEST_ACTOR, as_of=timezone.now(), changes={"name": "Renamed"}
    )
    events = list(Events.objects.tracks(customer).order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update"]
    # the change is recorded with the watermark as it is then (the column stays in the history)
    diff = events[1].pgh_diff
    assert diff["name"] == ["W", "Renamed"]
    assert diff["usage_billed_until"] == [None, until.isoformat()]
    assert set(diff) <= {"name", "usage_billed_until", "updated_at"}
