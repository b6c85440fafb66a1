"""Domain events from the lower layers. The journal lives in `billing`, which `catalog` may not
import; `billing` registers its writer here at start-up (BillingConfig.ready), and the catalog's
services record their events through `record`, in the transaction of their change."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from core.audit import Actor

Writer = Callable[..., Any]
_writer: Writer | None = None


def set_writer(writer: Writer) -> None:
    global _writer
    _writer = writer


def record(
    *,
    type: str,
    subject_type: str,
    subject_id: object,
    payload: Mapping[str, Any],
    actor: Actor,
    occurred_at: datetime,
) -> None:
    """Append a domain event to the journal, in the caller's transaction."""
    if _writer is None:
        raise RuntimeError("No journal writer: the billing app registers it when Django starts.")
    _writer(
        type=type,
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload,
        actor=actor,
        occurred_at=occurred_at,
    )
