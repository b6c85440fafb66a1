"""Accounting exports (issue 16, item 5): a month of documents written by the real services,
exported as CSV and XLSX, read back (csv module, openpyxl) and summed: the general ledger's
debits and credits per account equal the ledger's own sums for the period, with the codes
finance mapped; the invoices' totals equal those computed by hand; the period's edges (23:59:59
of the last day is in, midnight after is out); the job, its progress and its events.

The month (March 2026, USD unless said):
- Acme: invoice A1 100.00 (Mar 2), A2 49.99 (Mar 31 23:59:59), A0 5.00 (Feb 28 23:59:59, out),
  A3 10.00 (Apr 1 00:00:00, out); credit note 20.00 on A1 (Mar 10); a transfer of 100.00
  (Mar 20) applied to A1 (80.00: what is left), 20.00 unapplied; 15.00 of it refunded (Mar 25).
- Tokyo (JPY): invoice T1 1235 (Mar 15).

Hand-computed ledger of March (debit / credit): USD receivable 149.99 / 100.00 (credit note 20 +
allocation 80), revenue 20.00 / 149.99, cash 100.00 / 15.00, unapplied cash 95.00 (80 applied +
15 refunded) / 100.00: 364.99 each side. JPY receivable 1235 / 0, revenue 0 / 1235.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from backoffice.exports import write_export
from backoffice.models import Export, GlAccountCode
from backoffice.services.exports import export_create, export_run
from backoffice.services.glcodes import gl_code_create, gl_code_delete, gl_code_update
from billing.models import JournalEvent
from billing.models.ledger import LedgerEntry
from core.exceptions import Conflict, ValidationFailed
from core.models import Job
from invoicing.models import Invoice
from invoicing.services import credit_note_issue
from payments.gateways.manual import ManualGateway
from payments.gateways.sandbox import SandboxGateway
from payments.services import AllocationRequest, payment_record
from payments.services.refunds import refund_create
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import a_customer, open_invoice

D = Decimal
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
NOW = datetime(2026, 4, 2, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Files under this test's own MEDIA_ROOT; the payment gateways in their own namespaces."""
    settings.MEDIA_ROOT = tmp_path / "media"
    name = f"test-exports-{uuid.uuid4().hex}"
    settings.SANDBOX_GATEWAY_NAMESPACE = f"{name}-sandbox"
    settings.MANUAL_GATEWAY_NAMESPACE = f"{name}-manual"
    yield
    SandboxGateway(namespace=f"{name}-sandbox").reset()
    ManualGateway(namespace=f"{name}-manual").reset()


@dataclass
class Month:
    acme: Any
    tokyo: Any
    a1: Invoice
    a2: Invoice
    t1: Invoice


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def month(db: None) -> Month:
    acme = a_customer(name="Acme, Inc.", external_id="acme")
    tokyo = a_customer(name="=Tokyo KK", external_id="tokyo", currency="JPY", country="JP")
    open_invoice(acme, "5.00", at(2026, 2, 28, 23, 59, 59))
    a1 = open_invoice(acme, "100.00", at(2026, 3, 2, 10))
    a2 = open_invoice(acme, "49.99", at(2026, 3, 31, 23, 59, 59))
    open_invoice(acme, "10.00", at(2026, 4, 1))
    t1 = open_invoice(tokyo, "1235", at(2026, 3, 15, 8))
    line = a1.lines.get()
    credit_note_issue(
        invoice_id=a1.pk, as_of=at(2026, 3, 10), actor=ACTOR, reason="discount agreed",
        lines=[(line.pk, D("20.00"))],
    )  # fmt: skip
    payment = payment_record(
        customer_id=acme.pk, amount=D("100.00"), currency="USD", received_at=at(2026, 3, 20),
        reference="BANK-42", actor=ACTOR, as_of=at(2026, 3, 20),
        allocations=[AllocationRequest(invoice_id=a1.pk)],
    )  # fmt: skip
    refund_create(
        payment_id=payment.pk, amount=D("15.00"), reason="overpaid", actor=ACTOR,
        as_of=at(2026, 3, 25),
    )  # fmt: skip
    return Month(acme, tokyo, a1, a2, t1)


def gl_map() -> None:
    for account, code, name in [
        ("receivable", "1100", "Accounts receivable"),
        ("revenue", "4000", "Sales"),
        ("cash", "1000", "Bank"),
    ]:
        gl_code_create(account=account, code=code, name=name, actor=ACTOR, as_of=NOW)


