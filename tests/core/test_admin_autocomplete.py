"""A value typed into an admin's autocomplete picker that is not an id (`customer=abc`) is a form
error on the field ("Select a valid choice"), never a 500: the admin's AutocompleteSelect used to
query `id__in=["abc"]` while re-rendering the form (ValueError "Field 'id' expected a number")."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from billing.models import Subscription
from portal.models import PortalUser

pytestmark = pytest.mark.django_db

INVALID = "Select a valid choice"
APPS = ("config", "core", "billing", "catalog", "invoicing", "payments", "notifications", "portal")


def add_url(model: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def test_portal_user_add_with_a_customer_that_is_not_an_id(admin_client: Client) -> None:
    response = admin_client.post(add_url(PortalUser), {"customer": "abc", "email": "a@example.com"})
    assert response.status_code == 200
    assert INVALID in response.content.decode()
    assert "customer" in response.context["adminform"].form.errors


def test_subscription_add_with_a_customer_and_plan_that_are_not_ids(
    admin_client: Client,
) -> None:
    response = admin_client.post(
        add_url(Subscription), {"customer": "abc", "plan": "1x", "quantity": "1"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert INVALID in str(errors["customer"])
    assert INVALID in str(errors["plan"])


@pytest.mark.parametrize("value", ["987654", "99999999999999999999", "1.5", " "])
def test_an_unknown_or_odd_id_is_the_form_error(admin_client: Client, value: str) -> None:
    response = admin_client.post(add_url(PortalUser), {"customer": value, "email": "a@x.io"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["customer"]


def autocomplete_posts(rf: Any, superuser: Any) -> list[tuple[str, str, dict[str, str]]]:
    """(admin, field, POST body) for every autocomplete field of every registered admin's add
    form and of its inlines' forms."""
    request = rf.get("/admin/")
    request.user = superuser
    posts: list[tuple[str, str, dict[str, str]]] = []
    for model, model_admin in admin.site._registry.items():
        url = add_url(model)
        for field in model_admin.get_autocomplete_fields(request):
            posts.append((url, field, {field: "abc"}))
        for inline in model_admin.get_inline_instances(request):
            prefix = inline.get_formset(request).get_default_prefix()
            for field in inline.get_autocomplete_fields(request):
                body = {
                    f"{prefix}-TOTAL_FORMS": "1",
                    f"{prefix}-INITIAL_FORMS": "0",
                    f"{prefix}-0-{field}": "abc",
                }
                posts.append((url, f"{prefix}-0-{field}", body))
    return posts


def test_every_autocomplete_field_refuses_a_non_numeric_value_without_a_500(
    admin_client: Client, admin_user: Any, rf: Any
) -> None:
    posts = autocomplete_posts(rf, admin_user)
    assert len(posts) >= 10  # customers, plans, subscriptions, configurations, inline plans
    failures = [
        (url, field, status)
        for url, field, body in posts
        if (status := admin_client.post(url, body).status_code) >= 500
    ]
    assert failures == []


def test_no_module_builds_djangos_autocomplete_widget_itself() -> None:
    """The project's own pickers are core.admin_widgets' (which ignore a value that is not an
    id); the ones the admin builds for `autocomplete_fields` are swapped by ServiceModelAdmin."""
    root = Path(__file__).resolve().parents[2]
    django_widget = re.compile(r"(?<!Safe)AutocompleteSelect(Multiple)?\(")
    offenders = [
        str(path.relative_to(root))
        for app in APPS
        for path in (root / app).rglob("*.py")
        if django_widget.search(path.read_text())
    ]
    assert offenders == []
