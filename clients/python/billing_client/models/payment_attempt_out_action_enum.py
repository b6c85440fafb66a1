from enum import StrEnum


class PaymentAttemptOutActionEnum(StrEnum):
    CHARGE = "charge"
    REFUND = "refund"
    STATUS = "status"
    WEBHOOK = "webhook"

    def __str__(self) -> str:
        return str(self.value)
