from enum import StrEnum


class PlanChangePoliciesListPolicy(StrEnum):
    END_OF_TERM = "end_of_term"
    ILLEGAL = "illegal"
    IMMEDIATE = "immediate"

    def __str__(self) -> str:
        return str(self.value)
