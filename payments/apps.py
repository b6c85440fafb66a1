from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from payments.services import collection, dunning, payouts, refunds, retries, wallets

        for part in (collection, retries, refunds, wallets, dunning, payouts):
            part.register()  # journal handlers and clock hooks
        from invoicing.services.imports import register_settle_outside
        from payments.services.cash import paid_outside

        register_settle_outside(paid_outside)  # imported invoices paid in the previous system
