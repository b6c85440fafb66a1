"""Issue 11, "checks that keep them fixed": the hostile inputs of the probe, put in every field
of every write route's documented body — a NUL byte, a lone surrogate, an integer of 2^70, a
20,000-digit number, 1E-20000, a year-1 instant at +14:00 — never give a server error: each is a
4xx in the one error shape (a field the route refuses), or accepted as a value it may hold.

For that to prove anything the request must get as far as the value. So each route's path names
a real object of a world built through the services (a customer, plans with a published and a
draft price book, a metric, a feature, a coupon, an add-on, a tax rate, subscriptions in each
state a route needs, a draft and a finalized invoice, a credit note, a scheduled change, an API
key), and each body starts from a valid one for its route (synthesized from the schema's required
properties, or written by hand where the schema cannot say what is valid) with one field replaced
by the hostile value. The world is built once per test process inside a transaction that is
rolled back at the end; each case runs in a savepoint of it, rolled back after the case. The world
holds payment methods, a bank transfer partly applied and its unapplied cash too (issue 12), and
the customer portal's objects (issue 14): a portal configuration, a portal session, an invited
portal user, and an open invoice of a customer with a sandbox card (paid now by retry-payment)."""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework.test import APIClient

from tests.security.test_error_shape import assert_error_shape
from tests.security.test_unknown_params import ROUTES

pytestmark = pytest.mark.django_db
WRITE = ("post", "put", "patch")

# raw JSON texts: some cannot be written by json.dumps (a 20,000-digit literal, 1E-20000)
HOSTILE = {
    "nul": '"a\\u0000b"',
    "surrogate": '"\\ud800"',
    "int_2_70": str(2**70),
    "digits_20000": "9" * 20_000,
    "tiny": "1E-20000",
    "year_1": '"0001-01-01T00:00:00+14:00"',
}

# ------------------------------------------------------------------------------ the schema


@cache
def _schema() -> dict[str, Any]:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))  # type: ignore[no-any-return]


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = _schema()["components"]["schemas"][name]
    if "allOf" in node and len(node["allOf"]) == 1:
        return {**_resolve(node["allOf"][0]), **{k: v for k, v in node.items() if k != "allOf"}}
    return node


def _shape(template: str) -> str:
    """`/api/v1/customers/<int:pk>/` and `/api/v1/customers/{id}/` alike: `/api/v1/customers/{}/`"""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", template)


def _body_schema(template: str, method: str) -> dict[str, Any]:
    """The schema of this route's JSON body ({} when it documents none)."""
    for path, operations in _schema()["paths"].items():
        if _shape(path) == _shape(template) and method in operations:
            body = operations[method].get("requestBody", {}).get("content", {})
            media = body.get("application/json", {}).get("schema")
            return {} if media is None else _resolve(media)
    return {}


def _body_fields(template: str, method: str) -> list[str]:
    """The top-level properties the schema documents for this route's JSON body."""
    return sorted(_body_schema(template, method).get("properties", {}))


# ------------------------------------------------------------------------------ the routes


