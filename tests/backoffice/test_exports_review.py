"""Accounting exports, the review's findings (issue 16): net, tax and total alike on invoices and
credit notes when the tax is inside the price; the columns that are today's values named so; an
amount finer than its currency exported exactly, with a warning; a task delivered again after its
export completed (or twice at once) writes one file and one `export.completed`; an enqueue that
never reached the broker fails the job; KWD's three decimals in CSV and XLSX."""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction

from backoffice.exports import CREDIT_NOTE_COLUMNS, INVOICE_COLUMNS, PAYMENT_COLUMNS
from backoffice.models import Export
from backoffice.services.exports import export_create, export_enqueue_failed, export_run
from billing.models import JournalEvent
from billing.models.ledger import LedgerEntry
from core.models import Job, JobStatus
from invoicing.services import credit_note_issue
from tests.backoffice.test_exports import (
    MARCH,
    NOW,
    at,
    path_of,
    read_csv,
    read_xlsx,
    run,
)
from tests.conftest import TEST_ACTOR as ACTOR
from tests.invoicing.test_taxes_coupons_credit import tax_rate
from tests.payments.helpers import a_customer, open_invoice

D = Decimal


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def headers(columns: Any) -> list[str]:
    return [c.header for c in columns]


# ------------------------------------------------------------------------ 1. net, tax, total


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_inclusive_tax_invoice_and_its_credit_note_have_the_same_net_tax_total(
    db: None, fmt: str, settings: Any
) -> None:
    """A 20% tax included in the price: the invoice of 120.00 holds 20.00 of tax (120 / 1.2 =
    100.00 net). Both the invoice and its whole credit note export Net 100.00, Tax 20.00,
    Total 120.00 (no "Subtotal" that is gross on one and net on the other)."""
    tax_rate("vat_fr_incl", "20", inclusive=True, country="FR")
    customer = a_customer(name="Paris SARL", external_id="paris", country="FR")
    invoice = open_invoice(customer, "120.00", at(2026, 3, 3, 9))
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (D(120), D(20), D(120))
    credit_note_issue(invoice_id=invoice.pk, as_of=at(2026, 3, 9), actor=ACTOR, reason="refused")
    for kind in ("invoices", "credit_notes"):
        export = run(kind, fmt)
        path = path_of(export, settings)
        (row,) = read_csv(path) if fmt == "csv" else read_xlsx(path)
        figures = tuple(D(str(row[c])) for c in ("Net", "Tax", "Total"))
        assert figures == (D("100.00"), D("20.00"), D("120.00")), kind
        assert "Subtotal" not in row
        if fmt == "csv":
            assert (row["Net"], row["Tax"], row["Total"]) == ("100.00", "20.00", "120.00")
        totals = Job.objects.get(pk=export.job_id).result["totals"]["USD"]
        assert (totals["Net"], totals["Tax"], totals["Total"]) == ("100.00", "20.00", "120.00")
    assert headers(INVOICE_COLUMNS)[9:12] == headers(CREDIT_NOTE_COLUMNS)[6:9]


# ------------------------------------------------------------------ 5. today's values, named so


def test_the_columns_that_are_today_s_values_say_so() -> None:
    """Amount due, status, allocations, unapplied cash, credit balance and refunds change after
    the period: their columns say they are the values at the export's instant."""
    invoice = headers(INVOICE_COLUMNS)
    assert "Status (at export)" in invoice
    assert "Amount due (at export)" in invoice
    assert "Paid date (at export)" in invoice
    payment = headers(PAYMENT_COLUMNS)
    for name in ("Allocated", "Invoices", "Unapplied", "To credit balance", "Refunded"):
        assert f"{name} (at export)" in payment
    for name in ("Status", "Amount due", "Allocated", "Unapplied", "Refunded"):
        assert name not in invoice + payment


# ----------------------------------------------------------- 6. finer than the currency allows


def test_an_amount_finer_than_its_currency_is_exported_exactly_with_a_warning(
    db: None, settings: Any
) -> None:
    """A crafted posting of 0.0050 USD (a half cent): written as 0.0050, not rounded to 0.01,
    and the export warns, naming the currency, the column and how many amounts."""
    customer = a_customer(external_id="crafted")
    posting = uuid.uuid4()
    for account, debit, credit in (("cash", "0.0050", "0"), ("unapplied_cash", "0", "0.0050")):
        LedgerEntry.objects.create(
            posting=posting, account=account, customer=customer, currency="USD",
            debit=D(debit), credit=D(credit), document_type="payment", document_id=1,
            memo="crafted", posted_at=at(2026, 3, 5),
        )  # fmt: skip
    for fmt in ("csv", "xlsx"):
        export = run("ledger", fmt)
        path = path_of(export, settings)
        rows = read_csv(path) if fmt == "csv" else read_xlsx(path)
        assert sorted(D(str(r["Debit"])) for r in rows) == [D(0), D("0.005")]
        if fmt == "csv":
            assert [r["Debit"] for r in rows] == ["0.0050", "0.00"]
            assert [r["Credit"] for r in rows] == ["0.00", "0.0050"]
        job = Job.objects.get(pk=export.job_id)
        assert job.result["totals"]["USD"] == {"Debit": "0.0050", "Credit": "0.0050"}
        finer = [w for w in job.result["warnings"] if "more decimals" in w]
        assert finer == [
            "2 USD amount(s) have more decimals than USD's 2 (e.g. 0.0050 in Debit): exported "
            "exactly, not rounded."
        ]
        assert finer[0] in job.errors


