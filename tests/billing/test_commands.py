from __future__ import annotations

from datetime import UTC, datetime
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


def _created(*args: str) -> tuple[ApiKey, str, str]:
    out = StringIO()
    call_command("apikey_create", *args, stdout=out)
    text = out.getvalue().strip()
    return ApiKey.objects.latest("pk"), text.splitlines()[-1], text


def test_apikey_create_takes_scopes_expiry_and_allowed_ips() -> None:
    key, raw, text = _created(
        "--name", "metering", "--scope", "events:write", "--scope", "customers:read",
        "--expires-at", "2031-01-31T00:00:00Z",
        "--allow-ip", "203.0.113.7", "--allow-ip", "10.0.0.0/8",
    )  # fmt: skip
    assert key.name == "metering"
    assert sorted(key.scopes) == ["customers:read", "events:write"]
    assert key.expires_at == datetime(2031, 1, 31, tzinfo=UTC)
    assert key.allowed_ips == ["203.0.113.7", "10.0.0.0/8"]
    assert key.prefix in raw
    assert "expires 2031-01-31T00:00:00+00:00" in text
    assert "from 203.0.113.7, 10.0.0.0/8" in text
    # the key does what its scopes say, from an allowed address only
    client = APIClient(REMOTE_ADDR="10.1.2.3")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/customers/").status_code == 200
    refused = client.get("/api/v1/invoices/")
    assert refused.status_code == 403
    assert "invoices:read" in refused.json()["errors"][0]["message"]
    elsewhere = APIClient(REMOTE_ADDR="192.0.2.1")
    elsewhere.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert elsewhere.get("/api/v1/customers/").status_code == 403


def test_apikey_create_defaults_to_a_full_key_for_ever_from_anywhere() -> None:
    key, _, text = _created("--name", "plain")
    assert key.scopes == ["full"]
    assert key.expires_at is None
    assert key.allowed_ips == []
    assert "scopes full, expires never, from anywhere" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", " "], "--name: An API key needs a name."),
        (["--scope", "events:write", "--scope", "invoices:wrte"],
         "--scope #2: Unknown scope 'invoices:wrte'"),
        (["--scope", "full", "--scope", "read"], "--scope: `full` grants everything"),
        (["--expires-at", "next tuesday"],
         "--expires-at: 'next tuesday' is not an ISO 8601 date and time"),
        (["--expires-at", "2031-01-31T00:00:00"],
         "--expires-at: A date and time with its time zone."),
        (["--expires-at", "2001-01-31T00:00:00+01:00"],
         "--expires-at: The expiry must be in the future"),
        (["--allow-ip", "10.0.0.1", "--allow-ip", "10.0.0.5/24"],
         "--allow-ip #2: '10.0.0.5/24' has host bits set: did you mean '10.0.0.0/24'?"),
        (["--allow-ip", "intranet"], "--allow-ip #1: 'intranet' is neither an IP address"),
    ],
)  # fmt: skip
def test_apikey_create_refuses_bad_options_with_the_reason(args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("apikey_create", "--name", "refused", *args, stdout=StringIO())
    assert str(refused.value).startswith(message)
    assert not ApiKey.objects.exists()


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
