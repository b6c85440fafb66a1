from enum import StrEnum


class WebhookDeliveriesListKind(StrEnum):
    EVENT = "event"
    REPLAY = "replay"
    TEST = "test"

    def __str__(self) -> str:
        return str(self.value)
