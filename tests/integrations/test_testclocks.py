"""Test clocks (issue 15, item 4): advance limits and refusals, live/test isolation of the billing
clock and its hooks, the TEST- numbering series, reports without test customers, the REST API
and the admin. The advance producing what the live clock produces: test_testclock_twin.py; on a
real worker: test_testclock_worker.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Customer, JournalEvent, Subscription, TestClock, UsageEvent
from billing.selectors import customer_as_of
from billing.services import customer_create, subscription_create
from billing.services import testclocks as clocks
from core.exceptions import Conflict, ValidationFailed
from integrations.testclocks import advance_instants, clock_advance, clock_advance_run
from invoicing.models import Invoice
from invoicing.reconciliation import reconcile
from invoicing.services.clock import subscriptions_to_bill
from payments.reports import ar_aging
from tests.billing.subs import priced_plan
from tests.catalog.factories import metric
from tests.conftest import TEST_ACTOR as ACTOR
from tests.invoicing.test_invoices import run_tick

pytestmark = pytest.mark.django_db

D = Decimal
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def a_clock(name: str = "clock", at: datetime = T0) -> TestClock:
    return clocks.clock_create(name=name, frozen_time=at, actor=ACTOR, as_of=timezone.now())


def a_customer(external_id: str, clock: TestClock | None = None, **extra: Any) -> Customer:
    data = {"external_id": external_id, "name": external_id, "currency": "USD", **extra}
    return customer_create(
        actor=ACTOR, as_of=T0, data=data, test_clock_id=clock.pk if clock else None
    )


def subscribe(who: Customer, plan_id: int) -> Subscription:
    when = customer_as_of(who, T0)
    return subscription_create(
        customer_id=who.pk, plan_id=plan_id, actor=ACTOR, as_of=when, start_at=when
    )


def advance(clock: TestClock, to: datetime) -> TestClock:
    clock_advance(test_clock_id=clock.pk, frozen_time=to, actor=ACTOR, as_of=timezone.now())
    assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now, seconds=3600) == "ready"
    clock.refresh_from_db()
    return clock


# ------------------------------------------------------------------------------ the services


def test_the_instants_of_an_advance() -> None:
    assert advance_instants(T0, T0 + timedelta(days=2, hours=6)) == [
        T0, T0 + timedelta(days=1), T0 + timedelta(days=2), T0 + timedelta(days=2, hours=6)
    ]  # fmt: skip
    assert advance_instants(T0, T0 + timedelta(days=1)) == [T0, T0 + timedelta(days=1)]


def test_an_advance_may_go_two_of_the_shortest_intervals_ahead() -> None:
    clock = a_clock()
    # no subscription: one year
    assert clocks.advance_limit(clock)[0] == datetime(2027, 3, 1, tzinfo=UTC)
    monthly = priced_plan("monthly", "10")
    weekly = priced_plan("weekly", "3", interval_unit="week")
    subscribe(a_customer("lim-1", clock), monthly.pk)
    assert clocks.advance_limit(clock)[0] == datetime(2026, 5, 1, tzinfo=UTC)
    subscribe(a_customer("lim-2", clock), weekly.pk)
    assert clocks.advance_limit(clock)[0] == datetime(2026, 3, 15, tzinfo=UTC)

    def start(to: datetime) -> None:
        clocks.clock_advance_start(
            test_clock_id=clock.pk, frozen_time=to, actor=ACTOR, as_of=timezone.now()
        )

    for bad, code in ((T0, "not_after_current"), (T0 - timedelta(seconds=1), "not_after_current"),
                      (datetime(2026, 3, 15, 0, 0, 1, tzinfo=UTC), "beyond_limit")):  # fmt: skip
        with pytest.raises(ValidationFailed) as refused:
            start(bad)
        assert (refused.value.field, refused.value.code) == ("frozen_time", code)
    start(datetime(2026, 3, 15, tzinfo=UTC))  # the limit itself
    clock.refresh_from_db()
    assert (clock.status, clock.advancing_to) == ("advancing", datetime(2026, 3, 15, tzinfo=UTC))
    with pytest.raises(Conflict) as busy:
        start(datetime(2026, 3, 2, tzinfo=UTC))
    assert busy.value.code == "test_clock_advancing"
    with pytest.raises(Conflict) as busy:
        clocks.clock_delete(test_clock_id=clock.pk, actor=ACTOR, as_of=timezone.now())
    assert busy.value.code == "test_clock_advancing"
    types = list(
        JournalEvent.objects.filter(subject_type="test_clock", subject_id=str(clock.pk))
        .order_by("pk")
        .values_list("type", flat=True)
    )
    assert types == ["test_clock.created", "test_clock.advancing"]


def test_a_failed_advance_stays_where_it_got_and_may_go_on() -> None:
    """An error at an instant (the database refuses the journal's writes at Mar 3, a trigger:
    the failure's transport): the clock is `failed` at that instant with the error
    (`test_clock.failed`); advanced again, it goes on from there and does that instant's work."""
    from django.db import connection

    clock = a_clock()
    who = a_customer("fail-1", clock)
    failing_day = T0 + timedelta(days=2)
    subscription_create(customer_id=who.pk, plan_id=priced_plan("failing", "10").pk,
                        actor=ACTOR, as_of=T0, start_at=failing_day)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_clock_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'the database went away'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER test_clock_fail BEFORE INSERT ON billing_journalevent FOR EACH ROW "
            "WHEN (NEW.occurred_at = %s::timestamptz AND NEW.subject_type <> 'test_clock') "
            "EXECUTE FUNCTION test_clock_fail()",
            [failing_day.isoformat()],
        )
    clock_advance(test_clock_id=clock.pk, frozen_time=T0 + timedelta(days=5), actor=ACTOR,
                  as_of=timezone.now())  # fmt: skip
    assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now) == "failed"
    clock.refresh_from_db()
    assert (clock.status, clock.frozen_time, clock.advancing_to) == (
        "failed", failing_day, None
    )  # fmt: skip
    assert "the database went away" in clock.last_error
    assert JournalEvent.objects.filter(type="test_clock.failed", subject_id=str(clock.pk)).exists()
    assert not Invoice.objects.filter(customer=who).exists()
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_clock_fail ON billing_journalevent")
    assert advance(clock, T0 + timedelta(days=5)).status == "ready"
    assert clock.frozen_time == T0 + timedelta(days=5)
    assert list(Invoice.objects.filter(customer=who).values_list("billing_date", flat=True)) == [
        failing_day
    ]


