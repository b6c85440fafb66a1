from enum import StrEnum


class CorrectionsListStatus(StrEnum):
    APPLIED = "applied"
    NOTHING = "nothing"
    PROPOSED = "proposed"

    def __str__(self) -> str:
        return str(self.value)
