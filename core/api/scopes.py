"""What an API key may do: its scopes, in a vocabulary a Stripe restricted-key user recognises.

- `full`: everything, including managing API keys.
- `read`: every read (safe methods: GET, HEAD, OPTIONS) of every resource but API keys.
- `<resource>:read`: that resource's reads; `<resource>:write`: its writes, and its reads.

A key holds any combination (`read` and `events:write`: a reporting tool that also meters).

The scope an operation requires comes from its view:

- the resource: the view's `scope_resource` attribute, else the resource of the model it reads
  or acts on (`permission_model`, core/api/permissions.py) in `MODEL_RESOURCES`. A view whose
  resource cannot be told is refused to scoped keys (only `full` passes);
- read or write: safe methods read, the others write; a view whose POST computes without writing
  (a preview, a price) reads: it says so with `permission_actions = {"POST": "view"}` (what staff
  sessions need, core/api/permissions.py) or `scope_access = "read"` (or per method,
  `{"POST": "read"}`);
- the API keys resource asks for `full` whatever the method: a key can never grant (nor see) keys
  with scopes it lacks.

This module imports no model: `MODEL_RESOURCES` names models by their `app_label.model_name`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from rest_framework.permissions import SAFE_METHODS

from core.exceptions import ApplicationError, ValidationFailed

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

FULL = "full"
READ = "read"
FULL_ONLY_RESOURCES = frozenset({"api_keys"})

# resource -> what it covers (the routes, for the README and the security scheme's description)
RESOURCES: dict[str, str] = {
    "customers": "customers, their archive, history, coupons and entitlement block",
    "catalog": "currencies, products, plans, plan versions, metrics, features, coupons, add-ons, "
    "tax rates, pricing",
    "subscriptions": "subscriptions, their changes, timeline, proration lines and add-ons",
    "entitlements": "entitlement checks and a customer's entitlements and overrides",
    "events": "usage events: ingestion (`POST /events`, `/events/batch`), their list and a "
    "customer's current usage (`GET /customers/{id}/usage/`)",
    "invoices": "invoices, their lines, PDFs, finalization, voiding, the upcoming invoice, credit "
    "notes, corrections and re-rating, billing failures",
    "payments": "payment methods, payments and their allocations, refunds, a customer's balance, "
    "unapplied cash and wallet (credits, top-ups), payment retries, payees and payouts",
    "dunning": "dunning policies, a customer's dunning state and transitions, retry policies",
    "notifications": "e-mails sent to customers and their resending",
    "portal": "portal sessions, portal users and portal configurations",
    "branding": "the invoices' and portal's branding",
    "webhooks": "webhook endpoints, their secrets, deliveries and replays",
    "test_clocks": "test clocks and their advancing",
    "reports": "the dashboard's figures, accounting exports and their files, the general ledger's "
    "account codes, long jobs and their progress",
    "imports": "imports of a customer's history from another system (`POST /imports/`: "
    "backdated subscriptions, changes, pauses and cancellations replayed and billed up to "
    "now), their validation and runs",
    "api_keys": "API keys (only `full` keys manage them)",
}

# `app_label.model_name` of a view's permission model -> its resource
MODEL_RESOURCES: dict[str, str] = {
    "billing.customer": "customers",
    "backoffice.customernote": "customers",
    "billing.couponredemption": "customers",
    "billing.subscription": "subscriptions",
    "billing.customerentitlement": "entitlements",
    "billing.entitlementoverride": "entitlements",
    "billing.usageevent": "events",
    "billing.customerbalancetransaction": "payments",
    "billing.apikey": "api_keys",
    "billing.testclock": "test_clocks",
    "catalog.currency": "catalog",
    "catalog.product": "catalog",
    "catalog.plan": "catalog",
    "catalog.planversion": "catalog",
    "catalog.billablemetric": "catalog",
    "catalog.feature": "catalog",
    "catalog.coupon": "catalog",
    "catalog.addon": "catalog",
    "catalog.taxrate": "catalog",
    "catalog.onetimefee": "catalog",
    "catalog.planchangepolicy": "catalog",
    "invoicing.invoice": "invoices",
    "invoicing.creditnote": "invoices",
    "invoicing.correction": "invoices",
    "invoicing.billingfailure": "invoices",
    "invoicing.branding": "branding",
    "payments.paymentmethod": "payments",
    "payments.subscriptionpaymentmethod": "payments",
    "payments.payment": "payments",
    "payments.refund": "payments",
    "payments.creditgrant": "payments",
    "payments.walletsettings": "payments",
    "payments.payee": "payments",
    "payments.payoutmethod": "payments",
    "payments.payeecustomer": "payments",
    "payments.payoutschedule": "payments",
    "payments.payout": "payments",
    "payments.retrypolicy": "dunning",
    "payments.dunningpolicy": "dunning",
    "payments.customerdunning": "dunning",
    "payments.dunningtransition": "dunning",
    "notifications.notification": "notifications",
    "portal.portallink": "portal",
    "portal.portaluser": "portal",
    "portal.portalconfiguration": "portal",
    "portal.portalcustomerconfiguration": "portal",
    "integrations.webhookendpoint": "webhooks",
    "integrations.webhooksecret": "webhooks",
    "integrations.webhookdelivery": "webhooks",
    "integrations.webhookattempt": "webhooks",
    "backoffice.export": "reports",
    "backoffice.glaccountcode": "reports",
    "core.job": "reports",
    "invoicing.importrun": "imports",
}


def vocabulary() -> list[str]:
    """Every scope a key may hold, in the order the docs list them."""
    scopes = [FULL, READ]
    for resource in RESOURCES:
        if resource not in FULL_ONLY_RESOURCES:
            scopes += [f"{resource}:read", f"{resource}:write"]
    return scopes


class MissingScope(ApplicationError):
    """An API key without the scope an operation requires (HTTP 403, `missing_scope`). The error
    item names it in `required_scope`."""

    status_code = 403
    code = "missing_scope"

    def __init__(
        self,
        required: str,
        held: Iterable[str],
        *,
        why: str = "this operation requires",
        field: str | None = None,
    ) -> None:
        held_text = ", ".join(f"`{s}`" for s in held) or "none"
        super().__init__(
            f"This API key lacks the scope `{required}` {why}: "
            f"{granted_by(required)}; it has {held_text}.",
            field=field,
            code=self.code,
        )
        self.required_scope = required
        self.extra = {"required_scope": required}


def scopes_validate(scopes: Any, *, field: str = "scopes") -> list[str]:
    """The scopes as a key stores them (each once, in the vocabulary's order), or a 400 naming
    the first unknown one. `full` stands alone: with other scopes it would hide what they say."""
    if not isinstance(scopes, list | tuple) or not all(isinstance(s, str) for s in scopes):
        raise ValidationFailed("A list of scopes (strings).", field=field)
    if not scopes:
        raise ValidationFailed(
            "An API key needs at least one scope (`full` for every operation).",
            field=field,
            code="required",
        )
    known = vocabulary()
    for index, scope in enumerate(scopes):
        if scope not in known:
            raise ValidationFailed(
                f"Unknown scope {scope!r}: one of `full`, `read`, or `<resource>:read` / "
                f"`<resource>:write` with a resource of {', '.join(_scoped_resources())}.",
                field=f"{field}[{index}]",
                code="unknown_scope",
            )
    if FULL in scopes and len(set(scopes)) > 1:
        raise ValidationFailed(
            "`full` grants everything: give it alone, or list the scopes the key needs instead.",
            field=field,
        )
    return [s for s in known if s in scopes]


def _scoped_resources() -> list[str]:
    return [r for r in RESOURCES if r not in FULL_ONLY_RESOURCES]


def view_resource(view: APIView) -> str | None:
    """The resource of a view: its `scope_resource`, else its permission model's, else None."""
    resource: str | None = getattr(view, "scope_resource", None)
    if resource is not None:
        return resource
    from core.api.permissions import permission_model

    model = permission_model(view)
    if model is None:
        return None
    return MODEL_RESOURCES.get(model._meta.label_lower)


def view_access(view: APIView, method: str) -> str:
    """Read or write: the view's `scope_access` (one value, or per method); else "read" for
    a method the staff sessions' check already calls a view (`permission_actions = {"POST":
    "view"}`: a preview, a price) and for safe methods; else "write"."""
    declared: str | dict[str, str] | None = getattr(view, "scope_access", None)
    if isinstance(declared, dict):
        declared = declared.get(method)
    if declared is not None:
        if declared not in ("read", "write"):
            raise ValueError(f"{type(view).__name__}.scope_access: 'read' or 'write'")
        return declared
    if getattr(view, "permission_actions", {}).get(method) == "view":
        return "read"
    return "read" if method in SAFE_METHODS else "write"


def required_scope(view: APIView, method: str) -> str:
    """The scope an API key needs to call `method` on `view`: `<resource>:read|write`, or `full`
    (API keys, and a view whose resource cannot be told)."""
    resource = view_resource(view)
    if resource is None or resource in FULL_ONLY_RESOURCES:
        return FULL
    return f"{resource}:{view_access(view, method)}"


def scopes_grant(held: Iterable[str], required: str) -> bool:
    """Whether a key holding `held` may do what `required` names."""
    held = set(held)
    if FULL in held:
        return True
    if required == FULL:
        return False
    if required in held:
        return True
    resource, _, access = required.partition(":")
    return access == "read" and (READ in held or f"{resource}:write" in held)


def scope_model_permissions(scope: str) -> list[str] | None:
    """The Django model permissions a staff user needs to grant `scope` to an API key (None:
    only superusers grant it, `full`): what the scope lets a key do, the user must be allowed
    to do. `<resource>:read`: `view_` of each model of the resource (MODEL_RESOURCES);
    `<resource>:write`: `view_`, `add_`, `change_` and `delete_` of each; `read`: `view_` of
    every model of every resource a scope may name."""
    if scope == FULL:
        return None
    if scope == READ:
        wanted = [(resource, "read") for resource in _scoped_resources()]
    else:
        resource, _, access = scope.partition(":")
        wanted = [(resource, access)]
    perms: list[str] = []
    for resource, access in wanted:
        actions = ("view",) if access == "read" else ("view", "add", "change", "delete")
        for label, owner in MODEL_RESOURCES.items():
            if owner == resource:
                app_label, _, model = label.partition(".")
                perms += [f"{app_label}.{action}_{model}" for action in actions]
    return perms


def granted_by(required: str) -> str:
    """The scopes that grant `required`, as the docs and errors say it."""
    if required == FULL:
        return "`full`"
    if required.endswith(":read"):
        resource = required.partition(":")[0]
        return f"`{required}` (or `{resource}:write`, `read`, `full`)"
    return f"`{required}` (or `full`)"


def describe_scope(required: str) -> str:
    """The line each operation's description ends with (core/api/schema.py)."""
    return f"Required scope: {granted_by(required)}."


def security_description() -> str:
    """The API key security scheme's description in the OpenAPI schema: the vocabulary."""
    lines = [
        "An API key: `Authorization: Bearer bk_...`, created in the admin or with "
        "`POST /api/v1/api-keys/` (a `full` key), shown once.",
        "",
        "Each key holds scopes; each operation states the one it requires "
        "(`x-required-scope`, and the last line of its description). A request outside the "
        "key's scopes is refused with 403 `missing_scope`, naming the scope in "
        "`required_scope`. A key may also expire (401 `api_key_expired`) and be limited to "
        "IP addresses and networks (403 `ip_not_allowed`).",
        "",
        "A key grants no more than it has: a key it creates or changes stays within its "
        "scopes, expiry and allow-list (403 `cannot_grant`), and a webhook endpoint it "
        "subscribes, tests or replays to receives only event types it may read (403 "
        "`missing_scope` naming the type; `*` needs `full`).",
        "",
        "- `full`: every operation, including managing API keys.",
        "- `read`: every read (GET) but API keys'.",
        "- `<resource>:read`: the resource's reads; `<resource>:write`: its writes and reads.",
        "",
        "Resources:",
        "",
    ]
    lines += [f"- `{name}`: {what}." for name, what in RESOURCES.items()]
    return "\n".join(lines)


# ------------------------------------------------------------------------------ webhook events
#
# A webhook endpoint receives the events of its types: an API key may subscribe one (create,
# change), test it or replay to it only for events it could read over the API. An event type
# needs `<resource>:read` of its subject's resource (EVENT_SUBJECT_RESOURCES), and of a further
# resource when the event shows that resource's data about the subject (EVENT_TYPE_RESOURCES:
# a customer's wallet, dunning, usage...). A subject not in the table, and the API keys'
# events, need `full`; so does `*` (every type, API keys' included).

ALL_EVENT_TYPES = "*"

EVENT_SUBJECT_RESOURCES: dict[str, str] = {
    "customer": "customers",
    "subscription": "subscriptions",
    "invoice": "invoices",
    "credit_note": "invoices",
    "payment": "payments",
    "refund": "payments",
    "payment_method": "payments",
    "payee": "payments",
    "payout": "payments",
    "payout_method": "payments",
    "payout_schedule": "payments",
    "dunning_policy": "dunning",
    "retry_policy": "dunning",
    "currency": "catalog",
    "product": "catalog",
    "plan": "catalog",
    "plan_version": "catalog",
    "metric": "catalog",
    "feature": "catalog",
    "coupon": "catalog",
    "addon": "catalog",
    "tax_rate": "catalog",
    "plan_change_policy": "catalog",
    "notification": "notifications",
    "portal_session": "portal",
    "portal_user": "portal",
    "portal_configuration": "portal",
    "branding": "branding",
    "webhook_endpoint": "webhooks",
    "test_clock": "test_clocks",
    "api_key": "api_keys",
    "export": "reports",
    "gl_account_code": "reports",
    "job": "reports",
    "import": "imports",
}

# an event type, or its first word, -> the further resource whose data it shows
EVENT_TYPE_RESOURCES: dict[str, str] = {
    "usage": "events",
    "dunning": "dunning",
    "wallet": "payments",
    "customer.balance_changed": "payments",
    "customer.dunning_policy_assigned": "dunning",
    "customer.portal_configuration_assigned": "portal",
    "customer.entitlements_changed": "entitlements",
    "customer.entitlements_blocked": "entitlements",
    "customer.entitlements_unblocked": "entitlements",
    "subscription.entitlements_blocked": "entitlements",
    "subscription.entitlements_unblocked": "entitlements",
    "subscription.payment_method_changed": "payments",
    "subscription.billing_failed": "invoices",
    "invoice.payment_moved": "payments",
}


class HasSubjectType(Protocol):
    """An event type of the catalogue (integrations.event_types), or a journal event."""

    @property
    def subject_type(self) -> str: ...


def event_type_scopes(event_type: str, subject_type: str | None) -> list[str]:
    """The scopes an API key needs to receive events of `event_type` about a `subject_type`:
    `<resource>:read` of each resource they show, or [`full`] (`*`, an unknown subject, API
    keys' events)."""
    if event_type == ALL_EVENT_TYPES or subject_type is None:
        return [FULL]
    resource = EVENT_SUBJECT_RESOURCES.get(subject_type)
    if resource is None:
        return [FULL]
    further = EVENT_TYPE_RESOURCES.get(event_type) or EVENT_TYPE_RESOURCES.get(
        event_type.partition(".")[0]
    )
    resources = [resource] + ([further] if further and further != resource else [])
    if any(r in FULL_ONLY_RESOURCES for r in resources):
        return [FULL]
    return [f"{r}:read" for r in resources]


def event_types_scope_check(
    request: Request,
    event_types: Iterable[str],
    catalogue: Mapping[str, HasSubjectType],
    *,
    field: str = "event_types",
    indexed: bool = True,
) -> None:
    """Refuse (403 `missing_scope`, naming the scope and the event type, on `field[i]`) an API
    key subscribing, testing or replaying events it may not read. `catalogue`: event type ->
    its subject type (integrations.event_types.EVENT_TYPES, or {type: the journal event}); a
    type not in it is left to the caller's validation (a 400), but for `*`. `indexed`: the
    field names each type by its place (`event_types[1]`); else the field alone. Staff sessions
    pass (the model permissions apply, as everywhere)."""
    from core.api.permissions import is_api_key

    if not is_api_key(request):
        return
    held: list[str] = list(getattr(request.auth, "scopes", None) or [])
    if FULL in held:
        return
    types = list(event_types)
    for index, event_type in enumerate(types):
        if event_type == ALL_EVENT_TYPES:
            needed, why = [FULL], "to receive every event type (`*`)"
        elif event_type in catalogue:
            needed = event_type_scopes(event_type, catalogue[event_type].subject_type)
            why = f"to receive `{event_type}` events"
        else:
            continue
        for scope in needed:
            if not scopes_grant(held, scope):
                where = f"{field}[{index}]" if indexed and event_type != ALL_EVENT_TYPES else field
                raise MissingScope(scope, held, why=why, field=where)
