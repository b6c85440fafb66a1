"""`manage.py bill --as-of <time>`: one tick of the billing clock, run here (or on the workers),
for operations (a catch-up after an outage, a re-run) and tests. The same path as beat's tick:
what is due then is billed, rolled and finalized; running it twice bills nothing twice.

Its progress (subscriptions billed of those due) is a job (core.jobs, kind `billing_run`) shown
in the admin's page of jobs, and on stderr: a progress bar on a terminal, plain lines otherwise;
stdout keeps the run's JSON summary."""

from __future__ import annotations

import json
import os
import socket
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.audit import Actor
from core.jobs import tracked
from invoicing.services import (
    clock_tick_finish,
    clock_tick_start,
    clock_tick_work,
    invoices_finalize_ready,
    subscriptions_bill_chunk,
)
from invoicing.services.clock import BILLING_RUN


class Command(BaseCommand):
    help = "Run the billing clock for an instant (default: now), in this process or on workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="ISO 8601 instant with its offset (default: now)")
        parser.add_argument(
            "--workers",
            action="store_true",
            help="send the tick to the Celery workers instead of running it here",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = timezone.now()
        if options["as_of"]:
            parsed = parse_datetime(options["as_of"])
            if parsed is None or parsed.tzinfo is None:
                raise CommandError("--as-of takes an ISO 8601 instant with its offset or Z.")
            as_of = parsed
        if as_of > timezone.now():
            raise CommandError("--as-of cannot be in the future: the clock bills what is due.")
        if options["workers"]:
            from invoicing.tasks import clock_tick_task

            result = clock_tick_task.delay(as_of=as_of.isoformat())
            self.stdout.write(f"tick for {as_of.isoformat()} sent to the workers ({result.id})")
            return
        actor = Actor.system("manage.py bill")
        started = timezone.now()
        tick = clock_tick_start(
            as_of=as_of, started_at=started, worker=f"{socket.gethostname()}:{os.getpid()}",
            task_id="manage.py bill",
        )  # fmt: skip
        counts: dict[str, Any] = {"billing_steps": 0, "finalized": 0, "failed": {}}
        with tracked(
            kind=BILLING_RUN,
            label=f"billing run as of {as_of.isoformat()} (manage.py bill)",
            actor=actor.label,
            params={"as_of": as_of.isoformat(), "tick": tick.pk},
            echo=self.stderr,
        ) as progress:

            def bill(ids: list[int], at: datetime, lease: str) -> None:
                result = subscriptions_bill_chunk(subscription_ids=ids, as_of=at, actor=actor)
                counts["billing_steps"] += result.steps
                counts["finalized"] += result.finalized
                counts["failed"].update({str(k): v for k, v in result.failed.items()})
                for sid, reason in sorted(result.failed.items()):
                    progress.advance(1, failed=1, error=f"subscription #{sid}: {reason}")
                progress.advance(len(ids) - len(result.failed))

            def finalize(ids: list[int], at: datetime, lease: str) -> None:
                counts["finalized"] += invoices_finalize_ready(
                    invoice_ids=ids, as_of=at, actor=actor
                )

            # in this process the work is done before the command returns: nothing to lease
            summary = {
                **clock_tick_work(
                    as_of=as_of,
                    enqueue=bill,
                    enqueue_finalize=finalize,
                    leases=False,
                    on_due=lambda ids: progress.set_total(len(ids)),
                ),
                **counts,
                "job": progress.job_id,
            }
            progress.finish(result=summary)
        clock_tick_finish(tick_id=tick.pk, finished_at=timezone.now(), summary=summary)
        self.stdout.write(json.dumps({"as_of": as_of.isoformat(), **summary}))
        if counts["failed"]:
            raise CommandError(
                f"{len(counts['failed'])} subscription(s) could not be billed (the others were): "
                + "; ".join(f"#{k}: {v}" for k, v in counts["failed"].items())
            )
