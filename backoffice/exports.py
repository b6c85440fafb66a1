"""Accounting exports: the rows of each kind for a period, and the CSV and XLSX writers.

Streamed end to end: each kind reads its rows with `values_list(...).iterator(chunk_size)` (a
server-side cursor on PostgreSQL: one FETCH per chunk, never the whole period in Python) and the
writers write each row as it comes: CSV through the csv module, XLSX through XlsxWriter in
`constant_memory` mode (a row is flushed to the sheet's temporary file as soon as the next one
starts). So a year of 100,000 invoices is written with the memory of one chunk (bench/exports.py
measures it). tablib (and django-import-export on top of it) builds the whole Dataset in memory
before it writes a byte, which is what this module avoids.

Money is Decimal end to end, in the currency's decimals (ISO 4217 exponent, `catalog.money`):
- CSV: the exact decimal text (`1234.50`, `1235` for JPY, `12.345` for KWD), a dot as separator.
- XLSX: a number cell with the currency's number format (`#,##0.00`, `#,##0`, `#,##0.000`), whose
  XML holds the Decimal's exact text (XlsxWriter formats the value with `{:.16G}`: a Decimal is
  formatted as a Decimal, never through a float). A spreadsheet reads it as a double, which shows
  exactly every amount of up to 15 significant digits; an amount with more (above
  9,999,999,999,999.99 in a two-decimal currency) is written as text instead, so no figure is
  ever changed silently.
Amounts are never rounded here: one stored with more decimals than its currency has (it should
not exist: amounts are stored rounded) is written exactly as stored, and the export warns.
Dates are UTC: a period is [first day 00:00 UTC, day after the last 00:00 UTC).

This module reads; it writes only the file it is given. Services (backoffice/services/exports.py)
create the Export and its job; the task runs `write_export`.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal

import xlsxwriter
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import F, OuterRef, QuerySet, Subquery, Sum, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce

from backoffice.models import ExportFormat, ExportKind, GlAccountCode
from billing.models.ledger import LedgerEntry
from catalog.money import get_currency, quantize
from invoicing.models import CreditNote, Invoice, InvoiceStatus
from payments.models import Allocation, Payment, PaymentState, Refund, RefundState

CHUNK_SIZE = 2000
XLSX_MAX_ROWS = 1_048_576  # a worksheet's rows, its header included: more go on a next sheet
EXACT_DIGITS = 15  # significant digits a spreadsheet's double shows exactly
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

CellKind = Literal["text", "money", "date", "datetime", "int"]


@dataclass(frozen=True)
class Column:
    header: str
    kind: CellKind = "text"
    width: int = 14


Row = tuple[Any, ...]
Progress = Callable[[int], None]  # called with the rows written since the last call


@dataclass
class Rows:
    """One kind's rows for a period: the columns, how many rows (for the progress bar), the rows
    (a generator: a server-side cursor read chunk by chunk) and what the export should warn
    about (filled while the rows are read)."""

    columns: tuple[Column, ...]
    total: int
    rows: Iterator[Row]
    currency_column: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class Written:
    rows: int
    size: int
    warnings: list[str]
    totals: dict[str, dict[str, str]]  # currency -> money column -> sum (exact text)


# --------------------------------------------------------------------------------------- period


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00 UTC, the day after end 00:00 UTC): the period's days, inclusive, in UTC."""
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.astimezone(UTC).date()


def _period(qs: QuerySet[Any], field_name: str, start: date, end: date) -> QuerySet[Any]:
    low, high = period_bounds(start, end)
    return qs.filter(**{f"{field_name}__gte": low, f"{field_name}__lt": high})


def _currency(qs: QuerySet[Any], currency: str | None) -> QuerySet[Any]:
    return qs.filter(currency=currency) if currency else qs


def _stream(qs: QuerySet[Any], chunk_size: int) -> Iterator[Row]:
    yield from qs.iterator(chunk_size=chunk_size)


# ---------------------------------------------------------------------------------------- kinds