def run(kind: str, fmt: str, *, currency: str = "", period: tuple[date, date] = MARCH) -> Export:
    export = export_create(
        kind=kind, format=fmt, period_start=period[0], period_end=period[1],
        currency=currency, actor=ACTOR, as_of=NOW,
    )  # fmt: skip
    export_run(export_id=export.pk, clock=lambda: NOW, actor=ACTOR)
    export.refresh_from_db()
    return export


def path_of(export: Export, settings: Any) -> Path:
    return Path(settings.MEDIA_ROOT) / export.file


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_xlsx(path: Path) -> list[dict[str, Any]]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows: list[dict[str, Any]] = []
    for sheet in book.worksheets:
        values = list(sheet.iter_rows(values_only=True))
        header = values[0]
        rows += [dict(zip(header, row, strict=True)) for row in values[1:]]
    return rows


def money(value: Any) -> Decimal:
    """A cell read back: CSV text, or the double openpyxl reads (its shortest repr is the
    decimal the cell's XML holds, for up to 15 significant digits)."""
    if value is None or value == "":
        return D(0)
    return D(str(value))


def ledger_sums(rows: list[dict[str, Any]]) -> dict[tuple[str, str, str, str], tuple[D, D]]:
    sums: dict[tuple[str, str, str, str], list[D]] = defaultdict(lambda: [D(0), D(0)])
    for row in rows:
        key = (row["Currency"], row["Account"], row["GL code"] or "", row["GL name"] or "")
        sums[key][0] += money(row["Debit"])
        sums[key][1] += money(row["Credit"])
    return {k: (v[0], v[1]) for k, v in sums.items()}


def ledger_of_period(start: datetime, end: datetime) -> dict[tuple[str, str], tuple[D, D]]:
    return {
        (r["currency"], r["account"]): (r["debit"], r["credit"])
        for r in LedgerEntry.objects.filter(posted_at__gte=start, posted_at__lt=end)
        .values("currency", "account")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    }


