from enum import StrEnum


class CorrectionsListKind(StrEnum):
    DISCOUNT = "discount"
    USAGE = "usage"

    def __str__(self) -> str:
        return str(self.value)
