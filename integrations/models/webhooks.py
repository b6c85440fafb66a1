"""Webhook endpoints, their secrets, messages and delivery attempts (the webhooks part)."""

from __future__ import annotations

__all__: list[str] = []
