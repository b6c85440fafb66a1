"""The back office's roles: which Django model permissions each staff group holds.

Written once, as rules (an app, a set of models or every model, a set of actions or every
action), so that a model added later falls in the right role without editing this file: a new
model of payments is managed by finance managers and read by finance viewers at once; support
sees it only when a rule names it. Pure data and one pure function: the migration
(backoffice/migrations/0002_roles.py), the post_migrate handler and `manage.py roles_sync`
(backoffice/roles_sync.py) turn it into the groups' permissions; the admin's "Roles" page and
the README show it.

Decisions worth knowing:
- Auth users and groups are not in any role: granting access stays with superusers.
- Support may archive and restore a customer (a record's lifecycle: no money moves, its
  invoices and subscriptions stay as they are), but may not block or unblock its entitlements:
  that is a collections lever (what dunning does to a customer who does not pay): the admin
  action needs `billing.change_customerentitlement` besides change_customer, the API route
  (POST customers/<id>/entitlements/block/) needs it, and only finance managers hold it.
- Support edits a customer's whole record, its billing settings too (payment terms, grace
  period, tax rates, automatic collection): the admin and the API have one change permission
  per model, not per field.
- The dashboard needs `backoffice.view_export` (finance manager and viewer, not support).
- Finance viewers create exports (`backoffice.add_export`) and download them
  (`backoffice.view_export`): an export writes a file, never a figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Every app of ours (INSTALLED_APPS' own apps); third-party apps (auth, axes, pghistory) are in
# no role.
OUR_APPS: tuple[str, ...] = (
    "core",
    "catalog",
    "billing",
    "invoicing",
    "payments",
    "notifications",
    "portal",
    "integrations",
    "backoffice",
)
VIEW = frozenset({"view"})
ALL_ACTIONS = frozenset({"view", "add", "change", "delete"})

# The permission a block or unblock of a customer's entitlements needs besides change_customer.
ENTITLEMENTS_BLOCK_PERMISSION = "billing.change_customerentitlement"


@dataclass(frozen=True)
class Grant:
    """The actions `actions` (None: every permission, custom ones too) on the models `models`
    (None: every model) of the app `app` (None: every app of OUR_APPS)."""

    app: str | None = None
    models: frozenset[str] | None = None
    actions: frozenset[str] | None = VIEW

    def covers(self, app_label: str, model: str, action: str) -> bool:
        if app_label not in OUR_APPS:
            return False
        if self.app is not None and app_label != self.app:
            return False
        if self.models is not None and model not in self.models:
            return False
        return self.actions is None or action in self.actions


@dataclass(frozen=True)
class Role:
    key: str
    name: str  # the Django group's name
    summary: str
    can: tuple[str, ...]
    cannot: tuple[str, ...]
    grants: tuple[Grant, ...]


def _models(*names: str) -> frozenset[str]:
    return frozenset(names)


FINANCE_MANAGER = Role(
    key="finance_manager",
    name="Finance manager",
    summary="Runs the month: everything in the billing apps.",
    can=(
        "every page, action and API route of the billing apps (core, catalog, billing, "
        "invoicing, payments, notifications, portal, integrations, back office)",
        "money actions: finalize, void, credit notes, payments and refunds, cash application, "
        "balances, wallets, coupons, dunning, plan changes, prices, payouts",
        "exports, GL account codes, API keys, webhooks, test clocks",
    ),
    cannot=("manage staff users and groups (superusers only)",),
    grants=(Grant(actions=None),),
)

FINANCE_VIEWER = Role(
    key="finance_viewer",
    name="Finance viewer",
    summary="Reads everything, changes nothing; runs and downloads exports.",
    can=(
        "view every page and list of the billing apps, the dashboard and audit histories",
        "GET every staff API route",
        "create accounting exports and download them",
    ),
    cannot=(
        "add, change or delete anything; no list action is offered",
        "manage staff users and groups",
    ),
    grants=(
        Grant(actions=VIEW),
        Grant(app="backoffice", models=_models("export"), actions=frozenset({"add"})),
    ),
)

SUPPORT = Role(
    key="support",
    name="Support",
    summary="Answers customers: customers, notes and portal access; reads money, never moves it.",
    can=(
        "view, add and change customers; archive and restore them",
        "view, add, change and delete customer notes",
        "portal access: invite portal users, send portal links, disable users, end sessions",
        "view invoices, credit notes, payments, refunds, subscriptions, usage, balances, "
        "wallets, dunning states, notifications and the catalog to answer questions",
    ),
    cannot=(
        "money actions: create, finalize, void or credit invoices; payments, refunds, cash "
        "application, balances, credits, coupon redemptions, dunning, subscription and plan "
        "changes, catalog prices",
        "block or unblock a customer's entitlements (a collections lever)",
        "exports, GL codes, API keys, webhooks, test clocks; staff users and groups",
    ),
    grants=(
        Grant(app="billing", models=_models("customer"), actions=frozenset({"add", "change"})),
        Grant(app="backoffice", models=_models("customernote"), actions=ALL_ACTIONS),
        Grant(
            app="portal",
            models=_models("portallink", "portaluser", "portalsession"),
            actions=frozenset({"view", "add", "change"}),
        ),
        Grant(
            app="billing",
            models=_models(
                "customer",
                "subscription",
                "subscriptionchange",
                "subscriptionpause",
                "customerentitlement",
                "entitlementoverride",
                "couponredemption",
                "customerbalancetransaction",
                "usageevent",
            ),
        ),
        Grant(
            app="invoicing",
            models=_models("invoice", "invoiceline", "creditnote", "creditnoteline"),
        ),
        Grant(
            app="payments",
            models=_models(
                "payment",
                "allocation",
                "refund",
                "paymentmethod",
                "creditgrant",
                "customerdunning",
                "dunningtransition",
            ),
        ),
        Grant(app="catalog"),
        Grant(app="notifications", models=_models("notification")),
    ),
)

ROLES: tuple[Role, ...] = (FINANCE_MANAGER, FINANCE_VIEWER, SUPPORT)


def action_of(model: str, codename: str) -> str:
    """`view_invoice` of model `invoice` is `view`; a custom codename is its own action."""
    suffix = f"_{model}"
    if codename.endswith(suffix):
        return codename[: -len(suffix)]
    return codename


def role_permissions(
    role: Role, available: Iterable[tuple[str, str, str]]
) -> frozenset[tuple[str, str]]:
    """The (app_label, codename) pairs among `available` (app_label, model, codename triples:
    every permission that exists) that `role` holds."""
    return frozenset(
        (app_label, codename)
        for app_label, model, codename in available
        if any(grant.covers(app_label, model, action_of(model, codename)) for grant in role.grants)
    )


def role_named(name: str) -> Role | None:
    return next((role for role in ROLES if role.name == name), None)
