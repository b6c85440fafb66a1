from enum import StrEnum


class BillingPolicyEnum(StrEnum):
    END_OF_TERM = "end_of_term"
    ILLEGAL = "illegal"
    IMMEDIATE = "immediate"

    def __str__(self) -> str:
        return str(self.value)
