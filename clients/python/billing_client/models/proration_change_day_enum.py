from enum import StrEnum


class ProrationChangeDayEnum(StrEnum):
    NEW = "new"
    OLD = "old"

    def __str__(self) -> str:
        return str(self.value)
