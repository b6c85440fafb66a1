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
    # its phases in order: (periods, fixed fee, name); periods None: open-ended (the last one).
    # Empty: no phases, the book's fixed fee and all its charges in every period.
    phases: tuple[tuple[int | None, Decimal, str], ...] = ()

    def locate(self, count: int) -> tuple[int, int] | None:
        """The phase (position) and how many periods into it the period `count` of a phase walk
        is (0: the walk's first period; a period before it counts as the first). Past the end of
        a walk whose phases all have a duration: the last phase. None without phases."""
        if not self.phases:
            return None
        count = max(count, 0)
        for position, (periods, _, _) in enumerate(self.phases):
            if periods is None or count < periods:
                return position, count
            count -= periods
        return len(self.phases) - 1, (self.phases[-1][0] or 0) + count

    def phase_of(self, count: int) -> int | None:
        found = self.locate(count)
        return None if found is None else found[0]

    def fee_in(self, count: int) -> Decimal:
        """The fixed fee of the period `count` of a phase walk: its phase's, or the book's."""
        position = self.phase_of(count)
        return self.fixed_fee if position is None else self.phases[position][1]

    def periods_before(self, position: int) -> int:
        """How many periods the phases before `position` last (all have a duration)."""
        return sum(periods or 0 for periods, _, _ in self.phases[:position])

    @property
    def walk_length(self) -> int | None:
        """How many periods its phases last in all; None: open-ended (or no phases)."""
        if not self.phases or self.phases[-1][0] is None:
            return None
        return self.periods_before(len(self.phases))

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
