"""Load usage events from a CSV or NDJSON file, in batches, through the same checks as the API.

    manage.py usage_backfill events.ndjson
    manage.py usage_backfill events.csv --batch 5000 --since 2024-01-01

CSV columns: event_id, customer, metric, event_time, operation (optional: add, the default, or
remove), and any others become properties (numbers stay exact decimals). NDJSON: one event
object a line, as the API takes it.

Unlike the API, which takes the current month and the previous USAGE_MAX_AGE_MONTHS, the backfill
takes older usage (from `--since`, a UTC date, when given: older lines are refused as typos) and
creates the monthly partitions of the months it loads.

Its progress is a job (core.jobs, kind `usage_backfill`) shown in the admin's page of jobs:
done = lines read, failed = lines rejected (the first 50 rejections kept), its result the counts
accepted/duplicate/rejected. On stderr: a progress bar on a terminal, plain lines in logs.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from billing.services.usage import metric_definitions, parse_json_body, usage_ingest
from core.audit import Actor
from core.jobs import Progress, tracked

CORE = ("event_id", "customer", "metric", "event_time", "operation")


def _csv_rows(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            event: dict[str, Any] = {k: row.get(k) or None for k in CORE}
            event["properties"] = {k: v for k, v in row.items() if k not in CORE and v != ""}
            yield number, event


def _ndjson_rows(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open() as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, parse_json_body(line)
            except ValueError as exc:
                yield number, {"__malformed__": str(exc)}


class Command(BaseCommand):
    help = "Backfill usage events from a CSV or NDJSON file (accepted, duplicate, rejected)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--format", choices=["csv", "ndjson"], default=None)
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--show-rejected", type=int, default=20, help="first N rejections")
        parser.add_argument(
            "--since",
            type=date.fromisoformat,
            default=None,
            help="refuse events before this UTC date (YYYY-MM-DD); default: no bound",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(f"No file {path}.")
        kind = options["format"] or ("csv" if path.suffix.lower() == ".csv" else "ndjson")
        rows = _csv_rows(path) if kind == "csv" else _ndjson_rows(path)
        with path.open("rb") as counting:
            total = max(1, sum(1 for line in counting if line.strip()) - (kind == "csv"))
        actor = Actor.system("usage_backfill")
        since = options["since"]
        with tracked(
            kind="usage_backfill",
            label=f"usage backfill {path.name}",
            actor=actor.label,
            total=total,
            params={"path": str(path), "format": kind, "since": since and since.isoformat()},
            echo=self.stderr,
        ) as progress:
            counts = self._load(rows, actor=actor, progress=progress, options=options)
            progress.finish(result=counts)
        self.stdout.write(
            f"accepted {counts['accepted']}, duplicate {counts['duplicate']}, "
            f"rejected {counts['rejected']}"
        )

    def _load(
        self,
        rows: Iterator[tuple[int, Any]],
        *,
        actor: Actor,
        progress: Progress,
        options: dict[str, Any],
    ) -> dict[str, int]:
        since = options["since"]
        earliest = datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None
        metrics = metric_definitions()
        counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
        shown = 0
        batch: list[tuple[int, Any]] = []

        def reject(message: str) -> None:
            nonlocal shown
            counts["rejected"] += 1
            progress.advance(1, failed=1, error=message)
            if shown < options["show_rejected"]:
                shown += 1
                self.stderr.write(message)

        def flush() -> None:
            events = [e for _, e in batch]
            report = usage_ingest(
                events=events,
                actor=actor,
                as_of=timezone.now(),
                metrics=metrics,
                backfill=True,
                earliest=earliest,
            )
            kept = 0
            for (line, _), outcome in zip(batch, report.outcomes, strict=True):
                if outcome.status == "rejected":
                    error = outcome.errors[0]
                    reject(f"line {line}: {error['field']}: {error['message']}")
                else:
                    counts[outcome.status] += 1
                    kept += 1
            progress.advance(kept)
            batch.clear()

        for line, event in rows:
            if isinstance(event, dict) and "__malformed__" in event:
                reject(f"line {line}: malformed JSON: {event['__malformed__']}")
                continue
            batch.append((line, event))
            if len(batch) >= options["batch"]:
                flush()
        if batch:
            flush()
        return counts
