"""Portal configuration by finance staff (issue 14, item 4): which plans customers may switch to
(in order, in their currency), whether they may cancel, manage payment methods and billing
details; the default configuration and customers' own; through the services, the admin and the
API. And the brand's stylesheet, logo and `brand` context for the portal's pages."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import timezone
from pghistory.models import Events
from PIL import Image

from billing.models import JournalEvent
from catalog import services as catalog
from core.exceptions import Conflict, ValidationFailed
from invoicing.services.branding import branding_update
from portal.models import PortalConfiguration, PortalCustomerConfiguration, PortalSession
from portal.selectors import configuration_for, plans_offered
from portal.services.configuration import (
    portal_configuration_create,
    portal_configuration_set_default,
    portal_configuration_update,
    portal_customer_configuration_clear,
    portal_customer_configuration_set,
)
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import plan
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def create(**data: Any) -> PortalConfiguration:
    return portal_configuration_create(data=data, as_of=AT, actor=TEST_ACTOR)


def refused(call: Any, **kwargs: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        call(**kwargs, as_of=AT, actor=TEST_ACTOR)
    return caught.value


def archive(plan_id: int) -> None:
    catalog.plan_update(plan_id=plan_id, actor=TEST_ACTOR, as_of=AT, changes={"archived": True})


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 32), "#224466").save(out, "PNG")
    return out.getvalue()


# ------------------------------------------------------------------------ the default one


def test_the_default_configuration_a_finance_team_expects() -> None:
    default = PortalConfiguration.objects.get(is_default=True)
    assert default.name == "Default"
    assert (default.allow_cancel, default.allow_payment_method_update) == (True, True)
    assert (default.allow_billing_details_update, default.allow_plan_change) == (True, True)
    assert not default.plan_rows.exists()  # plan changes on, no plan listed: none offered
    assert plans_offered(default, CustomerFactory()) == []


# ---------------------------------------------------------------------------------- services


def test_plans_are_offered_in_order_in_the_customers_currency_never_archived() -> None:
    basic, pro, euro = plan("basic"), plan("pro"), plan("pro_eur", currency="EUR")
    config = create(name="Resellers", plans=[pro.pk, euro.pk, basic.pk])
    dollars, euros = CustomerFactory(currency="USD"), CustomerFactory(currency="EUR")
    # another currency's plan may be listed: it is offered to that currency's customers only
    assert plans_offered(config, dollars) == [pro, basic]
    assert plans_offered(config, euros) == [euro]
    archive(basic.pk)  # archived after being listed: still listed, offered to no one
    assert plans_offered(config, dollars) == [pro]
    failure = refused(
        portal_configuration_update, configuration_id=config.pk, data={"plans": [pro.pk, basic.pk]}
    )
    assert (failure.field, failure.code) == ("plans[1]", "plan_archived")
    portal_configuration_update(
        configuration_id=config.pk, data={"plans": [euro.pk, pro.pk]}, as_of=AT, actor=TEST_ACTOR
    )
    assert [r.plan_id for r in config.plan_rows.all()] == [euro.pk, pro.pk]
    assert [r.position for r in config.plan_rows.all()] == [1, 2]
    portal_configuration_update(
        configuration_id=config.pk, data={"allow_plan_change": False}, as_of=AT, actor=TEST_ACTOR
    )
    assert plans_offered(PortalConfiguration.objects.get(pk=config.pk), dollars) == []


def test_refusals_name_their_field() -> None:
    pro = plan("pro")
    unknown = refused(portal_configuration_create, data={"name": "X", "plans": [pro.pk, 999999]})
    assert (unknown.field, unknown.code) == ("plans[1]", "unknown_plan")
    twice = refused(portal_configuration_create, data={"name": "X", "plans": [pro.pk, pro.pk]})
    assert (twice.field, twice.code) == ("plans[1]", "duplicate")
    assert refused(portal_configuration_create, data={"name": " "}).field == "name"
    assert refused(portal_configuration_create, data={"name": "X", "allow_cancel": "no"}).field == (
        "allow_cancel"
    )
    assert refused(portal_configuration_create, data={"name": "X", "colour": 1}).field == "colour"
    with pytest.raises(Conflict) as taken:
        create(name="default")
    assert taken.value.field == "name"
    default = PortalConfiguration.objects.get(is_default=True)
    kept = refused(
        portal_configuration_update, configuration_id=default.pk, data={"is_default": False}
    )
    assert (kept.field, kept.code) == ("is_default", "default_required")
    assert not PortalConfiguration.objects.filter(name="X").exists()


def test_the_default_moves_and_every_change_is_journaled_with_history() -> None:
    old = PortalConfiguration.objects.get(is_default=True)
    strict = create(name="Strict", allow_cancel=False)
    assert (strict.allow_cancel, strict.allow_plan_change, strict.is_default) == (
        False, True, False,
    )  # fmt: skip
    portal_configuration_set_default(configuration_id=strict.pk, as_of=AT, actor=TEST_ACTOR)
    assert list(PortalConfiguration.objects.filter(is_default=True)) == [strict]
    assert not PortalConfiguration.objects.get(pk=old.pk).is_default
    events = JournalEvent.objects.filter(subject_type="portal_configuration").order_by("id")
    assert [(e.type, e.payload["is_default"]) for e in events] == [
        ("portal_configuration.created", False),
        ("portal_configuration.updated", True),
    ]
    assert events[0].payload["allow_cancel"] is False
    labels = [e.pgh_label for e in Events.objects.tracks(strict).order_by("pgh_id")]
    assert labels == ["insert", "update"]


def test_a_customers_own_configuration_and_back_to_the_default() -> None:
    customer = CustomerFactory()
    strict = create(name="Strict", allow_cancel=False)
    session = PortalSession(customer=customer)
    assert configuration_for(session).name == "Default"  # type: ignore[union-attr]
    portal_customer_configuration_set(
        customer_id=customer.pk, configuration_id=strict.pk, as_of=AT, actor=TEST_ACTOR
    )
    assert configuration_for(session) == strict
    unknown = refused(
        portal_customer_configuration_set, customer_id=customer.pk, configuration_id=999999
    )
    assert (unknown.field, unknown.code) == ("configuration", "unknown_configuration")
    portal_customer_configuration_clear(customer_id=customer.pk, as_of=AT, actor=TEST_ACTOR)
    assert configuration_for(session).name == "Default"  # type: ignore[union-attr]
    events = JournalEvent.objects.filter(type="customer.portal_configuration_assigned")
    assert [(e.subject_id, e.payload) for e in events.order_by("id")] == [
        (str(customer.pk), {"configuration": strict.pk, "previous": None}),
        (str(customer.pk), {"configuration": None, "previous": strict.pk}),
    ]


# ------------------------------------------------------------------------------------- admin


def inline(rows: list[tuple[int, int]], initial: int = 0) -> dict[str, Any]:
    form: dict[str, Any] = {
        "plan_rows-TOTAL_FORMS": str(len(rows)),
        "plan_rows-INITIAL_FORMS": str(initial),
        "plan_rows-MIN_NUM_FORMS": "0",
        "plan_rows-MAX_NUM_FORMS": "1000",
    }
    for i, (plan_id, position) in enumerate(rows):
        form[f"plan_rows-{i}-plan"] = str(plan_id)
        form[f"plan_rows-{i}-position"] = str(position)
    return form


def test_staff_configure_the_portal_in_the_admin(staff_client: Client) -> None:
    basic, pro = plan("basic"), plan("pro")
    old = plan("old")
    archive(old.pk)
    base = {"name": "Partners", "allow_plan_change": "on", "allow_billing_details_update": "on"}
    page = staff_client.get("/admin/portal/portalconfiguration/add/")
    assert page.status_code == 200
    assert b"lans customers may switch to" in page.content
    assert b"admin-autocomplete" in page.content
    archived = staff_client.post(
        "/admin/portal/portalconfiguration/add/",
        {**base, **inline([(pro.pk, 1), (old.pk, 2)])},
    )
    assert archived.status_code == 200
    rows = archived.context["inline_admin_formsets"][0].formset.forms
    assert "archived" in rows[1].errors["plan"][0]
    saved = staff_client.post(
        "/admin/portal/portalconfiguration/add/",
        {**base, **inline([(basic.pk, 2), (pro.pk, 1)])},
    )
    assert saved.status_code == 302, saved.content
    config = PortalConfiguration.objects.get(name="Partners")
    assert [r.plan_id for r in config.plan_rows.all()] == [pro.pk, basic.pk]  # by position
    assert (config.allow_cancel, config.allow_billing_details_update) == (False, True)
    listing = staff_client.get("/admin/portal/portalconfiguration/")
    assert b"Partners" in listing.content
    assert b"Default" in listing.content

    customer = CustomerFactory(name="Initech")
    assigned = staff_client.post(
        "/admin/portal/portalcustomerconfiguration/add/",
        {"customer": customer.pk, "configuration": config.pk},
    )
    assert assigned.status_code == 302
    row = PortalCustomerConfiguration.objects.get(customer=customer)
    assert row.configuration == config
    back = staff_client.post(
        "/admin/portal/portalcustomerconfiguration/",
        {"action": "back_to_default", "_selected_action": [row.pk]},
    )
    assert back.status_code == 302
    assert not PortalCustomerConfiguration.objects.filter(customer=customer).exists()


# --------------------------------------------------------------------------------------- API


def test_the_portal_configuration_api(api: Any) -> None:
    pro, euro = plan("pro"), plan("pro_eur", currency="EUR")
    made = api.post(
        "/api/v1/portal-configurations/",
        {"name": "API", "allow_cancel": False, "plans": [euro.pk, pro.pk]},
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert [(p["code"], p["currency"], p["position"]) for p in body["plans"]] == [
        ("pro_eur", "EUR", 1), ("pro", "USD", 2),
    ]  # fmt: skip
    assert (body["allow_cancel"], body["allow_plan_change"], body["is_default"]) == (
        False, True, False,
    )  # fmt: skip
    unknown = api.post(
        "/api/v1/portal-configurations/", {"name": "Y", "plans": [pro.pk, 999999]}, format="json"
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "plans[1]"
    assert unknown.json()["errors"][0]["code"] == "unknown_plan"
    stray = api.post("/api/v1/portal-configurations/", {"name": "Z", "bogus": 1}, format="json")
    assert stray.status_code == 400
    assert stray.json()["errors"][0]["code"] == "unknown_field"
    pk = body["id"]
    patched = api.patch(
        f"/api/v1/portal-configurations/{pk}/", {"plans": [pro.pk]}, format="json"
    ).json()
    assert [p["code"] for p in patched["plans"]] == ["pro"]
    assert patched["name"] == "API"
    assert api.get(f"/api/v1/portal-configurations/{pk}/").json() == patched
    names = [c["name"] for c in api.get("/api/v1/portal-configurations/").json()["results"]]
    assert names == ["API", "Default"]

    customer = CustomerFactory()
    url = f"/api/v1/customers/{customer.pk}/portal-configuration/"
    assert api.get(url).json()["configuration"] is None
    assert api.get(url).json()["applies"]["name"] == "Default"
    put = api.put(url, {"configuration": pk}, format="json")
    assert put.status_code == 200
    assert (put.json()["configuration"], put.json()["applies"]["name"]) == (pk, "API")
    assert api.put(url, {"configuration": 999999}, format="json").status_code == 400
    assert api.delete(url).status_code == 204
    assert api.get(url).json()["configuration"] is None
    assert api.get("/api/v1/customers/999999/portal-configuration/").status_code == 404


# ---------------------------------------------------------------------------------- the brand


def test_the_brand_stylesheet_is_revalidated_by_its_etag(client: Client) -> None:
    first = client.get("/portal/brand.css")
    assert first.status_code == 200
    assert first["Content-Type"].startswith("text/css")
    assert "--brand: #1f4e79;" in first.content.decode()
    assert "no-cache" in first["Cache-Control"]
    tag = first["ETag"]
    assert client.get("/portal/brand.css", HTTP_IF_NONE_MATCH=tag).status_code == 304
    branding_update(
        data={"primary_color": "#000000", "accent_color": "#ff8800"}, as_of=AT, actor=TEST_ACTOR
    )
    changed = client.get("/portal/brand.css", HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert "--brand: #000000;" in changed.content.decode()
    assert "--brand-accent: #ff8800;" in changed.content.decode()


def test_the_logo_is_served_by_its_digest(client: Client) -> None:
    data = png()
    brand = branding_update(data={"logo": data}, as_of=AT, actor=TEST_ACTOR)
    response = client.get(f"/portal/brand/logo/{brand.logo_id}/")
    assert response.status_code == 200
    assert response.content == data
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]
    assert client.get(f"/portal/brand/logo/{'0' * 64}/").status_code == 404
    assert client.get("/portal/brand/logo/not-a-digest/").status_code == 404


def test_templates_get_the_brand(django_assert_max_num_queries: Any) -> None:
    request = RequestFactory().get("/portal/")
    with django_assert_max_num_queries(0):  # read lazily: a page that does not show it
        engines["django"].from_string("no brand here").render(request=request)
    branding_update(
        data={"display_name": "Initrode", "logo": png()}, as_of=timezone.now(), actor=TEST_ACTOR
    )
    with django_assert_max_num_queries(1):
        shown = render_to_string("portal/_brand.html", request=request)
    assert "Initrode" in shown
    assert '<img class="brand-logo" src="/portal/brand/logo/' in shown
    assert 'alt=""' in shown  # the name beside it says it
