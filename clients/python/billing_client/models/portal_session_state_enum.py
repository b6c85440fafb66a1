from enum import StrEnum


class PortalSessionStateEnum(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"
    EXPIRED = "expired"
    PENDING = "pending"
    TIMED_OUT = "timed_out"

    def __str__(self) -> str:
        return str(self.value)
