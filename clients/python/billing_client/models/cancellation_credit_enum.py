from enum import StrEnum


class CancellationCreditEnum(StrEnum):
    CREDIT_NOTE = "credit_note"
    PRORATION_LINE = "proration_line"

    def __str__(self) -> str:
        return str(self.value)
