from enum import StrEnum


class DurationEnum(StrEnum):
    FOREVER = "forever"
    MONTHS = "months"
    ONCE = "once"
    REPEATING = "repeating"

    def __str__(self) -> str:
        return str(self.value)
