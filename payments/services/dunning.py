"""Dunning (skeleton: filled in by issue 13)."""

from __future__ import annotations


def register() -> None:
    """Journal handlers and clock hooks of dunning."""
