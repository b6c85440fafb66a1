from enum import StrEnum


class PhaseKindEnum(StrEnum):
    DISCOUNT = "discount"
    EVERGREEN = "evergreen"
    FIXED_TERM = "fixed_term"
    TRIAL = "trial"

    def __str__(self) -> str:
        return str(self.value)
