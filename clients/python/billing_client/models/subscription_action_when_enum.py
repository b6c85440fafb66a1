from enum import StrEnum


class SubscriptionActionWhenEnum(StrEnum):
    IMMEDIATELY = "immediately"
    PERIOD_END = "period_end"

    def __str__(self) -> str:
        return str(self.value)
