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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from billing.periods import Period
from catalog.money import quantize
from catalog.pricing import plain


@dataclass(frozen=True)
class FeeTerms:
    fee: Decimal  # per unit, per period
    quantity: int
    version: str  # e.g. "pro@v1"
    timing: str  # "advance" | "arrears"

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


def share(
    amount: Decimal,
    start: datetime,
    end: datetime,
    period: Period,
    reference: Period | None = None,
) -> tuple[Decimal, int]:
    """amount x (seconds of [start, end) inside the period) / (seconds of the reference, the
    period itself unless given), and the seconds counted."""
    lo, hi = max(start, period.start), min(end, period.end)
    seconds = max(0, int((hi - lo).total_seconds()))
    return amount * seconds / (reference or period).seconds, seconds


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
    exact, seconds = share(terms.period_amount, start, end, period, reference)
    if not exact:
        return None
    # the part of this period the line covers (a pause across periods gives a line for each
    # period, each naming its own part): its amount is reproducible from the line alone
    start, end = max(start, period.start), min(end, period.end)
    sign = -1 if kind == "credit" else 1
    amount = sign * exact
    verb = "Unused time on" if kind == "credit" else "Remaining time on"
    if kind == "charge" and terms.timing == "arrears":
        verb = "Time used on"
    if why == "paused":
        verb = "Paused time on"
    description = (
        f"{verb} {terms.version} x {terms.quantity} "
        f"({start.date().isoformat()} to {end.date().isoformat()})"
    )
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
    return Line(kind, description, amount, quantize(amount, currency), start, end, explanation)


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
    charged for its used part since `fee_since`, the last change, or the period's start)."""
    why = f"change from {old.version} x {old.quantity} to {new.version} x {new.quantity}"
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
