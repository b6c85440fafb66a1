"""The invoice planner: what a customer owes, decided in one place. Pure: no ORM, no clock.

Everything that bills goes through these functions, and nothing else decides an invoice line:

- `due_steps` says which billing steps a subscription's current period has due at an instant:
  its fee in advance (on the day the period starts, or the first paid day), its end (the fee in
  arrears, the usage, the pending proration lines and add-ons, on the day it ends), or the last
  part of a period cut short by a cancellation or a set end date (on the day it ends); and once,
  its start (its price book's one-time fees and a free trial's zero invoice, on the day it
  starts: `start_step`);
- `step_lines` turns a step into explained lines rounded once each, from the subscription's state,
  its price book's charges, the SQL aggregates of its usage windows and its pending lines;
- `invoice_discounts` computes an invoice's coupon discounts from all of its lines at once;
- `next_step_at` says when a subscription's next step falls, for the one "is this draft
  complete" check;
- `simulate` runs a subscription forward through the clock's edges (billing/lifecycle.py) and its
  steps up to an instant, without writing: the upcoming invoice.

The writer (invoicing/writer.py) loads the inputs, calls these, and stores the result for a chunk
of subscriptions at once; a single subscription is a chunk of one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from billing import lifecycle, periods
from billing.aggregation import Aggregate, prorated_terms, proration_reference
from billing.lifecycle import BILLABLE, FINISHED, State
from billing.periods import Period
from billing.proration import part as proration_part
from billing.proration import share
from catalog.money import from_minor_units, quantize, to_minor_units
from catalog.pricebook import PriceBook
from catalog.pricing import Percentage, Rater, plain
from catalog.tax import CouponTerms, Discount, discounts

ADVANCE, PERIOD_END, CLOSING = "advance", "period_end", "closing"
FIXED_FEE, USAGE, MINIMUM, PRORATION, ADD_ON, DISCOUNT = (
    "fixed_fee",
    "usage",
    "minimum",
    "proration",
    "add_on",
    "discount",
)
START = "start"  # at a subscription's start: its one-time fees, a free trial's zero invoice
ONE_TIME, TRIAL = "one_time", "trial"  # a one-time fee (a setup fee); a free trial's zero line
DISCOUNTED = frozenset({FIXED_FEE, USAGE, MINIMUM, ONE_TIME})  # what coupons discount
COMMITTED = frozenset({FIXED_FEE, USAGE, MINIMUM, PRORATION})  # what a plan's minimum counts


@dataclass(frozen=True)
class LineSpec:
    """An invoice line as planned: rounded once, explained, linked to what priced it."""

    kind: str
    description: str
    amount: Decimal
    quantity: Decimal = Decimal(1)
    unit_amount: Decimal | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    metric_code: str = ""
    explanation: dict[str, Any] = field(default_factory=dict, compare=False)
    subscription_id: int | None = None
    book_id: int | None = None  # the price book (plan version) it was priced with
    plan_id: int | None = None
    proration_line_id: int | None = None
    redemption_id: int | None = None
    charge_id: int | None = None  # the usage charge (or one-time fee) that priced it
    tax_rate_id: int | None = None  # a rate set on its charge, fee or product (None: the address's)


@dataclass(frozen=True)
class Step:
    """One billing step of a subscription: its key in BilledPeriod is (period start, kind)."""

    subscription_id: int
    kind: str  # ADVANCE | PERIOD_END | CLOSING | START
    window: Period  # what is billed: the period, or the part of it before a cut
    billing_date: datetime
    final: bool = False  # a period cut short by a cancellation or an end date

    @property
    def key(self) -> tuple[datetime, str]:
        return (self.window.start, self.kind)


Billed = frozenset[tuple[datetime, str]]  # (period start, kind) of a subscription's billed steps


@dataclass(frozen=True)
class ChargeTerms:
    """A usage charge of a price book, compiled once."""

    id: int
    metric_id: int
    metric_code: str
    name: str
    aggregation: str
    rater: Rater
    reproduce: Callable[[int, datetime, datetime], str]  # the SQL a person can run
    tax_rate_id: int | None = None  # set on the charge (or its product): overrides the address's
    recurring: bool = False  # its metric's quantity carries from period to period
    # prorated (on a recurring metric): the price book's proration unit and change-day rule
    prorated: tuple[str, str] | None = None
    phase: int | None = None  # only in the price book's phase at this position (None: every one)

    @property
    def per_transaction(self) -> bool:
        return isinstance(self.rater, Percentage) and self.rater.per_transaction

    @property
    def in_advance(self) -> str:
        """Paid in advance (billed as its events arrive): "own" or "next"; "" in arrears."""
        return self.rater.advance_invoice if self.rater.pay_in_advance else ""


@dataclass(frozen=True)
class OneTimeFee:
    """A one-time fee of a price book (a setup fee), as the planner sees it."""

    id: int
    name: str
    amount: Decimal
    prorate: bool = False  # a share of the first paid period (when that is a stub)
    tax_rate_id: int | None = None  # set on the fee: overrides the product's and the address's


@dataclass(frozen=True)
class StartTerms:
    """What a subscription bills at its start (its `start` step): the price book it started
    with (in force at its start) and that book's one-time fees."""

    book: PriceBook
    fees: tuple[OneTimeFee, ...] = ()

    def bills(self, state: State) -> bool:
        """Anything to bill at the start: a one-time fee, or a free trial's zero invoice."""
        return bool(self.fees) or (self.book.trial_invoice and free_trial(state))


Window = tuple[int, int, datetime, datetime]  # (metric id, customer id, start, end)


@dataclass(frozen=True)
class Usage:
    """The SQL aggregates (and, for charges priced per transaction, the values) of windows."""

    aggregates: Mapping[Window, Aggregate] = field(default_factory=dict)
    transactions: Mapping[Window, Sequence[Decimal]] = field(default_factory=dict)
    # prorated charges: the level held over each window, by (unit, change day, *window)
    prorated: Mapping[tuple[str, str, int, int, datetime, datetime], Aggregate] = field(
        default_factory=dict
    )


# ------------------------------------------------------------------------------------- steps


def advance_date(state: State) -> datetime:
    """When the current period's fee in advance is billed: its start, or the first paid day."""
    return max(state.period.start, state.paid_from)


def free_trial(state: State) -> bool:
    """It started into a free trial."""
    return state.trial_end is not None and state.trial_end > state.start_at


def at_start(state: State) -> bool:
    """It is still in the period it started in: its trial, or its first paid period (a start
    step not billed yet is planned only then; later periods never look back)."""
    if state.status == lifecycle.PENDING:
        return False
    return state.period.start <= max(state.start_at, state.trial_end or state.start_at)


def start_date(state: State) -> datetime:
    """When the start step is billed: local midnight of the day it starts (the date of its first
    fee in advance, when it has no trial: its one-time fees are on that invoice)."""
    return periods.local_midnight(periods.local_date(state.start_at, state.zone), state.zone)


