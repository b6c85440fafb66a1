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


def share(amount: Decimal, start: datetime, end: datetime, period: Period) -> tuple[Decimal, int]:
    """amount x (seconds of [start, end) inside the period) / (seconds of the period), and the
    seconds counted."""
    lo, hi = max(start, period.start), min(end, period.end)
    seconds = max(0, int((hi - lo).total_seconds()))
    return amount * seconds / period.seconds, seconds


def line(
    kind: str,
    terms: FeeTerms,
    start: datetime,
    end: datetime,
    period: Period,
    currency: str,
    why: str,
) -> Line | None:
    exact, seconds = share(terms.period_amount, start, end, period)
    if not exact:
        return None
    sign = -1 if kind == "credit" else 1
    amount = sign * exact
    verb = "Unused time on" if kind == "credit" else "Remaining time on"
    if kind == "charge" and terms.timing == "arrears":
        verb = "Time used on"
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
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "part": {"start": start.isoformat(), "end": end.isoformat()},
        "part_seconds": seconds,
        "period_seconds": period.seconds,
        "formula": (
            f"{'-' if sign < 0 else ''}{plain(terms.fee)} x {terms.quantity} x "
            f"{seconds} / {period.seconds} s = {plain(amount)}"
        ),
        "currency": currency,
    }
    return Line(kind, description, amount, quantize(amount, currency), start, end, explanation)


def change_lines(
    old: FeeTerms, new: FeeTerms, at: datetime, period: Period, currency: str
) -> list[Line]:
    """The lines of a change of plan or quantity at `at` within `period`."""
    why = f"change from {old.version} x {old.quantity} to {new.version} x {new.quantity}"
    lines: list[Line | None]
    if old.timing == "advance":
        lines = [
            line("credit", old, at, period.end, period, currency, why),
            line("charge", new, at, period.end, period, currency, why)
            if new.timing == "advance"
            else None,
        ]
    else:
        lines = [line("charge", old, period.start, at, period, currency, why)]
        if new.timing == "advance":
            lines.append(line("charge", new, at, period.end, period, currency, why))
    return [item for item in lines if item is not None]


def cancel_lines(
    terms: FeeTerms, at: datetime, period: Period, currency: str, fee_since: datetime
) -> list[Line]:
    """Cancelling at once at `at`, with proration: credit the unused part of an advance fee, or
    charge the used part (since the last change) of an arrears fee."""
    why = "canceled before the end of the period"
    if terms.timing == "advance":
        credit = line("credit", terms, at, period.end, period, currency, why)
        return [credit] if credit else []
    used = line("charge", terms, max(fee_since, period.start), at, period, currency, why)
    return [used] if used else []


def pause_credit(
    terms: FeeTerms, paused: datetime, resumed: datetime, period: Period, currency: str
) -> Line | None:
    """Paused time is not charged: a credit for the paused part of the period."""
    return line("credit", terms, paused, resumed, period, currency, "paused")
