from enum import StrEnum


class CategoryEnum(StrEnum):
    EXEMPT = "exempt"
    REDUCED = "reduced"
    REVERSE_CHARGE = "reverse_charge"
    STANDARD = "standard"
    ZERO = "zero"

    def __str__(self) -> str:
        return str(self.value)