def start_step(state: State, billed: Billed, start: StartTerms | None) -> Step | None:
    """The start step, when it is due: the subscription has started (not canceled before), has
    something to bill then (`start`), and has not billed it. Keyed (start instant, "start"):
    billed exactly once."""
    if start is None or not at_start(state) or (state.start_at, START) in billed:
        return None
    if state.ended_at is not None and state.ended_at <= state.start_at:
        return None  # canceled before it started
    if not start.bills(state):
        return None
    window = Period(state.start_at, state.start_at, state.period.index)
    return Step(state.id, START, window, start_date(state))


def due_steps(
    state: State,
    billed: Billed,
    as_of: datetime,
    *,
    pending: bool = False,
    start: StartTerms | None = None,
) -> list[Step]:
    """The steps of the subscription's current period due by `as_of` and not billed yet.
    `pending`: it has proration lines or add-ons waiting (a subscription that ended with some,
    after its last period was billed, bills them in a `closing` step on the day it ended);
    `start`: what it bills at its start (its price book's one-time fees, a trial's zero
    invoice), the first step, due once it has started."""
    period = state.period
    first = start_step(state, billed, start)
    steps: list[Step] = [first] if first is not None and first.billing_date <= as_of else []
    advance = state.book.fee_timing == "advance"
    if state.status in BILLABLE:
        if state.in_trial_period:  # paused in its trial: a trial bills nothing
            return steps
        if advance and (period.start, ADVANCE) not in billed and advance_date(state) <= as_of:
            steps.append(Step(state.id, ADVANCE, period, advance_date(state)))
        if period.end <= as_of and (period.start, PERIOD_END) not in billed:
            steps.append(Step(state.id, PERIOD_END, period, period.end))
    elif state.status in FINISHED and state.ended_at is not None:
        end = state.ended_at
        # a paid period, begun before the end (not a trial; not canceled before it started)
        paid = not state.in_trial_period and state.start_at < end
        if paid and period.start < end <= as_of:
            if advance and (period.start, ADVANCE) not in billed:  # canceled before it was billed
                steps.append(Step(state.id, ADVANCE, period, advance_date(state)))
            if (period.start, PERIOD_END) not in billed:
                cut = Period(period.start, end, period.index)
                steps.append(Step(state.id, PERIOD_END, cut, end, final=end < period.end))
        carried = any(step.kind == PERIOD_END for step in steps)
        if pending and not carried and end <= as_of and (end, CLOSING) not in billed:
            steps.append(Step(state.id, CLOSING, Period(end, end, period.index), end))
    return steps


def next_step_at(
    state: State, billed: Billed, *, pending: bool = False, start: StartTerms | None = None
) -> datetime | None:
    """The earliest instant at which the subscription may still put a line on an invoice of its
    customer: its start or the end of its trial (then its first steps are known), or its next
    unbilled step (its start step first), or its set end date. None when it has nothing more
    to bill."""
    if state.status == lifecycle.PENDING:
        return state.start_at
    first = start_step(state, billed, start)
    if state.status == lifecycle.TRIALING:
        return first.billing_date if first is not None else state.trial_end
    whenever = datetime.max.replace(tzinfo=state.period.start.tzinfo)
    dates = [
        s.billing_date for s in due_steps(state, billed, whenever, pending=pending, start=start)
    ]
    if state.status in BILLABLE and state.ends_at is not None:
        dates.append(state.ends_at)
    if state.status in BILLABLE and state.in_trial_period:
        dates.append(state.period.end)  # paused in its trial: its paid periods come next
    return min(dates) if dates else None


# ------------------------------------------------------------------------------------- lines


def fee_line(
    state: State, start: datetime, end: datetime, period: Period, timing: str
) -> LineSpec | None:
    """The fixed fee for [start, end) within `period`, by the second (or by whole days: the
    price book's proration unit), as a share of the fee's whole period (a stub's is the interval
    it is part of)."""
    book = state.book
    fixed_fee = state.fee_at(period)  # its phase's fee (plan phases), or the book's
    if not fixed_fee:
        return None
    reference = state.fee_reference(period)
    by = state.rule
    exact, counted = share(fixed_fee * state.quantity, start, end, period, reference, by)
    if not exact:
        return None
    rule = f"fixed fee in {timing}, {by.name}"
    if timing == "arrears":
        rule += " from the last change of plan or quantity"
    whole = by.whole(reference)
    explanation: dict[str, Any] = {
        "rule": rule,
        "price_version": book.label,
        "fee_timing": timing,  # the same keys as a proration line's (billing/proration.py)
        "period": {"start": reference.start.isoformat(), "end": reference.end.isoformat()},
        "part_seconds": counted,
        "period_seconds": whole,
        "formula": f"{plain(fixed_fee)} x {state.quantity} x {counted} / "
        f"{whole} s = {plain(exact)}",
    }
    if book.phases:
        explanation["phase"] = phase_explanation(state, period)
    first, last = max(start, period.start), min(end, period.end)
    if by.by_day:
        first, last = proration_part(start, end, period, by)
        del explanation["part_seconds"], explanation["period_seconds"]
        explanation.update(
            part_days=counted,
            period_days=whole,
            change_day=by.change_day,
            time_zone=by.zone,
            formula=f"{plain(fixed_fee)} x {state.quantity} x {counted} days / "
            f"{whole} days = {plain(exact)}",
        )
    return LineSpec(
        kind=FIXED_FEE,
        description=f"{book.plan_name} x {state.quantity}",
        amount=quantize(exact, book.currency),
        quantity=Decimal(state.quantity),
        unit_amount=fixed_fee,
        period_start=first,
        period_end=last,
        explanation=explanation,
        subscription_id=state.id,
        book_id=book.id,
        plan_id=book.plan_id,
        tax_rate_id=book.tax_rate_id,
    )


def phase_explanation(state: State, period: Period) -> dict[str, Any]:
    """Which phase of its price book a period is in, and why (its count in the phase walk)."""
    count = state.walk_count(period)
    found = state.book.locate(count)
    assert found is not None
    position, into = found
    periods_, fee, name = state.book.phases[position]
    return {
        "rule": "plan phases: a subscription walks through its price book's phases from its "
        "first paid period (or the change of plan that set its walk), counting whole periods",
        "position": position,
        "name": name,
        "periods": periods_,
        "fixed_fee": plain(fee),
        "period_of_walk": max(count, 0) + 1,
        "period_of_phase": into + 1,
    }


def in_phase(state: State, window: Period, charges: Sequence[ChargeTerms]) -> list[ChargeTerms]:
    """The charges of a price book that apply in the phase of the period `window` is in: those
    without a phase, and those of that phase (all of them without phases)."""
    if not state.book.phases:
        return list(charges)
    position = state.phase_at(state.period_at(window.start))
    return [c for c in charges if c.phase is None or c.phase == position]


