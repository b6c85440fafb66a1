"""Review of issue 13 (e-mail notifications): the defects the reviewer proved, each fixed.

1. a claim shorter than a task can run (a slow send sent twice) and a stale worker overwriting
   the new owner's record; 2. an error no retry cures left `sending` forever; 3. one bad
   notification stopping `notifications_send_due`; 4. production silently on the console
   backend; 5. two receipts for one payment; 6. a locked customer making the send `busy`;
   7. dates in the customer's locale inside English text; 8. `<html lang>` of another language.
"""

from __future__ import annotations

import os
import smtplib
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.mail.backends.smtp import EmailBackend
from django.db import connection, transaction

from billing.models import Customer, JournalEvent
from billing.services import customer_update
from notifications.models import Notification
from notifications.services import notification_resend, notification_send, notifications_send_due
from notifications.services.send import _claim, _finish
from notifications.tasks import notification_send_task
from payments.gateways.sandbox import SandboxGateway
from payments.models import GatewayCall, Payment
from payments.services.collection import Answer, payment_answers_record
from tests.billing.subs import customer
from tests.conftest import TEST_ACTOR as ACTOR
from tests.notifications.helpers import JAN, deliver, dispatch, html_of, journal, of, text_of
from tests.notifications.smtp import Mailbox
from tests.payments.helpers import open_invoice
from tests.payments.test_collection import LATE_SUCCESS, LATER, failed_by_the_reconciler
from tests.test_settings import PRODUCTION, manage

# a domain EmailValidator accepts (customer_update runs full_clean) but IDNA cannot encode:
# mojibake from a Latin-1 import of "müller.de"
BAD_ADDRESS = "rechnung@m\ufffdller.de"


def one_pending_invoice_email(**extra: Any) -> Notification:
    who = customer(**extra)
    open_invoice(who, "10.00", JAN)
    dispatch()
    [n] = of(who)
    assert n.state == "pending"
    return n


# ------------------------------------------------------------- 1. the claim and its owner


def test_the_claim_outlives_the_longest_task(settings: Any) -> None:
    from django.conf import settings as loaded

    assert loaded.NOTIFICATIONS_CLAIM_SECONDS >= loaded.CELERY_TASK_TIME_LIMIT + 300


@pytest.mark.django_db
def test_a_slow_send_is_not_taken_over_while_its_task_may_still_run(
    smtp_server: Mailbox, settings: Any, monkeypatch: Any
) -> None:
    """Worker 1's SMTP conversation is slow (EMAIL_TIMEOUT bounds each socket operation, not
    the conversation; the PDF is rendered inside the claim too). A second worker at the very
    end of the longest a task may run (CELERY_TASK_TIME_LIMIT, then Celery kills it) finds
    it still claimed: one e-mail."""
    n = one_pending_invoice_email()
    real = EmailBackend.send_messages
    second: list[str] = []

    def slow_send(self: Any, messages: Any) -> int:
        if not second:  # worker 1 is still talking to the server... worker 2 comes
            later = JAN + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
            second.append(notification_send(notification_id=n.pk, as_of=later).state)
        return int(real(self, messages))

    monkeypatch.setattr(EmailBackend, "send_messages", slow_send)
    assert notification_send(notification_id=n.pk, as_of=JAN).state == "sent"
    assert second == ["busy"]
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_a_worker_whose_claim_ran_out_does_not_overwrite_the_new_owner(
    smtp_server: Mailbox, settings: Any
) -> None:
    """W1 claims; its claim runs out; W2 claims (attempt 2); W1's SMTP attempt fails: its
    outcome is not recorded (the claim is no longer its own); W2's success is."""
    n = one_pending_invoice_email()
    w1 = _claim(n.pk, JAN)
    assert isinstance(w1, Notification)
    assert w1.attempts == 1
    later = JAN + timedelta(seconds=settings.NOTIFICATIONS_CLAIM_SECONDS + 1)
    w2 = _claim(n.pk, later)
    assert isinstance(w2, Notification)
    assert w2.attempts == 2  # taken over
    lost = _finish(n.pk, later, attempt=w1.attempts, fields={},
                   error=smtplib.SMTPServerDisconnected("W1 lost the connection"))  # fmt: skip
    assert lost.state == "busy"
    n.refresh_from_db()
    assert (n.state, n.attempts, n.last_error) == ("sending", 2, "")
    done = _finish(n.pk, later, attempt=w2.attempts, error=None, fields={"message_id": "<m@x>"})
    assert done.state == "sent"
    n.refresh_from_db()
    assert (n.state, n.message_id, n.sent_at) == ("sent", "<m@x>", later)
    # W1 finishing later still changes nothing
    assert _finish(n.pk, later, attempt=1, error=None, fields={"message_id": "<w1@x>"}).state == (
        "sent"
    )
    n.refresh_from_db()
    assert n.message_id == "<m@x>"
    assert JournalEvent.objects.filter(type="notification.sent").count() == 1


