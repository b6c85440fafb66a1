"""manage.py export_accounting: an accounting export written in this process, with its progress.

    manage.py export_accounting --kind ledger --from 2026-01-01 --to 2026-12-31 --format xlsx \\
        --out ledger-2026.xlsx [--currency USD]

The export is recorded as the admin's and the API's are (an Export with its job, journal events
export.created and export.completed): it shows in the admin's list of exports and can be
downloaded there too. Progress goes to stderr (a bar on a terminal, plain lines in logs); the
summary (rows, size, sums per currency, warnings) to stdout. Exit status 1 when the request is
refused or the export fails."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from backoffice.models import ExportFormat, ExportKind
from backoffice.services.exports import export_create, export_run
from core.audit import Actor
from core.exceptions import ApplicationError
from core.models import Job

ACTOR = Actor.system("manage.py export_accounting")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Write an accounting export (invoices, credit notes, payments, refunds, ledger)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=ExportKind.values)
        parser.add_argument(
            "--from", dest="start", required=True, help="first day (UTC), YYYY-MM-DD"
        )
        parser.add_argument("--to", dest="end", required=True, help="last day (UTC), included")
        parser.add_argument(
            "--format", choices=ExportFormat.values, help="default: --out's extension, else csv"
        )
        parser.add_argument("--currency", default="", help="ISO 4217 code (default: all)")
        parser.add_argument("--out", help="also copy the file there")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"]) if options["out"] else None
        fmt = options["format"] or (
            out.suffix.lstrip(".").lower()
            if out is not None and out.suffix.lower() in (".csv", ".xlsx")
            else ExportFormat.CSV
        )
        try:
            export = export_create(
                kind=options["kind"], format=fmt, period_start=_day(options["start"]),
                period_end=_day(options["end"]), currency=options["currency"], actor=ACTOR,
                as_of=timezone.now(), enqueue=False,
            )  # fmt: skip
        except ApplicationError as exc:
            raise CommandError(
                f"{exc.field}: {exc.message}" if exc.field else exc.message
            ) from None
        try:
            export = export_run(
                export_id=export.pk,
                clock=timezone.now,
                actor=ACTOR,
                echo=cast(TextIO, self.stderr),
                out=out,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        job = Job.objects.get(pk=export.job_id)
        self.stdout.write(
            f"export #{export.pk}: {export.rows} rows, {export.size} bytes, "
            f"{out if out is not None else export.file}"
        )
        for currency, sums in job.result.get("totals", {}).items():
            figures = ", ".join(f"{name} {value}" for name, value in sums.items())
            self.stdout.write(f"  {currency}: {figures}")
        for warning in job.result.get("warnings", []):
            self.stderr.write(f"warning: {warning}")
