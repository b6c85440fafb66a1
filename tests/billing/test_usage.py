from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from billing.aggregation import aggregate, aggregate_one, aggregate_windows
from billing.models import Customer, JournalEvent, UsageEvent, UsageEventKey
from billing.services import usage_ingest
from catalog.models import BillableMetric
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import metric
from tests.conftest import TEST_ACTOR

D = Decimal
NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)


def ev(
    event_id: str,
    customer: str = "acme",
    code: str = "api_calls",
    at: str | None = None,
    **props: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event_id": event_id,
        "customer": customer,
        "metric": code,
        "properties": props,
    }
    if at is not None:
        event["event_time"] = at
    return event


@pytest.fixture
def setup(db: None) -> dict[str, Any]:
    return {
        "acme": CustomerFactory(external_id="acme"),
        "calls": metric("api_calls", aggregation="sum", field_name="calls"),
        "count": metric("requests", aggregation="count", field_name=""),
    }


def ingest(events: list[Any], as_of: datetime = NOW, **options: Any) -> Any:
    return usage_ingest(events=events, actor=TEST_ACTOR, as_of=as_of, **options)


@pytest.mark.django_db
def test_accepted_duplicate_and_rejected_are_reported_per_event(setup: Any) -> None:
    report = ingest(
        [
            ev("e1", at="2026-03-01T00:00:00Z", calls=5),
            ev("e1", at="2026-03-01T00:00:00Z", calls=5),  # same batch, same id
            ev("e2", at="2026-03-02T00:00:00Z", calls="7.5"),
            ev("e3", calls="many"),
        ]
    )
    assert [o.status for o in report.outcomes] == ["accepted", "duplicate", "accepted", "rejected"]
    assert report.outcomes[3].errors[0]["field"] == "properties.calls"
    again = ingest([ev("e1", at="2026-03-01T00:00:00Z", calls=5)])
    assert again.outcomes[0].status == "duplicate"
    assert UsageEvent.objects.count() == 2
    assert UsageEventKey.objects.count() == 2
    stored = UsageEvent.objects.get(event_id="e2")
    assert (stored.value, stored.received_at, stored.late) == (D("7.5"), NOW, False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("event", "field", "code"),
    [
        (
            {"customer": "acme", "metric": "api_calls", "properties": {"calls": 1}},
            "event_id",
            "required",
        ),
        ({"event_id": 5, "customer": "acme", "metric": "api_calls"}, "event_id", "required"),
        (
            {"event_id": "x" * 256, "customer": "acme", "metric": "api_calls"},
            "event_id",
            "max_length",
        ),
        ({"event_id": "a", "metric": "api_calls"}, "customer", "required"),
        (
            {
                "event_id": "a",
                "customer": "ghost",
                "metric": "api_calls",
                "properties": {"calls": 1},
            },
            "customer",
            "unknown_customer",
        ),
        ({"event_id": "a", "customer": "acme", "metric": "nope"}, "metric", "unknown_metric"),
        (
            {"event_id": "a", "customer": "acme", "metric": "api_calls"},
            "properties.calls",
            "required",
        ),
        (
            {
                "event_id": "a",
                "customer": "acme",
                "metric": "api_calls",
                "properties": {"calls": True},
            },
            "properties.calls",
            "not_a_number",
        ),
        (
            {
                "event_id": "a",
                "customer": "acme",
                "metric": "api_calls",
                "properties": {"calls": 1},
                "event_time": "2026-03-15T13:00:00Z",
            },
            "event_time",
            "in_the_future",
        ),
        (
            {
                "event_id": "a",
                "customer": "acme",
                "metric": "api_calls",
                "properties": {"calls": 1},
                "event_time": "yesterday",
            },
            "event_time",
            "invalid",
        ),
        (
            {
                "event_id": "a",
                "customer": "acme",
                "metric": "api_calls",
                "properties": {"calls": 1},
                "event_time": "2026-03-01T00:00:00",
            },
            "event_time",
            "invalid",
        ),
        (
            {"event_id": "a", "customer": "acme", "metric": "api_calls", "properties": [1]},
            "properties",
            "invalid",
        ),
        (
            {"event_id": "a", "customer": "acme", "metric": "api_calls", "colour": "red"},
            "colour",
            "unknown_field",
        ),
        (
            {
                "event_id": "a",
                "customer": "acme",
                "metric": "api_calls",
                "properties": {"calls": 1, "blob": "x" * 9000},
            },
            "properties",
            "too_large",
        ),
        (
            {
                "event_id": "a",
                "customer": "acme",
                "metric": "api_calls",
                "properties": {"calls": 1, "nested": {"a": 1}},
            },
            "properties.nested",
            "invalid",
        ),
        ("not an object", "", "invalid"),
        # text PostgreSQL cannot store: the NUL character, a lone surrogate
        (ev("a\x00b", calls=1), "event_id", "invalid_text"),
        (ev("a", customer="\ud800", calls=1), "customer", "invalid_text"),
        (ev("a", calls=1, region="eu\x00"), "properties.region", "invalid_text"),
        (
            {**ev("a", calls=1), "properties": {"calls": 1, "\x00": "x"}},
            "properties",
            "invalid_key",
        ),
        # rounds to 10^26 at the 12 decimal places kept: beyond what a value can be
        (
            ev("a", calls="99999999999999999999999999.9999999999999"),
            "properties.calls",
            "out_of_range",
        ),
        (ev("a", calls="1e30"), "properties.calls", "out_of_range"),
    ],
)
def test_each_bad_event_is_rejected_with_its_field_and_nothing_is_stored(
    setup: Any, event: Any, field: str, code: str
) -> None:
    report = ingest([event, ev("fine", at="2026-03-01T00:00:00Z", calls=1)])
    outcome = report.outcomes[0]
    assert outcome.status == "rejected"
    assert (outcome.errors[0]["field"], outcome.errors[0]["code"]) == (field, code)
    assert list(UsageEvent.objects.values_list("event_id", flat=True)) == ["fine"]


