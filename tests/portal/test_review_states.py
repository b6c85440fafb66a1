# ruff: noqa: RUF001  (the pages' typography: en dashes of periods)
"""The second review's findings on the portal's pages, each first as a failing test.

Dates by hand (the "Pro" plan: $49.00 a month in arrears, from tests/invoicing; customers in
Europe/Berlin, UTC+1 in winter):
- "ape": subscribed Jan 1, canceled at the period end on Feb 3 -> the period Feb 1 - Mar 1
  (exclusive) ends at midnight of Mar 1, so its last day is Feb 28, 2026 (28.02.2026);
- "trial": subscribed Feb 6 with a 14-day trial -> trial Feb 6 - Feb 20 (exclusive): last day
  Feb 19; billed in arrears, nothing is billed at the trial's end: the first invoice is issued
  at the end of the first paid period, Feb 20 + 1 month = Mar 20, 2026 (20.03.2026);
- "future": starts Mar 13 (pending); "paused": paused Feb 3."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from billing.models import Customer, Subscription
from billing.services import subscription_cancel, subscription_create, subscription_pause
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_invoices import FEB, JAN, workload_plan
from tests.portal.conftest import signed_in
from tests.portal.test_pages import default_configuration, text

pytestmark = pytest.mark.django_db
NOW = FEB + timedelta(days=10, hours=12)  # Feb 11, 12:00 UTC


def customer(external_id: str, locale: str) -> Customer:
    return Customer.objects.get(
        pk=CustomerFactory(
            external_id=external_id, country="DE", locale=locale, timezone="Europe/Berlin"
        ).pk
    )


def canceled_at_period_end(locale: str) -> tuple[Customer, Subscription]:
    found = customer(f"ape-{locale}", locale)
    sub = subscription_create(
        customer_id=found.pk, plan_id=workload_plan().pk, actor=TEST_ACTOR, as_of=JAN
    )
    subscription_cancel(
        subscription_id=sub.pk, actor=TEST_ACTOR, as_of=FEB + timedelta(days=2), at_period_end=True
    )
    return found, sub


def trialing(locale: str) -> tuple[Customer, Subscription]:
    found = customer(f"trial-{locale}", locale)
    sub = subscription_create(
        customer_id=found.pk, plan_id=workload_plan().pk, actor=TEST_ACTOR,
        as_of=FEB + timedelta(days=5), trial_days=14,
    )  # fmt: skip
    return found, sub


@pytest.mark.parametrize(
    ("locale", "ends", "cancel_page"),
    [
        ("en", "Ends on Feb 28, 2026", "stays active until February 28, 2026"),
        ("de-DE", "Endet am 28.02.2026", "bleibt bis zum 28. Februar 2026 aktiv"),
    ],
)
def test_a_subscription_canceled_at_the_period_end_ends_on_the_periods_last_day(
    locale: str, ends: str, cancel_page: str
) -> None:
    default_configuration()
    found, sub = canceled_at_period_end(locale)
    with time_machine.travel(NOW, tick=False):
        client = signed_in(Client(), found)
        page = text(client.get("/portal/"))
        cancel = text(client.get(f"/portal/subscriptions/{sub.pk}/cancel/"))
    assert ends in page
    assert "01.03.2026" not in page.split("Nächste Rechnung")[0]
    assert "Mar 1, 2026" not in page.split("Upcoming invoice")[0]
    assert cancel_page in cancel


@pytest.mark.parametrize(
    ("locale", "period", "trial", "billing", "upcoming"),
    [
        (
            "en",
            "Current period Feb 6 – 19, 2026",
            "Trial ends Feb 19, 2026",
            "Next billing date Mar 20, 2026",
            "Your next invoice is issued on Mar 20, 2026.",
        ),
        (
            "de-DE",
            "Aktueller Zeitraum 6.–19. Feb. 2026",
            "Testphase endet 19.02.2026",
            "Nächster Abrechnungstermin 20.03.2026",
            "Ihre nächste Rechnung wird am 20.03.2026 ausgestellt.",
        ),
    ],
)
def test_a_trials_last_day_and_next_billing_date_agree_with_the_page(
    locale: str, period: str, trial: str, billing: str, upcoming: str
) -> None:
    default_configuration()
    found, _ = trialing(locale)
    with time_machine.travel(NOW, tick=False):
        page = text(signed_in(Client(), found).get("/portal/"))
    assert period in page
    assert trial in page
    assert billing in page
    assert upcoming in page


# ----------------------------------------------------------- cancel only where it can be done


def test_cancel_is_not_offered_for_a_subscription_not_started_yet() -> None:
    default_configuration()
    found = customer("future", "de-DE")
    sub = subscription_create(
        customer_id=found.pk, plan_id=workload_plan().pk, actor=TEST_ACTOR, as_of=FEB,
        start_at=FEB + timedelta(days=40),
    )  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        client = signed_in(Client(), found)
        overview = client.get("/portal/").content.decode()
        page = client.get(f"/portal/subscriptions/{sub.pk}/cancel/")
        posted = client.post(f"/portal/subscriptions/{sub.pk}/cancel/", {"reason": ""})
    assert f"/portal/subscriptions/{sub.pk}/cancel/" not in overview
    assert page.status_code == 200
    assert 'id="cancel-form"' not in page.content.decode()
    sentence = "Dieses Abonnement hat noch nicht begonnen"
    assert sentence in text(page)
    assert posted.status_code == 409
    assert sentence in text(posted)
    sub.refresh_from_db()
    assert not sub.cancel_at_period_end
    assert sub.status == "pending"


def test_a_paused_subscription_is_not_canceled_by_a_direct_post() -> None:
    default_configuration()
    found = customer("paused", "en")
    sub = subscription_create(
        customer_id=found.pk, plan_id=workload_plan().pk, actor=TEST_ACTOR, as_of=JAN
    )
    subscription_pause(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=FEB + timedelta(days=2))
    with time_machine.travel(NOW, tick=False):
        client = signed_in(Client(), found)
        overview = client.get("/portal/").content.decode()
        page = client.get(f"/portal/subscriptions/{sub.pk}/cancel/")
        posted = client.post(f"/portal/subscriptions/{sub.pk}/cancel/", {"reason": ""})
    assert f"/portal/subscriptions/{sub.pk}/cancel/" not in overview
    assert 'id="cancel-form"' not in page.content.decode()
    sentence = "This subscription is paused"
    assert sentence in text(page)
    assert posted.status_code == 409
    assert sentence in text(posted)
    sub.refresh_from_db()
    assert not sub.cancel_at_period_end
    assert sub.status == "paused"


# ---------------------------------------------------------------------- messages printed once


def test_a_message_is_printed_once(settings: Any) -> None:
    configuration = default_configuration()
    configuration.allow_payment_method_update = False
    configuration.save()
    found = customer("msg", "en")
    client = signed_in(Client(), found)
    response = client.post("/portal/payment-methods/add/", follow=True)
    assert response.redirect_chain[-1][0] == "/portal/payment-methods/"
    body = response.content.decode()
    assert text(response).count("Payment methods cannot be changed here.") == 1
    assert len(re.findall(r'role="status"', body)) == 1


# ------------------------------------------------------------------------ the invoices' pages


def test_an_invoices_page_that_does_not_exist_is_404() -> None:
    default_configuration()
    client = signed_in(Client(), customer("pages", "en"))
    assert client.get("/portal/invoices/").status_code == 200
    assert client.get("/portal/invoices/?page=1").status_code == 200  # an empty list's page 1
    for page in ("abc", "0", "-1", "2", "999", "1.5", ""):
        assert client.get("/portal/invoices/", {"page": page}).status_code == 404, page
