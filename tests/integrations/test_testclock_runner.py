"""The advance runner of test clocks under the review of issue 15 (review_clocks items 3, 4, 5,
7, 9, 10, 11, 13): one run per clock, the journal settled for the clock's events before the
next instant, stops at due instants, a step that no run completes, the clock's time range,
no usage partitions of a test era, the delete in bulk, the clock's events at its time."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Customer, JournalEvent, TestClock
from billing.services import customer_create, subscription_create
from billing.services import testclocks as clocks
from core.audit import history_rows
from core.db import lock_id
from core.exceptions import Conflict
from integrations import testclocks as runner
from integrations.testclocks import (
    clock_advance,
    clock_advance_run,
    undelivered_in_scope,
)
from invoicing.models import Invoice
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment
from payments.services import payment_method_add
from tests.billing.subs import priced_plan
from tests.conftest import TEST_ACTOR as ACTOR
from tests.conftest import database_url_of_test_db
from tests.payments.test_dunning_worker import _default_policy_again

D = Decimal
T0 = datetime(2026, 1, 1, tzinfo=UTC)
__all__ = ["_default_policy_again"]  # the fixture (the transactional test's flush empties it)


@pytest.fixture
def sandbox(settings: Any) -> Iterator[SandboxGateway]:
    namespace = f"clock-runner-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()


def a_clock(at: datetime = T0, name: str = "runner") -> TestClock:
    return clocks.clock_create(name=name, frozen_time=at, actor=ACTOR, as_of=timezone.now())


def a_customer(external_id: str, clock: TestClock, *, at: datetime = T0) -> Customer:
    data = {"external_id": external_id, "name": external_id, "currency": "USD", "timezone": "UTC",
            "email": f"{external_id}@example.com", "payment_terms_days": 0}  # fmt: skip
    return customer_create(actor=ACTOR, as_of=at, data=data, test_clock_id=clock.pk)


def with_card(who: Customer, token: str, *, at: datetime = T0) -> None:
    data = {"gateway": "sandbox", "token": f"{token}+{uuid.uuid4().hex[:6]}", "kind": "card",
            "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}  # fmt: skip
    payment_method_add(customer_id=who.pk, actor=ACTOR, as_of=at, data=data)


def subscribed(external_id: str, clock: TestClock, plan_id: int, *, token: str = "") -> Customer:
    who = a_customer(external_id, clock)
    if token:
        with_card(who, token)
    subscription_create(customer_id=who.pk, plan_id=plan_id, actor=ACTOR, as_of=T0, start_at=T0)
    return who


def start(clock: TestClock, to: datetime) -> None:
    clock_advance(test_clock_id=clock.pk, frozen_time=to, actor=ACTOR, as_of=timezone.now())


def clock_events(clock: TestClock) -> list[str]:
    return list(
        JournalEvent.objects.filter(subject_type="test_clock", subject_id=str(clock.pk))
        .order_by("pk")
        .values_list("type", flat=True)
    )


# ------------------------------------------------------------- item 3: one run per clock


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_one_advances_the_other_stands_aside(sandbox: SandboxGateway) -> None:
    plan = priced_plan("two-runs", "30")
    clock = a_clock()
    for i in range(3):
        subscribed(f"two-{i}", clock, plan.pk, token="tok_soft_decline_2")
    start(clock, T0 + timedelta(days=20))
    results: list[str] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            results.append(clock_advance_run(test_clock_id=clock.pk, now=timezone.now,
                                             seconds=3600))  # fmt: skip
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    clock.refresh_from_db()
    # the second finds the clock held ("busy") or, if it came after the first was done, the
    # advance over ("not_advancing"); never a failure
    assert sorted(results) in (["busy", "ready"], ["not_advancing", "ready"]), results
    assert (clock.status, clock.frozen_time, clock.last_error) == (
        "ready", T0 + timedelta(days=20), ""
    )  # fmt: skip
    assert clock_events(clock) == ["test_clock.created", "test_clock.advancing",
                                   "test_clock.ready"]  # fmt: skip
    # and each customer billed once
    assert Invoice.objects.filter(customer__test_clock=clock).count() == 3


@pytest.mark.django_db
def test_only_an_advancing_clock_fails_steps_or_finishes() -> None:
    clock = a_clock()
    for service in (clocks.clock_advance_fail, clocks.clock_advance_finish, clocks.clock_step):
        kwargs: dict[str, Any] = {"error": "x"} if service is clocks.clock_advance_fail else {}
        if service is clocks.clock_step:
            kwargs = {"instant": T0}
        with pytest.raises(Conflict) as refused:
            service(test_clock_id=clock.pk, actor=ACTOR, as_of=timezone.now(), **kwargs)
        assert refused.value.code == "test_clock_not_advancing"
    clock.refresh_from_db()
    assert clock.status == "ready"
    assert clock_events(clock) == ["test_clock.created"]
    assert clocks.ALLOWED_TRANSITIONS["ready"] == {"advancing"}


@pytest.mark.django_db
def test_a_run_gives_way_to_the_run_holding_the_clock() -> None:
    clock = a_clock()
    start(clock, T0 + timedelta(days=2))
    other = psycopg.connect(database_url_of_test_db(), autocommit=True)
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [lock_id(f"test-clock-advance:{clock.pk}")])
        assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now) == "busy"
        # the resume sweep leaves a held clock alone, however long it has not moved
        later = timezone.now() + runner.STALLED_AFTER * 2
        assert runner.clocks_resume(now=later) == []
    finally:
        other.close()
    clock.refresh_from_db()
    assert (clock.status, clock.frozen_time) == ("advancing", T0)
    assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now) == "ready"


# --------------------------------------- item 4: the clock's events settled at each instant


@pytest.mark.django_db
def test_a_handler_held_by_another_dispatcher_is_waited_for(sandbox: SandboxGateway) -> None:
    """A live dispatcher holds payments.collect when the advance bills: the advance waits for
    it, and the invoice is paid on its own day (Jan 1), not when the live dispatcher gets to
    it later; once ready, no event of the clock's is undelivered to any handler."""
    plan = priced_plan("held", "30")
    clock = a_clock()
    who = subscribed("held", clock, plan.pk, token="tok_ok")
    key = lock_id("journal-dispatch:payments.collect")
    other = psycopg.connect(database_url_of_test_db(), autocommit=True)
    other.execute("SELECT pg_advisory_lock(%s)", [key])
    release = threading.Timer(3.0, lambda: other.execute("SELECT pg_advisory_unlock(%s)", [key]))
    release.start()
    try:
        start(clock, T0 + timedelta(days=3))
        assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now, seconds=3600) == (
            "ready"
        )
    finally:
        release.join()
        other.close()
    assert list(Invoice.objects.filter(customer=who).values_list("status", "total", "paid_at")) == [
        ("paid", D("30.00"), T0)
    ]  # fmt: skip
    assert list(Payment.objects.filter(customer=who).values_list("state", "created_at")) == [
        ("succeeded", T0)
    ]
    left = undelivered_in_scope(clock.pk, now=timezone.now())  # but `ready`, written last
    assert set(JournalEvent.objects.filter(pk__in=[e for _, e in left]).values_list("type",
               flat=True)) <= {"test_clock.ready"}  # fmt: skip


