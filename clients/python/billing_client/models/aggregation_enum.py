from enum import StrEnum


class AggregationEnum(StrEnum):
    COUNT = "count"
    LATEST = "latest"
    MAX = "max"
    SUM = "sum"
    UNIQUE_COUNT = "unique_count"
    WEIGHTED_SUM = "weighted_sum"

    def __str__(self) -> str:
        return str(self.value)