def start_lines(state: State, start: StartTerms) -> list[LineSpec]:
    """The lines of the start step: a free trial's zero line (when its price book issues a
    trial invoice) and the book's one-time fees, each in full or, with `prorate`, as the share
    of the first paid period that a fee in advance of that period is (a stub's share of the
    interval it is part of). A one-time fee is billed once per subscription, whatever its
    quantity."""
    book = start.book
    lines: list[LineSpec] = []
    if book.trial_invoice and free_trial(state):
        assert state.trial_end is not None
        until = periods.local_date(state.trial_end, state.zone)
        lines.append(
            LineSpec(
                kind=TRIAL,
                description=f"Free trial of {book.plan_name} until {until.isoformat()}",
                amount=quantize(Decimal(0), book.currency),
                quantity=Decimal(state.quantity),
                unit_amount=Decimal(0),
                period_start=start_date(state),
                period_end=state.trial_end,
                explanation={
                    "rule": "a free trial's zero invoice at its start (the price book's "
                    "trial_invoice)",
                    "price_version": book.label,
                    "trial": {
                        "start": state.start_at.isoformat(),
                        "end": state.trial_end.isoformat(),
                    },
                    "formula": "0",
                },
                subscription_id=state.id,
                book_id=book.id,
                plan_id=book.plan_id,
            )
        )
    first = state.period_at(state.paid_from)  # the first paid period (after a trial)
    reference = state.fee_reference(first)
    for fee in start.fees:
        explanation: dict[str, Any] = {
            "rule": "one-time fee, billed once at the subscription's start",
            "price_version": book.label,
            "one_time_fee_id": fee.id,
            "prorate": fee.prorate,
        }
        if fee.prorate:  # as the fee in advance of that period is (fee_line), by its book's rule
            by = replace(state, book=book).rule
            exact, counted = share(fee.amount, first.start, first.end, first, reference, by)
            whole = by.whole(reference)
            explanation.update(
                rule=f"{explanation['rule']}, prorated {by.name}: the share of the first paid "
                "period",
                period={"start": reference.start.isoformat(), "end": reference.end.isoformat()},
                part={"start": first.start.isoformat(), "end": first.end.isoformat()},
                part_seconds=counted,
                period_seconds=whole,
                formula=f"{plain(fee.amount)} x {counted} / {whole} {by.suffix} = {plain(exact)}",
            )
        else:
            exact = fee.amount
            explanation["formula"] = f"{plain(fee.amount)} in full"
        if not exact:
            continue
        lines.append(
            LineSpec(
                kind=ONE_TIME,
                description=fee.name,
                amount=quantize(exact, book.currency),
                unit_amount=fee.amount,
                period_start=first.start,
                period_end=first.end,
                explanation=explanation,
                subscription_id=state.id,
                book_id=book.id,
                plan_id=book.plan_id,
                tax_rate_id=fee.tax_rate_id or book.tax_rate_id,  # its own, else the product's
            )
        )
    return lines


def usage_lines(
    state: State,
    window: Period,
    charges: Sequence[ChargeTerms],
    usage: Usage,
    interim: Mapping[int, InterimBilled] | None = None,
) -> list[LineSpec]:
    """The usage charges of a window, rated with the subscription's price book: one line per
    charge (rounded once), and a true-up line when a minimum commitment is not reached.
    `interim`: what invoices before the period's end billed of its charges (by charge id): each
    charge's line is net of it (`net_of_interim`)."""
    lines: list[LineSpec] = []
    interim = dict(interim or {})
    for charge in in_phase(state, window, charges):
        key = (charge.metric_id, state.customer_id, window.start, window.end)
        found = usage.aggregates.get(key) or Aggregate(
            state.customer_id, charge.metric_code, None, Decimal(0), 0
        )
        proration = None
        if charge.per_transaction:
            assert isinstance(charge.rater, Percentage)
            rating = charge.rater.rate_transactions(list(usage.transactions.get(key, ())))
        elif charge.prorated is not None:
            unit, change_day = charge.prorated
            reference = proration_reference(state, window)  # as the fee's (current usage too)
            quantity, proration = prorated_terms(
                usage.prorated.get((unit, change_day, *key)),
                (reference.start, reference.end),
                unit,
                change_day,
                state.zone,
            )
            found = replace(found, quantity=quantity)
            rating = charge.rater.rate(quantity)
        else:
            rating = charge.rater.rate(found.quantity)
        explanation = rating.explanation()
        explanation.update(
            metric=charge.metric_code,
            aggregation=charge.aggregation,
            window={"start": window.start.isoformat(), "end": window.end.isoformat()},
            event_count=found.events,
            query=charge.reproduce(state.customer_id, window.start, window.end),
        )
        if charge.recurring:
            explanation["recurring"] = (
                "the quantity carries from period to period: computed over all of the "
                "customer's events before the window's end (event_count: the window's own)"
            )
        if proration is not None:
            explanation["proration"] = proration
        line = _usage_line(
            state,
            window,
            charge.metric_code,
            USAGE,
            f"{charge.name} ({plain(found.quantity)})",
            rating.rounded,
            quantity=found.quantity,
            explanation={**explanation, "charge_id": charge.id},
            charge_id=charge.id,
            tax_rate_id=charge.tax_rate_id,
        )
        early = interim.pop(charge.id, None)
        if early is not None:
            line = net_of_interim(line, early)
        if early is None or line.amount or not charge.in_advance:
            lines.append(line)  # a charge paid in advance and billed in full: no line
        if rating.rounded_true_up:
            lines.append(
                _usage_line(
                    state,
                    window,
                    charge.metric_code,
                    MINIMUM,
                    f"{charge.name}: minimum commitment true-up",
                    rating.rounded_true_up,
                    explanation={**explanation["minimum_commitment"], "charge_id": charge.id},
                    charge_id=charge.id,
                    tax_rate_id=charge.tax_rate_id,
                )
            )
    for early in interim.values():  # billed early under a charge its price book no longer has
        lines.append(deduction_line(state, window, early))
    return lines


def _usage_line(
    state: State,
    window: Period,
    metric_code: str,
    kind: str,
    description: str,
    amount: Decimal,
    **extra: Any,
) -> LineSpec:
    return LineSpec(
        kind=kind,
        description=description,
        amount=amount,
        period_start=window.start,
        period_end=window.end,
        metric_code=metric_code,
        subscription_id=state.id,
        book_id=state.book.id,
        plan_id=state.book.plan_id,
        **extra,
    )


