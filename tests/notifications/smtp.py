"""A real SMTP server on loopback for the tests (aiosmtpd), and the e-mails it received.

Reusable from any test module:

    from tests.notifications.smtp import Mailbox, smtp_server  # noqa: F401 (a fixture)

    def test_something(smtp_server: Mailbox) -> None:
        ...  # Django's EMAIL_* settings point at the server for the test
        [mail] = smtp_server.messages  # email.message.EmailMessage objects, parsed

`smtp_server.stop()` takes the server down (connections are refused: the sends fail and stay
pending), `smtp_server.start()` brings it back on the same port."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.box.data_reply:  # a refusal the test asked for: nothing received
            return self.box.data_reply
        self.box.received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    """The server and what it received: `envelopes` (sender, recipients, raw bytes) and
    `messages` (parsed)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.envelopes: list[tuple[str, list[str], bytes]] = []
        self.data_reply = ""  # e.g. "552 5.3.4 Message too big": the server refuses DATA
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def received(self, sender: str, recipients: list[str], content: bytes) -> None:
        with self._lock:
            self.envelopes.append((sender, recipients, content))

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            raws = [raw for _, _, raw in self.envelopes]
        return [BytesParser(policy=policy.default).parsebytes(raw) for raw in raws]  # type: ignore[misc]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def clear(self) -> None:
        with self._lock:
            self.envelopes.clear()

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1, with Django's e-mail settings pointing at it."""
    box = Mailbox()
    box.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = box.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield box
    finally:
        box.stop()
