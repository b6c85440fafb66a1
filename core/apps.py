from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing shared by every app: actors and audit context, errors, API helpers, idempotency."""

    name = "core"
    verbose_name = "Platform"
