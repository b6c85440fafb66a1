"""The dunning API: policies with their states (400s naming the field), a customer's assignment,
status and transitions, evaluate now; in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import JournalEvent
from payments.models.dunning import DunningPolicy, DunningTransition
from tests.payments.helpers import open_invoice
from tests.payments.test_dunning import JAN1, a_debtor, at, evaluate

pytestmark = pytest.mark.django_db

STATES = [
    {"code": "late", "name": "Late", "min_days_past_due": 1, "email_template": "dunning_reminder"},
    {"code": "big", "name": "Big", "min_amount_overdue": "500.00", "block_entitlements": True},
]


def errors(response: Any) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


def test_policies_crud_with_states(api: APIClient) -> None:
    made = api.post(
        "/api/v1/dunning-policies/",
        {"name": "Strict", "description": "for resellers", "states": STATES},
        format="json",
        HTTP_IDEMPOTENCY_KEY="dunning-policy-1",
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert [(s["position"], s["code"], s["min_amount_overdue"]) for s in body["states"]] == [
        (1, "late", None),
        (2, "big", "500.0000"),
    ]
    assert body["is_default"] is False
    pk = body["id"]
    listed = api.get("/api/v1/dunning-policies/").json()
    assert {p["name"] for p in listed["results"]} == {"Default", "Strict"}

    renamed = api.patch(f"/api/v1/dunning-policies/{pk}/", {"name": "Stricter"}, format="json")
    assert renamed.status_code == 200
    assert len(renamed.json()["states"]) == 2  # states not given: kept
    replaced = api.put(
        f"/api/v1/dunning-policies/{pk}/",
        {"name": "Stricter", "is_default": True, "states": STATES[:1]},
        format="json",
    )
    assert replaced.status_code == 200
    assert [s["code"] for s in replaced.json()["states"]] == ["late"]
    assert DunningPolicy.objects.get(is_default=True).pk == pk  # the old default stepped down
    assert api.delete(f"/api/v1/dunning-policies/{pk}/").status_code == 204
    assert api.get(f"/api/v1/dunning-policies/{pk}/").status_code == 404
    kinds = JournalEvent.objects.filter(type__startswith="dunning_policy.").values_list(
        "type", flat=True
    )
    assert sorted(kinds) == sorted(
        ["dunning_policy.created", "dunning_policy.updated", "dunning_policy.updated",
         "dunning_policy.deleted"]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([{"name": "No condition"}], ("states[0].min_days_past_due", "no_condition")),
        (
            [{"name": "A", "min_days_past_due": 1}, {"name": "B", "min_days_past_due": 2,
                                                      "position": 1}],
            ("states[1].position", "duplicate"),
        ),
        ([{"name": "A", "min_days_past_due": 1, "email_template": "spam"}],
         ("states[0].email_template", "invalid_choice")),
        ([{"name": "A", "min_amount_overdue": "10.001", "amount_currency": "USD"}],
         ("states[0].min_amount_overdue", "decimals")),
        ([{"name": "A", "min_amount_overdue": "0"}], ("states[0].min_amount_overdue",
                                                     "min_value")),
        ([{"name": "A", "min_days_past_due": 1, "amount_currency": "XYZ",
           "min_amount_overdue": "5"}], ("states[0].amount_currency", "unknown_currency")),
        ([{"name": "A", "min_days_past_due": -1}], ("states[0].min_days_past_due", "min_value")),
        ([{"name": "A", "min_days_past_due": 1, "bogus": 1}], ("states[0].bogus",
                                                             "unknown_field")),
    ],
)  # fmt: skip
def test_bad_states_are_400s_naming_the_field(
    api: APIClient, states: list[dict[str, Any]], expected: tuple[str, str]
) -> None:
    response = api.post(
        "/api/v1/dunning-policies/", {"name": "Bad", "states": states}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert expected in errors(response)
    assert not DunningPolicy.objects.filter(name="Bad").exists()


def test_a_taken_name_and_a_policy_in_use(api: APIClient) -> None:
    assert api.post(
        "/api/v1/dunning-policies/", {"name": "Default", "states": STATES}, format="json"
    ).status_code == 409  # fmt: skip
    default = DunningPolicy.objects.get(is_default=True)
    who = a_debtor()
    open_invoice(who, "100.00", JAN1)
    evaluate(who, at(1, 12))  # in the default's reminder
    dropped = api.put(
        f"/api/v1/dunning-policies/{default.pk}/",
        {"name": "Default", "states": [{"code": "warning", "name": "W", "min_days_past_due": 7}]},
        format="json",
    )
    assert dropped.status_code == 409
    assert errors(dropped)[0][1] == "state_in_use"
    assert api.delete(f"/api/v1/dunning-policies/{default.pk}/").status_code == 409


def test_a_customers_dunning_assignment_transitions_and_evaluate_now(api: APIClient) -> None:
    who = a_debtor()
    open_invoice(who, "100.00", timezone.now() - timezone.timedelta(days=20))  # 10 days late
    status = api.get(f"/api/v1/customers/{who.pk}/dunning/").json()
    assert status["state"] is None
    assert status["policy"]["name"] == "Default"
    assert status["policy_assigned"] is False
    assert status["situation"]["amount_overdue"] == "100.0000"
    assert status["situation"]["days_past_due"] == 10

    evaluated = api.post(
        f"/api/v1/customers/{who.pk}/dunning/evaluate/", HTTP_IDEMPOTENCY_KEY="dunning-eval-1"
    )
    assert evaluated.status_code == 200
    assert evaluated.json()["state"]["code"] == "warning"  # 7 <= 10 < 14
    (transition,) = evaluated.json()["transitions"]
    assert (transition["to_code"], transition["direction"], transition["amount_overdue"]) == (
        "warning", "up", "100.0000"
    )  # fmt: skip

    strict = api.post(
        "/api/v1/dunning-policies/", {"name": "Strict", "states": STATES}, format="json"
    ).json()
    assigned = api.put(
        f"/api/v1/customers/{who.pk}/dunning/", {"policy": strict["id"]}, format="json"
    )
    assert assigned.status_code == 200
    assert assigned.json()["state"]["code"] == "late"  # evaluated at once under the new policy
    assert assigned.json()["policy_assigned"] is True
    listed = api.get(f"/api/v1/customers/{who.pk}/dunning/transitions/").json()
    assert [(t["from_code"], t["to_code"]) for t in listed["results"]] == [
        ("warning", "late"), ("", "warning")
    ]  # fmt: skip
    assert DunningTransition.objects.filter(customer=who).count() == 2

    missing = api.put(f"/api/v1/customers/{who.pk}/dunning/", {"policy": 99999}, format="json")
    assert missing.status_code == 404
    assert errors(missing) == [("policy", "not_found")]
    assert api.get("/api/v1/customers/99999/dunning/").status_code == 404


def test_the_endpoints_are_in_the_schema(staff_client: Any) -> None:
    schema = staff_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (
        "/api/v1/dunning-policies/",
        "/api/v1/dunning-policies/{id}/",
        "/api/v1/customers/{id}/dunning/",
        "/api/v1/customers/{id}/dunning/transitions/",
        "/api/v1/customers/{id}/dunning/evaluate/",
    ):
        assert path in schema["paths"], path
    evaluate_now = schema["paths"]["/api/v1/customers/{id}/dunning/evaluate/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in evaluate_now["parameters"])
