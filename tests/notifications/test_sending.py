"""E-mail notifications (issue 13, item 4) against a real SMTP server on loopback: each e-mail
once per event, its attachments, its language, what happens when the server is down."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.journal import handler_registered
from billing.models import Customer, JournalEvent
from billing.services import customer_update
from invoicing.models import Invoice
from invoicing.services import credit_note_issue
from notifications.models import Notification
from notifications.services import EVENT_TYPES, HANDLER, notification_send, on_events
from notifications.tasks import notification_send_task
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment
from payments.services import payment_method_add, payment_record
from payments.services.collection import payments_charge
from tests.billing.subs import customer
from tests.conftest import TEST_ACTOR as ACTOR
from tests.notifications.helpers import (
    JAN,
    attachments,
    deliver,
    dispatch,
    html_of,
    journal,
    of,
    send,
    subject_of,
    text_of,
)
from tests.notifications.smtp import Mailbox
from tests.payments.helpers import open_invoice

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def sandbox(settings: Any) -> Iterator[SandboxGateway]:
    namespace = f"test-notify-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()


def card(who: Customer, token: str) -> None:
    data = {"gateway": "sandbox", "token": f"{token}+{uuid.uuid4().hex[:8]}", "kind": "card",
            "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}  # fmt: skip
    payment_method_add(customer_id=who.pk, actor=ACTOR, as_of=JAN, data=data)


def charge_pending(at: Any) -> None:
    ids = list(Payment.objects.filter(state="pending").values_list("pk", flat=True))
    payments_charge(payment_ids=ids, as_of=at, actor=ACTOR)


# ------------------------------------------------------------------------ invoice finalized


def test_invoice_finalized_is_sent_once_with_its_pdf(smtp_server: Mailbox) -> None:
    acme = customer(name="Acme Inc", email="ap@acme.test")
    invoice = open_invoice(acme, "120.50", JAN)
    dispatch()
    dispatch()  # the journal dispatched again: nothing more recorded
    [n] = of(acme, "invoice_finalized")
    assert (n.state, n.recipient, n.attempts) == ("pending", "ap@acme.test", 0)
    assert n.event == JournalEvent.objects.get(type="invoice.finalized")
    assert send() == {"sent": 1, "pending": 0, "failed": 0, "skipped": 0, "busy": 0,
                      "not_due": 0}  # fmt: skip
    assert send()["sent"] == 0  # sent already: never twice
    n.refresh_from_db()
    assert (n.state, n.sent_at, n.attempts, n.locale) == ("sent", JAN, 1, "en")
    [mail] = smtp_server.messages
    assert mail["To"] == "ap@acme.test"
    assert str(mail["Message-ID"]).strip() == n.message_id
    assert mail["Subject"] == f"Invoice {invoice.number} from Example Billing Ltd" == n.subject
    assert f"Your invoice {invoice.number} of $120.50 is attached." in text_of(mail)
    assert "Amount due: $120.50, due on February 4, 2026." in text_of(mail)  # 30 days' terms
    assert "Hello Acme Inc," in html_of(mail)
    [(name, content_type, data)] = attachments(mail)
    assert (name, content_type) == (f"{invoice.number}.pdf", "application/pdf")
    assert data.startswith(b"%PDF-")
    assert data == Invoice.objects.get(pk=invoice.pk).pdf.read()  # the stored document


def test_the_task_running_twice_sends_once(smtp_server: Mailbox) -> None:
    acme = customer()
    open_invoice(acme, "10.00", JAN)
    dispatch()
    [n] = of(acme)
    assert notification_send_task.apply(args=[n.pk]).get() == "sent"
    assert notification_send_task.apply(args=[n.pk]).get() == "sent"  # found sent: no send
    assert len(smtp_server.messages) == 1
    assert Notification.objects.get(pk=n.pk).attempts == 1


def test_a_claimed_notification_is_not_sent_by_another_worker(smtp_server: Mailbox) -> None:
    acme = customer()
    open_invoice(acme, "10.00", JAN)
    dispatch()
    [n] = of(acme)
    Notification.objects.filter(pk=n.pk).update(state="sending", claimed_until=JAN + timedelta(
        minutes=2))  # fmt: skip
    assert notification_send(notification_id=n.pk, as_of=JAN).state == "busy"
    assert smtp_server.messages == []
    # the claim ran out (its worker died): the sweep's send takes it over
    assert send(JAN + timedelta(minutes=3))["sent"] == 1
    assert len(smtp_server.messages) == 1


def test_german_customer_reads_german(smtp_server: Mailbox) -> None:
    muster = customer(name="Muster GmbH", email="rechnung@muster.test", locale="de-DE",
                      currency="EUR", zone="Europe/Berlin")  # fmt: skip
    invoice = open_invoice(muster, "1234.50", JAN)
    deliver()
    [mail] = smtp_server.messages
    assert subject_of(mail) == f"Rechnung {invoice.number} von Example Billing Ltd"
    text = text_of(mail)
    assert text.startswith("Guten Tag Muster GmbH,")
    assert f"anbei Ihre Rechnung {invoice.number} über 1.234,50\xa0€." in text
    assert "Offener Betrag: 1.234,50\xa0€, fällig am 4. Februar 2026." in text
    assert "Mit freundlichen Grüßen," in text
    assert mail["Content-Language"] == "de"
    assert of(muster)[0].locale == "de"


def test_a_customer_without_an_email_address_is_skipped(smtp_server: Mailbox) -> None:
    silent = customer(email="")
    open_invoice(silent, "10.00", JAN)
    deliver()
    [n] = of(silent)
    assert (n.state, n.last_error, n.recipient) == (
        "skipped", "The customer has no e-mail address.", "",
    )  # fmt: skip
    assert smtp_server.messages == []


# ------------------------------------------------------------------------ the server is down


def test_server_down_then_back_sends_on_the_retry(smtp_server: Mailbox) -> None:
    acme = customer()
    open_invoice(acme, "10.00", JAN)
    dispatch()
    smtp_server.stop()
    assert send()["pending"] == 1
    [n] = of(acme)
    assert (n.state, n.attempts, n.sent_at) == ("pending", 1, None)
    assert "Connection refused" in n.last_error or "Errno" in n.last_error, n.last_error
    assert n.next_attempt_at == JAN + timedelta(seconds=60)  # 1 minute, then 2, 4 ...
    assert send(JAN + timedelta(seconds=30))["pending"] == 0  # not due yet: not tried
    smtp_server.start()
    assert send(JAN + timedelta(seconds=60))["sent"] == 1
    n.refresh_from_db()
    assert (n.state, n.attempts, n.last_error) == ("sent", 2, "")
    assert len(smtp_server.messages) == 1


def test_attempts_give_up_after_the_maximum(smtp_server: Mailbox, settings: Any) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    acme = customer()
    open_invoice(acme, "10.00", JAN)
    dispatch()
    smtp_server.stop()
    at = JAN
    for _ in range(3):
        send(at)
        at += timedelta(hours=1)
    [n] = of(acme)
    assert (n.state, n.attempts) == ("failed", 3)
    [event] = JournalEvent.objects.filter(type="notification.failed")
    assert event.payload["notification"] == n.pk


def test_the_task_retries_while_the_server_is_down(smtp_server: Mailbox) -> None:
    """Celery runs the retry at once when eager: the next attempt is not due yet, so it
    leaves the notification pending with its error."""
    acme = customer()
    open_invoice(acme, "10.00", JAN)
    dispatch()
    smtp_server.stop()
    [n] = of(acme)
    assert notification_send_task.apply(args=[n.pk]).get() == "not_due"
    n.refresh_from_db()
    assert (n.state, n.attempts) == ("pending", 1)
    assert n.last_error


# ------------------------------------------------------------------------ payments


def test_receipt_of_a_payment_recorded_by_staff(smtp_server: Mailbox) -> None:
    acme = customer(name="Acme Inc")
    invoice = open_invoice(acme, "80.00", JAN)
    payment_record(
        customer_id=acme.pk, amount=D("80.00"), currency="USD", received_at=JAN,
        reference="WIRE-778", memo="", allocations=None, apply_oldest_first=True,
        actor=ACTOR, as_of=JAN,
    )  # fmt: skip
    deliver()
    [receipt] = [m for m in smtp_server.messages if "Receipt" in str(m["Subject"])]
    assert receipt["Subject"] == "Receipt for your payment of $80.00"
    assert "We received your payment of $80.00 on January 5, 2026." in text_of(receipt)
    assert len(of(acme, "payment_receipt")) == 1
    assert invoice.number  # the invoice e-mail went too
    assert len(of(acme, "invoice_finalized")) == 1


def test_payment_failed_names_the_next_retry_date(smtp_server: Mailbox) -> None:
    acme = customer()
    card(acme, "tok_declined")
    invoice = open_invoice(acme, "40.00", JAN)
    dispatch()
    charge_pending(JAN)
    deliver()
    [failed] = [m for m in smtp_server.messages if "failed" in str(m["Subject"])]
    assert failed["Subject"] == "Your payment of $40.00 failed"
    text = text_of(failed)
    assert f"We could not collect $40.00 for invoice {invoice.number}." in text
    # the default schedule: 3 days after the first failure (Jan 5 -> Jan 8)
    assert "We will try again on January 8, 2026." in text
    [n] = of(acme, "payment_failed")
    assert n.data["retry_at"] == Payment.objects.get(invoice=invoice).retry_at.isoformat()


def test_payment_failed_without_retries_left_says_so(smtp_server: Mailbox) -> None:
    acme = customer()
    event = journal("payment.failed", "payment", _payment(acme).pk,
                    {"retry_at": None, "failure_message": "Card declined."})  # fmt: skip
    deliver()
    [mail] = smtp_server.messages
    assert "We will not try again automatically" in text_of(mail)
    assert "Reason: Card declined." in text_of(mail)
    assert of(acme)[0].event == event


def _payment(who: Customer) -> Payment:
    return Payment.objects.create(
        customer=who, kind="automatic", state="failed", currency="USD", amount=D("12.00"),
        gateway="sandbox", idempotency_key=f"t-{uuid.uuid4()}", created_by="tests",
        created_at=JAN, updated_at=JAN,
    )  # fmt: skip


def test_attempt_not_needed_sends_nothing(smtp_server: Mailbox) -> None:
    acme = customer()
    journal("payment.failed", "payment", _payment(acme).pk,
            {"reason": "not_needed", "failure_code": "not_needed"})  # fmt: skip
    deliver()
    assert of(acme) == []


# ------------------------------------------------------------------------ credit notes


def test_credit_note_issued_with_its_pdf(smtp_server: Mailbox) -> None:
    acme = customer()
    invoice = open_invoice(acme, "100.00", JAN)
    deliver()
    smtp_server.clear()
    note = credit_note_issue(invoice_id=invoice.pk, as_of=JAN, actor=ACTOR,
                             reason="Service outage")  # fmt: skip
    deliver()
    [mail] = smtp_server.messages
    assert mail["Subject"] == f"Credit note {note.number} for invoice {invoice.number}"
    assert "Reason: Service outage" in text_of(mail)
    [(name, content_type, data)] = attachments(mail)
    assert (name, content_type) == (f"{note.number}.pdf", "application/pdf")
    assert data.startswith(b"%PDF-")


# ------------------------------------------------------------------------ dunning


def dunning_event(who: Customer, template: str, invoice: Invoice | None = None) -> JournalEvent:
    return journal("dunning.state_entered", "customer", who.pk, {
        "template": template, "state": "reminded", "policy": "default", "days_past_due": 5,
        "amount_overdue": "250.00", "currency": who.currency, "failed_attempts": 1,
        "invoices": [invoice.pk] if invoice else [], "reason": "overdue", "transition": "x",
    })  # fmt: skip


@pytest.mark.parametrize(
    ("template", "subject", "line"),
    [
        ("dunning_reminder", "Reminder: $250.00 is overdue", "at your earliest convenience"),
        ("dunning_warning", "Final notice: $250.00 is overdue", "will be suspended"),
        ("dunning_suspension", "Your access is suspended: $250.00 is overdue", "restores"),
        ("dunning_cancellation", "Your subscription is canceled: $250.00 is unpaid", "owed"),
    ],
)
def test_dunning_emails(smtp_server: Mailbox, template: str, subject: str, line: str) -> None:
    acme = customer()
    invoice = open_invoice(acme, "250.00", JAN - timedelta(days=35))
    smtp_server.clear()
    dunning_event(acme, template, invoice)
    dispatch()
    dispatch()
    send()
    [mail] = [m for m in smtp_server.messages if "overdue" in str(m["Subject"]) or "unpaid" in
              str(m["Subject"])]  # fmt: skip
    assert mail["Subject"] == subject
    text = text_of(mail)
    assert f"$250.00 is 5 days past due. Invoices: {invoice.number}" in text
    assert line in text
    assert len(of(acme, template)) == 1


def test_dunning_state_without_template_sends_nothing(smtp_server: Mailbox) -> None:
    acme = customer()
    dunning_event(acme, "")
    deliver()
    assert of(acme) == []


def test_german_dunning_counts_days_in_german(smtp_server: Mailbox) -> None:
    muster = customer(locale="de", currency="EUR")
    dunning_event(muster, "dunning_warning")
    deliver()
    [mail] = smtp_server.messages
    assert subject_of(mail) == "Letzte Mahnung: 250,00\xa0€ sind überfällig"
    assert "250,00\xa0€ sind seit 5 Tagen überfällig." in text_of(mail)


# ------------------------------------------------------------------------ the batch handler


@pytest.mark.usefixtures("no_journal_handlers")
def test_the_handler_records_a_batch_in_a_fixed_number_of_queries(
    smtp_server: Mailbox, django_assert_max_num_queries: Any
) -> None:
    def batch(size: int) -> None:
        for _ in range(size):
            who = customer()
            open_invoice(who, "10.00", JAN)
            dunning_event(who, "dunning_reminder")

    with handler_registered(HANDLER, on_events, types=set(EVENT_TYPES), batch=True):
        batch(1)
        with CaptureQueriesContext(connection) as one:
            dispatch()
        batch(12)
        # the same statements for 12 customers' 24 events as for 1 customer's 2: the
        # dispatcher's (lock, pending events, earlier failures, delivery upsert) and the
        # handler's (invoices, customers' addresses, insert, pending ids)
        with django_assert_max_num_queries(len(one)):
            dispatch()
    assert Notification.objects.count() == 26
    assert len(one) <= 12


def test_changing_the_address_later_does_not_change_a_recorded_one(smtp_server: Mailbox) -> None:
    acme = customer(email="old@acme.test")
    open_invoice(acme, "10.00", JAN)
    dispatch()
    customer_update(customer_id=acme.pk, changes={"email": "new@acme.test"}, actor=ACTOR, as_of=JAN)
    send()
    assert [m["To"] for m in smtp_server.messages] == ["old@acme.test"]