# ------------------------------------------------------------------ live and test: apart


def test_the_live_clock_never_bills_a_test_customer_nor_an_advance_a_live_one() -> None:
    plan = priced_plan("apart", "10")
    clock = a_clock()
    live, test = a_customer("apart-live"), a_customer("apart-test", clock)
    live_sub, test_sub = subscribe(live, plan.pk), subscribe(test, plan.pk)
    assert test.created_at == T0
    assert test_sub.start_at == T0

    # a live tick: the live customer is billed, the test customer is left due
    run_tick(T0 + timedelta(minutes=5))
    assert Invoice.objects.filter(customer=live).count() == 1
    assert not Invoice.objects.filter(customer=test).exists()
    assert test_sub.pk in subscriptions_to_bill(as_of=T0, test_clock=clock.pk)
    assert test_sub.pk not in subscriptions_to_bill(as_of=T0 + timedelta(days=40))

    # an advance through the next period's start: the test customer billed twice, the live
    # one's April period left due for the live clock
    advance(clock, datetime(2026, 4, 10, tzinfo=UTC))
    assert list(
        Invoice.objects.filter(customer=test).order_by("billing_date").values_list(
            "number", "total", "billing_date"
        )
    ) == [
        ("TEST-INV-2026-000001", D("10.00"), T0),
        ("TEST-INV-2026-000002", D("10.00"), datetime(2026, 4, 1, tzinfo=UTC)),
    ]  # fmt: skip
    assert list(Invoice.objects.filter(customer=live).values_list("number", flat=True)) == [
        "INV-2026-000001"
    ]
    assert live_sub.pk in subscriptions_to_bill(as_of=datetime(2026, 4, 10, tzinfo=UTC))
    assert live_sub.pk not in subscriptions_to_bill(
        as_of=datetime(2026, 4, 10, tzinfo=UTC), test_clock=clock.pk
    )

    # reports: only the live customer's receivable, the live invoices reconciled
    aging = ar_aging(as_of=date(2026, 4, 10))
    assert [(c.currency, c.total, [x.external_id for x in c.customers]) for c in
            aging.currencies] == [("USD", D("10.00"), ["apart-live"])]  # fmt: skip
    report = reconcile(start=T0, end=datetime(2026, 5, 1, tzinfo=UTC), as_of=timezone.now())
    assert report.checked["invoices"] == 1
    assert report.ok


def test_credit_notes_of_test_invoices_have_their_own_series() -> None:
    from invoicing.services import credit_note_issue

    plan = priced_plan("notes", "10")
    clock = a_clock()
    test = a_customer("notes-test", clock)
    subscribe(test, plan.pk)
    advance(clock, T0 + timedelta(days=1))
    invoice = Invoice.objects.get(customer=test)
    note = credit_note_issue(
        invoice_id=invoice.pk, as_of=customer_as_of(test, T0), actor=ACTOR, reason="test"
    )
    assert note.number == "TEST-CN-2026-000001"


# --------------------------------------------------------------------------------- REST API


