"""The life of a subscription through time, pure: no ORM, no clock.

A `State` is what a subscription is at an instant (status, price book, quantity, current period,
the start of its current fee segment, its trial and end dates); the transitions below give the
state after each thing that happens to it on the clock: it starts, its trial ends, a scheduled
change of plan or quantity applies (with its proration lines), its period ends (the next period,
priced with the price book in force at its start), it is canceled at a period end or reaches its
end date. The services that write subscriptions (billing/services/) apply these transitions to
their rows; the invoice planner (invoicing/planner.py) runs the same transitions forward, without
writing, to preview the next invoice. One set of rules, two users.

Periods: see billing/periods.py. The first paid instant is `paid_from`: local midnight of the day
the subscription starts paying (its start, or the day its trial ends). A calendar-aligned plan's
first period is a stub from `paid_from` to the anchor; its fee is a share of the whole interval the
stub is part of (`fee_reference`), so a stub is prorated like any other part of a period. Likewise
when the anchor lies before `paid_from` (an anchor before the start, a trial ending inside an
anchored period): the first paid period runs from `paid_from` to the next anchored boundary, and
neither its fee nor its usage reaches back before `paid_from`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from billing import periods, proration
from billing.periods import Interval, Period
from catalog.pricebook import PriceBook, book_in_force

ACTIVE, TRIALING, PENDING = "active", "trialing", "pending"
SAME, RESTART = "same", "restart"  # a change of plan: the same phase of the new plan, or over
PAST_DUE, PAUSED, CANCELED, ENDED = "past_due", "paused", "canceled", "ended"
BILLABLE = frozenset({ACTIVE, PAST_DUE, PAUSED})  # whose periods are billed
FINISHED = frozenset({CANCELED, ENDED})
TRIAL_WILL_END_NOTICE = timedelta(days=3)
__all__ = ["BILLABLE", "FINISHED", "PriceBook", "State", "book_in_force"]


@dataclass(frozen=True)
class State:
    id: int
    customer_id: int
    zone: str
    interval: Interval
    calendar_aligned: bool
    anchor: date
    start_at: datetime
    trial_end: datetime | None
    status: str
    quantity: int
    book: PriceBook
    period: Period  # the current period (the trial, while trialing)
    fee_since: datetime  # start of the current fee segment: the last change of plan or quantity
    ends_at: datetime | None = None  # a set end date
    ended_at: datetime | None = None
    cancel_at_period_end: bool = False
    # the index of the period its phase walk started at (set by a change of plan; None: its
    # first paid period): see `walk_start`
    phase_start: int | None = None

    @property
    def walk_start(self) -> int:
        """The index of the period its price book's phase walk counts from: the period a change
        of plan set (a "restart", or the start that keeps a "same" phase), else its first paid
        period (a stub included): phases count whole billing periods, so their boundaries fall
        on period boundaries."""
        if self.phase_start is not None:
            return self.phase_start
        return self.period_at(self.paid_from).index

    def walk_count(self, period: Period) -> int:
        """How many periods of its phase walk come before `period` (0: the walk's first)."""
        return period.index - self.walk_start

    def phase_at(self, period: Period) -> int | None:
        """The position of the phase `period` is in (None: its price book has no phases)."""
        return self.book.phase_of(self.walk_count(period))

    def fee_at(self, period: Period) -> Decimal:
        """The fixed fee of `period`: its phase's, or the price book's."""
        if not self.book.phases:
            return self.book.fixed_fee
        return self.book.fee_in(self.walk_count(period))

    @property
    def walk_end(self) -> datetime | None:
        """When its phase walk ends, when every phase has a duration (a fixed term): the end of
        the last phase's last period. None: open-ended, or no phases."""
        length = self.book.walk_length
        if length is None:
            return None
        return periods.boundary(self.anchor, self.interval, self.walk_start + length, self.zone)

    def next_phase_at(self) -> datetime | None:
        """When the phase after the current period's starts (None: the last phase, or none)."""
        found = self.book.locate(self.walk_count(self.period))
        if found is None or found[0] >= len(self.book.phases) - 1:
            return None
        index = self.walk_start + self.book.periods_before(found[0] + 1)
        return periods.boundary(self.anchor, self.interval, index, self.zone)

    @property
    def paid_from(self) -> datetime:
        """Local midnight of the first paid day: the start's, or the trial end's."""
        first = self.trial_end or self.start_at
        return periods.local_midnight(periods.local_date(first, self.zone), self.zone)

    def period_at(self, instant: datetime) -> Period:
        """The billing period containing `instant`: anchored periods; before the anchor the stub
        from `paid_from` to it (index -1); the anchored period containing `paid_from`, from
        `paid_from` on (an instant of that period before `paid_from`, in a trial, gets it too)."""
        anchor_start = periods.local_midnight(self.anchor, self.zone)
        paid_from = self.paid_from
        if instant < anchor_start and paid_from < anchor_start:
            return Period(paid_from, anchor_start, -1)
        period = periods.period_at(self.anchor, self.interval, instant, self.zone)
        if period.start < paid_from < period.end:
            return Period(paid_from, period.end, period.index)
        return period

    def fee_reference(self, period: Period) -> Period:
        """The whole period a fee is a share of: the period itself, or for a first period that
        starts at `paid_from` inside an anchored interval (a stub before the anchor, a period
        begun after its anchored start) that whole interval."""
        anchor_start = periods.local_midnight(self.anchor, self.zone)
        if period.index == -1 and period.end == anchor_start and period.start < anchor_start:
            return periods.period_at(self.anchor, self.interval, period.start, self.zone)
        if period.start != self.paid_from:
            return period
        whole = periods.period_at(self.anchor, self.interval, period.start, self.zone)
        if whole.start < period.start and whole.end == period.end:
            return whole
        return period

    @property
    def in_trial_period(self) -> bool:
        """Its current period is (part of) its trial: nothing of it is billed."""
        return self.trial_end is not None and self.period.end <= self.trial_end

    @property
    def rule(self) -> proration.Rule:
        """How its price book splits a fee by time (by the second, or by whole local days)."""
        return proration.Rule(self.book.proration_unit, self.book.proration_change_day, self.zone)

    @property
    def terms(self) -> proration.FeeTerms:
        return proration.FeeTerms(
            self.fee_at(self.period), self.quantity, self.book.label, self.book.fee_timing,
            rule=self.rule, tax_rate_id=self.book.tax_rate_id,
        )  # fmt: skip


def with_period(state: State, at: datetime) -> State:
    """The state in the period containing `at`; a new period starts a new fee segment."""
    period = state.period_at(at)
    fee_since = state.fee_since
    if period.index != state.period.index or period.start != state.period.start:
        fee_since = period.start
    return replace(state, period=period, fee_since=fee_since)


def started(state: State, at: datetime) -> State:
    """A pending subscription starts at `at`: into its trial, or its first paid period."""
    if state.trial_end is not None and state.trial_end > at:
        return with_walk_end(replace(state, status=TRIALING))
    return with_walk_end(with_period(replace(state, status=ACTIVE), at))


def with_walk_end(state: State, before: State | None = None) -> State:
    """A phase walk whose phases all have a duration (a fixed term) ends the subscription when
    its last phase does: its end date is set to the walk's end, unless a set end date comes
    earlier. `before`: the state before a change of plan, trial end or new price book; the end
    date its walk had set gives way to the new walk's."""
    ends = state.ends_at
    if before is not None and ends is not None and ends == before.walk_end:
        ends = None
    end = state.walk_end
    if end is not None and (ends is None or end < ends):
        ends = end
    return state if ends == state.ends_at else replace(state, ends_at=ends)


def trial_ended(state: State, at: datetime, *, reanchor: bool = False) -> State:
    """The trial ends at `at` (its end date, or earlier when activated by hand: then the periods
    are anchored on that day)."""
    before = state
    if reanchor:
        anchor = (
            periods.calendar_anchor(at, state.interval, state.zone)
            if state.calendar_aligned
            else periods.local_date(at, state.zone)
        )
        state = replace(state, anchor=anchor, trial_end=at)
    state = with_period(replace(state, status=ACTIVE), at)
    # the fee runs from the first paid instant, even when the period began before it (an anchor
    # before the trial's end)
    fee_since = max(state.period.start, at if reanchor else state.paid_from)
    return with_walk_end(replace(state, fee_since=fee_since), before)


def rolled(state: State, books: Sequence[PriceBook]) -> tuple[State, PriceBook | None]:
    """The period ended: the next one, priced with the plan's version in force at its start (or
    the current one without a version in force then). Returns the new state and the book moved
    from when the version changed."""
    state = with_period(state, state.period.end)
    book = book_in_force(books, state.period.start)
    if book is not None and book.id != state.book.id:
        return with_walk_end(replace(state, book=book), state), state.book
    return state, None


def walk_after_change(state: State, at: datetime, book: PriceBook, phase: str) -> int | None:
    """Where the phase walk of a subscription changing plan to `book` at `at` starts
    (`State.phase_start`). The period the change falls in (the next one for a change at a
    period's end) is counted in whole: "restart" starts the new plan's phases over with it (the
    rest of a period cut by the change is the first period of its first phase); "same" puts it
    at the same phase position and as many periods into it as it was in the old plan's walk (a
    price book without phases is one open-ended phase), so a longer or shorter phase of the new
    plan moves its end. The services refuse "same" to a plan with fewer phases than the
    position (here: its last phase, from its start). Before the first paid period (pending, in
    a trial) the walk starts with it either way; a change of quantity keeps the walk."""
    if state.status in (PENDING, TRIALING) or book.plan_id == state.book.plan_id:
        return state.phase_start
    index = state.period_at(at).index
    if phase == RESTART:
        return index
    if not book.phases:
        return state.phase_start
    count = state.walk_count(state.period_at(at))
    position, into = state.book.locate(count) or (0, max(count, 0))
    if position >= len(book.phases):
        position, into = len(book.phases) - 1, 0
    return index - book.periods_before(position) - into


def change_fees(
    state: State, at: datetime, book: PriceBook, quantity: int, phase: str = SAME
) -> tuple[Decimal, Decimal]:
    """The period's fee (times the quantity) the subscription pays for the period `at` falls
    in, and what it would pay for it after a change to `book` and `quantity` at `at` with the
    phase option `phase`: each its phase's fee in force then, else its book's (what tells an
    upgrade from a downgrade). A change of quantity alone passes `state.book`."""
    period = state.period_at(at)
    after = replace(
        state, book=book, quantity=quantity,
        phase_start=walk_after_change(state, at, book, phase),
    )  # fmt: skip
    return state.fee_at(period) * state.quantity, after.fee_at(period) * quantity


def changed(
    state: State,
    at: datetime,
    book: PriceBook,
    quantity: int,
    *,
    prorate: bool,
    phase: str = SAME,
) -> tuple[State, list[proration.Line]]:
    """A change of plan and/or quantity taking effect at `at`, and its proration lines (by the
    second, or by whole days: each line by its own book's rule, of the fee's period, both split
    at one instant, `proration.change_instant`) when it
    falls strictly inside a period whose fees are billed. `phase`: where the new plan's phase
    walk starts (`walk_after_change`); each side of the proration at its phase's fee.
    A change of quantity alone keeps the period's price book (pass `state.book`)."""
    billing_fees = state.status in (ACTIVE, PAST_DUE) and not state.in_trial_period
    period = state.period
    lines: list[proration.Line] = []
    new = replace(
        state,
        book=book,
        quantity=quantity,
        phase_start=walk_after_change(state, at, book, phase),
    )
    new = with_walk_end(new, state)
    if prorate and billing_fees and period.start < at < period.end:
        lines = proration.change_lines(
            state.terms,
            new.terms,
            at,
            period,
            book.currency,
            reference=state.fee_reference(period),
            fee_since=state.fee_since,
        )
    if billing_fees:
        # the new terms' fee runs from the instant both proration lines split at
        split = proration.change_instant(state.rule, new.rule, at)
        new = replace(new, fee_since=min(max(split, period.start), period.end))
    return new, lines


def finished(state: State, status: str, at: datetime) -> State:
    return replace(state, status=status, ended_at=at, cancel_at_period_end=False)


def cancel_lines(state: State, at: datetime, *, prorate: bool = True) -> list[proration.Line]:
    """Canceling at once at `at`: the used part of a fee in arrears is always charged; the
    unused part of a fee in advance is credited with `prorate`. A paused subscription's paused
    time is credited apart (see the pause), not here. Nothing in a trial."""
    if state.status not in (ACTIVE, PAST_DUE, PAUSED) or state.in_trial_period:
        return []
    if not state.period.start < at < state.period.end:
        return []
    if state.book.fee_timing == "advance" and not prorate:
        return []
    return proration.cancel_lines(
        state.terms,
        at,
        state.period,
        state.book.currency,
        state.fee_since,
        reference=state.fee_reference(state.period),
    )


@dataclass(frozen=True)
class Edge:
    """The next thing that happens to a subscription on the clock."""

    at: datetime
    what: str  # start | trial_notice | trial_end | end | change | period_end
    change_id: int | None = None


EDGE_ORDER = {"start": 0, "trial_notice": 1, "trial_end": 2, "end": 3, "change": 4, "period_end": 5}


def edge_limit(state: State, until: datetime, *, period_ends: bool) -> datetime:
    """How far the edges go: to `until`, or (without period ends) to just before the current
    period of a subscription whose periods are billed ends (the period is billed first)."""
    if period_ends or state.status in (PENDING, TRIALING):
        return until
    return min(until, state.period.end - timedelta(microseconds=1))


def next_edge(
    state: State,
    *,
    until: datetime,
    period_ends: bool,
    trial_will_end_sent: bool,
    changes: Sequence[tuple[datetime, int]],
) -> Edge | None:
    """The earliest edge due by `until` (see `edge_limit`), ties in EDGE_ORDER: a start, a trial's
    notice or end, a set end date, a scheduled change ((effective_at, id) of those scheduled), a
    period end. None when nothing is due."""
    if state.status in FINISHED:
        return None
    limit = edge_limit(state, until, period_ends=period_ends)
    found: list[Edge] = []
    if state.status == PENDING and state.start_at <= limit:
        found.append(Edge(state.start_at, "start"))
    if state.status == TRIALING and state.trial_end is not None:
        notice = state.trial_end - TRIAL_WILL_END_NOTICE
        if not trial_will_end_sent and notice <= limit:
            found.append(Edge(max(notice, state.start_at), "trial_notice"))
        if state.trial_end <= limit:
            found.append(Edge(state.trial_end, "trial_end"))
    if state.ends_at is not None and state.ends_at <= limit:
        found.append(Edge(state.ends_at, "end"))
    due = [(at, change_id) for at, change_id in changes if at <= limit]
    if due:
        at, change_id = min(due)
        found.append(Edge(at, "change", change_id))
    if state.status not in (PENDING, TRIALING) and state.period.end <= limit:
        found.append(Edge(state.period.end, "period_end"))
    if not found:
        return None
    return min(found, key=lambda edge: (edge.at, EDGE_ORDER[edge.what]))


def pause_lines(state: State, paused_at: datetime, until: datetime) -> list[proration.Line]:
    """The credit for the paused time [paused_at, until) of each period it touched (the trial
    excepted): paused time is not charged."""
    lines: list[proration.Line] = []
    cursor = state.period_at(paused_at)
    while cursor.start < until:
        if state.trial_end is None or cursor.end > state.trial_end:
            start = paused_at if state.trial_end is None else max(paused_at, state.trial_end)
            credit = proration.pause_credit(
                state.terms, start, until, cursor, state.book.currency,
                reference=state.fee_reference(cursor),
            )  # fmt: skip
            if credit is not None:
                lines.append(credit)
        cursor = state.period_at(cursor.end)
    return lines
