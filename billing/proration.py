"""Proration of fixed fees. Pure: no ORM, no clock.

The rule, used everywhere: **by the second**. A change at instant t inside a period [s, e) splits
the period's fee at t: the share of a fee for a part of a period is fee x quantity x (seconds in
the part) / (seconds in the period), computed exactly and rounded once per line (half away from
zero, catalog.money.quantize). Periods are local-midnight to local-midnight, so a period across a
daylight-saving change has its real length in seconds.

- Fee billed in advance (already invoiced for the whole period): a change credits the unused part
  at the old price and charges the rest of the period at the new price.
- Fee billed in arrears (not invoiced yet): a change charges the used part at the old price now;
  the period-end invoice charges the new price from the change on (the subscription's fee_since).
- Cancelling at once with a credit: the unused part of an advance fee is credited; an arrears fee
  is charged for the used part only.

The share is of the *fee's period*: for a calendar-aligned first period (a stub shorter than the
interval) that is the whole interval the stub is part of, so the stub's fee is itself prorated and
a credit inside the stub is at the same rate: never more than the stub fee billed. Parts are
clamped to the billed period (the stub), the denominator is the reference (the whole interval).

**By whole days** (a price book's `proration_unit` "day", as Kill Bill, Lago and Chargebee): the
share is fee x quantity x (days in the part) / (days in the fee's whole period), days being local
days in the subscription's time zone. Every instant that splits a fee (a change, a cancellation,
an end date, a pause and its resume) is first moved to a local midnight by the book's
`proration_change_day`: "new" (the default) to the midnight starting its day, so the day of a
change is billed at the new terms; "old" to the next midnight, so it is billed at the old terms.
An instant that is a local midnight splits no day and stays. Period boundaries and the first paid
day are local midnights already. A line is priced by the rule of the book it is a line of: the
credit of the old terms by the old book's rule, the charge of the new terms by the new book's.
A change between two books splits the fee at one instant for both its lines (`change_instant`):
the change's instant snapped by the new book's rule when it prorates by whole days (its
`proration_change_day` decides the day of the change), else by the old book's; so the day of a
change is billed once, never at both prices nor at neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from billing.periods import Period, local_date, local_midnight
from catalog.money import quantize
from catalog.pricing import plain

SECOND, DAY = "second", "day"


@dataclass(frozen=True)
class Rule:
    """How a fee is split by time: by the second (the default), or by whole local days of `zone`
    with the day of a change billed at the "new" or the "old" terms (see the module's note)."""

    unit: str = SECOND  # "second" | "day"
    change_day: str = "new"  # "new" | "old"
    zone: str = "UTC"

    @property
    def by_day(self) -> bool:
        return self.unit == DAY

    @property
    def name(self) -> str:
        return "by whole days" if self.by_day else "by the second"

    @property
    def suffix(self) -> str:
        return "days" if self.by_day else "s"

    def snap(self, instant: datetime) -> datetime:
        """The instant a fee is split at: itself by the second; by whole days the local midnight
        starting its day ("new") or the next one ("old"), itself when it is a local midnight."""
        if not self.by_day:
            return instant
        day = local_date(instant, self.zone)
        midnight = local_midnight(day, self.zone)
        if midnight == instant or self.change_day != "old":
            return midnight
        return local_midnight(day + timedelta(days=1), self.zone)

    def count(self, start: datetime, end: datetime) -> int:
        """Seconds, or local days, of [start, end) once both are snapped (0 when empty)."""
        start, end = self.snap(start), self.snap(end)
        if end <= start:
            return 0
        if self.by_day:
            return (local_date(end, self.zone) - local_date(start, self.zone)).days
        return int((end - start).total_seconds())

    def whole(self, period: Period) -> int:
        """The period's length in the rule's unit (its seconds, by the second)."""
        return self.count(period.start, period.end) if self.by_day else period.seconds


BY_THE_SECOND = Rule()


@dataclass(frozen=True)
class FeeTerms:
    fee: Decimal  # per unit, per period
    quantity: int
    version: str  # e.g. "pro@v1"
    timing: str  # "advance" | "arrears"
    rule: Rule = field(default=BY_THE_SECOND)  # the price book's proration rule
    tax_rate_id: int | None = None  # its plan's product's rate (None: the address's)

    @property
    def period_amount(self) -> Decimal:
        return self.fee * self.quantity


@dataclass(frozen=True)
class Line:
    kind: str  # "credit" | "charge"
    description: str
    amount: Decimal  # exact, negative for a credit
    rounded: Decimal
    start: datetime
    end: datetime
    explanation: dict[str, Any]
    tax_rate_id: int | None = None  # the rate of the plan it prorates (see FeeTerms)


def share(
    amount: Decimal,
    start: datetime,
    end: datetime,
    period: Period,
    reference: Period | None = None,
    rule: Rule = BY_THE_SECOND,
) -> tuple[Decimal, int]:
    """amount x (seconds of [start, end) inside the period) / (seconds of the reference, the
    period itself unless given), and the seconds counted; by whole days with a day `rule`
    (the instants snapped to local midnights first, days over days)."""
    if rule.by_day:
        lo, hi = part(start, end, period, rule)
        days = rule.count(lo, hi)
        return amount * days / rule.whole(reference or period), days
    lo, hi = max(start, period.start), min(end, period.end)
    seconds = max(0, int((hi - lo).total_seconds()))
    return amount * seconds / (reference or period).seconds, seconds


def part(
    start: datetime, end: datetime, period: Period, rule: Rule = BY_THE_SECOND
) -> tuple[datetime, datetime]:
    """The part of `period` a fee for [start, end) covers, by the rule (snapped, clamped)."""
    return (
        max(rule.snap(start), rule.snap(period.start)),
        min(rule.snap(end), rule.snap(period.end)),
    )


def line(
    kind: str,
    terms: FeeTerms,
    start: datetime,
    end: datetime,
    period: Period,
    currency: str,
    why: str,
    reference: Period | None = None,
) -> Line | None:
    reference = reference or period
    rule = terms.rule
    exact, seconds = share(terms.period_amount, start, end, period, reference, rule)
    if not exact:
        return None
    # the part of this period the line covers (a pause across periods gives a line for each
    # period, each naming its own part): its amount is reproducible from the line alone
    start, end = part(start, end, period, rule)
    sign = -1 if kind == "credit" else 1
    amount = sign * exact
    verb = "Unused time on" if kind == "credit" else "Remaining time on"
    if kind == "charge" and terms.timing == "arrears":
        verb = "Time used on"
    if why == "paused":
        verb = "Paused time on"
    first, last = start.date(), end.date()
    if rule.by_day:  # the customer's days
        first, last = local_date(start, rule.zone), local_date(end, rule.zone)
    description = (
        f"{verb} {terms.version} x {terms.quantity} ({first.isoformat()} to {last.isoformat()})"
    )
    if rule.by_day:
        return Line(
            kind, description, amount, quantize(amount, currency), start, end,
            _day_explanation(terms, why, reference, start, end, seconds, amount, sign, currency),
            tax_rate_id=terms.tax_rate_id,
        )  # fmt: skip
    explanation = {
        "rule": "proration by the second",
        "why": why,
        "price_version": terms.version,
        "fee_per_period": plain(terms.fee),
        "quantity": terms.quantity,
        "fee_timing": terms.timing,
        "period": {"start": reference.start.isoformat(), "end": reference.end.isoformat()},
        "part": {"start": start.isoformat(), "end": end.isoformat()},
        "part_seconds": seconds,
        "period_seconds": reference.seconds,
        "formula": (
            f"{'-' if sign < 0 else ''}{plain(terms.fee)} x {terms.quantity} x "
            f"{seconds} / {reference.seconds} s = {plain(amount)}"
        ),
        "currency": currency,
    }
    return Line(
        kind, description, amount, quantize(amount, currency), start, end, explanation,
        tax_rate_id=terms.tax_rate_id,
    )  # fmt: skip


def _day_explanation(
    terms: FeeTerms,
    why: str,
    reference: Period,
    start: datetime,
    end: datetime,
    days: int,
    amount: Decimal,
    sign: int,
    currency: str,
) -> dict[str, Any]:
    rule = terms.rule
    whole = rule.whole(reference)
    return {
        "rule": f"proration by whole days (the day of a change at the {rule.change_day} terms)",
        "why": why,
        "price_version": terms.version,
        "fee_per_period": plain(terms.fee),
        "quantity": terms.quantity,
        "fee_timing": terms.timing,
        "period": {"start": reference.start.isoformat(), "end": reference.end.isoformat()},
        "part": {"start": start.isoformat(), "end": end.isoformat()},
        "part_days": days,
        "period_days": whole,
        "change_day": rule.change_day,
        "time_zone": rule.zone,
        "formula": (
            f"{'-' if sign < 0 else ''}{plain(terms.fee)} x {terms.quantity} x "
            f"{days} days / {whole} days = {plain(amount)}"
        ),
        "currency": currency,
    }


def change_instant(old: Rule, new: Rule, at: datetime) -> datetime:
    """The one instant a change from terms priced by `old` to terms priced by `new` splits a fee
    at, for both its lines: snapped by the new book's rule when it prorates by whole days, else
    by the old book's (by the second on both sides: `at` itself)."""
    return (new if new.by_day else old).snap(at)


def change_lines(
    old: FeeTerms,
    new: FeeTerms,
    at: datetime,
    period: Period,
    currency: str,
    reference: Period | None = None,
    fee_since: datetime | None = None,
) -> list[Line]:
    """The lines of a change of plan or quantity at `at` within `period` (an arrears fee is
    charged for its used part since `fee_since`, the last change, or the period's start).
    Both lines split the fee at the same instant (`change_instant`)."""
    why = f"change from {old.version} x {old.quantity} to {new.version} x {new.quantity}"
    at = change_instant(old.rule, new.rule, at)
    used_from = max(fee_since or period.start, period.start)
    lines: list[Line | None]
    if old.timing == "advance":
        lines = [
            line("credit", old, at, period.end, period, currency, why, reference),
            line("charge", new, at, period.end, period, currency, why, reference)
            if new.timing == "advance"
            else None,
        ]
    else:
        lines = [line("charge", old, used_from, at, period, currency, why, reference)]
        if new.timing == "advance":
            lines.append(line("charge", new, at, period.end, period, currency, why, reference))
    return [item for item in lines if item is not None]


def cancel_lines(
    terms: FeeTerms,
    at: datetime,
    period: Period,
    currency: str,
    fee_since: datetime,
    reference: Period | None = None,
) -> list[Line]:
    """Cancelling at once at `at`, with proration: credit the unused part of an advance fee, or
    charge the used part (since the last change) of an arrears fee."""
    why = "canceled before the end of the period"
    if terms.timing == "advance":
        credit = line("credit", terms, at, period.end, period, currency, why, reference)
        return [credit] if credit else []
    used = line("charge", terms, max(fee_since, period.start), at, period, currency, why, reference)
    return [used] if used else []


def pause_credit(
    terms: FeeTerms,
    paused: datetime,
    resumed: datetime,
    period: Period,
    currency: str,
    reference: Period | None = None,
) -> Line | None:
    """Paused time is not charged: a credit for the paused part of the period."""
    return line("credit", terms, paused, resumed, period, currency, "paused", reference)
