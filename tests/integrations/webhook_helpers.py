"""Helpers of the webhook tests: endpoints on the loopback receiver, journal events, the
dispatcher with the webhook handler only, and sending with time moved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from billing import journal
from billing.models import JournalEvent
from billing.services.journal import journal_dispatch, journal_write
from core.audit import Actor
from integrations.models import WebhookEndpoint
from integrations.webhook_delivery import HANDLER, on_events, webhook_deliveries_send_due
from integrations.webhook_services import webhook_endpoint_create
from tests.integrations.receiver import Receiver

STAFF = Actor(kind="user", id="1", label="finance")
TYPE = "customer.updated"  # a type no other handler of the dispatcher acts on here


@pytest.fixture
def loopback(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 2.0


@pytest.fixture
def receiver(loopback: None) -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture
def only_webhooks() -> Iterator[None]:
    """The dispatcher with the webhook handler only (other apps' handlers do not act)."""
    saved = dict(journal._handlers)
    journal._handlers.clear()
    journal.register_handler(HANDLER, on_events, batch=True)
    try:
        yield
    finally:
        journal._handlers.clear()
        journal._handlers.update(saved)


def endpoint_for(receiver: Receiver, *, types: list[str] | None = None,
                 as_of: datetime | None = None) -> WebhookEndpoint:  # fmt: skip
    endpoint, secret = webhook_endpoint_create(
        url=receiver.url, description="tests", event_types=types or ["*"],
        as_of=as_of or timezone.now(), actor=STAFF,
    )  # fmt: skip
    receiver.secrets.append(secret)
    # its own webhook_endpoint.created event goes out first: sent and forgotten here
    dispatch(as_of)
    send_all(as_of)
    receiver.clear()
    return endpoint


def events(*specs: tuple[str, str], type: str = TYPE, at: datetime | None = None,
           payload: dict[str, Any] | None = None) -> list[JournalEvent]:  # fmt: skip
    """Journal events of (subject_type, subject_id), in this order, in one transaction."""
    written = []
    with transaction.atomic():
        for n, (subject_type, subject_id) in enumerate(specs):
            written.append(
                journal_write(
                    type=type,
                    subject_type=subject_type,
                    subject_id=subject_id,
                    payload=payload if payload is not None else {"n": n, "subject": subject_id},
                    actor=STAFF,
                    occurred_at=at or timezone.now(),
                )
            )
    return written


def dispatch(as_of: datetime | None = None) -> dict[str, int]:
    return journal_dispatch(as_of=as_of or timezone.now())


def send_all(at: datetime | None = None) -> list[dict[str, int]]:
    """Send batch after batch what is due at `at` (the wall clock moved there, so the
    receiver's five-minute check sees the same time), until nothing is claimed."""
    reports: list[dict[str, int]] = []
    with time_machine.travel(at or timezone.now(), tick=True):
        while True:
            report = webhook_deliveries_send_due(as_of=timezone.now())
            if not report["claimed"]:
                return reports
            reports.append(report)
