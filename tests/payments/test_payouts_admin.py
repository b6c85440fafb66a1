"""Payouts in the admin: pages render, writes go through the services, refusals on the field."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from payments.gateways.sandbox import SandboxGateway
from payments.models.payouts import Payee, Payout, PayoutSchedule
from payments.services.payouts import payout_method_add, payout_schedule_create
from payments.services.payouts_run import payouts_due, payouts_execute
from tests.conftest import TEST_ACTOR as ACTOR

pytestmark = pytest.mark.django_db
MON = datetime(2026, 1, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def sandbox(settings: Any) -> Iterator[SandboxGateway]:
    namespace = f"test-payouts-admin-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()


def test_staff_add_a_payee_and_a_refusal_shows_on_its_field(staff_client: Any) -> None:
    url = reverse("admin:payments_payee_add")
    bad = staff_client.post(url, {"external_id": "s1", "name": "S", "currency": "USD",
                                  "timezone": "Mars/Base"} | _empty_inlines())  # fmt: skip
    assert bad.status_code == 200
    assert "Unknown time zone" in str(bad.context["adminform"].form.errors["timezone"])
    ok = staff_client.post(url, {"external_id": "s1", "name": "S", "currency": "USD",
                                 "timezone": "UTC"} | _empty_inlines())  # fmt: skip
    assert ok.status_code == 302
    payee = Payee.objects.get(external_id="s1")
    assert (
        staff_client.get(reverse("admin:payments_payee_change", args=[payee.pk])).status_code == 200
    )


def _empty_inlines() -> dict[str, str]:
    data = {}
    for prefix in ("payout_methods", "customer_links", "schedules"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def test_a_schedule_refused_on_its_field_then_run_and_payouts_retried_and_canceled(
    staff_client: Any,
) -> None:
    payee = Payee.objects.create(external_id="s2", name="S", currency="USD", created_at=MON,
                                 updated_at=MON)  # fmt: skip
    payout_method_add(payee_id=payee.pk, gateway="sandbox", token="tok_declined", actor=ACTOR,
                      as_of=MON)  # fmt: skip
    add = reverse("admin:payments_payoutschedule_add")
    form = {"payee": payee.pk, "interval_unit": "week", "interval_count": 1,
            "anchor": "2026-01-05", "amount_kind": "percentage", "percentage": "150"}  # fmt: skip
    refused = staff_client.post(add, form)
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert "percentage" in errors, errors
    schedule = payout_schedule_create(
        payee_id=payee.pk, interval_unit="week", interval_count=1, anchor=MON.date(),
        amount_kind="fixed", fixed_amount=Decimal("9.00"), actor=ACTOR,
        as_of=MON,
    )  # fmt: skip
    payouts_due(MON + timedelta(weeks=2))
    ids = list(Payout.objects.order_by("pk").values_list("pk", flat=True))
    payouts_execute(payout_ids=ids, as_of=MON + timedelta(weeks=2), actor=ACTOR)
    assert set(Payout.objects.values_list("state", flat=True)) == {"failed"}
    page = staff_client.get(reverse("admin:payments_payout_change", args=[ids[0]]))
    assert page.status_code == 200
    assert "payout_declined" in page.content.decode()  # the timeline
    assert staff_client.get(reverse("admin:payments_payout_changelist"),
                            {"state__exact": "failed"}).status_code == 200  # fmt: skip
    changelist = reverse("admin:payments_payout_changelist")
    staff_client.post(changelist, {"action": "retry_selected", "_selected_action": [ids[0]]})
    staff_client.post(changelist, {"action": "cancel_selected", "_selected_action": [ids[1]]})
    assert dict(Payout.objects.values_list("pk", "state")) == {
        ids[0]: "pending",
        ids[1]: "canceled",
    }
    run = reverse("admin:payments_payoutschedule_changelist")
    staff_client.post(run, {"action": "run_selected", "_selected_action": [schedule.pk]})
    assert PayoutSchedule.objects.get(pk=schedule.pk).next_index >= 2
    for name in ("payoutschedule", "payoutmethod", "payeecustomer", "payee"):
        assert staff_client.get(reverse(f"admin:payments_{name}_changelist")).status_code == 200
