"""Webhooks: endpoints, signed deliveries of journal events (Standard Webhooks), retries."""

from __future__ import annotations


def register() -> None:
    """The webhook journal handler (filled in by the webhooks part)."""
