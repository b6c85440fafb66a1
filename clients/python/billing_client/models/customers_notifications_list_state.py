from enum import StrEnum


class CustomersNotificationsListState(StrEnum):
    FAILED = "failed"
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"

    def __str__(self) -> str:
        return str(self.value)
