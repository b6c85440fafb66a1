from enum import StrEnum


class BalanceKindEnum(StrEnum):
    ADJUSTMENT = "adjustment"
    APPLIED = "applied"
    CARRIED = "carried"
    CREDIT_NOTE = "credit_note"
    EXPIRED = "expired"
    GRANT = "grant"
    OVERPAYMENT = "overpayment"
    PREPAID = "prepaid"
    REFUNDED = "refunded"
    RESTORED = "restored"

    def __str__(self) -> str:
        return str(self.value)
