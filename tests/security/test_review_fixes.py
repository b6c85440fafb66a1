"""Found by the review of issue 11; each failed before its fix."""

from __future__ import annotations

import base64
import hashlib
import json
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Customer
from billing.services import customer_create
from invoicing.services import invoice_draft_create, invoice_line_add
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/customers/", '{"external_id": ' + DEEP + "}"),
        ("/api/v1/events", '{"event_id": ' + DEEP + "}"),
        ("/api/v1/events/batch", '{"events": ' + DEEP + "}"),
    ],
)
def test_json_nested_beyond_reason_is_a_400_not_a_500(api: APIClient, path: str, body: str) -> None:
    response = api.post(path, data=body, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_an_unknown_field_is_refused_in_any_charset(api: APIClient) -> None:
    customer = customer_create(
        actor=TEST_ACTOR, as_of=timezone.now(),
        data={"external_id": "acme", "name": "Acme", "currency": "USD"},
    )  # fmt: skip
    body = '{"name": "Acm\xe9", "bogus": 1}'.encode("latin-1")
    response = api.patch(
        f"/api/v1/customers/{customer.pk}/",
        data=body,
        content_type="application/json; charset=latin-1",
    )
    assert response.status_code == 400, response.content[:200]
    assert response.json()["errors"][0]["field"] == "bogus"
    assert Customer.objects.get().name == "Acme"


def test_a_hand_made_cursor_is_a_404_not_a_500(api: APIClient) -> None:
    signature = hashlib.sha256(b"billing.Customer:-created_at,-id").hexdigest()[:8]
    for value in ("2024-01-01T00:00:00+20:00", "2024-01-01T00:00:00+00:00"):
        payload = {"o": signature, "v": [value, 1], "r": False, "i": False}
        cursor = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
        response = api.get(f"/api/v1/customers/?cursor={cursor}")
        assert response.status_code == 404, response.content[:200]
        assert response.json()["errors"][0]["code"] == "invalid_cursor"


def _session(client: Any, django_user_model: Any, *codenames: str) -> Any:
    user = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def test_issuing_a_credit_note_needs_the_add_credit_note_permission(
    client: Any, django_user_model: Any
) -> None:
    """A clerk who may edit invoices may not issue refunds: that is adding a credit note."""
    clerk = _session(client, django_user_model, "view_invoice", "change_invoice")
    url = "/api/v1/invoices/999999/credit-notes/"
    refused = clerk.post(url, {"reason": "x"}, content_type="application/json")
    assert refused.status_code == 403
    user = django_user_model.objects.get(username="clerk")
    user.user_permissions.add(Permission.objects.get(codename="add_creditnote"))
    allowed = clerk.post(url, {"reason": "x"}, content_type="application/json")
    assert allowed.status_code == 404  # past the permission: no such invoice


def test_the_one_off_bound_holds_for_a_drafts_lines_together(settings: Any) -> None:
    settings.ONE_OFF_LINE_MAX = 1000
    customer = customer_create(
        actor=TEST_ACTOR, as_of=timezone.now(),
        data={"external_id": "acme", "name": "Acme", "currency": "USD"},
    )  # fmt: skip
    draft = invoice_draft_create(customer_id=customer.pk, as_of=timezone.now(), actor=TEST_ACTOR)

    def line(amount: str) -> Any:
        return invoice_line_add(
            invoice_id=draft.pk, description="goodwill", amount=Decimal(amount),
            quantity=Decimal(1), as_of=timezone.now(), actor=TEST_ACTOR,
        )  # fmt: skip

    line("-600")
    from core.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed, match="total at most"):
        line("-600")
    line("600")  # back within the bound together: accepted
