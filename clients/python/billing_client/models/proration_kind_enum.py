from enum import StrEnum


class ProrationKindEnum(StrEnum):
    ADD_ON = "add_on"
    CHARGE = "charge"
    CREDIT = "credit"

    def __str__(self) -> str:
        return str(self.value)
