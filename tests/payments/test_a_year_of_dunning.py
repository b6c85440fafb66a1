"""A year of dunning through the billing clock (issue 13, item 6), time passed explicitly, with
the default policy (Reminder at 1 day past due, Warning at 7, Blocked at 14, Canceled at 30) and
e-mails read from a real SMTP server on loopback.

Dana (USD, UTC, invoices due at once) buys a yearly Archive plan on Jan 1 (1,200.00, paid by a
card that works), then replaces the card by one that is always declined, and takes the monthly
Team plan (100.00 in advance) from Jan 5. Each Team invoice fails, and its retries (3, 5 and 7
days after the first failure) fail too.

- January: Reminder on Jan 6, Warning on Jan 12 (plan changes refused), Blocked on Jan 19: Team's
  seats are refused (`blocked_by_dunning`), the Archive paid for the year keeps its feature. Dana
  pays January by bank transfer on Jan 21 at 10:00: the states are left at once (no clock tick).
- February and March: the February invoice fails: Reminder Feb 6, Warning Feb 12, Blocked Feb 19
  (two ticks at the same instant), Canceled on Mar 7 (30 days past Feb 5's due date), with the
  March invoice overdue too: both subscriptions are canceled at their period end (Team on Apr 5;
  the Archive on Jan 1 2027, never cut before the end of its paid year).
- December 15: Dana pays what is left: the states are left at once, and the cancellation dunning
  set is undone (Team had ended already): the Archive renews on Jan 1, after its renewal notice.

Each state is entered on its day, each e-mail arrives once, and the trial balance is zero.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from billing.models import Customer, JournalEvent, Subscription
from billing.selectors import entitlement_check
from billing.services import (
    journal_dispatch,
    subscription_change,
    subscription_change_cancel,
    subscription_create,
)
from catalog.models import Feature
from core.audit import CLOCK
from core.exceptions import ApplicationError
from invoicing.clock_hooks import run_tick_hooks
from invoicing.models import Invoice
from notifications.models import Notification
from notifications.services.send import notifications_send_due
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment
from payments.models.dunning import ActionStatus, CustomerDunning, DunningAction, DunningTransition
from payments.services import (
    AllocationRequest,
    payment_method_add,
    payment_method_set_default,
    payment_record,
)
from payments.services.collection import payments_charge
from payments.services.dunning import dunning_customers_due, dunning_evaluate_many
from payments.services.dunning_actions import dunning_actions_run
from tests.billing.subs import customer, priced_plan, seats
from tests.catalog.factories import feature as make_feature
from tests.conftest import TEST_ACTOR as ACTOR
from tests.invoicing.test_invoices import run_tick
from tests.notifications.smtp import Mailbox, smtp_server
from tests.payments.helpers import assert_trial_balance_zero

pytestmark = pytest.mark.django_db
__all__ = ["smtp_server"]  # the fixture

D = Decimal
Y = 2026


def at(month: int, day: int, hour: int = 0, minute: int = 5, year: int = Y) -> datetime:
    """The clock ticks a few minutes after midnight."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def sandbox(settings: Any) -> Iterator[SandboxGateway]:
    namespace = f"test-dunning-year-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()


