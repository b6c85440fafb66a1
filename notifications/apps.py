from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from notifications import checks, services  # noqa: F401 (checks: `check --deploy`)

        services.register()  # journal handlers and clock hooks
