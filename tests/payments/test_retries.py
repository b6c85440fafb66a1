"""Retries of failed automatic payments (issue 12, item 6): the schedule counted from the first
failure, policies global and per plan, the clock's retries exactly once, the stop when the
invoice is paid or voided, the restart on a method change, retry now; API and admin."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.urls import reverse
from pghistory.models import Events

from billing.journal import handlers
from billing.models import Customer, JournalEvent
from billing.services import journal_dispatch, subscription_create
from catalog.models import Plan
from core.audit import CLOCK
from core.exceptions import NotFound, ValidationFailed
from invoicing.clock_hooks import run_tick_hooks, tick_hooks
from invoicing.models import Invoice
from invoicing.services import (
    invoice_finalize,
    invoice_mark_uncollectible,
    invoice_void,
    subscriptions_bill,
)
from payments.gateways.sandbox import SandboxGateway
from payments.models import GatewayCall, Payment, PaymentMethod, RetryPolicy
from payments.services import (
    AllocationRequest,
    payment_method_add,
    payment_method_set_default,
    payment_method_update,
    payment_record,
    subscription_payment_method_set,
)
from payments.services.retries import (
    METHOD_HANDLER,
    TICK_HOOK,
    next_retry_at,
    payment_retry_now,
    retries_due,
    retry_policy_effective,
    retry_policy_remove,
    retry_policy_set,
    schedule_retries,
)
from tests.billing.subs import customer, priced_plan
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import assert_trial_balance_zero, open_invoice

pytestmark = pytest.mark.django_db

D = Decimal
JAN10 = datetime(2026, 1, 10, 9, tzinfo=UTC)


def days(n: float) -> timedelta:
    return timedelta(days=n)


def plan_invoice(who: Customer, plan: Plan, at: datetime) -> Invoice:
    """A finalized invoice of the plan's fee (a subscription line), issued at `at`."""
    sub = subscription_create(
        customer_id=who.pk, plan_id=plan.pk, actor=ACTOR, as_of=at, start_at=at
    )
    (draft,) = subscriptions_bill(subscription_ids=[sub.pk], as_of=at, actor=ACTOR).touched
    return invoice_finalize(invoice_id=draft.pk, as_of=at, actor=ACTOR)


def failed_attempt(invoice: Invoice, attempt: int) -> Payment:
    """An automatic attempt in memory, just failed (what collection hands to the schedule)."""
    return Payment(
        customer_id=invoice.customer_id, kind="automatic", state="failed",
        currency=invoice.currency, amount=invoice.amount_due, gateway="sandbox",
        idempotency_key=f"t-{uuid.uuid4()}", invoice=invoice, attempt=attempt,
    )  # fmt: skip


def stored_failure(invoice: Invoice, attempt: int, at: datetime) -> Payment:
    """An attempt that failed at `at`, as stored, with its gateway call."""
    payment = failed_attempt(invoice, attempt)
    payment.created_by = "tests"
    payment.created_at = payment.updated_at = payment.charge_requested_at = at
    payment.save()
    GatewayCall.objects.create(payment=payment, gateway="sandbox", action="charge",
                               idempotency_key=payment.idempotency_key, outcome="failed",
                               reason="card_declined", at=at)  # fmt: skip
    return payment


# ------------------------------------------------------------------------------ the schedule


def test_next_retry_at_counts_from_the_first_failure() -> None:
    schedule = (3, 5, 7)
    assert next_retry_at(JAN10, schedule, JAN10) == datetime(2026, 1, 13, 9, tzinfo=UTC)
    assert next_retry_at(JAN10, schedule, JAN10 + days(3)) == datetime(2026, 1, 15, 9, tzinfo=UTC)
    # a retry run late (the 16th) is followed by the next instant still ahead: the 17th
    assert next_retry_at(JAN10, schedule, JAN10 + days(6)) == datetime(2026, 1, 17, 9, tzinfo=UTC)
    assert next_retry_at(JAN10, schedule, JAN10 + days(7)) is None
    assert next_retry_at(JAN10, (), JAN10) is None


