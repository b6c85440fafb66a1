"""The building blocks of invoice documents: locks, lines with their tax, totals, numbers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Q, Sum

from billing.models import (
    Customer,
)
from catalog.models import TaxRate
from catalog.selectors import pick_tax_rate, tax_rates_in_use
from catalog.tax import line_tax
from core.db import json_text
from core.exceptions import NotFound
from invoicing.models import (
    Invoice,
    InvoiceLine,
    NumberSeries,
)
from invoicing.planner import LineSpec


def locked_invoice(invoice_id: int) -> Invoice:
    try:
        customer_id = Invoice.objects.values_list("customer_id", flat=True).get(pk=invoice_id)
    except Invoice.DoesNotExist:
        raise NotFound(f"No invoice with id {invoice_id}.") from None
    Customer.objects.select_for_update().get(pk=customer_id)
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=invoice_id)
    )


def recompute_totals(invoice: Invoice) -> None:
    recompute_totals_many([invoice])


def recompute_totals_many(invoices: Sequence[Invoice]) -> None:
    """Subtotal from the lines (one query for all), total with the tax (not saved)."""
    sums = {
        row[0]: row[1:]
        for row in InvoiceLine.objects.filter(invoice__in=[i.pk for i in invoices])
        .values("invoice")
        .annotate(
            t=Sum("amount"),
            tax=Sum("tax_amount"),
            excl=Sum("tax_amount", filter=Q(tax_inclusive=False)),
        )
        .values_list("invoice", "t", "tax", "excl")
    }
    zero = (Decimal(0), Decimal(0), Decimal(0))
    for invoice in invoices:
        subtotal, tax, exclusive = (x or Decimal(0) for x in sums.get(invoice.pk, zero))
        invoice.subtotal = subtotal
        invoice.tax_total = tax
        invoice.total = subtotal + exclusive
        invoice.amount_due = max(invoice.total - invoice.credit_applied, Decimal(0))


def tax_rate_of(customer: Customer, rates: list[TaxRate] | None = None) -> TaxRate | None:
    """The tax rate of a customer's invoice lines: none when it is tax exempt, else the rate of
    its address (see catalog.selectors.pick_tax_rate)."""
    if customer.tax_exempt:
        return None
    return pick_tax_rate(
        tax_rates_in_use() if rates is None else rates, customer.country, customer.state
    )


def taxed(line: InvoiceLine, rate: TaxRate | None, currency: str) -> InvoiceLine:
    tax = line_tax(
        line.amount,
        rate.percentage if rate else Decimal(0),
        rate.inclusive if rate else False,
        currency,
    )
    line.tax_rate = rate
    line.tax_percentage = tax.percentage
    line.tax_inclusive = tax.inclusive
    line.tax_amount = tax.amount
    line.tax_category = rate.category if rate else ""
    return line


# the columns of an invoice line as `line_row` gives them (core.db.copy_rows)
LINE_FIELDS = (
    "invoice_id", "subscription_id", "kind", "description", "quantity", "unit_amount", "amount",
    "period_start", "period_end", "metric_code", "explanation", "position", "plan_version_id",
    "redemption_id", "catalog_tax_rate_id", "charge_id", "tax_rate_id", "tax_percentage",
    "tax_inclusive", "tax_amount", "tax_category",
)  # fmt: skip
ONE = Decimal(1)


def line_row(
    spec: LineSpec,
    invoice: Invoice,
    position: int,
    rate: TaxRate | None = None,
    encode: Callable[[Any], Any] = json_text,
) -> tuple[Any, ...]:
    """`line_of`'s line as a tuple of LINE_FIELDS, its explanation as JSON text (`encode`), for
    `copy_rows`: the billing run stores its lines without building model instances."""
    tax = line_tax(
        spec.amount,
        rate.percentage if rate else Decimal(0),
        rate.inclusive if rate else False,
        invoice.currency,
    )
    return (
        invoice.pk, spec.subscription_id, spec.kind, spec.description,
        ONE if spec.quantity is None else spec.quantity, spec.unit_amount, spec.amount,
        spec.period_start, spec.period_end, spec.metric_code,
        encode({} if spec.explanation is None else spec.explanation), position, spec.book_id,
        spec.redemption_id, spec.tax_rate_id, spec.charge_id, rate.pk if rate else None,
        tax.percentage, tax.inclusive, tax.amount, rate.category if rate else "",
    )  # fmt: skip


def line_of(
    spec: LineSpec,
    invoice: Invoice,
    position: int,
    rate: TaxRate | None = None,
) -> InvoiceLine:
    """An (unsaved) invoice line from a planned line, with its tax at `rate` (the line's own:
    invoicing.taxes.Rates.for_line) and the rate set in the catalog on what priced it."""
    values = line_row(spec, invoice, position, rate, _same)
    line = InvoiceLine(**dict(zip(LINE_FIELDS, values, strict=True)))
    line.invoice = invoice
    line.tax_rate = rate
    return line


def _same(value: Any) -> Any:
    return value


def document_year(issued_at: datetime) -> int:
    """The year of a document's number: its issue date's, in the company's time zone (an
    invoice of a 2025 billing date issued during a 2026 catch-up is numbered in 2026's series,
    so that each series runs in issue order)."""
    return issued_at.astimezone(ZoneInfo(settings.COMPANY.get("time_zone", "UTC"))).year


TEST_PREFIX = "TEST-"


def series_prefix(prefix: str, customer: Customer) -> str:
    """The series of a customer's documents: `prefix` (INV, CN) for a live customer; a test
    customer's (a test clock's) have their own gapless series, TEST-INV and TEST-CN, so test
    documents never take a number of the live series."""
    return f"{TEST_PREFIX}{prefix}" if customer.test_clock_id is not None else prefix


def next_number(prefix: str, year: int) -> str:
    return next_numbers(prefix, year, 1)[0]


def next_numbers(prefix: str, year: int, count: int) -> list[str]:
    """The next `count` numbers of a series, under its row lock (held to the commit, so numbers
    are gapless and in commit order also under concurrent finalization)."""
    # one statement: the upsert takes the series' row lock (a concurrent finalization waits for
    # this commit, then adds to the committed count) and returns the new last number
    table = NumberSeries._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, year, last_number) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (prefix, year) DO UPDATE SET last_number = {table}.last_number "
            "+ EXCLUDED.last_number RETURNING last_number",
            [prefix, year, count],
        )
        last = int(cursor.fetchone()[0])
    return [f"{prefix}-{year}-{n:06d}" for n in range(last - count + 1, last + 1)]


def invoice_created(invoice: Invoice, customer: Customer, **extra: Any) -> dict[str, Any]:
    """The `invoice.created` journal event of a new invoice (for journal_write_many)."""
    return {
        "type": "invoice.created",
        "subject_type": "invoice",
        "subject_id": invoice.pk,
        "payload": {
            "customer": customer.external_id,
            "billing_date": invoice.billing_date.isoformat(),
            **extra,
        },
        "occurred_at": invoice.created_at,
    }
