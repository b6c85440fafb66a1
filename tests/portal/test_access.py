"""Getting into the portal (issue 14, item 1): portal session links from the API, invited
portal users and their magic login links (e-mailed through a real SMTP server on loopback),
refusals, session fixation, sign-out, the API, the admin, the journal, the command."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from billing.models import Customer, JournalEvent
from core.exceptions import ValidationFailed
from core.models import IdempotencyKey
from portal.access import SESSION_KEY
from portal.models import LinkKind, PortalLink, PortalLoginRequest, PortalSession, PortalUser
from portal.services import (
    LINK_TTL,
    SESSION_TTL,
    LinkRefused,
    TooManyRequests,
    portal_link_consume,
    portal_login_request,
    portal_session_create,
    portal_user_disable,
    portal_user_invite,
    portal_user_invite_again,
)
from portal.services.access import LOGIN_LIMIT_PER_EMAIL, LOGIN_LIMIT_PER_IP, link_path
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR
from tests.notifications.helpers import subject_of, text_of
from tests.notifications.smtp import Mailbox

pytestmark = pytest.mark.django_db
BASE = "http://testserver/"


@pytest.fixture(autouse=True)
def eager_tasks() -> Iterator[None]:
    """Celery tasks queued after a commit run here and now (the e-mail task)."""
    from config.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def link_in(mail: EmailMessage) -> str:
    found = re.search(r"http://testserver(/portal/login/[A-Za-z0-9_\-]+/)", text_of(mail))
    assert found, text_of(mail)
    return found.group(1)


def invite(customer: Customer, email: str, capture: Any, name: str = "Ada") -> PortalUser:
    with capture(execute=True):
        return portal_user_invite(
            customer_id=customer.pk, email=email, name=name, base_url=BASE,
            as_of=timezone.now(), actor=TEST_ACTOR,
        )  # fmt: skip


def login(client: Client, path: str) -> Any:
    """Open an e-mailed link as a person does: the page, then Continue."""
    page = client.get(path)
    assert page.status_code == 200, page.content
    return client.post(path)


# ------------------------------------------------------------------------ portal session links


def test_a_session_link_opens_once_cycles_the_session_key_and_signs_out_to_the_return_url(
    client: Client,
) -> None:
    customer = CustomerFactory(name="Initech")
    link, token = portal_session_create(
        customer_id=customer.pk, return_url="https://app.initech.test/account", locale="de",
        as_of=timezone.now(), actor=TEST_ACTOR,
    )  # fmt: skip
    client.get("/portal/login/")  # a session key planted before sign-in
    planted = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    client.session.save()
    response = client.get(link_path(token))
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    assert client.cookies["sessionid"].value != planted  # cycled: no fixation
    overview = client.get("/portal/")
    assert overview.status_code == 200
    assert overview["Content-Language"] == "de"
    session = PortalSession.objects.get(link=link)
    assert client.session[SESSION_KEY] == session.pk
    assert session.expires_at - session.created_at == SESSION_TTL
    # the same link again, in another browser: refused, no second session
    again = Client().get(link_path(token))
    assert again.status_code == 410
    assert "already used" in again.content.decode()
    assert PortalSession.objects.count() == 1
    # sign out: the session ends, back to the integrator
    out = client.post("/portal/logout/")
    assert out.status_code == 302
    assert out["Location"] == "https://app.initech.test/account"
    session.refresh_from_db()
    assert session.ended_at is not None
    assert session.end_reason == "signed out"
    assert client.get("/portal/")["Location"] == "/portal/login/?expired=1"
    types = list(
        JournalEvent.objects.filter(subject_type="portal_session", subject_id=str(link.pk))
        .order_by("id")
        .values_list("type", flat=True)
    )
    assert types == ["portal_session.created", "portal_session.opened", "portal_session.ended"]
    for event in JournalEvent.objects.filter(subject_type="portal_session"):
        assert token not in str(event.payload)
        assert link.token_hash not in str(event.payload)


def test_expired_unknown_and_wrong_kind_links_are_refused_with_a_page() -> None:
    customer = CustomerFactory()
    start = timezone.now()
    _, token = portal_session_create(customer_id=customer.pk, as_of=start, actor=TEST_ACTOR)
    with time_machine.travel(start + LINK_TTL + timedelta(seconds=1), tick=False):
        late = Client().get(link_path(token))
    assert late.status_code == 410
    assert 'data-code="link_expired"' in late.content.decode()
    unknown = Client().get("/portal/session/not-a-token/")
    assert unknown.status_code == 404
    assert 'data-code="link_invalid"' in unknown.content.decode()
    # a session link is no e-mailed link, and the other way round
    _, other = portal_session_create(customer_id=customer.pk, as_of=start, actor=TEST_ACTOR)
    assert Client().get(f"/portal/login/{other}/").status_code == 404
    assert PortalSession.objects.count() == 0
    # in German for a German browser
    german = Client(HTTP_ACCEPT_LANGUAGE="de").get("/portal/session/nope/")
    assert "Dieser Link ist nicht gültig" in german.content.decode()


def test_a_session_expires_after_its_lifetime() -> None:
    customer = CustomerFactory()
    start = timezone.now()
    client = Client()
    _, token = portal_session_create(customer_id=customer.pk, as_of=start, actor=TEST_ACTOR)
    with time_machine.travel(start, tick=False):
        assert client.get(link_path(token)).status_code == 302
        assert client.get("/portal/").status_code == 200
    with time_machine.travel(start + SESSION_TTL - timedelta(seconds=1), tick=False):
        assert client.get("/portal/").status_code == 200
    with time_machine.travel(start + SESSION_TTL, tick=False):
        assert client.get("/portal/")["Location"] == "/portal/login/?expired=1"


def test_session_create_refuses_bad_input() -> None:
    customer = CustomerFactory()
    now = timezone.now()
    cases = [
        ({"return_url": "javascript:alert(1)"}, "return_url"),
        ({"return_url": "/relative"}, "return_url"),
        ({"return_url": "ftp://example.com/"}, "return_url"),
        ({"locale": "fr"}, "locale"),
        ({"configuration_id": 999999}, "configuration"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            portal_session_create(customer_id=customer.pk, as_of=now, actor=TEST_ACTOR, **kwargs)
        assert refused.value.field == field, kwargs
    assert PortalLink.objects.count() == 0


# ------------------------------------------------------------------------- invitations, e-mail


def test_an_invitation_is_emailed_in_the_customers_language_and_its_link_signs_in(
    smtp_server: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    customer = CustomerFactory(name="Globex GmbH", locale="de-DE")
    user = invite(customer, "Kim@Globex.test", django_capture_on_commit_callbacks, name="Kim")
    assert user.state == "invited"
    [mail] = smtp_server.messages
    assert str(mail["To"]) == "Kim@Globex.test"
    assert subject_of(mail) == "Einladung zum Abrechnungsportal von Globex GmbH"
    assert "Guten Tag Kim," in text_of(mail)
    path = link_in(mail)
    invitation = PortalLink.objects.get(kind=LinkKind.INVITATION)
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert path.split("/")[-2] not in str(invitation.__dict__)  # only the hash is kept
    client = Client()
    page = client.get(path)
    assert page.status_code == 200
    assert "Globex GmbH" in page.content.decode()
    assert PortalSession.objects.count() == 0  # the page alone (a mail scanner) uses nothing
    assert client.post(path)["Location"] == "/portal/"
    assert "Globex GmbH" in client.get("/portal/").content.decode()
    user.refresh_from_db()
    assert user.state == "active"
    assert user.last_login_at is not None
    assert client.post(path).status_code == 410  # used
    # the same address (any case) again for this customer: refused on the field
    with pytest.raises(ValidationFailed) as twice:
        invite(customer, "kim@GLOBEX.test", django_capture_on_commit_callbacks)
    assert (twice.value.field, twice.value.code) == (
        "email", "unique",
    )  # fmt: skip
    # an active user is not invited again; a disabled one is, and the old invitation is dead
    with pytest.raises(Exception, match="signed in already"):
        portal_user_invite_again(
            user_id=user.pk, base_url=BASE, as_of=timezone.now(), actor=TEST_ACTOR
        )
    types = set(
        JournalEvent.objects.filter(subject_type="portal_user").values_list("type", flat=True)
    )
    assert types == {"portal_user.invited"}


def test_inviting_again_replaces_the_link_and_disabling_ends_the_sessions(
    smtp_server: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    customer = CustomerFactory(name="Acme", locale="en-US")
    user = invite(customer, "ada@acme.test", django_capture_on_commit_callbacks)
    first = link_in(smtp_server.messages[0])
    with django_capture_on_commit_callbacks(execute=True):
        portal_user_invite_again(
            user_id=user.pk, base_url=BASE, as_of=timezone.now(), actor=TEST_ACTOR
        )
    second = link_in(smtp_server.messages[1])
    assert subject_of(smtp_server.messages[1]) == "You are invited to the billing portal of Acme"
    assert Client().post(first).status_code == 410  # the earlier invitation stopped working
    client = Client()
    assert login(client, second)["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200
    portal_user_disable(user_id=user.pk, as_of=timezone.now(), actor=TEST_ACTOR)
    assert client.get("/portal/")["Location"] == "/portal/login/?expired=1"
    session = PortalSession.objects.get(user=user)
    assert session.end_reason == "user disabled"
    event = JournalEvent.objects.get(type="portal_user.disabled")
    assert event.payload["sessions_ended"] == 1
    # a disabled user asks for a login link: nothing is sent, the page says the same
    smtp_server.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/portal/login/", {"email": "ada@acme.test"}, follow=True)
    assert "Check your inbox" in response.content.decode()
    assert smtp_server.messages == []
    # invited again: access is back
    with django_capture_on_commit_callbacks(execute=True):
        portal_user_invite_again(
            user_id=user.pk, base_url=BASE, as_of=timezone.now(), actor=TEST_ACTOR
        )
    user.refresh_from_db()
    assert user.state == "invited"
    assert user.disabled_at is None
    assert login(Client(), link_in(smtp_server.messages[-1]))["Location"] == "/portal/"


# --------------------------------------------------------------------------------- magic login


def test_magic_login_for_every_customer_of_an_address_and_no_enumeration(
    smtp_server: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    acme = CustomerFactory(name="Acme", locale="en-US")
    globex = CustomerFactory(name="Globex GmbH", locale="de-DE")
    for who in (acme, globex):
        invite(who, "pat@example.test", django_capture_on_commit_callbacks, name="Pat")
    smtp_server.clear()
    client = Client()
    page = client.get("/portal/login/")
    assert '<label for="id_email">E-mail address</label>' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/login/", {"email": "PAT@example.test"})
    assert response.status_code == 302
    assert response["Location"] == "/portal/login/?sent=1"
    known = client.get(response["Location"]).content.decode()
    subjects = sorted(subject_of(m) for m in smtp_server.messages)
    assert subjects == [
        "Ihr Anmeldelink für das Abrechnungsportal von Globex GmbH",
        "Your sign-in link for the billing portal of Acme",
    ]
    links = {subject_of(m): link_in(m) for m in smtp_server.messages}
    for link in PortalLink.objects.filter(kind=LinkKind.LOGIN):
        assert link.expires_at - link.created_at == timedelta(minutes=15)
    # an unknown address: the same answer, nothing sent
    smtp_server.clear()
    other = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = other.post("/portal/login/", {"email": "nobody@example.test"})
    assert response["Location"] == "/portal/login/?sent=1"
    unknown = other.get(response["Location"]).content.decode()
    assert unknown.replace("nobody@example.test", "X") == known.replace("PAT@example.test", "X")
    assert smtp_server.messages == []
    # the German customer's link signs into Globex only
    browser = Client()
    assert (
        login(browser, links["Ihr Anmeldelink für das Abrechnungsportal von Globex GmbH"])[
            "Location"
        ]
        == "/portal/"
    )
    assert "Globex GmbH" in browser.get("/portal/").content.decode()
    # a login link expires after 15 minutes
    with django_capture_on_commit_callbacks(execute=True):
        portal_login_request(email="pat@example.test", ip=None, base_url=BASE, as_of=timezone.now())
    late = link_in(smtp_server.messages[0])
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=1), tick=False):
        refused = Client().get(late)
    assert refused.status_code == 410
    assert "expired" in refused.content.decode()
    # bad input: an error on the field
    bad = Client().post("/portal/login/", {"email": "not an address"})
    assert bad.status_code == 400
    assert 'id="email-error"' in bad.content.decode()


def test_login_requests_are_limited_per_address_and_per_ip() -> None:
    now = timezone.now()
    for _ in range(LOGIN_LIMIT_PER_EMAIL):
        portal_login_request(email="x@example.test", ip="10.0.0.1", base_url=BASE, as_of=now)
    with pytest.raises(TooManyRequests):
        portal_login_request(email="X@example.test", ip="10.0.0.2", base_url=BASE, as_of=now)
    later = now + timedelta(hours=1, seconds=1)  # the window has passed for x
    portal_login_request(email="x@example.test", ip="10.0.0.1", base_url=BASE, as_of=later)
    for i in range(LOGIN_LIMIT_PER_IP):
        portal_login_request(email=f"y{i}@example.test", ip="10.0.0.9", base_url=BASE, as_of=later)
    with pytest.raises(TooManyRequests):
        portal_login_request(email="z@example.test", ip="10.0.0.9", base_url=BASE, as_of=later)
    assert PortalLoginRequest.objects.filter(ip="10.0.0.9").count() == LOGIN_LIMIT_PER_IP
    # the page says so, with a 429, for any address
    for _ in range(LOGIN_LIMIT_PER_EMAIL):
        PortalLoginRequest.objects.create(email="w@example.test", created_at=timezone.now())
    page = Client().post("/portal/login/", {"email": "w@example.test"})
    assert page.status_code == 429
    assert "Too many sign-in links" in page.content.decode()


def test_a_reused_or_disabled_users_link_is_refused_by_the_service() -> None:
    customer = CustomerFactory()
    now = timezone.now()
    _, token = portal_session_create(customer_id=customer.pk, as_of=now, actor=TEST_ACTOR)
    portal_link_consume(token=token, as_of=now)
    with pytest.raises(LinkRefused) as used:
        portal_link_consume(token=token, as_of=now)
    assert used.value.code == "link_used"


# --------------------------------------------------------------------------------------- API


def test_portal_sessions_api(api: Any) -> None:
    customer = CustomerFactory(external_id="acme-api")
    created = api.post(
        "/api/v1/portal-sessions/",
        {"customer": "acme-api", "return_url": "https://app.acme.test/", "locale": "de"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["customer"] == "acme-api"
    assert body["state"] == "pending"
    assert body["url"].startswith("http://testserver/portal/session/")
    assert set(body) >= {"id", "url", "return_url", "locale", "expires_at", "created_at"}
    listed = api.get("/api/v1/portal-sessions/", {"customer": "acme-api"}).json()
    assert [s["id"] for s in listed["results"]] == [body["id"]]
    assert "url" not in listed["results"][0]
    client = Client()
    assert client.get(body["url"].removeprefix("http://testserver")).status_code == 302
    detail = api.get(f"/api/v1/portal-sessions/{body['id']}/").json()
    assert detail["state"] == "active"
    assert detail["opened_at"] is not None
    ended = api.post(f"/api/v1/portal-sessions/{body['id']}/end/", format="json").json()
    assert ended["state"] == "ended"
    assert client.get("/portal/").status_code == 302
    # a link ended before it is opened cannot be opened
    fresh = api.post("/api/v1/portal-sessions/", {"customer": "acme-api"}, format="json").json()
    api.post(f"/api/v1/portal-sessions/{fresh['id']}/end/", format="json")
    assert Client().get(fresh["url"].removeprefix("http://testserver")).status_code == 410
    # refusals in the common error body
    for data, field, code in [
        ({"customer": "acme-api", "return_url": "notaurl"}, "return_url", 400),
        ({"customer": "acme-api", "locale": "fr"}, "locale", 400),
        ({"customer": "acme-api", "bogus": 1}, "bogus", 400),
        ({"customer": "nobody"}, "customer", 404),
        ({"customer": "acme-api", "configuration": 424242}, "configuration", 400),
    ]:
        response = api.post("/api/v1/portal-sessions/", data, format="json")
        assert response.status_code == code, (data, response.json())
        assert response.json()["errors"][0]["field"] == field
    assert customer.portal_links.count() == 2


def rows_containing(secret: str) -> dict[str, int]:
    """Every table's rows whose text holds `secret` (as text, or hex-encoded as bytea shows it)."""
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(
                f"SELECT count(*) FROM {connection.ops.quote_name(table)} AS r "
                "WHERE strpos(r::text, %s) > 0 OR strpos(r::text, %s) > 0",
                [secret, secret.encode().hex()],
            )
            (count,) = cursor.fetchone()
            if count:
                found[table] = count
    return found


