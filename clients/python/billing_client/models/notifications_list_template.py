from enum import StrEnum


class NotificationsListTemplate(StrEnum):
    CREDIT_NOTE_ISSUED = "credit_note_issued"
    DUNNING_CANCELLATION = "dunning_cancellation"
    DUNNING_REMINDER = "dunning_reminder"
    DUNNING_SUSPENSION = "dunning_suspension"
    DUNNING_WARNING = "dunning_warning"
    INVOICE_FINALIZED = "invoice_finalized"
    PAYMENT_FAILED = "payment_failed"
    PAYMENT_RECEIPT = "payment_receipt"
    TRIAL_ENDING = "trial_ending"
    UPCOMING_RENEWAL = "upcoming_renewal"

    def __str__(self) -> str:
        return str(self.value)
