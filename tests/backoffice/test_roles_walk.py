"""Every admin page, custom view and list action, walked with each role (backoffice/roles.py).

Generic: the walk enumerates admin.site's registered ModelAdmins (changelist, add, change,
delete, history, every URL of get_urls(), every action of get_actions()) and the admin site's
own URLs, so pages added later are walked too. For each role, a staff user in only that group:

- a page the role's table does not grant is refused (403); a page it grants answers as it does
  for a superuser (200, 302...);
- a custom view's POST needs the permission its write needs (by default change_<model>;
  NEEDS names the others): without it, 403 and nothing written;
- a change page shows no button (a link to a custom view) the role may not use;
- a list action is offered exactly when the role holds the permissions it needs.

The expectations come from the role table, not from the admin's own has_*_permission methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db.models import Model
from django.test import Client, RequestFactory
from django.urls import URLPattern, reverse
from django.utils import timezone

from backoffice.bulk import ACTIONS as BULK
from backoffice.roles import (
    ENTITLEMENTS_BLOCK_PERMISSION,
    FINANCE_MANAGER,
    OUR_APPS,
    ROLES,
    Role,
    role_permissions,
)

pytestmark = pytest.mark.django_db

STANDARD = ("changelist", "add", "change", "delete", "history")


@dataclass(frozen=True)
class Need:
    """What a custom admin URL needs: `get` (any one of them) to open it, `post` (every one)
    to submit it; `post=None` is a page that only reads."""

    get: frozenset[str] = frozenset()
    post: frozenset[str] | None = frozenset()


def need(get: tuple[str, ...] = (), post: tuple[str, ...] | None = ()) -> Need:
    return Need(frozenset(get), None if post is None else frozenset(post))


EVERY_STAFF = "*"

# Custom admin URLs whose needs differ from the default (GET: view or change of the model; POST:
# change of the model). An empty `get` means the default.
NEEDS: dict[str, Need] = {
    "invoicing_invoice_new_draft": need(("invoicing.add_invoice",), ("invoicing.add_invoice",)),
    "invoicing_invoice_credit_note": need(post=("invoicing.add_creditnote",)),
    "billing_customer_usage": need(post=None),
    "catalog_planversion_preview": need(post=None),
    "catalog_planversion_copy": need(post=("catalog.add_planversion",)),
    "payments_ar_aging": need(("invoicing.view_invoice",), None),
    "payments_retry_now": need(("payments.add_payment",), ("payments.add_payment",)),
    "payments_creditgrant_top_up": need(post=("payments.add_creditgrant",)),
    "auth_user_password_change": need(("auth.change_user",), ("auth.change_user",)),
    "billing_customer_add_note": need(post=("backoffice.add_customernote",)),
    "billing_customer_journal": need(("billing.view_journalevent",), None),
    "billing_customer_audit": need(post=None),
    "auth_group_roles": need((EVERY_STAFF,), None),  # the Roles page: read by every staff
    "backoffice_export_download": need(("backoffice.view_export",), None),
    # a bulk job's summary: its actor, or core.view_job (the walk's job is nobody's)
    "invoicing_invoice_bulk_job": need(("core.view_job",), None),
    "billing_customer_bulk_job": need(("core.view_job",), None),
}
# the bulk actions' confirmations (backoffice/bulk.py): each action's permission
NEEDS.update(
    {
        f"{a.model._meta.app_label}_{a.model._meta.model_name}_bulk": need(post=a.permissions)
        for a in BULK.values()
        if len(a.permissions) == 1
    }
)

# List actions whose `allowed_permissions` name a has_<name>_permission of their own: what it
# checks; and actions that need more than their allowed_permissions say.
ACTION_PERMISSION: dict[tuple[str, str], frozenset[str]] = {
    ("integrations.webhookdelivery", "replay"): frozenset({"integrations.change_webhookendpoint"}),
    ("portal.portalsession", "end"): frozenset({"portal.change_portalsession"}),
    ("notifications.notification", "resend"): frozenset({"notifications.add_notification"}),
    ("backoffice.customernote", "remove"): frozenset({"backoffice.delete_customernote"}),
    ("backoffice.glaccountcode", "remove"): frozenset({"backoffice.delete_glaccountcode"}),
    ("billing.customer", "block"): frozenset(
        {"billing.change_customer", ENTITLEMENTS_BLOCK_PERMISSION}
    ),
}
ACTION_EXTRA: dict[tuple[str, str], frozenset[str]] = {
    ("billing.customer", "block_selected"): frozenset({ENTITLEMENTS_BLOCK_PERMISSION}),
    ("billing.customer", "unblock_selected"): frozenset({ENTITLEMENTS_BLOCK_PERMISSION}),
}
# The admin site's own pages (not a model's) and what they need: the dashboard's figures are for
# the finance roles (backoffice/admin_dashboard.py: the exports' view permission); others: the
# manager must open them as a superuser does.
SITE_NEEDS: dict[str, frozenset[str]] = {
    name: frozenset({"backoffice.view_export"})
    for name in (
        "backoffice_dashboard_mrr", "backoffice_dashboard_dunning", "backoffice_dashboard_renewals",
    )
}  # fmt: skip

# Models whose pages a permission of another model opens (the AR aging report is invoices').
VIEW_OF: dict[str, frozenset[str]] = {
    "payments.agingreport": frozenset({"invoicing.view_invoice"}),
}


def table_perms(role: Role) -> frozenset[str]:
    rows = Permission.objects.values_list(
        "content_type__app_label", "content_type__model", "codename"
    )
    return frozenset(f"{a}.{c}" for a, c in role_permissions(role, rows))


def scenario() -> dict[str, int]:
    """The demo data set (customers, a plan, a subscription, an open invoice, a portal user,
    payouts...), plus a payment applied to the open invoice and a credit note on it, so that
    every page has an object to show."""
    from backoffice.services.exports import export_create, export_run
    from billing.models import Customer
    from core.audit import Actor
    from core.jobs import job_create
    from invoicing.models import Invoice
    from invoicing.services import credit_note_issue, invoice_draft_create, invoice_line_add
    from payments.models import Allocation
    from payments.services.cash import payment_record

    call_command("seed_demo", "--i-know-this-is-not-production", verbosity=0)
    actor = Actor.system("roles walk")
    now = timezone.now()
    globex = Customer.objects.get(external_id="globex")
    invoice = Invoice.objects.get(customer=globex)
    payment_record(
        customer_id=globex.pk, amount=Decimal(500), currency="EUR",
        received_at=now - timedelta(hours=1), reference="walk", actor=actor, as_of=now,
        apply_oldest_first=True,
    )  # fmt: skip
    line = invoice.lines.first()
    assert line is not None
    credit_note_issue(
        invoice_id=invoice.pk, as_of=now, actor=actor, reason="walk",
        lines=[(line.pk, Decimal(100))],
    )  # fmt: skip
    hooli = Customer.objects.get(external_id="hooli")
    draft = invoice_draft_create(customer_id=hooli.pk, as_of=now, actor=actor)
    invoice_line_add(
        invoice_id=draft.pk, description="walk", amount=Decimal(10), quantity=Decimal(1),
        as_of=now, actor=actor,
    )  # fmt: skip
    export = export_create(
        kind="invoices", format="csv", period_start=date(2020, 1, 1), period_end=now.date(),
        currency=None, actor=actor, as_of=now, enqueue=False,
    )  # fmt: skip
    export_run(export_id=export.pk, clock=timezone.now, actor=actor)
    job_create(
        kind="bulk_void", label="the roles walk", actor="walk", as_of=now,
        params={"action": "void"},
    )  # fmt: skip
    allocation = Allocation.objects.first()
    assert allocation is not None
    return {
        "customer": globex.pk,
        "invoice": invoice.pk,
        "allocation": allocation.pk,
    }


MODELS_BY_NAME: dict[str, type[Model]] = {
    model._meta.model_name: model
    for model in django_apps.get_models()
    if model._meta.app_label in OUR_APPS and model._meta.model_name
}


def object_of(model: type[Model]) -> Model | None:
    return model._default_manager.order_by("pk").first()


def kwargs_for(
    pattern: URLPattern, model: type[Model], ids: dict[str, int]
) -> dict[str, Any] | None:
    """The URL's arguments from the scenario, or None when there is no object to show."""
    kwargs: dict[str, Any] = {}
    for name in pattern.pattern.converters:
        if name in ("pk", "object_id", "id"):
            obj = object_of(model)
            if obj is None:
                return None
            kwargs[name] = obj.pk
        elif name in ("customer_pk", "customer_id"):
            kwargs[name] = ids["customer"]
        elif name == "invoice_id":
            kwargs[name] = ids["invoice"]
        elif name == "allocation_id":
            kwargs[name] = ids["allocation"]
        elif name == "action" and (pattern.name or "").endswith("_bulk"):
            kwargs[name] = next(a.name for a in BULK.values() if a.model is model)
        elif name == "action":
            kwargs[name] = "pause"
        elif name.endswith("_id") and name.removesuffix("_id") in MODELS_BY_NAME:
            obj = object_of(MODELS_BY_NAME[name.removesuffix("_id")])
            if obj is None:
                raise AssertionError(f"the scenario has no {name} for {pattern}: add one")
            kwargs[name] = obj.pk
        else:
            raise AssertionError(f"the walk does not know the URL argument {name!r} of {pattern}")
    return kwargs


