"""Building blocks of the notification tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from django.db import transaction

from billing.models import Customer, JournalEvent
from billing.services import journal_dispatch, journal_write
from notifications.models import Notification
from notifications.services import notifications_send_due
from tests.conftest import TEST_ACTOR

JAN = datetime(2026, 1, 5, 9, tzinfo=UTC)


def dispatch(at: datetime = JAN) -> None:
    journal_dispatch(as_of=at)


def send(at: datetime = JAN) -> dict[str, int]:
    """What the send tasks queued after the commit do, here and now."""
    return notifications_send_due(as_of=at)


def deliver(at: datetime = JAN) -> dict[str, int]:
    dispatch(at)
    return send(at)


def journal(type_: str, subject_type: str, subject_id: object, payload: dict[str, Any],
            at: datetime = JAN) -> JournalEvent:  # fmt: skip
    with transaction.atomic():
        return journal_write(
            type=type_, subject_type=subject_type, subject_id=subject_id, payload=payload,
            actor=TEST_ACTOR, occurred_at=at,
        )  # fmt: skip


def of(customer: Customer, template: str | None = None) -> list[Notification]:
    rows = Notification.objects.filter(customer=customer).order_by("id")
    if template:
        rows = rows.filter(template=template)
    return list(rows)


def subject_of(mail: EmailMessage) -> str:
    """The decoded subject (an encoded one is folded onto its own line: a leading space)."""
    return str(mail["Subject"]).strip()


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def html_of(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def attachments(mail: EmailMessage) -> list[tuple[str, str, bytes]]:
    return [
        (str(part.get_filename()), part.get_content_type(), part.get_payload(decode=True))
        for part in mail.iter_attachments()
    ]


def days(n: int) -> timedelta:
    return timedelta(days=n)
