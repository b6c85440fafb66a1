from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from billing.services import api_key_create
from core.audit import Actor


class Command(BaseCommand):
    help = "Create an API key and print it once (only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--name", required=True, help="What the key is for, e.g. 'usage-ingest'."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key, raw = api_key_create(
            name=options["name"], actor=Actor.system("manage.py"), as_of=timezone.now()
        )
        self.stdout.write(
            f"API key {key.name!r} (id {key.pk}). Copy it now, it is not shown again:"
        )
        self.stdout.write(raw)