@pytest.mark.django_db
def test_values_are_kept_to_twelve_decimal_places_rounded_half_up(setup: Any) -> None:
    report = ingest([ev("a", calls="0.0000000000005"), ev("b", calls="1.0000000000004")])
    assert report.count("accepted") == 2
    stored = dict(UsageEvent.objects.values_list("event_id", "value"))
    assert stored == {"a": D("0.000000000001"), "b": D("1.000000000000")}


@pytest.mark.django_db
def test_text_that_cannot_be_stored_rejects_that_event_only(api: APIClient, setup: Any) -> None:
    document = (
        '{"events": ['
        '{"event_id": "a", "customer": "acme", "metric": "api_calls", '
        '"properties": {"calls": 1, "region": "eu\\u0000"}}, '
        '{"event_id": "\\ud800", "customer": "acme", "metric": "api_calls", '
        '"properties": {"calls": 1}}, '
        '{"event_id": "\\ud83d\\ude00", "customer": "acme", "metric": "api_calls", '
        '"properties": {"calls": 1}}]}'
    )  # the last one's id is an emoji: a valid pair of surrogates, text like any other
    response = api.post("/api/v1/events/batch", data=document, content_type="application/json")
    assert response.status_code == 200
    outcomes = response.json()["events"]
    assert [(o["status"], o["event_id"]) for o in outcomes] == [
        ("rejected", "a"),
        ("rejected", None),
        ("accepted", "\U0001f600"),
    ]
    assert [o["errors"][0]["field"] for o in outcomes[:2]] == ["properties.region", "event_id"]
    assert {o["errors"][0]["code"] for o in outcomes[:2]} == {"invalid_text"}
    assert list(UsageEvent.objects.values_list("event_id", flat=True)) == ["\U0001f600"]


@pytest.mark.django_db
def test_archived_customers_cannot_report_usage(setup: Any) -> None:
    Customer.objects.filter(pk=setup["acme"].pk).update(archived_at=NOW)
    report = ingest([ev("a", calls=1)])
    assert report.outcomes[0].errors[0]["code"] == "archived_customer"


@pytest.mark.django_db
def test_partitions_are_created_for_the_months_of_a_backfill(setup: Any) -> None:
    # through the API none is created (the clock keeps the window's ready): a backfill's older
    # months get theirs
    ingest(
        [
            ev("old", at="2024-07-04T00:00:00Z", calls=1),
            ev("new", at="2026-03-01T00:00:00Z", calls=1),
        ],
        backfill=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'billing_usageevent'"
        )
        names = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT count(*) FROM billing_usageevent_default")
        in_default = cursor.fetchone()[0]
    assert {"billing_usageevent_y2024m07", "billing_usageevent_y2026m03"} <= names
    assert in_default == 0


