"""Proration by whole days (a price book's proration_unit "day", with proration_change_day "new"
or "old"), on the pure rules: billing/proration.py, billing/lifecycle.py and the planner's fee
line. Amounts computed by hand in the comments."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from billing import lifecycle, periods, proration
from billing.lifecycle import State
from billing.periods import Interval, Period
from catalog.money import quantize
from catalog.pricebook import PriceBook
from invoicing import planner

D = Decimal


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def book(
    fee: str,
    *,
    unit: str = "day",
    day: str = "new",
    timing: str = "advance",
    id: int = 1,
    name: str = "Pro",
    minimum: str | None = None,
) -> PriceBook:
    return PriceBook(
        id=id,
        plan_id=id,
        plan_name=name,
        label=f"{name.lower()}@v1",
        currency="USD",
        fixed_fee=D(fee),
        fee_timing=timing,
        effective_from=utc(2020, 1, 1),
        proration_unit=unit,
        proration_change_day=day,
        minimum_commitment=D(minimum) if minimum is not None else None,
    )


def state(
    the_book: PriceBook,
    *,
    zone: str = "UTC",
    anchor: date = date(2025, 4, 1),
    start: datetime | None = None,
    calendar: bool = False,
    quantity: int = 1,
) -> State:
    start_at = start or periods.local_midnight(anchor, zone)
    s = State(
        id=7,
        customer_id=3,
        zone=zone,
        interval=Interval("month"),
        calendar_aligned=calendar,
        anchor=anchor,
        start_at=start_at,
        trial_end=None,
        status=lifecycle.ACTIVE,
        quantity=quantity,
        book=the_book,
        period=Period(start_at, start_at, 0),
        fee_since=start_at,
    )
    return lifecycle.with_period(s, start_at)


def amounts(lines: list[proration.Line]) -> list[tuple[str, Decimal]]:
    return [(line.kind, line.rounded) for line in lines]


# April 2025: 30 days. A fee of 300 is 10 a day; the new plan's 600 is 20 a day.
APRIL_10_AFTERNOON = utc(2025, 4, 10, 14)


def test_a_change_on_day_10_billed_at_the_new_terms_from_that_day() -> None:
    # "new": the old terms run to Apr 10 00:00, the new from then: Apr 10..30 = 21 days
    # credit -300 x 21/30 = -210.00; charge 600 x 21/30 = 420.00
    old = state(book("300", day="new"))
    new, lines = lifecycle.changed(
        old, APRIL_10_AFTERNOON, book("600", day="new", id=2, name="Max"), 1, prorate=True
    )
    assert amounts(lines) == [("credit", D("-210.00")), ("charge", D("420.00"))]
    credit, charge = lines
    assert (credit.start, credit.end) == (utc(2025, 4, 10), utc(2025, 5, 1))
    assert credit.explanation["rule"] == (
        "proration by whole days (the day of a change at the new terms)"
    )
    assert credit.explanation["formula"] == "-300 x 1 x 21 days / 30 days = -210"
    assert (credit.explanation["part_days"], credit.explanation["period_days"]) == (21, 30)
    assert charge.explanation["formula"] == "600 x 1 x 21 days / 30 days = 420"
    assert credit.description == "Unused time on pro@v1 x 1 (2025-04-10 to 2025-05-01)"
    # the new terms' fee runs from the instant both lines split at: Apr 10 00:00
    assert new.fee_since == utc(2025, 4, 10)


def test_a_change_on_day_10_billed_at_the_old_terms_that_day() -> None:
    # "old": the old terms run through Apr 10, the new from Apr 11 00:00: 20 days
    # credit -300 x 20/30 = -200.00; charge 600 x 20/30 = 400.00
    old = state(book("300", day="old"))
    _, lines = lifecycle.changed(
        old, APRIL_10_AFTERNOON, book("600", day="old", id=2, name="Max"), 1, prorate=True
    )
    assert amounts(lines) == [("credit", D("-200.00")), ("charge", D("400.00"))]
    assert lines[0].start == utc(2025, 4, 11)
    assert lines[0].explanation["rule"].endswith("(the day of a change at the old terms)")


def test_by_the_second_the_same_change_splits_the_day() -> None:
    # the default: 20 days 10 hours left = 1,764,000 s of 2,592,000 s
    # credit -300 x 1764000/2592000 = -204.1666.. -> -204.17; charge 600 x .. = 408.33
    old = state(book("300", unit="second"))
    _, lines = lifecycle.changed(
        old, APRIL_10_AFTERNOON, book("600", unit="second", id=2, name="Max"), 1, prorate=True
    )
    assert amounts(lines) == [("credit", D("-204.17")), ("charge", D("408.33"))]
    assert lines[0].explanation["rule"] == "proration by the second"
    assert lines[0].explanation["formula"].startswith("-300 x 1 x 1764000 / 2592000 s = -204.1666")


def test_the_day_is_the_customers_local_day() -> None:
    # New York (EDT, UTC-4): periods run from local midnight (04:00 UTC). A change at
    # Apr 10 02:00 UTC is Apr 9 22:00 there: the day of the change is Apr 9.
    # "new": Apr 9..30 = 22 days: -300 x 22/30 = -220.00; "old": from Apr 10: 21 days -> -210.00
    at = utc(2025, 4, 10, 2)
    for day, credit, start in (("new", "-220.00", 9), ("old", "-210.00", 10)):
        old = state(book("300", day=day), zone="America/New_York")
        assert old.period.start == utc(2025, 4, 1, 4)
        _, lines = lifecycle.changed(
            old, at, book("600", day=day, id=2, name="Max"), 1, prorate=True
        )
        assert lines[0].rounded == D(credit)
        assert lines[0].start == utc(2025, 4, start, 4)  # local midnight
        assert lines[0].description.endswith(f"(2025-04-{start:02d} to 2025-05-01)")


def test_each_line_is_priced_by_its_own_books_rule_at_one_instant() -> None:
    # by the second to by whole days ("new"): the change splits at the new book's instant,
    # Apr 10 00:00, for both lines. The old plan's credit by the second from then: 21 days of
    # 30 = 1,814,400 s of 2,592,000 s: -300 x 1814400/2592000 = -210.00; the new plan's charge
    # by whole days from Apr 10: 600 x 21/30 = 420.00. No part of Apr 10 billed twice.
    old = state(book("300", unit="second"))
    new, lines = lifecycle.changed(
        old, APRIL_10_AFTERNOON, book("600", id=2, name="Max"), 1, prorate=True
    )
    assert amounts(lines) == [("credit", D("-210.00")), ("charge", D("420.00"))]
    assert lines[0].explanation["formula"] == "-300 x 1 x 1814400 / 2592000 s = -210"
    assert (lines[0].start, lines[1].start, new.fee_since) == (utc(2025, 4, 10),) * 3
    # by whole days ("old") to by the second: the old book's rule splits, at Apr 11 00:00:
    # credit -300 x 20/30 = -200.00; charge by the second from Apr 11: 600 x 20/30 = 400.00
    old = state(book("300", day="old"))
    new, lines = lifecycle.changed(
        old, APRIL_10_AFTERNOON, book("600", unit="second", id=2, name="Max"), 1, prorate=True
    )
    assert amounts(lines) == [("credit", D("-200.00")), ("charge", D("400.00"))]
    assert new.fee_since == utc(2025, 4, 11)


def test_books_with_other_change_day_rules_bill_the_change_day_once() -> None:
    # Pro 300 by day "old" -> Max 600 by day "new", in advance, on Apr 10 14:00. The new book's
    # rule decides: the day of the change is at the new terms, split at Apr 10 00:00 for both
    # lines: credit -300 x 21/30 = -210.00, charge 600 x 21/30 = 420.00 (net 210.00 = 10 x 21
    # days more). Before the fix the credit snapped by "old" (-300 x 20/30 = -200) and the
    # charge by "new" (420): Apr 10 billed at both prices (net 220.00).
    old = state(book("300", day="old"))
    new, lines = lifecycle.changed(
        old, APRIL_10_AFTERNOON, book("600", day="new", id=2, name="Max"), 1, prorate=True
    )
    assert amounts(lines) == [("credit", D("-210.00")), ("charge", D("420.00"))]
    assert sum(line.rounded for line in lines) == D("210.00")
    # the other way, "new" -> "old": split at Apr 11 00:00 (the new book's "old"), 20 days:
    # credit -300 x 20/30 = -200.00, charge 600 x 20/30 = 400.00: Apr 10 at the old price only
    old = state(book("300", day="new"))
    new, lines = lifecycle.changed(
        old, APRIL_10_AFTERNOON, book("600", day="old", id=2, name="Max"), 1, prorate=True
    )
    assert amounts(lines) == [("credit", D("-200.00")), ("charge", D("400.00"))]
    # in arrears: the used part at the old price to the split, the new fee from it. Old "old"
    # -> new "new" arrears: used Apr 1..9 = 300 x 9/30 = 90.00 charged now; the period end
    # charges 600 x 21/30 = 420.00 from Apr 10: 30 days billed once.
    old = state(book("300", day="old", timing="arrears"))
    new, lines = lifecycle.changed(
        old, APRIL_10_AFTERNOON,
        book("600", day="new", id=2, name="Max", timing="arrears"), 1, prorate=True,
    )  # fmt: skip
    assert amounts(lines) == [("charge", D("90.00"))]
    step = planner.Step(new.id, planner.PERIOD_END, new.period, new.period.end)
    (fee,) = planner.step_lines(step, new, [], planner.Usage())
    assert fee.amount == D("420.00")


def test_a_cancellation_mid_period() -> None:
    # canceled Apr 20 09:00. In advance (300 paid for April): "new" credits Apr 20..30 = 11
    # days: -300 x 11/30 = -110.00; "old" bills Apr 20 too: 10 days, -100.00.
    # In arrears: "new" charges Apr 1..19 = 19 days: 300 x 19/30 = 190.00; "old" 20 days: 200.00
    at = utc(2025, 4, 20, 9)
    expected = {
        ("advance", "new"): ("credit", D("-110.00")),
        ("advance", "old"): ("credit", D("-100.00")),
        ("arrears", "new"): ("charge", D("190.00")),
        ("arrears", "old"): ("charge", D("200.00")),
    }
    for (timing, day), line in expected.items():
        s = state(book("300", day=day, timing=timing))
        assert amounts(lifecycle.cancel_lines(s, at)) == [line]


def test_a_calendar_stub_by_whole_days_and_by_the_second() -> None:
    # Paris, a calendar-aligned monthly plan of 310 started Mar 20 2025 10:00: the stub runs
    # from Mar 20 (local midnight) to Apr 1, a share of March (31 days).
    # by whole days: 310 x 12/31 = 120.00
    # by the second: March is 743 hours (the clocks went forward on Mar 30), the stub 287:
    # 310 x 287/743 = 119.744... -> 119.74
    paris = ZoneInfo("Europe/Paris")
    start = datetime(2025, 3, 20, 10, tzinfo=paris).astimezone(UTC)
    for unit, fee in (("day", "120.00"), ("second", "119.74")):
        s = state(
            book("310", unit=unit), zone="Europe/Paris", anchor=date(2025, 4, 1),
            start=start, calendar=True,
        )  # fmt: skip
        assert s.period.index == -1  # the stub
        step = planner.Step(s.id, planner.ADVANCE, s.period, s.period.start)
        (line,) = planner.step_lines(step, s, [], planner.Usage())
        assert line.amount == D(fee)
        if unit == "day":
            assert line.explanation["rule"] == "fixed fee in advance, by whole days"
            assert line.explanation["formula"] == "310 x 1 x 12 days / 31 days = 120"
        else:
            assert line.explanation["formula"] == (
                f"310 x 1 x {287 * 3600} / {743 * 3600} s = {plain_share('310', 287, 743)}"
            )


def plain_share(fee: str, part: int, whole: int) -> str:
    from catalog.pricing import plain

    return plain(D(fee) * part * 3600 / (whole * 3600))


def test_a_fee_in_arrears_from_the_last_change_by_whole_days() -> None:
    # a quantity change 1 -> 2 on Apr 10 14:00 ("new"): the used part at 1 seat is charged at
    # once: 300 x 9/30 = 90.00 (Apr 1..9); the period end charges 2 x 300 x 21/30 = 420.00
    s = state(book("300", timing="arrears"))
    s2, lines = lifecycle.changed(s, APRIL_10_AFTERNOON, s.book, 2, prorate=True)
    assert amounts(lines) == [("charge", D("90.00"))]
    step = planner.Step(s2.id, planner.PERIOD_END, s2.period, s2.period.end)
    (fee,) = planner.step_lines(step, s2, [], planner.Usage())
    assert fee.amount == D("420.00")
    assert fee.period_start == utc(2025, 4, 10)
    assert fee.explanation["rule"] == (
        "fixed fee in arrears, by whole days from the last change of plan or quantity"
    )
    assert fee.explanation["formula"] == "300 x 2 x 21 days / 30 days = 420"


def test_a_pause_is_credited_by_whole_days() -> None:
    # paused Apr 5 18:00, resumed Apr 8 09:00. "new": the pause day is not charged, the resume
    # day is: Apr 5, 6, 7 = 3 days: -300 x 3/30 = -30.00. "old": the pause day is charged, the
    # resume day is not: Apr 6, 7, 8 = 3 days, also -30.00, from Apr 6.
    for day, first in (("new", 5), ("old", 6)):
        s = state(book("300", day=day))
        (credit,) = lifecycle.pause_lines(s, utc(2025, 4, 5, 18), utc(2025, 4, 8, 9))
        assert credit.rounded == D("-30.00")
        assert credit.start == utc(2025, 4, first)


def test_by_the_second_is_the_default_and_unchanged() -> None:
    terms = proration.FeeTerms(D("300"), 1, "pro@v1", "advance")
    assert terms.rule == proration.BY_THE_SECOND
    period = Period(utc(2025, 4, 1), utc(2025, 5, 1), 0)
    credit = proration.line("credit", terms, APRIL_10_AFTERNOON, period.end, period, "USD", "why")
    assert credit is not None
    assert set(credit.explanation) == {
        "rule", "why", "price_version", "fee_per_period", "quantity", "fee_timing", "period",
        "part", "part_seconds", "period_seconds", "formula", "currency",
    }  # fmt: skip


ZONES = ["UTC", "Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    anchor=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
    unit=st.sampled_from(["day", "week", "month", "year"]),
    day=st.sampled_from(["new", "old"]),
    fraction=st.floats(min_value=0, max_value=1, allow_nan=False),
    fee=st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2),
    quantity=st.integers(min_value=1, max_value=50),
)
def test_by_day_shares_of_a_whole_period_sum_to_the_full_fee(
    zone: str, anchor: date, unit: str, day: str, fraction: float, fee: Decimal, quantity: int
) -> None:
    """Old part + new part = one period: split anywhere in a period, the days before and after
    the split add up to the period's days, and the two shares to the whole fee."""
    period = periods.period(anchor, Interval(unit), 0, zone)
    # an instant inside the period (the float only picks where; no money is a float)
    at = period.start + timedelta(seconds=int(period.seconds * fraction))
    rule = proration.Rule("day", day, zone)
    amount = fee * quantity
    before, days_before = proration.share(amount, period.start, at, period, rule=rule)
    after, days_after = proration.share(amount, at, period.end, period, rule=rule)
    whole = rule.whole(period)
    assert whole == (periods.local_date(period.end, zone) - anchor).days
    assert days_before + days_after == whole
    assert abs(before + after - amount) < D("1e-20")
    # and as rounded lines: never more than a cent apart from the whole fee
    assert abs(quantize(before, "USD") + quantize(after, "USD") - amount) <= D("0.01")
    # a change to the same terms: its credit and its charge cancel out exactly
    s = replace(state(book(str(fee), day=day), zone=zone, anchor=anchor), quantity=quantity)
    if s.period.start < at < s.period.end:
        _, lines = lifecycle.changed(s, at, s.book, quantity, prorate=True)
        assert sum((line.amount for line in lines), D(0)) == 0
