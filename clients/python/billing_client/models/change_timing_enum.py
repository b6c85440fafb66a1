from enum import StrEnum


class ChangeTimingEnum(StrEnum):
    DOWNGRADE = "downgrade"
    NOT_STARTED = "not_started"
    OVERRIDE = "override"
    POLICY = "policy"
    REQUESTED = "requested"
    UPGRADE = "upgrade"

    def __str__(self) -> str:
        return str(self.value)
