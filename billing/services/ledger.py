"""The ledger: balanced double-entry postings written in the transaction of the document."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Sum

from billing.models import Customer, LedgerEntry
from core.db import copy_rows

ZERO = Decimal(0)


def ledger_post(
    *,
    customer: Customer | None,
    currency: str,
    amounts: Sequence[tuple[str, Decimal]],
    document_type: str,
    document_id: int,
    memo: str,
    at: datetime,
) -> uuid.UUID:
    """Post (account, signed amount) pairs: positive is a debit, negative a credit. They must
    add up to zero. Runs inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("ledger_post must run inside the transaction of its document")
    if sum((amount for _, amount in amounts), ZERO) != ZERO:
        raise ValueError(f"Unbalanced posting for {document_type} {document_id}: {amounts}")
    posting = uuid.uuid4()
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            posting=posting,
            account=account,
            customer=customer,
            currency=currency,
            debit=amount if amount > 0 else ZERO,
            credit=-amount if amount < 0 else ZERO,
            document_type=document_type,
            document_id=document_id,
            memo=memo,
            posted_at=at,
        )
        for account, amount in amounts
        if amount
    )
    return posting


@dataclass(frozen=True)
class Posting:
    customer_id: int | None
    currency: str
    amounts: Sequence[tuple[str, Decimal]]
    document_type: str
    document_id: int
    memo: str
    at: datetime


_ENTRY_COLUMNS = (
    "posting",
    "account",
    "customer_id",
    "currency",
    "debit",
    "credit",
    "document_type",
    "document_id",
    "memo",
    "posted_at",
)


def ledger_post_many(postings: Sequence[Posting]) -> None:
    """Many balanced postings in one write (a billing run's chunk of invoices); each checked as
    `ledger_post` checks one. Inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("ledger_post_many must run inside the transaction of its documents")
    rows = []  # plain rows to COPY: a LedgerEntry instance per entry cost more than its write
    for p in postings:
        if sum((amount for _, amount in p.amounts), ZERO) != ZERO:
            raise ValueError(f"Unbalanced posting for {p.document_type} {p.document_id}")
        posting = uuid.uuid4()
        rows += [
            (
                posting,
                account,
                p.customer_id,
                p.currency,
                amount if amount > 0 else ZERO,
                -amount if amount < 0 else ZERO,
                p.document_type,
                p.document_id,
                p.memo,
                p.at,
            )
            for account, amount in p.amounts
            if amount
        ]
    if rows:
        copy_rows(LedgerEntry, _ENTRY_COLUMNS, rows)


def trial_balance() -> dict[str, Decimal]:
    """Debits minus credits per currency: zero for every currency, always."""
    rows = LedgerEntry.objects.values("currency").annotate(d=Sum("debit"), c=Sum("credit"))
    return {row["currency"]: (row["d"] or ZERO) - (row["c"] or ZERO) for row in rows}


def account_balances(*, customer_id: int | None = None) -> dict[tuple[str, str], Decimal]:
    qs = LedgerEntry.objects.all()
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    rows = qs.values("account", "currency").annotate(d=Sum("debit"), c=Sum("credit"))
    return {(r["account"], r["currency"]): (r["d"] or ZERO) - (r["c"] or ZERO) for r in rows}