def test_default_schedule_jan_10_gives_13_15_17_then_none() -> None:
    invoice = open_invoice(customer(), "40.00", JAN10)
    first = failed_attempt(invoice, 1)
    schedule_retries([first], as_of=JAN10)
    assert first.retry_at == datetime(2026, 1, 13, 9, tzinfo=UTC)
    stored_failure(invoice, 1, JAN10)
    expected = {2: datetime(2026, 1, 15, 9, tzinfo=UTC), 3: datetime(2026, 1, 17, 9, tzinfo=UTC),
                4: None}  # fmt: skip
    for attempt, at in ((2, JAN10 + days(3)), (3, JAN10 + days(5)), (4, JAN10 + days(7))):
        retry = failed_attempt(invoice, attempt)
        schedule_retries([retry], as_of=at)
        assert retry.retry_at == expected[attempt]
    manual = failed_attempt(invoice, 1)
    manual.kind = "manual"
    schedule_retries([manual], as_of=JAN10)
    assert manual.retry_at is None


def test_a_plans_policy_then_the_global_then_an_empty_one() -> None:
    who = customer()
    pro = priced_plan("pro", "25")
    invoice = plan_invoice(who, pro, JAN10)
    one_off = open_invoice(who, "10.00", JAN10)
    retry_policy_set(plan_id=pro.pk, days=[1, 2], actor=ACTOR, as_of=JAN10)
    retry_policy_set(plan_id=None, days=[10], actor=ACTOR, as_of=JAN10)
    a, b = failed_attempt(invoice, 1), failed_attempt(one_off, 1)
    schedule_retries([a, b], as_of=JAN10)
    assert (a.retry_at, b.retry_at) == (JAN10 + days(1), JAN10 + days(10))
    retry_policy_remove(plan_id=pro.pk, actor=ACTOR, as_of=JAN10)  # falls back to the global
    schedule_retries([a], as_of=JAN10)
    assert a.retry_at == JAN10 + days(10)
    retry_policy_set(plan_id=None, days=[], actor=ACTOR, as_of=JAN10)  # no retries
    schedule_retries([a, b], as_of=JAN10)
    assert (a.retry_at, b.retry_at) == (None, None)


def test_policy_validation_names_the_field_and_history_and_journal_record_it() -> None:
    pro = priced_plan("pro", "25")
    cases = [
        ([3, 2], "days[1]", "not_ascending"),
        ([3, 3], "days[1]", "duplicate"),
        ([0], "days[0]", "out_of_range"),
        ([366], "days[0]", "out_of_range"),
        (list(range(1, 12)), "days", "too_many"),
        ([1, "2"], "days[1]", "not_an_integer"),
    ]
    for given, field, code in cases:
        with pytest.raises(ValidationFailed) as refused:
            retry_policy_set(plan_id=pro.pk, days=given, actor=ACTOR, as_of=JAN10)  # type: ignore[arg-type]
        assert (refused.value.field, refused.value.code) == (field, code), given
    assert not RetryPolicy.objects.exists()
    with pytest.raises(ValidationFailed) as refused:
        retry_policy_remove(plan_id=None, actor=ACTOR, as_of=JAN10)
    assert (refused.value.field, refused.value.code) == ("plan", "global_not_removable")
    with pytest.raises(NotFound):
        retry_policy_remove(plan_id=pro.pk, actor=ACTOR, as_of=JAN10)
    assert retry_policy_effective(plan_id=pro.pk).scope == "default"
    policy = retry_policy_set(plan_id=pro.pk, days=[2, 4], actor=ACTOR, as_of=JAN10)
    retry_policy_set(plan_id=pro.pk, days=[2, 4], actor=ACTOR, as_of=JAN10)  # unchanged: no event
    retry_policy_set(plan_id=pro.pk, days=[2, 6], actor=ACTOR, as_of=JAN10, reason="slower")
    assert retry_policy_effective(plan_id=pro.pk).days == (2, 6)
    retry_policy_remove(plan_id=pro.pk, actor=ACTOR, as_of=JAN10)
    assert retry_policy_effective(plan_id=pro.pk).scope == "default"
    events = JournalEvent.objects.filter(type="retry_policy.updated").order_by("id")
    assert [(e.payload["days"], e.payload["previous_days"]) for e in events] == [
        ([2, 4], None), ([2, 6], [2, 4]), (None, [2, 6])
    ]  # fmt: skip
    assert events.last().payload["falls_back_to"] == [3, 5, 7]  # type: ignore[union-attr]
    history = Events.objects.tracks(policy).order_by("pgh_id")
    assert [h.pgh_label for h in history] == ["insert", "update", "delete"]
    assert history[1].pgh_context["reason"] == "slower"


