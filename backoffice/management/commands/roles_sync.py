"""`manage.py roles_sync`: the roles' groups set to the role table (backoffice/roles.py).

`migrate` does it already (a post_migrate handler); run it after editing the table without a
migration, or with --check in CI to see whether a database's groups drift from the table."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from backoffice.roles_sync import roles_sync


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Create the roles' groups and set their permissions to the role table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="change nothing; exit 1 when a group differs from the table",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        check = bool(options["check"])
        try:
            with transaction.atomic():
                results = roles_sync(apps=apps)
                if check:
                    raise _DryRun
        except _DryRun:
            pass
        drift = False
        for result in results:
            changed = result.created or result.added or result.removed
            drift = drift or bool(changed)
            state = "created" if result.created else ("changed" if changed else "in line")
            verb = "differs" if check and changed else state
            self.stdout.write(f"{result.group}: {verb}, {result.held} permissions")
            for codename in result.added:
                self.stdout.write(f"  + {codename}")
            for codename in result.removed:
                self.stdout.write(f"  - {codename}")
        if check and drift:
            raise CommandError("the roles' groups differ from the role table: run roles_sync")
