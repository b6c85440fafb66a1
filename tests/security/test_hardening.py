"""Production hardening (issue 11, items 13, 14 and 15): the demo data set and its published key
stay on development machines; the API docs are not public by default; every page carries a
Content-Security-Policy and a Permissions-Policy; one-off invoice lines are bounded."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import ApiKey, Customer
from billing.services import api_key_create, customer_create
from billing.services.apikeys import DEMO_API_KEY
from core.exceptions import ValidationFailed
from invoicing.services import invoice_draft_create, invoice_line_add
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db

PUBLISHED = "bk_000000000000_demo-key-for-local-use-only-never-in-production"


# ------------------------------------------------------------------ item 13: seed_demo, demo key


def test_the_published_demo_key_is_the_one_the_readme_prints() -> None:
    assert DEMO_API_KEY == PUBLISHED


@override_settings(DEBUG=False)
def test_seed_demo_refuses_to_run_without_debug() -> None:
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
    assert not get_user_model().objects.filter(username="admin").exists()
    assert not ApiKey.objects.exists()
    assert not Customer.objects.exists()


@override_settings(DEBUG=False)
def test_seed_demo_runs_without_debug_only_when_told_it_is_not_production() -> None:
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=StringIO())
    assert Customer.objects.count() == 5


def _demo_key_client() -> APIClient:
    api_key_create(name="demo", actor=TEST_ACTOR, as_of=timezone.now(), raw_key=PUBLISHED)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {PUBLISHED}")
    return client


@override_settings(DEBUG=False)
def test_the_published_demo_key_is_refused_without_debug() -> None:
    answer = _demo_key_client().get("/api/v1/customers/")
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["code"] == "authentication_failed"


@override_settings(DEBUG=True)
def test_the_published_demo_key_works_on_a_development_machine() -> None:
    assert _demo_key_client().get("/api/v1/customers/").status_code == 200


@override_settings(DEBUG=False)
def test_other_keys_work_without_debug(api: APIClient) -> None:
    assert api.get("/api/v1/customers/").status_code == 200


# ------------------------------------------------------------- item 15: one-off lines are bounded


@pytest.fixture
def draft() -> Any:
    customer = customer_create(
        actor=TEST_ACTOR,
        as_of=timezone.now(),
        data={"external_id": "acme", "name": "Acme", "currency": "USD"},
    )
    return invoice_draft_create(
        customer_id=customer.pk, grace_days=7, as_of=timezone.now(), actor=TEST_ACTOR
    )


def _add(draft: Any, amount: str, quantity: str = "1") -> Any:
    return invoice_line_add(
        invoice_id=draft.pk,
        description="one-off",
        amount=Decimal(amount),
        quantity=Decimal(quantity),
        as_of=timezone.now(),
        actor=TEST_ACTOR,
    )


def test_a_negative_one_off_line_of_a_billion_is_refused_by_the_api(
    api: APIClient, draft: Any
) -> None:
    answer = api.post(
        f"/api/v1/invoices/{draft.pk}/lines/",
        {"description": "probe", "amount": "-1000000000"},
        format="json",
    )
    assert answer.status_code == 400
    error = answer.json()["errors"][0]
    assert error["field"] == "amount"
    assert error["code"] == "max_value"
    assert not draft.lines.exists()


@pytest.mark.parametrize(
    ("amount", "quantity"), [("1000000.01", "1"), ("-1000000.01", "1"), ("500000.01", "2")]
)
def test_the_line_amount_is_bounded_in_the_service(draft: Any, amount: str, quantity: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _add(draft, amount, quantity)
    assert refused.value.field == "amount"


def test_a_line_up_to_the_bound_is_accepted(draft: Any) -> None:
    assert _add(draft, "-1000000").amount == Decimal("-1000000.00")
    assert _add(draft, "500000", "2").amount == Decimal("1000000.00")


@override_settings(ONE_OFF_LINE_MAX=100, ONE_OFF_LINE_MAX_BY_CURRENCY={"JPY": 15000})
def test_the_bound_is_a_setting_per_currency(draft: Any) -> None:
    with pytest.raises(ValidationFailed):
        _add(draft, "100.01")
    assert _add(draft, "100").amount == Decimal("100.00")
    yen = customer_create(
        actor=TEST_ACTOR,
        as_of=timezone.now(),
        data={"external_id": "initech", "name": "Initech", "currency": "JPY"},
    )
    yen_draft = invoice_draft_create(
        customer_id=yen.pk, grace_days=7, as_of=timezone.now(), actor=TEST_ACTOR
    )
    assert _add(yen_draft, "15000").amount == Decimal(15000)
    with pytest.raises(ValidationFailed):
        _add(yen_draft, "15001")


# ------------------------------------------ item 14: docs visibility, CSP and Permissions-Policy

DOCS = ("/api/schema/", "/api/docs/")


@override_settings(API_DOCS_PUBLIC=False)
@pytest.mark.parametrize("path", DOCS)
def test_the_docs_are_not_public_by_default(anon_api: APIClient, path: str) -> None:
    assert anon_api.get(path).status_code == 401


@override_settings(API_DOCS_PUBLIC=False)
@pytest.mark.parametrize("path", DOCS)
def test_a_logged_in_user_who_is_not_staff_gets_no_docs(django_user_model: Any, path: str) -> None:
    client = APIClient()
    client.force_login(django_user_model.objects.create_user("someone", "s@example.com", "pw"))
    assert client.get(path).status_code in (401, 403)


@override_settings(API_DOCS_PUBLIC=False)
@pytest.mark.parametrize("path", DOCS)
def test_staff_and_api_keys_read_the_docs(
    django_user_model: Any, api: APIClient, path: str
) -> None:
    staff = APIClient()
    staff.force_login(
        django_user_model.objects.create_user("s", "s@example.com", "pw", is_staff=True)
    )
    assert staff.get(path).status_code == 200
    if path == "/api/schema/":
        assert api.get(path).status_code == 200


@override_settings(API_DOCS_PUBLIC=True)
@pytest.mark.parametrize("path", DOCS)
def test_the_docs_can_be_made_public(anon_api: APIClient, path: str) -> None:
    assert anon_api.get(path).status_code == 200


def test_the_docs_setting_defaults_to_debug() -> None:
    """Off in production (DEBUG off), on under `make run`."""

    def read(debug: str) -> str:
        code = "import django; django.setup(); from django.conf import settings; "
        code += "print(settings.API_DOCS_PUBLIC)"
        env = {k: v for k, v in os.environ.items() if k != "API_DOCS_PUBLIC"}
        env |= {"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": debug}
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    assert read("false") == "False"
    assert read("true") == "True"


def _csp(response: Any) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/", "/api/v1/customers/", "/healthz"])
def test_every_page_has_a_csp_and_a_permissions_policy(staff_client: Any, path: str) -> None:
    response = staff_client.get(path, follow=True)
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    policy = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_the_docs_page_has_no_inline_script(staff_client: Any) -> None:
    html = staff_client.get("/api/docs/").content.decode()
    assert "<script>" not in html
    assert "cdn" not in html.lower()
    script = staff_client.get("/api/docs/?script=")  # Swagger UI's start-up, a script of its own
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_redoc_is_gone_it_fetched_from_a_cdn(staff_client: Any) -> None:
    assert staff_client.get("/api/redoc/").status_code == 404
