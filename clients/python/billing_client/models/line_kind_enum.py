from enum import StrEnum


class LineKindEnum(StrEnum):
    ADD_ON = "add_on"
    DISCOUNT = "discount"
    FIXED_FEE = "fixed_fee"
    MINIMUM = "minimum"
    ONE_OFF = "one_off"
    ONE_TIME = "one_time"
    PREPAID = "prepaid"
    PRORATION = "proration"
    TRIAL = "trial"
    USAGE = "usage"

    def __str__(self) -> str:
        return str(self.value)
