"""The catalogue of webhook event types (integrations/event_types.py) against the code:

- every type the code can write (found by reading the source, tests/integrations/event_scan.py)
  is in the catalogue, and every catalogued type is written somewhere;
- a customer's life through the services and the clock (catalog, customer, card, subscriptions
  with a trial, usage, billing runs, finalization, a payment that succeeds, one that fails and its
  retry, dunning and its e-mails, a bank transfer, a credit note, a refund, late usage, a voided
  and an uncollectible invoice, the portal) writes real events; for each type it reaches, the
  catalogue's example has the keys of one of them, and every event's keys are the example's plus
  the documented optional keys;
- the README lists every type (passes once the lead has pasted the generated section).
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from billing.models import JournalEvent
from billing.services import (
    api_key_create,
    api_key_revoke,
    customer_update,
    subscription_cancel,
    subscription_create,
    usage_ingest,
)
from billing.services.apikeys import api_key_update
from catalog.models import Feature
from catalog.services import feature_update
from integrations.event_types import EVENT_TYPES, EXAMPLES_FILE, markdown
from integrations.webhook_services import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_disable,
    webhook_endpoint_enable,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_test,
    webhook_endpoint_update,
)
from invoicing.models import Invoice
from invoicing.services import invoice_mark_uncollectible, invoice_void
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment
from payments.services import (
    AllocationRequest,
    payment_method_add,
    payment_method_set_default,
    payment_record,
)
from payments.services.payouts import (
    payee_create,
    payee_update,
    payout_method_add,
    payout_method_detach,
)
from payments.services.refunds import refund_create
from portal.services.access import (
    portal_link_consume,
    portal_session_create,
    portal_session_end,
    portal_user_disable,
    portal_user_invite,
)
from tests.billing.subs import customer, priced_plan, seats
from tests.conftest import TEST_ACTOR as ACTOR
from tests.integrations.event_scan import scan
from tests.invoicing.test_invoices import workload_plan
from tests.notifications.smtp import Mailbox, smtp_server
from tests.payments.helpers import open_invoice
from tests.payments.test_a_year_of_dunning import at, tick, work

__all__ = ["smtp_server"]  # the fixture

ROOT = Path(__file__).resolve().parents[2]
D = Decimal

# Types the scenario below does not reach, and why (each is written by code with its own tests;
# its example payload was captured from those tests' events, see capture_events.py).
NOT_IN_SCENARIO = {
    "invoice.threshold_reached": "progressive billing (tests/invoicing/test_interim_billing.py)",
    "customer.archived": "archiving is a staff action outside a billing life",
    "customer.unarchived": "as above",
    "customer.balance_changed": "staff credit adjustments (tests/billing)",
    "customer.coupon_redeemed": "coupons (tests/invoicing/test_taxes_coupons_credit.py)",
    "customer.entitlements_changed": "staff entitlement overrides",
    "customer.entitlements_blocked": "staff blocks",
    "customer.entitlements_unblocked": "staff blocks",
    "customer.dunning_policy_assigned": "staff assigning a non-default dunning policy",
    "customer.portal_configuration_assigned": "portal configuration tests",
    "subscription.billing_failed": "needs a billing run that crashes (tests/faults)",
    "subscription.entitlements_blocked": "dunning's blocked state (14 days past due here)",
    "customer.plan_changes_refused": "dunning's warning state (7 days past due)",
    "customer.plan_changes_allowed": "leaving the warning state",
    "invoice.partially_paid": "a payment of part of an invoice",
    "subscription.ended": "needs an end date reached",
    "subscription.entitlements_unblocked": "reached only after a dunning block is lifted",
    "subscription.payment_method_changed": "a subscription-level payment method",
    "invoice.reopened": "a payment taken back from a paid invoice",
    "invoice.payment_moved": "money moved on an uncollectible invoice",
    "invoice.collection_skipped": "an invoice without a usable payment method",
    "payment.late_success": "a gateway answer arriving after a failure",
    "payment.unapplied": "staff taking an allocation back",
    "payment.moved_to_balance": "staff moving unapplied cash",
    "payment_method.updated": "staff editing a card's details",
    "payment_method.detached": "removing a card",
    "refund.failed": "a refund the gateway declines",
    "retry_policy.updated": "staff changing the retry schedule",
    "dunning_policy.created": "staff dunning policy management",
    "dunning_policy.updated": "as above",
    "dunning_policy.deleted": "as above",
    "wallet.granted": "wallets (tests/payments/test_wallets.py)",
    "wallet.topped_up": "as above",
    "wallet.credit_expired": "as above",
    "wallet.settings_changed": "as above",
    "notification.failed": "an SMTP server refusing for good",
    # the back office (issue 16): staff work, outside a customer's billing life
    "customer_note.created": "staff notes (tests/backoffice/test_notes.py)",
    "customer_note.updated": "as above",
    "customer_note.deleted": "as above",
    "import.completed": "imports of a history (tests/invoicing/test_imports.py)",
    "subscription.item_added": "subscription items (tests/billing/test_subscription_items.py)",
    "subscription.item_removed": "as above",
    "import.failed": "as above",
    "export.created": "accounting exports (tests/backoffice/test_exports.py)",
    "export.completed": "as above",
    "export.failed": "as above",
    "gl_account_code.created": "general ledger codes (tests/backoffice/test_exports.py)",
    "gl_account_code.updated": "as above",
    "gl_account_code.deleted": "as above",
    "bulk_action.completed": "bulk actions (tests/backoffice/test_bulk.py)",
    "invoice.reminder_requested": "a reminder sent in bulk (tests/backoffice/test_bulk.py)",
    "notification.skipped": "an e-mail made stale before sending",
    "notification.resend_requested": "staff asking to resend",
    "portal_configuration.created": "portal configuration tests",
    "portal_configuration.updated": "as above",
    "branding.updated": "branding tests",
    "product.created": "plans here are made without a product",
    "product.updated": "catalog tests",
    "plan.updated": "catalog tests",
    "plan_version.updated": "editing a draft price book",
    "plan_version.closed": "publishing a second version",
    "plan_version.discarded": "discarding a draft",
    "plan_change_policy.created": "plan pair policies (tests/billing/test_policies.py)",
    "plan_change_policy.updated": "as above",
    "plan_change_policy.deleted": "as above",
    "metric.updated": "catalog tests",
    "addon.created": "add-ons (catalog tests)",
    "addon.updated": "as above",
    "tax_rate.created": "taxes (tests/invoicing/test_taxes_coupons_credit.py)",
    "tax_rate.updated": "as above",
    "coupon.created": "coupons",
    "coupon.updated": "as above",
    "payee.archived": "payouts (tests/payments/test_payouts*.py)",
    "payee.customer_added": "as above",
    "payee.customer_removed": "as above",
    "payout_method.default_set": "as above",
    "payout_schedule.created": "as above",
    "payout_schedule.updated": "as above",
    "payout.created": "as above",
    "payout.skipped": "as above",
    "payout.paid": "as above",
    "payout.failed": "as above",
    "payout.canceled": "as above",
    "payout.retry_requested": "as above",
    "test_clock.created": "test clocks (tests/integrations/test_testclock*.py)",
    "test_clock.advancing": "as above",
    "test_clock.ready": "as above",
    "test_clock.failed": "as above",
    "test_clock.deleted": "as above",
}


def keys(payload: Any) -> frozenset[str]:
    return frozenset(payload) if isinstance(payload, dict) else frozenset()


# ------------------------------------------------------------------------- catalogue vs code


def test_every_type_the_code_writes_is_catalogued_and_every_catalogued_type_is_written() -> None:
    found = scan()
    assert found.unresolved == [], (
        "journal event types the scanner cannot follow back to literals: make them literals "
        "or teach tests/integrations/event_scan.py the new pattern"
    )
    written = set(found.types)
    missing = {t: sorted(found.types[t]) for t in written - set(EVENT_TYPES)}
    assert missing == {}, "describe these in integrations/event_types.py"
    assert set(EVENT_TYPES) - written == set(), "catalogued but written nowhere"


def test_the_scanner_follows_literals_through_f_strings_lookups_and_wrappers() -> None:
    types = scan().types
    # f"subscription.{type_}" through subscription_event(sub, "trial_will_end", ...)
    assert "subscription.trial_will_end" in types
    # f"{subject}.{what}" with subject = SUBJECTS[type(obj)] and what from _event(obj, "created")
    assert {"tax_rate.created", "addon.updated"} <= set(types)
    # kinds.get(status, "invoice.payment_moved")
    assert {"invoice.reopened", "invoice.payment_moved"} <= set(types)
    # a conditional: "payout.created" if ... else "payout.skipped", through payout_event(...)
    assert {"payout.created", "payout.skipped"} <= set(types)
    assert all(re.fullmatch(r"[a-z_]+\.[a-z_]+|ping", t) for t in types), sorted(types)


# Types no captured test run has written yet (no real payload to show): the README says so.
NO_EXAMPLE = {
    "notification.skipped": "a dunning e-mail made stale (its tests also write made-up events)",
    "test_clock.failed": "an advance that fails (the test clocks part's tests, in progress)",
    "test_clock.deleted": "as above",
    "import.failed": "an import stopped mid-replay: its tests check the run, not the event",
}


def test_each_catalogued_type_has_a_description_a_subject_and_a_real_example() -> None:
    for t in EVENT_TYPES.values():
        assert t.description.endswith("."), t.type
        assert len(t.description) < 200, t.type
        assert re.fullmatch(r"[a-z_]+", t.subject_type), t.type
    captured = json.loads(EXAMPLES_FILE.read_text())
    wrong = {
        t: (EVENT_TYPES[t].subject_type, c["subject_type"])
        for t, c in captured.items()
        if t in EVENT_TYPES and c["subject_type"] != EVENT_TYPES[t].subject_type
    }
    assert wrong == {}, "the catalogue's subject type is not the one real events carry"
    without = {t.type for t in EVENT_TYPES.values() if not t.example}
    assert without == set(NO_EXAMPLE), "capture the example (capture_events.py) or say why not"


def test_the_markdown_lists_every_type_with_its_example() -> None:
    text = markdown()
    for type_ in EVENT_TYPES:
        assert f"| `{type_}` |" in text
        assert f"\n`{type_}`" in text  # its example (or that none is captured yet)
    assert text.startswith("### Event types\n")


def test_the_readme_documents_every_event_type_as_generated() -> None:
    """The README's Event types section is the catalogue's markdown, word for word (and so is
    docs/webhook-events.md): a new type or example cannot go undocumented."""
    generated = markdown().rstrip() + "\n"
    assert generated in (ROOT / "README.md").read_text(), (
        "regenerate: .venv/bin/python -m integrations.event_types > docs/webhook-events.md, "
        "and paste it over the README's Event types section"
    )
    assert (ROOT / "docs" / "webhook-events.md").read_text().rstrip() + "\n" == generated
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Event types", 1)[1].split("\n### ", 1)[0]
    missing = [t for t in EVENT_TYPES if f"`{t}`" not in section]
    assert missing == []


# ------------------------------------------------------------------------- real events


@pytest.fixture
def sandbox(settings: Any) -> Iterator[SandboxGateway]:
    namespace = f"test-event-types-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    settings.WEBHOOK_ALLOW_HTTP = settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()


def card(customer_id: int, token: str, when: datetime) -> int:
    data = {"gateway": "sandbox", "token": f"{token}+{uuid.uuid4().hex[:8]}", "kind": "card",
            "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}  # fmt: skip
    return payment_method_add(customer_id=customer_id, actor=ACTOR, as_of=when, data=data).pk


def usage(external_id: str, month: int, calls: int, prefix: str, when: datetime) -> None:
    events = [
        {
            "event_id": f"{prefix}-{n}",
            "customer": external_id,
            "metric": "api_calls",
            "event_time": datetime(2026, month, 2 + n, tzinfo=UTC).isoformat(),
            "properties": {"calls": calls},
        }
        for n in range(3)
    ]
    usage_ingest(events=events, actor=ACTOR, as_of=when)


def a_customer_life() -> None:
    """What an integrator's customer lives through in two months, through the services and the
    clock (see the module's note)."""
    key, _ = api_key_create(name="metering", actor=ACTOR, as_of=at(1, 1, 0, 0))
    api_key_update(
        api_key_id=key.pk, changes={"scopes": ["events:write"]}, actor=ACTOR,
        as_of=at(1, 1, 0, 1),
    )  # fmt: skip
    api_key_revoke(api_key_id=key.pk, actor=ACTOR, as_of=at(1, 1, 0, 1))
    pro = workload_plan()  # metered, in arrears
    team = priced_plan("team", "100", trial_days=14, features=[seats(10)])  # in advance, a trial
    dana = customer(external_id="dana", email="dana@example.com", payment_terms_days=0)
    customer_update(
        customer_id=dana.pk, changes={"name": "Dana Inc."}, actor=ACTOR, as_of=at(1, 1, 0, 2)
    )
    ok = card(dana.pk, "tok_ok", at(1, 1, 0, 3))
    subscription_create(
        customer_id=dana.pk, plan_id=pro.pk, actor=ACTOR, as_of=at(1, 1, 0, 4),
        start_at=at(1, 1, 0, 4),
    )  # fmt: skip
    trial = subscription_create(
        customer_id=dana.pk, plan_id=team.pk, actor=ACTOR, as_of=at(1, 1, 0, 4),
        start_at=at(1, 1, 0, 4),
    )  # fmt: skip
    usage("dana", 1, 5000, "jan", at(1, 20))
    for day in (1, 12, 15):  # start, the trial's notice, its end: the first Team invoice, paid
        tick(at(1, day))
    tick(at(2, 1))  # January's Pro invoice (usage in arrears), paid by the card
    usage("dana", 1, 100, "late", at(2, 3))  # late for January: a correction follows
    tick(at(2, 3))

    # a card that is declined: February's Team invoice fails, dunning starts, the retry succeeds
    declined = card(dana.pk, "tok_declined", at(2, 10, 9, 0))
    payment_method_set_default(payment_method_id=declined, actor=ACTOR, as_of=at(2, 10, 9, 0))
    tick(at(2, 15))
    tick(at(2, 16))
    payment_method_set_default(payment_method_id=ok, actor=ACTOR, as_of=at(2, 17, 9, 0))
    for day in (18, 20, 22):
        tick(at(2, day))

    # a bank transfer for a staff invoice; a credit note and a refund of the card payment
    staff_invoice = open_invoice(dana, "30.00", at(2, 23))
    payment_record(
        customer_id=dana.pk, amount=D("30.00"), currency="USD", received_at=at(2, 23, 10),
        reference="BANK-1", actor=ACTOR, as_of=at(2, 23, 10),
        allocations=[AllocationRequest(staff_invoice.pk)],
    )  # fmt: skip
    charged = Payment.objects.filter(customer=dana, state="succeeded", gateway="sandbox").first()
    assert charged is not None
    assert charged.invoice_id is not None
    line = Invoice.objects.get(pk=charged.invoice_id).lines.order_by("pk").first()
    assert line is not None
    refund_create(  # a credit note on the card-paid invoice, refunded to the card
        payment_id=charged.pk, amount=D("2.00"), reason="customer asked", actor=ACTOR,
        as_of=at(2, 25), credit_invoice_id=charged.invoice_id, credit_lines=[(line.pk, D("2.00"))],
    )  # fmt: skip
    invoice_void(
        invoice_id=open_invoice(dana, "5.00", at(2, 26)).pk, as_of=at(2, 26, 1), actor=ACTOR,
        reason="issued by mistake",
    )  # fmt: skip
    invoice_mark_uncollectible(
        invoice_id=open_invoice(dana, "7.00", at(2, 26, 2)).pk, as_of=at(2, 26, 3),
        actor=ACTOR, reason="written off",
    )  # fmt: skip
    work(at(2, 26, 4))

    # the portal: a session over the API, opened and ended; a user invited and disabled
    _, token = portal_session_create(customer_id=dana.pk, as_of=at(2, 27), actor=ACTOR)
    session = portal_link_consume(token=token, as_of=at(2, 27, 0, 1))
    portal_session_end(session_id=session.pk, reason="signed out", as_of=at(2, 27, 0, 2),
                       actor=ACTOR)  # fmt: skip
    user = portal_user_invite(
        customer_id=dana.pk, email="ops@dana.test", base_url="https://billing.test",
        as_of=at(2, 27, 1), actor=ACTOR,
    )  # fmt: skip
    portal_user_disable(user_id=user.pk, as_of=at(2, 27, 2), actor=ACTOR)
    subscription_cancel(subscription_id=trial.pk, actor=ACTOR, as_of=at(2, 28))
    work(at(2, 28))

    # staff: a feature renamed; a payee (paid out to) renamed, its bank account removed
    feature_update(
        feature_id=Feature.objects.get(code="seats").pk, changes={"name": "Team seats"},
        actor=ACTOR, as_of=at(2, 28, 1),
    )  # fmt: skip
    payee = payee_create(
        data={"external_id": "seller-1", "name": "Seller", "currency": "USD", "timezone": "UTC"},
        actor=ACTOR, as_of=at(2, 28, 2),
    )  # fmt: skip
    payee_update(payee_id=payee.pk, changes={"name": "Seller GmbH"}, actor=ACTOR,
                 as_of=at(2, 28, 3))  # fmt: skip
    method = payout_method_add(
        payee_id=payee.pk, gateway="sandbox", token="tok_ok", actor=ACTOR, as_of=at(2, 28, 3)
    )
    payout_method_detach(payout_method_id=method.pk, actor=ACTOR, as_of=at(2, 28, 4))

    # a webhook endpoint's life (after the rest: no deliveries of the events above)
    endpoint, _ = webhook_endpoint_create(
        url="http://127.0.0.1:9/hooks", description="ops", event_types=["invoice.paid"],
        as_of=at(3, 1), actor=ACTOR,
    )  # fmt: skip
    webhook_endpoint_update(
        endpoint_id=endpoint.pk, event_types=["*"], as_of=at(3, 1, 0, 1), actor=ACTOR
    )
    webhook_endpoint_rotate_secret(
        endpoint_id=endpoint.pk, overlap_hours=1, as_of=at(3, 1, 0, 2), actor=ACTOR
    )
    webhook_endpoint_test(endpoint_id=endpoint.pk, as_of=at(3, 1, 0, 3), actor=ACTOR)
    webhook_endpoint_disable(
        endpoint_id=endpoint.pk, reason="maintenance", as_of=at(3, 1, 0, 4), actor=ACTOR
    )
    webhook_endpoint_enable(endpoint_id=endpoint.pk, as_of=at(3, 1, 0, 5), actor=ACTOR)
    webhook_endpoint_delete(endpoint_id=endpoint.pk, as_of=at(3, 1, 0, 6), actor=ACTOR)


@pytest.mark.django_db  # not transactional: the migrations' default dunning policy is there
def test_a_customer_life_writes_events_with_the_catalogued_keys(
    sandbox: SandboxGateway, smtp_server: Mailbox
) -> None:
    a_customer_life()
    seen: dict[str, set[frozenset[str]]] = defaultdict(set)
    subjects: dict[str, set[str]] = defaultdict(set)
    for type_, subject_type, payload in JournalEvent.objects.values_list(
        "type", "subject_type", "payload"
    ):
        seen[type_].add(keys(payload))
        subjects[type_].add(subject_type)
    assert set(seen) - set(EVENT_TYPES) == set(), "written but not catalogued"
    reached = set(seen)
    for type_ in sorted(reached):
        entry = EVENT_TYPES[type_]
        example = keys(entry.example)
        assert subjects[type_] == {entry.subject_type}, type_
        assert example in seen[type_], (type_, sorted(example), [sorted(k) for k in seen[type_]])
        allowed = example | set(entry.optional_keys)
        for real in seen[type_]:
            assert real <= allowed, (type_, sorted(real - allowed))
    # the scenario reaches what it says it reaches; the rest is listed with its reason
    assert reached & set(NOT_IN_SCENARIO) == set(), "reached now: take it off NOT_IN_SCENARIO"
    assert set(EVENT_TYPES) - reached - set(NOT_IN_SCENARIO) == set(), "not reached: say why"
    assert len(reached) >= 35, sorted(reached)
