from django.apps import AppConfig


class WiringConfig(AppConfig):
    """Registered so that the cross-app management commands (seed_demo) have a home."""

    name = "config"
    label = "wiring"
    verbose_name = "Wiring"
