from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Invoicing"

    def ready(self) -> None:
        from billing.journal import register_handler
        from invoicing.services import on_late_usage, on_usage_for_draft

        register_handler(
            "invoicing.refresh_drafts", on_usage_for_draft, types={"usage.received_for_draft"}
        )
        register_handler("invoicing.corrections", on_late_usage, types={"usage.late_received"})
