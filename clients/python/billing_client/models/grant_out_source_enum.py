from enum import StrEnum


class GrantOutSourceEnum(StrEnum):
    GRANTED = "granted"
    PURCHASED = "purchased"

    def __str__(self) -> str:
        return str(self.value)