@pytest.mark.django_db
def test_late_events_are_stored_flagged_and_recorded(setup: Any) -> None:
    # billing has billed a usage window ending on Mar 1 (the mark moves only with BilledPeriod)
    Customer.objects.filter(pk=setup["acme"].pk).update(
        usage_billed_until=datetime(2026, 3, 1, tzinfo=UTC)
    )
    report = ingest(
        [
            ev("late", at="2026-02-27T00:00:00Z", calls=3),
            ev("timely", at="2026-03-02T00:00:00Z", calls=3),
        ]
    )
    assert [o.late for o in report.outcomes] == [True, False]
    assert UsageEvent.objects.get(event_id="late").late is True
    record = JournalEvent.objects.get(type="usage.late_received")
    assert record.payload["event_ids"] == ["late"]
    assert record.payload["metrics"] == ["api_calls"]


# ------------------------------------------------------------------------------ aggregation


@pytest.mark.django_db
def test_every_aggregation_against_hand_computed_values(setup: Any) -> None:
    m = {
        "sum": setup["calls"],
        "count": setup["count"],
        "max": metric("peak", aggregation="max", field_name="n"),
        "unique": metric("users", aggregation="unique_count", field_name="user"),
        "latest": metric("seats", aggregation="latest", field_name="n"),
    }
    events = [
        ev("s1", code="api_calls", at="2026-03-01T00:00:00Z", calls=10),  # at the window start
        ev("s2", code="api_calls", at="2026-03-10T00:00:00Z", calls="2.5"),
        ev("s3", code="api_calls", at="2026-04-01T00:00:00Z", calls=100),  # at the end: next window
        ev("s0", code="api_calls", at="2026-02-28T23:59:59Z", calls=100),  # before
        ev("c1", code="requests", at="2026-03-02T00:00:00Z"),
        ev("c2", code="requests", at="2026-03-03T00:00:00Z"),
        ev("m1", code="peak", at="2026-03-02T00:00:00Z", n=7),
        ev("m2", code="peak", at="2026-03-03T00:00:00Z", n=3),
        ev("u1", code="users", at="2026-03-02T00:00:00Z", user="ann"),
        ev("u2", code="users", at="2026-03-03T00:00:00Z", user="bob"),
        ev("u3", code="users", at="2026-03-04T00:00:00Z", user="ann"),
        ev("l1", code="seats", at="2026-03-05T00:00:00Z", n=4),
        ev("l2", code="seats", at="2026-03-09T00:00:00Z", n=6),
        ev("l3", code="seats", at="2026-03-07T00:00:00Z", n=9),  # arrives last, happened earlier
    ]
    assert ingest(events, as_of=datetime(2026, 4, 2, tzinfo=UTC)).count("accepted") == len(events)
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    cid = setup["acme"].pk

    def q(key: str) -> tuple[Decimal, int]:
        found = aggregate_one(metric=m[key], customer_id=cid, start=start, end=end)
        return found.quantity, found.events

    assert q("sum") == (D("12.5"), 2)
    assert q("count") == (D(2), 2)
    assert q("max") == (D(7), 2)
    assert q("unique") == (D(2), 3)
    assert q("latest") == (D(6), 3)
    # the billing writer's form, many (customer, window) pairs at once, agrees with each
    windows = [(cid, start, end), (cid, start, datetime(2026, 3, 8, tzinfo=UTC))]
    for key, one in m.items():
        both = aggregate_windows(metric=one, windows=windows)
        for window in windows:
            alone = aggregate_one(metric=one, customer_id=cid, start=window[1], end=window[2])
            found = both.get(window)
            got = (found.quantity, found.events) if found else (D(0), 0)
            assert got == (alone.quantity, alone.events), key


@pytest.mark.django_db
def test_weighted_sum_carries_the_level_in_from_before_the_window(setup: Any) -> None:
    storage = metric("storage", aggregation="weighted_sum", field_name="gb")
    ingest(
        [
            ev("w0", code="storage", at="2026-02-10T00:00:00Z", gb=10),  # level 10 carried in
            ev(
                "w1", code="storage", at="2026-03-11T00:00:00Z", gb=20
            ),  # level 30 from day 10 of 30
            ev("w2", code="storage", at="2026-03-21T00:00:00Z", gb=-25),  # level 5 from day 20
        ],
        as_of=datetime(2026, 4, 2, tzinfo=UTC),
    )
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC)  # 30 days
    found = aggregate_one(metric=storage, customer_id=setup["acme"].pk, start=start, end=end)
    # (10 x 10 + 30 x 10 + 5 x 10) / 30 = 15
    assert found.quantity == D(15)
    assert found.events == 2
    # a window with nothing but the carried level: the level held throughout
    later = aggregate_one(
        metric=storage,
        customer_id=setup["acme"].pk,
        start=datetime(2026, 4, 1, tzinfo=UTC),
        end=datetime(2026, 5, 1, tzinfo=UTC),
    )
    assert later.quantity == D(5)
    # many windows at once, as the billing writer reads them: the same levels
    cid = setup["acme"].pk
    march, april = (cid, start, end), (cid, datetime(2026, 4, 1, tzinfo=UTC),
                                       datetime(2026, 5, 1, tzinfo=UTC))  # fmt: skip
    both = aggregate_windows(metric=storage, windows=[march, april])
    assert (both[march].quantity, both[april].quantity) == (D(15), D(5))


