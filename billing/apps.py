from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from billing.api import schema  # noqa: F401 - registers the OpenAPI auth extensions
        from billing.services.journal import journal_write
        from core import events

        events.set_writer(journal_write)  # the catalog's events go to the journal