INVOICE_COLUMNS = (
    Column("Number", width=18),
    Column("Issue date", "date", 12),
    Column("Due date", "date", 12),
    Column("Billing date", "date", 12),
    Column("Customer ID", width=18),
    Column("Customer", width=28),
    Column("Kind", width=11),
    Column("Status (at export)", width=14),
    Column("Currency", width=9),
    Column("Net", "money"),
    Column("Tax", "money"),
    Column("Total", "money"),
    Column("Credit applied", "money"),
    Column("Amount due (at export)", "money", 16),
    Column("Paid date (at export)", "date", 12),
    Column("Void date", "date", 12),
    Column("Corrects", width=18),
    Column("Invoice ID", "int", 11),
)


def invoice_rows(
    *, start: date, end: date, currency: str | None, chunk_size: int = CHUNK_SIZE
) -> Rows:
    """Finalized invoices issued in the period (by their finalization instant), one row each,
    oldest first; drafts are not accounting documents. Net = total - tax, whether the tax was
    added to the prices or included in them (the same columns as the credit notes'). The
    status, amount due and paid date are the values at the export's instant (a payment after
    the period shows), and their columns say so. The customer's name is the one frozen on the
    invoice."""
    qs = _currency(
        _period(Invoice.objects.exclude(status=InvoiceStatus.DRAFT), "finalized_at", start, end),
        currency,
    ).order_by("finalized_at", "id")
    values = qs.values_list(
        "number", "finalized_at", "due_at", "billing_date", "customer__external_id",
        Coalesce(
            KeyTextTransform("name", "customer_snapshot"), F("customer__name"),
            output_field=TextField(),
        ),
        "kind", "status", "currency", F("total") - F("tax_total"), "tax_total", "total",
        "credit_applied",
        "amount_due", "paid_at", "voided_at", "corrects__number", "id",
    )  # fmt: skip

    def rows() -> Iterator[Row]:
        for r in _stream(values, chunk_size):
            yield (r[0], _day(r[1]), _day(r[2]), _day(r[3]), *r[4:14], _day(r[14]),
                   _day(r[15]), r[16], r[17])  # fmt: skip

    return Rows(INVOICE_COLUMNS, qs.count(), rows(), currency_column=8)


CREDIT_NOTE_COLUMNS = (
    Column("Number", width=18),
    Column("Issue date", "date", 12),
    Column("Invoice", width=18),
    Column("Customer ID", width=18),
    Column("Customer", width=28),
    Column("Currency", width=9),
    Column("Net", "money"),
    Column("Tax", "money"),
    Column("Total", "money"),
    Column("To credit balance", "money", 16),
    Column("Reason", width=30),
    Column("Issued by", width=18),
    Column("Credit note ID", "int", 11),
)


def credit_note_rows(
    *, start: date, end: date, currency: str | None, chunk_size: int = CHUNK_SIZE
) -> Rows:
    """Credit notes issued in the period, oldest first. Net = total - tax (the note's total
    includes its tax), as on the invoices; "To credit balance" is the part beyond what the
    invoice still owed."""
    qs = _currency(_period(CreditNote.objects.all(), "issued_at", start, end), currency).order_by(
        "issued_at", "id"
    )
    values = qs.values_list(
        "number", "issued_at", "invoice__number", "invoice__customer__external_id",
        Coalesce(
            KeyTextTransform("name", "invoice__customer_snapshot"), F("invoice__customer__name"),
            output_field=TextField(),
        ),
        "currency", F("total") - F("tax_total"), "tax_total", "total", "to_balance", "reason",
        "issued_by", "id",
    )  # fmt: skip

    def rows() -> Iterator[Row]:
        for r in _stream(values, chunk_size):
            yield (r[0], _day(r[1]), *r[2:])

    return Rows(CREDIT_NOTE_COLUMNS, qs.count(), rows(), currency_column=5)


PAYMENT_COLUMNS = (
    Column("Payment ID", "int", 11),
    Column("Received date", "date", 12),
    Column("Customer ID", width=18),
    Column("Customer", width=28),
    Column("Kind", width=10),
    Column("Gateway", width=10),
    Column("Reference", width=24),
    Column("Currency", width=9),
    Column("Amount", "money"),
    Column("Allocated (at export)", "money", 16),
    Column("Invoices (at export)", width=30),
    Column("Unapplied (at export)", "money", 16),
    Column("To credit balance (at export)", "money", 16),
    Column("Refunded (at export)", "money", 16),
    Column("Memo", width=30),
)


