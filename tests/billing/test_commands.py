from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from rest_framework.test import APIClient

from billing.models import ApiKey, Customer

pytestmark = pytest.mark.django_db


def test_apikey_create_prints_a_working_key_and_revoke_stops_it() -> None:
    out = StringIO()
    call_command("apikey_create", "--name", "cli", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/customers/").status_code == 200
    call_command("apikey_revoke", ApiKey.objects.get(name="cli").prefix, stdout=StringIO())
    assert client.get("/api/v1/customers/").status_code == 401
    with pytest.raises(CommandError, match="already revoked"):
        call_command("apikey_revoke", ApiKey.objects.get(name="cli").prefix, stdout=StringIO())


@override_settings(DEBUG=True)  # a development machine: seed_demo refuses to run without DEBUG
def test_seed_demo_is_idempotent() -> None:
    call_command("seed_demo", stdout=StringIO())
    counts = (Customer.objects.count(), ApiKey.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Customer.objects.count(), ApiKey.objects.count()) == counts == (5, 1)
    from catalog.models import Plan, PlanVersion

    assert PlanVersion.objects.filter(plan=Plan.objects.get(code="pro")).count() == 1
    from payments.models import PaymentMethod

    [card] = PaymentMethod.objects.all()  # Acme's card, once; Globex pays by bank transfer
    assert (card.customer.external_id, card.token, card.is_default) == ("acme", "tok_ok+acme", True)
    assert not Customer.objects.get(external_id="globex").auto_collection
    assert PlanVersion.objects.get().status == "published"
    assert set(Customer.objects.values_list("currency", flat=True)) == {
        "USD",
        "EUR",
        "JPY",
        "KWD",
        "AUD",
    }


@override_settings(DEBUG=True)
def test_seed_demo_has_a_payee_and_a_customer_in_dunning() -> None:
    from django.utils import timezone

    from core.audit import CLOCK
    from invoicing.models import Invoice
    from payments.models.payouts import PayeeCustomer, PayoutSchedule
    from payments.services.dunning import dunning_evaluate

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    [schedule] = PayoutSchedule.objects.select_related("payee")
    assert (schedule.payee.external_id, schedule.interval_unit, schedule.percentage) == (
        "northwind", "week", Decimal(10),
    )  # fmt: skip
    [link] = PayeeCustomer.objects.all()
    assert link.customer.external_id == "acme"
    globex = Customer.objects.get(external_id="globex")
    [invoice] = Invoice.objects.filter(customer=globex)
    assert (invoice.status, invoice.total) == ("open", Decimal("1428.00"))  # 19% VAT on top
    transition = dunning_evaluate(customer_id=globex.pk, as_of=timezone.now(), actor=CLOCK)
    assert transition is not None
    assert (transition.to_code, transition.days_past_due) == ("warning", 11)
