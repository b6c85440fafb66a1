from enum import StrEnum


class CorrectionOutStatusEnum(StrEnum):
    APPLIED = "applied"
    NOTHING = "nothing"
    PROPOSED = "proposed"

    def __str__(self) -> str:
        return str(self.value)
