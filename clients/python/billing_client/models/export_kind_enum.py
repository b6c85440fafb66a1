from enum import StrEnum


class ExportKindEnum(StrEnum):
    CREDIT_NOTES = "credit_notes"
    INVOICES = "invoices"
    LEDGER = "ledger"
    PAYMENTS = "payments"
    REFUNDS = "refunds"

    def __str__(self) -> str:
        return str(self.value)
