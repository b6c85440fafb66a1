from enum import StrEnum


class FeeTimingEnum(StrEnum):
    ADVANCE = "advance"
    ARREARS = "arrears"

    def __str__(self) -> str:
        return str(self.value)