# ----------------------------------------------- 2. errors no retry cures: failed at once


@pytest.mark.django_db
def test_an_unencodable_address_is_failed_at_once(smtp_server: Mailbox) -> None:
    who = customer()
    customer_update(customer_id=who.pk, changes={"email": BAD_ADDRESS}, actor=ACTOR, as_of=JAN)
    open_invoice(who, "10.00", JAN)
    dispatch()
    [n] = of(who)
    assert notification_send(notification_id=n.pk, as_of=JAN).state == "failed"
    n.refresh_from_db()
    assert (n.state, n.attempts, n.claimed_until) == ("failed", 1, None)
    assert n.last_error.startswith("UnicodeEncodeError") or "Unicode" in n.last_error
    [event] = JournalEvent.objects.filter(type="notification.failed")
    assert event.payload["notification"] == n.pk
    at = JAN + timedelta(hours=1)
    assert notification_send(notification_id=n.pk, as_of=at).state == "failed"  # left alone
    n.refresh_from_db()
    assert n.attempts == 1
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_a_permanent_refusal_of_the_message_fails_at_once(smtp_server: Mailbox) -> None:
    smtp_server.data_reply = "552 5.3.4 Message size exceeds fixed limit"
    n = one_pending_invoice_email()
    assert notification_send(notification_id=n.pk, as_of=JAN).state == "failed"
    n.refresh_from_db()
    assert (n.state, n.attempts) == ("failed", 1)
    assert n.last_error.startswith("SMTPDataError: (552,")


@pytest.mark.django_db
def test_a_temporary_refusal_of_the_message_is_retried(smtp_server: Mailbox) -> None:
    smtp_server.data_reply = "451 4.3.0 Try again later"
    n = one_pending_invoice_email()
    result = notification_send(notification_id=n.pk, as_of=JAN)
    assert (result.state, result.retry_in) == ("pending", 60)
    smtp_server.data_reply = ""
    assert notification_send(notification_id=n.pk, as_of=JAN + timedelta(minutes=1)).state == (
        "sent"
    )
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_a_row_at_its_maximum_attempts_is_failed_not_claimed(
    smtp_server: Mailbox, settings: Any
) -> None:
    """A worker that died on every attempt (the row left `sending`, the claim run out)."""
    n = one_pending_invoice_email()
    Notification.objects.filter(pk=n.pk).update(
        state="sending", attempts=settings.NOTIFICATIONS_MAX_ATTEMPTS, claimed_until=JAN
    )
    assert notification_send(notification_id=n.pk, as_of=JAN).state == "failed"
    n.refresh_from_db()
    assert (n.state, n.attempts, n.claimed_until) == ("failed", 8, None)
    assert "8 attempts" in n.last_error
    assert JournalEvent.objects.filter(type="notification.failed").count() == 1
    assert smtp_server.messages == []


# ------------------------------------------------ 3. one bad notification, the rest sent