def step_lines(
    step: Step,
    state: State,
    charges: Sequence[ChargeTerms],
    usage: Usage,
    pending: Sequence[LineSpec] = (),
    start: StartTerms | None = None,
    *,
    earlier: Sequence[LineSpec] = (),
    interim: Mapping[int, InterimBilled] | None = None,
) -> list[LineSpec]:
    """The lines of one step. `state` is the subscription when the step falls due; `pending` its
    proration lines and add-ons waiting for its next period end; `start` what it bills at its
    start (for its start step); `earlier` the lines of its period already invoiced by earlier
    steps (its fee in advance), which a plan's minimum commitment counts (`commitment_line`);
    `interim` what invoices before the period's end billed of its usage, by charge (deducted)."""
    window = step.window
    if step.kind == START:
        return start_lines(state, start) if start is not None else []
    if step.kind == CLOSING:
        return list(pending)
    if step.kind == ADVANCE:
        end = window.end if state.ends_at is None else min(window.end, state.ends_at)
        fee = fee_line(state, max(window.start, state.paid_from), end, window, "advance")
        return [fee] if fee else []
    lines: list[LineSpec] = []
    arrears = state.book.fee_timing == "arrears"
    # a period ended, or one cut short by a set end date, charges its fee in arrears; a
    # cancellation charged (or credited) the fee in its own proration lines
    if arrears and (not step.final or state.status == lifecycle.ENDED):
        fee = fee_line(
            state, max(state.fee_since, window.start), window.end, state.period, "arrears"
        )
        lines += [fee] if fee else []
    lines += usage_lines(state, window, charges, usage, interim)
    lines += pending
    if state.book.minimum_commitment is not None:
        # what invoices before the period's end billed of its usage counts too
        early = [interim_spec(state, window, b) for b in (interim or {}).values()]
        true_up = commitment_line(state, window, [*earlier, *early, *lines])
        lines += [true_up] if true_up else []
    return lines


def commitment_line(state: State, window: Period, billed: Sequence[LineSpec]) -> LineSpec | None:
    """The true-up of the plan's minimum commitment (the price book's `minimum_commitment`) for
    the window of a period end step, when what the period billed falls short of it.

    The minimum is per billing period, prorated like the fixed fee for a part of one (a first
    stub, a period begun after its anchored start, a period cut by a cancellation or an end
    date): minimum x part / whole, by the price book's proration unit. What the period billed
    is the sum of its rounded lines of the subscription, before coupons and taxes: its fixed
    fees (a fee in advance on an earlier invoice included), its usage charges and their own
    minimum true-ups, and the proration lines whose part lies in the period (the credit and
    charge of a change, a cancellation or an end date, a pause credit); not add-ons. The true-up
    is exactly (prorated minimum - billed), rounded once; none when it is not positive."""
    book = state.book
    minimum = book.minimum_commitment
    if minimum is None:
        return None
    period = state.period_at(window.start)
    reference = state.fee_reference(period)
    by = state.rule
    start = max(window.start, state.paid_from)
    owed, counted = share(minimum, start, window.end, period, reference, by)
    counts = [
        line
        for line in billed
        if line.kind in COMMITTED
        and line.subscription_id == state.id
        and line.period_start is not None
        and line.period_end is not None
        and period.start <= line.period_start
        and line.period_end <= period.end
    ]
    total = quantize(sum((line.amount for line in counts), Decimal(0)), book.currency)
    exact = owed - total
    amount = quantize(exact, book.currency)
    if amount <= 0:
        return None
    whole = by.whole(reference)
    unit = "days" if by.by_day else "s"
    first, last = proration_part(start, window.end, period, by)
    return LineSpec(
        kind=MINIMUM,
        description=f"{book.plan_name}: minimum commitment true-up",
        amount=amount,
        period_start=window.start,
        period_end=window.end,
        explanation={
            "rule": "minimum commitment of the plan per period, prorated "
            f"{by.name}, over its fixed fee, usage charges, their minimums and the "
            "proration lines of the period, before coupons and taxes",
            "price_version": book.label,
            "minimum_per_period": plain(minimum),
            "minimum": plain(owed),  # prorated: the PDF's "minimum spend for the period"
            "period": {"start": reference.start.isoformat(), "end": reference.end.isoformat()},
            "part": {"start": first.isoformat(), "end": last.isoformat()},
            f"part_{'days' if by.by_day else 'seconds'}": counted,
            f"period_{'days' if by.by_day else 'seconds'}": whole,
            "billed": [
                {"kind": line.kind, "description": line.description, "amount": str(line.amount)}
                for line in counts
            ],
            "billed_total": str(total),
            "formula": f"{plain(minimum)} x {counted} {unit} / {whole} {unit} = {plain(owed)}; "
            f"{plain(owed)} - {total} billed = {plain(exact)}",
            "rounding": "half away from zero to the currency's minor unit, once",
        },
        subscription_id=state.id,
        book_id=book.id,
        plan_id=book.plan_id,
        tax_rate_id=book.tax_rate_id,
    )


def usage_windows(
    steps: Iterable[tuple[Step, State]], charges: Mapping[int, Sequence[ChargeTerms]]
) -> dict[int, set[tuple[int, datetime, datetime]]]:
    """The (customer, start, end) windows each metric must be aggregated over for these steps."""
    wanted: dict[int, set[tuple[int, datetime, datetime]]] = {}
    for step, state in steps:
        if step.kind != PERIOD_END:
            continue
        for charge in in_phase(state, step.window, charges.get(state.book.id, ())):
            wanted.setdefault(charge.metric_id, set()).add(
                (state.customer_id, step.window.start, step.window.end)
            )
    return wanted


# --------------------------------------------------------- interim billing (before period end)
# Progressive (threshold) billing and charges paid in advance bill usage before its period
# ends. One rule for both: for the current period, bill each charge's usage accrued so far
# (rated with the same SQL aggregates and raters as the period's end) less what earlier interim
# billings of the period billed of it; the period's end bills its usage net of them. So it is
# idempotent and order-free: run twice, the second run finds nothing new to bill.

THRESHOLD, IN_ADVANCE = "threshold", "in_advance"
# The mark of a line billed before its period's end: the key of its explanation that explains
# it (`_interim_part`). Such a line is a USAGE line of the period (same subscription, period
# start, metric) but not the period end's: a draft refreshed by late usage keeps it, and a
# correction does not count it as what the period's line billed (InterimBilling holds it; the
# period's line is net of it). A key, not a LineKind: every rule on usage lines (revenue,
# coupons limited to a metric, taxes, the PDF) still applies to it, and no migration.
INTERIM_MARK = "interim"


def is_interim(explanation: Mapping[str, Any] | None) -> bool:
    """Whether a line (its explanation) was billed before its period's end (INTERIM_MARK)."""
    return INTERIM_MARK in (explanation or {})


@dataclass(frozen=True)
class Threshold:
    """A usage threshold of a price book: a level of the period's accrued usage amount (its
    charges in arrears, rated); `recurring`: every `amount` more after the highest one-off."""

    amount: Decimal
    recurring: bool = False


@dataclass(frozen=True)
class InterimBilled:
    """What interim billings of a period billed of one charge's usage: their amounts' sum, the
    charge's usage amount at the last one (`billed_to`), the highest threshold reached, and the
    invoices (their numbers, or "draft #id")."""

    charge_id: int
    name: str
    metric_code: str
    amount: Decimal
    billed_to: Decimal
    threshold: Decimal | None = None
    invoices: tuple[str, ...] = ()
    tax_rate_id: int | None = None


