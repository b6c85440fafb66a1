from enum import StrEnum


class DirectionEnum(StrEnum):
    CLEARED = "cleared"
    DOWN = "down"
    SAME = "same"
    UP = "up"

    def __str__(self) -> str:
        return str(self.value)