@pytest.mark.django_db
def test_one_bad_notification_does_not_stop_the_others(
    smtp_server: Mailbox, monkeypatch: Any
) -> None:
    who = customer()
    customer_update(customer_id=who.pk, changes={"email": BAD_ADDRESS}, actor=ACTOR, as_of=JAN)
    open_invoice(who, "10.00", JAN)
    broken = customer(email="ap@broken.test")
    open_invoice(broken, "10.00", JAN)
    good = customer(email="ap@good.test")
    open_invoice(good, "10.00", JAN)
    dispatch()
    [bad] = of(broken)
    real = _finish

    def finish_fails_for_one(notification_id: int, *args: Any, **kwargs: Any) -> Any:
        if notification_id == bad.pk:  # e.g. the database gone for a moment
            raise RuntimeError("database went away")
        return real(notification_id, *args, **kwargs)

    monkeypatch.setattr("notifications.services.send._finish", finish_fails_for_one)
    counts = notifications_send_due(as_of=JAN)
    assert counts == {"sent": 1, "pending": 0, "failed": 2, "skipped": 0, "busy": 0,
                      "not_due": 0}  # fmt: skip
    assert [m["To"] for m in smtp_server.messages if "good" in str(m["To"])] == ["ap@good.test"]


# ------------------------------------------------------- 4. production without EMAIL_URL


def test_production_without_email_url_is_not_silently_the_console() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_URL"}
    saved = os.environ.pop("EMAIL_URL", None)
    try:
        shown = manage("shell", "-c", "from django.conf import settings; "
                       "print(settings.EMAIL_BACKEND)", env=env)  # fmt: skip
        check = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    finally:
        if saved is not None:
            os.environ["EMAIL_URL"] = saved
    backend = shown.stdout.strip().splitlines()[-1]
    assert backend == "django.core.mail.backends.smtp.EmailBackend", shown.stderr
    assert check.returncode != 0
    assert "notifications.E001" in check.stderr
    assert "EMAIL_URL is not set" in check.stderr


def test_the_console_is_the_default_only_with_debug() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_URL"} | {"DEBUG": "true"}
    shown = manage("shell", "-c", "from django.conf import settings; "
                   "print(settings.EMAIL_BACKEND)", env=env)  # fmt: skip
    assert shown.stdout.strip().splitlines()[-1] == (
        "django.core.mail.backends.console.EmailBackend"
    )


def test_smtps_without_a_port_uses_465() -> None:
    shown = manage("shell", "-c", "from django.conf import settings as s; "
                   "print(s.EMAIL_PORT, s.EMAIL_USE_SSL, s.EMAIL_HOST)",
                   env={**PRODUCTION, "EMAIL_URL": "smtp+ssl://u:p@mail.example.com"})  # fmt: skip
    assert shown.stdout.strip().splitlines()[-1] == "465 True mail.example.com", shown.stderr


# --------------------------------------------------------- 5. one receipt per payment


@pytest.fixture
def sandbox(settings: Any) -> Iterator[SandboxGateway]:
    namespace = f"test-review-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    settings.PAYMENTS_RECONCILE_AFTER_SECONDS = 60
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()


@pytest.mark.django_db
def test_a_late_success_sends_one_receipt(smtp_server: Mailbox, sandbox: Any) -> None:
    payment, invoice = failed_by_the_reconciler()
    at = LATER + timedelta(hours=2)
    payment_answers_record(
        answers=[Answer(payment.pk, GatewayCall.Action.WEBHOOK, LATE_SUCCESS)],
        as_of=at, actor=ACTOR,
    )  # fmt: skip
    deliver(at)
    [receipt] = Notification.objects.filter(template="payment_receipt", customer=invoice.customer)
    assert receipt.key == f"payment_receipt:payment:{payment.pk}"
    assert sum("Receipt" in str(m["Subject"]) for m in smtp_server.messages) == 1


# ---------------------------------------------------------- 6. the claim locks its row only


@pytest.mark.django_db(transaction=True)
def test_a_locked_customer_does_not_make_the_send_busy(
    smtp_server: Mailbox, monkeypatch: Any
) -> None:
    monkeypatch.setattr("notifications.services.record._enqueue", lambda ids: None)
    who = customer()
    open_invoice(who, "10.00", JAN)
    dispatch()
    [n] = of(who)
    with _locked(lambda: Customer.objects.select_for_update().get(pk=who.pk)):
        result = notification_send_task.apply(args=[n.pk]).get()
    assert result == "sent"
    n.refresh_from_db()
    assert (n.state, n.attempts) == ("sent", 1)


