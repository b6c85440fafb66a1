from enum import StrEnum


class ChangeOutPhaseEnum(StrEnum):
    RESTART = "restart"
    SAME = "same"

    def __str__(self) -> str:
        return str(self.value)
