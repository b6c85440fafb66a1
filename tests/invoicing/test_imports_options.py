"""Imports, follow-up (issue 17 item 16): a replay e-mails no customer about the past unless
asked (`notify`), pays what was paid in the previous system (`settle`) so that dunning never
chases it, replays a change or a cancellation as it happened whatever the plan's policies say
(overridden, recorded), and runs a long history in a Celery task with the same invoices."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Customer, JournalEvent, SubscriptionChange
from billing.services import journal_dispatch
from catalog.models import Plan
from catalog.services import plan_change_policy_create
from core.models import Job
from invoicing.models import ImportRun, Invoice
from invoicing.services.imports import import_run
from invoicing.tasks import import_run_task
from notifications.models import Notification
from payments.models import Payment
from payments.services.dunning import situation_of
from tests.conftest import TEST_ACTOR as ACTOR
from tests.invoicing.test_imports import APR10, JAN20, MAR6, NOW, history, invoices

pytestmark = pytest.mark.django_db

D = Decimal
FEB20 = datetime(2026, 2, 20, tzinfo=UTC)
MAR20 = datetime(2026, 3, 20, tzinfo=UTC)


@pytest.fixture
def plans() -> tuple[Plan, Plan]:
    from tests.billing.subs import priced_plan

    return priced_plan("basic", "30"), priced_plan("premium", "60")


def reachable(**options: Any) -> dict[str, Any]:
    """The history with a customer who has an e-mail address and is due at once (terms of 0
    days): everything it is billed is overdue the day after, unless paid."""
    doc = history(**options)
    doc["customer"] = {**doc["customer"], "email": "ap@acme.example", "payment_terms_days": 0}
    return doc


def test_by_default_no_customer_email_and_what_was_due_is_paid_outside(
    plans: tuple[Plan, Plan],
) -> None:
    run = import_run(document=reachable(), actor=ACTOR, as_of=NOW)
    assert run.status == "succeeded", run.error
    journal_dispatch(as_of=NOW)
    customer = Customer.objects.get(external_id="acme")
    # no e-mail for the four invoices finalized nor for the three payments
    assert not Notification.objects.filter(customer=customer).exists()
    finalized = JournalEvent.objects.filter(type="invoice.finalized")
    assert finalized.count() == 4
    mark = {"run": run.pk, "key": "acme-1", "notify": False}
    assert all(e.payload["imported"] == mark for e in finalized)  # webhooks carry the mark
    # paid at each finalization: 30.00 (Jan 20), 30.00 (Feb 20), 75.00 (Mar 20, 60 + 30 - 15);
    # the cancellation's -19.35 is credit on the balance (no payment)
    paid = list(Payment.objects.filter(customer=customer).order_by("received_at")
                .values_list("kind", "amount", "received_at", "unapplied"))  # fmt: skip
    assert paid == [
        ("manual", D("30.00"), JAN20, D(0)),
        ("manual", D("30.00"), FEB20, D(0)),
        ("manual", D("75.00"), MAR20, D(0)),
    ]
    assert {i[2] for i in invoices(customer)} == {"paid"}
    assert sum(i.amount_due for i in Invoice.objects.filter(customer=customer)) == 0
    # dunning finds nothing overdue
    assert situation_of(customer, NOW).invoice_ids == ()


def test_notify_and_open_email_the_customer_and_leave_them_to_dunning(
    plans: tuple[Plan, Plan],
) -> None:
    run = import_run(document=reachable(notify=True, settle="open"), actor=ACTOR, as_of=NOW)
    assert run.status == "succeeded", run.error
    journal_dispatch(as_of=NOW)
    customer = Customer.objects.get(external_id="acme")
    sent = Notification.objects.filter(customer=customer, template="invoice_finalized")
    assert sent.count() == 4  # one per invoice finalized, as live
    assert not Payment.objects.filter(customer=customer).exists()
    situation = situation_of(customer, NOW)
    # due at their finalization (terms 0): 30.00 + 30.00 + 75.00 overdue
    assert situation.amount_overdue == D("135.00")
    assert len(situation.invoice_ids) == 3
    event = JournalEvent.objects.filter(type="invoice.finalized").first()
    assert event is not None
    assert event.payload["imported"] == {"run": run.pk, "key": "acme-1", "notify": True}


def test_a_change_against_its_pair_policy_is_replayed_as_it_happened(
    plans: tuple[Plan, Plan], api: APIClient
) -> None:
    basic, premium = plans
    plan_change_policy_create(
        actor=ACTOR,
        as_of=timezone.now(),
        data={"from_plan": basic, "to_plan": premium, "policy": "end_of_term"},
    )
    Plan.objects.filter(pk=premium.pk).update(cancellation_policy="end_of_term")
    run = import_run(document=history(settle="open"), actor=ACTOR, as_of=NOW)
    assert run.status == "succeeded", run.error
    # the change at Mar 6, mid period, as it happened (the policy would have moved it to
    # Mar 20): the March invoice is 60 + 60 x 14/28 - 30 x 14/28 = 75.00, as without a policy
    change = SubscriptionChange.objects.get(subscription__customer__external_id="acme")
    assert (change.effective_at, change.timing, change.policy) == (MAR6, "override", "end_of_term")
    totals = [i[3] for i in invoices(Customer.objects.get(external_id="acme"))]
    assert totals == [D("30.00"), D("30.00"), D("75.00"), D("-19.35")]
    sub = run.subscriptions.get()
    assert sub.canceled_at == APR10  # at once, against the plan's end_of_term cancellation
    with time_machine.travel(NOW, tick=False):
        shown = api.get(f"/api/v1/imports/{run.pk}/").json()
    overrides = [(o["path"], o["at"], o["action"], o["policy"]) for o in shown["policy_overrides"]]
    assert overrides == [
        ("subscriptions[0].events[0]", MAR6.isoformat(), "change", "end_of_term"),
        ("subscriptions[0].events[1]", APR10.isoformat(), "cancel", "end_of_term"),
    ]
    completed = JournalEvent.objects.get(type="import.completed")
    assert len(completed.payload["import"]["policy_overrides"]) == 2


def test_a_long_history_runs_in_a_task_with_the_same_invoices(
    plans: tuple[Plan, Plan], api: APIClient, settings: Any
) -> None:
    import_run(document=history(key="sync", external_id="sync", settle="open"), actor=ACTOR,
               as_of=NOW)  # fmt: skip
    synchronous = invoices(Customer.objects.get(external_id="sync"))
    settings.IMPORT_SYNC_MAX_STEPS = 2  # the history bills three periods
    doc = history(key="long", external_id="long", settle="open")
    with time_machine.travel(NOW, tick=False):
        answer = api.post("/api/v1/imports/", doc, format="json")
        assert answer.status_code == 202, answer.json()
        body = answer.json()
        assert (body["status"], body["done"], body["invoices"]) == ("running", 0, [])
        assert Job.objects.get(pk=body["job"]).status == "queued"
        assert not Customer.objects.filter(external_id="long").exists()  # nothing replayed yet
        # the task's body (its delivery: the on-commit send does not run in a test transaction)
        assert import_run_task(run_id=body["id"], actor=ACTOR.as_dict()) == "succeeded"
        assert import_run_task(run_id=body["id"], actor=ACTOR.as_dict()) == "skipped"  # again
        again = api.post("/api/v1/imports/", doc, format="json")
        assert (again.status_code, again.json()["status"]) == (200, "succeeded")
    run = ImportRun.objects.get(key="long")
    assert (run.status, run.done, run.steps) == ("succeeded", 3, 3)
    assert run.job is not None
    assert run.job.status == "succeeded"
    assert invoices(Customer.objects.get(external_id="long")) == synchronous
    assert len(synchronous) == 4


def test_the_admin_page_takes_the_options(
    plans: tuple[Plan, Plan], client: Client, django_user_model: Any
) -> None:
    staff = django_user_model.objects.create_superuser("imp", "imp@example.com", "pw-12345")
    client.force_login(staff)
    url = reverse("admin:invoicing_importrun_import")
    with time_machine.travel(NOW, tick=False):
        page = client.post(url, {"document": json.dumps(history()), "settle": "open",
                                 "_validate": "1"})  # fmt: skip
        text = page.content.decode()
        assert 'name="notify"' in text
        assert 'name="settle"' in text
        assert "left open" in text
        assert "none for what the replay produces" in text
        clash = client.post(url, {"document": json.dumps(history(notify=True)),
                                  "settle": "paid_outside", "_run": "1"})  # fmt: skip
        assert "The document&#x27;s notify is true, the form&#x27;s false" in (
            clash.content.decode()
        )
        assert not ImportRun.objects.exists()
        done = client.post(url, {"document": json.dumps(history()), "notify": "on",
                                 "settle": "open", "_run": "1"})  # fmt: skip
        assert done.status_code == 302
    run = ImportRun.objects.get()
    assert (run.document["notify"], run.document["settle"]) == (True, "open")
    assert {i.status for i in run.invoices.all()} == {"open", "paid"}  # -19.35: to the balance
