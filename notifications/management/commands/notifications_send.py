"""`manage.py notifications_send [--as-of <time>]`: send here and now every e-mail due (pending
ones whose attempt has come, claims that ran out), e.g. after the SMTP server was down for
longer than the retries, or with workers stopped. Each is claimed first: never sent twice."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from notifications.services import notifications_send_due


class Command(BaseCommand):
    help = "Send the customer e-mails due at an instant (default: now)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="ISO 8601 instant with its offset (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = timezone.now()
        if options["as_of"]:
            parsed = parse_datetime(options["as_of"])
            if parsed is None or parsed.tzinfo is None:
                raise CommandError("--as-of: an ISO 8601 instant with its offset, e.g. "
                                   "2026-01-31T00:00:00+00:00")  # fmt: skip
            as_of = parsed
        self.stdout.write(json.dumps(notifications_send_due(as_of=as_of)))