# ---------------------------------------------------------------- through collection and the clock


@pytest.fixture
def sandbox(settings: Any) -> Iterator[SandboxGateway]:
    """The registry's sandbox, in a namespace of this test's own."""
    namespace = f"test-retries-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()


def card(who: Customer, token: str, at: datetime = JAN10) -> PaymentMethod:
    """A sandbox card of the customer's own (`tok_x+<suffix>` behaves as `tok_x`)."""
    data = {"gateway": "sandbox", "token": f"{token}+{uuid.uuid4().hex[:8]}", "kind": "card",
            "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}  # fmt: skip
    return payment_method_add(customer_id=who.pk, actor=ACTOR, as_of=at, data=data)


def charge_pending(at: datetime) -> dict[str, int]:
    """What collection's charge tasks, queued after the commit, do (called directly)."""
    from payments.services.collection import payments_charge

    ids = list(Payment.objects.filter(state="pending").values_list("pk", flat=True))
    return payments_charge(payment_ids=ids, as_of=at, actor=CLOCK)


def tick(at: datetime) -> dict[str, int]:
    """The billing clock's hooks at `at`, then the journal's dispatch; the retries' counts."""
    report = run_tick_hooks(at)
    journal_dispatch(as_of=at)
    return report[TICK_HOOK]


def attempts(invoice: Invoice) -> list[tuple[int | None, str]]:
    return list(
        Payment.objects.filter(invoice=invoice).order_by("attempt").values_list("attempt", "state")
    )


def retry_at(invoice: Invoice) -> list[datetime | None]:
    return list(
        Payment.objects.filter(invoice=invoice)
        .order_by("attempt")
        .values_list("retry_at", flat=True)
    )


def fresh(invoice: Invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


def failing_invoice(token: str = "tok_declined", amount: str = "40.00") -> Invoice:  # noqa: S107
    """An invoice finalized on Jan 10 09:00 whose first automatic attempt failed then."""
    who = customer()
    card(who, token)
    invoice = open_invoice(who, amount, JAN10)
    journal_dispatch(as_of=JAN10)
    charge_pending(JAN10)
    assert attempts(invoice) == [(1, "failed")]
    return invoice


def test_the_hook_and_the_method_handler_are_registered() -> None:
    assert TICK_HOOK in dict(tick_hooks())
    assert METHOD_HANDLER in {h.name for h in handlers()}


def test_a_soft_decline_is_recovered_on_the_third_retry_through_the_clock(
    sandbox: SandboxGateway,
) -> None:
    invoice = failing_invoice("tok_soft_decline_4")
    jan = {d: datetime(2026, 1, d, 9, tzinfo=UTC) for d in range(1, 32)}
    assert retry_at(invoice) == [jan[13]]  # 3 days after the first failure
    assert tick(jan[13] - timedelta(minutes=1))["retried"] == 0  # not yet
    ran_at = timedelta(minutes=5)  # the tick comes a little after the instant
    for day, next_at in ((13, jan[15]), (15, jan[17])):
        assert tick(jan[day] + ran_at) == {"retried": 1, "stopped": 0, "postponed": 0}
        assert tick(jan[day] + ran_at)["retried"] == 0  # the same tick again: nothing more
        assert charge_pending(jan[day] + ran_at) == {"succeeded": 0, "failed": 1, "unknown": 0}
        # days count from the first failure (Jan 10 09:00), not from this one
        assert retry_at(invoice)[-1] == next_at
        assert all(at is None for at in retry_at(invoice)[:-1])
    assert tick(jan[17] + ran_at)["retried"] == 1
    assert charge_pending(jan[17] + ran_at) == {"succeeded": 1, "failed": 0, "unknown": 0}
    assert attempts(invoice) == [(1, "failed"), (2, "failed"), (3, "failed"), (4, "succeeded")]
    assert retry_at(invoice) == [None] * 4
    assert (fresh(invoice).status, fresh(invoice).amount_due) == ("paid", D(0))
    for payment in Payment.objects.filter(invoice=invoice):
        (call,) = payment.calls.all()
        assert (call.action, call.outcome) == ("charge", payment.state)
        assert payment.amount == D("40.00")
    assert sandbox.charge_count() == 1
    assert tick(jan[31])["retried"] == 0
    assert_trial_balance_zero()


def test_retries_stop_when_the_invoice_is_paid_by_transfer_or_voided(
    sandbox: SandboxGateway,
) -> None:
    paid, voided, written_off = failing_invoice(), failing_invoice(), failing_invoice()
    payment_record(
        customer_id=paid.customer_id, amount=D("40.00"), currency="USD", received_at=JAN10,
        reference="BANK-7", actor=ACTOR, as_of=JAN10 + days(1),
        allocations=[AllocationRequest(paid.pk)],
    )  # fmt: skip
    invoice_void(invoice_id=voided.pk, as_of=JAN10 + days(1), actor=ACTOR, reason="error")
    invoice_mark_uncollectible(
        invoice_id=written_off.pk, as_of=JAN10 + days(1), actor=ACTOR, reason="gone"
    )
    assert tick(JAN10 + days(3)) == {"retried": 0, "stopped": 3, "postponed": 0}
    assert retry_at(written_off) == [None]
    assert attempts(paid) == attempts(voided) == [(1, "failed")]
    assert retry_at(paid) == retry_at(voided) == [None]
    assert_trial_balance_zero()


def test_no_usable_method_moves_the_retry_to_the_next_day_of_the_schedule(
    sandbox: SandboxGateway,
) -> None:
    invoice = failing_invoice()
    method = PaymentMethod.objects.get(customer_id=invoice.customer_id)
    from payments.services import payment_method_detach

    payment_method_detach(payment_method_id=method.pk, actor=ACTOR, as_of=JAN10 + days(1))
    assert tick(JAN10 + days(3)) == {"retried": 0, "stopped": 0, "postponed": 1}
    assert retry_at(invoice) == [JAN10 + days(5)]


def test_a_method_change_makes_one_immediate_attempt_that_continues_the_schedule(
    sandbox: SandboxGateway,
) -> None:
    invoice = failing_invoice()
    who = invoice.customer
    at = JAN10 + days(1)
    other = card(who, "tok_insufficient_funds", at)  # added, not the default: nothing to do
    journal_dispatch(as_of=at)
    assert attempts(invoice) == [(1, "failed")]
    payment_method_set_default(payment_method_id=other.pk, actor=ACTOR, as_of=at)
    journal_dispatch(as_of=at)
    journal_dispatch(as_of=at)  # dispatched again: still one attempt
    assert attempts(invoice) == [(1, "failed"), (2, "pending")]
    assert retry_at(invoice) == [None, None]
    assert Payment.objects.get(invoice=invoice, attempt=2).method_id == other.pk
    charge_pending(at)
    assert retry_at(invoice) == [None, JAN10 + days(3)]  # the original schedule goes on
    good = card(who, "tok_ok", at + days(1))
    payment_method_set_default(payment_method_id=good.pk, actor=ACTOR, as_of=at + days(1))
    journal_dispatch(as_of=at + days(1))
    charge_pending(at + days(1))
    assert attempts(invoice) == [(1, "failed"), (2, "failed"), (3, "succeeded")]
    assert fresh(invoice).status == "paid"
    assert tick(JAN10 + days(3))["retried"] == 0
    assert_trial_balance_zero()


def test_a_card_made_active_again_or_set_on_the_subscription_restarts_collection(
    sandbox: SandboxGateway,
) -> None:
    invoice = failing_invoice()
    method = PaymentMethod.objects.get(customer_id=invoice.customer_id)
    at = JAN10 + days(1)
    payment_method_update(
        payment_method_id=method.pk, actor=ACTOR, as_of=at, changes={"state": "expired"}
    )
    journal_dispatch(as_of=at)
    assert len(attempts(invoice)) == 1  # not active: nothing to try
    payment_method_update(
        payment_method_id=method.pk, actor=ACTOR, as_of=at, changes={"state": "active"}
    )
    journal_dispatch(as_of=at)
    assert attempts(invoice) == [(1, "failed"), (2, "pending")]
    charge_pending(at)
    # a subscription's own method restarts its invoices
    who = customer()
    pro = priced_plan("pro", "25")
    card(who, "tok_declined")
    sub_invoice = plan_invoice(who, pro, JAN10)
    journal_dispatch(as_of=JAN10)
    charge_pending(JAN10)
    own = card(who, "tok_ok", at)
    subscription_payment_method_set(
        subscription_id=sub_invoice.lines.get().subscription_id, payment_method_id=own.pk,
        actor=ACTOR, as_of=at,
    )  # fmt: skip
    journal_dispatch(as_of=at)
    charge_pending(at)
    assert attempts(sub_invoice) == [(1, "failed"), (2, "succeeded")]
    assert fresh(sub_invoice).status == "paid"
    assert_trial_balance_zero()


def test_retry_now_and_its_refusals(sandbox: SandboxGateway) -> None:
    invoice = failing_invoice()
    now = JAN10 + days(1)
    retry = payment_retry_now(invoice_id=invoice.pk, actor=ACTOR, as_of=now)
    assert (retry.attempt, retry.state, retry.amount) == (2, "pending", D("40.00"))
    assert retry_at(invoice) == [None, None]
    with pytest.raises(ValidationFailed) as refused:
        payment_retry_now(invoice_id=invoice.pk, actor=ACTOR, as_of=now)
    assert (refused.value.field, refused.value.code) == ("invoice", "attempt_pending")
    charge_pending(now)
    assert retry_at(invoice)[-1] == JAN10 + days(3)
    PaymentMethod.objects.filter(customer=invoice.customer).update(state="expired")
    with pytest.raises(ValidationFailed) as refused:
        payment_retry_now(invoice_id=invoice.pk, actor=ACTOR, as_of=now)
    assert (refused.value.field, refused.value.code) == ("payment_method", "no_payment_method")
    invoice_void(invoice_id=invoice.pk, as_of=now, actor=ACTOR, reason="error")
    with pytest.raises(ValidationFailed) as refused:
        payment_retry_now(invoice_id=invoice.pk, actor=ACTOR, as_of=now)
    assert (refused.value.field, refused.value.code) == ("invoice", "not_payable")
    with pytest.raises(NotFound):
        payment_retry_now(invoice_id=invoice.pk + 999, actor=ACTOR, as_of=now)
    assert len(attempts(invoice)) == 2


def test_retry_now_refuses_a_method_whose_gateway_never_charges(
    sandbox: SandboxGateway, api: Any
) -> None:
    """A bank transfer on the manual gateway cannot be charged (`manual_only`): paying now with
    it is refused on `payment_method` before any attempt is made (none fails, none retries)."""
    invoice = failing_invoice()
    transfer = payment_method_add(customer_id=invoice.customer_id, actor=ACTOR, as_of=JAN10,
                                  data={"gateway": "manual", "token": "bank-ref-1",
                                        "kind": "bank_transfer"})  # fmt: skip
    now = JAN10 + days(1)
    with pytest.raises(ValidationFailed) as refused:
        payment_retry_now(invoice_id=invoice.pk, actor=ACTOR, as_of=now, method_id=transfer.pk)
    assert (refused.value.field, refused.value.code) == ("payment_method", "gateway_cannot_charge")
    assert "bank transfer" in refused.value.message
    answer = api.post(f"/api/v1/invoices/{invoice.pk}/retry-payment/",
                      {"payment_method": transfer.pk}, format="json")  # fmt: skip
    assert answer.status_code == 400
    [error] = answer.json()["errors"]
    assert (error["field"], error["code"]) == ("payment_method", "gateway_cannot_charge")
    assert attempts(invoice) == [(1, "failed")]


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_hook_at_once_make_one_attempt(settings: Any) -> None:
    settings.SANDBOX_GATEWAY_NAMESPACE = f"test-retries-{uuid.uuid4().hex[:12]}"
    invoice = failing_invoice()
    barrier = threading.Barrier(2)
    reports: list[dict[str, int]] = []

    def run() -> None:
        try:
            barrier.wait()
            reports.append(retries_due(JAN10 + days(3)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert attempts(invoice) == [(1, "failed"), (2, "pending")]
    assert sum(r.get("retried", 0) for r in reports) == 1
    SandboxGateway().reset()


# ------------------------------------------------------------------------------------ API


def test_api_policies_global_and_per_plan(api: Any) -> None:
    pro = priced_plan("pro", "25")
    assert api.get("/api/v1/retry-policies/").json() == {
        "plan_id": None, "plan": None, "days": [3, 5, 7], "scope": "default", "updated_at": None
    }  # fmt: skip
    done = api.put("/api/v1/retry-policies/", {"days": [2, 4]}, format="json")
    assert (done.status_code, done.json()["days"], done.json()["scope"]) == (200, [2, 4], "global")
    url = f"/api/v1/plans/{pro.pk}/retry-policy/"
    assert api.get(url).json()["scope"] == "global"
    mine = api.put(url, {"days": [1]}, format="json").json()
    assert (mine["plan"], mine["plan_id"], mine["days"], mine["scope"]) == (
        "pro",
        pro.pk,
        [1],
        "plan",
    )
    for body, field, code in (
        ({"days": [3, 2]}, "days[1]", "not_ascending"),
        ({"days": [4, 4]}, "days[1]", "duplicate"),
        ({"days": [0]}, "days[0]", "min_value"),
        ({"days": list(range(1, 12))}, "days", "max_length"),
        ({"days": [1], "every": "day"}, "every", "unknown_field"),
        ({}, "days", "required"),
    ):
        refused = api.put(url, body, format="json")
        assert refused.status_code == 400, body
        (error,) = refused.json()["errors"]
        assert (error["field"], error["code"]) == (field, code), body
    assert api.get(url).json()["days"] == [1]
    assert api.delete(url).status_code == 204
    assert api.get(url).json()["scope"] == "global"
    assert api.delete(url).status_code == 404
    assert api.get("/api/v1/plans/999999/retry-policy/").status_code == 404
    assert JournalEvent.objects.filter(type="retry_policy.updated").count() == 3


def test_api_retry_now_honours_the_idempotency_key_and_refuses_with_a_field(
    api: Any, sandbox: SandboxGateway
) -> None:
    invoice = failing_invoice()
    url = f"/api/v1/invoices/{invoice.pk}/retry-payment/"
    first = api.post(url, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert (body["invoice"], body["attempt"], body["state"], body["amount"]) == (
        invoice.pk, 2, "pending", "40.0000"
    )  # fmt: skip
    again = api.post(url, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert (again.status_code, again.json()["id"]) == (201, body["id"])
    assert again.headers["Idempotent-Replayed"] == "true"
    refused = api.post(url, HTTP_IDEMPOTENCY_KEY="retry-2")
    assert refused.status_code == 400
    (error,) = refused.json()["errors"]
    assert (error["field"], error["code"]) == ("invoice", "attempt_pending")
    assert api.post("/api/v1/invoices/999999/retry-payment/").status_code == 404
    assert len(attempts(invoice)) == 2


def test_api_routes_are_in_the_schema(api: Any) -> None:
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert set(paths["/api/v1/retry-policies/"]) >= {"get", "put"}
    assert set(paths["/api/v1/plans/{id}/retry-policy/"]) >= {"get", "put", "delete"}
    post = paths["/api/v1/invoices/{id}/retry-payment/"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in post["parameters"]}


# ----------------------------------------------------------------------------------- admin


@pytest.fixture
def viewer(django_user_model: Any) -> Any:
    """Staff who may view everything and change nothing (a client of its own)."""
    user = django_user_model.objects.create_user("auditor", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client = Client()
    client.force_login(user)
    return client


def test_admin_sets_policies_through_the_service(staff_client: Any) -> None:
    add = reverse("admin:payments_retrypolicy_add")
    refused = staff_client.post(add, {"plan": "", "days": "5, 3"})
    assert refused.status_code == 200
    assert "days" in refused.context["adminform"].form.errors
    refused = staff_client.post(add, {"plan": "", "days": "5, x"})
    assert "days" in refused.context["adminform"].form.errors
    assert not RetryPolicy.objects.exists()
    assert staff_client.post(add, {"plan": "", "days": "2, 4, 8"}).status_code == 302
    policy = RetryPolicy.objects.get()
    assert (policy.plan_id, policy.days) == (None, [2, 4, 8])
    change = reverse("admin:payments_retrypolicy_change", args=[policy.pk])
    page = staff_client.get(change)
    assert page.status_code == 200
    assert b"2, 4, 8" in page.content
    assert staff_client.post(change, {"days": ""}).status_code == 302  # no retries
    assert RetryPolicy.objects.get().days == []
    event = JournalEvent.objects.filter(type="retry_policy.updated").last()
    assert event is not None
    assert event.actor["label"] == "finance"
    removed = staff_client.post(
        reverse("admin:payments_retrypolicy_changelist"),
        {"action": "remove_selected", "_selected_action": [policy.pk]},
        follow=True,
    )
    assert "cannot be removed" in removed.content.decode()
    assert RetryPolicy.objects.exists()


def test_admin_retry_now_confirms_then_retries_and_viewers_cannot(
    staff_client: Any, viewer: Any, sandbox: SandboxGateway
) -> None:
    invoice = failing_invoice()
    url = reverse("admin:payments_retry_now", args=[invoice.pk])
    assert viewer.get(url).status_code == 403
    assert viewer.post(url).status_code == 403
    api_url = f"/api/v1/invoices/{invoice.pk}/retry-payment/"
    assert viewer.post(api_url).status_code == 403  # a session without add_payment
    assert (
        viewer.put("/api/v1/retry-policies/", {"days": [1]}, "application/json").status_code == 403
    )
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "Attempt 2 charges the amount due" in page.content.decode()
    assert len(attempts(invoice)) == 1
    done = staff_client.post(url)
    assert done.status_code == 302
    assert done.url == reverse("admin:invoicing_invoice_change", args=[invoice.pk])
    assert attempts(invoice) == [(1, "failed"), (2, "pending")]
    refused = staff_client.post(url)
    assert refused.status_code == 200
    assert "still pending" in refused.content.decode()
    assert len(attempts(invoice)) == 2
