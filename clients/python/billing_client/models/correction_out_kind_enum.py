from enum import StrEnum


class CorrectionOutKindEnum(StrEnum):
    DISCOUNT = "discount"
    USAGE = "usage"

    def __str__(self) -> str:
        return str(self.value)