def payment_rows(
    *, start: date, end: date, currency: str | None, chunk_size: int = CHUNK_SIZE
) -> Rows:
    """Money received in the period: succeeded payments by the instant the money came, oldest
    first (pending and failed attempts moved no money). The amount is the period's; what became
    of it (allocated, unapplied, moved to the credit balance, refunded) is as it stands at the
    export's instant, which can be after the period, and those columns say "(at export)".
    "Allocated" sums the payment's live allocations (unapplied ones are left out) and
    "Invoices" lists the invoices they pay. Amount = Allocated + Unapplied + To credit balance
    + the refunds paid out of its unapplied cash; "Refunded" also counts refunds paid out of
    the customer's credit balance (after a credit note), which are not part of that sum."""
    live = Allocation.objects.filter(payment=OuterRef("pk"), unapplied_at__isnull=True)
    allocated = live.values("payment").annotate(s=Sum("amount")).values("s")
    numbers = (
        live.values("payment")
        .annotate(n=StringAgg("invoice__number", delimiter=" ", order_by="invoice__number"))
        .values("n")
    )
    qs = _currency(
        _period(Payment.objects.filter(state=PaymentState.SUCCEEDED), "received_at", start, end),
        currency,
    ).order_by("received_at", "id")
    values = qs.values_list(
        "id", "received_at", "customer__external_id", "customer__name", "kind", "gateway",
        "gateway_reference", "currency", "amount",
        Coalesce(Subquery(allocated), Decimal(0)), Subquery(numbers), "unapplied", "to_balance",
        "refunded", "memo",
    )  # fmt: skip

    def rows() -> Iterator[Row]:
        for r in _stream(values, chunk_size):
            yield (r[0], _day(r[1]), *r[2:10], r[10] or "", *r[11:])

    return Rows(PAYMENT_COLUMNS, qs.count(), rows(), currency_column=7)


REFUND_COLUMNS = (
    Column("Refund ID", "int", 11),
    Column("Settled date", "date", 12),
    Column("Payment ID", "int", 11),
    Column("Payment reference", width=24),
    Column("Customer ID", width=18),
    Column("Customer", width=28),
    Column("Currency", width=9),
    Column("Amount", "money"),
    Column("Source", width=15),
    Column("Credit note", width=18),
    Column("Reason", width=30),
    Column("Reference", width=24),
)


def refund_rows(
    *, start: date, end: date, currency: str | None, chunk_size: int = CHUNK_SIZE
) -> Rows:
    """Money paid back in the period: succeeded refunds by the instant they settled, oldest
    first. Source: `unapplied` (an overpayment) or `credit_balance` (after a credit note)."""
    qs = _currency(
        _period(Refund.objects.filter(state=RefundState.SUCCEEDED), "settled_at", start, end),
        currency,
    ).order_by("settled_at", "id")
    values = qs.values_list(
        "id", "settled_at", "payment_id", "payment__gateway_reference",
        "payment__customer__external_id", "payment__customer__name", "currency", "amount",
        "source", "credit_note__number", "reason", "gateway_reference",
    )  # fmt: skip

    def rows() -> Iterator[Row]:
        for r in _stream(values, chunk_size):
            yield (r[0], _day(r[1]), *r[2:9], r[9] or "", *r[10:])

    return Rows(REFUND_COLUMNS, qs.count(), rows(), currency_column=6)


LEDGER_COLUMNS = (
    Column("Date", "date", 12),
    Column("Posted at (UTC)", "datetime", 20),
    Column("Posting", width=38),
    Column("GL code", width=12),
    Column("GL name", width=28),
    Column("Account", width=16),
    Column("Customer ID", width=18),
    Column("Currency", width=9),
    Column("Debit", "money"),
    Column("Credit", "money"),
    Column("Document type", width=13),
    Column("Document ID", "int", 12),
    Column("Memo", width=36),
    Column("Entry ID", "int", 11),
)