@pytest.mark.django_db(transaction=True)
def test_a_locked_notification_is_busy_and_retried_shortly(
    smtp_server: Mailbox, monkeypatch: Any
) -> None:
    monkeypatch.setattr("notifications.services.record._enqueue", lambda ids: None)
    who = customer()
    open_invoice(who, "10.00", JAN)
    dispatch()
    [n] = of(who)
    with _locked(lambda: Notification.objects.select_for_update().get(pk=n.pk)):
        result = notification_send(notification_id=n.pk, as_of=JAN)
    assert (result.state, result.retry_in) == ("busy", 5)
    assert notification_send(notification_id=n.pk, as_of=JAN).state == "sent"  # the retry


class _locked:
    """Another transaction (a thread) holding a row lock while the block runs."""

    def __init__(self, lock: Any) -> None:
        self.lock = lock
        self.locked, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self) -> None:
        try:
            with transaction.atomic():
                self.lock()
                self.locked.set()
                self.release.wait(20)
        finally:
            connection.close()

    def __enter__(self) -> None:
        self.thread.start()
        assert self.locked.wait(20)

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join()


# ------------------------------------------------------ 7, 8. the language of the text


@pytest.mark.django_db
def test_an_english_email_for_a_french_customer_has_english_dates(smtp_server: Mailbox) -> None:
    who = customer(locale="fr-FR", currency="EUR", zone="Europe/Paris")
    open_invoice(who, "100.00", JAN)
    deliver()
    [mail] = smtp_server.messages
    assert mail["Content-Language"] == "en"  # no French catalog: English text
    text = text_of(mail)
    assert "due on February 4, 2026." in text  # the date in English
    assert "100,00\xa0€" in text  # the amount as the customer writes it
    assert '<html lang="en">' in html_of(mail)


@pytest.mark.django_db
def test_a_british_customer_reads_british_dates(smtp_server: Mailbox) -> None:
    who = customer(locale="en-GB", currency="GBP", zone="Europe/London")
    open_invoice(who, "100.00", JAN)
    deliver()
    [mail] = smtp_server.messages
    assert "due on 4 February 2026." in text_of(mail)
    assert '<html lang="en-GB">' in html_of(mail)


@pytest.mark.django_db
def test_html_lang_matches_the_language_it_is_written_in(smtp_server: Mailbox) -> None:
    who = customer(locale="ja-JP", currency="JPY", zone="Asia/Tokyo")
    open_invoice(who, "1000", JAN)
    deliver()
    [mail] = smtp_server.messages
    html = html_of(mail)
    assert "Your invoice" in html
    assert mail["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert "年" not in text_of(mail)


# ------------------------------------------- a resend of payment_failed: no past retry date


@pytest.mark.django_db
def test_a_resend_of_payment_failed_does_not_promise_a_past_retry_date(
    smtp_server: Mailbox,
) -> None:
    who = customer()
    payment = Payment.objects.create(
        customer=who, kind="automatic", state="failed", currency="USD", amount=Decimal("12.00"),
        gateway="sandbox", idempotency_key=f"t-{uuid.uuid4()}", created_by="tests",
        created_at=JAN, updated_at=JAN,
    )  # fmt: skip
    retry = JAN + timedelta(days=3)
    journal("payment.failed", "payment", payment.pk,
            {"retry_at": retry.isoformat(), "failure_message": "Card declined."})  # fmt: skip
    deliver()
    assert "We will try again on January 8, 2026." in text_of(smtp_server.messages[0])
    [original] = of(who)
    later = JAN + timedelta(days=10)
    copy = notification_resend(notification_id=original.pk, actor=ACTOR, as_of=later)
    assert notification_send(notification_id=copy.pk, as_of=later).state == "sent"
    text = text_of(smtp_server.messages[1])
    assert "January 8, 2026" not in text
    assert "We will not try again automatically" in text