# ---------------------------------------------------- 3. delivered again after it completed


@pytest.fixture
def invoices(db: None) -> None:
    acme = a_customer(name="Acme", external_id="acme")
    open_invoice(acme, "100.00", at(2026, 3, 2))
    open_invoice(acme, "0.50", at(2026, 3, 31, 23, 59, 59))


def completed_events(export: Export) -> int:
    return JournalEvent.objects.filter(type="export.completed", subject_id=str(export.pk)).count()


def test_a_task_delivered_again_after_its_export_completed_rewrites_nothing(
    invoices: None, settings: Any
) -> None:
    """The worker died after the export was recorded (between `_completed` and the job's
    finish): the job is left running. The task delivered again sees the file recorded, marks
    the job succeeded, and neither rewrites the file nor records a second export.completed."""
    export = run("invoices", "csv")
    path = path_of(export, settings)
    before = (path.read_bytes(), path.stat().st_mtime_ns, path.stat().st_ino)
    job = Job.objects.get(pk=export.job_id)
    assert job.status == JobStatus.SUCCEEDED  # with the file, in the same transaction
    result = job.result
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, finished_at=None)
    export_run(export_id=export.pk, clock=lambda: NOW, actor=ACTOR)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.finished_at is not None
    assert job.result == result
    assert (path.read_bytes(), path.stat().st_mtime_ns, path.stat().st_ino) == before
    assert completed_events(export) == 1
    assert not JournalEvent.objects.filter(type="export.failed").exists()


def test_the_job_succeeds_in_the_transaction_that_records_the_file(
    invoices: None, settings: Any
) -> None:
    """Whatever the job's state, an export whose file is recorded is done: its job succeeded,
    with rows, size, sums and warnings, and the download works."""
    export = run("invoices", "xlsx")
    job = Job.objects.get(pk=export.job_id)
    assert (job.status, job.done, job.total) == (JobStatus.SUCCEEDED, 2, 2)
    assert job.result["file"] == export.file
    assert job.result["rows"] == export.rows == 2
    assert path_of(export, settings).is_file()


