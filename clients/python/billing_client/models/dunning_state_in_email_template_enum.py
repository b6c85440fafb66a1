from enum import StrEnum


class DunningStateInEmailTemplateEnum(StrEnum):
    DUNNING_CANCELLATION = "dunning_cancellation"
    DUNNING_REMINDER = "dunning_reminder"
    DUNNING_SUSPENSION = "dunning_suspension"
    DUNNING_WARNING = "dunning_warning"

    def __str__(self) -> str:
        return str(self.value)
