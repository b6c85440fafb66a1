from __future__ import annotations

from decimal import Decimal

from django.db import models

from billing.models.customers import Customer


class LedgerAccount(models.TextChoices):
    RECEIVABLE = "receivable", "accounts receivable"
    REVENUE = "revenue"
    TAX = "tax", "tax payable"
    CASH = "cash"
    BAD_DEBT = "bad_debt", "bad debt"
    CUSTOMER_CREDIT = "customer_credit", "customer credit balances"
    CREDITS_GRANTED = "credits_granted", "credits granted (expense)"
    UNAPPLIED_CASH = "unapplied_cash", "unapplied cash (received, not yet applied)"
    CREDITS_EXPIRED = "credits_expired", "expired credit (income)"
    PREPAID_SOLD = "prepaid_sold", "prepaid credit invoiced, not yet paid"
    PAYOUT_EXPENSE = "payout_expense", "payouts earned by payees (expense)"
    PAYOUTS_PAYABLE = "payouts_payable", "payouts owed to payees, not yet paid"


class LedgerEntry(models.Model):
    """Double-entry postings: every posting's debits equal its credits, so the trial balance is
    always zero. Append-only: a correction is a new posting."""

    posting = models.UUIDField(db_index=True, help_text="Entries of one posting share it.")
    account = models.CharField(max_length=20, choices=LedgerAccount.choices)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The customer the posting concerns; empty for a payee's payout.",
    )
    currency = models.CharField(max_length=3)
    debit = models.DecimalField(max_digits=20, decimal_places=4, default=Decimal(0))
    credit = models.DecimalField(max_digits=20, decimal_places=4, default=Decimal(0))
    document_type = models.CharField(max_length=20)
    document_id = models.BigIntegerField()
    memo = models.CharField(max_length=255)
    posted_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "ledger entries"
        ordering = ("posted_at", "id")
        indexes = [models.Index(fields=["document_type", "document_id"], name="ledger_doc_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(debit__gte=0, credit__gte=0), name="ledger_non_negative"
            )
        ]

    def __str__(self) -> str:
        side = f"Dr {self.debit}" if self.debit else f"Cr {self.credit}"
        return f"{self.account} {side} {self.currency}"
