"""The webhook API: endpoints (the secret shown once, rotate, enable, disable, test, replay,
delete), deliveries with their attempts, event types; refusals are 400s naming the field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient
from standardwebhooks import Webhook, WebhookVerificationError

from billing.models import JournalEvent
from integrations import event_types
from integrations.models import WebhookDelivery, WebhookEndpoint, WebhookSecret
from tests.integrations import webhook_helpers as h
from tests.integrations.receiver import Receiver
from tests.integrations.webhook_helpers import TYPE, dispatch, events, send_all

loopback, receiver, only_webhooks = h.loopback, h.receiver, h.only_webhooks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_webhooks")]

URL = "/api/v1/webhook-endpoints/"


@pytest.fixture
def catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two known event types, whatever the catalogue holds today."""
    for name in (TYPE, "invoice.finalized"):
        monkeypatch.setitem(
            event_types.EVENT_TYPES, name, event_types.EventType(name, "a test type", "customer")
        )


def errors(response: Any) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


def create(api: APIClient, receiver: Receiver, **body: Any) -> dict[str, Any]:
    response = api.post(URL, {"url": receiver.url, "event_types": ["*"], **body}, format="json")
    assert response.status_code == 201, response.content
    data: dict[str, Any] = response.json()
    receiver.secrets.append(data["secret"])
    return data


def test_create_shows_the_secret_once(api: APIClient, receiver: Receiver) -> None:
    data = create(api, receiver, description="orders service")
    assert data["secret"].startswith("whsec_")
    assert data["secret_hint"] == "…" + data["secret"][-4:]
    assert data["enabled"] is True
    assert data["event_types"] == ["*"]
    # never again: not in the detail, not in the list, not in the database in clear
    detail = api.get(f"{URL}{data['id']}/").json()
    assert "secret" not in detail
    assert detail["secret_hint"] == data["secret_hint"]
    assert "secret" not in api.get(URL).json()["results"][0]
    stored = WebhookSecret.objects.get(endpoint_id=data["id"]).secret_encrypted
    assert data["secret"] not in stored
    assert data["secret"][6:] not in stored
    assert JournalEvent.objects.filter(type="webhook_endpoint.created").count() == 1


def test_the_same_idempotency_key_does_not_show_the_secret_again(
    api: APIClient, receiver: Receiver
) -> None:
    body = {"url": receiver.url, "event_types": ["*"]}
    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    again = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 409
    assert errors(again) == [("Idempotency-Key", "secret_shown_once")]
    assert first.json()["secret"] not in again.content.decode()
    assert WebhookEndpoint.objects.count() == 1


