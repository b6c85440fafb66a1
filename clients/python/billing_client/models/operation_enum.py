from enum import StrEnum


class OperationEnum(StrEnum):
    ADD = "add"
    REMOVE = "remove"

    def __str__(self) -> str:
        return str(self.value)
