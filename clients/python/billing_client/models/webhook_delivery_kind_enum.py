from enum import StrEnum


class WebhookDeliveryKindEnum(StrEnum):
    EVENT = "event"
    REPLAY = "replay"
    TEST = "test"

    def __str__(self) -> str:
        return str(self.value)
