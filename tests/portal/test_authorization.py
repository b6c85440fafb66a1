"""The authorization walk (issue 14): signed in as customer B, every portal URL that names an
object answers 404 for customer A's object of that kind, by GET and by POST; without a session
every page sends to the sign-in page. The URLs are read from the resolver, so pages added later
are walked too, and a new kind of id in a URL fails the walk until it is taught here.

Also: expired and reused links are refused, a disabled user's session ends, sessions expire."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

import portal.urls
from billing.models import Customer
from invoicing.services import credit_note_issue
from payments.gateways.sandbox import SandboxGateway
from payments.services import payment_method_add
from portal.services import (
    LINK_TTL,
    SESSION_TTL,
    portal_session_create,
    portal_user_disable,
)
from portal.services.access import link_path
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_invoices import FEB, finalized_workload_invoice

pytestmark = pytest.mark.django_db

OBJECT_KWARGS = ("invoice_id", "credit_note_id", "subscription_id", "method_id")
# the doors in (they need no session) and the company's brand (the same for everyone)
PUBLIC = {"session_link", "login", "login_link", "brand_css", "brand_logo"}
OTHER_KWARGS = {"token": {"session_link", "login_link"}, "digest": {"brand_logo"}}


def portal_patterns() -> list[tuple[str, str, list[str]]]:
    """(name, route, kwarg names) of every pattern under portal.urls, nested ones included."""
    found: list[tuple[str, str, list[str]]] = []

    def walk(entries: list[Any], prefix: str) -> None:
        for entry in entries:
            if isinstance(entry, URLResolver):
                walk(list(entry.url_patterns), prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                kwargs = list(getattr(entry.pattern, "converters", {}))
                found.append((str(entry.name), prefix + str(entry.pattern), kwargs))

    walk(list(portal.urls.urlpatterns), "")
    return found


@pytest.fixture(autouse=True)
def sandbox(settings: Any) -> Iterator[None]:
    namespace = f"test-portal-walk-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    yield
    SandboxGateway(namespace=namespace).reset()


def customer_a_objects() -> dict[str, int]:
    """Customer A with an open invoice, a credit note, a subscription and a payment method."""
    invoice = finalized_workload_invoice(1)
    fee = invoice.lines.get(kind="fixed_fee")
    note = credit_note_issue(
        invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="goodwill",
        lines=[(fee.pk, Decimal("1.00"))],
    )  # fmt: skip
    method = payment_method_add(
        customer_id=invoice.customer_id,
        actor=TEST_ACTOR,
        as_of=FEB,
        data={"gateway": "sandbox", "token": f"tok_visa+{uuid.uuid4().hex[:8]}", "kind": "card",
              "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030},
    )  # fmt: skip
    subscription = invoice.customer.subscriptions.get()
    return {
        "invoice_id": invoice.pk,
        "credit_note_id": note.pk,
        "subscription_id": subscription.pk,
        "method_id": method.pk,
    }


def test_every_pattern_names_only_known_ids() -> None:
    for name, route, kwargs in portal_patterns():
        for kwarg in kwargs:
            known = kwarg in OBJECT_KWARGS or name in OTHER_KWARGS.get(kwarg, set())
            assert known, (
                f"portal:{name} ({route}) takes {kwarg!r}: name object ids {OBJECT_KWARGS} "
                "(the walk below fills them with another customer's objects), or teach the walk"
            )


def test_customer_b_gets_404_for_every_object_of_customer_a(
    portal_client_for: Callable[[Customer], Client],
) -> None:
    ids = customer_a_objects()
    b = CustomerFactory(name="Customer B")
    client = portal_client_for(b)
    walked = 0
    for name, _route, kwargs in portal_patterns():
        objects = [k for k in kwargs if k in OBJECT_KWARGS]
        if not objects:
            continue
        url = reverse(f"portal:{name}", kwargs={k: ids[k] for k in kwargs})
        answers = {method: getattr(client, method)(url).status_code for method in ("get", "post")}
        for method, status in answers.items():
            # 405: the view does not take this method at all (it never looked anything up)
            assert status in (404, 405), f"{method.upper()} {url} (portal:{name}): {status}"
        assert 404 in answers.values(), f"portal:{name}: {answers}"
        walked += 1
    assert client.get(reverse("portal:overview")).status_code == 200  # still B's session
    assert walked >= 1


def test_every_page_sends_to_the_sign_in_page_without_a_session() -> None:
    client = Client()
    for name, _route, kwargs in portal_patterns():
        if name in PUBLIC:
            continue
        url = reverse(f"portal:{name}", kwargs=dict.fromkeys(kwargs, 1))
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url)
        assert response.status_code == 302, f"portal:{name} ({url}): {response.status_code}"
        assert response["Location"].startswith(reverse("portal:login")), (
            name,
            response["Location"],
        )


# ------------------------------------------------------------------------ links and sessions


def test_an_expired_link_and_a_reused_link_are_refused() -> None:
    customer = CustomerFactory()
    start = timezone.now()
    _, late = portal_session_create(customer_id=customer.pk, as_of=start, actor=TEST_ACTOR)
    with time_machine.travel(start + LINK_TTL, tick=False):
        response = Client().get(link_path(late))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    _, token = portal_session_create(customer_id=customer.pk, as_of=start, actor=TEST_ACTOR)
    assert Client().get(link_path(token)).status_code == 302
    again = Client().get(link_path(token))
    assert again.status_code == 410
    assert "already used" in again.content.decode()
    assert "sessionid" not in again.cookies or not again.cookies["sessionid"].value


def test_a_disabled_users_session_ends_and_sessions_expire() -> None:
    from portal.models import PortalLink, PortalUser
    from portal.services.access import token_hash

    customer = CustomerFactory()
    start = timezone.now()
    user = PortalUser.objects.create(
        customer=customer, email="u@example.test", invited_by="tests", invited_at=start
    )
    token = "t-" + uuid.uuid4().hex
    PortalLink.objects.create(
        kind="login", token_hash=token_hash(token), customer=customer, user=user,
        created_by="tests", created_at=start, expires_at=start + timedelta(minutes=15),
    )  # fmt: skip
    client = Client()
    response = client.get(reverse("portal:login_link", args=[token]))
    assert response.status_code == 200
    assert client.post(reverse("portal:login_link", args=[token])).status_code == 302
    assert client.get(reverse("portal:overview")).status_code == 200
    portal_user_disable(user_id=user.pk, as_of=timezone.now(), actor=TEST_ACTOR)
    assert client.get(reverse("portal:overview"))["Location"].startswith(reverse("portal:login"))
    # expiry: a session of one hour, whatever happens meanwhile
    other = CustomerFactory()
    _, fresh = portal_session_create(customer_id=other.pk, as_of=start, actor=TEST_ACTOR)
    with time_machine.travel(start, tick=False):
        assert client.get(link_path(fresh)).status_code == 302
    with time_machine.travel(start + SESSION_TTL - timedelta(seconds=1), tick=False):
        assert client.get(reverse("portal:overview")).status_code == 200
    with time_machine.travel(start + SESSION_TTL, tick=False):
        expired = client.get(reverse("portal:overview"))
    assert expired["Location"] == reverse("portal:login") + "?expired=1"
