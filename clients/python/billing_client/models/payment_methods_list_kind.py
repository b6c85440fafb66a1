from enum import StrEnum


class PaymentMethodsListKind(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CARD = "card"
    SEPA_DEBIT = "sepa_debit"

    def __str__(self) -> str:
        return str(self.value)
