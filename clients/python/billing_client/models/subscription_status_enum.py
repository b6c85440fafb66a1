from enum import StrEnum


class SubscriptionStatusEnum(StrEnum):
    ACTIVE = "active"
    CANCELED = "canceled"
    ENDED = "ended"
    PAST_DUE = "past_due"
    PAUSED = "paused"
    PENDING = "pending"
    TRIALING = "trialing"

    def __str__(self) -> str:
        return str(self.value)
