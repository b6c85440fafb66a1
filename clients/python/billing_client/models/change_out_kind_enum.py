from enum import StrEnum


class ChangeOutKindEnum(StrEnum):
    PLAN = "plan"
    PLAN_QUANTITY = "plan_quantity"
    QUANTITY = "quantity"

    def __str__(self) -> str:
        return str(self.value)
