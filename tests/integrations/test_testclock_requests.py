"""Request handlers acting on a test customer (issue 15, test clocks review items 2, 8, 12): every
write of the API and the admin on a test customer happens at its clock's time, never the wall
clock's (none of its journal events, documents or transitions is dated after the clock); dunning
and corrections clamp a time past the clock; writes are refused (409 `test_clock_advancing`)
while its clock advances; reads are at the clock's time; the invoice list filters `livemode`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Customer, JournalEvent, TestClock
from billing.selectors import customer_as_of
from billing.services import customer_create, journal_dispatch, subscription_create
from billing.services import testclocks as clocks
from integrations.testclocks import clock_advance, clock_advance_run
from invoicing.models import Invoice
from invoicing.services.drafts import invoice_draft_create
from payments.gateways.sandbox import SandboxGateway
from payments.models.dunning import CustomerDunning, DunningTransition
from payments.services import payment_method_add
from payments.services.dunning import dunning_evaluate
from tests.billing.subs import priced_plan
from tests.catalog.factories import feature
from tests.conftest import TEST_ACTOR as ACTOR

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 1, tzinfo=UTC)
JAN2 = T0 + timedelta(days=1)
# the catalogue, keys and the clock itself are written at the wall clock: not the customer's
NOT_THE_CUSTOMERS = ("test_clock", "api_key", "plan", "plan_version", "feature", "metric")


@pytest.fixture
def sandbox(settings: Any) -> Iterator[SandboxGateway]:
    namespace = f"testclock-requests-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual"]
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()


def a_clock() -> TestClock:
    return clocks.clock_create(name="requests", frozen_time=T0, actor=ACTOR, as_of=timezone.now())


def debtor(clock: TestClock, external_id: str = "debtor") -> Customer:
    """A test customer, terms 0, a card the sandbox always declines, 30.00 a month."""
    data = {"external_id": external_id, "name": external_id, "currency": "USD",
            "timezone": "UTC", "payment_terms_days": 0}  # fmt: skip
    who = customer_create(actor=ACTOR, as_of=T0, data=data, test_clock_id=clock.pk)
    card = {"gateway": "sandbox", "token": f"tok_declined+{uuid.uuid4().hex[:8]}", "kind": "card",
            "brand": "visa", "last4": "0002", "exp_month": 12, "exp_year": 2030}  # fmt: skip
    payment_method_add(customer_id=who.pk, actor=ACTOR, as_of=T0, data=card)
    plan = priced_plan(f"req-{external_id}", "30")
    subscription_create(customer_id=who.pk, plan_id=plan.pk, actor=ACTOR, as_of=T0, start_at=T0)
    return who


def a_live_customer(external_id: str) -> Customer:
    data = {"external_id": external_id, "name": external_id, "currency": "USD"}
    return customer_create(actor=ACTOR, as_of=T0, data=data)


def advance(clock: TestClock, to: datetime) -> None:
    clock_advance(test_clock_id=clock.pk, frozen_time=to, actor=ACTOR, as_of=timezone.now())
    assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now, seconds=3600) == "ready"


def in_reminder(clock: TestClock, external_id: str = "debtor") -> Customer:
    """The reviewer's repro: Jan 1 declined, after an advance to Jan 2 in dunning's Reminder."""
    who = debtor(clock, external_id)
    advance(clock, JAN2)
    assert Invoice.objects.get(customer=who).status == "open"
    assert states(who) == ["reminder"]
    return who


def states(who: Customer) -> list[str]:
    return [
        t.to_state.code if t.to_state else ""
        for t in DunningTransition.objects.filter(customer=who).order_by("sequence")
    ]


def after_the_clock(clock: TestClock) -> list[tuple[str, datetime]]:
    """Every journal event dated after the clock's time (but the clock's own), transitions and
    invoices too: none may be, all this database's data being the test clock's customers'."""
    clock.refresh_from_db()
    late = [
        (e.type, e.occurred_at)
        for e in JournalEvent.objects.filter(occurred_at__gt=clock.frozen_time).exclude(
            subject_type__in=NOT_THE_CUSTOMERS
        )
    ]
    late += [
        ("transition", t.as_of)
        for t in DunningTransition.objects.filter(as_of__gt=clock.frozen_time)
    ]
    for field in ("created_at", "updated_at", "finalized_at"):
        late += [
            (f"invoice.{field}", at)
            for at in Invoice.objects.filter(**{f"{field}__gt": clock.frozen_time}).values_list(
                field, flat=True
            )
        ]
    return late


