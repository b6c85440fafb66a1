from enum import StrEnum


class PayoutCallOutActionEnum(StrEnum):
    PAYOUT = "payout"
    STATUS = "status"

    def __str__(self) -> str:
        return str(self.value)
