"""Cash against the ledger and the documents: what must always hold after any scenario.

- every payment's `applied` is the sum of its live allocations, and its parts add up
  (applied + unapplied + to_balance <= amount, refunded <= amount: also check constraints);
- every invoice's amount due is what it owed at finalization less its credit notes' settled
  parts and its live allocations;
- per customer and currency, the ledger's unapplied cash is the payments' unapplied cash and
  the receivable is what open and partially paid invoices still owe (an uncollectible invoice's
  receivable was written off; a payment recovering part of it posts the recovery);
- payouts (cash out): per currency, the ledger's payouts payable is what unpaid payouts
  (pending, processing, failed) owe, and the cash paid out to payees is what paid payouts
  paid; payout postings carry no customer, so they are checked only without `customer_ids`;
- the trial balance is zero.

`cash_mismatches()` returns what does not hold (empty: all good). Reads only; used by tests
after every scenario and by the benchmark's verification.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from billing.models import LedgerAccount, LedgerEntry
from billing.services.ledger import trial_balance
from invoicing.models import CreditNote, Invoice, InvoiceStatus
from payments.models import Allocation, Payment
from payments.models.payouts import UNPAID, Payout, PayoutState

ZERO = Decimal(0)


def cash_mismatches(*, customer_ids: list[int] | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    scope = Q() if customer_ids is None else Q(customer_id__in=customer_ids)

    live = dict(
        Allocation.objects.filter(unapplied_at__isnull=True)
        .filter(Q() if customer_ids is None else Q(payment__customer_id__in=customer_ids))
        .values_list("payment_id")
        .annotate(t=Sum("amount"))
    )
    for p in Payment.objects.filter(scope).only(
        "id", "amount", "applied", "unapplied", "to_balance", "refunded", "state"
    ):
        if p.applied != live.get(p.pk, ZERO):
            found.append(
                {
                    "check": "payment applied",
                    "payment": p.pk,
                    "applied": str(p.applied),
                    "allocations": str(live.get(p.pk, ZERO)),
                }
            )

    paid = dict(
        Allocation.objects.filter(unapplied_at__isnull=True)
        .filter(Q() if customer_ids is None else Q(invoice__customer_id__in=customer_ids))
        .values_list("invoice_id")
        .annotate(t=Sum("amount"))
    )
    settled = dict(
        CreditNote.objects.filter(
            Q() if customer_ids is None else Q(invoice__customer_id__in=customer_ids)
        )
        .values_list("invoice_id")
        .annotate(t=Sum("total") - Sum("to_balance"))
    )
    receivable: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for inv in Invoice.objects.filter(scope).exclude(status=InvoiceStatus.DRAFT):
        if inv.status == InvoiceStatus.VOID:
            continue
        owed = max(inv.total - inv.credit_applied, ZERO)
        expected = owed - settled.get(inv.pk, ZERO) - paid.get(inv.pk, ZERO)
        if expected != inv.amount_due:
            found.append(
                {
                    "check": "invoice amount due",
                    "invoice": str(inv),
                    "amount_due": str(inv.amount_due),
                    "expected": str(expected),
                }
            )
        if inv.status in (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID):
            receivable[(inv.customer_id, inv.currency)] += inv.amount_due

    unapplied: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for customer_id, currency, total in (
        Payment.objects.filter(scope)
        .values_list("customer_id", "currency")
        .annotate(t=Sum("unapplied"))
    ):
        unapplied[(customer_id, currency)] += total

    ledger: dict[tuple[str, int, str], Decimal] = defaultdict(lambda: ZERO)
    for account, customer_id, currency, debit, credit in (
        LedgerEntry.objects.filter(scope)
        .filter(account__in=[LedgerAccount.RECEIVABLE, LedgerAccount.UNAPPLIED_CASH])
        .values_list("account", "customer_id", "currency")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    ):
        ledger[(account, customer_id, currency)] = debit - credit
    keys = {k[1:] for k in ledger} | set(receivable) | set(unapplied)
    for customer_id, currency in sorted(keys):
        posted = ledger[(LedgerAccount.RECEIVABLE, customer_id, currency)]
        if posted != receivable[(customer_id, currency)]:
            found.append(
                {
                    "check": "receivable",
                    "customer": customer_id,
                    "currency": currency,
                    "ledger": str(posted),
                    "invoices": str(receivable[(customer_id, currency)]),
                }
            )
        posted = -ledger[(LedgerAccount.UNAPPLIED_CASH, customer_id, currency)]
        if posted != unapplied[(customer_id, currency)]:
            found.append(
                {
                    "check": "unapplied cash",
                    "customer": customer_id,
                    "currency": currency,
                    "ledger": str(posted),
                    "payments": str(unapplied[(customer_id, currency)]),
                }
            )

    if customer_ids is None:
        found += payout_mismatches()
        for currency, amount in trial_balance().items():
            if amount:
                found.append({"check": "trial balance", "currency": currency, "off": str(amount)})
    return found


def payout_mismatches() -> list[dict[str, Any]]:
    """Cash out to payees against the ledger (two aggregate queries each side)."""
    found: list[dict[str, Any]] = []
    owed = dict(
        Payout.objects.filter(state__in=UNPAID).values_list("currency").annotate(t=Sum("amount"))
    )
    paid = dict(
        Payout.objects.filter(state=PayoutState.PAID)
        .values_list("currency")
        .annotate(t=Sum("amount"))
    )
    payable: dict[str, Decimal] = defaultdict(lambda: ZERO)
    cash_out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for account, currency, debit, credit in (
        LedgerEntry.objects.filter(document_type="payout")
        .filter(account__in=[LedgerAccount.PAYOUTS_PAYABLE, LedgerAccount.CASH])
        .values_list("account", "currency")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    ):
        if account == LedgerAccount.PAYOUTS_PAYABLE:
            payable[currency] += credit - debit
        else:
            cash_out[currency] += credit - debit
    for currency in sorted(set(owed) | set(paid) | set(payable) | set(cash_out)):
        if payable[currency] != owed.get(currency, ZERO):
            found.append(
                {
                    "check": "payouts payable",
                    "currency": currency,
                    "ledger": str(payable[currency]),
                    "payouts": str(owed.get(currency, ZERO)),
                }
            )
        if cash_out[currency] != paid.get(currency, ZERO):
            found.append(
                {
                    "check": "payouts paid",
                    "currency": currency,
                    "ledger": str(cash_out[currency]),
                    "payouts": str(paid.get(currency, ZERO)),
                }
            )
    return found
