"""The dunning e-mails from payments' real dunning (the default policy): one e-mail per state
entered upwards, none on a move down, none when an evaluation finds nothing new."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from payments.services import AllocationRequest, payment_record
from payments.services.dunning import dunning_evaluate
from tests.billing.subs import customer
from tests.conftest import TEST_ACTOR as ACTOR
from tests.notifications.helpers import deliver, of, subject_of, text_of
from tests.notifications.smtp import Mailbox
from tests.payments.helpers import open_invoice

pytestmark = pytest.mark.django_db


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC)


def test_default_policy_sends_each_state_once(smtp_server: Mailbox) -> None:
    who = customer(payment_terms_days=10, auto_collection=False, name="Acme Inc")
    issued = datetime(2026, 1, 1, 9, tzinfo=UTC)
    invoice = open_invoice(who, "100.00", issued)  # due Jan 11, 09:00 (10 days' terms)
    deliver(issued)  # the invoice's own e-mail
    smtp_server.clear()
    for when in (at(1, 12), at(1, 13)):  # 1 day past due: the reminder; the next day: nothing
        dunning_evaluate(customer_id=who.pk, as_of=when, actor=ACTOR)
        deliver(when)
    [reminder] = smtp_server.messages
    assert subject_of(reminder) == "Reminder: $100.00 is overdue"
    assert f"$100.00 is 1 day past due. Invoices: {invoice.number}" in text_of(reminder)
    dunning_evaluate(customer_id=who.pk, as_of=at(1, 18), actor=ACTOR)  # 7 days: the warning
    deliver(at(1, 18))
    assert subject_of(smtp_server.messages[-1]) == "Final notice: $100.00 is overdue"
    # a partial payment moves the customer down (to the reminder): no e-mail
    payment_record(
        customer_id=who.pk, amount=Decimal("60.00"), currency="USD", received_at=at(1, 19),
        reference="wire", actor=ACTOR, as_of=at(1, 19),
        allocations=[AllocationRequest(invoice_id=invoice.pk, amount=Decimal("60.00"))],
    )  # fmt: skip
    dunning_evaluate(customer_id=who.pk, as_of=at(1, 19), actor=ACTOR)
    deliver(at(1, 19))
    subjects = [subject_of(m) for m in smtp_server.messages]
    assert subjects == [
        "Reminder: $100.00 is overdue",
        "Final notice: $100.00 is overdue",
        "Receipt for your payment of $60.00",
    ]
    assert [n.template for n in of(who) if n.template.startswith("dunning")] == [
        "dunning_reminder", "dunning_warning",
    ]  # fmt: skip


def test_a_dunning_email_not_sent_before_the_customer_paid_is_skipped(
    smtp_server: Mailbox,
) -> None:
    """The reminder is recorded, then the customer pays before its send task ran (a queue
    behind PDFs): it is never sent, and says why; the receipt goes."""
    from billing.services import journal_dispatch
    from notifications.services.send import notifications_send_due

    who = customer(payment_terms_days=10, auto_collection=False)
    invoice = open_invoice(who, "100.00", datetime(2026, 1, 1, 9, tzinfo=UTC))
    deliver(datetime(2026, 1, 1, 9, tzinfo=UTC))
    smtp_server.clear()
    dunning_evaluate(customer_id=who.pk, as_of=at(1, 12), actor=ACTOR)
    journal_dispatch(as_of=at(1, 12))  # the reminder is recorded, not sent yet
    payment_record(
        customer_id=who.pk, amount=Decimal("100.00"), currency="USD", received_at=at(1, 12),
        reference="wire", actor=ACTOR, as_of=at(1, 12),
        allocations=[AllocationRequest(invoice_id=invoice.pk)],
    )  # fmt: skip
    journal_dispatch(as_of=at(1, 12))  # dunning clears
    notifications_send_due(as_of=at(1, 12))
    assert [subject_of(m) for m in smtp_server.messages] == ["Receipt for your payment of $100.00"]
    [reminder] = [n for n in of(who) if n.template == "dunning_reminder"]
    assert (reminder.state, reminder.sent_at) == ("skipped", None)
    assert "left" in reminder.last_error
