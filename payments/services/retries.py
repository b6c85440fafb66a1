"""Retries of failed automatic payments (the retries part fills this in).

`schedule_retries` is the contract with collection: collection calls it with the automatic
payments that just failed (locked, in memory) and saves their `retry_at`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from payments.models import DEFAULT_RETRY_DAYS, Payment


def schedule_retries(failed: Sequence[Payment], *, as_of: datetime) -> None:
    """Set `retry_at` on failed automatic payments: the next day of the retry schedule after
    the invoice's first failed attempt that is still ahead, None when the schedule is used up
    or the failure cannot be retried. (First cut: the default schedule; the retries part
    reads the policies.)"""
    for payment in failed:
        payment.retry_at = None
        if not payment.retryable:
            continue
        first_failed = as_of  # the retries part reads the first attempt's failure
        for days in DEFAULT_RETRY_DAYS:
            at = first_failed + timedelta(days=days)
            if at > as_of:
                payment.retry_at = at
                break


def register() -> None:
    """Journal handlers and clock hooks of this part, registered at start-up."""