def test_a_session_link_is_never_stored_and_a_retry_with_its_key_says_so(api: Any) -> None:
    """Only hashes of link tokens are stored, also with an Idempotency-Key: the link is shown
    once; the same key again answers 409 (nothing runs twice) instead of the link."""
    CustomerFactory(external_id="acme-idem")
    body = {"customer": "acme-idem", "return_url": "https://app.acme.test/"}
    created = api.post(
        "/api/v1/portal-sessions/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-portal-1"
    )
    assert created.status_code == 201, created.json()
    url = created.json()["url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 32
    assert IdempotencyKey.objects.filter(key="k-portal-1").count() == 1  # the key is honoured
    assert JournalEvent.objects.filter(type="portal_session.created").count() == 1
    assert rows_containing(token) == {}  # no table: idempotency keys, journal, history ...
    assert rows_containing(PortalLink.objects.get().token_hash)  # the check finds what is there
    again = api.post(
        "/api/v1/portal-sessions/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-portal-1"
    )
    assert again.status_code == 409
    assert again["Idempotent-Replayed"] == "true"
    (error,) = again.json()["errors"]
    assert error["code"] == "link_shown_once"
    assert error["field"] == "Idempotency-Key"
    assert str(created.json()["id"]) in error["message"]
    assert "new Idempotency-Key" in error["message"]
    assert PortalLink.objects.count() == 1  # nothing ran again
    other = api.post(
        "/api/v1/portal-sessions/",
        {**body, "locale": "de"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-portal-1",
    )
    assert other.status_code == 422  # the key with another request: as everywhere
    fresh = api.post(
        "/api/v1/portal-sessions/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-portal-2"
    )
    assert fresh.status_code == 201
    assert fresh.json()["url"] != url
    assert Client().get(url.removeprefix("http://testserver")).status_code == 302  # still works
    assert rows_containing(fresh.json()["url"].rstrip("/").rsplit("/", 1)[1]) == {}


def test_portal_users_api(
    api: Any, smtp_server: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    CustomerFactory(external_id="acme-u", name="Acme")
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            "/api/v1/portal-users/",
            {"customer": "acme-u", "email": "ap@acme.test", "name": "Ap"},
            format="json",
        )
    assert created.status_code == 201, created.json()
    user = created.json()
    assert (user["customer"], user["state"]) == ("acme-u", "invited")
    assert len(smtp_server.messages) == 1
    twice = api.post(
        "/api/v1/portal-users/", {"customer": "acme-u", "email": "AP@acme.test"}, format="json"
    )
    assert twice.status_code == 400
    assert twice.json()["errors"][0]["field"] == "email"
    assert (
        api.get("/api/v1/portal-users/", {"state": "invited"}).json()["results"][0]["id"]
        == (user["id"])
    )
    assert api.get("/api/v1/portal-users/", {"customer": "other"}).json()["results"] == []
    assert api.get("/api/v1/portal-users/", {"bogus": "1"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(f"/api/v1/portal-users/{user['id']}/invite-again/", format="json")
    assert again.status_code == 200
    assert len(smtp_server.messages) == 2
    disabled = api.post(
        f"/api/v1/portal-users/{user['id']}/disable/", {"reason": "left"}, format="json"
    )
    assert disabled.json()["state"] == "disabled"
    assert api.get(f"/api/v1/portal-users/{user['id']}/").json()["disabled_at"] is not None
    assert api.get("/api/v1/portal-users/999999/").status_code == 404


# ------------------------------------------------------------------------- admin and command


def test_admin_invites_disables_and_ends_sessions(
    staff_client: Any, smtp_server: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    customer = CustomerFactory(name="Acme")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/portal/portaluser/add/",
            {"customer": customer.pk, "email": "bo@acme.test", "name": "Bo"},
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = PortalUser.objects.get(email="bo@acme.test")
    assert len(smtp_server.messages) == 1
    duplicate = staff_client.post(
        "/admin/portal/portaluser/add/", {"customer": customer.pk, "email": "BO@acme.test"}
    )
    page = duplicate.content.decode()
    assert duplicate.status_code == 200
    assert "already has a portal user" in page
    client = Client()
    login(client, link_in(smtp_server.messages[0]))
    session = PortalSession.objects.get(user=user)
    assert staff_client.get("/admin/portal/portalsession/").status_code == 200
    staff_client.post(
        "/admin/portal/portalsession/",
        {"action": "end_selected", "_selected_action": [session.pk]},
    )
    session.refresh_from_db()
    assert session.end_reason == "ended by staff"
    assert client.get("/portal/").status_code == 302
    staff_client.post(
        "/admin/portal/portaluser/",
        {"action": "disable_selected", "_selected_action": [user.pk]},
    )
    user.refresh_from_db()
    assert user.state == "disabled"
    history = staff_client.get(f"/admin/portal/portaluser/{user.pk}/history/")
    assert history.status_code == 200
    assert "disabled" in history.content.decode()
    link = PortalLink.objects.filter(user=user).first()
    assert link is not None
    page = staff_client.get(f"/admin/portal/portallink/{link.pk}/change/").content.decode()
    assert link.token_hash not in page
    assert staff_client.get("/admin/portal/portallink/").status_code == 200


def test_the_portal_link_command_prints_a_working_link() -> None:
    CustomerFactory(external_id="acme-cmd")
    out = StringIO()
    call_command("portal_link", "acme-cmd", "--base-url", "http://localhost:9000", stdout=out,
                 stderr=StringIO())  # fmt: skip
    url = out.getvalue().strip()
    assert url.startswith("http://localhost:9000/portal/session/")
    assert Client().get(url.removeprefix("http://localhost:9000"))["Location"] == "/portal/"


# ------------------------------------------------------- client IP behind proxies, exact counts


def ask_from(remote: str, forwarded: str | None = None, email: str = "a@example.test") -> Any:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post("/portal/login/", {"email": email}, **headers)


def test_the_client_ip_behind_trusted_proxies(settings: Any) -> None:
    """Behind a proxy every request comes from its address: with TRUSTED_PROXY_COUNT the
    client is the address that many hops from the right of X-Forwarded-For (what the trusted
    proxies saw), so one network's requests do not lock everyone out; without it (the
    default), X-Forwarded-For is the client's own word and is ignored."""
    proxy = "10.0.0.1"
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert ask_from(proxy, "198.51.100.1", "d0@example.test").status_code == 302
    assert PortalLoginRequest.objects.get().ip == proxy  # not the header's word
    PortalLoginRequest.objects.all().delete()

    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(LOGIN_LIMIT_PER_IP):  # one network asks a lot, through the proxy
        assert ask_from(proxy, "203.0.113.7", f"n{i}@example.test").status_code == 302
    limited = ask_from(proxy, "203.0.113.7", "n-last@example.test")
    assert limited.status_code == 429
    assert "from your network" in limited.content.decode()
    # a spoofed left-hand entry does not help: the proxy appended what it saw
    assert ask_from(proxy, "192.0.2.1, 203.0.113.7", "s@example.test").status_code == 429
    # everyone else still signs in
    assert ask_from(proxy, "198.51.100.2", "other@example.test").status_code == 302
    assert ask_from(proxy, "2001:DB8::0:1", "six@example.test").status_code == 302
    ips = set(PortalLoginRequest.objects.values_list("ip", flat=True))
    assert ips == {"203.0.113.7", "198.51.100.2", "2001:db8::1"}

    settings.TRUSTED_PROXY_COUNT = 2  # client, proxy 1 -> proxy 2 -> us
    assert ask_from("10.0.0.2", "198.51.100.3, 10.0.0.1", "two@example.test").status_code == 302
    assert PortalLoginRequest.objects.filter(ip="198.51.100.3").count() == 1
    # fewer entries than trusted proxies: the left-most (set by a trusted proxy); garbage: the
    # last hop known (here the proxy that passed it on); none: the connection's address
    assert ask_from("10.0.0.2", "198.51.100.4", "few@example.test").status_code == 302
    assert ask_from("10.0.0.2", "not-an-ip, 10.0.0.1", "junk@example.test").status_code == 302
    assert ask_from("10.0.0.2", None, "none@example.test").status_code == 302
    assert [
        PortalLoginRequest.objects.get(email=e).ip
        for e in ("few@example.test", "junk@example.test", "none@example.test")
    ] == ["198.51.100.4", "10.0.0.1", "10.0.0.2"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_login_requests_from_one_ip_are_counted_exactly() -> None:
    """The per-IP limit holds under concurrency (an advisory lock per IP, after the address's):
    of 8 requests at once for 8 addresses, with 2 left under the limit, exactly 2 pass."""
    now = timezone.now()
    ip = "203.0.113.50"
    for i in range(LOGIN_LIMIT_PER_IP - 2):
        PortalLoginRequest.objects.create(email=f"old{i}@example.test", ip=ip, created_at=now)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def ask(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            portal_login_request(email=f"c{i}@example.test", ip=ip, base_url=BASE, as_of=now)
            outcomes.append("sent")
        except TooManyRequests:
            outcomes.append("limited")
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["limited"] * 6 + ["sent"] * 2
    assert PortalLoginRequest.objects.filter(ip=ip).count() == LOGIN_LIMIT_PER_IP
