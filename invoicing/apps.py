from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Invoicing"

    def ready(self) -> None:
        from billing.journal import register_handler
        from invoicing.services import on_late_usage

        # usage for windows already billed: their drafts refreshed, or their invoices corrected
        register_handler("invoicing.corrections", on_late_usage, types={"usage.late_received"})
