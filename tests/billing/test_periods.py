"""Billing periods from the anchor: month-end clamping, leap years, local midnights across
daylight-saving changes, weekly and quarterly intervals, calendar alignment."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from billing.periods import (
    Interval,
    boundary_date,
    calendar_anchor,
    period,
    period_at,
    periods,
)

MONTH = Interval("month")


def test_a_year_of_periods_from_a_jan_31_anchor() -> None:
    anchor = date(2025, 1, 31)
    starts = [boundary_date(anchor, MONTH, n) for n in range(13)]
    assert [d.isoformat() for d in starts] == [
        "2025-01-31",
        "2025-02-28",
        "2025-03-31",
        "2025-04-30",
        "2025-05-31",
        "2025-06-30",
        "2025-07-31",
        "2025-08-31",
        "2025-09-30",
        "2025-10-31",
        "2025-11-30",
        "2025-12-31",
        "2026-01-31",
    ]
    assert boundary_date(date(2024, 1, 31), MONTH, 1) == date(2024, 2, 29)  # leap year
    # each period ends where the next begins: no gaps, no overlaps
    ps = periods(anchor, MONTH, "UTC", 0, 12)
    assert all(a.end == b.start for a, b in itertools.pairwise(ps))


def test_feb_29_anchors_across_leap_and_common_years() -> None:
    anchor = date(2024, 2, 29)
    yearly = [boundary_date(anchor, Interval("year"), n) for n in range(5)]
    assert yearly == [
        date(2024, 2, 29),
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
        date(2028, 2, 29),
    ]
    monthly = [boundary_date(anchor, MONTH, n) for n in (0, 1, 12, 24, 48)]
    assert monthly == [
        date(2024, 2, 29),
        date(2024, 3, 29),
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2028, 2, 29),
    ]


def test_new_york_periods_across_daylight_saving_changes() -> None:
    zone = "America/New_York"
    march = period(date(2024, 3, 1), MONTH, 0, zone)
    assert march.start == datetime(2024, 3, 1, 5, tzinfo=UTC)  # midnight EST
    assert march.end == datetime(2024, 4, 1, 4, tzinfo=UTC)  # midnight EDT
    assert march.seconds == (31 * 24 - 1) * 3600  # the spring-forward hour is missing
    november = period(date(2024, 11, 1), MONTH, 0, zone)
    assert november.seconds == (30 * 24 + 1) * 3600
    for p in (march, november):
        assert p.start.astimezone(ZoneInfo(zone)).hour == 0
        assert p.end.astimezone(ZoneInfo(zone)).hour == 0


def test_sydney_periods_across_daylight_saving_changes() -> None:
    zone = "Australia/Sydney"
    april = period(date(2024, 4, 1), MONTH, 0, zone)  # DST ends on Apr 7
    assert april.start == datetime(2024, 3, 31, 13, tzinfo=UTC)  # midnight AEDT (+11)
    assert april.end == datetime(2024, 4, 30, 14, tzinfo=UTC)  # midnight AEST (+10)
    assert april.seconds == (30 * 24 + 1) * 3600
    october = period(date(2024, 10, 1), MONTH, 0, zone)  # DST starts on Oct 6
    assert october.seconds == (31 * 24 - 1) * 3600


def test_every_7_days_and_every_3_months() -> None:
    weekly = Interval("day", 7)
    starts = [p.start.date() for p in periods(date(2024, 12, 30), weekly, "UTC", 0, 4)]
    assert starts == [date(2024, 12, 30), date(2025, 1, 6), date(2025, 1, 13), date(2025, 1, 20)]
    quarterly = Interval("month", 3)
    qs = [p.start.date() for p in periods(date(2024, 11, 30), quarterly, "UTC", 0, 5)]
    assert qs == [
        date(2024, 11, 30),
        date(2025, 2, 28),
        date(2025, 5, 30),
        date(2025, 8, 30),
        date(2025, 11, 30),
    ]
    biweekly = Interval("week", 2)
    assert period(date(2024, 1, 1), biweekly, 1, "UTC").start.date() == date(2024, 1, 15)


def test_period_at_finds_the_containing_period_from_the_anchor() -> None:
    anchor = date(2024, 1, 31)
    assert period_at(anchor, MONTH, datetime(2024, 3, 15, tzinfo=UTC), "UTC").index == 1
    assert period_at(anchor, MONTH, datetime(2024, 2, 29, tzinfo=UTC), "UTC").index == 1
    assert period_at(anchor, MONTH, datetime(2024, 2, 28, 23, 59, tzinfo=UTC), "UTC").index == 0
    assert period_at(anchor, MONTH, datetime(2023, 12, 15, tzinfo=UTC), "UTC").index == -2


def test_calendar_alignment_starts_on_the_first() -> None:
    start = datetime(2024, 1, 15, 10, tzinfo=UTC)
    assert calendar_anchor(start, MONTH, "Europe/Berlin") == date(2024, 2, 1)
    on_first = datetime(2024, 2, 29, 23, tzinfo=UTC)  # Mar 1 00:00 in Berlin
    assert calendar_anchor(on_first, MONTH, "Europe/Berlin") == date(2024, 3, 1)
    assert calendar_anchor(start, Interval("year"), "UTC") == date(2025, 1, 1)
    assert calendar_anchor(start, Interval("week"), "UTC") == date(2024, 1, 22)  # a Monday


zones = st.sampled_from(
    [
        "UTC",
        "America/New_York",
        "Australia/Sydney",
        "Europe/Berlin",
        "Asia/Kolkata",
        "Pacific/Chatham",
        "America/Santiago",
    ]
)
anchors = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
intervals = st.builds(
    Interval, st.sampled_from(["day", "week", "month", "year"]), st.integers(1, 12)
)


@given(anchor=anchors, interval=intervals, zone=zones, n=st.integers(-50, 200))
def test_periods_tile_time_and_start_at_local_midnight(
    anchor: date, interval: Interval, zone: str, n: int
) -> None:
    p, q = period(anchor, interval, n, zone), period(anchor, interval, n + 1, zone)
    assert p.end == q.start
    assert p.end > p.start
    local = p.start.astimezone(ZoneInfo(zone))
    assert local.date() == boundary_date(anchor, interval, n)
    assert local.hour in (0, 1)  # 1 only where midnight does not exist (a DST jump at midnight)


@given(anchor=anchors, interval=intervals, zone=zones, offset=st.integers(-(10**9), 10**9))
def test_period_at_contains_the_instant(
    anchor: date, interval: Interval, zone: str, offset: int
) -> None:
    instant = datetime(2040, 6, 1, tzinfo=UTC) + timedelta(seconds=offset)
    found = period_at(anchor, interval, instant, zone)
    assert found.start <= instant < found.end


@given(day=st.integers(1, 31), months=st.integers(0, 600))
def test_month_boundaries_come_from_the_anchor_never_the_previous_period(
    day: int, months: int
) -> None:
    anchor = date(2023, 1, day)
    boundary = boundary_date(anchor, MONTH, months)
    assert boundary.day == min(
        day,
        (boundary.replace(day=28) + timedelta(days=4))
        .replace(day=1)
        .__sub__(timedelta(days=1))
        .day,
    )