HAND_LEDGER = {
    ("USD", "receivable", "1100", "Accounts receivable"): (D("149.99"), D("100.00")),
    ("USD", "revenue", "4000", "Sales"): (D("20.00"), D("149.99")),
    ("USD", "cash", "1000", "Bank"): (D("100.00"), D("15.00")),
    ("USD", "unapplied_cash", "", ""): (D("95.00"), D("100.00")),
    ("JPY", "receivable", "1100", "Accounts receivable"): (D("1235"), D("0")),
    ("JPY", "revenue", "4000", "Sales"): (D("0"), D("1235")),
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_general_ledger_of_a_month_read_back_equals_the_ledger(
    month: Month, fmt: str, settings: Any
) -> None:
    gl_map()
    export = run("ledger", fmt)
    path = path_of(export, settings)
    rows = read_csv(path) if fmt == "csv" else read_xlsx(path)
    sums = ledger_sums(rows)
    assert sums == HAND_LEDGER
    # the same as the ledger's own sums for the period, account by account
    by_account = {(cur, acc): v for (cur, acc, _, _), v in sums.items()}
    assert by_account == ledger_of_period(at(2026, 3, 1), at(2026, 4, 1))
    for currency in ("USD", "JPY"):
        debit = sum((d for (c, *_), (d, _) in sums.items() if c == currency), D(0))
        credit = sum((k for (c, *_), (_, k) in sums.items() if c == currency), D(0))
        assert debit == credit == {"USD": D("364.99"), "JPY": D("1235")}[currency]
    entries = LedgerEntry.objects.filter(
        posted_at__gte=at(2026, 3, 1), posted_at__lt=at(2026, 4, 1)
    )
    assert export.rows == len(rows) == entries.count()
    assert export.size == path.stat().st_size
    # the unmapped account is exported with an empty code, and the job says so
    job = Job.objects.get(pk=export.job_id)
    assert job.status == "succeeded"
    assert (job.total, job.done) == (export.rows, export.rows)
    warning = job.result["warnings"]
    assert len(warning) == 1
    assert "'unapplied_cash'" in warning[0]
    assert "3 line(s)" in warning[0]
    assert job.errors == warning
    assert job.result["totals"] == {
        "JPY": {"Debit": "1235", "Credit": "1235"},
        "USD": {"Debit": "364.99", "Credit": "364.99"},
    }


def test_the_period_s_edges_and_the_currency_filter(month: Month, settings: Any) -> None:
    gl_map()
    rows = read_csv(path_of(run("ledger", "csv"), settings))
    posted = {r["Posted at (UTC)"] for r in rows}
    assert "2026-03-31T23:59:59Z" in posted  # A2, the last second of the period
    assert "2026-04-01T00:00:00Z" not in posted  # A3, the first of the next day
    assert "2026-02-28T23:59:59Z" not in posted  # A0
    assert {r["Date"] for r in rows} <= {f"2026-03-{d:02d}" for d in range(1, 32)}
    usd = read_csv(path_of(run("ledger", "csv", currency="usd"), settings))
    assert {r["Currency"] for r in usd} == {"USD"}
    assert len(usd) == len(rows) - 2
    # one day: only what was posted on March 31
    last = read_csv(path_of(run("ledger", "csv", period=(MARCH[1], MARCH[1])), settings))
    assert [(r["Account"], r["Debit"], r["Credit"]) for r in last] == [
        ("receivable", "49.99", "0.00"),
        ("revenue", "0.00", "49.99"),
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_invoices_of_a_month_and_their_totals(month: Month, fmt: str, settings: Any) -> None:
    export = run("invoices", fmt)
    path = path_of(export, settings)
    rows = read_csv(path) if fmt == "csv" else read_xlsx(path)
    assert [r["Number"] for r in rows] == [month.a1.number, month.t1.number, month.a2.number]
    a1, t1, a2 = rows
    if fmt == "csv":
        assert {k: a1[k] for k in ("Issue date", "Customer ID", "Customer", "Status (at export)",
                                   "Currency", "Net", "Tax", "Total",
                                   "Amount due (at export)")} == {
            "Issue date": "2026-03-02", "Customer ID": "acme", "Customer": "Acme, Inc.",
            "Status (at export)": "paid", "Currency": "USD", "Net": "100.00", "Tax": "0.00",
            "Total": "100.00", "Amount due (at export)": "0.00",
        }  # fmt: skip
        assert (t1["Total"], t1["Customer"]) == ("1235", "'=Tokyo KK")  # no formula in CSV
        assert (a2["Issue date"], a2["Amount due (at export)"], a2["Status (at export)"]) == (
            "2026-03-31", "49.99", "open",
        )  # fmt: skip
    else:
        assert a1["Issue date"] == datetime(2026, 3, 2)  # noqa: DTZ001 (a spreadsheet date)
        assert t1["Customer"] == "=Tokyo KK"  # a string cell: shown, never run
    # totals by hand, per currency
    usd = [r for r in rows if r["Currency"] == "USD"]
    assert sum((money(r["Total"]) for r in usd), D(0)) == D("149.99")
    assert sum((money(r["Amount due (at export)"]) for r in usd), D(0)) == D("49.99")
    assert money(t1["Total"]) == D(1235)
    assert Job.objects.get(pk=export.job_id).result["totals"]["USD"]["Total"] == "149.99"
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(path).worksheets[0]
        header = [c.value for c in sheet[1]]
        total = header.index("Total") + 1
        assert sheet.cell(2, total).number_format == "#,##0.00"  # A1, USD
        assert sheet.cell(3, total).number_format == "#,##0"  # T1, JPY: no decimals
        assert sheet.cell(2, total).data_type == "n"


def test_credit_notes_payments_and_refunds(month: Month, settings: Any) -> None:
    (note,) = read_csv(path_of(run("credit_notes", "csv"), settings))
    assert {k: note[k] for k in ("Invoice", "Customer ID", "Currency", "Net", "Tax",
                                 "Total", "To credit balance", "Reason")} == {
        "Invoice": month.a1.number, "Customer ID": "acme", "Currency": "USD",
        "Net": "20.00", "Tax": "0.00", "Total": "20.00", "To credit balance": "0.00",
        "Reason": "discount agreed",
    }  # fmt: skip
    (payment,) = read_csv(path_of(run("payments", "csv"), settings))
    assert {k: payment[k] for k in ("Received date", "Customer ID", "Reference", "Amount",
                                    "Allocated (at export)", "Invoices (at export)",
                                    "Unapplied (at export)", "Refunded (at export)")} == {
        "Received date": "2026-03-20", "Customer ID": "acme", "Reference": "BANK-42",
        "Amount": "100.00", "Allocated (at export)": "80.00",
        "Invoices (at export)": month.a1.number, "Unapplied (at export)": "5.00",
        "Refunded (at export)": "15.00",
    }  # fmt: skip
    # Amount = Allocated + Unapplied + To credit balance + refunded out of unapplied cash
    # (80.00 + 5.00 + 0.00 + 15.00)
    (refund,) = read_csv(path_of(run("refunds", "csv"), settings))
    assert {k: refund[k] for k in ("Settled date", "Payment ID", "Amount", "Source")} == {
        "Settled date": "2026-03-25", "Payment ID": payment["Payment ID"], "Amount": "15.00",
        "Source": "unapplied",
    }  # fmt: skip
    assert read_csv(path_of(run("refunds", "csv", currency="JPY"), settings)) == []


def test_gl_codes_are_mapped_once_changed_and_removed_with_events(db: None) -> None:
    mapping = gl_code_create(account="revenue", code=" 4000 ", name="Sales", actor=ACTOR, as_of=NOW)
    assert (mapping.code, mapping.name) == ("4000", "Sales")
    with pytest.raises(Conflict) as twice:
        gl_code_create(account="revenue", code="4001", actor=ACTOR, as_of=NOW)
    assert (twice.value.code, twice.value.field) == ("already_mapped", "account")
    with pytest.raises(ValidationFailed) as unknown:
        gl_code_create(account="sales", code="4001", actor=ACTOR, as_of=NOW)
    assert unknown.value.field == "account"
    with pytest.raises(ValidationFailed) as blank:
        gl_code_create(account="cash", code="  ", actor=ACTOR, as_of=NOW)
    assert blank.value.field == "code"
    gl_code_update(mapping_id=mapping.pk, code="4010", actor=ACTOR, as_of=NOW)
    gl_code_update(mapping_id=mapping.pk, code="4010", actor=ACTOR, as_of=NOW)  # no change
    gl_code_delete(mapping_id=mapping.pk, actor=ACTOR, as_of=NOW)
    assert not GlAccountCode.objects.exists()
    events = list(
        JournalEvent.objects.filter(subject_type="gl_account_code")
        .order_by("id")
        .values_list("type", "payload")
    )
    assert events == [
        ("gl_account_code.created", {"account": "revenue", "code": "4000", "name": "Sales"}),
        (
            "gl_account_code.updated",
            {
                "account": "revenue",
                "code": "4010",
                "name": "Sales",
                "changes": {"code": ["4000", "4010"]},
            },
        ),
        ("gl_account_code.deleted", {"account": "revenue", "code": "4010", "name": "Sales"}),
    ]


def test_export_create_refuses_bad_requests_on_their_field(db: None) -> None:
    good: dict[str, Any] = {
        "kind": "ledger", "format": "csv", "period_start": MARCH[0], "period_end": MARCH[1],
        "currency": "",
    }  # fmt: skip
    for change, field in [
        ({"kind": "journal"}, "kind"),
        ({"format": "pdf"}, "format"),
        ({"period_end": date(2026, 2, 28)}, "period_end"),
        ({"period_end": date(2036, 3, 31)}, "period_end"),
        ({"currency": "XYZ"}, "currency"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            export_create(**{**good, **change}, actor=ACTOR, as_of=NOW)
        assert refused.value.field == field, change
    assert not Export.objects.exists()
    assert not Job.objects.exists()


def test_the_job_and_its_events(month: Month, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        export = export_create(
            kind="invoices", format="xlsx", period_start=MARCH[0], period_end=MARCH[1],
            currency="usd", actor=ACTOR, as_of=NOW,
        )  # fmt: skip
    assert len(callbacks) >= 1  # the task, enqueued once this commits (and the journal's)
    job = Job.objects.get(pk=export.job_id)
    assert (job.status, job.kind, export.currency) == ("queued", "export", "USD")
    assert job.label == "export of invoices 2026-03-01..2026-03-31 USD (xlsx)"
    export_run(export_id=export.pk, clock=lambda: NOW, actor=ACTOR)
    export_run(export_id=export.pk, clock=lambda: NOW, actor=ACTOR)  # a second delivery: nothing
    job.refresh_from_db()
    assert (job.status, job.total, job.done) == ("succeeded", 2, 2)
    types = list(
        JournalEvent.objects.filter(subject_type="export", subject_id=str(export.pk))
        .order_by("id")
        .values_list("type", flat=True)
    )
    assert types == ["export.created", "export.completed"]
    completed = JournalEvent.objects.get(type="export.completed")
    assert (completed.payload["rows"], completed.payload["totals"]["USD"]["Total"]) == (
        2,
        "149.99",
    )


def test_a_failed_write_fails_its_job_and_records_export_failed(
    month: Month, settings: Any, tmp_path: Path
) -> None:
    """MEDIA_ROOT under a file: the directory cannot be made. The error is raised again (the task
    fails visibly), the job is failed with the error, `export.failed` says why, and a second
    delivery leaves it so (ask for the export again)."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file")
    settings.MEDIA_ROOT = blocker / "media"
    export = export_create(
        kind="ledger", format="csv", period_start=MARCH[0], period_end=MARCH[1],
        currency="", actor=ACTOR, as_of=NOW,
    )  # fmt: skip
    with pytest.raises(OSError, match="Not a directory"):
        export_run(export_id=export.pk, clock=lambda: NOW, actor=ACTOR)
    job = Job.objects.get(pk=export.job_id)
    assert job.status == "failed"
    assert "Not a directory" in " ".join(job.errors)
    failed = JournalEvent.objects.get(type="export.failed", subject_id=str(export.pk))
    assert "Not a directory" in failed.payload["error"]
    export_run(export_id=export.pk, clock=lambda: NOW, actor=ACTOR)  # redelivered: left failed
    assert Job.objects.get(pk=export.job_id).status == "failed"
    assert JournalEvent.objects.filter(type="export.failed").count() == 1


def test_rows_spill_onto_a_next_sheet(month: Month, tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    written = write_export(
        "ledger", "xlsx", path, start=MARCH[0], end=MARCH[1], currency=None, xlsx_max_rows=4
    )
    book = openpyxl.load_workbook(path, read_only=True)
    assert [s.max_row for s in book.worksheets][:2] == [4, 4]  # a header and three rows each
    assert len(read_xlsx(path)) == written.rows == 14


def test_writing_reads_in_chunks_with_a_bounded_number_of_queries(
    month: Month, tmp_path: Path
) -> None:
    """The rows come from one server-side cursor, fetched `chunk_size` at a time: the SQL
    statements do not grow with the rows (no query per row, nothing loaded whole)."""
    counts = []
    progress: list[int] = []
    for kind in ("invoices", "payments", "ledger"):
        with CaptureQueriesContext(connection) as queries:
            written = write_export(
                kind, "csv", tmp_path / f"{kind}.csv", start=MARCH[0], end=MARCH[1],
                currency=None, chunk_size=2, progress=progress.append,
            )  # fmt: skip
        counts.append((kind, written.rows, len(queries)))
    # a count and the cursor's query (the ledger reads its account codes first)
    assert counts == [("invoices", 3, 2), ("payments", 1, 2), ("ledger", 14, 3)]
    assert progress == [2, 1, 1, 2, 2, 2, 2, 2, 2, 2]  # every chunk, then the rest


def test_the_command_writes_the_export_with_its_progress(month: Month, tmp_path: Path) -> None:
    gl_map()
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "out" / "ledger-march.xlsx"
    call_command(
        "export_accounting", "--kind", "ledger", "--from", "2026-03-01", "--to", "2026-03-31",
        "--out", str(target), stdout=out, stderr=err,
    )  # fmt: skip
    rows = read_xlsx(target)  # the format from --out's extension
    assert ledger_sums(rows) == HAND_LEDGER
    export = Export.objects.get()
    assert (export.format, export.rows) == ("xlsx", 14)
    assert "USD: Debit 364.99, Credit 364.99" in out.getvalue()
    assert "export of general ledger 2026-03-01..2026-03-31 (xlsx): 14/14 (100%)" in err.getvalue()
    assert "warning: The ledger account 'unapplied_cash'" in err.getvalue()
    assert not export_create_task_enqueued()
    with pytest.raises(CommandError, match="period_end: The period ends"):
        call_command(
            "export_accounting", "--kind", "ledger", "--from", "2026-03-31", "--to", "2026-03-01",
            stdout=out, stderr=err,
        )  # fmt: skip


def export_create_task_enqueued() -> bool:
    """Whether any export task was sent to the broker (the command runs its export itself)."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    return any(b"backoffice.export_run" in item for item in client.lrange(queue, 0, -1))
