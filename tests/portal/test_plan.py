"""Issue 14, item 2 (plan part): a customer changes plan in the portal after a proration preview
computed by the admin's own code, and cancels at the period end and undoes it.

The customer's April is a 30-day month from 2026-04-01 (UTC); "today" is 2026-04-11 00:00, day
11, so 20 of the 30 days are left: an upgrade from 49.00 to 99.00 a month credits
-49.00 x 20/30 = -32.666... -> -32.67 and charges 99.00 x 20/30 = 66.00, each line rounded once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from billing import services
from billing.change_signing import change_request_read, change_request_sign
from billing.models import Customer, ProrationLine, Subscription, SubscriptionChange
from billing.services.dunning_blocks import customer_plan_changes_refuse
from catalog import services as catalog_services
from catalog.models import Plan
from core.audit import history_rows
from invoicing.models import Invoice, LineKind
from portal.models import PortalConfiguration, PortalConfigurationPlan, PortalCustomerConfiguration
from portal.views.plan import PREVIEW_SALT
from tests.billing.subs import customer, priced_plan, utc
from tests.catalog.factories import metric, published_version
from tests.catalog.factories import plan as make_plan
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_invoices import run_tick
from tests.portal.conftest import signed_in

pytestmark = pytest.mark.django_db

START = utc(2026, 4, 1)
DAY_11 = utc(2026, 4, 11)
D = Decimal


@pytest.fixture
def today() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(DAY_11, tick=False) as clock:
        yield clock


def a_configuration(*plans: Plan, **allowed: bool) -> PortalConfiguration:
    configuration = PortalConfiguration.objects.create(
        name=f"plans {PortalConfiguration.objects.count()}",
        created_at=timezone.now(),
        updated_at=timezone.now(),
        **allowed,
    )
    for position, each in enumerate(plans):
        PortalConfigurationPlan.objects.create(
            configuration=configuration, plan=each, position=position
        )
    return configuration


class World:
    """A customer on Basic (49.00 a month) since April 1, whose configuration offers Pro (99.00,
    with a usage charge), Team (a price book only from June), Basic itself and a euro plan;
    Enterprise exists but is not offered."""

    def __init__(self, **extra: Any) -> None:
        self.basic = priced_plan("basic", "49.00")
        self.pro = make_plan("pro", name="Pro")
        calls = metric("api_calls", name="API calls")
        published_version(
            self.pro,
            utc(2020, 1, 1),
            [{"metric": calls, "pricing_model": "per_unit", "params": {"unit_price": "0.002"}}],
            fixed_fee=D("99.00"),
        )
        self.enterprise = priced_plan("enterprise", "199.00")
        self.team = make_plan("team", name="Team")
        published_version(self.team, utc(2026, 6, 1), [], fixed_fee=D("79.00"))
        self.euro = priced_plan("euro", "45.00", currency="EUR")
        self.configuration = a_configuration(self.basic, self.team, self.euro, self.pro)
        self.customer: Customer = customer(name="Initech", **extra)
        PortalCustomerConfiguration.objects.create(
            customer=self.customer, configuration=self.configuration
        )
        self.sub = services.subscription_create(
            customer_id=self.customer.pk, plan_id=self.basic.pk, actor=TEST_ACTOR,
            as_of=START, start_at=START,
        )  # fmt: skip

    def url(self, name: str) -> str:
        return reverse(f"portal:{name}", kwargs={"subscription_id": self.sub.pk})


@pytest.fixture
def world(today: Any) -> World:
    return World()


@pytest.fixture
def client(world: World, portal_client_for: Callable[[Customer], Client]) -> Client:
    return portal_client_for(world.customer)


def previewed(response: Any) -> str:
    html = response.content.decode()
    marker = 'name="previewed" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def written_lines(sub: Subscription) -> list[tuple[str, Decimal]]:
    return list(
        ProrationLine.objects.filter(subscription=sub)
        .order_by("id")
        .values_list("kind", "amount_rounded")
    )


# ------------------------------------------------------------------------------ the plan list


def test_the_plans_offered_are_the_configurations_priced_now_in_the_customers_currency(
    world: World, client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(10):  # 9 measured
        response = client.get(world.url("plan"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="plan-{world.pro.pk}"' in html
    assert "$99.00 per month" in html
    assert "API calls: $0.002 each" in html
    assert "Your current plan: Basic, $49.00 per month." in html
    for absent in (world.basic, world.enterprise, world.team, world.euro):
        assert f'id="plan-{absent.pk}"' not in html  # current, not offered, June, euros


def test_a_plan_not_offered_is_refused_even_when_posted_directly(
    world: World, client: Client
) -> None:
    for plan_id in (world.enterprise.pk, world.team.pk, world.euro.pk, world.basic.pk, 999999):
        response = client.post(world.url("plan"), {"plan": plan_id})
        assert response.status_code == 400
        assert "This plan is not one you can switch to." in response.content.decode()
    # a signed preview of a plan the configuration stops offering before it is confirmed
    token = change_request_sign(
        {"subscription": world.sub.pk, "customer": world.customer.pk, "plan": world.pro.pk,
         "quantity": None, "when": "now", "lines": []},
        salt=PREVIEW_SALT,
    )  # fmt: skip
    PortalConfigurationPlan.objects.filter(plan=world.pro).delete()
    response = client.post(world.url("plan_confirm"), {"previewed": token})
    assert response.status_code == 400
    assert "This plan is not one you can switch to." in response.content.decode()
    assert not SubscriptionChange.objects.exists()


# --------------------------------------------------------------------- preview and confirm


def test_an_upgrade_is_previewed_by_hand_and_confirmed_as_previewed(
    world: World, client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(75):  # 63 measured: catch-up, change, next invoice
        response = client.post(world.url("plan"), {"plan": world.pro.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The change takes effect now." in html
    credit = -(D("49.00") * 20 / 30).quantize(D("0.01"))  # -32.67
    charge = (D("99.00") * 20 / 30).quantize(D("0.01"))  # 66.00
    assert (credit, charge) == (D("-32.67"), D("66.00"))
    assert "-$32.67" in html
    assert "$66.00" in html
    assert "Basic plan, unused time" in html
    assert "Pro plan, remaining time" in html
    assert '<dd id="preview-net">$33.33</dd>' in html  # -32.67 + 66.00
    assert '<dd id="preview-due-now">$0.00</dd>' in html
    # the next invoice (May 1): May's fee at the new plan and both prorated lines
    assert "Issued on May 1, 2026" in html
    assert '<dd id="preview-upcoming-total">$132.33</dd>' in html  # 99.00 - 32.67 + 66.00
    token = previewed(response)
    assert change_request_read(token, salt=PREVIEW_SALT)["lines"] == [
        ["credit", "-32.67"], ["charge", "66.00"],
    ]  # fmt: skip
    assert not SubscriptionChange.objects.exists()  # a preview writes nothing

    done = client.post(world.url("plan_confirm"), {"previewed": token})
    assert done.status_code == 302
    assert done["Location"] == reverse("portal:overview")
    world.sub.refresh_from_db()
    assert world.sub.plan_id == world.pro.pk
    assert written_lines(world.sub) == [("credit", credit), ("charge", charge)]
    (change,) = SubscriptionChange.objects.all()
    assert change.effective_at == DAY_11
    assert change.requested_by.startswith("portal:session ")
    # history and journal carry the customer's portal actor
    last = history_rows(world.sub)[-1]
    assert (last["actor_kind"], last["actor_id"]) == ("customer", str(world.customer.pk))
    assert last["why"] == "Changed by the customer in the portal"
    assert "Your plan is now Pro." in client.get(reverse("portal:overview")).content.decode()

    again = client.post(world.url("plan_confirm"), {"previewed": token})  # the same preview
    assert again.status_code == 409
    assert "This change has already been made." in again.content.decode()
    assert SubscriptionChange.objects.count() == 1
    assert len(written_lines(world.sub)) == 2


def test_a_taxed_customers_preview_shows_each_lines_tax_as_the_next_invoice_has_it(
    today: Any,
) -> None:
    """German VAT, 19 % on top: each prorated line's tax is the invoice writer's (rounded per
    line), the change's net with tax beside the net, and the invoice the clock then issues on
    May 1 has the same lines, taxes and total as the preview's next invoice."""
    catalog_services.tax_rate_create(
        actor=TEST_ACTOR, as_of=START,
        data={"code": "de_vat", "name": "USt.", "percentage": D("19"), "inclusive": False,
              "country": "DE"},
    )  # fmt: skip
    world = World(country="DE")
    client = Client()
    signed_in(client, world.customer)
    response = client.post(world.url("plan"), {"plan": world.pro.pk})
    assert response.status_code == 200
    html = response.content.decode()
    # -32.67 x 19 % = -6.2073 -> -6.21; 66.00 x 19 % = 12.54
    lines = html[html.index('id="preview-lines"') : html.index('id="preview-totals"')]
    assert "-$6.21" in lines
    assert "$12.54" in lines
    assert "$0.00" not in lines
    assert '<dd id="preview-net">$33.33</dd>' in html  # -32.67 + 66.00, before tax
    assert '<dd id="preview-tax">$6.33</dd>' in html  # -6.21 + 12.54
    assert '<dd id="preview-net-with-tax">$39.66</dd>' in html  # 33.33 + 6.33
    assert '<dd id="preview-due-now">$0.00</dd>' in html
    # May's invoice: 99.00 (tax 18.81) - 32.67 (-6.21) + 66.00 (12.54) = 132.33 + 25.14
    assert '<dd id="preview-upcoming-total">$157.47</dd>' in html

    assert client.post(world.url("plan_confirm"), {"previewed": previewed(response)})[
        "Location"
    ] == reverse("portal:overview")
    with time_machine.travel(utc(2026, 5, 1, 0, 5), tick=False):
        run_tick(utc(2026, 5, 1, 0, 5))
    invoice = Invoice.objects.get(customer=world.customer, billing_date=utc(2026, 5, 1))
    prorated = [
        (line.amount, line.tax_amount)
        for line in invoice.lines.filter(kind=LineKind.PRORATION).order_by("position")
    ]
    assert prorated == [(D("-32.67"), D("-6.21")), (D("66.00"), D("12.54"))]
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
        D("132.33"), D("25.14"), D("157.47"),
    )  # fmt: skip


