"""Reads for finance reports: the accounts receivable (AR) aging.

What is still owed on finalized invoices, by how long it is past due on a day:

    current   not due yet (due that day or later; an invoice without a due date)
    1-30      1 to 30 days past due
    31-60, 61-90, over_90

Days are counted between calendar dates in UTC: the `as_of` date less the date (UTC) of the
invoice's `due_at`. Amounts are the invoices' `amount_due` (total less credit notes and live
allocations) of `open` and `partially_paid` invoices, per currency: amounts of different
currencies are never added. Uncollectible invoices are *not* in the buckets: they were written
off to bad debt and are no longer a receivable in the ledger; their amount due is shown beside,
per currency, because a payment received later still recovers it. Drafts, paid and void
invoices owe nothing.

Test customers' invoices (customers on a test clock) are never in it: they are no receivable.

Only invoices finalized on or before the end of the `as_of` day (UTC) are in it: an invoice
finalized later was not a receivable that day. Their amounts are today's amounts due aged as of
the date asked: a past date does not rebuild what was owed then (payments and credit notes made
since are already taken off: the ledger rebuilds that), a future date shows what will be overdue
by then if nothing is paid.

Two queries, whatever the number of invoices: one aggregate per (currency, bucket), and one per
(currency, customer) ranked in SQL to keep the top customers of each currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, Q, Sum, Value, When, Window
from django.db.models.functions import RowNumber, TruncDate

from invoicing.models import Invoice, InvoiceStatus

ZERO = Decimal(0)
BUCKETS: tuple[str, ...] = ("current", "1_30", "31_60", "61_90", "over_90")
LABELS: dict[str, str] = {
    "current": "Current",
    "1_30": "1-30 days",
    "31_60": "31-60 days",
    "61_90": "61-90 days",
    "over_90": "Over 90 days",
}
WRITTEN_OFF = "uncollectible"
AGED = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)


@dataclass
class CustomerAging:
    customer_id: int
    external_id: str
    name: str
    buckets: dict[str, Decimal]
    total: Decimal
    written_off: Decimal


@dataclass
class CurrencyAging:
    currency: str
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS, ZERO))
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    written_off: Decimal = ZERO
    written_off_count: int = 0
    customers: list[CustomerAging] = field(default_factory=list)
    customer_count: int = 0

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    @property
    def invoice_count(self) -> int:
        return sum(self.counts.values())


@dataclass
class AgingReport:
    as_of: date
    currencies: list[CurrencyAging]


def _bucket(as_of: date) -> Case:
    """The bucket of an invoice (annotated `due_date`) on `as_of`."""
    return Case(
        When(status=InvoiceStatus.UNCOLLECTIBLE, then=Value(WRITTEN_OFF)),
        When(due_date__isnull=True, then=Value("current")),
        When(due_date__gte=as_of, then=Value("current")),
        When(due_date__gte=as_of - timedelta(days=30), then=Value("1_30")),
        When(due_date__gte=as_of - timedelta(days=60), then=Value("31_60")),
        When(due_date__gte=as_of - timedelta(days=90), then=Value("61_90")),
        default=Value("over_90"),
    )


def _owing(as_of: date) -> Any:
    """Invoices finalized by the end of `as_of` (UTC) that owe, annotated with their
    `due_date` and `bucket`."""
    day_after = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)
    return (
        Invoice.objects.filter(
            status__in=(*AGED, InvoiceStatus.UNCOLLECTIBLE),
            amount_due__gt=0,
            finalized_at__lt=day_after,
            customer__test_clock__isnull=True,  # test customers' documents are not receivables
        )
        .annotate(due_date=TruncDate("due_at", tzinfo=UTC))
        .annotate(bucket=_bucket(as_of))
    )


def ar_aging(*, as_of: date, top: int = 10) -> AgingReport:
    """The AR aging on `as_of` (see the module's note), with the `top` customers of each
    currency by what they owe (aged buckets; written-off amounts shown beside)."""
    owing = _owing(as_of)
    per_currency: dict[str, CurrencyAging] = {}
    rows = (
        owing.values("currency", "bucket")
        .annotate(amount=Sum("amount_due"), n=Count("id"))
        .order_by("currency", "bucket")
    )
    for row in rows:
        aging = per_currency.setdefault(row["currency"], CurrencyAging(row["currency"]))
        if row["bucket"] == WRITTEN_OFF:
            aging.written_off, aging.written_off_count = row["amount"], row["n"]
        else:
            aging.buckets[row["bucket"]] = row["amount"]
            aging.counts[row["bucket"]] = row["n"]
    sums = {
        name: Sum("amount_due", filter=Q(bucket=name), default=ZERO)
        for name in (*BUCKETS, WRITTEN_OFF)
    }
    customers = (
        owing.values("currency", "customer_id", "customer__external_id", "customer__name")
        .annotate(**{f"b_{name}": s for name, s in sums.items()})
        .annotate(aged=Sum("amount_due", filter=Q(status__in=AGED), default=ZERO))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("currency")],
                order_by=[F("aged").desc(), F("customer__external_id").asc()],
            ),
            of=Window(Count("customer_id"), partition_by=[F("currency")]),
        )
        .filter(rank__lte=top)
        .order_by("currency", "rank")
    )
    for row in customers:
        aging = per_currency.setdefault(row["currency"], CurrencyAging(row["currency"]))
        aging.customer_count = row["of"]
        aging.customers.append(
            CustomerAging(
                customer_id=row["customer_id"],
                external_id=row["customer__external_id"],
                name=row["customer__name"],
                buckets={name: row[f"b_{name}"] for name in BUCKETS},
                total=row["aged"],
                written_off=row[f"b_{WRITTEN_OFF}"],
            )
        )
    return AgingReport(as_of=as_of, currencies=[per_currency[c] for c in sorted(per_currency)])
