"""Importing a customer's history (issue 17, item 16): validated first, replayed at its instants
through the subscription services and billed up to now by the clock's writer, dated as the
clock would have; once per key; refused inside a finalized period; through the API (its own
scope) and the admin (a dry run that writes nothing)."""

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

from billing.models import Customer, JournalEvent, Subscription
from billing.services import (
    api_key_create,
    customer_create,
    subscription_cancel,
    subscription_change,
    subscription_create,
)
from billing.services import testclocks as clocks
from catalog.models import Plan
from core.exceptions import Conflict
from integrations.testclocks import clock_advance, clock_advance_run
from invoicing.models import ImportRun, Invoice
from invoicing.services.imports import import_run, import_validate
from tests.billing.subs import priced_plan
from tests.conftest import TEST_ACTOR as ACTOR

pytestmark = pytest.mark.django_db

D = Decimal
NOW = datetime(2026, 4, 20, tzinfo=UTC)
JAN20 = datetime(2026, 1, 20, tzinfo=UTC)  # three months ago
MAR6 = datetime(2026, 3, 6, tzinfo=UTC)  # mid second month: 14 days into Feb 20 - Mar 20
APR10 = datetime(2026, 4, 10, tzinfo=UTC)  # ten days ago


@pytest.fixture
def plans() -> tuple[Plan, Plan]:
    # monthly, fee in advance, versions in force from 2020-01-01
    return priced_plan("basic", "30"), priced_plan("premium", "60")


def history(
    key: str = "acme-1", external_id: str = "acme", cancel: bool = True, **options: Any
) -> dict[str, Any]:
    events: list[dict[str, Any]] = [
        {"type": "change", "at": MAR6.isoformat(), "plan": "premium"},
    ]
    if cancel:
        events.append({"type": "cancel", "at": APR10.isoformat()})
    return {
        "key": key,
        # terms of a year: no invoice is overdue in these months (no dunning on either side)
        "customer": {
            "external_id": external_id,
            "name": "Acme",
            "currency": "USD",
            "payment_terms_days": 365,
        },
        "subscriptions": [{"plan": "basic", "start_at": JAN20.isoformat(), "events": events}],
        **options,
    }


def invoices(customer: Customer) -> list[tuple[Any, ...]]:
    return [
        (
            i.billing_date,
            i.finalized_at,
            i.status,
            i.total,
            sorted((line.amount, line.period_start, line.period_end) for line in i.lines.all()),
        )
        for i in Invoice.objects.filter(customer=customer).order_by("billing_date", "pk")
    ]


def test_a_history_is_billed_as_the_clock_would_have(plans: tuple[Plan, Plan]) -> None:
    run = import_run(document=history(), actor=ACTOR, as_of=NOW)
    assert run.status == "succeeded", run.error
    customer = Customer.objects.get(external_id="acme")
    assert customer.created_at == JAN20
    sub = Subscription.objects.get(customer=customer)
    assert (sub.status, sub.plan.code, sub.canceled_at) == ("canceled", "premium", APR10)
    got = [(i[0], i[1], i[2], i[3]) for i in invoices(customer)]
    # periods Jan 20 - Feb 20 (31 days), Feb 20 - Mar 20 (28 days), Mar 20 - Apr 20 (31 days);
    # fees in advance; proration by the second; grace period 0: finalized at the billing date
    march = D("60.00") + D("60") * 14 / 28 - D("30") * 14 / 28  # 60 + 30.00 - 15.00 = 75.00
    april = -(D("60") * 10 / 31).quantize(D("0.01"))  # unused Apr 10 - Apr 20: -19.35
    assert march == D("75.00")
    assert april == D("-19.35")
    # settle "paid_outside" (the default): each invoice with something due is paid at once
    assert got == [
        (JAN20, JAN20, "paid", D("30.00")),  # basic, Jan 20 - Feb 20
        (datetime(2026, 2, 20, tzinfo=UTC), datetime(2026, 2, 20, tzinfo=UTC), "paid", D("30.00")),
        # premium for Mar 20 - Apr 20, and the change's lines carried to this period end
        (datetime(2026, 3, 20, tzinfo=UTC), datetime(2026, 3, 20, tzinfo=UTC), "paid", march),
        # the cancellation's credit (its negative total goes to the balance: paid)
        (APR10, APR10, "paid", april),
    ]
    numbers = list(
        Invoice.objects.filter(customer=customer)
        .order_by("billing_date")
        .values_list("number", flat=True)
    )
    assert all(numbers)
    assert numbers == sorted(numbers)
    assert set(run.invoices.values_list("pk", flat=True)) == set(
        Invoice.objects.filter(customer=customer).values_list("pk", flat=True)
    )
    assert list(run.subscriptions.all()) == [sub]
    assert (run.steps, run.done, run.customer_id) == (3, 3, customer.pk)
    event = JournalEvent.objects.get(type="import.completed")
    assert event.payload["import"]["invoices"][2]["total"] == "75.0000"
    # the journal is dated at the history's instants
    changed = JournalEvent.objects.filter(type="subscription.updated", subject_id=str(sub.pk))
    assert MAR6 in set(changed.values_list("occurred_at", flat=True))


