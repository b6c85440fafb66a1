from enum import StrEnum


class ScopeEnum(StrEnum):
    DEFAULT = "default"
    GLOBAL = "global"
    PLAN = "plan"

    def __str__(self) -> str:
        return str(self.value)
