from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.jobs import tracked
from invoicing.reconciliation import reconcile


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = "Check events -> aggregates -> lines -> totals -> ledger for a window of billing dates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", help="ISO date or instant (default: last month's start)")
        parser.add_argument("--end", help="ISO date or instant, exclusive (default: this month's)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        this_month = datetime(now.year, now.month, 1, tzinfo=UTC)
        last_month = datetime(now.year - (now.month == 1), (now.month - 2) % 12 + 1, 1, tzinfo=UTC)
        start = _instant(options["start"]) if options["start"] else last_month
        end = _instant(options["end"]) if options["end"] else this_month
        if end <= start:
            raise CommandError("--end must come after --start.")
        # a job (core.jobs, kind `reconcile`): the invoices checked, in the admin's page of jobs
        # and on stderr (a progress bar on a terminal, plain lines in logs)
        with tracked(
            kind="reconcile",
            label=f"reconciliation {start:%Y-%m-%d}..{end:%Y-%m-%d}",
            actor="system:manage.py reconcile",
            params={"start": start.isoformat(), "end": end.isoformat()},
            echo=self.stderr,
        ) as progress:
            report = reconcile(start=start, end=end, as_of=now, progress=progress)
            progress.finish(
                result={
                    "report": report.pk,
                    "checked": report.checked,
                    "mismatches": len(report.mismatches),
                }
            )
        self.stdout.write(f"{report}; checked {report.checked}")
        for mismatch in report.mismatches:
            self.stdout.write(f"  {mismatch}")
        if not report.ok:
            raise CommandError(f"{len(report.mismatches)} mismatches")
