"""Issue 11, items 1, 4, 7 and 12: hostile usage events. One bad event is that event's own
rejection (400 alone, a per-event error in a batch, the good events beside it stored exactly
once), event times are bounded by a window whose partitions the clock creates (never a request),
the 8 KB property limit counts the JSON as stored, and numbers get precise codes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import orjson
import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from billing.models import UsageEvent
from billing.services import usage_ingest, usage_partitions_ahead
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import metric
from tests.conftest import TEST_ACTOR

D = Decimal
NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
GOOD = '{"event_id": "%s", "customer": "acme", "metric": "api_calls", "properties": {"calls": 1}}'


def event(*, event_id: str = '"bad"', customer: str = '"acme"', calls: str = "1", extra: str = "",
          time: str = "") -> str:  # fmt: skip
    """One event as JSON text, so that any literal (NUL escapes, huge numbers) can be written."""
    at = f', "event_time": {time}' if time else ""
    return (
        f'{{"event_id": {event_id}, "customer": {customer}, "metric": "api_calls"{at}, '
        f'"properties": {{"calls": {calls}{extra}}}}}'
    )


@pytest.fixture
def setup(db: None) -> Iterator[None]:
    CustomerFactory(external_id="acme")
    metric("api_calls", aggregation="sum", field_name="calls")
    with time_machine.travel(NOW, tick=False):
        yield


def stored_ids() -> list[str]:
    return sorted(UsageEvent.objects.values_list("event_id", flat=True))


def table_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relkind IN ('r', 'p')")
        tables = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_inherits")
        return int(tables) + int(cursor.fetchone()[0])


REJECTED = [
    # text PostgreSQL cannot store, wherever it is
    ("nul_event_id", event(event_id='"a\\u0000b"'), "event_id", "invalid_text"),
    ("nul_customer", event(customer='"ac\\u0000me"'), "customer", "invalid_text"),
    ("nul_property", event(extra=', "region": "eu\\u0000"'), "properties.region", "invalid_text"),
    ("nul_property_key", event(extra=', "re\\u0000gion": "eu"'), "properties", "invalid_key"),
    ("surrogate_event_id", event(event_id='"\\ud800"'), "event_id", "invalid_text"),
    ("surrogate_property", event(extra=', "r": "\\udfff"'), "properties.r", "invalid_text"),
    # numbers beyond what a value can be (below 10^26 once kept to 12 places)
    ("10^26", event(calls="1" + "0" * 26), "properties.calls", "out_of_range"),
    ("1e30", event(calls="1e30"), "properties.calls", "out_of_range"),
    ("-1e30", event(calls="-1e30"), "properties.calls", "out_of_range"),
    ("20000_digit_integer", event(calls="9" * 20_000), "properties.calls", "out_of_range"),
    # the 8 KB limit counts the JSON as stored: long numeric literals count in full
    ("20000_digit_decimal", event(calls="0." + "1" * 20_000), "properties", "too_large"),
    ("9000_digit_property", event(extra=', "n": ' + "7" * 9_000), "properties", "too_large"),
    ("9000_digit_fraction", event(extra=', "n": 1.' + "1" * 9_000), "properties", "too_large"),
    # an exponent no decimal can hold
    (
        "exponent_9000_digits",
        event(extra=', "n": 1E-2' + "0" * 9_000),
        "properties.n",
        "out_of_range",
    ),
    ("exponent_30_digits", event(calls="1E+" + "9" * 30), "properties.calls", "out_of_range"),
    # times out of range, or outside the window the API takes
    ("year_1_plus_14", event(time='"0001-01-01T00:00:00+14:00"'), "event_time", "out_of_range"),
    ("year_9999_minus_14", event(time='"9999-12-31T23:59:59-14:00"'), "event_time", "out_of_range"),
    ("year_1", event(time='"0001-01-01T00:00:00Z"'), "event_time", "too_old"),
    ("1970", event(time='"1970-01-01T00:00:00Z"'), "event_time", "too_old"),
    ("far_future", event(time='"2030-01-01T00:00:00Z"'), "event_time", "in_the_future"),
    # negative values on a metric that does not allow them (the default)
    ("negative", event(calls="-5"), "properties.calls", "negative"),
    # a measured value that is not zero yet vanishes once kept to 12 decimal places
    ("1E-20000", event(calls="1E-20000"), "properties.calls", "out_of_range"),
    ("negative_text", event(calls='"-0.5"'), "properties.calls", "negative"),
]


@pytest.mark.parametrize(("name", "bad", "field", "code"), REJECTED, ids=[c[0] for c in REJECTED])
def test_a_bad_event_alone_is_a_400_naming_its_field(
    api: APIClient, setup: None, name: str, bad: str, field: str, code: str
) -> None:
    response = api.post("/api/v1/events", data=bad, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == (field, code)
    assert stored_ids() == []


@pytest.mark.parametrize(("name", "bad", "field", "code"), REJECTED, ids=[c[0] for c in REJECTED])
def test_a_bad_event_in_a_batch_is_its_own_rejection_and_the_good_ones_are_stored_once(
    api: APIClient, setup: None, name: str, bad: str, field: str, code: str
) -> None:
    document = f'{{"events": [{GOOD % "good-1"}, {bad}, {GOOD % "good-2"}]}}'
    for attempt in range(2):  # the same batch again: nothing stored twice
        response = api.post("/api/v1/events/batch", data=document, content_type="application/json")
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        statuses = [o["status"] for o in body["events"]]
        good = "accepted" if attempt == 0 else "duplicate"
        assert statuses == [good, "rejected", good]
        [error] = body["events"][1]["errors"]
        assert (error["field"], error["code"]) == (field, code)
    assert stored_ids() == ["good-1", "good-2"]


ACCEPTED = [
    # integers of 2^64 and more, under the documented limit: kept as exact decimals
    ("2^64", event(calls=str(2**64)), D(2**64)),
    ("10^25", event(calls="1" + "0" * 25), D(10) ** 25),
    ("2^64_in_another_property", event(extra=f', "n": {2**64}, "m": -{2**70}'), D(1)),
    # a property that is not measured keeps its number as sent
    ("1E-20000_in_another_property", event(extra=', "n": 1E-20000'), D(1)),
]


@pytest.mark.parametrize(("name", "text", "value"), ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_large_and_tiny_numbers_within_the_limits_are_stored_exactly(
    api: APIClient, setup: None, name: str, text: str, value: Decimal
) -> None:
    response = api.post("/api/v1/events", data=text, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    other = text.replace('"bad"', '"other"')
    document = f'{{"events": [{GOOD % "good-1"}, {other}]}}'
    response = api.post("/api/v1/events/batch", data=document, content_type="application/json")
    assert [o["status"] for o in response.json()["events"]] == ["accepted", "accepted"]
    stored = UsageEvent.objects.get(event_id="bad")
    assert stored.value == value
    raw = orjson.loads(text)["properties"] if "E-" not in text else None
    if raw is not None and "n" in raw:  # numbers beyond 64 bits: kept exact, as text
        assert D(stored.properties["n"]) == D(raw["n"])
        assert D(stored.properties["m"]) == -(D(2) ** 70)


def test_the_property_limit_is_the_size_of_the_json_as_stored(setup: None) -> None:
    def with_blob(size: int) -> dict[str, Any]:
        return {"event_id": f"e{size}", "customer": "acme", "metric": "api_calls",
                "properties": {"calls": 1, "blob": "x" * size}}  # fmt: skip

    overhead = len(orjson.dumps({"calls": 1, "blob": ""}))
    report = usage_ingest(
        events=[with_blob(8192 - overhead), with_blob(8193 - overhead)],
        actor=TEST_ACTOR,
        as_of=NOW,
    )
    assert [o.status for o in report.outcomes] == ["accepted", "rejected"]
    assert report.outcomes[1].errors[0]["message"] == "properties is at most 8192 bytes as JSON."
    stored = UsageEvent.objects.get()
    assert len(orjson.dumps(stored.properties)) == 8192


# ------------------------------------------------------------------------ the window (item 4)


def ingest(events: list[Any], as_of: datetime = NOW, **options: Any) -> Any:
    return usage_ingest(events=events, actor=TEST_ACTOR, as_of=as_of, **options)


def at(event_id: str, when: str, calls: Any = 1) -> dict[str, Any]:
    return {"event_id": event_id, "customer": "acme", "metric": "api_calls", "event_time": when,
            "properties": {"calls": calls}}  # fmt: skip


def test_the_window_is_the_current_and_previous_months(setup: None) -> None:
    report = ingest([at("in", "2026-01-01T00:00:00Z"), at("out", "2025-12-31T23:59:59Z")])
    assert [o.status for o in report.outcomes] == ["accepted", "rejected"]
    error = report.outcomes[1].errors[0]
    assert (error["field"], error["code"]) == ("event_time", "too_old")
    assert "2026-01-01" in error["message"]
    assert "manage.py usage_backfill" in error["message"]
    with override_settings(USAGE_MAX_AGE_MONTHS=0):
        report = ingest([at("march", "2026-03-01T00:00:00Z"), at("feb", "2026-02-28T23:00:00Z")])
    assert [o.status for o in report.outcomes] == ["accepted", "rejected"]


def test_a_batch_over_120_past_months_creates_no_table_and_is_rejected_per_event(
    api: APIClient, setup: None
) -> None:
    months = [divmod(2026 * 12 + 2 - i, 12) for i in range(120)]  # March 2026 and back
    months = [(year, index + 1) for year, index in months]
    events = [at(f"m{y}-{m}", f"{y:04d}-{m:02d}-10T00:00:00Z") for y, m in months]
    before = table_count()
    response = api.post("/api/v1/events/batch", data={"events": events}, format="json")
    assert response.status_code == 200
    outcomes = response.json()["events"]
    assert [o["status"] for o in outcomes[:3]] == ["accepted"] * 3  # March, February, January
    assert {o["status"] for o in outcomes[3:]} == {"rejected"}
    assert {o["errors"][0]["code"] for o in outcomes[3:]} == {"too_old"}
    assert table_count() == before


def partitions() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'billing_usageevent'"
        )
        return {row[0] for row in cursor.fetchall()}


def test_the_clock_creates_the_windows_partitions_and_moves_what_waited_in_the_default(
    setup: None,
) -> None:
    as_of = datetime(2031, 5, 15, tzinfo=UTC)  # months no test has a partition for
    before = partitions()
    report = ingest([at("early", "2031-05-02T00:00:00Z"), at("april", "2031-04-30T00:00:00Z")],
                    as_of=as_of)  # fmt: skip
    assert report.count("accepted") == 2
    assert partitions() == before  # the request created nothing: the events wait in the default
    created = usage_partitions_ahead(as_of=as_of)
    expected = {f"billing_usageevent_y2031m{m:02d}" for m in (3, 4, 5, 6, 7, 8)}
    assert set(created) == expected  # two months back, this one, three ahead
    assert partitions() - before == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM billing_usageevent_default")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT event_id FROM billing_usageevent_y2031m05")
        assert [r[0] for r in cursor.fetchall()] == ["early"]
    assert sorted(UsageEvent.objects.values_list("event_id", flat=True)) == ["april", "early"]
    assert usage_partitions_ahead(as_of=as_of) == []


def test_the_backfill_loads_older_usage_and_creates_its_partitions(
    setup: None, tmp_path: Path
) -> None:
    path = tmp_path / "old.csv"
    path.write_text(
        "event_id,customer,metric,event_time,calls\n"
        "o1,acme,api_calls,2024-07-04T00:00:00Z,5\n"
        "o2,acme,api_calls,1970-01-01T00:00:00Z,5\n"
    )
    out, err = StringIO(), StringIO()
    call_command("usage_backfill", str(path), "--since", "2020-01-01", stdout=out, stderr=err)
    assert out.getvalue().strip() == "accepted 1, duplicate 0, rejected 1"
    assert "line 3: event_time" in err.getvalue()
    assert "billing_usageevent_y2024m07" in partitions()
    assert "billing_usageevent_y1970m01" not in partitions()
    assert stored_ids() == ["o1"]


# -------------------------------------------------------------------------- negatives (item 12)


def test_negative_values_are_a_per_metric_setting(setup: None) -> None:
    metric("refunds", aggregation="sum", field_name="amount", allow_negative=True)
    report = ingest(
        [
            at("neg", "2026-03-01T00:00:00Z", calls=-3),
            {"event_id": "r1", "customer": "acme", "metric": "refunds",
             "properties": {"amount": "-2.5"}},
        ]
    )  # fmt: skip
    assert [o.status for o in report.outcomes] == ["rejected", "accepted"]
    error = report.outcomes[0].errors[0]
    assert (error["field"], error["code"]) == ("properties.calls", "negative")
    assert "allow_negative" in error["message"]
    assert UsageEvent.objects.get(event_id="r1").value == D("-2.5")
    # a weighted sum's values are changes to a level: a fall is negative, always taken
    metric("storage", aggregation="weighted_sum", field_name="gb")
    report = ingest([{"event_id": "w1", "customer": "acme", "metric": "storage",
                      "properties": {"gb": -3}}])  # fmt: skip
    assert report.outcomes[0].status == "accepted"


def test_out_of_range_names_the_limit(setup: None) -> None:
    report = ingest([at("big", "2026-03-01T00:00:00Z", calls=D("1e30"))])
    error = report.outcomes[0].errors[0]
    assert error["code"] == "out_of_range"
    assert "10^26" in error["message"]


def test_allow_negative_through_the_api_and_the_admin(
    api: APIClient, setup: None, staff_client: Any
) -> None:
    response = api.post(
        "/api/v1/metrics/",
        data={"code": "credits", "name": "Credits", "aggregation": "sum", "field_name": "n",
              "allow_negative": True},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["allow_negative"] is True
    listed = api.get("/api/v1/metrics/").json()["results"]
    assert {m["code"]: m["allow_negative"] for m in listed} == {"api_calls": False, "credits": True}
    for aggregation, field_name in (("count", ""), ("weighted_sum", "gb")):
        response = api.post(  # a count reads no number; a weighted sum takes falls always
            "/api/v1/metrics/",
            data={"code": "hits", "name": "Hits", "aggregation": aggregation,
                  "field_name": field_name, "allow_negative": True},
            format="json",
        )  # fmt: skip
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "allow_negative"
    page = staff_client.get("/admin/catalog/billablemetric/add/")
    assert page.status_code == 200
    assert b'name="allow_negative"' in page.content