def test_the_api_creates_advances_and_deletes_a_test_clock(api: APIClient) -> None:
    created = api.post("/api/v1/test-clocks/", {"name": "api", "frozen_time": "2026-03-01T00:00Z"},
                       format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    clock_id = body["id"]
    assert {k: body[k] for k in ("name", "frozen_time", "status", "livemode", "customers",
                                 "advance_limit")} == {
        "name": "api", "frozen_time": "2026-03-01T00:00:00Z", "status": "ready",
        "livemode": False, "customers": 0, "advance_limit": "2027-03-01T00:00:00+00:00",
    }  # fmt: skip

    # a test customer, created at the clock's time; a live one
    made = api.post("/api/v1/customers/", {"external_id": "api-test", "name": "T",
                    "currency": "USD", "test_clock": clock_id}, format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    assert (made.json()["livemode"], made.json()["test_clock"], made.json()["created_at"]) == (
        False, clock_id, "2026-03-01T00:00:00Z"
    )  # fmt: skip
    customer_id = made.json()["id"]
    live = api.post("/api/v1/customers/", {"external_id": "api-live", "name": "L",
                    "currency": "USD"}, format="json")  # fmt: skip
    assert (live.json()["livemode"], live.json()["test_clock"]) == (True, None)
    listed = api.get("/api/v1/customers/", {"livemode": "false"}).json()["results"]
    assert [c["external_id"] for c in listed] == ["api-test"]
    unknown = api.post("/api/v1/customers/", {"external_id": "api-x", "name": "X",
                       "currency": "USD", "test_clock": 999999}, format="json")  # fmt: skip
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "test_clock"
    moved = api.patch(f"/api/v1/customers/{customer_id}/", {"test_clock": None}, format="json")
    assert (moved.status_code, moved.json()["errors"][0]["field"]) == (400, "test_clock")

    # its subscription starts at the clock's time; the limit follows the monthly plan
    plan = priced_plan("api-plan", "10")
    sub = api.post("/api/v1/subscriptions/", {"customer": "api-test", "plan": plan.code},
                   format="json")  # fmt: skip
    assert sub.status_code == 201, sub.json()
    assert sub.json()["start_at"] == "2026-03-01T00:00:00Z"
    clock = api.get(f"/api/v1/test-clocks/{clock_id}/").json()
    assert (clock["customers"], clock["advance_limit"]) == (1, "2026-05-01T00:00:00+00:00")

    # usage at the clock's time is taken; at the wall clock's, it is in the clock's future
    metric("api_clock_calls")
    ok = api.post("/api/v1/events", {"event_id": "e1", "customer": "api-test",
                  "metric": "api_clock_calls", "event_time": "2026-03-01T00:00:00Z",
                  "properties": {"calls": 3}}, format="json")  # fmt: skip
    assert ok.status_code == 201, ok.json()
    assert UsageEvent.objects.get(event_id="e1").received_at == T0
    ahead = api.post("/api/v1/events", {"event_id": "e2", "customer": "api-test",
                     "metric": "api_clock_calls", "event_time": timezone.now().isoformat(),
                     "properties": {"calls": 3}}, format="json")  # fmt: skip
    assert ahead.status_code == 400
    assert ahead.json()["errors"][0]["field"] == "event_time"

    # advancing: refusals with their fields, then 202
    url = f"/api/v1/test-clocks/{clock_id}/advance/"
    for frozen, code in (("2026-02-28T00:00Z", "not_after_current"),
                         ("2026-05-01T00:00:01Z", "beyond_limit")):  # fmt: skip
        refused = api.post(url, {"frozen_time": frozen}, format="json")
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["field"] == "frozen_time"
        assert refused.json()["errors"][0]["code"] == code
    bogus = api.post(url, {"frozen_time": "2026-03-02T00:00Z", "speed": 2}, format="json")
    assert (bogus.status_code, bogus.json()["errors"][0]["field"]) == (400, "speed")
    going = api.post(url, {"frozen_time": "2026-03-03T00:00Z"}, format="json")
    assert going.status_code == 202
    assert (going.json()["status"], going.json()["advancing_to"]) == (
        "advancing", "2026-03-03T00:00:00Z"
    )  # fmt: skip
    assert api.post(url, {"frozen_time": "2026-03-04T00:00Z"}, format="json").status_code == 409
    assert api.delete(f"/api/v1/test-clocks/{clock_id}/").status_code == 409
    assert clock_advance_run(test_clock_id=clock_id, now=timezone.now) == "ready"
    ready = api.get(f"/api/v1/test-clocks/{clock_id}/").json()
    assert (ready["status"], ready["frozen_time"]) == ("ready", "2026-03-03T00:00:00Z")
    invoices = api.get("/api/v1/invoices/", {"customer": "api-test"}).json()["results"]
    assert [(i["number"], i["livemode"]) for i in invoices] == [("TEST-INV-2026-000001", False)]

    # list filters; delete archives the customers; nothing is refused silently
    assert api.get("/api/v1/test-clocks/", {"status": "ready"}).json()["results"][0]["id"] == (
        clock_id
    )
    assert api.get("/api/v1/test-clocks/", {"status": "stopped"}).status_code == 400
    assert api.get("/api/v1/test-clocks/", {"speed": "1"}).status_code == 400
    gone = api.delete(f"/api/v1/test-clocks/{clock_id}/")
    assert gone.status_code == 200
    assert gone.json()["deleted_at"] is not None
    assert gone.json()["advance_limit"] is None
    assert Customer.objects.get(pk=customer_id).archived_at == datetime(2026, 3, 3, tzinfo=UTC)
    assert api.delete(f"/api/v1/test-clocks/{clock_id}/").status_code == 409
    assert api.post(url, {"frozen_time": "2026-03-04T00:00Z"}, format="json").status_code == 409
    late = api.post("/api/v1/customers/", {"external_id": "api-late", "name": "T",
                    "currency": "USD", "test_clock": clock_id}, format="json")  # fmt: skip
    assert (late.status_code, late.json()["errors"][0]["code"]) == (409, "test_clock_deleted")
    assert api.get("/api/v1/test-clocks/", {"deleted": "false"}).json()["results"] == []
    assert api.get("/api/v1/test-clocks/999999/").status_code == 404
    types = list(
        JournalEvent.objects.filter(subject_type="test_clock")
        .order_by("pk")
        .values_list("type", flat=True)
    )
    assert types == ["test_clock.created", "test_clock.advancing", "test_clock.ready",
                     "test_clock.deleted"]  # fmt: skip


# ------------------------------------------------------------------------------------ admin


def test_the_admin_creates_advances_and_marks_test_customers(staff_client: Any) -> None:
    add = reverse("admin:billing_testclock_add")
    assert staff_client.get(add).status_code == 200
    posted = staff_client.post(add, {"name": "adm", "frozen_time_0": "2026-03-01",
                                     "frozen_time_1": "00:00:00"})  # fmt: skip
    assert posted.status_code == 302, posted.content.decode()[:2000]
    clock = TestClock.objects.get(name="adm")
    assert clock.frozen_time == T0
    test = a_customer("adm-test", clock)
    a_customer("adm-live")
    page = staff_client.get(reverse("admin:billing_testclock_change", args=[clock.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "test-clock-advance" in text
    assert "adm-test" in text
    assert "Ready at 2026-03-01 00:00:00 UTC" in text

    advance_url = reverse("admin:billing_testclock_advance", args=[clock.pk])
    form = staff_client.get(advance_url).content.decode()
    assert "2027-03-01 00:00:00 UTC" in form  # the limit without subscriptions
    beyond = staff_client.post(advance_url, {"frozen_time": "2027-03-02 00:00"})
    assert beyond.status_code == 200
    assert "at most one year" in beyond.content.decode()
    going = staff_client.post(advance_url, {"frozen_time": "2026-03-02 00:00"})
    assert going.status_code == 302
    clock.refresh_from_db()
    assert clock.status == "advancing"
    page = staff_client.get(reverse("admin:billing_testclock_change", args=[clock.pk]))
    assert "Advancing to 2026-03-02 00:00:00 UTC" in page.content.decode()
    assert "test-clock-advance" not in page.content.decode()
    assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now) == "ready"

    # customers: the badge and the filter; the clock fixed once created
    changelist = reverse("admin:billing_customer_changelist")
    tests = staff_client.get(changelist, {"livemode": "test"}).content.decode()
    assert "adm-test" in tests
    assert "adm-live" not in tests
    assert "TEST</span>" in tests
    lives = staff_client.get(changelist, {"livemode": "live"}).content.decode()
    assert "adm-live" in lives
    assert "adm-test" not in lives
    customer_page = staff_client.get(reverse("admin:billing_customer_change", args=[test.pk]))
    assert customer_page.status_code == 200
    assert "adm (2026-03-02 00:00 UTC)" in customer_page.content.decode()
    assert (
        'name="test_clock"'
        in staff_client.get(reverse("admin:billing_customer_add")).content.decode()
    )

    # delete: the list action archives the customers; the history page shows each change
    staff_client.post(
        reverse("admin:billing_testclock_changelist"),
        {"action": "delete_selected_clocks", "_selected_action": [clock.pk]},
    )
    clock.refresh_from_db()
    test.refresh_from_db()
    assert clock.is_deleted
    assert test.archived_at is not None
    history = staff_client.get(reverse("admin:billing_testclock_history", args=[clock.pk]))
    assert history.status_code == 200
    assert "advancing" in history.content.decode()
