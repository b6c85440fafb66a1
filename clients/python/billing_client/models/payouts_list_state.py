from enum import StrEnum


class PayoutsListState(StrEnum):
    CANCELED = "canceled"
    FAILED = "failed"
    PAID = "paid"
    PENDING = "pending"
    PROCESSING = "processing"
    SKIPPED = "skipped"

    def __str__(self) -> str:
        return str(self.value)