def card(who: Customer, token: str, when: datetime) -> int:
    data = {"gateway": "sandbox", "token": f"{token}+{uuid.uuid4().hex[:8]}", "kind": "card",
            "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}  # fmt: skip
    return payment_method_add(customer_id=who.pk, actor=ACTOR, as_of=when, data=data).pk


def work(when: datetime) -> None:
    """What the workers do after a tick or a request, here and now: deliver the journal to its
    handlers, charge the attempts queued, evaluate the customers the clock found, carry out the
    dunning actions due, send the e-mails recorded. Twice: each step may give the next work."""
    for _ in range(2):
        journal_dispatch(as_of=when)
        pending = list(Payment.objects.filter(state="pending").values_list("pk", flat=True))
        if pending:
            payments_charge(payment_ids=pending, as_of=when, actor=CLOCK)
            journal_dispatch(as_of=when)
        due = dunning_customers_due(as_of=when)
        if due:
            dunning_evaluate_many(customer_ids=due, as_of=when, actor=CLOCK)
        actions = list(
            DunningAction.objects.filter(status=ActionStatus.PENDING, due_at__lte=when)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if actions:
            dunning_actions_run(action_ids=actions, as_of=when, actor=CLOCK)
        journal_dispatch(as_of=when)
        notifications_send_due(as_of=when)


def tick(when: datetime) -> None:
    """The billing clock at `when` (billing, then the hooks: retries, dunning, e-mails), then
    the work it queued."""
    run_tick(when)
    run_tick_hooks(when)
    work(when)


def state(who: Customer) -> str:
    record = CustomerDunning.objects.filter(customer=who).select_related("state").first()
    return record.state.code if record is not None and record.state is not None else ""


def allowed(who: Customer, feature: str) -> tuple[bool, str]:
    check = entitlement_check(customer_external_id=who.external_id, feature_code=feature)
    return check.allowed, check.reason


def sent(template: str) -> int:
    return Notification.objects.filter(template=template, state="sent").count()


def test_a_year_of_dunning(sandbox: SandboxGateway, smtp_server: Mailbox, api: APIClient) -> None:
    dana = customer(external_id="dana", email="dana@example.com", payment_terms_days=0)
    archive_feature = Feature.objects.filter(code="archive").first() or make_feature(
        "archive", "boolean"
    )
    archive = priced_plan("archive", "1200", interval_unit="year",
                          features=[{"feature": archive_feature}])  # fmt: skip
    team = priced_plan("team", "100", features=[seats(10)])

    # January 1: the yearly Archive, paid by a card that works
    card(dana, "tok_ok", at(1, 1, 0, 0))
    yearly = subscription_create(
        customer_id=dana.pk, plan_id=archive.pk, actor=ACTOR, as_of=at(1, 1, 0, 0),
        start_at=at(1, 1, 0, 0),
    )  # fmt: skip
    tick(at(1, 1))
    (annual_invoice,) = Invoice.objects.filter(customer=dana)
    assert (annual_invoice.total, annual_invoice.status) == (D("1200.00"), "paid")

    # January 2: a card that is always declined becomes the default; Team from January 5
    declined = card(dana, "tok_declined", at(1, 2, 9, 0))
    payment_method_set_default(payment_method_id=declined, actor=ACTOR, as_of=at(1, 2, 9, 0))
    monthly = subscription_create(
        customer_id=dana.pk, plan_id=team.pk, actor=ACTOR, as_of=at(1, 5, 0, 0),
        start_at=at(1, 5, 0, 0),
    )  # fmt: skip

    seen: list[tuple[str, datetime]] = []

    def observe(when: datetime) -> None:
        """The state after the tick at `when`, kept when it changed."""
        if not seen or seen[-1][0] != state(dana):
            seen.append((state(dana), when))

    for day in range(5, 21):
        tick(at(1, day))
        observe(at(1, day))
        if day == 12:
            with pytest.raises(ApplicationError) as refused:
                subscription_change(
                    subscription_id=monthly.pk, quantity=2, actor=ACTOR, as_of=at(1, 12, 9, 0)
                )
            assert refused.value.code == "plan_changes_refused"
    assert seen == [("", at(1, 5)), ("reminder", at(1, 6)), ("warning", at(1, 12)),
                    ("blocked", at(1, 19))]  # fmt: skip
    january = Invoice.objects.get(customer=dana, total=D("100.00"))
    assert list(
        Payment.objects.filter(invoice=january).order_by("attempt").values_list("attempt", "state")
    ) == [(1, "failed"), (2, "failed"), (3, "failed"), (4, "failed")]

    # Blocked: Team's seats are refused, the Archive paid for the year keeps its feature
    assert allowed(dana, "seats") == (False, "blocked_by_dunning")
    assert allowed(dana, "archive") == (True, "granted")
    check = api.get("/api/v1/entitlements/check/", {"customer": "dana", "feature": "seats"})
    assert (check.status_code, check.json()["reason"]) == (200, "blocked_by_dunning")
    assert Subscription.objects.get(pk=yearly.pk).dunning_blocked_from == at(1, 1, 0, 0).replace(
        year=Y + 1
    )

    # January 21, 10:00: Dana pays January by bank transfer; no tick: the states are left at once
    paid_at = at(1, 21, 10, 0)
    payment_record(
        customer_id=dana.pk, amount=D("100.00"), currency="USD", received_at=paid_at,
        reference="BANK-JAN", actor=ACTOR, as_of=paid_at,
        allocations=[AllocationRequest(january.pk)],
    )  # fmt: skip
    journal_dispatch(as_of=paid_at)
    observe(paid_at)
    assert allowed(dana, "seats") == (True, "granted")
    cleared = JournalEvent.objects.filter(type="dunning.cleared", subject_id=str(dana.pk))
    assert [e.occurred_at for e in cleared] == [paid_at]
    # plan changes are allowed again (this one scheduled for the period's end, then withdrawn)
    change = subscription_change(
        subscription_id=monthly.pk, quantity=2, when="period_end", actor=ACTOR, as_of=paid_at
    )
    subscription_change_cancel(change_id=change.pk, actor=ACTOR, as_of=paid_at)

    # February and March: the February invoice fails; two ticks at once on Feb 19
    for day in [*(at(2, d) for d in range(1, 29)), *(at(3, d) for d in range(1, 11))]:
        tick(day)
        if day == at(2, 19):
            tick(day)
            work(day)
        observe(day)
    assert seen[3:] == [
        ("blocked", at(1, 19)), ("", paid_at), ("reminder", at(2, 6)), ("warning", at(2, 12)),
        ("blocked", at(2, 19)), ("canceled", at(3, 7)),
    ]  # fmt: skip
    february = Invoice.objects.get(customer=dana, total=D("100.00"), finalized_at__month=2)
    march = Invoice.objects.get(customer=dana, total=D("100.00"), finalized_at__month=3)
    assert (february.status, march.status) == ("open", "open")
    assert allowed(dana, "seats") == (False, "blocked_by_dunning")
    assert allowed(dana, "archive") == (True, "granted")

    # what each transition saw, computed by hand: the February invoice alone until March 5
    rows = list(
        DunningTransition.objects.filter(customer=dana)
        .order_by("sequence")
        .values_list("to_code", "as_of", "days_past_due", "amount_overdue", "email_template")
    )
    assert rows == [
        ("reminder", at(1, 6), 1, D("100.00"), "dunning_reminder"),
        ("warning", at(1, 12), 7, D("100.00"), "dunning_warning"),
        ("blocked", at(1, 19), 14, D("100.00"), "dunning_suspension"),
        ("", paid_at, 0, D("0.00"), ""),
        ("reminder", at(2, 6), 1, D("100.00"), "dunning_reminder"),
        ("warning", at(2, 12), 7, D("100.00"), "dunning_warning"),
        ("blocked", at(2, 19), 14, D("100.00"), "dunning_suspension"),
        ("canceled", at(3, 7), 30, D("200.00"), "dunning_cancellation"),
    ]

    # Canceled: both subscriptions end at their period's end, the paid year is never cut
    yearly_now, monthly_now = (Subscription.objects.get(pk=s.pk) for s in (yearly, monthly))
    assert (yearly_now.cancel_at_period_end, yearly_now.current_period_end) == (
        True, at(1, 1, 0, 0, year=Y + 1),
    )  # fmt: skip
    assert (monthly_now.cancel_at_period_end, monthly_now.current_period_end) == (
        True, at(4, 5, 0, 0),
    )  # fmt: skip

    # the rest of the year: a tick a day to Team's end, then one a month
    for day in [*(at(3, d) for d in range(11, 32)), *(at(4, d) for d in range(1, 7))]:
        tick(day)
    assert Subscription.objects.get(pk=monthly.pk).status in ("canceled", "ended")
    for month in range(5, 13):
        tick(at(month, 1))
        assert allowed(dana, "archive") == (True, "granted")
    assert Invoice.objects.filter(customer=dana).count() == 4  # no invoice after March

    # December 15: Dana pays what is left; the states are left at once
    december = at(12, 15, 16, 0)
    payment_record(
        customer_id=dana.pk, amount=D("200.00"), currency="USD", received_at=december,
        reference="BANK-DEC", actor=ACTOR, as_of=december, apply_oldest_first=True,
    )  # fmt: skip
    journal_dispatch(as_of=december)
    assert state(dana) == ""
    work(december)  # the undoing of dunning's cancellation, queued after the commit
    assert Subscription.objects.get(pk=yearly.pk).cancel_at_period_end is False
    for day in (at(12, 15, 17, 0), at(12, 24), at(12, 25), at(1, 1, year=Y + 1)):
        tick(day)
    renewed = Subscription.objects.get(pk=yearly.pk)
    assert (renewed.status, renewed.current_period_start) == ("active", at(1, 1, 0, 0, Y + 1))
    assert allowed(dana, "archive") == (True, "granted")
    next_year = Invoice.objects.get(customer=dana, finalized_at__year=Y + 1)
    assert (next_year.total, next_year.status) == (D("1200.00"), "open")  # the card still fails

    # every e-mail once: what the SMTP server received is what was recorded as sent
    received = Counter(str(m["Message-ID"]).strip() for m in smtp_server.to("dana@example.com"))
    recorded = Counter(
        Notification.objects.filter(state="sent").values_list("message_id", flat=True)
    )
    assert received == recorded
    assert set(received.values()) == {1}
    assert {t: sent(t) for t in (
        "invoice_finalized", "payment_receipt", "payment_failed", "dunning_reminder",
        "dunning_warning", "dunning_suspension", "dunning_cancellation", "upcoming_renewal",
        "trial_ending", "credit_note_issued",
    )} == {
        "invoice_finalized": 5,  # the year, January, February, March, the next year
        "payment_receipt": 3,  # the year's card payment, two bank transfers
        "payment_failed": 13,  # three invoices x (the first attempt and 3 retries), next year's
        "dunning_reminder": 2,
        "dunning_warning": 2,
        "dunning_suspension": 2,  # once, although Feb 19 ticked twice
        "dunning_cancellation": 1,
        "upcoming_renewal": 1,  # on Dec 25, once the cancellation was undone
        "trial_ending": 0,
        "credit_note_issued": 0,
    }  # fmt: skip
    assert not Notification.objects.exclude(state__in=["sent"]).exists()
    # each dunning e-mail left on the day its state was entered
    assert list(
        Notification.objects.filter(template__startswith="dunning_")
        .order_by("sent_at")
        .values_list("template", "sent_at")
    ) == [
        ("dunning_reminder", at(1, 6)), ("dunning_warning", at(1, 12)),
        ("dunning_suspension", at(1, 19)), ("dunning_reminder", at(2, 6)),
        ("dunning_warning", at(2, 12)), ("dunning_suspension", at(2, 19)),
        ("dunning_cancellation", at(3, 7)),
    ]  # fmt: skip
    [suspension] = [
        m for m in smtp_server.to("dana@example.com")
        if str(m["Message-ID"]).strip()
        == Notification.objects.get(template="dunning_suspension", sent_at=at(2, 19)).message_id
    ]  # fmt: skip
    body = suspension.get_body(preferencelist=("plain",))
    assert body is not None
    assert "100.00" in body.get_content()
    assert_trial_balance_zero()