def _route_templates() -> Iterator[tuple[str, str]]:
    """(path template with Django's parameters, method) of every write view method under /api/v1/,
    walked from the URL resolver as tests/security/test_unknown_params.py walks it."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), entry.callback

    for route, callback in walk(get_resolver().url_patterns, ""):
        if route.startswith("api/v1/"):
            for method in WRITE:
                if hasattr(callback.cls, method):
                    yield "/" + route, method


TEMPLATES = sorted(set(_route_templates()))

CASES = [
    (template, method, name, hostile)
    for template, method in TEMPLATES
    for name in _body_fields(template, method)
    for hostile in HOSTILE
]

# ------------------------------------------------------------------------------- the world


Outcome = tuple[str, str, str, str, int, bool]  # template, method, field, value, status, named


@dataclass
class World:
    ids: dict[str, int | str] = field(default_factory=dict)
    raw_key: str = ""
    outcomes: list[Outcome] = field(default_factory=list)


def _build_world() -> World:
    from billing.services import (
        api_key_create,
        coupon_redeem,
        customer_archive,
        subscription_cancel,
        subscription_change,
        subscription_create,
        subscription_item_add,
        subscription_pause,
    )
    from catalog import services as catalog
    from invoicing.services import (
        credit_note_issue,
        invoice_draft_create,
        invoice_finalize,
        invoice_line_add,
    )
    from payments.models import Allocation
    from payments.services import AllocationRequest, payment_method_add, payment_record
    from tests.billing.subs import customer
    from tests.catalog.factories import feature, metric
    from tests.conftest import TEST_ACTOR as ACTOR

    now = timezone.now()
    started = now - timedelta(days=3)
    ids: dict[str, int | str] = {}

    calls = metric("hw_calls", field_name="calls")
    seats = feature("hw_seats", "limit")
    charges = [{"metric": calls, "pricing_model": "per_unit", "params": {"unit_price": "0.01"}}]
    plans = {}
    for code, fee in (("hw_pro", "50"), ("hw_basic", "10")):
        plans[code] = catalog.plan_create(
            actor=ACTOR, as_of=now,
            data={"code": code, "name": code, "currency": "USD", "interval_unit": "month"},
        )  # fmt: skip
        version = catalog.plan_version_create(
            plan_id=plans[code].pk, actor=ACTOR, as_of=now,
            data={"effective_from": now - timedelta(days=400), "fixed_fee": Decimal(fee),
                  "fee_timing": "advance"},
            charges=charges, features=[{"feature": seats, "limit": Decimal(5)}],
        )  # fmt: skip
        catalog.plan_version_publish(version_id=version.pk, actor=ACTOR, as_of=now)
    draft = catalog.plan_version_create(
        plan_id=plans["hw_pro"].pk, actor=ACTOR, as_of=now,
        data={"effective_from": now + timedelta(days=30), "fixed_fee": Decimal(60)},
        charges=charges,
    )  # fmt: skip
    product = catalog.product_create(actor=ACTOR, as_of=now, data={"code": "hw_api", "name": "API"})
    addon = catalog.addon_create(
        actor=ACTOR, as_of=now,
        data={"code": "hw_setup", "name": "Setup", "currency": "USD", "amount": Decimal(5)},
    )  # fmt: skip
    rate = catalog.tax_rate_create(
        actor=ACTOR, as_of=now,
        data={"code": "hw_vat", "name": "VAT", "percentage": Decimal(19), "country": "DE"},
    )  # fmt: skip
    coupon = catalog.coupon_create(
        actor=ACTOR, as_of=now,
        data={"code": "hw_ten", "name": "Ten", "kind": "percent", "percent_off": Decimal(10),
              "duration": "once"},
    )  # fmt: skip

    acme = customer(external_id="hw_acme")
    customer(external_id="hw_free")  # no subscription: POST /subscriptions/ starts one
    archived = customer(external_id="hw_archived")
    customer_archive(customer_id=archived.pk, actor=ACTOR, as_of=now)

    def subscription(external_id: str, **extra: Any) -> int:
        who = customer(external_id=external_id)
        sub = subscription_create(
            customer_id=who.pk, plan_id=plans["hw_pro"].pk, actor=ACTOR, as_of=now,
            start_at=started, **extra,
        )  # fmt: skip
        return sub.pk

    ids["subscription"] = subscription("hw_active")
    ids["subscription_item"] = subscription_item_add(
        subscription_id=ids["subscription"], plan_id=plans["hw_basic"].pk, actor=ACTOR, as_of=now
    ).pk
    ids["subscription_trialing"] = subscription("hw_trialing", trial_days=14)
    ids["subscription_paused"] = paused = subscription("hw_paused")
    subscription_pause(subscription_id=paused, actor=ACTOR, as_of=now)
    ids["subscription_canceling"] = canceling = subscription("hw_canceling")
    subscription_cancel(subscription_id=canceling, actor=ACTOR, as_of=now, at_period_end=True)
    changing = subscription("hw_changing")
    change = subscription_change(
        subscription_id=changing, actor=ACTOR, as_of=now,
        plan_id=plans["hw_basic"].pk, when="period_end",
    )  # fmt: skip
    redemption = coupon_redeem(
        customer_id=_customer_of(changing), coupon_code=coupon.code, actor=ACTOR, as_of=now
    )

    draft_invoice = invoice_draft_create(customer_id=acme.pk, as_of=now, actor=ACTOR)
    line = invoice_line_add(
        invoice_id=draft_invoice.pk, description="Setup", amount=Decimal(100),
        quantity=Decimal(1), as_of=now, actor=ACTOR,
    )  # fmt: skip
    issued = invoice_draft_create(customer_id=acme.pk, as_of=now, actor=ACTOR)
    issued_line = invoice_line_add(
        invoice_id=issued.pk, description="Consulting", amount=Decimal(100),
        quantity=Decimal(1), as_of=now, actor=ACTOR,
    )  # fmt: skip
    invoice_finalize(invoice_id=issued.pk, as_of=now, actor=ACTOR)
    clean = invoice_draft_create(customer_id=acme.pk, as_of=now, actor=ACTOR)  # no credit note
    invoice_line_add(
        invoice_id=clean.pk, description="Training", amount=Decimal(50),
        quantity=Decimal(1), as_of=now, actor=ACTOR,
    )  # fmt: skip
    invoice_finalize(invoice_id=clean.pk, as_of=now, actor=ACTOR)
    note = credit_note_issue(
        invoice_id=issued.pk, as_of=now, actor=ACTOR, reason="goodwill",
        lines=[(issued_line.pk, Decimal(10))],
    )  # fmt: skip
    _key, raw_key = api_key_create(name="hostile writes", actor=ACTOR, as_of=now)
    # another key (issue 15) for /api-keys/{id}/: the world's own must keep working
    ids["api_key"] = api_key_create(name="hw other", scopes=["read"], actor=ACTOR, as_of=now)[0].pk
    method = payment_method_add(
        customer_id=acme.pk, actor=ACTOR, as_of=now,
        data={"gateway": "manual", "token": "hw_tok_acme", "kind": "bank_transfer"},
    )  # fmt: skip
    sub_method = payment_method_add(
        customer_id=_customer_of(ids["subscription"]), actor=ACTOR, as_of=now,
        data={"gateway": "manual", "token": "hw_tok_active", "kind": "bank_transfer"},
    )  # fmt: skip
    ids.update(payment_method=method.pk, payment_method_of_subscription=sub_method.pk)

    # a customer who paid by bank transfer: 10.00 of 500.00 applied, the rest unapplied cash
    payer = customer(external_id="hw_payer")
    owed = []
    for amount in ("40", "60"):
        bill = invoice_draft_create(customer_id=payer.pk, as_of=now, actor=ACTOR)
        invoice_line_add(
            invoice_id=bill.pk, description="Work", amount=Decimal(amount), quantity=Decimal(1),
            as_of=now, actor=ACTOR,
        )  # fmt: skip
        owed.append(invoice_finalize(invoice_id=bill.pk, as_of=now, actor=ACTOR))
    transfer = payment_record(
        customer_id=payer.pk, amount=Decimal(500), currency="USD", received_at=now,
        reference="hw_transfer", actor=ACTOR, as_of=now,
        allocations=[AllocationRequest(owed[0].pk, Decimal(10))],
    )  # fmt: skip
    ids.update(
        payment=transfer.pk, allocation=Allocation.objects.get(payment=transfer).pk,
        payer_code=payer.external_id, payer_invoice=owed[1].pk,
    )  # fmt: skip

    ids.update(
        customer=acme.pk, customer_code=acme.external_id, metric=calls.pk,
        metric_code=calls.code, feature=seats.pk, feature_code=seats.code,
        plan=plans["hw_pro"].pk, plan_code="hw_pro", other_plan_code="hw_basic",
        plan_version_draft=draft.pk, product=product.pk, addon=addon.pk, addon_code=addon.code,
        tax_rate=rate.pk, coupon=coupon.pk, coupon_code=coupon.code,
        redemption=redemption.pk, change=change.pk, invoice_draft=draft_invoice.pk,
        invoice_draft_line=line.pk, invoice_finalized=issued.pk,
        invoice_finalized_line=issued_line.pk, credit_note=note.pk,
        invoice_uncredited=clean.pk, customer_archived=archived.pk,
    )  # fmt: skip

    # a dunning policy (issue 13) that no customer is assigned nor in
    from payments.services.dunning_policies import dunning_policy_create

    ids["dunning_policy"] = dunning_policy_create(
        data={"name": "hw_dunning", "states": []}, actor=ACTOR, as_of=now
    ).pk

    # a payee (issue 13) with a method, a customer, a weekly schedule and its ended periods' payouts

    from payments.models.payouts import Payout
    from payments.services import payouts as po
    from payments.services.payouts_run import payouts_create_due

    payee = po.payee_create(
        data={"external_id": "hw_payee", "name": "P", "currency": "USD"}, actor=ACTOR, as_of=now
    )
    ids["payee"] = payee.pk
    ids["payout_method"] = po.payout_method_add(
        payee_id=payee.pk, gateway="manual", token="hw-acct", actor=ACTOR, as_of=now
    ).pk
    ids["payee_customer"] = po.payee_customer_add(
        payee_id=payee.pk, customer_id=customer(external_id="hw_payee_customer").pk,
        actor=ACTOR, as_of=now,
    ).pk  # fmt: skip
    ids["payout_schedule"] = po.payout_schedule_create(
        payee_id=payee.pk, interval_unit="week", interval_count=1,
        anchor=(now - timedelta(days=15)).date(), amount_kind="fixed",
        fixed_amount=Decimal("5.00"), actor=ACTOR, as_of=now,
    ).pk  # fmt: skip
    payouts_create_due(as_of=now, actor=ACTOR, schedule_ids=[ids["payout_schedule"]])
    ids["payout"] = Payout.objects.filter(schedule_id=ids["payout_schedule"]).order_by("pk")[0].pk

    # the customer portal (issue 14): a configuration offering both plans, a session link and an
    # invited user of acme (their e-mails and gateway calls are after-commit: never sent here)
    from portal.services import portal_session_create, portal_user_invite
    from portal.services.configuration import portal_configuration_create

    ids["portal_configuration"] = portal_configuration_create(
        data={"name": "hw_portal", "plans": [plans["hw_pro"].pk, plans["hw_basic"].pk]},
        actor=ACTOR, as_of=now,
    ).pk  # fmt: skip
    ids["portal_session"] = portal_session_create(
        customer_id=acme.pk, return_url="https://example.com/account", actor=ACTOR, as_of=now
    )[0].pk
    ids["portal_user"] = portal_user_invite(
        customer_id=acme.pk, email="hw_user@example.com", name="User",
        base_url="https://billing.example.com/", actor=ACTOR, as_of=now,
    ).pk  # fmt: skip

    # an open invoice of a customer with a sandbox card: POST /invoices/{id}/retry-payment/
    # charges it now with the method the body names (a bank transfer would be refused)
    debtor = customer(external_id="hw_debtor")
    card = payment_method_add(
        customer_id=debtor.pk, actor=ACTOR, as_of=now,
        data={"gateway": "sandbox", "token": "tok_ok+hw_debtor", "kind": "card",
              "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": now.year + 2},
    )  # fmt: skip
    payable = invoice_draft_create(customer_id=debtor.pk, as_of=now, actor=ACTOR)
    invoice_line_add(
        invoice_id=payable.pk, description="Support", amount=Decimal(30), quantity=Decimal(1),
        as_of=now, actor=ACTOR,
    )  # fmt: skip
    invoice_finalize(invoice_id=payable.pk, as_of=now, actor=ACTOR)
    ids.update(invoice_payable=payable.pk, payment_method_of_debtor=card.pk)

    # webhooks (issue 15): an endpoint on a public address literal (no DNS in the tests), and
    # the event of its creation to replay
    from billing.models import JournalEvent
    from integrations.webhook_services import webhook_endpoint_create

    hook = webhook_endpoint_create(
        url="https://93.184.215.14/hw", description="hw", event_types=["*"], actor=ACTOR,
        as_of=now,
    )[0]  # fmt: skip
    ids["webhook_endpoint"] = hook.pk
    ids["webhook_event"] = (
        JournalEvent.objects.filter(type="webhook_endpoint.created").latest("id").pk
    )

    # test clocks (issue 15): a clock without customers, to advance a day
    from billing.services.testclocks import clock_create

    ids["test_clock"] = clock_create(
        name="hw clock", frozen_time=datetime(2026, 1, 1, tzinfo=UTC), actor=ACTOR, as_of=now
    ).pk

    # the back office (issue 16): a note on the customer, a general ledger account's code
    from backoffice.services.glcodes import gl_code_create
    from backoffice.services.notes import note_create

    ids["note"] = note_create(
        customer_id=ids["customer"], body="hw note", actor=ACTOR, as_of=now
    ).pk
    ids["gl_account_code"] = gl_code_create(
        account="revenue", code="4000", name="Revenue", actor=ACTOR, as_of=now
    ).pk
    # plan change policies (issue 17): pro -> basic at the end of the term (the scheduled
    # change above, asked at period end, agrees with it); basic -> pro has none (POST makes it)
    ids["plan_change_policy"] = catalog.plan_change_policy_create(
        actor=ACTOR, as_of=now,
        data={"from_plan": plans["hw_pro"], "to_plan": plans["hw_basic"], "policy": "end_of_term"},
    ).pk  # fmt: skip
    return World(ids=ids, raw_key=raw_key)


def _customer_of(subscription_id: int) -> int:
    from billing.models import Subscription

    return Subscription.objects.values_list("customer_id", flat=True).get(pk=subscription_id)


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """Built once per test process in a transaction never committed: each case's own atomic
    block (pytest-django's) is a savepoint inside it. The services' durable atomic blocks may
    nest in it as they nest in a test case's (hence `_from_testcase`)."""
    outer = transaction.atomic()
    outer._from_testcase = True  # type: ignore[attr-defined]
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            built = _build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
        _check_coverage(_all_outcomes(built.outcomes, tmp_path_factory))


@pytest.fixture
def hw_api(world: World) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {world.raw_key}")
    return api


# --------------------------------------------------------------------------- path parameters

# the object a route acts on (its first parameter), by route where the segment does not say
BY_ROUTE = {
    "/api/v1/subscriptions/<int:pk>/resume/": "subscription_paused",
    "/api/v1/subscriptions/<int:pk>/undo-cancel/": "subscription_canceling",
    "/api/v1/subscriptions/<int:pk>/activate/": "subscription_trialing",
    "/api/v1/customers/<int:pk>/unarchive/": "customer_archived",
    "/api/v1/invoices/<int:pk>/void/": "invoice_uncredited",
    "/api/v1/invoices/<int:pk>/mark-uncollectible/": "invoice_finalized",
    "/api/v1/invoices/<int:pk>/credit-notes/": "invoice_finalized",
    "/api/v1/invoices/<int:pk>/retry-payment/": "invoice_payable",
}
# by the URL segment before the parameter
BY_SEGMENT = {
    "api-keys": "api_key",
    "customers": "customer",
    "subscriptions": "subscription",
    "subscription-changes": "change",
    "coupon-redemptions": "redemption",
    "products": "product",
    "plans": "plan",
    "plan-versions": "plan_version_draft",
    "metrics": "metric",
    "features": "feature",
    "coupons": "coupon",
    "addons": "addon",
    "tax-rates": "tax_rate",
    "invoices": "invoice_draft",
    "lines": "invoice_draft_line",
    "overrides": "feature_code",
    "payment-methods": "payment_method",
    "payments": "payment",
    "allocations": "allocation",
    "dunning-policies": "dunning_policy",
    "payees": "payee",
    "payout-methods": "payout_method",
    "payee-customers": "payee_customer",
    "payout-schedules": "payout_schedule",
    "payouts": "payout",
    "portal-configurations": "portal_configuration",
    "portal-sessions": "portal_session",
    "portal-users": "portal_user",
    "webhook-endpoints": "webhook_endpoint",
    "test-clocks": "test_clock",
    "notes": "note",
    "gl-account-codes": "gl_account_code",
    "plan-change-policies": "plan_change_policy",
    "items": "subscription_item",
}


def _path(template: str, world: World) -> str:
    def value(match: re.Match[str]) -> str:
        before = template[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        by_route = BY_ROUTE.get(template) if match.start() == template.index("<") else None
        return str(world.ids[by_route or BY_SEGMENT[before]])

    return re.sub(r"<[^>]+>", value, template)


# ------------------------------------------------------------------------------ valid bodies


def _example(schema: dict[str, Any], name: str) -> Any:
    """A plausible valid value for a property of this schema."""
    schema = _resolve(schema)
    if "enum" in schema:
        return next(v for v in schema["enum"] if v not in ("", None))
    kind, form = schema.get("type"), schema.get("format")
    if kind == "object" or "properties" in schema:
        return _synthesized(schema)
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number" or form == "decimal":
        return "1"
    if kind == "boolean":
        return True
    if form == "date-time":
        return timezone.now().isoformat()
    if form == "date":
        return timezone.now().date().isoformat()
    if form == "email":
        return "hw@example.com"
    if name == "currency":
        return "USD"
    return f"hw_{name}"[: schema.get("maxLength", 64)]


def _synthesized(schema: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties", {})
    return {name: _example(properties[name], name) for name in schema.get("required", [])}


def _valid_bodies(ids: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Where the schema cannot say what is valid: codes of the world's objects, consistent
    pairs, instants in the window a route takes."""
    now = timezone.now()
    later = (now + timedelta(days=7)).isoformat()
    event = {"event_id": "hw-e1", "customer": ids["customer_code"], "metric": ids["metric_code"],
             "properties": {"calls": 1}}  # fmt: skip
    history = {"key": "hw-import", "customer": {"external_id": "hw_imported", "name": "Imported",
               "currency": "USD"}, "subscriptions": [{"plan": ids["plan_code"],
               "start_at": (now - timedelta(days=40)).isoformat()}],
               "notify": False, "settle": "open"}  # fmt: skip
    return {
        ("/api/v1/api-keys/", "post"): {"name": "hw_new", "scopes": ["read"]},
        ("/api/v1/api-keys/<int:pk>/", "patch"): {
            "name": "hw_renamed",
            "scopes": ["events:write"],
            "allowed_ips": ["203.0.113.0/24"],
        },
        ("/api/v1/customers/", "post"): {"external_id": "hw_new", "name": "New", "currency": "USD"},
        ("/api/v1/customers/<int:pk>/balance/", "post"): {"amount": "1", "reason": "goodwill"},
        ("/api/v1/customers/<int:pk>/coupons/", "post"): {"coupon": ids["coupon_code"]},
        ("/api/v1/subscriptions/", "post"): {"customer": "hw_free", "plan": ids["plan_code"]},
        ("/api/v1/subscriptions/<int:pk>/change/", "post"): {"plan": ids["other_plan_code"]},
        ("/api/v1/subscriptions/<int:pk>/change/preview/", "post"): {
            "plan": ids["other_plan_code"]
        },
        ("/api/v1/subscriptions/<int:pk>/end/", "post"): {"ends_at": later},
        ("/api/v1/subscriptions/<int:pk>/add-ons/", "post"): {"add_on": ids["addon_code"]},
        ("/api/v1/subscriptions/<int:pk>/items/", "post"): {"plan": ids["other_plan_code"]},
        ("/api/v1/subscriptions/<int:pk>/items/<int:item_id>/", "patch"): {"quantity": 2},
        ("/api/v1/events", "post"): event,
        ("/api/v1/events/batch", "post"): {"events": [event]},
        ("/api/v1/products/", "post"): {"code": "hw_new", "name": "New"},
        ("/api/v1/plans/", "post"): {
            "code": "hw_new",
            "name": "New",
            "currency": "USD",
            "interval_unit": "month",
        },
        ("/api/v1/plan-versions/", "post"): {"plan": ids["plan_code"], "effective_from": later},
        ("/api/v1/plan-versions/<int:pk>/preview/", "post"): {
            "metric": ids["metric_code"],
            "quantity": "10",
        },
        ("/api/v1/metrics/", "post"): {
            "code": "hw_new",
            "name": "New",
            "aggregation": "sum",
            "field_name": "calls",
        },
        ("/api/v1/features/", "post"): {"code": "hw_new", "name": "New", "kind": "boolean"},
        ("/api/v1/coupons/", "post"): {
            "code": "hw_new",
            "name": "New",
            "kind": "percent",
            "percent_off": "5",
            "duration": "once",
        },
        ("/api/v1/addons/", "post"): {
            "code": "hw_new",
            "name": "New",
            "currency": "USD",
            "amount": "1",
        },
        ("/api/v1/tax-rates/", "post"): {"code": "hw_new", "name": "New", "percentage": "7"},
        ("/api/v1/plan-change-policies/", "post"): {
            "from_plan": "hw_basic",
            "to_plan": ids["plan_code"],
            "policy": "immediate",
        },
        ("/api/v1/plan-change-policies/<int:pk>/", "patch"): {"policy": "illegal"},
        ("/api/v1/pricing/rate/", "post"): {
            "pricing_model": "per_unit",
            "params": {"unit_price": "0.5"},
            "currency": "USD",
            "quantity": "10",
        },
        ("/api/v1/invoices/", "post"): {"customer": ids["customer_code"]},
        ("/api/v1/invoices/<int:pk>/lines/", "post"): {"description": "Extra", "amount": "1"},
        ("/api/v1/invoices/<int:pk>/add-ons/", "post"): {"add_on": ids["addon_code"]},
        ("/api/v1/invoices/<int:pk>/credit-notes/", "post"): {"reason": "goodwill"},
        ("/api/v1/payment-methods/", "post"): {
            "customer": ids["customer_code"],
            "gateway": "manual",
            "token": "hw_tok_new",
            "kind": "bank_transfer",
        },
        ("/api/v1/subscriptions/<int:pk>/payment-method/", "put"): {
            "payment_method": ids["payment_method_of_subscription"]
        },
        ("/api/v1/payments/", "post"): {
            "customer": ids["payer_code"],
            "amount": "25",
            "currency": "USD",
            "received_at": (now - timedelta(minutes=5)).isoformat(),
            "allocations": [{"invoice": ids["payer_invoice"], "amount": "5"}],
        },
        ("/api/v1/payments/<int:pk>/refunds/", "post"): {"amount": "1.00", "reason": "overpaid"},
        ("/api/v1/payees/<int:pk>/customers/", "post"): {"customer": "hw_free"},
        ("/api/v1/payees/<int:pk>/payout-methods/", "post"): {"gateway": "manual", "token": "t"},
        ("/api/v1/payees/<int:pk>/schedules/", "post"): {
            "interval_unit": "month",
            "anchor": now.date().isoformat(),
            "amount_kind": "fixed",
            "fixed_amount": "5.00",
        },
        ("/api/v1/corrections/rerate/", "post"): {
            "customers": [ids["customer_code"]],
            "start": (now - timedelta(days=1)).isoformat(),
            "end": now.isoformat(),
        },
        ("/api/v1/invoices/<int:pk>/retry-payment/", "post"): {
            "payment_method": ids["payment_method_of_debtor"]
        },
        ("/api/v1/portal-sessions/", "post"): {
            "customer": ids["customer_code"],
            "return_url": "https://example.com/account",
            "locale": "de",
            "configuration": ids["portal_configuration"],
        },
        ("/api/v1/portal-users/", "post"): {
            "customer": ids["customer_code"],
            "email": "hw_new@example.com",
            "name": "New",
        },
        ("/api/v1/portal-users/<int:pk>/disable/", "post"): {"reason": "left the company"},
        ("/api/v1/portal-configurations/", "post"): {
            "name": "hw_new",
            "allow_cancel": False,
            "plans": [ids["plan"]],
        },
        ("/api/v1/portal-configurations/<int:pk>/", "patch"): {
            "name": "hw_portal_renamed",
            "plans": [ids["plan"]],
        },
        ("/api/v1/customers/<int:pk>/portal-configuration/", "put"): {
            "configuration": ids["portal_configuration"]
        },
        ("/api/v1/branding/", "patch"): {
            "display_name": "Hostile Writes GmbH",
            "primary_color": "#123456",
            "primary_text_color": "#ffffff",
        },
        # webhooks (issue 15)
        ("/api/v1/webhook-endpoints/", "post"): {
            "url": "https://93.184.215.14/hw_new",
            "event_types": ["*"],
            "description": "new",
        },
        ("/api/v1/webhook-endpoints/<int:pk>/", "patch"): {
            "url": "https://93.184.215.14/hw_moved",
            "event_types": ["*"],
            "description": "x",
        },
        ("/api/v1/webhook-endpoints/<int:pk>/disable/", "post"): {"reason": "maintenance"},
        ("/api/v1/webhook-endpoints/<int:pk>/rotate-secret/", "post"): {"overlap_hours": 1},
        ("/api/v1/webhook-endpoints/<int:pk>/replay/", "post"): {
            "event": f"evt_{ids['webhook_event']}"
        },
        ("/api/v1/test-clocks/<int:pk>/advance/", "post"): {"frozen_time": "2026-01-02T00:00:00Z"},
        # the back office (issue 16)
        ("/api/v1/exports/", "post"): {
            "kind": "ledger",
            "format": "csv",
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
        },
        ("/api/v1/gl-account-codes/", "post"): {"account": "cash", "code": "1000", "name": "Bank"},
        ("/api/v1/gl-account-codes/<int:pk>/", "patch"): {"code": "4001", "name": "Sales"},
        ("/api/v1/imports/", "post"): history,
        ("/api/v1/imports/validate/", "post"): history,
        ("/api/v1/customers/<int:customer_id>/notes/", "post"): {"body": "called them"},
        ("/api/v1/customers/<int:customer_id>/notes/<int:pk>/", "patch"): {"body": "called again"},
    }


def _valid_body(template: str, method: str, world: World) -> dict[str, Any]:
    written = _valid_bodies(world.ids).get((template, method))
    if written is not None:
        return dict(written)
    return _synthesized(_body_schema(template, method))


def _with(base: dict[str, Any], name: str, raw: str) -> str:
    """The JSON text of `base` with `name` set to the raw JSON text `raw`."""
    items = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in base.items() if k != name]
    return "{" + ", ".join([*items, f"{json.dumps(name)}: {raw}"]) + "}"


# ----------------------------------------------------------------------------------- checks


def _all_outcomes(mine: list[Outcome], tmp: pytest.TempPathFactory) -> list[Outcome]:
    """The outcomes of every process of this run: under xdist each worker adds its own to a file
    the workers share (locked), and reads back what all have added so far."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        return mine
    shared = tmp.getbasetemp().parent / f"hostile-writes-{run}.jsonl"
    with shared.open("a+", encoding="utf-8") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        file.write(json.dumps(mine) + "\n")
        file.flush()
        file.seek(0)
        return [tuple(o) for line in file for o in json.loads(line)]  # type: ignore[misc]


def _check_coverage(outcomes: list[Outcome]) -> None:
    """Once every case has run (in this process or, under xdist, in all of them; never for a
    selection): nearly all got past the path and the key to the body, and at least half had the
    hostile value itself named in a 400 or accepted (the value was examined, not a neighbour's
    absence). The process whose share completes the set checks; a failure is its teardown's."""
    if len({o[:4] for o in outcomes}) != len(CASES) or len(outcomes) != len(CASES):
        return
    statuses = Counter(o[4] for o in outcomes)
    reached = sum(1 for o in outcomes if o[4] not in (401, 403, 404))
    named = sum(1 for o in outcomes if o[5])
    not_found = sorted({f"{o[1].upper()} {o[0]} ({o[2]})" for o in outcomes if o[4] == 404})
    summary = (
        f"{len(outcomes)} cases, by status {dict(sorted(statuses.items()))}; reached the body: "
        f"{reached}; value named or accepted: {named}; still 404 (route, field): {not_found}"
    )
    assert reached >= 0.9 * len(outcomes), summary
    assert named >= 0.5 * len(outcomes), summary


TEMPLATES_WITH_BODY = sorted({(t, m) for t, m, _n, _h in CASES})


def test_the_cases_cover_the_write_routes() -> None:
    concrete = {(re.sub(r"<[^>]+>", "1", t), m) for t, m in TEMPLATES}
    assert concrete == {(p, m) for p, m in ROUTES if m in WRITE}
    assert len(TEMPLATES_WITH_BODY) >= 30
    assert ("/api/v1/customers/", "post") in TEMPLATES_WITH_BODY


@pytest.mark.parametrize(("template", "method"), TEMPLATES_WITH_BODY)
def test_each_routes_valid_body_is_accepted_on_an_object_of_the_world(
    hw_api: APIClient, world: World, template: str, method: str
) -> None:
    """So that in a case only the hostile value can be what the route refuses."""
    body = json.dumps(_valid_body(template, method, world))
    response = getattr(hw_api, method)(
        _path(template, world), data=body, content_type="application/json"
    )
    assert 200 <= response.status_code < 300, (response.status_code, response.content[:300])


@pytest.mark.parametrize(("template", "method", "name", "hostile"), CASES)
def test_a_hostile_value_in_any_field_is_never_a_server_error(
    hw_api: APIClient, world: World, template: str, method: str, name: str, hostile: str
) -> None:
    path = _path(template, world)
    body = _with(_valid_body(template, method, world), name, HOSTILE[hostile])
    response = getattr(hw_api, method)(path, data=body, content_type="application/json")
    status = response.status_code
    errors = response.json().get("errors", []) if status >= 400 and _is_json(response) else []
    fields = [str(e.get("field")) for e in errors if isinstance(e, dict)]
    named = status < 300 or any(f == name or f.startswith((f"{name}.", f"{name}[")) for f in fields)
    world.outcomes.append((template, method, name, hostile, status, named))

    assert status < 500, (status, response.content[:300])
    assert _is_json(response), response["Content-Type"]
    if status >= 400:
        assert_error_shape(response, status)
    assert status not in (401, 403), (status, response.content[:300])
    if status == 404:  # an object the body names (a coupon's code), never the path's
        assert any(e["field"] for e in errors), (path, response.content[:300])


def _is_json(response: Any) -> bool:
    return str(response.get("Content-Type", "")).startswith("application/json")