@dataclass
class Page:
    label: str  # app.model
    name: str  # the URL name
    url: str
    get: frozenset[str]  # any one opens it
    post: frozenset[str] | None  # every one submits it; None: no POST walked
    standard: bool


def pages(ids: dict[str, int]) -> list[Page]:
    found = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        label = f"{opts.app_label}.{opts.model_name}"
        view = VIEW_OF.get(label) or frozenset(
            {
                f"{opts.app_label}.view_{opts.model_name}",
                f"{opts.app_label}.change_{opts.model_name}",
            }
        )
        change = frozenset({f"{opts.app_label}.change_{opts.model_name}"})
        prefix = f"{opts.app_label}_{opts.model_name}_"
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue  # the catch-all redirect to the change page
            kwargs = kwargs_for(pattern, model, ids)
            if kwargs is None:
                continue
            url = reverse(f"admin:{pattern.name}", kwargs=kwargs)
            suffix = pattern.name.removeprefix(prefix)
            if pattern.name.startswith(prefix) and suffix in STANDARD:
                get = {
                    "add": frozenset({f"{opts.app_label}.add_{opts.model_name}"}),
                    "delete": frozenset({f"{opts.app_label}.delete_{opts.model_name}"}),
                }.get(suffix, view)
                found.append(Page(label, pattern.name, url, get, None, True))
                continue
            needed = NEEDS.get(pattern.name, Need())
            found.append(
                Page(label, pattern.name, url, needed.get or view,
                     change if needed.post == frozenset() else needed.post, False)
            )  # fmt: skip
    return found


