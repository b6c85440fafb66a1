from enum import StrEnum


class FeatureKindEnum(StrEnum):
    BOOLEAN = "boolean"
    LIMIT = "limit"

    def __str__(self) -> str:
        return str(self.value)
