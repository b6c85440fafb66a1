from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from billing.models import ApiKey
from billing.services import api_key_revoke
from core.audit import Actor
from core.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Revoke an API key by its prefix (the 12 hex characters after 'bk_')."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")
        parser.add_argument("--reason", default="revoked with manage.py")

    def handle(self, *args: Any, **options: Any) -> None:
        key = ApiKey.objects.filter(prefix=options["prefix"]).first()
        if key is None:
            raise CommandError(f"No API key with prefix {options['prefix']!r}.")
        try:
            api_key_revoke(
                api_key_id=key.pk,
                actor=Actor.system("manage.py"),
                as_of=timezone.now(),
                reason=options["reason"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Revoked {key}.")