@pytest.mark.django_db
def test_a_handler_held_for_good_never_lets_the_clock_be_ready(
    sandbox: SandboxGateway, monkeypatch: Any
) -> None:
    plan = priced_plan("held-long", "30")
    clock = a_clock()
    subscribed("held-long", clock, plan.pk, token="tok_ok")
    monkeypatch.setattr(runner, "HANDLER_WAIT_SECONDS", 0.5)  # a setting, not our code
    key = lock_id("journal-dispatch:payments.collect")
    other = psycopg.connect(database_url_of_test_db(), autocommit=True)
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [key])
        start(clock, T0 + timedelta(days=3))
        assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now, seconds=3600) == (
            "continue"
        )
        clock.refresh_from_db()
        assert (clock.status, clock.frozen_time) == ("advancing", T0)
        assert ("payments.collect", JournalEvent.objects.filter(
            type="invoice.finalized", subject_id=str(Invoice.objects.get(
                customer__test_clock=clock).pk)).get().pk) in undelivered_in_scope(
            clock.pk, now=timezone.now())  # fmt: skip
    finally:
        other.close()
    assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now, seconds=3600) == "ready"
    assert Invoice.objects.get(customer__test_clock=clock).paid_at == T0


# ----------------------------------------------------------- item 5: stops at due instants


