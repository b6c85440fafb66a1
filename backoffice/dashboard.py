"""The finance dashboard's pure rules (no ORM, no clock): months and periods, the monthly
normalization of a recurring fee, MRR movements, and a plain Python reference of the MRR that the
SQL of backoffice/selectors.py must equal (tests compare both on generated histories).

MRR, as the dashboard counts it:

- A subscription's MRR at an instant is its price book's recurring fixed fee
  (`catalog.PlanVersion.fixed_fee`) x its quantity, normalized to a month: a fee every n months
  / n, every n years / (12 n), every n weeks x 52 / (12 n), every n days x 365 / (12 n). It is 0
  before its start, while it is trialing (up to `trial_end`), while it is paused
  (`SubscriptionPause`), and once it has ended or was canceled (`ended_at`, else `canceled_at`,
  else a set end `ends_at` that has come). Its price book and quantity at an instant come from
  its applied changes (`SubscriptionChange`: `applied_plan_version` and `new_quantity` from each
  one's `effective_at`) and its price moves at renewals (`SubscriptionPriceMove`, written by the
  clock's roll when a period starts on the plan's new version: `to_plan_version` from
  `effective_at`, the quantity unchanged), in time order (at one instant a change before a move,
  as the clock applies them; then by id); before the first of them, the terms the first changed
  or moved from.
- Usage charges, add-ons, taxes, discounts and coupons are not MRR: only the recurring fixed fee.
- A customer's MRR is the sum over its subscriptions, in its currency, computed exactly and
  rounded once (catalog.money.quantize) per customer and month.
- A month's MRR is taken at the month's end (UTC): the state just before the first instant of the
  next month, or just before `as_of` for the month in progress. A subscription canceled at
  midnight on the 1st counted for the month before.
- Movements per customer, month over month (MRR at the end of the month before -> at the end of
  this one): new (0 -> >0, never >0 at an earlier month's end), reactivation (0 -> >0, >0 at an
  earlier month's end), expansion (up, both > 0), contraction (down, both > 0), churn (>0 -> 0).
  Their amounts add up to the month's MRR less the previous month's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, localcontext

from catalog.money import quantize

ZERO = Decimal(0)
MOVEMENTS: tuple[str, ...] = ("new", "expansion", "contraction", "churn", "reactivation")
MOVEMENT_LABELS: dict[str, str] = {
    "new": "New",
    "expansion": "Expansion",
    "contraction": "Contraction",
    "churn": "Churn",
    "reactivation": "Reactivation",
}
MAX_MONTHS = 36


# ------------------------------------------------------------------------------------ months


def month_of(instant: datetime) -> date:
    """The first day of the UTC month of `instant`."""
    utc = instant.astimezone(UTC)
    return date(utc.year, utc.month, 1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def month_end(month: date) -> datetime:
    """The first instant of the next month (UTC): a month is [start, end)."""
    return month_start(add_months(month, 1))


def months(first: date, last: date) -> list[date]:
    out = []
    current = first
    while current <= last:
        out.append(current)
        current = add_months(current, 1)
    return out


def parse_month(text: str) -> date:
    """`YYYY-MM` -> the month's first day; ValueError otherwise."""
    parts = text.strip().split("-")
    if len(parts) != 2 or len(parts[0]) != 4 or len(parts[1]) != 2:
        raise ValueError(f"{text!r} is not a month (YYYY-MM).")
    if not (parts[0].isdigit() and parts[1].isdigit()):
        raise ValueError(f"{text!r} is not a month (YYYY-MM).")
    year, month = int(parts[0]), int(parts[1])
    if not (1 <= month <= 12 and 1970 <= year <= 9000):
        raise ValueError(f"{text!r} is not a month (YYYY-MM).")
    return date(year, month, 1)


def default_period(as_of: datetime) -> tuple[date, date]:
    """The last 12 UTC months, the month of `as_of` included."""
    last = month_of(as_of)
    return add_months(last, -11), last


def period_problems(first: date, last: date, as_of: datetime) -> dict[str, str]:
    """What is wrong with a period, by the field it is about (empty: nothing)."""
    problems: dict[str, str] = {}
    current = month_of(as_of)
    if last > current:
        problems["to"] = f"{last:%Y-%m} is after the current month ({current:%Y-%m})."
    if first > last:
        problems["from"] = f"{first:%Y-%m} comes after {last:%Y-%m}."
    elif len(months(first, last)) > MAX_MONTHS:
        problems["from"] = f"At most {MAX_MONTHS} months at once."
    return problems


def instant_of(month: date, as_of: datetime) -> datetime:
    """The instant a month's MRR is taken just before: its end, or `as_of` in the month in
    progress."""
    return min(month_end(month), as_of)


# ------------------------------------------------------------------------------ normalization


def monthly_factor(unit: str, count: int) -> tuple[int, int]:
    """(numerator, denominator) turning a fee every `count` `unit`s into a monthly amount."""
    if unit == "month":
        return 1, count
    if unit == "year":
        return 1, 12 * count
    if unit == "week":
        return 52, 12 * count
    if unit == "day":
        return 365, 12 * count
    raise ValueError(f"unknown interval unit {unit!r}")