def ledger_rows(
    *, start: date, end: date, currency: str | None, chunk_size: int = CHUNK_SIZE
) -> Rows:
    """The general ledger: every entry posted in the period, oldest first, with the general
    ledger code and name finance staff mapped to its account (GlAccountCode). An account with
    no mapping is exported with an empty code and name, and the export warns, naming it and its
    number of lines: the export is not refused (the rest of the month's close goes on; map the
    account and export again)."""
    codes = {a: (c, n) for a, c, n in GlAccountCode.objects.values_list("account", "code", "name")}
    qs = _currency(_period(LedgerEntry.objects.all(), "posted_at", start, end), currency).order_by(
        "posted_at", "id"
    )
    values = qs.values_list(
        "posted_at", "posting", "account", "customer__external_id", "currency", "debit",
        "credit", "document_type", "document_id", "memo", "id",
    )  # fmt: skip
    result = Rows(LEDGER_COLUMNS, qs.count(), iter(()), currency_column=7)
    unmapped: dict[str, int] = {}

    def rows() -> Iterator[Row]:
        for posted, posting, account, customer, *rest in _stream(values, chunk_size):
            mapped = codes.get(account)
            if mapped is None:
                unmapped[account] = unmapped.get(account, 0) + 1
                mapped = ("", "")
            yield (_day(posted), posted, str(posting), *mapped, account, customer or "", *rest)
        result.warnings.extend(
            f"The ledger account {account!r} has no general ledger code: its {count} line(s) "
            "were exported with an empty code (map it under General ledger account codes)."
            for account, count in sorted(unmapped.items())
        )

    result.rows = rows()
    return result


KINDS: dict[str, Callable[..., Rows]] = {
    ExportKind.INVOICES: invoice_rows,
    ExportKind.CREDIT_NOTES: credit_note_rows,
    ExportKind.PAYMENTS: payment_rows,
    ExportKind.REFUNDS: refund_rows,
    ExportKind.LEDGER: ledger_rows,
}


def export_rows(
    kind: str, *, start: date, end: date, currency: str | None, chunk_size: int = CHUNK_SIZE
) -> Rows:
    return KINDS[kind](start=start, end=end, currency=currency or None, chunk_size=chunk_size)


# -------------------------------------------------------------------------------------- writers


def _money_rows(rows: Rows, totals: dict[str, dict[str, Decimal]]) -> Iterator[Row]:
    """The rows with each amount written in its row's currency's decimals (`49.9900` stored is
    `49.99`: the same value) and the per-currency sums of each money column kept as they pass.
    Amounts are never rounded: one with more decimals than its currency has (stored rounded,
    it should not exist) is written exactly as stored, and the export warns once per currency
    with how many and the first (appended to `rows.warnings` when the rows are all read)."""
    money = [(i, c.header) for i, c in enumerate(rows.columns) if c.kind == "money"]
    at = rows.currency_column
    finer: dict[str, tuple[int, Decimal, str]] = {}  # currency -> (count, first, its column)
    for row in rows.rows:
        code = row[at]
        cells = list(row)
        sums = totals.setdefault(code, {header: Decimal(0) for _, header in money})
        for i, header in money:
            amount = cells[i]
            rounded = quantize(amount, code)
            if rounded == amount:
                amount = rounded  # the same value, in the currency's decimals
            else:
                count, first, column = finer.get(code, (0, amount, header))
                finer[code] = (count + 1, first, column)
            cells[i] = amount
            sums[header] += amount
        yield tuple(cells)
    rows.warnings.extend(
        f"{count} {code} amount(s) have more decimals than {code}'s "
        f"{get_currency(code).exponent} (e.g. {first} in {column}): exported exactly, not "
        "rounded."
        for code, (count, first, column) in sorted(finer.items())
    )


