from enum import StrEnum


class SettleEnum(StrEnum):
    OPEN = "open"
    PAID_OUTSIDE = "paid_outside"

    def __str__(self) -> str:
        return str(self.value)
