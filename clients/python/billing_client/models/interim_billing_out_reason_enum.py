from enum import StrEnum


class InterimBillingOutReasonEnum(StrEnum):
    IN_ADVANCE = "in_advance"
    THRESHOLD = "threshold"

    def __str__(self) -> str:
        return str(self.value)