def test_refusals_name_the_field(api: APIClient, settings: Any, catalogue: None) -> None:
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    cases = [
        ({"url": "http://hooks.example.com/x", "event_types": ["*"]}, ("url", "invalid")),
        ({"url": "https://127.0.0.1/x", "event_types": ["*"]}, ("url", "invalid")),
        ({"url": "https://10.1.2.3/x", "event_types": ["*"]}, ("url", "invalid")),
        ({"url": "https://localhost/x", "event_types": ["*"]}, ("url", "invalid")),
        ({"url": "https://u:p@hooks.example.com/x", "event_types": ["*"]}, ("url", "invalid")),
        ({"url": "not a url", "event_types": ["*"]}, ("url", "invalid")),
        ({"url": "https://93.184.215.14/x", "event_types": ["nope.nope"]},
         ("event_types", "invalid")),
        ({"url": "https://93.184.215.14/x", "event_types": ["*", TYPE]},
         ("event_types", "invalid")),
        ({"url": "https://93.184.215.14/x", "event_types": []}, ("event_types", "min_length")),
        ({"url": "https://93.184.215.14/x"}, ("event_types", "required")),
        ({"url": "https://93.184.215.14/x", "event_types": ["*"], "secret": "mine"},
         ("secret", "unknown_field")),
    ]  # fmt: skip
    for body, expected in cases:
        response = api.post(URL, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert errors(response) == [expected], body
    ok = api.post(URL, {"url": "https://93.184.215.14/x", "event_types": [TYPE]}, format="json")
    assert ok.status_code == 201
    assert ok.json()["event_types"] == [TYPE]
    pk = ok.json()["id"]
    bad = api.patch(f"{URL}{pk}/", {"url": "https://192.168.1.1/"}, format="json")
    assert errors(bad) == [("url", "invalid")]
    bad = api.post(f"{URL}{pk}/rotate-secret/", {"overlap_hours": 169}, format="json")
    assert errors(bad) == [("overlap_hours", "max_value")]
    bad = api.post(f"{URL}{pk}/replay/", {}, format="json")
    assert errors(bad) == [("event", "invalid")]
    bad = api.post(f"{URL}{pk}/replay/", {"event": "evt_x"}, format="json")
    assert errors(bad) == [("event", "invalid")]
    bad = api.post(f"{URL}{pk}/replay/", {"event": "evt_1", "since": "2025-01-01T00:00:00Z"},
                   format="json")  # fmt: skip
    assert errors(bad) == [("event", "invalid")]
    missing = api.post(f"{URL}{pk}/replay/", {"event": "evt_999999"}, format="json")
    assert missing.status_code == 404
    assert errors(missing) == [("event", "not_found")]
    assert api.get("/api/v1/webhook-deliveries/?status=bogus").status_code == 400
    assert errors(api.get("/api/v1/webhook-deliveries/?event=x")) == [("event", "invalid")]
    assert api.get(f"{URL}999999/").status_code == 404


def test_update_disable_enable_delete(api: APIClient, receiver: Receiver, catalogue: None) -> None:
    pk = create(api, receiver)["id"]
    changed = api.patch(
        f"{URL}{pk}/", {"description": "billing", "event_types": [TYPE]}, format="json"
    )
    assert changed.status_code == 200
    assert (changed.json()["description"], changed.json()["event_types"]) == ("billing", [TYPE])
    off = api.post(f"{URL}{pk}/disable/", {"reason": "maintenance"}, format="json")
    assert off.status_code == 200
    assert (off.json()["enabled"], off.json()["disabled_reason"]) == (False, "maintenance")
    again = api.post(f"{URL}{pk}/disable/", {}, format="json")
    assert again.status_code == 409
    assert api.post(f"{URL}{pk}/test/").status_code == 409
    on = api.post(f"{URL}{pk}/enable/")
    assert on.status_code == 200
    assert on.json()["enabled"] is True
    assert api.post(f"{URL}{pk}/enable/").status_code == 409
    assert api.get(f"{URL}?enabled=true").json()["results"][0]["id"] == pk
    assert api.delete(f"{URL}{pk}/").status_code == 204
    assert api.get(f"{URL}{pk}/").status_code == 404
    assert api.get(URL).json()["results"] == []
    types = [e.type for e in JournalEvent.objects.filter(type__startswith="webhook_endpoint.")]
    assert types == [
        "webhook_endpoint.created", "webhook_endpoint.updated", "webhook_endpoint.disabled",
        "webhook_endpoint.enabled", "webhook_endpoint.deleted",
    ]  # fmt: skip


def test_rotation_overlap_both_signatures_then_only_the_new(
    api: APIClient, receiver: Receiver
) -> None:
    data = create(api, receiver)
    old = data["secret"]
    dispatch()
    send_all()
    rotated = api.post(f"{URL}{data['id']}/rotate-secret/", {"overlap_hours": 2}, format="json")
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new != old
    assert new.startswith("whsec_")
    assert rotated.json()["secret_hint"] == "…" + new[-4:]
    receiver.secrets = [new]  # a receiver switched to the new secret at once still verifies
    dispatch()
    receiver.clear()
    events(("customer", "c1"))
    dispatch()
    send_all()
    [got] = [r for r in receiver.accepted if r.json["type"] == TYPE]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(got.body, got.headers)  # an integrator not yet switched
    receiver.secrets = [old, new]
    Webhook(new).verify(got.body, got.headers)  # one that switched
    # after the overlap: the new secret only
    later = timezone.now() + timedelta(hours=2, minutes=1)
    events(("customer", "c2"))
    dispatch()
    receiver.clear()
    send_all(later)
    [got] = [r for r in receiver.accepted if r.json["type"] == TYPE]
    assert len(got.headers["webhook-signature"].split(" ")) == 1
    with time_machine.travel(later):
        with pytest.raises(WebhookVerificationError, match="No matching signature"):
            Webhook(old).verify(got.body, got.headers)
        Webhook(new).verify(got.body, got.headers)


def test_test_event_and_deliveries_with_attempts(api: APIClient, receiver: Receiver) -> None:
    pk = create(api, receiver)["id"]
    response = api.post(f"{URL}{pk}/test/")
    assert response.status_code == 202
    delivery = response.json()
    assert (delivery["kind"], delivery["event_type"], delivery["status"]) == (
        "test", "ping", "pending"
    )  # fmt: skip
    dispatch()  # the ping is not fanned out to other endpoints
    assert WebhookDelivery.objects.filter(event_type="ping").count() == 1
    send_all()
    [ping] = [r for r in receiver.accepted if r.json["type"] == "ping"]
    assert ping.json["data"]["endpoint"] == pk
    detail = api.get(f"/api/v1/webhook-deliveries/{delivery['id']}/").json()
    assert detail["status"] == "succeeded"
    [attempt] = detail["attempt_log"]
    assert attempt["status_code"] == 204
    assert attempt["succeeded"] is True
    listed = api.get(f"/api/v1/webhook-deliveries/?endpoint={pk}&kind=test").json()["results"]
    assert [d["id"] for d in listed] == [delivery["id"]]
    by_event = api.get(f"/api/v1/webhook-deliveries/?event={delivery['event']}").json()
    assert [d["id"] for d in by_event["results"]] == [delivery["id"]]


def test_replay_one_and_since(api: APIClient, receiver: Receiver) -> None:
    pk = create(api, receiver)["id"]
    dispatch()
    send_all()
    first = events(("customer", "c1"), ("customer", "c2"))
    dispatch()
    send_all()
    cutoff = timezone.now()
    later = events(("customer", "c3"))
    dispatch()
    send_all()
    receiver.clear()
    one = api.post(f"{URL}{pk}/replay/", {"event": f"evt_{first[0].pk}"}, format="json")
    assert one.status_code == 202
    assert one.json() == {"deliveries": 1}
    send_all()
    assert receiver.ids == [f"evt_{first[0].pk}"]  # the same webhook-id as the first time
    receiver.clear()
    since = api.post(f"{URL}{pk}/replay/", {"since": cutoff.isoformat()}, format="json")
    assert since.json() == {"deliveries": 1}
    send_all()
    assert receiver.ids == [f"evt_{later[0].pk}"]
    replays = WebhookDelivery.objects.filter(kind="replay").order_by("id")
    assert len(replays) == 2
    assert all(d.requested_by for d in replays)  # who asked (the API key)
    receiver.clear()
    source = WebhookDelivery.objects.filter(event=first[1], kind="event").get()
    by_delivery = api.post(f"{URL}{pk}/replay/", {"delivery": source.pk}, format="json")
    assert by_delivery.json() == {"deliveries": 1}
    send_all()
    assert receiver.ids == [f"evt_{first[1].pk}"]


def test_event_types_list(api: APIClient, catalogue: None) -> None:
    response = api.get("/api/v1/webhook-event-types/")
    assert response.status_code == 200
    listed = {row["type"]: row for row in response.json()}
    assert listed[TYPE]["subject_type"] == "customer"


def test_staff_sessions_need_the_permissions(client: Any, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("clerk", "c@example.com", "pw", is_staff=True)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.get("/api/v1/webhook-deliveries/").status_code == 403