# ------------------------------------------------------------ 8. two deliveries at once


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_write_once(settings: Any) -> None:
    """Two workers run the same export at the same instant (two connections). The first holds
    the export's advisory lock while it writes; the second finds it held and returns at once.
    To hold the first before it can finish, this test locks the export's row: the first run
    waits for it when it records the file, its advisory lock held. One file, one
    export.completed."""
    acme = a_customer(name="Acme", external_id="acme")
    open_invoice(acme, "100.00", at(2026, 3, 2))
    export = export_create(
        kind="invoices", format="csv", period_start=MARCH[0], period_end=MARCH[1],
        currency="", actor=ACTOR, as_of=NOW, enqueue=False,
    )  # fmt: skip
    outcomes: dict[str, Any] = {}

    def deliver(name: str) -> None:
        try:
            done = export_run(export_id=export.pk, clock=lambda: NOW, actor=ACTOR)
            outcomes[name] = done.file
        except BaseException as exc:  # reported by the assertions below
            outcomes[name] = exc
        finally:
            connections.close_all()

    first = threading.Thread(target=deliver, args=("first",))
    with transaction.atomic():
        Export.objects.select_for_update().get(pk=export.pk)
        first.start()
        # the first run holds the export's advisory lock (pg_locks is read afresh each time;
        # pg_stat_activity would be the snapshot of this transaction's first read)
        held_sql = (
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND pid <> pg_backend_pid() "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        for _ in range(600):  # bounded: never hangs
            with connection.cursor() as cursor:
                cursor.execute(held_sql)
                if cursor.fetchone()[0]:
                    break
            threading.Event().wait(0.05)
        else:
            pytest.fail(f"the first delivery never took the export's lock: {outcomes}")
        second = threading.Thread(target=deliver, args=("second",))
        second.start()
        second.join()
        assert outcomes["second"] == ""  # it stood aside: nothing recorded by it
        assert Job.objects.get(pk=export.job_id).status != JobStatus.SUCCEEDED
    first.join()
    export.refresh_from_db()
    assert outcomes["first"] == export.file != ""
    assert completed_events(export) == 1
    assert Job.objects.get(pk=export.job_id).status == JobStatus.SUCCEEDED
    assert len(list((Path(settings.MEDIA_ROOT) / "exports").rglob("*.csv"))) == 1


# ------------------------------------------------------------- 4. an enqueue that failed


def test_an_enqueue_that_failed_fails_the_job_and_records_export_failed(db: None) -> None:
    """on_commit(robust=True) logs a broker that cannot be reached and goes on: the export
    would stay queued for ever. Its job is failed with the error, and `export.failed` says so,
    so staff ask again."""
    export = export_create(
        kind="invoices", format="csv", period_start=MARCH[0], period_end=MARCH[1],
        currency="", actor=ACTOR, as_of=NOW, enqueue=False,
    )  # fmt: skip
    export_enqueue_failed(
        export.pk, OSError("Error 111 connecting to 127.0.0.1:1. Connection refused."),
        as_of=NOW,
    )  # fmt: skip
    job = Job.objects.get(pk=export.job_id)
    assert job.status == JobStatus.FAILED
    assert job.finished_at == NOW
    assert job.errors == [
        "The export could not be queued (OSError: Error 111 connecting to 127.0.0.1:1. "
        "Connection refused.): ask for it again."
    ]
    failed = JournalEvent.objects.get(type="export.failed", subject_id=str(export.pk))
    assert failed.payload["error"] == job.errors[0]
    export_run(export_id=export.pk, clock=lambda: NOW, actor=ACTOR)  # a late delivery: nothing
    assert Job.objects.get(pk=export.job_id).status == JobStatus.FAILED
    export.refresh_from_db()
    assert export.file == ""


def test_an_unreachable_broker_fails_the_export(
    db: None, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    """The broker itself unreachable (a port nothing listens on): the enqueue fails, the export
    fails with the broker's error instead of staying queued."""
    from config.celery import app

    with django_capture_on_commit_callbacks() as callbacks:
        export = export_create(
            kind="invoices", format="csv", period_start=MARCH[0], period_end=MARCH[1],
            currency="", actor=ACTOR, as_of=NOW,
        )  # fmt: skip
    (enqueue,) = [c for c in callbacks if c.__qualname__.startswith("export_create.")]
    unreachable = {
        "broker_url": "redis://127.0.0.1:1/0",
        "broker_connection_retry": False,
        "broker_connection_max_retries": 0,
        "task_publish_retry": False,
    }
    saved = {key: app.conf[key] for key in unreachable}
    app.conf.update(unreachable)
    app._pool = app.amqp._producer_pool = None  # type: ignore[attr-defined]  # afresh
    try:
        enqueue()  # the export's own callback (the journal's dispatch needs the broker too)
    finally:
        app.conf.update(saved)
        app._pool = app.amqp._producer_pool = None  # type: ignore[attr-defined]
    job = Job.objects.get(pk=export.job_id)
    assert job.status == JobStatus.FAILED
    assert "could not be queued" in job.errors[0]
    assert JournalEvent.objects.filter(type="export.failed", subject_id=str(export.pk)).exists()


# ------------------------------------------------------------------------ 8. KWD's decimals


@pytest.fixture
def kuwait(db: None) -> Any:
    customer = a_customer(name="Kuwait Co", external_id="kw", currency="KWD", country="KW")
    open_invoice(customer, "12.345", at(2026, 3, 4))
    open_invoice(customer, "0.005", at(2026, 3, 5))
    return customer


def test_kwd_amounts_keep_their_three_decimals_in_csv_and_xlsx(kuwait: Any, settings: Any) -> None:
    rows = read_csv(path_of(run("invoices", "csv"), settings))
    assert [(r["Currency"], r["Total"], r["Tax"]) for r in rows] == [
        ("KWD", "12.345", "0.000"),
        ("KWD", "0.005", "0.000"),
    ]
    export = run("invoices", "xlsx")
    assert Job.objects.get(pk=export.job_id).result["totals"]["KWD"]["Total"] == "12.350"
    path = path_of(export, settings)
    assert [D(str(r["Total"])) for r in read_xlsx(path)] == [D("12.345"), D("0.005")]
    import openpyxl

    sheet = openpyxl.load_workbook(path).worksheets[0]
    total = [c.value for c in sheet[1]].index("Total") + 1
    assert sheet.cell(2, total).number_format == "#,##0.000"
    assert sheet.cell(2, total).data_type == "n"
    assert not Job.objects.get(pk=export.job_id).result["warnings"]


def test_the_export_task_has_its_own_time_limits(settings: Any) -> None:
    """Not the tasks' 540 s soft / 600 s hard: EXPORT_TIME_LIMIT_SECONDS, the hard one later."""
    from backoffice.tasks import export_run_task

    assert export_run_task.soft_time_limit == settings.EXPORT_TIME_LIMIT_SECONDS == 3600
    assert export_run_task.time_limit == settings.EXPORT_TIME_LIMIT_SECONDS + 60