def role_client(role: Role, django_user_model: Any) -> tuple[Client, Any]:
    user, _ = django_user_model.objects.get_or_create(
        username=f"walk-{role.key}", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name=role.name))
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def world(admin_client: Client) -> dict[str, Any]:
    ids = scenario()
    walk = pages(ids)
    baseline = {page.url: admin_client.get(page.url).status_code for page in walk}
    return {"ids": ids, "pages": walk, "baseline": baseline, "admin": admin_client}


def test_the_groups_hold_the_tables_permissions() -> None:
    for role in ROLES:
        group = Group.objects.get(name=role.name)
        held = {
            f"{a}.{c}"
            for a, c in group.permissions.values_list("content_type__app_label", "codename")
        }
        assert held == table_perms(role), role.name


def test_every_admin_page_and_button_with_each_role(
    world: dict[str, Any], django_user_model: Any
) -> None:
    """One walk of the admin per role over one world (built once: a superuser's answer to every
    page is the baseline): the pages each role may open and post, and the buttons it is shown."""
    wrong: list[str] = []
    for role in ROLES:
        wrong += walk_pages(role, world, django_user_model)
        wrong += walk_buttons(role, world, django_user_model)
    assert not wrong, "\n".join(wrong)


def walk_pages(role: Role, world: dict[str, Any], django_user_model: Any) -> list[str]:
    perms = table_perms(role)
    client, _user = role_client(role, django_user_model)
    baseline: dict[str, int] = world["baseline"]
    wrong: list[str] = []
    walked = 0
    for page in world["pages"]:
        may_open = bool(page.get & (perms | {EVERY_STAFF}))
        may_post = page.post is not None and page.post <= perms
        if page.post is not None and not may_post:
            # refused before anything is read or written (no data: nothing to validate)
            status = client.post(page.url).status_code
            if status != 403:
                wrong.append(f"POST {page.url} ({page.name}): {status}, expected 403")
        status = client.get(page.url).status_code
        walked += 1
        if not may_open:
            if status != 403:
                wrong.append(f"GET {page.url} ({page.name}): {status}, expected 403")
        elif may_post or page.post is None:
            if status != baseline[page.url]:
                wrong.append(
                    f"GET {page.url} ({page.name}): {status}, a superuser gets {baseline[page.url]}"
                )
        elif status not in (403, baseline[page.url]):
            wrong.append(f"GET {page.url} ({page.name}): {status}")
    assert walked > 150
    return [f"{role.name}: {w}" for w in wrong]


