from enum import StrEnum


class PaymentMethodStateEnum(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    FAILED_VERIFICATION = "failed_verification"

    def __str__(self) -> str:
        return str(self.value)
