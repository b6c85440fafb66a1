"""Test clocks: advance a clock's test customers through time with the live billing code."""

from __future__ import annotations


def register() -> None:
    """Journal handlers / clock hooks of test clocks, if any (filled in by the test-clocks part)."""
