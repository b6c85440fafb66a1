from enum import StrEnum


class RefundSourceEnum(StrEnum):
    CREDIT_BALANCE = "credit_balance"
    UNAPPLIED = "unapplied"

    def __str__(self) -> str:
        return str(self.value)
