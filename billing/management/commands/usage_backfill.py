"""Load usage events from a CSV or NDJSON file, in batches, through the same checks as the API.

    manage.py usage_backfill events.ndjson
    manage.py usage_backfill events.csv --batch 5000 --since 2024-01-01

CSV columns: event_id, customer, metric, event_time, and any others become properties
(numbers stay exact decimals). NDJSON: one event object a line, as the API takes it.

Unlike the API, which takes the current month and the previous USAGE_MAX_AGE_MONTHS, the backfill
takes older usage (from `--since`, a UTC date, when given: older lines are refused as typos) and
creates the monthly partitions of the months it loads.
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from billing.services.usage import metric_definitions, parse_json_body, usage_ingest
from core.audit import Actor

CORE = ("event_id", "customer", "metric", "event_time")


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
        earliest = datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None
        metrics = metric_definitions()
        counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
        shown = 0
        started = time.monotonic()
        batch: list[tuple[int, Any]] = []

        def flush() -> None:
            nonlocal shown
            events = [e for _, e in batch]
            report = usage_ingest(
                events=events,
                actor=actor,
                as_of=timezone.now(),
                metrics=metrics,
                backfill=True,
                earliest=earliest,
            )
            for (line, _), outcome in zip(batch, report.outcomes, strict=True):
                counts[outcome.status] += 1
                if outcome.status == "rejected" and shown < options["show_rejected"]:
                    shown += 1
                    error = outcome.errors[0]
                    self.stderr.write(f"line {line}: {error['field']}: {error['message']}")
            batch.clear()
            done = sum(counts.values())
            rate = done / max(time.monotonic() - started, 1e-6)
            bar = "#" * int(30 * min(done, total) / total)
            sys.stderr.write(f"\r[{bar:<30}] {done:,}/{total:,} events, {rate:,.0f}/s")
            sys.stderr.flush()

        for line, event in rows:
            if isinstance(event, dict) and "__malformed__" in event:
                counts["rejected"] += 1
                if shown < options["show_rejected"]:
                    shown += 1
                    self.stderr.write(f"line {line}: malformed JSON: {event['__malformed__']}")
                continue
            batch.append((line, event))
            if len(batch) >= options["batch"]:
                flush()
        if batch:
            flush()
        sys.stderr.write("\n")
        self.stdout.write(
            f"accepted {counts['accepted']}, duplicate {counts['duplicate']}, "
            f"rejected {counts['rejected']}"
        )
