from enum import StrEnum


class TypeEnum(StrEnum):
    CANCEL = "cancel"
    CHANGE = "change"
    END = "end"
    PAUSE = "pause"
    RESUME = "resume"

    def __str__(self) -> str:
        return str(self.value)