def movement(prev: Decimal, cur: Decimal, *, ever_before: bool) -> str | None:
    """The movement of a customer's MRR from one month's end to the next (None: unchanged)."""
    if prev == 0 and cur > 0:
        return "reactivation" if ever_before else "new"
    if prev > 0 and cur == 0:
        return "churn"
    if prev > 0 and cur > prev:
        return "expansion"
    if prev > 0 and 0 < cur < prev:
        return "contraction"
    return None


# ------------------------------------------------------------------------- the Python reference


@dataclass(frozen=True)
class Terms:
    """A price book's terms for the reference: fee, interval and its plan's currency."""

    fee: Decimal
    unit: str
    count: int


@dataclass(frozen=True)
class Change:
    effective_at: datetime
    from_terms: Terms
    from_quantity: int
    terms: Terms
    quantity: int


@dataclass(frozen=True)
class PriceMove:
    """A roll onto the plan's new version (billing.SubscriptionPriceMove): from the new period's
    start, the same quantity at the new terms."""

    effective_at: datetime
    from_terms: Terms
    terms: Terms


@dataclass(frozen=True)
class History:
    """One subscription's rows, as the reference reads them."""

    customer: int
    start_at: datetime
    terms: Terms  # its price book now
    quantity: int  # its quantity now
    trial_end: datetime | None = None
    end_at: datetime | None = None  # ended_at, else canceled_at, else ends_at
    pauses: Sequence[tuple[datetime, datetime | None]] = ()
    changes: Sequence[Change] = ()  # applied, by effective_at
    moves: Sequence[PriceMove] = ()  # price moves at renewals, by effective_at


def _live(value: datetime | None, t: datetime) -> bool:
    """Is `t` within (start, value] where value is an end (None: open)?"""
    return value is None or value >= t


def history_mrr(h: History, t: datetime) -> Decimal:
    """The exact (unrounded) monthly amount of a subscription just before `t`."""
    if not h.start_at < t or not _live(h.end_at, t):
        return ZERO
    if h.trial_end is not None and h.trial_end >= t:
        return ZERO
    if any(paused < t and _live(resumed, t) for paused, resumed in h.pauses):
        return ZERO
    terms, quantity = h.terms, h.quantity
    # applied changes and price moves in time order; at one instant a change comes before a
    # move (billing's edge order: a change due at a period's end applies, then the period rolls)
    events: list[tuple[datetime, int, int, Change | PriceMove]] = sorted(
        [(c.effective_at, 0, i, c) for i, c in enumerate(h.changes)]
        + [(m.effective_at, 1, i, m) for i, m in enumerate(h.moves)],
        key=lambda e: e[:3],
    )
    if events:
        terms = events[0][3].from_terms
        first_change = next((c for c in sorted(h.changes, key=lambda c: c.effective_at)), None)
        if first_change is not None:
            quantity = first_change.from_quantity
        for at, _, _, event in events:
            if at >= t:
                break
            terms = event.terms
            if isinstance(event, Change):
                quantity = event.quantity
    num, den = monthly_factor(terms.unit, terms.count)
    with localcontext() as ctx:
        ctx.prec = 60
        return terms.fee * quantity * num / den


def customer_mrr(histories: Iterable[History], t: datetime, currency: str) -> dict[int, Decimal]:
    """Each customer's MRR just before `t`, rounded once (customers at 0 left out)."""
    sums: dict[int, Decimal] = {}
    with localcontext() as ctx:
        ctx.prec = 60
        for h in histories:
            sums[h.customer] = sums.get(h.customer, ZERO) + history_mrr(h, t)
    rounded = {c: quantize(v, currency) for c, v in sums.items()}
    return {c: v for c, v in rounded.items() if v > 0}


@dataclass
class MonthFigures:
    month: date
    mrr: Decimal = ZERO
    customers: int = 0
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(MOVEMENTS, ZERO))
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MOVEMENTS, 0))


def reference_mrr(
    histories: Sequence[History], first: date, last: date, as_of: datetime, currency: str
) -> list[MonthFigures]:
    """MRR and movements month by month, the slow and obvious way: every month's end from the
    earliest start, every customer."""
    if not histories:
        return [MonthFigures(m) for m in months(first, last)]
    begin = min(month_of(h.start_at) for h in histories)
    begin = min(begin, add_months(first, -1))
    seen: set[int] = set()
    previous: dict[int, Decimal] = {}
    out = []
    for m in months(begin, last):
        current = customer_mrr(histories, instant_of(m, as_of), currency)
        if m >= first:
            figures = MonthFigures(m, sum(current.values(), ZERO), len(current))
            for customer in set(current) | set(previous):
                prev, cur = previous.get(customer, ZERO), current.get(customer, ZERO)
                kind = movement(prev, cur, ever_before=customer in seen)
                if kind:
                    figures.amounts[kind] += cur - prev
                    figures.counts[kind] += 1
            out.append(figures)
        seen |= set(previous)
        previous = current
    return out
