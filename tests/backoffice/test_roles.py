"""The roles (backoffice/roles.py): the table, the groups the migration and post_migrate keep in
line with it, `manage.py roles_sync`, the Roles page, the demo users, and the REST API with a
staff session of each role (the admin is walked in test_roles_walk.py)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from backoffice.roles import (
    FINANCE_MANAGER,
    FINANCE_VIEWER,
    OUR_APPS,
    ROLES,
    SUPPORT,
    Role,
    role_permissions,
)
from backoffice.roles_sync import roles_sync
from core.api.permissions import required_permission

pytestmark = pytest.mark.django_db


def perms_of(role: Role) -> set[str]:
    rows = Permission.objects.values_list(
        "content_type__app_label", "content_type__model", "codename"
    )
    return {f"{a}.{c}" for a, c in role_permissions(role, rows)}


def group_perms(name: str) -> set[str]:
    return {
        f"{a}.{c}"
        for a, c in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


# ---------------------------------------------------------------------------------- the table


def test_the_table_by_rules_places_a_model_added_later() -> None:
    later = [
        ("payments", "chargeback", "add_chargeback"),
        ("payments", "chargeback", "view_chargeback"),
        ("backoffice", "report", "view_report"),
        ("auth", "user", "view_user"),
        ("axes", "accessattempt", "view_accessattempt"),
    ]
    assert role_permissions(FINANCE_MANAGER, later) == {
        ("payments", "add_chargeback"),
        ("payments", "view_chargeback"),
        ("backoffice", "view_report"),
    }
    assert role_permissions(FINANCE_VIEWER, later) == {
        ("payments", "view_chargeback"),
        ("backoffice", "view_report"),
    }
    assert role_permissions(SUPPORT, later) == set()  # support sees only what a rule names


def test_what_each_role_holds() -> None:
    manager, viewer, support = (
        perms_of(FINANCE_MANAGER),
        perms_of(FINANCE_VIEWER),
        perms_of(SUPPORT),
    )
    ours = {
        f"{a}.{c}"
        for a, c in Permission.objects.filter(content_type__app_label__in=OUR_APPS).values_list(
            "content_type__app_label", "codename"
        )
    }
    assert manager == ours
    assert not any(
        p.startswith(("auth.", "axes.", "pghistory.")) for p in manager | viewer | support
    )
    assert viewer == {p for p in ours if ".view_" in p} | {"backoffice.add_export"}
    assert {
        "billing.view_customer", "billing.add_customer", "billing.change_customer",
        "backoffice.view_customernote", "backoffice.add_customernote",
        "backoffice.change_customernote", "backoffice.delete_customernote",
        "portal.add_portaluser", "portal.change_portaluser", "portal.view_portaluser",
        "portal.add_portallink", "portal.view_portallink",
        "invoicing.view_invoice", "invoicing.view_creditnote", "payments.view_payment",
        "billing.view_subscription",
    } <= support  # fmt: skip
    money = {
        "invoicing.add_invoice", "invoicing.change_invoice", "invoicing.delete_invoice",
        "invoicing.add_creditnote", "invoicing.change_creditnote", "payments.add_payment",
        "payments.change_payment", "payments.add_refund", "payments.change_refund",
        "billing.add_customerbalancetransaction", "payments.add_creditgrant",
        "billing.add_couponredemption", "billing.change_couponredemption",
        "payments.change_customerdunning", "billing.change_subscription",
        "billing.add_subscription", "catalog.change_planversion", "catalog.add_planversion",
        "billing.change_customerentitlement", "billing.delete_customer",
        "backoffice.add_export", "backoffice.change_glaccountcode",
    }  # fmt: skip
    assert not money & support
    # support writes only customers, notes and portal access
    writes = {p for p in support if ".view_" not in p}
    assert {p.split("_", 1)[1] for p in writes} == {
        "customer", "customernote", "portallink", "portaluser", "portalsession",
    }  # fmt: skip


# --------------------------------------------------------------------- groups and their sync


def test_the_migration_created_the_groups_with_the_tables_permissions() -> None:
    for role in ROLES:
        assert group_perms(role.name) == perms_of(role), role.name
    assert len(perms_of(FINANCE_MANAGER)) > 400


def test_roles_sync_puts_back_what_was_changed_by_hand() -> None:
    support = Group.objects.get(name=SUPPORT.name)
    void = Permission.objects.get(content_type__app_label="invoicing", codename="change_invoice")
    note = Permission.objects.get(content_type__app_label="backoffice", codename="add_customernote")
    support.permissions.add(void)
    support.permissions.remove(note)
    Group.objects.filter(name=FINANCE_VIEWER.name).delete()

    out = StringIO()
    with pytest.raises(CommandError, match="differ"):
        call_command("roles_sync", "--check", stdout=out)
    assert "+ backoffice.add_customernote" in out.getvalue()
    assert "- invoicing.change_invoice" in out.getvalue()
    assert "invoicing.change_invoice" in group_perms(SUPPORT.name)  # --check changed nothing
    assert not Group.objects.filter(name=FINANCE_VIEWER.name).exists()

    out = StringIO()
    call_command("roles_sync", stdout=out)
    assert "Finance viewer: created" in out.getvalue()
    for role in ROLES:
        assert group_perms(role.name) == perms_of(role)
    assert [r.added + r.removed for r in roles_sync(apps=apps)] == [(), (), ()]
    call_command("roles_sync", "--check", stdout=StringIO())


def test_roles_sync_leaves_the_permissions_of_other_apps_alone() -> None:
    """A "Support" group that existed before (made by hand, with auth.view_user) is taken on:
    its permissions of our apps are set to the table, the others (auth, axes...) stay."""
    Group.objects.filter(name=SUPPORT.name).delete()
    existing = Group.objects.create(name=SUPPORT.name)
    view_user = Permission.objects.get(content_type__app_label="auth", codename="view_user")
    void = Permission.objects.get(content_type__app_label="invoicing", codename="change_invoice")
    existing.permissions.add(view_user, void)

    out = StringIO()
    call_command("roles_sync", stdout=out)
    assert "- invoicing.change_invoice" in out.getvalue()
    assert "auth.view_user" not in out.getvalue()
    assert group_perms(SUPPORT.name) == perms_of(SUPPORT) | {"auth.view_user"}
    # in line from now on: --check finds no drift, migrate keeps it
    call_command("roles_sync", "--check", stdout=StringIO())
    call_command("migrate", "backoffice", verbosity=0)
    assert group_perms(SUPPORT.name) == perms_of(SUPPORT) | {"auth.view_user"}


def test_migrate_keeps_the_groups_in_line() -> None:
    """post_migrate (every `migrate`, and the test database's flushes) runs the sync."""
    Group.objects.get(name=SUPPORT.name).permissions.clear()
    call_command("migrate", "backoffice", verbosity=0)
    assert group_perms(SUPPORT.name) == perms_of(SUPPORT)


# ------------------------------------------------------------------------- the Roles page


def staff(role: Role, django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user(f"r-{role.key}", is_staff=True)
    user.groups.add(Group.objects.get(name=role.name))
    return user


@pytest.mark.parametrize("role", ROLES, ids=[r.key for r in ROLES])
def test_every_role_reads_the_roles_page(role: Role, django_user_model: Any) -> None:
    client = Client()
    client.force_login(staff(role, django_user_model))
    page = client.get(reverse("admin:auth_group_roles"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Your role: <strong>{role.name}</strong>" in html
    for other in ROLES:
        assert f'id="role-{other.key}"' in html
    assert "block or unblock a customer&#x27;s entitlements" in html
    assert 'id="roles-link"' in client.get(reverse("admin:index")).content.decode()
    # the groups themselves stay with superusers
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.post(reverse("admin:auth_group_add"), {"name": "x"}).status_code == 403


def test_the_group_list_explains_the_roles(admin_client: Client) -> None:
    page = admin_client.get(reverse("admin:auth_group_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="roles-explained"' in html
    assert all(f'id="role-{r.key}"' in html for r in ROLES)


@override_settings(DEBUG=True)
def test_seed_demo_makes_one_staff_user_per_role(django_user_model: Any) -> None:
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # again: nothing new
    for username, role in (("manager", FINANCE_MANAGER), ("viewer", FINANCE_VIEWER),
                           ("support", SUPPORT)):  # fmt: skip
        user = django_user_model.objects.get(username=username)
        assert user.is_staff
        assert not user.is_superuser
        assert user.check_password(username)
        assert list(user.groups.values_list("name", flat=True)) == [role.name]


# ------------------------------------------------------------------ the REST API, per role


@pytest.fixture
def world() -> dict[str, int]:
    from billing.models import Customer
    from invoicing.models import Invoice

    call_command("seed_demo", "--i-know-this-is-not-production", verbosity=0, stdout=StringIO())
    globex = Customer.objects.get(external_id="globex")
    invoice = Invoice.objects.get(customer=globex)
    assert invoice.status == "open"
    return {"customer": globex.pk, "invoice": invoice.pk}


def api_as(role: Role, django_user_model: Any) -> APIClient:
    client = APIClient()
    client.force_login(staff(role, django_user_model))
    return client


def test_support_reads_invoices_but_cannot_void_one(
    world: dict[str, int], django_user_model: Any
) -> None:
    from invoicing.models import Invoice

    support = api_as(SUPPORT, django_user_model)
    void = f"/api/v1/invoices/{world['invoice']}/void/"
    refused = support.post(void, {"reason": "asked by the customer"}, format="json")
    assert refused.status_code == 403
    assert Invoice.objects.get(pk=world["invoice"]).status == "open"
    assert support.get(f"/api/v1/invoices/{world['invoice']}/").status_code == 200
    block = f"/api/v1/customers/{world['customer']}/entitlements/block/"
    assert support.post(block, {"blocked": True, "reason": "x"}, format="json").status_code == 403

    manager = api_as(FINANCE_MANAGER, django_user_model)
    done = manager.post(void, {"reason": "issued by mistake"}, format="json")
    assert done.status_code == 200, done.content
    assert Invoice.objects.get(pk=world["invoice"]).status == "void"
    assert manager.post(block, {"blocked": True, "reason": "x"}, format="json").status_code == 200


def test_support_manages_customers_notes_and_portal_access(
    world: dict[str, int], django_user_model: Any
) -> None:
    support = api_as(SUPPORT, django_user_model)
    created = support.post(
        "/api/v1/customers/",
        {"external_id": "wayne", "name": "Wayne Enterprises", "currency": "USD"},
        format="json",
    )
    assert created.status_code == 201, created.content
    changed = support.patch(
        f"/api/v1/customers/{world['customer']}/", {"name": "Globex AG"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    note = support.post(
        f"/api/v1/customers/{world['customer']}/notes/",
        {"body": "Called: pays on Friday."},
        format="json",
    )
    assert note.status_code == 201, note.content
    viewer = api_as(FINANCE_VIEWER, django_user_model)
    refused = viewer.post(
        f"/api/v1/customers/{world['customer']}/notes/", {"body": "x"}, format="json"
    )
    assert refused.status_code == 403


def test_a_viewer_reads_and_exports_but_writes_nothing(
    world: dict[str, int], django_user_model: Any
) -> None:
    from backoffice.models import Export
    from invoicing.models import Invoice

    viewer = api_as(FINANCE_VIEWER, django_user_model)
    listed = viewer.get("/api/v1/invoices/")
    assert listed.status_code == 200
    assert world["invoice"] in [row["id"] for row in listed.json()["results"]]
    today = timezone.now().date()
    export = viewer.post(
        "/api/v1/exports/",
        {"kind": "invoices", "format": "csv", "period_start": str(today - timedelta(days=60)),
         "period_end": str(today)},
        format="json",
    )  # fmt: skip
    assert export.status_code in (201, 202), export.content
    assert Export.objects.count() == 1
    void = f"/api/v1/invoices/{world['invoice']}/void/"
    assert viewer.post(void, {"reason": "x"}, format="json").status_code == 403
    assert (
        viewer.patch(
            f"/api/v1/customers/{world['customer']}/", {"name": "x"}, format="json"
        ).status_code
        == 403
    )
    assert Invoice.objects.get(pk=world["invoice"]).status == "open"


# ------------------------------------------------------- every write route of the REST API


def api_routes() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                cls = getattr(p.callback, "cls", None) or getattr(p.callback, "view_class", None)
                if cls is not None:
                    found.append((prefix + str(p.pattern), cls))

    walk(get_resolver().url_patterns, "/")
    return [(route, cls) for route, cls in found if route.startswith("/api/v1/")]


def test_every_write_route_a_support_session_may_call_is_a_support_job() -> None:
    """Each REST route's write methods and the permission a staff session needs for it: support
    may call exactly the customer, note and portal-access writes (a new route that writes money
    with a permission support holds would show up here)."""
    support = perms_of(SUPPORT)
    allowed = set()
    unknown = []
    for route, cls in api_routes():
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            if not hasattr(cls, method.lower()):
                continue
            view = cls()
            view.kwargs = {"pk": 1} if "<int:pk>" in route else {}
            view.request = None
            view.format_kwarg = None
            try:
                perm = required_permission(view, method)
            except Exception:  # a view telling its model from the request
                unknown.append(f"{method} {route}")
                continue
            if perm is not None and perm in support:
                allowed.add(f"{method} {route} ({perm})")
    notes = "/api/v1/customers/<int:customer_id>/notes"
    assert allowed == {
        "POST /api/v1/customers/ (billing.add_customer)",
        "PATCH /api/v1/customers/<int:pk>/ (billing.change_customer)",
        "POST /api/v1/customers/<int:pk>/archive/ (billing.change_customer)",
        "POST /api/v1/customers/<int:pk>/unarchive/ (billing.change_customer)",
        f"POST {notes}/ (backoffice.add_customernote)",
        f"PATCH {notes}/<int:pk>/ (backoffice.change_customernote)",
        f"DELETE {notes}/<int:pk>/ (backoffice.delete_customernote)",
        "POST /api/v1/portal-sessions/ (portal.add_portallink)",
        "POST /api/v1/portal-sessions/<int:pk>/end/ (portal.change_portallink)",
        "POST /api/v1/portal-users/ (portal.add_portaluser)",
        "POST /api/v1/portal-users/<int:pk>/disable/ (portal.change_portaluser)",
        "POST /api/v1/portal-users/<int:pk>/invite-again/ (portal.change_portaluser)",
        # reads sent as POSTs (a price computed, a change previewed): nothing written
        "POST /api/v1/plan-versions/<int:pk>/preview/ (catalog.view_planversion)",
        "POST /api/v1/pricing/rate/ (catalog.view_planversion)",
        "POST /api/v1/subscriptions/<int:pk>/change/preview/ (billing.view_subscription)",
    }, "\n".join(sorted(allowed))
    assert unknown == []