def test_the_same_history_on_a_test_clock_gives_the_same_invoices(
    plans: tuple[Plan, Plan],
) -> None:
    basic, premium = plans
    import_run(document=history(settle="open"), actor=ACTOR, as_of=NOW)
    imported = invoices(Customer.objects.get(external_id="acme"))

    clock = clocks.clock_create(name="replay", frozen_time=JAN20, actor=ACTOR,
                                as_of=timezone.now())  # fmt: skip
    data = {"external_id": "acme-clock", "name": "Acme", "currency": "USD",
            "payment_terms_days": 365}  # fmt: skip
    who = customer_create(actor=ACTOR, as_of=JAN20, data=data, test_clock_id=clock.pk)
    sub = subscription_create(customer_id=who.pk, plan_id=basic.pk, actor=ACTOR, as_of=JAN20,
                              start_at=JAN20)  # fmt: skip

    def advance(to: datetime) -> None:
        clock_advance(test_clock_id=clock.pk, frozen_time=to, actor=ACTOR, as_of=timezone.now())
        assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now, seconds=3600) == "ready"

    advance(MAR6)
    subscription_change(subscription_id=sub.pk, actor=ACTOR, as_of=MAR6, plan_id=premium.pk,
                        when="now")  # fmt: skip
    advance(APR10)
    subscription_cancel(subscription_id=sub.pk, actor=ACTOR, as_of=APR10)
    advance(NOW)
    assert invoices(who) == imported
    assert len(imported) == 4


def test_the_same_key_again_does_nothing_and_another_document_under_it_is_refused(
    plans: tuple[Plan, Plan],
) -> None:
    first = import_run(document=history(), actor=ACTOR, as_of=NOW)
    counts = (Invoice.objects.count(), Subscription.objects.count(), JournalEvent.objects.count())
    again = import_run(document=history(), actor=ACTOR, as_of=NOW)
    assert again.pk == first.pk
    assert counts == (
        Invoice.objects.count(), Subscription.objects.count(), JournalEvent.objects.count()
    )  # fmt: skip
    with pytest.raises(Conflict) as refused:
        import_run(document=history(cancel=False), actor=ACTOR, as_of=NOW)
    assert (refused.value.code, refused.value.field) == ("import_key_reused", "key")
    assert ImportRun.objects.count() == 1


def test_a_history_touching_a_finalized_period_is_refused_with_the_invoice(
    plans: tuple[Plan, Plan], api: APIClient
) -> None:
    import_run(document=history(cancel=False), actor=ACTOR, as_of=NOW)
    sub = Subscription.objects.get(customer__external_id="acme")
    feb = Invoice.objects.get(customer__external_id="acme", billing_date__day=20,
                              billing_date__month=2)  # fmt: skip
    later = {
        "key": "acme-2",
        "customer": {"external_id": "acme"},
        "subscriptions": [
            {"subscription": sub.pk, "events": [{"type": "pause", "at": "2026-02-25T00:00:00Z"}]}
        ],
    }
    with time_machine.travel(NOW, tick=False):
        answer = api.post("/api/v1/imports/", later, format="json")
    assert answer.status_code == 409, answer.json()
    error = answer.json()["errors"][0]
    assert (error["field"], error["code"]) == ("subscriptions[0].events[0].at", "finalized_period")
    assert feb.number in error["message"]
    assert ImportRun.objects.count() == 1


BAD = [
    ({"subscriptions": [{"plan": "gold"}]}, "subscriptions[0].plan", "unknown_plan"),
    (
        {"subscriptions": [{"start_at": "2019-06-01T00:00:00Z"}]},
        "subscriptions[0].plan",
        "no_price_in_force",
    ),
    (
        {
            "events": [
                {"type": "pause", "at": "2026-03-01T00:00:00Z"},
                {"type": "resume", "at": "2026-02-01T00:00:00Z"},
            ]
        },
        "subscriptions[0].events[1].at",
        "out_of_order",
    ),
    (
        {"events": [{"type": "pause", "at": "2026-05-01T00:00:00Z"}]},
        "subscriptions[0].events[0].at",
        "in_future",
    ),
    (
        {"events": [{"type": "pause", "at": "2026-01-01T00:00:00Z"}]},
        "subscriptions[0].events[0].at",
        "before_start",
    ),
    (
        {"events": [{"type": "change", "at": "2026-03-01T00:00:00Z", "plan": "gold"}]},
        "subscriptions[0].events[0].plan",
        "unknown_plan",
    ),
    (
        {"events": [{"type": "resume", "at": "2026-03-01T00:00:00Z"}]},
        "subscriptions[0].events[0].type",
        "transition",
    ),
    (
        {"events": [{"type": "pause", "at": "2026-03-01T00:00:00Z", "bogus": 1}]},
        "subscriptions[0].events[0].bogus",
        "unknown_field",
    ),
]


