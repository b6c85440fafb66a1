"""The notifications' REST endpoints and admin pages: lists with their filters (400 naming the
field of a bad one), one notification, "send again" through the service (who asked, once per
request), the customer page's E-mails section, audit history."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from pghistory.models import Events

from billing.models import JournalEvent
from billing.services import customer_update
from notifications.models import Notification
from notifications.services import notification_resend
from tests.billing.subs import customer
from tests.conftest import TEST_ACTOR as ACTOR
from tests.notifications.helpers import JAN, deliver, of, send
from tests.notifications.smtp import Mailbox
from tests.payments.helpers import open_invoice

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications/"


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def sent_invoice_email(smtp_server: Mailbox, **extra: Any) -> Notification:
    who = customer(**extra)
    open_invoice(who, "10.00", JAN)
    deliver()
    [n] = of(who)
    return n


def test_list_filter_and_retrieve(api: Any, smtp_server: Mailbox) -> None:
    sent = sent_invoice_email(smtp_server, external_id="acme")
    skipped = sent_invoice_email(smtp_server, external_id="quiet", email="")
    everything = api.get(URL).json()["results"]
    assert [n["id"] for n in everything] == [skipped.pk, sent.pk]  # newest first
    assert [n["id"] for n in api.get(URL, {"customer": "acme"}).json()["results"]] == [sent.pk]
    assert [n["id"] for n in api.get(URL, {"state": "skipped"}).json()["results"]] == [skipped.pk]
    assert api.get(URL, {"template": "payment_failed"}).json()["results"] == []
    event = JournalEvent.objects.get(type="invoice.finalized", subject_id=sent.data["invoice"])
    assert [n["id"] for n in api.get(URL, {"event": event.pk}).json()["results"]] == [sent.pk]
    body = api.get(f"{URL}{sent.pk}/").json()
    assert body["customer"] == "acme"
    assert (body["template"], body["state"], body["attempts"]) == ("invoice_finalized", "sent", 1)
    assert body["message_id"] == sent.message_id
    assert body["subject"].startswith("Invoice ")
    assert body["facts"] == {"invoice": sent.data["invoice"]}
    assert body["event"] == event.pk
    customer_url = f"/api/v1/customers/{sent.customer_id}/notifications/"
    assert [n["id"] for n in api.get(customer_url).json()["results"]] == [sent.pk]
    assert api.get(customer_url, {"state": "sent"}).json()["results"][0]["id"] == sent.pk


def test_bad_filters_are_refused_naming_the_field(api: Any) -> None:
    for query, field in (
        ({"state": "lost"}, "state"),
        ({"template": "spam"}, "template"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"event": "x"}, "event"),
        ({"bogus": "1"}, "bogus"),
    ):
        refused = api.get(URL, query)
        assert refused.status_code == 400, query
        assert refused.json()["errors"][0]["field"] == field, refused.json()
    assert api.get(f"{URL}987654321/").status_code == 404
    assert api.get("/api/v1/customers/987654321/notifications/").status_code == 404
    # the customer's list has no customer filter: refused, not ignored
    assert api.get("/api/v1/customers/1/notifications/", {"customer": "x"}).status_code == 400


def test_resend_through_the_api(api: Any, smtp_server: Mailbox) -> None:
    n = sent_invoice_email(smtp_server, email="old@acme.test")
    customer_update(customer_id=n.customer_id, changes={"email": "new@acme.test"}, actor=ACTOR,
                    as_of=JAN)  # fmt: skip
    response = api.post(f"{URL}{n.pk}/resend/")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["resend_of"], body["state"], body["recipient"]) == (n.pk, "pending",
                                                                     "new@acme.test")  # fmt: skip
    assert body["requested_by"].startswith("api_key:") or body["requested_by"]
    copy = Notification.objects.get(pk=body["id"])
    assert copy.key == f"{n.key}:resend:1"
    # still being sent: refused (409), not queued twice
    refused = api.post(f"{URL}{copy.pk}/resend/")
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "still_sending"
    send(timezone.now())  # the task queued after the commit, here and now (resent now)
    assert [str(m["To"]) for m in smtp_server.messages] == ["old@acme.test", "new@acme.test"]
    assert JournalEvent.objects.filter(type="notification.resend_requested").count() == 1
    assert JournalEvent.objects.filter(type="notification.sent").count() == 2
    # a resend of the resend counts on the original
    again = notification_resend(notification_id=copy.pk, actor=ACTOR, as_of=JAN)
    assert (again.key, again.resend_of_id) == (f"{n.key}:resend:2", n.pk)


def test_resend_without_an_address_is_refused(api: Any, smtp_server: Mailbox) -> None:
    n = sent_invoice_email(smtp_server, email="")
    refused = api.post(f"{URL}{n.pk}/resend/")
    assert refused.status_code == 400
    assert (refused.json()["errors"][0]["field"], refused.json()["errors"][0]["code"]) == (
        "customer", "no_email",
    )  # fmt: skip
    assert Notification.objects.count() == 1


def test_the_schema_lists_the_endpoints(staff_client: Any) -> None:
    paths = staff_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = paths.json()["paths"]
    for path in (
        "/api/v1/notifications/",
        "/api/v1/notifications/{id}/",
        "/api/v1/notifications/{id}/resend/",
        "/api/v1/customers/{id}/notifications/",
    ):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/v1/notifications/"]["get"]["parameters"]}
    assert {"customer", "template", "state", "event", "created_after", "created_before"} <= params


# ------------------------------------------------------------------------------------- admin


def test_admin_list_detail_and_customer_section(staff_client: Any, smtp_server: Mailbox) -> None:
    n = sent_invoice_email(smtp_server, name="Acme Inc")
    listing = text(staff_client.get("/admin/notifications/notification/"))
    assert n.subject in listing
    for query in ("?state__exact=sent", "?template__exact=invoice_finalized", "?q=Acme",
                  f"?customer__id__exact={n.customer_id}"):  # fmt: skip
        page = staff_client.get("/admin/notifications/notification/" + query)
        assert page.status_code == 200, query
        assert n.subject in text(page), query
    detail = text(staff_client.get(f"/admin/notifications/notification/{n.pk}/change/"))
    assert n.message_id.replace("<", "&lt;").replace(">", "&gt;") in detail
    assert "notification-preview" in detail
    assert "Hello Acme Inc," in detail
    history = staff_client.get(f"/admin/notifications/notification/{n.pk}/history/")
    assert history.status_code == 200
    assert "sending" in text(history)
    page = text(staff_client.get(f"/admin/billing/customer/{n.customer_id}/change/"))
    assert 'id="overview-emails"' in page
    assert n.subject in page


def test_admin_send_again_action(staff_client: Any, staff_user: Any, smtp_server: Mailbox) -> None:
    n = sent_invoice_email(smtp_server)
    response = staff_client.post(
        "/admin/notifications/notification/",
        {"action": "resend_selected", "_selected_action": [n.pk]},
        follow=True,
    )
    assert "1 e-mail(s) queued to be sent again." in text(response)
    copy = Notification.objects.get(resend_of=n)
    assert copy.requested_by == staff_user.get_username()
    assert send(timezone.now())["sent"] == 1
    assert len(smtp_server.messages) == 2
    # the history of the new one names who asked
    first = Events.objects.tracks(copy).order_by("pgh_id").first()
    assert first is not None
    assert first.pgh_context["actor"] == staff_user.get_username()


def test_a_viewer_cannot_send_again(client: Any, django_user_model: Any,
                                    smtp_server: Mailbox) -> None:  # fmt: skip
    user = django_user_model.objects.create_user("auditor", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_notification"))
    client.force_login(user)
    n = sent_invoice_email(smtp_server)
    listing = client.get("/admin/notifications/notification/")
    assert listing.status_code == 200
    assert "resend_selected" not in text(listing)
    client.post("/admin/notifications/notification/",
                {"action": "resend_selected", "_selected_action": [n.pk]})  # fmt: skip
    assert Notification.objects.count() == 1