@pytest.mark.django_db
def test_an_advance_stops_where_things_fall_due_not_only_at_its_time_of_day(
    sandbox: SandboxGateway,
) -> None:
    """The clock at 12:00, the subscription's periods at midnight: the renewal is billed,
    finalized, due and charged at Feb 1 00:00, as a live clock would, not at Feb 1 12:00."""
    noon = datetime(2026, 1, 1, 12, tzinfo=UTC)
    plan = priced_plan("noon", "30")
    clock = a_clock(noon)
    who = a_customer("noon", clock, at=noon)
    with_card(who, "tok_ok", at=noon)
    subscription_create(customer_id=who.pk, plan_id=plan.pk, actor=ACTOR, as_of=noon, start_at=T0)
    start(clock, noon + timedelta(days=35))
    assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now, seconds=3600) == "ready"
    feb = datetime(2026, 2, 1, tzinfo=UTC)
    assert list(
        Invoice.objects.filter(customer=who)
        .order_by("billing_date")
        .values_list("billing_date", "finalized_at", "due_at", "status", "paid_at")
    ) == [
        (T0, noon, noon, "paid", noon),  # billed when the subscription was made, at noon
        (feb, feb, feb, "paid", feb),
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_next_instant_is_a_day_the_target_or_what_falls_due_first() -> None:
    noon = datetime(2026, 1, 1, 12, tzinfo=UTC)
    clock = a_clock(noon)
    assert runner.next_instant(clock.pk, noon, noon + timedelta(days=5)) == noon + timedelta(1)
    assert runner.next_instant(clock.pk, noon, noon + timedelta(hours=3)) == noon + timedelta(
        hours=3
    )
    who = a_customer("next", clock, at=noon)
    subscription_create(customer_id=who.pk, plan_id=priced_plan("next", "1").pk, actor=ACTOR,
                        as_of=noon, start_at=datetime(2026, 1, 2, 6, tzinfo=UTC))  # fmt: skip
    assert runner.next_instant(clock.pk, noon, noon + timedelta(days=5)) == datetime(
        2026, 1, 2, 6, tzinfo=UTC
    )


# ------------------------------------------------- item 7: a step no run gets through


@pytest.mark.django_db
def test_an_instant_no_run_completes_fails_the_advance_and_may_be_redone() -> None:
    """Three runs started the work at Jan 2 and were lost (their worker killed at the soft
    time limit after their step was recorded): the next run fails the advance there instead
    of trying forever; advanced again, it goes on."""
    plan = priced_plan("stuck", "10")
    clock = a_clock()
    subscribed("stuck", clock, plan.pk)
    start(clock, T0 + timedelta(days=4))
    jan2 = T0 + timedelta(days=1)
    now = timezone.now()
    clocks.clock_step(test_clock_id=clock.pk, instant=jan2, actor=ACTOR, as_of=now)
    for _ in range(runner.TEST_CLOCK_STEP_ATTEMPTS - 1):  # the same instant again: lost runs
        clocks.clock_step(test_clock_id=clock.pk, instant=jan2, actor=ACTOR, as_of=now)
    assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now) == "failed"
    clock.refresh_from_db()
    assert (clock.status, clock.frozen_time) == ("failed", jan2)
    assert "none completed it" in clock.last_error
    start(clock, T0 + timedelta(days=4))
    assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now) == "ready"


@pytest.mark.django_db
def test_a_run_out_of_time_inside_an_instant_leaves_it_to_its_continuation(
    sandbox: SandboxGateway,
) -> None:
    """No time at all (seconds=0): each run does one round of an instant's follow-up work,
    then leaves the instant to its continuation; an instant that needs more rounds than runs
    allowed fails the advance (it never loops forever), and it may be advanced again."""
    plan = priced_plan("no-time", "10")
    clock = a_clock()
    subscribed("no-time", clock, plan.pk, token="tok_ok")
    start(clock, T0 + timedelta(days=2))
    results = []
    for _ in range(20):
        results.append(clock_advance_run(test_clock_id=clock.pk, now=timezone.now, seconds=0))
        if results[-1] != "continue":
            break
    assert results[-1] in ("ready", "failed"), results
    assert len(results) < 20
    clock.refresh_from_db()
    if clock.status == "failed":
        assert "none completed it" in clock.last_error
        start(clock, T0 + timedelta(days=2))
        assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now) == "ready"
    assert Invoice.objects.get(customer__test_clock=clock).paid_at == T0


