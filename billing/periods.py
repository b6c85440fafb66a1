"""Billing periods. Pure: no ORM, no clock.

A subscription's periods come from its billing anchor, a *local date* in the customer's time zone,
plus n x interval, and every boundary is local midnight of that date:

    boundary(n) = midnight, in the customer's zone, of (anchor + n x interval)

Months and years clamp the day to the month's end: an anchor of Jan 31 gives Feb 28 (Feb 29 in a
leap year), Mar 31, Apr 30 ... always computed from the anchor, never from the previous period, so
a short month never shortens the ones after it. Days and weeks add 1 or 7 days per unit. Because
boundaries are local midnights, a period that spans a daylight-saving change is an hour shorter or
longer in UTC; proration (see `fraction`) counts real seconds.

Calendar alignment (an option of the plan): the anchor is the first calendar boundary on or after
the start (the 1st of a month, Jan 1, a Monday), and the time from the start to it is a shorter
first period (a "stub"), prorated.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

UNITS = ("day", "week", "month", "year")


@dataclass(frozen=True)
class Interval:
    unit: str
    count: int = 1

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"Unknown interval unit {self.unit!r}.")
        if self.count < 1:
            raise ValueError("An interval counts at least 1 unit.")


@dataclass(frozen=True)
class Period:
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC, exclusive
    index: int  # n: the period starting at boundary(n); -1 for a calendar-aligned stub

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


def add_months(day: date, months: int, anchor_day: int | None = None) -> date:
    """`day` moved by `months`, its day of month clamped to the month's end. `anchor_day` is the
    day to aim for (the anchor's), so Jan 31 + 1 = Feb 28 and Jan 31 + 2 = Mar 31."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    wanted = anchor_day if anchor_day is not None else day.day
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def boundary_date(anchor: date, interval: Interval, n: int) -> date:
    if interval.unit == "day":
        return anchor + timedelta(days=n * interval.count)
    if interval.unit == "week":
        return anchor + timedelta(weeks=n * interval.count)
    months = n * interval.count * (12 if interval.unit == "year" else 1)
    return add_months(anchor, months, anchor.day)


@lru_cache(maxsize=1024)
def interval(unit: str, count: int = 1) -> Interval:
    """The Interval of a unit and count (one object for each: the billing run asks for a
    subscription's many times)."""
    return Interval(unit, count)


@lru_cache(maxsize=65536)
def local_midnight(day: date, zone: str) -> datetime:
    """Midnight of `day` in `zone`, as a UTC instant. Where midnight does not exist (a DST jump
    at midnight), the instant is the first one of that day. Memoized: a billing run asks for the
    same few days of the same zones again and again."""
    tz = ZoneInfo(zone)
    local = datetime.combine(day, time(0), tzinfo=tz)
    instant = local.astimezone(UTC)
    # a non-existent local midnight maps forward; one that occurs twice takes the first (fold=0)
    return instant


def boundary(anchor: date, interval: Interval, n: int, zone: str) -> datetime:
    return local_midnight(boundary_date(anchor, interval, n), zone)


def period(anchor: date, interval: Interval, n: int, zone: str) -> Period:
    return Period(boundary(anchor, interval, n, zone), boundary(anchor, interval, n + 1, zone), n)


@lru_cache(maxsize=65536)
def local_date(instant: datetime, zone: str) -> date:
    return instant.astimezone(ZoneInfo(zone)).date()


def period_at(anchor: date, interval: Interval, instant: datetime, zone: str) -> Period:
    """The anchored period that contains `instant` (which may be before the anchor)."""
    day = local_date(instant, zone)
    if interval.unit in ("day", "week"):
        step = interval.count * (7 if interval.unit == "week" else 1)
        n = (day - anchor).days // step
    else:
        months = (day.year - anchor.year) * 12 + (day.month - anchor.month)
        step = interval.count * (12 if interval.unit == "year" else 1)
        n = months // step
    # the estimate is off by at most one period either way (clamped days, DST, local midnights)
    while boundary(anchor, interval, n, zone) > instant:
        n -= 1
    while boundary(anchor, interval, n + 1, zone) <= instant:
        n += 1
    return period(anchor, interval, n, zone)


def periods(anchor: date, interval: Interval, zone: str, first: int, count: int) -> list[Period]:
    return [period(anchor, interval, n, zone) for n in range(first, first + count)]


def calendar_anchor(start: datetime, interval: Interval, zone: str) -> date:
    """The first calendar boundary on or after `start` (local): the 1st of the month, Jan 1,
    or a Monday; the start itself when it already is one. Days have no calendar alignment."""
    day = local_date(start, zone)
    on_boundary = local_midnight(day, zone) == start
    if interval.unit == "day":
        return day if on_boundary else day + timedelta(days=1)
    if interval.unit == "week":
        if day.weekday() == 0 and on_boundary:
            return day
        return day + timedelta(days=7 - day.weekday())
    if interval.unit == "month":
        if day.day == 1 and on_boundary:
            return day
        return add_months(date(day.year, day.month, 1), 1)
    if day.month == 1 and day.day == 1 and on_boundary:
        return day
    return date(day.year + 1, 1, 1)


def fraction(part_start: datetime, part_end: datetime, period: Period) -> Decimal:
    """The share of `period` covered by [part_start, part_end), by the second: the proration rule.
    Exact as a fraction of whole seconds; callers multiply and round the line once."""
    start = max(part_start, period.start)
    end = min(part_end, period.end)
    if end <= start:
        return Decimal(0)
    covered = int((end - start).total_seconds())
    return Decimal(covered) / Decimal(period.seconds)
