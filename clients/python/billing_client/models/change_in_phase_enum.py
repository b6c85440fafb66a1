from enum import StrEnum


class ChangeInPhaseEnum(StrEnum):
    RESTART = "restart"
    SAME = "same"

    def __str__(self) -> str:
        return str(self.value)
