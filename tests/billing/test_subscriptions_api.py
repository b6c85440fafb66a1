from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from billing.models import Subscription
from tests.billing.subs import customer, priced_plan, seats

pytestmark = pytest.mark.django_db
V1 = "/api/v1/"


def error(response: Any) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]  # type: ignore[no-any-return]


@pytest.fixture
def world() -> dict[str, Any]:
    return {
        "cust": customer(),
        "basic": priced_plan("basic", "30", features=[seats(3)]),
        "pro": priced_plan("pro", "60", features=[seats(10)]),
        "euro": priced_plan("euro", "60", currency="EUR"),
    }


def create(api: APIClient, world: dict[str, Any], **extra: Any) -> Any:
    body = {"customer": world["cust"].external_id, "plan": "basic", **extra}
    return api.post(V1 + "subscriptions/", body, format="json")


def test_lifecycle_over_the_api(api: APIClient, world: dict[str, Any]) -> None:
    created = create(api, world, quantity=2)
    assert created.status_code == 201, created.json()
    sub = created.json()
    assert (sub["status"], sub["plan_version"], sub["quantity"]) == ("active", "basic@v1", 2)
    sid = sub["id"]

    check = api.get(
        V1 + "entitlements/check/", {"customer": world["cust"].external_id, "feature": "seats"}
    )
    assert check.json() == {
        "customer": world["cust"].external_id,
        "feature": "seats",
        "allowed": True,
        "limit": "3.0000",
        "reason": "granted",
        "source": "plan:basic@v1",
    }

    upgrade = api.post(f"{V1}subscriptions/{sid}/change/", {"plan": "pro"}, format="json")
    assert upgrade.status_code == 201, upgrade.json()
    assert upgrade.json()["status"] == "applied"
    lines = api.get(f"{V1}subscriptions/{sid}/proration-lines/").json()
    assert [line["kind"] for line in lines] == ["credit", "charge"]
    assert "formula" in lines[0]["explanation"]

    down = api.post(f"{V1}subscriptions/{sid}/change/", {"plan": "basic"}, format="json")
    assert down.json()["status"] == "scheduled"  # a downgrade waits for the period end
    timeline = api.get(f"{V1}subscriptions/{sid}/timeline/", {"periods": 3}).json()
    assert len(timeline["periods"]) == 3
    assert [c["status"] for c in timeline["changes"]] == ["applied", "scheduled"]
    cancel_change = api.post(
        f"{V1}subscription-changes/{down.json()['id']}/cancel/", {}, format="json"
    )
    assert cancel_change.json()["status"] == "canceled"

    pause = api.post(f"{V1}subscriptions/{sid}/pause/", {"reason": "holiday"}, format="json")
    assert pause.json()["status"] == "paused"
    assert (
        api.get(
            V1 + "entitlements/check/", {"customer": world["cust"].external_id, "feature": "seats"}
        ).json()["allowed"]
        is False
    )
    assert (
        api.post(f"{V1}subscriptions/{sid}/resume/", {}, format="json").json()["status"] == "active"
    )

    later = api.post(f"{V1}subscriptions/{sid}/cancel/", {"at_period_end": True}, format="json")
    assert later.json()["cancel_at_period_end"] is True
    undo = api.post(f"{V1}subscriptions/{sid}/undo-cancel/", {}, format="json")
    assert undo.json()["cancel_at_period_end"] is False
    now = api.post(f"{V1}subscriptions/{sid}/cancel/", {"prorate": False}, format="json")
    assert now.json()["status"] == "canceled"
    again = api.post(f"{V1}subscriptions/{sid}/cancel/", {}, format="json")
    assert again.status_code == 409

    listing = api.get(V1 + "subscriptions/", {"status": "canceled"}).json()
    assert [s["id"] for s in listing["results"]] == [sid]


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"plan": "euro"}, "plan", "currency_mismatch"),
        ({"plan": "nope"}, "plan", "does_not_exist"),
        ({"customer": "ghost"}, "customer", "does_not_exist"),
        ({"quantity": 0}, "quantity", "min_value"),
        ({"start_at": "tomorrow"}, "start_at", "invalid"),
        ({"trial_days": -1}, "trial_days", "min_value"),
        ({"metadata": {"k": 5}}, "metadata", "invalid_metadata"),
    ],
)
def test_bad_subscription_input_is_a_400(
    api: APIClient, world: dict[str, Any], extra: dict[str, Any], field: str, code: str
) -> None:
    response = create(api, world, **extra)
    assert response.status_code == 400, response.json()
    assert (error(response)["field"], error(response)["code"]) == (field, code)
    assert not Subscription.objects.exists()


def test_conflicting_changes_are_refused_over_the_api(
    api: APIClient, world: dict[str, Any]
) -> None:
    sid = create(api, world).json()["id"]
    first = api.post(
        f"{V1}subscriptions/{sid}/change/",
        {"plan": "pro", "when": "2099-01-01T00:00:00Z"},
        format="json",
    )
    assert first.status_code == 201
    clash = api.post(
        f"{V1}subscriptions/{sid}/change/",
        {"quantity": 4, "when": "2099-01-01T00:00:00Z"},
        format="json",
    )
    assert clash.status_code == 409
    assert error(clash)["code"] == "conflicting_change"
    other = api.post(f"{V1}subscriptions/{sid}/change/", {"plan": "euro"}, format="json")
    assert (other.status_code, error(other)["code"]) == (400, "currency_mismatch")
    bad_when = api.post(
        f"{V1}subscriptions/{sid}/change/", {"plan": "pro", "when": "soon"}, format="json"
    )
    assert error(bad_when)["field"] == "when"
    end = api.post(
        f"{V1}subscriptions/{sid}/end/", {"ends_at": "2030-01-01T00:00:00Z"}, format="json"
    )
    assert end.status_code == 409  # the change scheduled in 2099 would come after that end
    assert error(end)["code"] == "change_after_end"


def test_entitlement_overrides_and_block_over_the_api(
    api: APIClient, world: dict[str, Any]
) -> None:
    create(api, world)
    cid = world["cust"].pk
    put = api.put(
        f"{V1}customers/{cid}/entitlements/overrides/seats/", {"limit": "99"}, format="json"
    )
    assert put.status_code == 200
    assert put.json() == [
        {
            "feature": "seats",
            "enabled": True,
            "limit": "99.0000",
            "source": "override",
            "updated_at": put.json()[0]["updated_at"],
        }
    ]
    block = api.post(
        f"{V1}customers/{cid}/entitlements/block/",
        {"blocked": True, "reason": "unpaid"},
        format="json",
    )
    assert block.status_code == 200
    check = api.get(
        V1 + "entitlements/check/", {"customer": world["cust"].external_id, "feature": "seats"}
    ).json()
    assert (check["allowed"], check["reason"]) == (False, "blocked")
    assert api.delete(f"{V1}customers/{cid}/entitlements/overrides/seats/").status_code == 204
    missing = api.get(V1 + "entitlements/check/", {"customer": "ghost", "feature": "seats"})
    assert (missing.status_code, error(missing)["field"]) == (404, "customer")
    unknown = api.get(
        V1 + "entitlements/check/", {"customer": world["cust"].external_id, "feature": "teleport"}
    )
    assert (unknown.status_code, error(unknown)["field"]) == (404, "feature")
    assert api.get(V1 + "entitlements/check/").status_code == 400
