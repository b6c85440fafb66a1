from enum import StrEnum


class ApplyEnum(StrEnum):
    NONE = "none"
    OLDEST_FIRST = "oldest_first"

    def __str__(self) -> str:
        return str(self.value)
