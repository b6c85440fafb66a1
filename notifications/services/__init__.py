"""Customer e-mail notifications: recorded once per cause in the transaction of the cause
(journal handler, renewal clock hook, a resend), sent after the commit by a Celery task."""

from __future__ import annotations

from billing.journal import register_handler
from invoicing.clock_hooks import register_tick_hook
from notifications.services.record import (
    EVENT_TYPES,
    HANDLER,
    RENEWAL_HOOK,
    Wanted,
    notifications_record,
    on_events,
    renewal_key,
    renewals_due,
)
from notifications.services.send import (
    SWEEP_HOOK,
    SendResult,
    notification_resend,
    notification_send,
    notifications_send_due,
    sweep_due,
)

__all__ = [
    "EVENT_TYPES",
    "HANDLER",
    "RENEWAL_HOOK",
    "SWEEP_HOOK",
    "SendResult",
    "Wanted",
    "notification_resend",
    "notification_send",
    "notifications_record",
    "notifications_send_due",
    "on_events",
    "register",
    "renewal_key",
    "renewals_due",
    "sweep_due",
]


def register() -> None:
    """Journal handlers and clock hooks of the notifications."""
    register_handler(HANDLER, on_events, types=set(EVENT_TYPES), batch=True)
    register_tick_hook(RENEWAL_HOOK, renewals_due)
    register_tick_hook(SWEEP_HOOK, sweep_due)
