"""The invoice planner: what a customer owes, decided in one place. Pure: no ORM, no clock.

Everything that bills goes through these functions, and nothing else decides an invoice line:

- `due_steps` says which billing steps a subscription's current period has due at an instant:
  its fee in advance (on the day the period starts, or the first paid day), its end (the fee in
  arrears, the usage, the pending proration lines and add-ons, on the day it ends), or the last
  part of a period cut short by a cancellation or a set end date (on the day it ends);
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
from datetime import datetime
from decimal import Decimal
from typing import Any

from billing import lifecycle
from billing.aggregation import Aggregate
from billing.lifecycle import BILLABLE, FINISHED, State
from billing.periods import Period
from billing.proration import share
from catalog.money import quantize
from catalog.pricebook import PriceBook
from catalog.pricing import Percentage, Rater, plain
from catalog.tax import CouponTerms, discounts

ADVANCE, PERIOD_END, CLOSING = "advance", "period_end", "closing"
FIXED_FEE, USAGE, MINIMUM, PRORATION, ADD_ON, DISCOUNT = (
    "fixed_fee",
    "usage",
    "minimum",
    "proration",
    "add_on",
    "discount",
)
DISCOUNTED = frozenset({FIXED_FEE, USAGE, MINIMUM})  # what coupons discount


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
    kind: str  # ADVANCE | PERIOD_END | CLOSING
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

    @property
    def per_transaction(self) -> bool:
        return isinstance(self.rater, Percentage) and self.rater.per_transaction


Window = tuple[int, int, datetime, datetime]  # (metric id, customer id, start, end)


@dataclass(frozen=True)
class Usage:
    """The SQL aggregates (and, for charges priced per transaction, the values) of windows."""

    aggregates: Mapping[Window, Aggregate] = field(default_factory=dict)
    transactions: Mapping[Window, Sequence[Decimal]] = field(default_factory=dict)


# ------------------------------------------------------------------------------------- steps


def advance_date(state: State) -> datetime:
    """When the current period's fee in advance is billed: its start, or the first paid day."""
    return max(state.period.start, state.paid_from)


def due_steps(
    state: State, billed: Billed, as_of: datetime, *, pending: bool = False
) -> list[Step]:
    """The steps of the subscription's current period due by `as_of` and not billed yet.
    `pending`: it has proration lines or add-ons waiting (a subscription that ended with some,
    after its last period was billed, bills them in a `closing` step on the day it ended)."""
    period = state.period
    steps: list[Step] = []
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


def next_step_at(state: State, billed: Billed, *, pending: bool = False) -> datetime | None:
    """The earliest instant at which the subscription may still put a line on an invoice of its
    customer: its start or the end of its trial (then its first steps are known), or its next
    unbilled step, or its set end date. None when it has nothing more to bill."""
    if state.status == lifecycle.PENDING:
        return state.start_at
    if state.status == lifecycle.TRIALING:
        return state.trial_end
    whenever = datetime.max.replace(tzinfo=state.period.start.tzinfo)
    dates = [s.billing_date for s in due_steps(state, billed, whenever, pending=pending)]
    if state.status in BILLABLE and state.ends_at is not None:
        dates.append(state.ends_at)
    if state.status in BILLABLE and state.in_trial_period:
        dates.append(state.period.end)  # paused in its trial: its paid periods come next
    return min(dates) if dates else None


# ------------------------------------------------------------------------------------- lines


def fee_line(
    state: State, start: datetime, end: datetime, period: Period, timing: str
) -> LineSpec | None:
    """The fixed fee for [start, end) within `period`, by the second, as a share of the fee's
    whole period (a stub's is the interval it is part of)."""
    book = state.book
    if not book.fixed_fee:
        return None
    reference = state.fee_reference(period)
    exact, seconds = share(book.fixed_fee * state.quantity, start, end, period, reference)
    if not exact:
        return None
    rule = f"fixed fee in {timing}, by the second"
    if timing == "arrears":
        rule += " from the last change of plan or quantity"
    return LineSpec(
        kind=FIXED_FEE,
        description=f"{book.plan_name} x {state.quantity}",
        amount=quantize(exact, book.currency),
        quantity=Decimal(state.quantity),
        unit_amount=book.fixed_fee,
        period_start=max(start, period.start),
        period_end=min(end, period.end),
        explanation={
            "rule": rule,
            "price_version": book.label,
            "fee_timing": timing,  # the same keys as a proration line's (billing/proration.py)
            "period": {"start": reference.start.isoformat(), "end": reference.end.isoformat()},
            "part_seconds": seconds,
            "period_seconds": reference.seconds,
            "formula": f"{plain(book.fixed_fee)} x {state.quantity} x {seconds} / "
            f"{reference.seconds} s = {plain(exact)}",
        },
        subscription_id=state.id,
        book_id=book.id,
        plan_id=book.plan_id,
    )


def usage_lines(
    state: State, window: Period, charges: Sequence[ChargeTerms], usage: Usage
) -> list[LineSpec]:
    """The usage charges of a window, rated with the subscription's price book: one line per
    charge (rounded once), and a true-up line when a minimum commitment is not reached."""
    lines: list[LineSpec] = []
    for charge in charges:
        key = (charge.metric_id, state.customer_id, window.start, window.end)
        found = usage.aggregates.get(key) or Aggregate(
            state.customer_id, charge.metric_code, None, Decimal(0), 0
        )
        if charge.per_transaction:
            assert isinstance(charge.rater, Percentage)
            rating = charge.rater.rate_transactions(list(usage.transactions.get(key, ())))
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
        lines.append(
            _usage_line(
                state,
                window,
                charge.metric_code,
                USAGE,
                f"{charge.name} ({plain(found.quantity)})",
                rating.rounded,
                quantity=found.quantity,
                explanation=explanation,
            )
        )
        if rating.rounded_true_up:
            lines.append(
                _usage_line(
                    state,
                    window,
                    charge.metric_code,
                    MINIMUM,
                    f"{charge.name}: minimum commitment true-up",
                    rating.rounded_true_up,
                    explanation=explanation["minimum_commitment"],
                )
            )
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
) -> list[LineSpec]:
    """The lines of one step. `state` is the subscription when the step falls due; `pending` its
    proration lines and add-ons waiting for its next period end."""
    window = step.window
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
    lines += usage_lines(state, window, charges, usage)
    lines += pending
    return lines


