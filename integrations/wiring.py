"""Journal handlers and clock hooks of the integrations app, registered at start-up.
Each part registers its own in its module's `register()`."""

from __future__ import annotations


def register() -> None:
    from integrations import testclocks, webhooks

    webhooks.register()
    testclocks.register()
