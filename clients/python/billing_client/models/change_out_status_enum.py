from enum import StrEnum


class ChangeOutStatusEnum(StrEnum):
    APPLIED = "applied"
    CANCELED = "canceled"
    SCHEDULED = "scheduled"

    def __str__(self) -> str:
        return str(self.value)
