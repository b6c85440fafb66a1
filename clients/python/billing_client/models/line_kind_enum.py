from enum import StrEnum


class LineKindEnum(StrEnum):
    ADD_ON = "add_on"
    DISCOUNT = "discount"
    FIXED_FEE = "fixed_fee"
    MINIMUM = "minimum"
    ONE_OFF = "one_off"
    PREPAID = "prepaid"
    PRORATION = "proration"
    USAGE = "usage"

    def __str__(self) -> str:
        return str(self.value)
