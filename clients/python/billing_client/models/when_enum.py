from enum import StrEnum


class WhenEnum(StrEnum):
    NOW = "now"
    PERIOD_END = "period_end"

    def __str__(self) -> str:
        return str(self.value)
