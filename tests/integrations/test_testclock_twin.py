"""A test clock advanced through a trial, a renewal, a failed payment and its retry produces
the documents a live customer would (issue 15, item 6).

Two customers, one live and one on a test clock at 2026-01-01 00:00 UTC, the same in every
respect: USD, UTC, invoices due at once, a card that declines a first attempt at each invoice and
succeeds on the second (`tok_soft_decline_2`), the monthly plan "Clockwork" at 30.00 in advance
with a 14-day trial, subscribed at 00:00 on January 1.

- the test clock is advanced to February 20 (under its limit: two months from January 1);
- the live twin is driven by the live billing clock at the same instants (a tick a day at
  00:00, the hooks, then the workers' work, as the other year-long tests do).

By hand, for each of them:
- Jan 12: the trial-ending notice (3 days before the end);
- Jan 15: the trial ends; invoice 1: 30.00 for Jan 15 - Feb 15, finalized and due at once; its
  charge (attempt 1) is declined; the e-mails: invoice, payment failed (retry on Jan 18);
- Jan 16: 1 day past due: dunning's Reminder (its e-mail);
- Jan 18: the retry (attempt 2, 3 days after the first failure) succeeds: invoice 1 paid, the
  receipt, dunning cleared;
- Feb 15: the renewal, invoice 2: 30.00 for Feb 15 - Mar 15, declined, Reminder on Feb 16, paid
  by the retry on Feb 18.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from billing.models import Customer, TestClock
from billing.selectors import customer_as_of
from billing.services import customer_create, journal_dispatch, subscription_create
from billing.services.testclocks import clock_create
from core.audit import CLOCK
from invoicing.clock_hooks import run_tick_hooks
from invoicing.models import Invoice
from notifications.models import Notification
from notifications.services.send import notifications_send_due
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment
from payments.models.dunning import DunningTransition
from payments.services import payment_method_add
from payments.services.collection import payments_charge
from payments.services.dunning import (
    dunning_actions_due,
    dunning_customers_due,
    dunning_evaluate_many,
)
from payments.services.dunning_actions import dunning_actions_run
from tests.billing.subs import priced_plan
from tests.conftest import TEST_ACTOR as ACTOR
from tests.invoicing.test_invoices import run_tick
from tests.notifications.smtp import Mailbox, smtp_server
from tests.payments.helpers import assert_trial_balance_zero

pytestmark = pytest.mark.django_db
__all__ = ["smtp_server"]  # the fixture

D = Decimal
T0 = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 2, 20, tzinfo=UTC)


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC)


@pytest.fixture
def sandbox(settings: Any) -> Iterator[SandboxGateway]:
    namespace = f"test-clock-twin-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()


def make_customer(external_id: str, clock: TestClock | None) -> Customer:
    data = {
        "external_id": external_id,
        "name": external_id.title(),
        "currency": "USD",
        "timezone": "UTC",
        "email": f"{external_id}@example.com",
        "payment_terms_days": 0,
    }
    return customer_create(
        actor=ACTOR, as_of=T0, data=data, test_clock_id=clock.pk if clock else None
    )


def subscribe(who: Customer, plan_id: int) -> None:
    when = customer_as_of(who, T0)  # the test customer's: its clock's time (T0 as well)
    token = f"tok_soft_decline_2+{uuid.uuid4().hex[:8]}"
    data = {"gateway": "sandbox", "token": token, "kind": "card", "brand": "visa",
            "last4": "4242", "exp_month": 12, "exp_year": 2030}  # fmt: skip
    payment_method_add(customer_id=who.pk, actor=ACTOR, as_of=when, data=data)
    subscription_create(customer_id=who.pk, plan_id=plan_id, actor=ACTOR, as_of=when, start_at=T0)


def live_tick(when: datetime) -> None:
    """The live billing clock at `when` and what its workers do then (live customers only)."""
    run_tick(when)
    run_tick_hooks(when)
    for _ in range(4):
        journal_dispatch(as_of=when)
        pending = list(
            Payment.objects.filter(
                state="pending", charge_requested_at__isnull=True, customer__test_clock=None
            ).values_list("pk", flat=True)
        )
        if pending:
            payments_charge(payment_ids=pending, as_of=when, actor=CLOCK)
        due = dunning_customers_due(as_of=when)
        if due:
            dunning_evaluate_many(customer_ids=due, as_of=when, actor=CLOCK)
        actions = dunning_actions_due(as_of=when)
        if actions:
            dunning_actions_run(action_ids=actions, as_of=when, actor=CLOCK)
        notifications_send_due(as_of=when)


def documents(who: Customer) -> dict[str, Any]:
    """What a customer's billing produced, comparable between the twins (no ids, no numbers:
    the series differ)."""
    invoices = list(Invoice.objects.filter(customer=who).order_by("billing_date", "pk"))
    index = {invoice.pk: n for n, invoice in enumerate(invoices, start=1)}
    return {
        "invoices": [
            (
                i.status,
                i.total,
                i.amount_due,
                i.billing_date,
                i.finalized_at,
                i.due_at,
                i.paid_at,
                [
                    (
                        line.kind,
                        line.description,
                        line.quantity,
                        line.unit_amount,
                        line.amount,
                        line.period_start,
                        line.period_end,
                    )
                    for line in i.lines.order_by("position")
                ],
            )
            for i in invoices
        ],
        "payments": [
            (
                index[p.invoice_id],
                p.attempt,
                p.state,
                p.amount,
                p.created_at,
                p.failure_code,
                p.retry_at,
            )
            for p in Payment.objects.filter(customer=who).order_by(
                "invoice__billing_date", "attempt"
            )
        ],
        "dunning": [
            (t.to_code, t.direction, t.as_of)
            for t in DunningTransition.objects.filter(customer=who).order_by("sequence")
        ],
        "emails": sorted(
            (n.template, n.created_at, n.state) for n in Notification.objects.filter(customer=who)
        ),
    }


def test_a_test_clock_bills_as_the_live_clock_does(
    sandbox: SandboxGateway, smtp_server: Mailbox
) -> None:
    from integrations.testclocks import advance_instants, clock_advance, clock_advance_run

    plan = priced_plan("clockwork", "30", trial_days=14)
    clock = clock_create(name="twin", frozen_time=T0, actor=ACTOR, as_of=timezone.now())
    test = make_customer("tc-test", clock)
    live = make_customer("tc-live", None)
    assert (test.is_test, live.is_test, test.created_at) == (True, False, T0)
    subscribe(test, plan.pk)
    subscribe(live, plan.pk)

    # the test clock: advanced in one go (its task's work, run here)
    clock_advance(test_clock_id=clock.pk, frozen_time=END, actor=ACTOR, as_of=timezone.now())
    assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now, seconds=3600) == "ready"
    clock.refresh_from_db()
    assert (clock.status, clock.frozen_time, clock.advancing_to) == ("ready", END, None)
    # the live clock did not run: nothing of the live twin's is billed yet
    assert not Invoice.objects.filter(customer=live).exists()

    # the live twin: the live clock at the same instants
    for when in advance_instants(T0, END):
        live_tick(when)

    got, expected = documents(test), documents(live)
    assert got == expected

    # and both are what they should be, by hand
    line = ("fixed_fee", "Clockwork")
    invoices = got["invoices"]
    assert [(i[0], i[1], i[2], i[3], i[4], i[6]) for i in invoices] == [
        ("paid", D("30.00"), D("0.00"), at(1, 15), at(1, 15), at(1, 18)),
        ("paid", D("30.00"), D("0.00"), at(2, 15), at(2, 15), at(2, 18)),
    ]
    assert [[(ln[0], ln[4], ln[5], ln[6]) for ln in i[7]] for i in invoices] == [
        [(line[0], D("30.00"), at(1, 15), at(2, 15))],
        [(line[0], D("30.00"), at(2, 15), at(3, 15))],
    ]
    assert [p[:5] for p in got["payments"]] == [
        (1, 1, "failed", D("30.00"), at(1, 15)),
        (1, 2, "succeeded", D("30.00"), at(1, 18)),
        (2, 1, "failed", D("30.00"), at(2, 15)),
        (2, 2, "succeeded", D("30.00"), at(2, 18)),
    ]
    assert [bool(p[5]) for p in got["payments"]] == [True, False, True, False]  # declined
    assert got["dunning"] == [
        ("reminder", "up", at(1, 16)),
        ("", "cleared", at(1, 18)),
        ("reminder", "up", at(2, 16)),
        ("", "cleared", at(2, 18)),
    ]
    assert got["emails"] == sorted([
        ("trial_ending", at(1, 12), "sent"),
        ("invoice_finalized", at(1, 15), "sent"),
        ("payment_failed", at(1, 15), "sent"),
        ("dunning_reminder", at(1, 16), "sent"),
        ("payment_receipt", at(1, 18), "sent"),
        ("invoice_finalized", at(2, 15), "sent"),
        ("payment_failed", at(2, 15), "sent"),
        ("dunning_reminder", at(2, 16), "sent"),
        ("payment_receipt", at(2, 18), "sent"),
    ])  # fmt: skip
    # each e-mail arrived once per twin; the test customer's numbers are its own series
    assert len([m for m in smtp_server.messages if "tc-test@example.com" in str(m)]) == 9
    numbers = {
        c.external_id: sorted(Invoice.objects.filter(customer=c).values_list("number", flat=True))
        for c in (test, live)
    }
    assert numbers == {
        "tc-test": ["TEST-INV-2026-000001", "TEST-INV-2026-000002"],
        "tc-live": ["INV-2026-000001", "INV-2026-000002"],
    }
    assert_trial_balance_zero()