def test_a_downgrade_takes_effect_at_the_period_end(today: Any) -> None:
    world = World()
    services.subscription_change(
        subscription_id=world.sub.pk, plan_id=world.pro.pk, actor=TEST_ACTOR,
        as_of=DAY_11 - timedelta(days=1), when="now",
    )  # fmt: skip
    client = Client()
    signed_in(client, world.customer)
    before = written_lines(world.sub)
    response = client.post(world.url("plan"), {"plan": world.basic.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "takes effect at the end of the current period, on May 1, 2026" in html
    assert 'id="preview-lines"' not in html  # nothing prorated
    assert '<dd id="preview-due-now">$0.00</dd>' in html
    # the upgrade made on day 10 (21 days left): -49.00 x 21/30 = -34.30, 99.00 x 21/30 = 69.30
    assert before == [("credit", D("-34.30")), ("charge", D("69.30"))]
    # May's invoice: May at Basic (49.00) and April's prorated lines: 49.00 - 34.30 + 69.30
    assert '<dd id="preview-upcoming-total">$84.00</dd>' in html
    done = client.post(world.url("plan_confirm"), {"previewed": previewed(response)})
    assert done.status_code == 302
    scheduled = SubscriptionChange.objects.get(status="scheduled")
    assert (scheduled.new_plan_id, scheduled.effective_at) == (world.basic.pk, utc(2026, 5, 1))
    assert written_lines(world.sub) == before
    world.sub.refresh_from_db()
    assert world.sub.plan_id == world.pro.pk  # until May 1


def test_a_tampered_or_expired_preview_changes_nothing(
    world: World, client: Client, today: time_machine.Coordinates
) -> None:
    token = previewed(client.post(world.url("plan"), {"plan": world.pro.pk}))
    body, _, signature = token.rpartition(":")
    tampered = f"{body}:{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    response = client.post(world.url("plan_confirm"), {"previewed": tampered})
    assert response.status_code == 400
    assert "This is not the preview that was shown." in response.content.decode()
    # another part's token (the admin's salt) is no portal preview either
    admin_token = change_request_sign(change_request_read(token, salt=PREVIEW_SALT))
    assert client.post(world.url("plan_confirm"), {"previewed": admin_token}).status_code == 400

    today.shift(timedelta(minutes=11))
    response = client.post(world.url("plan_confirm"), {"previewed": token})
    assert response.status_code == 400
    assert "This preview has expired." in response.content.decode()
    assert not SubscriptionChange.objects.exists()
    assert written_lines(world.sub) == []


def test_a_preview_whose_amounts_no_longer_hold_is_shown_again(
    world: World, client: Client, today: time_machine.Coordinates
) -> None:
    token = previewed(client.post(world.url("plan"), {"plan": world.pro.pk}))
    today.shift(timedelta(minutes=9))  # 99.00 x (20 days - 9 min) / 30 days = 65.979... -> 65.98
    response = client.post(world.url("plan_confirm"), {"previewed": token})
    assert response.status_code == 409
    html = response.content.decode()
    assert "The amounts have changed since your preview" in html
    assert "$65.98" in html
    assert not SubscriptionChange.objects.exists()
    done = client.post(world.url("plan_confirm"), {"previewed": previewed(response)})
    assert done.status_code == 302
    assert written_lines(world.sub)[1] == ("charge", D("65.98"))


def test_dunnings_refusal_is_a_message(world: World, client: Client) -> None:
    token = previewed(client.post(world.url("plan"), {"plan": world.pro.pk}))
    with transaction.atomic():
        customer_plan_changes_refuse(
            customer=world.customer, refused=True, reason="warning", as_of=DAY_11,
            actor=TEST_ACTOR,
        )  # fmt: skip
    refusal = "Plan changes are not possible while invoices are overdue."
    page = client.get(world.url("plan"))
    assert page.status_code == 200
    assert refusal in page.content.decode()
    assert 'id="plan-form"' not in page.content.decode()
    response = client.post(world.url("plan"), {"plan": world.pro.pk})
    assert response.status_code == 409
    assert refusal in response.content.decode()
    response = client.post(world.url("plan_confirm"), {"previewed": token})
    assert response.status_code == 409
    assert refusal in response.content.decode()
    assert not SubscriptionChange.objects.exists()


def test_plan_changes_not_allowed_and_another_customers_subscription(
    world: World, client: Client
) -> None:
    other = services.subscription_create(
        customer_id=customer().pk, plan_id=world.basic.pk, actor=TEST_ACTOR, as_of=START,
        start_at=START,
    )  # fmt: skip
    for name in ("plan", "cancel"):
        url = reverse(f"portal:{name}", kwargs={"subscription_id": other.pk})
        assert client.get(url).status_code == 404
    for name in ("plan", "plan_confirm", "cancel", "uncancel"):
        url = reverse(f"portal:{name}", kwargs={"subscription_id": other.pk})
        assert client.post(url, {"plan": world.pro.pk}).status_code == 404
    PortalConfiguration.objects.filter(pk=world.configuration.pk).update(allow_plan_change=False)
    response = client.get(world.url("plan"))
    assert response.status_code == 403
    assert "Changing your plan online is not available" in response.content.decode()
    assert client.post(world.url("plan"), {"plan": world.pro.pk}).status_code == 403
    assert client.post(world.url("plan_confirm"), {"previewed": "x"}).status_code == 403


def test_a_subscription_with_seats_chooses_a_quantity(today: Any) -> None:
    world = World()
    seats = services.subscription_create(
        customer_id=world.customer.pk, plan_id=world.basic.pk, actor=TEST_ACTOR, as_of=START,
        start_at=START, quantity=3,
    )  # fmt: skip
    client = Client()
    signed_in(client, world.customer)
    url = reverse("portal:plan", kwargs={"subscription_id": seats.pk})
    assert 'name="quantity"' in client.get(url).content.decode()
    assert client.post(url, {"plan": world.pro.pk, "quantity": 0}).status_code == 400
    response = client.post(url, {"plan": world.pro.pk, "quantity": 4})
    html = response.content.decode()
    # 3 x 49.00 x 20/30 = 98.00 credited; 4 x 99.00 x 20/30 = 264.00 charged
    assert "-$98.00" in html
    assert "$264.00" in html
    client.post(reverse("portal:plan_confirm", kwargs={"subscription_id": seats.pk}),
                {"previewed": previewed(response)})  # fmt: skip
    seats.refresh_from_db()
    assert (seats.plan_id, seats.quantity) == (world.pro.pk, 4)
    assert written_lines(seats) == [("credit", D("-98.00")), ("charge", D("264.00"))]


# ------------------------------------------------------------------------- cancel and undo


def test_cancel_at_the_period_end_and_undo(world: World, client: Client) -> None:
    page = client.get(world.url("cancel"))
    assert page.status_code == 200
    assert "stays active until the end of the current period, April 30, 2026" in (
        page.content.decode()
    )
    response = client.post(
        world.url("cancel"), {"reason": "too_expensive", "details": "Budget cuts."}
    )
    assert response.status_code == 302
    assert response["Location"] == world.url("cancel")
    world.sub.refresh_from_db()
    assert world.sub.cancel_at_period_end
    assert world.sub.status == "active"
    last = history_rows(world.sub)[-1]
    assert (last["actor_kind"], last["actor_id"]) == ("customer", str(world.customer.pk))
    assert last["why"] == (
        "Canceled by the customer in the portal; reason: too_expensive; the customer wrote: "
        "Budget cuts."
    )
    html = client.get(world.url("cancel")).content.decode()
    assert "Your subscription is canceled. It stays active until April 30, 2026." in html
    assert 'id="uncancel-form"' in html
    # canceling twice says so
    again = client.post(world.url("cancel"), {})
    assert again.status_code == 409
    assert "already scheduled" in again.content.decode()

    undone = client.post(world.url("uncancel"))
    assert undone.status_code == 302
    world.sub.refresh_from_db()
    assert not world.sub.cancel_at_period_end
    assert history_rows(world.sub)[-1]["actor_kind"] == "customer"
    html = client.get(world.url("cancel")).content.decode()
    assert "Your cancellation is undone." in html
    assert 'id="cancel-form"' in html
    assert client.post(world.url("uncancel")).status_code == 409  # nothing to undo


def test_a_bad_reason_is_a_form_error(world: World, client: Client) -> None:
    response = client.post(world.url("cancel"), {"reason": "because", "details": "x" * 1001})
    assert response.status_code == 400
    world.sub.refresh_from_db()
    assert not world.sub.cancel_at_period_end


def test_cancel_not_allowed(world: World, client: Client) -> None:
    PortalConfiguration.objects.filter(pk=world.configuration.pk).update(allow_cancel=False)
    response = client.get(world.url("cancel"))
    assert response.status_code == 403
    assert "Cancelling your subscription online is not available" in response.content.decode()
    assert client.post(world.url("cancel"), {}).status_code == 403
    assert client.post(world.url("uncancel")).status_code == 403
    world.sub.refresh_from_db()
    assert not world.sub.cancel_at_period_end


# ------------------------------------------------------------------------------------ German


def test_the_pages_in_german(today: Any) -> None:
    world = World(locale="de-DE", zone="Europe/Berlin")
    client = Client()
    signed_in(client, world.customer)
    html = client.get(world.url("plan")).content.decode()
    assert "Tarif wechseln" in html
    assert "99,00\xa0$ pro Monat" in html
    html = client.post(world.url("plan"), {"plan": world.pro.pk}).content.decode()
    assert "Die Änderung gilt sofort." in html
    html = client.get(world.url("cancel")).content.decode()
    assert "30. April 2026" in html
