from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from payments.services import collection, dunning, payouts, refunds, retries, wallets

        for part in (collection, retries, refunds, wallets, dunning, payouts):
            part.register()  # journal handlers and clock hooks