def _bad(change: dict[str, Any]) -> dict[str, Any]:
    doc = history(cancel=False)
    sub = doc["subscriptions"][0]
    if "subscriptions" in change:
        sub.update(change["subscriptions"][0])
    if "events" in change:
        sub["events"] = change["events"]
    return doc


@pytest.mark.parametrize(("change", "path", "code"), BAD)
def test_a_bad_document_is_refused_with_the_path_and_writes_nothing(
    plans: tuple[Plan, Plan], api: APIClient, change: dict[str, Any], path: str, code: str
) -> None:
    journal = JournalEvent.objects.count()
    with time_machine.travel(NOW, tick=False):
        answer = api.post("/api/v1/imports/", _bad(change), format="json")
    assert answer.status_code == 400, answer.json()
    assert (answer.json()["errors"][0]["field"], answer.json()["errors"][0]["code"]) == (path, code)
    assert (ImportRun.objects.count(), Customer.objects.count()) == (0, 0)
    assert JournalEvent.objects.count() == journal


def test_the_imports_scope(plans: tuple[Plan, Plan]) -> None:
    def client(*scopes: str) -> APIClient:
        c = APIClient()
        secret = api_key_create(name="k", actor=ACTOR, as_of=timezone.now(), scopes=scopes)[1]
        c.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return c

    with time_machine.travel(NOW, tick=False):
        refused = client("subscriptions:write", "customers:write", "invoices:write").post(
            "/api/v1/imports/", history(), format="json"
        )
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["required_scope"] == "imports:write"
        reader = client("imports:read")
        assert reader.post("/api/v1/imports/", history(), format="json").status_code == 403
        assert reader.post("/api/v1/imports/validate/", history(), format="json").status_code == 200
        writer = client("imports:write")
        created = writer.post("/api/v1/imports/", history(), format="json")
        assert created.status_code == 201, created.json()
        body = created.json()
        assert body["status"] == "succeeded"
        assert [i["total"] for i in body["invoices"]] == ["30.0000", "30.0000", "75.0000",
                                                          "-19.3500"]  # fmt: skip
        again = writer.post("/api/v1/imports/", history(), format="json")
        assert (again.status_code, again.json()["id"]) == (200, body["id"])
        listed = reader.get("/api/v1/imports/").json()
        assert [r["id"] for r in listed["results"]] == [body["id"]]
        assert reader.get(f"/api/v1/imports/{body['id']}/").json()["key"] == "acme-1"


def test_the_dry_run_writes_nothing_and_says_what_would_be_billed(
    plans: tuple[Plan, Plan],
) -> None:
    preview = import_validate(document=history(), as_of=NOW).preview()
    # the periods billed up to the cancellation: Jan 20, Feb 20, Mar 20 (its third, cut short)
    assert [p[0][:10] for p in preview["subscriptions"][0]["periods"]] == [
        "2026-01-20", "2026-02-20", "2026-03-20",
    ]  # fmt: skip
    assert [s["action"] for s in preview["steps"]] == ["start", "change", "cancel"]


def test_the_admin_page_validates_without_writing_then_imports(
    plans: tuple[Plan, Plan], client: Client, django_user_model: Any
) -> None:
    staff = django_user_model.objects.create_superuser("imp", "imp@example.com", "pw-12345")
    client.force_login(staff)
    url = reverse("admin:invoicing_importrun_import")
    counts = (Customer.objects.count(), ImportRun.objects.count(), JournalEvent.objects.count())
    with time_machine.travel(NOW, tick=False):
        page = client.post(url, {"document": json.dumps(history()), "_validate": "1"})
        assert page.status_code == 200
        text = page.content.decode()
        assert 'id="import-preview"' in text
        assert "Periods billed up to now: 3" in text
        assert counts == (
            Customer.objects.count(), ImportRun.objects.count(), JournalEvent.objects.count()
        )  # fmt: skip
        bad = client.post(url, {"document": json.dumps(_bad(BAD[0][0])), "_validate": "1"})
        assert "subscriptions[0].plan: No plan with code" in bad.content.decode()
        done = client.post(url, {"document": json.dumps(history()), "_run": "1"})
        run = ImportRun.objects.get()
        assert done.status_code == 302
        assert done["Location"] == reverse("admin:invoicing_importrun_change", args=[run.pk])
        assert run.status == "succeeded"
        listed = client.get(reverse("admin:invoicing_importrun_changelist"))
        assert 'id="import-link"' in listed.content.decode()
        shown = client.get(done["Location"]).content.decode()
        assert "75.0000 USD" in shown or "75.00" in shown


def test_the_import_page_needs_the_permission(client: Client, django_user_model: Any) -> None:
    clerk = django_user_model.objects.create_user("clerk", "c@example.com", "pw", is_staff=True)
    client.force_login(clerk)
    assert client.get(reverse("admin:invoicing_importrun_import")).status_code == 403