def walk_buttons(role: Role, world: dict[str, Any], django_user_model: Any) -> list[str]:
    """A change page links to its custom views (Finalize, Void, Apply...): a role sees only the
    ones it may submit."""
    perms = table_perms(role)
    client, _user = role_client(role, django_user_model)
    admin_client: Client = world["admin"]
    walk: list[Page] = world["pages"]
    wrong = []
    for page in walk:
        if not page.name.endswith("_change") or not page.standard:
            continue
        if not page.get & (perms | {EVERY_STAFF}):
            continue
        theirs = client.get(page.url)
        if theirs.status_code != 200:
            continue
        mine = admin_client.get(page.url).content.decode()
        html = theirs.content.decode()
        for other in walk:
            if other.standard or other.post is None or other.post <= perms:
                continue
            if f'href="{other.url}"' in mine and f'href="{other.url}"' in html:
                wrong.append(f"{page.url} shows a button to {other.url} ({other.name})")
            if f'action="{other.url}"' in html:
                wrong.append(f"{page.url} holds a form posting to {other.url} ({other.name})")
    return [f"{role.name}: {w}" for w in wrong]


def action_needs(label: str, name: str, func: Any) -> list[frozenset[str]]:
    """What the action needs: every group, one permission of each."""
    app_label, model_name = label.split(".")
    needs = [frozenset({p}) for p in ACTION_EXTRA.get((label, name), frozenset())]
    allowed = getattr(func, "allowed_permissions", ()) or ("change",)  # an action writes
    for permission in allowed:
        if permission in ("view", "add", "change", "delete"):
            needs.append(frozenset({f"{app_label}.{permission}_{model_name}"}))
        elif permission.startswith("bulk_") and permission.removeprefix("bulk_") in BULK:
            needs.append(frozenset(BULK[permission.removeprefix("bulk_")].permissions))
        else:
            declared = ACTION_PERMISSION.get((label, permission))
            assert declared is not None, (
                f"declare in ACTION_PERMISSION what has_{permission}_permission of {label} checks"
            )
            needs.extend(frozenset({p}) for p in declared)
    return needs


@pytest.mark.parametrize("role", ROLES, ids=[role.key for role in ROLES])
def test_each_role_is_offered_exactly_the_actions_it_may_run(
    role: Role, django_user_model: Any, admin_user: Any
) -> None:
    perms = table_perms(role)
    _client, user = role_client(role, django_user_model)
    request = RequestFactory().get("/admin/")
    request.user = user
    as_admin = RequestFactory().get("/admin/")
    as_admin.user = admin_user
    wrong = []
    counted = 0
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        offered = set(model_admin.get_actions(request))
        for name, offered_action in model_admin.get_actions(as_admin).items():
            assert offered_action is not None
            func = offered_action[0]
            counted += 1
            expected = all(group & perms for group in action_needs(label, name, func))
            if expected != (name in offered):
                wrong.append(f"{label}.{name}: offered={name in offered}, table says {expected}")
    assert counted > 40
    assert not wrong, f"{role.name}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES, ids=[role.key for role in ROLES])
def test_the_admin_sites_own_pages_with_each_role(
    role: Role, django_user_model: Any, admin_client: Client
) -> None:
    """The index, the app pages and every page the admin site itself serves (the dashboard, the
    jobs page...): never a 500; the index lists only models the role may open; an app's page
    opens when the role holds a permission in it."""
    perms = table_perms(role)
    client, _user = role_client(role, django_user_model)
    wrong = []
    for pattern in admin.site.get_urls():
        if not isinstance(pattern, URLPattern) or not pattern.name:
            continue
        if pattern.name in ("login", "logout", "view_on_site", "autocomplete"):
            continue
        if pattern.name == "app_list":
            for app_label in {m._meta.app_label for m in admin.site._registry}:
                url = reverse("admin:app_list", kwargs={"app_label": app_label})
                status = client.get(url).status_code
                holds = any(p.startswith(f"{app_label}.") for p in perms)
                if status == 500 or (status == 200 and not holds):
                    wrong.append(f"GET {url}: {status}")
            continue
        if pattern.pattern.converters:
            continue
        url = reverse(f"admin:{pattern.name}")
        status = client.get(url).status_code
        expected = admin_client.get(url).status_code
        needed = SITE_NEEDS.get(pattern.name)
        if needed is not None and not needed & perms:
            expected = 403
        elif needed is None and role is not FINANCE_MANAGER and status == 403:
            expected = 403  # a page of the site's own that needs more than this role holds
        if status != expected:
            wrong.append(f"GET {url} ({pattern.name}): {status}, expected {expected}")
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    for app_config in index.context["app_list"]:
        for entry in app_config["models"]:
            label = f"{app_config['app_label']}.{entry['object_name'].lower()}"
            model_perms = {p for p in perms if p.startswith(f"{app_config['app_label']}.")}
            model_name = label.split(".")[1]
            own = {p for p in model_perms if p.endswith(f"_{model_name}")}
            if not own and not (VIEW_OF.get(label, frozenset()) & perms):
                wrong.append(f"the index lists {label}")
    assert not wrong, f"{role.name}:\n" + "\n".join(wrong)
