from enum import StrEnum


class PayoutGatewayEnum(StrEnum):
    MANUAL = "manual"
    SANDBOX = "sandbox"

    def __str__(self) -> str:
        return str(self.value)
