from enum import StrEnum


class BalanceAdjustmentKindEnum(StrEnum):
    ADJUSTMENT = "adjustment"
    GRANT = "grant"
    PREPAID = "prepaid"

    def __str__(self) -> str:
        return str(self.value)
