from enum import StrEnum


class RedemptionOutStatusEnum(StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"
    USED_UP = "used_up"

    def __str__(self) -> str:
        return str(self.value)