@pytest.mark.django_db
def test_group_by_a_property_and_metric_filters(setup: Any) -> None:
    eu = metric("eu_calls", aggregation="sum", field_name="calls", filters={"region": ["eu"]})
    ingest(
        [
            ev("g1", at="2026-03-01T00:00:00Z", calls=1, region="eu"),
            ev("g2", at="2026-03-02T00:00:00Z", calls=2, region="us"),
            ev("g3", at="2026-03-03T00:00:00Z", calls=4, region="eu"),
            ev("f1", code="eu_calls", at="2026-03-03T00:00:00Z", calls=8, region="eu"),
            ev("f2", code="eu_calls", at="2026-03-03T00:00:00Z", calls=16, region="us"),
        ]
    )
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    grouped = aggregate(metric=setup["calls"], start=start, end=end, group_by="region")
    assert {a.group: a.quantity for a in grouped} == {"eu": D(5), "us": D(2)}
    filtered = aggregate_one(metric=eu, customer_id=setup["acme"].pk, start=start, end=end)
    assert (filtered.quantity, filtered.events) == (D(8), 1)


# ----------------------------------------------------------------------------------- the API


@pytest.mark.django_db
def test_single_event_endpoint(api: APIClient, setup: Any) -> None:
    body = {
        "event_id": "one",
        "customer": "acme",
        "metric": "api_calls",
        "event_time": (timezone.now() - timedelta(hours=1)).isoformat(),
        "properties": {"calls": 0.5},
    }
    first = api.post("/api/v1/events", body, format="json")
    assert first.status_code == 201, first.json()
    assert api.post("/api/v1/events", body, format="json").status_code == 200
    bad = api.post("/api/v1/events", {**body, "event_id": "two", "metric": "zzz"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "metric"
    assert UsageEvent.objects.get().value == D("0.5")  # a JSON number, kept exact


@pytest.mark.django_db
def test_batch_endpoint_limits_and_malformed_json(
    api: APIClient, setup: Any, settings: Any
) -> None:
    settings.USAGE_MAX_BATCH = 3
    events = [ev(f"b{i}", calls=i) for i in range(4)]
    too_many = api.post("/api/v1/events/batch", {"events": events}, format="json")
    assert too_many.status_code == 413
    assert too_many.json()["errors"][0]["code"] == "too_many"
    broken = api.post("/api/v1/events/batch", data='{"events": [', content_type="application/json")
    assert broken.status_code == 400
    assert broken.json()["errors"][0]["code"] == "parse_error"
    not_a_list = api.post("/api/v1/events/batch", {"events": "x"}, format="json")
    assert not_a_list.status_code == 400
    ok = api.post("/api/v1/events/batch", {"events": events[:3]}, format="json")
    assert ok.json()["accepted"] == 3
    assert api.post("/api/v1/events/batch", events[:3], format="json").json()["duplicates"] == 3
    assert UsageEvent.objects.count() == 3
    listing = api.get("/api/v1/events/", {"customer": "acme"}).json()
    assert len(listing["results"]) == 3


@pytest.mark.django_db(transaction=True)
def test_the_same_batch_from_two_threads_at_once_counts_once(api_key: Any) -> None:
    CustomerFactory(external_id="acme")
    metric("api_calls", aggregation="sum", field_name="calls")
    events = [ev(f"t{i}", calls=1) for i in range(500)]  # now: within the API's window
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def send() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key[1]}")
        barrier.wait()
        try:
            results.append(
                client.post("/api/v1/events/batch", {"events": events}, format="json").json()
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r["accepted"] for r in results) == [0, 500]
    assert sorted(r["duplicates"] for r in results) == [0, 500]
    assert UsageEvent.objects.count() == 500


@pytest.mark.django_db
def test_current_usage_rates_the_period_so_far(api: APIClient, staff_client: Any) -> None:
    from billing.services import subscription_create
    from tests.billing.subs import priced_plan

    acme = CustomerFactory(external_id="acme")
    calls = metric("api_calls", aggregation="sum", field_name="calls")
    plan = priced_plan("pro", "49")
    version = plan.versions.get()
    from catalog.models import Charge

    Charge.objects.create(
        plan_version=version,
        metric=calls,
        pricing_model="graduated",
        params={
            "tiers": [
                {"from": "0", "to": "1000", "unit_price": "0.10"},
                {"from": "1000", "to": None, "unit_price": "0.08"},
            ]
        },
    )
    now = timezone.now()
    subscription_create(
        customer_id=acme.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=now - timedelta(days=1)
    )
    ingest([ev("u1", calls=1000), ev("u2", calls=234)], as_of=now)
    body = api.get(f"/api/v1/customers/{acme.pk}/usage/").json()
    charge = body["subscriptions"][0]["charges"][0]
    assert (charge["quantity"], charge["events"], charge["estimated_amount"]) == (
        "1234.000000000000",
        2,
        "118.72",
    )
    assert charge["explanation"]["formula"] == "1000 x 0.1 + 234 x 0.08 = 118.72"
    assert "billing_usageevent" in charge["explanation"]["query"]
    page = staff_client.get(f"/admin/billing/customer/{acme.pk}/usage/").content.decode()
    assert "118.72" in page


# ------------------------------------------------------------------------------ backfill


@pytest.mark.django_db
def test_backfill_from_csv_and_ndjson(setup: Any, tmp_path: Path) -> None:
    from io import StringIO

    from django.core.management import call_command

    csv_path = tmp_path / "events.csv"
    csv_path.write_text(
        "event_id,customer,metric,event_time,calls,region\n"
        "c1,acme,api_calls,2026-03-01T00:00:00Z,5,eu\n"
        "c2,acme,api_calls,2026-03-02T00:00:00Z,6.25,us\n"
        "c2,acme,api_calls,2026-03-02T00:00:00Z,6.25,us\n"
        "c3,ghost,api_calls,2026-03-02T00:00:00Z,1,us\n"
    )
    out, err = StringIO(), StringIO()
    call_command("usage_backfill", str(csv_path), stdout=out, stderr=err)
    assert out.getvalue().strip() == "accepted 2, duplicate 1, rejected 1"
    assert "line 5: customer" in err.getvalue()
    nd = tmp_path / "events.ndjson"
    nd.write_text(
        json.dumps(
            {
                "event_id": "n1",
                "customer": "acme",
                "metric": "api_calls",
                "event_time": "2026-03-03T00:00:00Z",
                "properties": {"calls": 1.5},
            }
        )
        + "\n"
        + "{broken\n"
        + json.dumps(
            {
                "event_id": "c1",
                "customer": "acme",
                "metric": "api_calls",
                "event_time": "2026-03-01T00:00:00Z",
                "properties": {"calls": 5},
            }
        )
        + "\n"
    )
    out = StringIO()
    call_command("usage_backfill", str(nd), stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == "accepted 1, duplicate 1, rejected 1"
    assert UsageEvent.objects.get(event_id="c2").properties["region"] == "us"
    assert UsageEvent.objects.get(event_id="n1").value == D("1.5")
    assert BillableMetric.objects.count() == 2


@pytest.mark.django_db
def test_the_batch_endpoint_costs_the_same_statements_for_3_or_30_customers(
    api: APIClient, setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # the whole request: the key, the metrics, the customers named, the batch's temporary table
    # created, filled (COPY: not seen by Django's query log), read by the insert and dropped, and
    # after the commit interim billing's one query (the events' customers as one array parameter)
    def statements(prefix: str, n: int) -> int:
        for i in range(n):
            CustomerFactory(external_id=f"{prefix}{i}")
        events = [ev(f"{prefix}{i}", f"{prefix}{i}", calls=i) for i in range(n)]
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = api.post("/api/v1/events/batch", {"events": events}, format="json")
        assert response.json()["accepted"] == n
        return len(queries)

    statements("first", 1)  # the key's first use of the day is recorded once
    assert statements("three", 3) == statements("thirty", 30) == 9


@pytest.mark.django_db
def test_text_with_copy_s_special_characters_is_stored_as_sent(setup: Any) -> None:
    # the batch travels in COPY's text format: backslash, tab, newline and carriage return
    # escaped in the event id and the properties
    odd = "a\\b\tc\nd\re\\N"
    report = ingest([ev(odd, calls=1, note=odd), ev("plain", calls=2, path="C:\\x\\")])
    assert report.count("accepted") == 2
    stored = UsageEvent.objects.get(event_id=odd)
    assert (stored.value, stored.properties) == (D("1"), {"calls": 1, "note": odd})
    assert UsageEvent.objects.get(event_id="plain").properties == {"calls": 2, "path": "C:\\x\\"}
    assert ingest([ev(odd, calls=1)]).count("duplicate") == 1
