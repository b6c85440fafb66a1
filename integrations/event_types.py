"""The catalogue of event types delivered to webhooks: every journal event type, what it means,
its subject and an example payload (the README's Integration chapter is written from it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class EventType:
    type: str
    description: str
    subject_type: str
    example: dict[str, Any] = field(default_factory=dict)


EVENT_TYPES: dict[str, EventType] = {}