def usage_windows(
    steps: Iterable[tuple[Step, State]], charges: Mapping[int, Sequence[ChargeTerms]]
) -> dict[int, set[tuple[int, datetime, datetime]]]:
    """The (customer, start, end) windows each metric must be aggregated over for these steps."""
    wanted: dict[int, set[tuple[int, datetime, datetime]]] = {}
    for step, state in steps:
        if step.kind != PERIOD_END:
            continue
        for charge in charges.get(state.book.id, ()):
            wanted.setdefault(charge.metric_id, set()).add(
                (state.customer_id, step.window.start, step.window.end)
            )
    return wanted


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

    @property
    def limit(self) -> int | None:
        if self.duration == "once":
            return 1
        if self.duration == "repeating":
            return self.duration_periods or 0
        return None

    def applies(self, subscription_id: int | None, plan_id: int | None) -> bool:
        if subscription_id is None:
            return False
        if self.subscription_id not in (None, subscription_id):
            return False
        return not self.plan_ids or plan_id in self.plan_ids


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
    than what it applies to, across the subscriptions in order."""
    groups: dict[tuple[int, int], list[LineSpec]] = {}
    for line in lines:
        if line.kind in DISCOUNTED and line.subscription_id is not None:
            groups.setdefault((line.subscription_id, line.plan_id or 0), []).append(line)
    left = {
        key: quantize(sum((line.amount for line in group), Decimal(0)), currency)
        for key, group in groups.items()
    }
    found: list[LineSpec] = []
    for coupon in coupons:
        keys = [key for key in sorted(groups) if coupon.applies(key[0], key[1]) and left[key] > 0]
        remaining = quantize(coupon.amount_off, currency) if coupon.amount_off else Decimal(0)
        for key in keys:
            if coupon.kind == "fixed":
                if remaining <= 0:
                    break
                terms = CouponTerms(coupon.code, "fixed", None, remaining, coupon.currency)
            else:
                terms = CouponTerms(coupon.code, "percent", coupon.percent_off, None, currency)
            for d in discounts(left[key], [terms], currency):
                left[key] += d.amount
                remaining += d.amount
                group = groups[key]
                found.append(
                    LineSpec(
                        kind=DISCOUNT,
                        description=f"{coupon.name} ({coupon.code})",
                        amount=d.amount,
                        period_start=min((g.period_start for g in group if g.period_start),
                                         default=None),
                        period_end=max((g.period_end for g in group if g.period_end),
                                       default=None),
                        explanation={
                            "rule": "coupon on the fees, usage and minimums of the invoice",
                            "coupon": coupon.code,
                            "kind": coupon.kind,
                            "percent_off": str(coupon.percent_off) if coupon.percent_off else None,
                            "amount_off": str(coupon.amount_off) if coupon.amount_off else None,
                            "duration": coupon.duration,
                            "duration_periods": coupon.duration_periods,
                            "base": str(d.base),
                            "formula": d.formula,
                        },
                        subscription_id=key[0],
                        plan_id=key[1] or None,
                        redemption_id=coupon.redemption_id,
                    )
                )  # fmt: skip
    return found


# ------------------------------------------------------------------------ the upcoming invoice


@dataclass(frozen=True)
class ScheduledChange:
    id: int
    at: datetime
    plan_id: int | None  # None: the same plan
    quantity: int | None  # None: the same quantity
    prorate: bool


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
) -> LineSpec:
    """A proration line or an add-on waiting for the subscription's next period end."""
    return LineSpec(
        kind=ADD_ON if kind == "add_on" else PRORATION,
        description=description,
        amount=amount,
        period_start=start,
        period_end=end,
        explanation=explanation,
        subscription_id=state.id,
        proration_line_id=proration_line_id,
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
    start_terms: tuple[PriceBook, int] | None = None,
) -> tuple[list[Planned], State]:
    """Run the subscription forward to `until` as the clock would, without writing: its edges
    (start, trial end, scheduled changes, set end date, period ends, cancellation at a period
    end: billing/lifecycle.py) and its billing steps in time order, each with the state it
    falls due in. Returns them and the state at `until`. `pending`: it has proration lines or
    add-ons waiting; `start_terms`: the price book and quantity its current period's fee in
    advance is billed at, when they changed since that fee fell due (see `advance_terms`)."""
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
                    start_terms = (state.book, state.quantity)
                state, lines = lifecycle.changed(
                    state, change.at, book, change.quantity or state.quantity,
                    prorate=change.prorate,
                )  # fmt: skip
                made += [
                    pending_spec(state, kind=line.kind, description=line.description,
                                 amount=line.rounded, start=line.start, end=line.end,
                                 explanation=line.explanation)
                    for line in lines
                ]  # fmt: skip
            else:  # a trial's notice: nothing to bill
                trial_will_end_sent = True
        steps = due_steps(state, frozenset(done), until, pending=pending or bool(made))
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


def with_terms(state: State, book: PriceBook, quantity: int) -> State:
    """The state priced at other terms (a fee in advance billed at its period's start terms)."""
    return replace(state, book=book, quantity=quantity)