@dataclass(frozen=True)
class InterimPart:
    """A charge's usage billed before its period's end: its line and where it goes (`invoice`:
    "own", an invoice at once; "next", the customer's next invoice: the period end's draft)."""

    reason: str  # THRESHOLD | IN_ADVANCE
    invoice: str  # "own" | "next"
    charge_id: int
    line: LineSpec
    quantity: Decimal
    billed_to: Decimal
    threshold: Decimal | None = None


def threshold_reached(thresholds: Sequence[Threshold], amount: Decimal) -> Decimal | None:
    """The highest threshold level at or below `amount`: the one-off thresholds, then, after the
    highest of them (or from 0), every `recurring` amount. None: none reached."""
    fixed = sorted(t.amount for t in thresholds if not t.recurring)
    reached = max((a for a in fixed if a <= amount), default=None)
    every = next((t.amount for t in thresholds if t.recurring), None)
    if every:
        base = fixed[-1] if fixed else Decimal(0)
        if amount >= base + every:
            reached = base + ((amount - base) // every) * every
    return reached


def interim_window(state: State, as_of: datetime) -> Period | None:
    """The part of the current period whose usage an interim billing at `as_of` counts: from
    its start to `as_of`, while the period runs (its end bills it all); None otherwise."""
    period = state.period
    if state.status not in BILLABLE or state.in_trial_period:
        return None
    if not period.start < as_of < period.end or as_of <= state.paid_from:
        return None
    return Period(period.start, as_of, period.index)


def interim_due(
    state: State,
    as_of: datetime,
    charges: Sequence[ChargeTerms],
    usage: Usage,
    billed: Mapping[int, InterimBilled],
    thresholds: Sequence[Threshold] = (),
) -> list[InterimPart]:
    """What to bill of the current period's usage at `as_of`, before its end. `usage` holds the
    aggregates of `interim_window`; `billed` what the period's interim billings billed, by
    charge.

    - A charge paid in advance bills its usage so far less what it billed already, when more.
    - When the charges in arrears come to a threshold level higher than any reached in the
      period before (`threshold_reached`), each of them bills its usage so far less what it
      billed already (one invoice: the threshold's)."""
    window = interim_window(state, as_of)
    if window is None:
        return []
    accrued = {
        line.charge_id: line
        for line in usage_lines(state, window, charges, usage)
        if line.kind == USAGE
    }
    parts: list[InterimPart] = []
    arrears: list[tuple[ChargeTerms, LineSpec]] = []
    for charge in charges:
        line = accrued.get(charge.id)
        if line is None:
            continue
        if charge.in_advance:
            part = _interim_part(state, charge, line, billed.get(charge.id), IN_ADVANCE, None)
            parts += [part] if part else []
        elif charge.prorated is None:  # a prorated charge is rated over its whole period
            arrears.append((charge, line))
    total = sum((line.amount for _, line in arrears), Decimal(0))
    level = threshold_reached(thresholds, total) if thresholds else None
    before = max((b.threshold for b in billed.values() if b.threshold is not None), default=None)
    if level is not None and (before is None or level > before):
        for charge, line in arrears:
            part = _interim_part(state, charge, line, billed.get(charge.id), THRESHOLD, level)
            parts += [part] if part else []
    return parts


def _interim_part(
    state: State,
    charge: ChargeTerms,
    line: LineSpec,
    billed: InterimBilled | None,
    reason: str,
    level: Decimal | None,
) -> InterimPart | None:
    before = billed.billed_to if billed is not None else Decimal(0)
    amount = line.amount - before
    if amount <= 0:
        return None
    currency = state.book.currency
    if reason == THRESHOLD:
        assert level is not None
        rule = (
            f"progressive billing: the period's usage reached the threshold {plain(level)} "
            f"{currency}; billed now, less what the period billed of it before"
        )
        description = f"{line.description}: usage threshold {plain(level)} reached"
    else:
        rule = "charge paid in advance: billed as its events arrive, less what was billed before"
        description = f"{line.description}: paid in advance"
    explanation = {
        **line.explanation,
        INTERIM_MARK: {
            "rule": rule,
            "reason": reason,
            "threshold": plain(level) if level is not None else None,
            "usage_until": line.period_end.isoformat() if line.period_end else None,
            "usage_amount": str(line.amount),
            "billed_before": str(before),
            "invoices_before": list(billed.invoices) if billed else [],
            "formula": f"{line.amount} - {before} billed before = {amount}",
        },
    }
    return InterimPart(
        reason=reason,
        invoice=charge.in_advance or "own",
        charge_id=charge.id,
        line=replace(line, description=description, amount=amount, explanation=explanation),
        quantity=line.quantity,
        billed_to=line.amount,
        threshold=level,
    )


def net_of_interim(line: LineSpec, billed: InterimBilled) -> LineSpec:
    """A period end's usage line less what interim invoices billed of its charge in the period:
    one line, explained (the whole period's usage, what was billed of it, on which invoices)."""
    net = line.amount - billed.amount
    on = ", ".join(billed.invoices) or "earlier invoices"
    return replace(
        line,
        description=f"{line.description} less {billed.amount} billed on {on}"[:255],
        amount=net,
        explanation={
            **line.explanation,
            "already_billed": {
                "rule": "usage billed before the period's end (a usage threshold reached, or a "
                "charge paid in advance) is deducted from the period's usage",
                "usage_amount": str(line.amount),
                "billed": str(billed.amount),
                "invoices": list(billed.invoices),
                "formula": f"{line.amount} - {billed.amount} already billed = {net}",
            },
        },
    )


def deduction_line(state: State, window: Period, billed: InterimBilled) -> LineSpec:
    """What interim invoices billed of a charge the period's price book no longer has (its plan
    changed since): deducted on its own line."""
    on = ", ".join(billed.invoices) or "earlier invoices"
    return _usage_line(
        state,
        window,
        billed.metric_code,
        USAGE,
        f"{billed.name}: already billed on {on}"[:255],
        -billed.amount,
        quantity=Decimal(0),
        explanation={
            "rule": "usage billed before the period's end, under a charge the period's price "
            "book no longer has, is deducted",
            "billed": str(billed.amount),
            "invoices": list(billed.invoices),
            "formula": f"- {billed.amount}",
            "charge_id": billed.charge_id,
        },
        charge_id=billed.charge_id,
        tax_rate_id=billed.tax_rate_id,
    )


def interim_spec(state: State, window: Period, billed: InterimBilled) -> LineSpec:
    """What interim invoices billed of a charge in the period, as a usage line of the period (a
    plan's minimum commitment counts it, like a fee in advance billed earlier)."""
    return _usage_line(
        state, window, billed.metric_code, USAGE, billed.name, billed.amount,
        charge_id=billed.charge_id,
    )  # fmt: skip


# --------------------------------------------------------------------------------- discounts


@dataclass(frozen=True)
class Coupon:
    """A coupon redemption as the planner sees it."""

    redemption_id: int
    code: str
    name: str
    kind: str  # percent | fixed
    percent_off: Decimal | None
    amount_off: Decimal | None
    currency: str
    duration: str  # once | repeating | forever
    duration_periods: int | None
    status: str  # active | used_up | removed
    subscription_id: int | None  # None: every subscription of the customer
    plan_ids: frozenset[int]  # empty: every plan
    discounted: frozenset[int]  # the invoices it has discounted
    redeemed_at: datetime | None = None
    metric_codes: frozenset[str] = frozenset()  # the usage of these metrics only
    charge_ids: frozenset[int] = frozenset()  # and/or these charges only (both empty: no limit)
    duration_months: int | None = None  # months: a calendar window from the redemption
    zone: str = "UTC"  # the customer's time zone, in which the months are counted
    # the customer's subscription items: (item, the subscription it belongs to)
    item_parents: frozenset[tuple[int, int]] = frozenset()

    @property
    def limit(self) -> int | None:
        if self.duration == "once":
            return 1
        if self.duration == "repeating":
            return self.duration_periods or 0
        return None

    @property
    def limited(self) -> bool:
        return bool(self.metric_codes or self.charge_ids)

    @property
    def window_end(self) -> datetime | None:
        """A months coupon's window [redeemed_at, window_end): the redemption's local date and
        time in the customer's zone moved by N calendar months (the clock's `add_months`: Jan 31
        + 1 month = Feb 28), as an instant. None: not a months coupon."""
        if self.duration != "months" or self.redeemed_at is None:
            return None
        return months_after(self.redeemed_at, self.duration_months or 0, self.zone)

    def family(self, subscription_id: int) -> int:
        """The subscription the customer sees: an item's parent, else itself."""
        return next((p for i, p in self.item_parents if i == subscription_id), subscription_id)

    def applies(self, subscription_id: int | None, plan_id: int | None) -> bool:
        """A coupon redeemed on a subscription applies to its items too."""
        if subscription_id is None:
            return False
        if self.subscription_id not in (None, self.family(subscription_id)):
            return False
        return not self.plan_ids or plan_id in self.plan_ids

    def covers(self, line: LineSpec) -> bool:
        """A line it discounts (of a subscription and plan it applies to): any fee, usage or
        minimum; a limited coupon only the usage lines (and their minimum true-ups) of its
        metrics or its charges, never the fixed fee."""
        if not self.limited:
            return True
        return line.metric_code in self.metric_codes or (
            line.charge_id is not None and line.charge_id in self.charge_ids
        )


def months_after(instant: datetime, months: int, zone: str) -> datetime:
    """`instant` moved by `months` calendar months at the same local time in `zone`, the day
    clamped to the month's end (billing/periods.add_months)."""
    tz = ZoneInfo(zone)
    local = instant.astimezone(tz)
    day = periods.add_months(local.date(), months)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=tz).astimezone(UTC)


