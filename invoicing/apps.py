from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Invoicing"

    def ready(self) -> None:
        from billing.journal import register_handler
        from billing.services import register_cancel_credit, register_catch_up
        from invoicing.services import on_late_usage
        from invoicing.services.cancellation import cancellation_credit_notes
        from invoicing.services.writer import subscription_catch_up

        # actions on a subscription first bill it up to their instant (the one writer)
        register_catch_up(subscription_catch_up)
        # a cancellation credited by a credit note on the invoice that billed the fee in advance
        # (a price book's cancellation_credit = credit_note), in the cancellation's transaction
        register_cancel_credit(cancellation_credit_notes)
        # usage for windows already billed: their drafts refreshed, or their invoices corrected
        register_handler("invoicing.corrections", on_late_usage, types={"usage.late_received"})
        # usage billed before its period's end (thresholds, charges paid in advance): a task per
        # customer after events are accepted, and the clock's tick as a safety net
        from billing.services import register_usage_accepted
        from invoicing.clock_hooks import register_tick_hook
        from invoicing.services.interim import interim_enqueue, interim_tick

        register_usage_accepted(interim_enqueue)
        register_tick_hook("invoicing.interim", interim_tick)
