"""A published price book as billing reads it: a plain value, no ORM (see PlanVersion.book())."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class PriceBook:
    id: int
    plan_id: int
    plan_name: str
    label: str  # e.g. "pro@v2"
    currency: str
    fixed_fee: Decimal
    fee_timing: str  # "advance" | "arrears"
    effective_from: datetime
    effective_until: datetime | None = None
    proration_unit: str = "second"  # "second" | "day"
    proration_change_day: str = "new"  # "new" | "old": the day of a change, by whole days
    minimum_commitment: Decimal | None = None  # over the fixed fee and all charges, per period
    trial_invoice: bool = False  # a zero invoice when a free trial starts
    cancellation_credit: str = "proration_line"  # "proration_line" | "credit_note"
    tax_rate_id: int | None = None  # the plan's product's rate: overrides the address's

    def in_force(self, at: datetime) -> bool:
        return self.effective_from <= at and (
            self.effective_until is None or at < self.effective_until
        )


def book_in_force(books: Sequence[PriceBook], at: datetime) -> PriceBook | None:
    """The published version of a plan in force at `at` (published versions never overlap)."""
    for book in books:
        if book.in_force(at):
            return book
    return None