# --------------------------------------------------------------- item 9: the time's range


@pytest.mark.django_db
def test_a_clock_lives_between_1970_and_9000(api: APIClient) -> None:
    for bad in ("9999-06-01T00:00Z", "0001-01-01T00:00Z", "1969-12-31T23:59:59Z",
                "9000-01-01T00:00:01Z"):  # fmt: skip
        refused = api.post("/api/v1/test-clocks/", {"name": "far", "frozen_time": bad},
                           format="json")  # fmt: skip
        assert refused.status_code == 400, (bad, refused.content)
        assert refused.json()["errors"][0]["field"] == "frozen_time"
    assert not TestClock.objects.exists()
    made = api.post("/api/v1/test-clocks/", {"name": "late", "frozen_time": "8999-12-01T00:00Z"},
                    format="json")  # fmt: skip
    assert made.status_code == 201
    assert made.json()["advance_limit"] == "9000-01-01T00:00:00+00:00"  # not a year later
    pk = made.json()["id"]
    assert api.get(f"/api/v1/test-clocks/{pk}/").status_code == 200
    assert api.get("/api/v1/test-clocks/").status_code == 200
    beyond = api.post(f"/api/v1/test-clocks/{pk}/advance/", {"frozen_time": "9000-01-02T00:00Z"},
                      format="json")  # fmt: skip
    assert (beyond.status_code, beyond.json()["errors"][0]["field"]) == (400, "frozen_time")
    assert beyond.json()["errors"][0]["code"] == "out_of_range"
    # a clock stored at the edge of Python's dates still answers (no 500)
    TestClock.objects.filter(pk=pk).update(frozen_time=datetime(9999, 6, 1, tzinfo=UTC))
    assert api.get(f"/api/v1/test-clocks/{pk}/").status_code == 200


# ------------------------------------------------- item 10: no usage partitions of the era


@pytest.mark.django_db
def test_an_advance_in_1990_creates_no_usage_partitions() -> None:
    old = datetime(1990, 1, 1, tzinfo=UTC)
    clock = a_clock(old)
    a_customer("old", clock, at=old)  # (no plan has a price in force in 1990)
    start(clock, old + timedelta(days=2))
    assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now) == "ready"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relname LIKE 'billing_usageevent_y19%%'"
        )
        assert cursor.fetchone()[0] == 0


# ------------------------------------------------------------------- item 11: delete in bulk


@pytest.mark.django_db
def test_deleting_a_clock_archives_its_customers_in_a_few_statements(
    django_assert_max_num_queries: Any,
) -> None:
    clock = a_clock()
    customers = [a_customer(f"del-{i}", clock) for i in range(12)]
    with django_assert_max_num_queries(12):
        clocks.clock_delete(test_clock_id=clock.pk, actor=ACTOR, as_of=timezone.now())
    assert set(Customer.objects.filter(test_clock=clock).values_list("archived_at", flat=True)) == {
        T0
    }
    archived = JournalEvent.objects.filter(type="customer.archived", occurred_at=T0)
    assert sorted(int(e.subject_id) for e in archived) == sorted(c.pk for c in customers)
    assert {e.payload["reason"] for e in archived} == {"test clock deleted"}
    assert {e.payload["customer"]["archived_at"] for e in archived} == {T0.isoformat()}


# ------------------------------------------------------ item 13: its time, its audit trail


@pytest.mark.django_db
def test_the_clocks_events_happen_at_its_time_and_its_steps_are_audited() -> None:
    clock = a_clock(datetime(2030, 5, 1, tzinfo=UTC))
    start(clock, datetime(2030, 5, 3, tzinfo=UTC))
    assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now) == "ready"
    events = JournalEvent.objects.filter(subject_type="test_clock", subject_id=str(clock.pk))
    assert [(e.type, e.occurred_at.date().isoformat()) for e in events.order_by("pk")] == [
        ("test_clock.created", "2030-05-01"),
        ("test_clock.advancing", "2030-05-01"),
        ("test_clock.ready", "2030-05-03"),
    ]
    rows = history_rows(clock)
    steps = [r for r in rows if r["why"] == "test clock step"]
    assert len(steps) == 3  # May 1, 2, 3
    assert {(r["who"], r["actor_kind"]) for r in steps} == {("system:test_clock", "system")}
    assert all(r["who"] != "database (no context)" for r in rows)
