from enum import StrEnum


class CheckOutReasonEnum(StrEnum):
    BLOCKED = "blocked"
    BLOCKED_BY_DUNNING = "blocked_by_dunning"
    DISABLED = "disabled"
    GRANTED = "granted"
    NOT_IN_PLAN = "not_in_plan"

    def __str__(self) -> str:
        return str(self.value)
