"""`manage.py portal_link <customer external id>`: a fresh portal session link (valid 5
minutes, single-use), for support and for trying the portal under `make run`."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from billing.models import Customer
from core.audit import Actor
from core.exceptions import ApplicationError
from portal.services import LINK_TTL, portal_session_create
from portal.services.access import link_path


class Command(BaseCommand):
    help = "Print a single-use link into a customer's billing portal (valid 5 minutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("customer", help="the customer's external id")
        parser.add_argument("--return-url", default="", help="where the portal's Back link goes")
        parser.add_argument("--locale", default="", help="the portal's language (en, de)")
        parser.add_argument(
            "--base-url",
            default="",
            help="the server's address (default: PORTAL_BASE_URL, else http://127.0.0.1:$PORT)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        customer = Customer.objects.filter(external_id=options["customer"]).first()
        if customer is None:
            raise CommandError(f"No customer with the external id {options['customer']!r}.")
        base = (
            options["base_url"]
            or settings.PORTAL_BASE_URL
            or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
        )
        try:
            _, token = portal_session_create(
                customer_id=customer.pk,
                return_url=options["return_url"],
                locale=options["locale"],
                as_of=timezone.now(),
                actor=Actor.system("manage.py portal_link"),
            )
        except ApplicationError as error:
            raise CommandError(f"{error.field or 'error'}: {error.message}") from None
        self.stdout.write(base.rstrip("/") + link_path(token))
        minutes = int(LINK_TTL.total_seconds() // 60)
        self.stderr.write(f"single-use, valid {minutes} minutes, for {customer.name}")
