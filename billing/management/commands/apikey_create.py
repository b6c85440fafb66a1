import re
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from billing.services import api_key_create
from core.audit import Actor
from core.exceptions import ApplicationError

# the service's input fields, as this command's options (an error names the option at fault)
_OPTIONS = {
    "name": "--name",
    "scopes": "--scope",
    "expires_at": "--expires-at",
    "allowed_ips": "--allow-ip",
}


def _option(field: str | None) -> str:
    """ "scopes[1]" -> "--scope #2" (the second given); "expires_at" -> "--expires-at"."""
    if field is None:
        return ""
    match = re.fullmatch(r"(\w+)(?:\[(\d+)\])?", field)
    if match is None or match.group(1) not in _OPTIONS:
        return field
    name, index = _OPTIONS[match.group(1)], match.group(2)
    return name if index is None else f"{name} #{int(index) + 1}"


class Command(BaseCommand):
    help = (
        "Create an API key and print it once (only its hash is stored). By default a full-access "
        "key that never expires, usable from anywhere."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--name", required=True, help="What the key is for, e.g. 'usage-ingest'."
        )
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            metavar="SCOPE",
            help="A scope of the key (repeat for several), e.g. 'events:write' or 'read'; "
            "default: full.",
        )
        parser.add_argument(
            "--expires-at",
            metavar="ISO_8601",
            help="When the key stops working, with its time zone, e.g. 2031-01-31T00:00:00Z; "
            "default: never.",
        )
        parser.add_argument(
            "--allow-ip",
            action="append",
            dest="allowed_ips",
            metavar="ADDRESS_OR_CIDR",
            help="An address or CIDR network the key may be used from (repeat for several); "
            "default: anywhere.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        expires_at: datetime | None = None
        if options["expires_at"] is not None:
            try:
                expires_at = datetime.fromisoformat(options["expires_at"])
            except ValueError:
                raise CommandError(
                    f"--expires-at: {options['expires_at']!r} is not an ISO 8601 date and time "
                    "(e.g. 2031-01-31T00:00:00Z)."
                ) from None
        try:
            key, raw = api_key_create(
                name=options["name"],
                actor=Actor.system("manage.py"),
                as_of=timezone.now(),
                scopes=options["scopes"] or ["full"],
                expires_at=expires_at,
                allowed_ips=options["allowed_ips"] or [],
            )
        except ApplicationError as exc:
            where = _option(exc.field)
            raise CommandError(f"{where}: {exc.message}" if where else exc.message) from None
        self.stdout.write(
            f"API key {key.name!r} (id {key.pk}, scopes {', '.join(key.scopes)}, "
            f"expires {key.expires_at.isoformat() if key.expires_at else 'never'}, "
            f"from {', '.join(key.allowed_ips) or 'anywhere'}). "
            "Copy it now, it is not shown again:"
        )
        self.stdout.write(raw)
