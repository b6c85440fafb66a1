from enum import StrEnum


class PaymentGatewayEnum(StrEnum):
    MANUAL = "manual"
    SANDBOX = "sandbox"
    STRIPE = "stripe"

    def __str__(self) -> str:
        return str(self.value)
