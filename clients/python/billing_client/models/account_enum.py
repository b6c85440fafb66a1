from enum import StrEnum


class AccountEnum(StrEnum):
    BAD_DEBT = "bad_debt"
    CASH = "cash"
    CREDITS_EXPIRED = "credits_expired"
    CREDITS_GRANTED = "credits_granted"
    CUSTOMER_CREDIT = "customer_credit"
    PAYOUTS_PAYABLE = "payouts_payable"
    PAYOUT_EXPENSE = "payout_expense"
    PREPAID_SOLD = "prepaid_sold"
    RECEIVABLE = "receivable"
    REVENUE = "revenue"
    TAX = "tax"
    UNAPPLIED_CASH = "unapplied_cash"

    def __str__(self) -> str:
        return str(self.value)
