"""Webhooks: endpoints, signed deliveries of journal events (Standard Webhooks), retries.

The pieces: models (integrations/models/webhooks.py), the services of endpoints
(integrations/webhook_services.py), the journal handler and the sender
(integrations/webhook_delivery.py), secrets and signatures (integrations/webhook_crypto.py),
the Celery tasks (integrations/webhook_tasks.py), the API (integrations/api/webhooks_*.py) and
the admin (integrations/admin_webhooks.py)."""

from __future__ import annotations


def register() -> None:
    """The batch journal handler that records deliveries, and the clock's tick hook that
    queues due retries."""
    from billing.journal import register_handler
    from integrations.webhook_delivery import HANDLER, on_events, retries_due
    from invoicing.clock_hooks import register_tick_hook

    register_handler(HANDLER, on_events, batch=True)
    register_tick_hook("integrations.webhook_retries", retries_due)
