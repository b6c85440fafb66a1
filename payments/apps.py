from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from payments.services import collection, refunds, retries, wallets

        for part in (collection, retries, refunds, wallets):
            part.register()  # journal handlers and clock hooks