class _CsvSink:
    def __init__(self, fh: IO[str], columns: tuple[Column, ...]) -> None:
        self.writer = csv.writer(fh, lineterminator="\r\n")
        self.kinds = [c.kind for c in columns]
        self.writer.writerow([c.header for c in columns])

    @staticmethod
    def _cell(kind: CellKind, value: Any) -> str:
        if value is None:
            return ""
        if kind == "money":
            return format(value, "f")
        if kind == "datetime":
            return str(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        if kind in ("date", "int"):
            return str(value.isoformat() if kind == "date" else value)
        text = str(value)
        # a cell a spreadsheet would run as a formula is quoted (OWASP's CSV injection advice)
        return "'" + text if text.startswith(CSV_FORMULA_PREFIXES) else text

    def write(self, row: Row) -> None:
        self.writer.writerow([self._cell(k, v) for k, v in zip(self.kinds, row, strict=True)])


class _XlsxSink:
    def __init__(self, path: Path, columns: tuple[Column, ...], title: str, max_rows: int) -> None:
        self.book = xlsxwriter.Workbook(
            str(path),
            {"constant_memory": True, "remove_timezone": True, "tmpdir": str(path.parent)},
        )
        self.columns = columns
        self.title = title[:25]
        self.max_rows = max_rows
        self.header = self.book.add_format({"bold": True, "bottom": 1})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.money_formats: dict[int, Any] = {}
        self.sheets = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.sheets += 1
        name = self.title if self.sheets == 1 else f"{self.title} ({self.sheets})"
        self.sheet = self.book.add_worksheet(name)
        for i, column in enumerate(self.columns):
            self.sheet.set_column(i, i, column.width)
            self.sheet.write_string(0, i, column.header, self.header)
        self.sheet.freeze_panes(1, 0)
        self.row = 1

    def _money(self, exponent: int) -> Any:
        if exponent not in self.money_formats:
            pattern = "#,##0" + ("." + "0" * exponent if exponent else "")
            self.money_formats[exponent] = self.book.add_format({"num_format": pattern})
        return self.money_formats[exponent]

    def write(self, row: Row, currency: str) -> None:
        if self.row >= self.max_rows:
            self._new_sheet()
        sheet, r = self.sheet, self.row
        for i, (column, value) in enumerate(zip(self.columns, row, strict=True)):
            if value is None or value == "":
                continue
            kind = column.kind
            if kind == "money":
                if len(value.as_tuple().digits) <= EXACT_DIGITS:
                    sheet.write_number(r, i, value, self._money(get_currency(currency).exponent))
                else:
                    sheet.write_string(r, i, format(value, "f"))
            elif kind == "int":
                sheet.write_number(r, i, value)
            elif kind == "date":
                sheet.write_datetime(r, i, datetime.combine(value, time.min), self.date)
            elif kind == "datetime":
                sheet.write_datetime(r, i, value.astimezone(UTC), self.datetime)
            else:
                sheet.write_string(r, i, str(value))
        self.row += 1

    def close(self) -> None:
        self.book.close()


def write_export(
    kind: str,
    fmt: str,
    path: Path,
    *,
    start: date,
    end: date,
    currency: str | None,
    on_start: Callable[[int], None] | None = None,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
    xlsx_max_rows: int = XLSX_MAX_ROWS,
) -> Written:
    """Write the export of `kind` for the period to `path` (CSV or XLSX), row by row.
    `on_start(total)` is called once the rows are counted; `progress(n)` after every `chunk_size`
    rows and at the end. The file appears whole or not at all (written aside, then renamed)."""
    rows = export_rows(kind, start=start, end=end, currency=currency, chunk_size=chunk_size)
    if on_start is not None:
        on_start(rows.total)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    totals: dict[str, dict[str, Decimal]] = {}
    count = pending = 0

    def tick() -> None:
        nonlocal pending
        if progress is not None and pending:
            progress(pending)
        pending = 0

    try:
        if fmt == ExportFormat.CSV:
            with partial.open("w", encoding="utf-8", newline="") as fh:
                sink = _CsvSink(fh, rows.columns)
                for row in _money_rows(rows, totals):
                    sink.write(row)
                    count += 1
                    pending += 1
                    if pending == chunk_size:
                        tick()
        else:
            title = ExportKind(kind).label.capitalize()
            xlsx = _XlsxSink(partial, rows.columns, title, xlsx_max_rows)
            try:
                for row in _money_rows(rows, totals):
                    xlsx.write(row, row[rows.currency_column])
                    count += 1
                    pending += 1
                    if pending == chunk_size:
                        tick()
            finally:
                xlsx.close()
        tick()
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return Written(
        rows=count,
        size=path.stat().st_size,
        warnings=rows.warnings,
        totals={
            code: {header: format(value, "f") for header, value in sums.items()}
            for code, sums in sorted(totals.items())
        },
    )
