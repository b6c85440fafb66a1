"""The pure rules of dunning, with hypothesis: the state chosen is the highest position whose
conditions all hold (nothing overdue: none), and the days past due count local calendar days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from payments.models.dunning import DunningState
from payments.services.dunning import (
    Situation,
    local_days_between,
    next_check_at,
    state_holds,
    target_state,
)

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10_000), places=2)


@st.composite
def states(draw: st.DrawFn) -> list[DunningState]:
    count = draw(st.integers(min_value=1, max_value=5))
    positions = draw(st.lists(st.integers(1, 100), min_size=count, max_size=count, unique=True))
    made = []
    for position in positions:
        days = draw(st.none() | st.integers(0, 60))
        amount = draw(st.none() | amounts)
        attempts = draw(st.none() | st.integers(1, 5))
        if days is None and amount is None and attempts is None:
            days = 1
        currency = draw(st.sampled_from(["", "USD", "EUR"])) if amount is not None else ""
        made.append(
            DunningState(
                position=position,
                code=f"s{position}",
                name=f"S{position}",
                min_days_past_due=days,
                min_amount_overdue=amount,
                amount_currency=currency,
                min_failed_attempts=attempts,
            )
        )
    return made


situations = st.builds(
    lambda days, amount, attempts: Situation(
        days, amount, "USD", attempts, (1,) if amount else (), None
    ),
    st.integers(0, 90),
    st.just(Decimal(0)) | amounts,
    st.integers(0, 6),
)


@given(states(), situations)
def test_the_highest_state_whose_conditions_all_hold_wins(
    policy: list[DunningState], situation: Situation
) -> None:
    chosen = target_state(policy, situation)
    holding = [s for s in policy if state_holds(s, situation)]
    if not situation.overdue:
        assert chosen is None
        return
    for s in policy:  # each condition set, checked by hand
        by_hand = (
            (s.min_days_past_due is None or situation.days_past_due >= s.min_days_past_due)
            and (
                s.min_amount_overdue is None
                or (
                    s.amount_currency in ("", "USD")
                    and situation.amount_overdue >= s.min_amount_overdue
                )
            )
            and (
                s.min_failed_attempts is None or situation.failed_attempts >= s.min_failed_attempts
            )
        )
        assert state_holds(s, situation) == by_hand
    if not holding:
        assert chosen is None
    else:
        assert chosen is not None
        assert chosen.position == max(s.position for s in holding)


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    st.integers(0, 86_399),
    st.integers(0, 400),
    st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati"]),
)
def test_days_past_due_are_local_calendar_days(
    day: date, second: int, days: int, zone: str
) -> None:
    tz = ZoneInfo(zone)
    due = datetime.combine(day, time(0), tz) + timedelta(seconds=second)
    local_midnight = datetime.combine(due.date() + timedelta(days=days), time(0), tz)
    assert local_days_between(due, local_midnight, zone) == days
    if local_midnight - timedelta(microseconds=1) >= due:
        assert local_days_between(due, local_midnight - timedelta(microseconds=1), zone) == max(
            days - 1, 0
        )


def test_the_next_check_is_the_local_midnight_of_the_next_days_threshold() -> None:
    due = datetime(2026, 1, 10, 15, tzinfo=UTC)  # Jan 10, 10:00 in New York
    policy = [
        DunningState(position=1, min_days_past_due=1),
        DunningState(position=2, min_days_past_due=7),
        DunningState(position=3, min_amount_overdue=Decimal(100)),
    ]
    situation = Situation(1, Decimal(50), "USD", 0, (1,), due)
    # 7 days after Jan 10 local: Jan 17 00:00 New York = 05:00 UTC
    assert next_check_at(policy, situation, "America/New_York") == datetime(
        2026, 1, 17, 5, tzinfo=UTC
    )
    assert next_check_at(policy, Situation(7, Decimal(50), "USD", 0, (1,), due), "UTC") is None
    assert next_check_at(policy, Situation(0, Decimal(0), "USD", 0, (), None), "UTC") is None