Draft = tuple[int | None, datetime, Sequence[LineSpec]]  # invoice (None: not written yet), date


def discounts_in_order(
    drafts: Sequence[Draft], coupons: Sequence[Coupon], currency: str
) -> tuple[dict[int | None, list[LineSpec]], dict[int, set[int | None]]]:
    """The discounts of a customer's open invoices, computed together in billing-date order, so
    that a coupon's duration goes to the earliest whatever order they were written in. A coupon's
    invoices are those finalized with its discount, then these in order, up to its duration; it
    discounts an invoice dated from its redemption on (or one that had it already), and once
    removed only those that had it. Only an invoice it actually discounts counts. Returns each
    invoice's discount lines, and each coupon's invoices (by redemption id)."""
    open_ids = {invoice for invoice, _, _ in drafts if invoice is not None}
    kept: dict[int, set[int | None]] = {
        c.redemption_id: {i for i in c.discounted if i not in open_ids} for c in coupons
    }
    had = {c.redemption_id: set(c.discounted) & open_ids for c in coupons}
    taken: dict[int, set[int | None]] = {c.redemption_id: set() for c in coupons}
    found: dict[int | None, list[LineSpec]] = {}
    for invoice, date, lines in sorted(drafts, key=lambda d: (d[1], d[0] is None, d[0] or 0)):
        usable = []
        for c in coupons:
            before = invoice in had[c.redemption_id]
            used = len(kept[c.redemption_id]) + len(taken[c.redemption_id])
            if c.limit is not None and used >= c.limit:
                continue
            if c.status == "removed" and not before:
                continue
            if c.redeemed_at is not None and c.redeemed_at > date and not before:
                continue
            end = c.window_end
            if end is not None and date >= end and not before:
                continue  # a months coupon: billed after its window
            usable.append(c)
        specs = invoice_discounts(lines, usable, currency)
        for spec in specs:
            assert spec.redemption_id is not None
            taken[spec.redemption_id].add(invoice)
        found[invoice] = specs
    return found, {r: kept[r] | taken[r] for r in taken}


def invoice_discounts(
    lines: Sequence[LineSpec], coupons: Sequence[Coupon], currency: str
) -> list[LineSpec]:
    """The discount lines of one invoice from all of its lines: each coupon given (oldest
    first; which ones apply is `discounts_in_order`'s) on the fees, usage and minimums of each
    subscription and plan it applies to, after the coupons before it. A percentage is taken of
    each subscription's base (rounded once); a fixed amount is given once per invoice, never more
    than what it applies to, across the subscriptions in order. A subscription with items (and
    a coupon redeemed on it applies to them too) takes its part of a fixed amount as one: the
    part is allocated across the subscription and its items in proportion to their bases
    (`allocate`: to the cent, largest remainder, adding up to the part exactly).

    A coupon limited to metrics or charges takes as its base only the lines it covers (see
    `Coupon.covers`): what is left of them after the coupons before it. What is left of each line
    is kept exactly (not rounded): a discount is spread over the lines of its base in proportion
    to what is left of each (as Lago does), so a later coupon limited to some of them starts from
    their share. Its base is rounded once, and never more than what is left of the subscription's
    whole base."""
    groups: dict[tuple[int, int], list[LineSpec]] = {}
    for line in lines:
        if line.kind in DISCOUNTED and line.subscription_id is not None:
            groups.setdefault((line.subscription_id, line.plan_id or 0), []).append(line)
    left = {
        key: quantize(sum((line.amount for line in group), Decimal(0)), currency)
        for key, group in groups.items()
    }
    # what is left of each line, exactly: (group, index in the group) -> amount
    share = {(key, i): line.amount for key, group in groups.items() for i, line in enumerate(group)}
    found: list[LineSpec] = []
    for coupon in coupons:
        keys = [key for key in sorted(groups) if coupon.applies(key[0], key[1]) and left[key] > 0]
        remaining = quantize(coupon.amount_off, currency) if coupon.amount_off else Decimal(0)
        based: list[tuple[tuple[int, int], list[int], Decimal]] = []
        for key in keys:
            group = groups[key]
            covered = [i for i, line in enumerate(group) if coupon.covers(line)]
            if not covered:
                continue
            if coupon.limited:
                mine = sum((share[key, i] for i in covered), Decimal(0))
                base = min(quantize(mine, currency), left[key])
                if base <= 0:
                    continue
            else:
                base = left[key]
            based.append((key, covered, base))
        parts = (
            allocate(coupon, [(key, base) for key, _, base in based], remaining, currency)
            if coupon.kind == "fixed"
            else {}
        )
        for key, covered, base in based:
            group = groups[key]
            note: dict[str, str] | None = None
            if coupon.kind == "fixed":
                if key not in parts:
                    continue
                amount, note = parts[key]
                terms = CouponTerms(coupon.code, "fixed", None, amount, coupon.currency)
            else:
                terms = CouponTerms(coupon.code, "percent", coupon.percent_off, None, currency)
            for d in discounts(base, [terms], currency):
                left[key] += d.amount
                _spread(share, key, [i for i in covered if share[key, i] > 0], d.amount)
                spec = _discount_line(coupon, d, key, [group[i] for i in covered])
                if note is not None:
                    spec = replace(spec, explanation={**spec.explanation, "allocation": note})
                found += discount_by_rate(
                    spec, [(group[i], share[key, i]) for i in covered], currency
                )
    return found


