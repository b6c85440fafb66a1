from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    """Plumbing shared by every app: actors and audit context, errors, API helpers, idempotency."""

    name = "core"
    verbose_name = "Platform"

    def ready(self) -> None:
        from core.db import timestamps_in_c

        connection_created.connect(timestamps_in_c, dispatch_uid="core.timestamps_in_c")
