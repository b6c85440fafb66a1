from enum import StrEnum


class PricingModelEnum(StrEnum):
    FLAT = "flat"
    GRADUATED = "graduated"
    GRADUATED_PERCENTAGE = "graduated_percentage"
    PACKAGE = "package"
    PERCENTAGE = "percentage"
    PER_UNIT = "per_unit"
    VOLUME = "volume"

    def __str__(self) -> str:
        return str(self.value)