def allocate(
    coupon: Coupon,
    bases: Sequence[tuple[tuple[int, int], Decimal]],
    amount: Decimal,
    currency: str,
) -> dict[tuple[int, int], tuple[Decimal, dict[str, str] | None]]:
    """A fixed amount across the groups it applies to (their bases, in order): subscription
    after subscription (an item counts with the subscription it belongs to), each taking what is
    left of the amount up to its bases. A subscription with items allocates its part across
    itself and its items in proportion to their bases, to the cent by the largest remainder:
    each gets part x base / total rounded down to the cent, and the cents left go one each to
    the largest remainders (ties: the earlier group, the subscription before its items, items
    by id), so the parts add up exactly and none is more than its base. Returns each group's
    amount, with the allocation's explanation when it was shared."""
    families: dict[int, list[tuple[tuple[int, int], Decimal]]] = {}
    for key, base in bases:
        families.setdefault(coupon.family(key[0]), []).append((key, base))
    found: dict[tuple[int, int], tuple[Decimal, dict[str, str] | None]] = {}
    for root in sorted(families):
        if amount <= 0:
            break
        members = families[root]
        total = sum((base for _, base in members), Decimal(0))
        if len({key[0] for key, _ in members}) == 1:  # no items: its plans in order, as ever
            for key, base in members:
                if amount > 0:
                    found[key] = (min(amount, base), None)
                    amount -= min(amount, base)
            continue
        give = min(amount, total)
        amount -= give
        units = to_minor_units(give, currency)
        weights = [to_minor_units(base, currency) for _, base in members]
        whole = sum(weights)
        floors = [units * w // whole for w in weights]
        left_over = units - sum(floors)
        order = sorted(range(len(members)), key=lambda n: (-(units * weights[n] % whole), n))
        for n in order[:left_over]:
            floors[n] += 1
        for n, (key, base) in enumerate(members):
            part = from_minor_units(floors[n], currency)
            exact = give * base / total
            found[key] = (
                part,
                {
                    "rule": "a fixed amount allocated across a subscription and its items in "
                    "proportion to their amounts (to the cent, largest remainder)",
                    "amount": str(give),
                    "base": str(base),
                    "total": str(total),
                    "formula": f"{give} x {base} / {total} = {plain(exact)} -> {part}",
                },
            )
    return found


def discount_by_rate(
    spec: LineSpec, covered: Sequence[tuple[LineSpec, Decimal]], currency: str
) -> list[LineSpec]:
    """A discount is taxed like the lines it discounts. On lines of one tax rate it is one line at
    that rate (as set in the catalog: None is the customer's address rate). On lines of several
    rates it is split into one line per rate, in proportion to what is left of the lines of each
    rate (after this discount: the spread keeps the proportions; their amounts if nothing is
    left), each part rounded once and the last rate taking the rest, so the parts add up to the
    discount. Rates in order: the address rate (None) first, then by id."""
    weights: dict[int | None, Decimal] = {}
    for line, left in covered:
        weights[line.tax_rate_id] = weights.get(line.tax_rate_id, Decimal(0)) + left
    if len(weights) > 1 and (sum(weights.values()) <= 0 or min(weights.values()) < 0):
        weights = {}
        for line, _ in covered:
            weights[line.tax_rate_id] = weights.get(line.tax_rate_id, Decimal(0)) + line.amount
    rates = sorted(weights, key=lambda r: (r is not None, r or 0))
    total = sum(weights.values(), Decimal(0))
    if len(rates) <= 1 or total <= 0 or min(weights.values()) < 0:
        return [replace(spec, tax_rate_id=rates[0] if rates else None)]
    parts: list[LineSpec] = []
    given = Decimal(0)
    for n, rate in enumerate(rates):
        last = n == len(rates) - 1
        exact = spec.amount * weights[rate] / total
        part = spec.amount - given if last else quantize(exact, currency)
        given += part
        if not part:
            continue
        formula = (
            f"{spec.amount} less the other rates' {given - part} = {part}"
            if last
            else f"{spec.amount} x {plain(weights[rate])} / {plain(total)} = {part}"
        )
        parts.append(
            replace(
                spec,
                amount=part,
                tax_rate_id=rate,
                explanation={
                    **spec.explanation,
                    "tax_split": {
                        "rule": "a discount on lines of several tax rates, split by rate in "
                        "proportion to what is left of them (the last rate takes the rest)",
                        "discount": str(spec.amount),
                        "rate_base": plain(weights[rate]),
                        "base": plain(total),
                        "formula": formula,
                    },
                },
            )
        )
    return parts


def _spread(
    share: dict[tuple[tuple[int, int], int], Decimal],
    key: tuple[int, int],
    indexes: Sequence[int],
    amount: Decimal,
) -> None:
    """Take `amount` (negative) off the lines of a discount's base, in proportion to what is
    left of each."""
    total = sum((share[key, i] for i in indexes), Decimal(0))
    if total <= 0:
        return
    for i in indexes:
        share[key, i] += amount * share[key, i] / total


def _discount_line(
    coupon: Coupon, d: Discount, key: tuple[int, int], covered: Sequence[LineSpec]
) -> LineSpec:
    explanation: dict[str, Any] = {
        "rule": "coupon on the fees, usage and minimums of the invoice",
        "coupon": coupon.code,
        "kind": coupon.kind,
        "percent_off": str(coupon.percent_off) if coupon.percent_off else None,
        "amount_off": str(coupon.amount_off) if coupon.amount_off else None,
        "duration": coupon.duration,
        "duration_periods": coupon.duration_periods,
        "base": str(d.base),
        "formula": d.formula,
    }
    if coupon.duration == "months":
        end = coupon.window_end
        explanation.update(
            duration_months=coupon.duration_months,
            window={
                "start": coupon.redeemed_at.isoformat() if coupon.redeemed_at else None,
                "end": end.isoformat() if end else None,
                "time_zone": coupon.zone,
            },
        )
    if coupon.limited:
        explanation.update(
            rule="coupon limited to the usage (and minimum true-ups) of its metrics or charges",
            metrics=sorted(coupon.metric_codes),
            charges=sorted(coupon.charge_ids),
            lines=[line.description for line in covered],
        )
    return LineSpec(
        kind=DISCOUNT,
        description=f"{coupon.name} ({coupon.code})",
        amount=d.amount,
        period_start=min((g.period_start for g in covered if g.period_start), default=None),
        period_end=max((g.period_end for g in covered if g.period_end), default=None),
        explanation=explanation,
        subscription_id=key[0],
        plan_id=key[1] or None,
        redemption_id=coupon.redemption_id,
    )


# ------------------------------------------------------------------------ the upcoming invoice


@dataclass(frozen=True)
class ScheduledChange:
    id: int
    at: datetime
    plan_id: int | None  # None: the same plan
    quantity: int | None  # None: the same quantity
    prorate: bool
    phase: str = "same"  # a change of plan: the same phase of the new plan, or "restart"


@dataclass(frozen=True)
class Planned:
    """A step met by `simulate`, the state it falls due in, and the proration lines it carries
    that the simulated changes made."""

    step: Step
    state: State
    prorations: tuple[LineSpec, ...] = ()


def pending_spec(
    state: State,
    *,
    kind: str,
    description: str,
    amount: Decimal,
    start: datetime,
    end: datetime,
    explanation: dict[str, Any],
    proration_line_id: int | None = None,
    tax_rate_id: int | None = None,
) -> LineSpec:
    """A proration line or an add-on waiting for the subscription's next period end (with the
    rate of the plan it prorates, or of the add-on, when one is set in the catalog)."""
    return LineSpec(
        kind=ADD_ON if kind == "add_on" else PRORATION,
        description=description,
        amount=amount,
        period_start=start,
        period_end=end,
        explanation=explanation,
        subscription_id=state.id,
        proration_line_id=proration_line_id,
        tax_rate_id=tax_rate_id,
    )


def simulate(
    state: State,
    billed: Billed,
    until: datetime,
    *,
    changes: Sequence[ScheduledChange] = (),
    books: Mapping[int, Sequence[PriceBook]] | None = None,
    trial_will_end_sent: bool = True,
    pending: bool = False,
    start_terms: AdvanceTerms | None = None,
    start: StartTerms | None = None,
) -> tuple[list[Planned], State]:
    """Run the subscription forward to `until` as the clock would, without writing: its edges
    (start, trial end, scheduled changes, set end date, period ends, cancellation at a period
    end: billing/lifecycle.py) and its billing steps in time order, each with the state it
    falls due in. Returns them and the state at `until`. `pending`: it has proration lines or
    add-ons waiting; `start_terms`: the price book, quantity and phase walk its current
    period's fee in advance is billed at, when they changed since that fee fell due (see
    `advance_terms`);
    `start`: what it bills at its start (its start step, planned once it has started)."""
    books = books or {}
    planned: list[Planned] = []
    done = set(billed)
    waiting = {change.id: change for change in changes}
    made: list[LineSpec] = []
    for _ in range(10_000):  # bounded: every pass moves the subscription forward in time
        moved = False
        while True:  # the edges before the current period ends (the period is billed first)
            edge = lifecycle.next_edge(
                state,
                until=until,
                period_ends=False,
                trial_will_end_sent=trial_will_end_sent,
                changes=[(c.at, c.id) for c in waiting.values()],
            )
            if edge is None:
                break
            moved = True
            if edge.what == "start":
                state, start_terms = lifecycle.started(state, edge.at), None
            elif edge.what == "trial_end":
                state, start_terms = lifecycle.trial_ended(state, edge.at), None
            elif edge.what == "end":
                state = lifecycle.finished(state, lifecycle.ENDED, edge.at)
            elif edge.what == "change":
                change = waiting.pop(edge.change_id or 0)
                book: PriceBook | None = state.book  # a change of quantity keeps the book
                if change.plan_id and change.plan_id != state.book.plan_id:
                    book = lifecycle.book_in_force(books.get(change.plan_id, ()), change.at)
                if book is None:
                    continue  # no price in force: the clock refuses it too
                if start_terms is None and _after_advance_due(state, frozenset(done), change.at):
                    start_terms = (state.book, state.quantity, state.phase_start)
                state, lines = lifecycle.changed(
                    state, change.at, book, change.quantity or state.quantity,
                    prorate=change.prorate, phase=change.phase,
                )  # fmt: skip
                made += [
                    pending_spec(state, kind=line.kind, description=line.description,
                                 amount=line.rounded, start=line.start, end=line.end,
                                 explanation=line.explanation, tax_rate_id=line.tax_rate_id)
                    for line in lines
                ]  # fmt: skip
            else:  # a trial's notice: nothing to bill
                trial_will_end_sent = True
        steps = due_steps(state, frozenset(done), until, pending=pending or bool(made), start=start)
        for step in steps:
            at = state
            if step.kind == ADVANCE and start_terms is not None:
                at = with_terms(state, *start_terms)
            carried = tuple(made) if step.kind in (PERIOD_END, CLOSING) else ()
            planned.append(Planned(step, at, carried))
            done.add(step.key)
            if step.kind in (PERIOD_END, CLOSING):
                made, pending = [], False
        if state.status in BILLABLE and state.period.end <= until:
            if state.cancel_at_period_end:
                state = lifecycle.finished(state, lifecycle.CANCELED, state.period.end)
            else:
                state, _ = lifecycle.rolled(state, books.get(state.book.plan_id, ()))
                start_terms = None
            continue
        if not steps and not moved:
            break
    return planned, state


def _after_advance_due(state: State, billed: Billed, at: datetime) -> bool:
    """A change at `at` comes after the current period's fee in advance fell due, unbilled yet:
    that fee is still billed at the terms before it (its proration lines count on that)."""
    return (
        state.status in BILLABLE
        and state.book.fee_timing == "advance"
        and (state.period.start, ADVANCE) not in billed
        and at > advance_date(state)
    )


# The terms a fee in advance fell due at: its price book, quantity and phase walk start
# (`State.phase_start`: the phase position in force then, which a "restart" moved since).
AdvanceTerms = tuple[PriceBook, int, int | None]


def with_terms(state: State, book: PriceBook, quantity: int, phase_start: int | None) -> State:
    """The state priced at other terms (a fee in advance billed at its period's start terms:
    the price book, quantity and phase walk then)."""
    return replace(state, book=book, quantity=quantity, phase_start=phase_start)