def test_the_reviewers_repro_a_timezone_patch_and_evaluate_now_stay_at_the_clock(
    sandbox: SandboxGateway, api: APIClient
) -> None:
    """Before: PATCH wrote customer.updated at the wall clock (2026-11-30...), dunning's
    handler evaluated at it (canceled, entitlements blocked) and pinned later evaluations
    there ("never back in time"). Now everything is at Jan 2, and the Reminder stays."""
    clock = a_clock()
    who = in_reminder(clock)
    answer = api.patch(
        reverse("customer-detail", args=[who.pk]), {"timezone": "Europe/Berlin"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    journal_dispatch(as_of=timezone.now())  # dunning's handler sees the time zone change
    answer = api.post(reverse("customer-dunning-evaluate", args=[who.pk]))
    assert answer.status_code == 200, answer.content
    # the service itself clamps a wall-clock time (a caller that forgot the clock)
    dunning_evaluate(customer_id=who.pk, as_of=timezone.now(), actor=ACTOR, cause="late caller")
    assert states(who) == ["reminder"]
    record = CustomerDunning.objects.get(customer=who)
    assert record.evaluated_at == JAN2
    who.refresh_from_db()
    assert who.updated_at == JAN2
    assert after_the_clock(clock) == []


def test_write_routes_and_admin_actions_on_a_test_customer_stay_at_its_clock(
    sandbox: SandboxGateway, api: APIClient, staff_client: Any
) -> None:
    clock = a_clock()
    who = in_reminder(clock)
    feature = _feature()

    def ok(method: str, name: str, body: dict[str, Any] | None = None, *args: Any) -> None:
        url = reverse(name, args=[who.pk, *args])
        answer = getattr(api, method)(url, body or {}, format="json")
        assert answer.status_code in (200, 201, 204), (name, answer.status_code, answer.content)

    ok("put", "customer-dunning", {"policy": None})
    ok("post", "customer-dunning-evaluate")
    ok("post", "customer-wallet-grants", {"amount": "5.00", "reason": "goodwill"})
    ok("put", "customer-wallet-settings",
       {"auto_top_up": False, "threshold": None, "top_up_amount": None})  # fmt: skip
    ok("post", "customer-wallet-top-ups", {"amount": "10.00"})
    balance = {"amount": "2.00", "reason": "credit", "kind": "grant"}
    answer = api.post(f"/api/v1/customers/{who.pk}/balance/", balance, format="json")
    assert answer.status_code in (200, 201), answer.content
    answer = api.put(f"/api/v1/customers/{who.pk}/entitlements/overrides/{feature}/",
                     {"enabled": True, "reason": "beta"}, format="json")  # fmt: skip
    assert answer.status_code == 200, answer.content
    answer = api.post(f"/api/v1/customers/{who.pk}/entitlements/block/",
                      {"blocked": True, "reason": "hold"}, format="json")  # fmt: skip
    assert answer.status_code == 200, answer.content
    journal_dispatch(as_of=timezone.now())
    # the admin's actions on customers and dunning
    changelist = reverse("admin:billing_customer_changelist")
    for action in ("block_selected", "unblock_selected"):
        staff_client.post(changelist, {"action": action, "_selected_action": [who.pk]})
    staff_client.post(
        reverse("admin:payments_customerdunning_evaluate", args=[who.pk]), {"confirm": "yes"}
    )
    journal_dispatch(as_of=timezone.now())
    ok("post", "customer-archive", {"reason": "done testing"})
    journal_dispatch(as_of=timezone.now())
    assert after_the_clock(clock) == []
    assert states(who) == ["reminder"]
    who.refresh_from_db()
    assert who.archived_at == JAN2
    assert JournalEvent.objects.filter(type="customer.archived", occurred_at=JAN2).exists()


def _feature() -> str:
    return feature("beta", kind="boolean").code


def test_the_clamp_of_services_reached_at_the_wall_clock(
    sandbox: SandboxGateway,
) -> None:
    """correction_apply and rerate_scope clamp `as_of` to a test customer's clock."""
    from billing.selectors import customer_clock_clamp

    clock = a_clock()
    who = debtor(clock, "clamped")
    assert customer_clock_clamp(who, timezone.now()) == T0
    assert customer_clock_clamp(who, T0 - timedelta(days=1)) == T0 - timedelta(days=1)
    assert customer_as_of(who, timezone.now()) == T0
    live = customer_create(actor=ACTOR, as_of=T0, data={"external_id": "live", "name": "live",
                                                        "currency": "USD"})  # fmt: skip
    wall = timezone.now()
    assert customer_clock_clamp(live, wall) == wall


# ------------------------------------------------------------------ item 8: while it advances


def test_writes_on_a_test_customer_are_refused_while_its_clock_advances(
    sandbox: SandboxGateway, api: APIClient, staff_client: Any
) -> None:
    """A request reads the clock's time k, the advance steps to k+1 and bills, the request
    commits an action dated k behind the billing: refused instead (409), as Stripe does. Reads
    go on; the admin shows the refusal (no 500); a live customer is not concerned."""
    clock = a_clock()
    who = debtor(clock, "busy")
    plan = priced_plan("busy-2", "10")
    clocks.clock_advance_start(test_clock_id=clock.pk, frozen_time=JAN2, actor=ACTOR,
                               as_of=timezone.now())  # fmt: skip
    before = JournalEvent.objects.count()
    answer = api.post(reverse("subscription-list"),
                      {"customer": who.external_id, "plan": plan.code}, format="json")  # fmt: skip
    assert answer.status_code == 409, answer.content
    assert "test_clock_advancing" in answer.content.decode()
    for method, url, body in (
        ("patch", reverse("customer-detail", args=[who.pk]), {"name": "x"}),
        ("post", reverse("customer-dunning-evaluate", args=[who.pk]), {}),
        ("post", reverse("customer-wallet-grants", args=[who.pk]),
         {"amount": "5.00", "reason": "goodwill"}),
    ):  # fmt: skip
        answer = getattr(api, method)(url, body, format="json")
        assert answer.status_code == 409, (url, answer.content)
        assert "test_clock_advancing" in answer.content.decode()
    assert api.get(reverse("customer-detail", args=[who.pk])).status_code == 200
    assert api.get(reverse("customer-dunning", args=[who.pk])).status_code == 200
    assert api.get(reverse("customer-usage", args=[who.pk])).status_code == 200
    page = staff_client.post(
        reverse("admin:billing_customer_changelist"),
        {"action": "block_selected", "_selected_action": [who.pk]},
        follow=True,
    )
    assert page.status_code == 200
    assert "advancing" in page.content.decode()
    assert JournalEvent.objects.count() == before  # nothing written
    live = a_live_customer("live-busy")
    answer = api.patch(reverse("customer-detail", args=[live.pk]), {"name": "y"}, format="json")
    assert answer.status_code == 200
    # once ready, the same write goes through at the clock's time
    assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now, seconds=3600) == "ready"
    answer = api.patch(reverse("customer-detail", args=[who.pk]), {"name": "x"}, format="json")
    assert answer.status_code == 200
    who.refresh_from_db()
    assert who.updated_at == JAN2


# ------------------------------------------------------------------ item 12: reads, the list


def test_reads_are_at_the_clock_and_invoices_filter_by_mode(
    sandbox: SandboxGateway, api: APIClient
) -> None:
    clock = a_clock()
    who = in_reminder(clock, "reader")
    dunning = api.get(reverse("customer-dunning", args=[who.pk])).json()
    assert dunning["situation"]["days_past_due"] == 1  # at Jan 2, not at the wall clock
    live = a_live_customer("live-reader")
    live_draft = invoice_draft_create(customer_id=live.pk, as_of=T0, actor=ACTOR)
    test_invoice = Invoice.objects.get(customer=who)

    def listed(query: str) -> set[int]:
        answer = api.get(reverse("invoice-list") + query)
        assert answer.status_code == 200, answer.content
        return {row["id"] for row in answer.json()["results"]}

    assert listed("?livemode=false") == {test_invoice.pk}
    assert listed("?livemode=true") == {live_draft.pk}
    assert listed(f"?test_clock={clock.pk}") == {test_invoice.pk}
    assert listed("") == {test_invoice.pk, live_draft.pk}
