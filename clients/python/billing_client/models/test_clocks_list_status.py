from enum import StrEnum


class TestClocksListStatus(StrEnum):
    ADVANCING = "advancing"
    FAILED = "failed"
    READY = "ready"

    def __str__(self) -> str:
        return str(self.value)
