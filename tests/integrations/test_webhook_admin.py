"""The webhook admin: pages render; add shows the secret once; rotate, replay, enable, disable
and test go through the services; deliveries are read-only with their attempts."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages

from billing.models import JournalEvent
from integrations.models import WebhookDelivery, WebhookEndpoint, WebhookSecret
from tests.integrations import webhook_helpers as h
from tests.integrations.receiver import Receiver
from tests.integrations.webhook_helpers import dispatch, endpoint_for, events, send_all

loopback, receiver, only_webhooks = h.loopback, h.receiver, h.only_webhooks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_webhooks")]

BASE = "/admin/integrations/webhookendpoint/"


def texts(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_add_shows_the_secret_once_and_refusals_on_the_field(
    staff_client: Any, receiver: Receiver, settings: Any
) -> None:
    assert staff_client.get(f"{BASE}add/").status_code == 200
    response = staff_client.post(
        f"{BASE}add/", {"url": receiver.url, "description": "erp", "event_types": ["*"]}
    )
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    [message] = [m for m in texts(response) if "new-webhook-secret" in m]
    secret = message.split("<code id='new-webhook-secret'>")[1].split("</code>")[0]
    assert secret.startswith("whsec_")
    first = staff_client.get(f"{BASE}{endpoint.pk}/change/").content.decode()
    assert secret in first  # the message, on the next page only
    page = staff_client.get(f"{BASE}{endpoint.pk}/change/").content.decode()
    assert secret not in page
    assert f"whsec_…{secret[-4:]} (current)" in page
    assert JournalEvent.objects.filter(type="webhook_endpoint.created").count() == 1
    settings.WEBHOOK_ALLOW_HTTP = False
    refused = staff_client.post(f"{BASE}add/", {"url": receiver.url, "event_types": ["*"]})
    assert refused.status_code == 200
    assert "Must be an https URL." in refused.context["adminform"].form.errors["url"][0]
    assert WebhookEndpoint.objects.count() == 1


def test_pages_render_and_actions_go_through_the_services(
    staff_client: Any, receiver: Receiver
) -> None:
    endpoint = endpoint_for(receiver)
    [event] = events(("customer", "c1"))
    dispatch()
    send_all()
    for url in (BASE, f"{BASE}{endpoint.pk}/change/", f"{BASE}{endpoint.pk}/history/",
                f"{BASE}{endpoint.pk}/rotate-secret/", f"{BASE}{endpoint.pk}/replay/",
                "/admin/integrations/webhookdelivery/",
                f"/admin/integrations/webhookdelivery/?endpoint__id__exact={endpoint.pk}"
                "&status__exact=succeeded&kind__exact=event"):  # fmt: skip
        assert staff_client.get(url).status_code == 200, url
    delivery = WebhookDelivery.objects.get(event=event)
    page = staff_client.get(f"/admin/integrations/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200
    assert "204" in page.content.decode()  # its attempt
    # rotate
    rotated = staff_client.post(f"{BASE}{endpoint.pk}/rotate-secret/", {"overlap_hours": "24"})
    assert rotated.status_code == 302
    assert any("new-webhook-secret" in m for m in texts(rotated))
    assert WebhookSecret.objects.filter(endpoint=endpoint).count() == 2
    # replay one event; a bad event id is an error on the field
    bad = staff_client.post(f"{BASE}{endpoint.pk}/replay/", {"event": "nope"})
    assert bad.status_code == 200
    assert bad.context["form"].errors["event"]
    replayed = staff_client.post(f"{BASE}{endpoint.pk}/replay/", {"event": f"evt_{event.pk}"})
    assert replayed.status_code == 302
    assert WebhookDelivery.objects.filter(kind="replay", event=event).count() == 1
    # list actions
    ids = {"_selected_action": [endpoint.pk]}
    staff_client.post(BASE, {"action": "disable_selected", **ids})
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    disabled_page = staff_client.get(f"{BASE}{endpoint.pk}/change/").content.decode()
    assert 'id="endpoint-disabled"' in disabled_page
    staff_client.post(BASE, {"action": "enable_selected", **ids})
    endpoint.refresh_from_db()
    assert endpoint.enabled
    staff_client.post(BASE, {"action": "test_selected", **ids})
    assert WebhookDelivery.objects.filter(kind="test").count() == 1
    # deliveries: send again
    staff_client.post(
        "/admin/integrations/webhookdelivery/",
        {"action": "replay_selected", "_selected_action": [delivery.pk]},
    )
    assert WebhookDelivery.objects.filter(kind="replay", event=event).count() == 2
    send_all()
    assert receiver.duplicates() >= 1  # the same webhook-id again: the receiver can dedupe
    types = list(
        JournalEvent.objects.filter(type__startswith="webhook_endpoint.")
        .order_by("id")
        .values_list("type", flat=True)
    )
    assert types == [
        "webhook_endpoint.created", "webhook_endpoint.secret_rotated",
        "webhook_endpoint.disabled", "webhook_endpoint.enabled",
    ]  # fmt: skip


def test_deliveries_are_read_only(staff_client: Any) -> None:
    assert staff_client.get("/admin/integrations/webhookdelivery/add/").status_code == 403
