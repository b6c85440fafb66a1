from __future__ import annotations

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
