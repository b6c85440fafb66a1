"""The catalogue of event types delivered to webhooks: every journal event type, what it means,
its subject and an example payload (the README's Integration chapter is written from it).

The examples are real: integrations/event_examples.json is captured from journal events that the
code wrote while tests ran (tests/integrations/capture_events.py says how to regenerate it), and
tests/integrations/test_event_types.py checks that every type the code writes is here, that every
type here is written by the code, and that the example's keys are those of a real event.

`python -m integrations.event_types` prints the README's "Event types" section (markdown)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

EXAMPLES_FILE = Path(__file__).with_name("event_examples.json")


@dataclass(frozen=True)
class EventType:
    type: str
    description: str
    subject_type: str
    example: dict[str, Any] = field(default_factory=dict)
    # keys that only some events of the type carry (e.g. what changed in a subscription.updated)
    optional_keys: tuple[str, ...] = ()


# type: (subject type, what it tells an integrating engineer). Grouped as the README lists them.
_CATALOGUE: dict[str, tuple[str, str]] = {
    # customers
    "customer.created": ("customer", "A customer was created."),
    "customer.updated": (
        "customer",
        "A customer's details changed; `changes` holds old and new values.",
    ),
    "customer.archived": (
        "customer",
        "A customer was archived (no new subscriptions or sessions).",
    ),
    "customer.unarchived": ("customer", "An archived customer was restored."),
    "customer.balance_changed": (
        "customer",
        "Staff credited or debited the customer's credit balance (prepaid or granted credit).",
    ),
    "customer.coupon_redeemed": ("customer", "A coupon was applied to the customer."),
    "customer.entitlements_changed": (
        "customer",
        "Staff set a per-customer entitlement override of a feature (enabled, limit).",
    ),
    "customer.entitlements_blocked": (
        "customer",
        "All of the customer's entitlements were blocked by staff.",
    ),
    "customer.entitlements_unblocked": ("customer", "The customer's entitlements were unblocked."),
    "customer.plan_changes_refused": (
        "customer",
        "Plan changes are refused for the customer (dunning or staff).",
    ),
    "customer.plan_changes_allowed": (
        "customer",
        "Plan changes are allowed again for the customer.",
    ),
    "customer.dunning_policy_assigned": (
        "customer",
        "A dunning policy was assigned to the customer (or the default restored).",
    ),
    "customer.portal_configuration_assigned": (
        "customer",
        "A customer-portal configuration was assigned to the customer (or the default restored).",
    ),
    "customer_note.created": (
        "customer",
        "Staff added a note on the customer (back office); `note` holds its text and author.",
    ),
    "customer_note.updated": (
        "customer",
        "Staff edited a note on the customer; `changes.body` holds the old and new text.",
    ),
    "customer_note.deleted": ("customer", "Staff deleted a note on the customer."),
    # subscriptions
    "subscription.created": ("subscription", "A subscription was created (maybe starting later)."),
    "subscription.updated": (
        "subscription",
        "A subscription changed: started, trial ended, period renewed, plan change scheduled or "
        "cancelled, cancel at period end set or unset, paused, resumed, end date set. The optional "
        "key says which.",
    ),
    "subscription.trial_will_end": (
        "subscription",
        "The trial ends soon (sent ahead of the trial end, like Stripe's trial_will_end).",
    ),
    "subscription.canceled": ("subscription", "A subscription was cancelled (now or at a date)."),
    "subscription.ended": ("subscription", "A subscription reached its end date and ended."),
    "subscription.item_added": (
        "subscription",
        "An item (another plan with its own quantity) was added to the subscription; `item` "
        "holds its id, plan, quantity and status (the item is a subscription of its own).",
    ),
    "subscription.item_removed": (
        "subscription",
        "An item was removed from the subscription (canceled at once, prorated, or at the "
        "period end); `item` holds it.",
    ),
    "subscription.entitlements_blocked": (
        "subscription",
        "The subscription's entitlements were blocked (dunning or staff).",
    ),
    "subscription.entitlements_unblocked": (
        "subscription",
        "The subscription's entitlements were unblocked.",
    ),
    "subscription.payment_method_changed": (
        "subscription",
        "The payment method used to collect the subscription's invoices changed.",
    ),
    "subscription.billing_failed": (
        "subscription",
        "The billing clock could not bill the subscription (it retries; staff see the failure).",
    ),
    # usage
    "usage.late_received": (
        "customer",
        "Usage arrived for a period already invoiced; a correction follows.",
    ),
    # invoices and credit notes
    "invoice.created": ("invoice", "A draft invoice was created by the billing clock or by staff."),
    "invoice.threshold_reached": (
        "invoice",
        "A subscription's usage in its period reached a usage threshold (progressive billing): "
        "this invoice bills it before the period's end.",
    ),
    "invoice.finalized": (
        "invoice",
        "A draft was finalized: numbered, frozen, posted; collection starts.",
    ),
    "invoice.paid": ("invoice", "The invoice is paid in full."),
    "invoice.partially_paid": (
        "invoice",
        "A payment was applied; part of the invoice is still due.",
    ),
    "invoice.reopened": (
        "invoice",
        "A paid or partially paid invoice is open again (a payment was taken back).",
    ),
    "invoice.payment_moved": (
        "invoice",
        "Money was applied to or taken back from an uncollectible invoice.",
    ),
    "invoice.voided": ("invoice", "An open invoice was voided."),
    "invoice.marked_uncollectible": (
        "invoice",
        "An open invoice was written off as uncollectible.",
    ),
    "invoice.collection_skipped": (
        "invoice",
        "Automatic collection did not charge a finalized invoice; `reason` says why.",
    ),
    "invoice.reminder_requested": (
        "invoice",
        "Staff sent a payment reminder of the overdue invoice (a back office bulk action); "
        "`notification` is the e-mail recorded.",
    ),
    "credit_note.created": (
        "invoice",
        "A credit note was issued against the invoice (the subject is the invoice).",
    ),
    # payments and refunds
    "payment.succeeded": ("payment", "A payment was received (charged or recorded by staff)."),
    "payment.failed": ("payment", "A charge failed; `failure_code` says why, retries may follow."),
    "payment.late_success": (
        "payment",
        "A payment first reported failed (or unknown) turned out to have succeeded.",
    ),
    "payment.applied": ("payment", "(Part of) a payment was applied to invoices."),
    "payment.unapplied": ("payment", "(Part of) a payment was taken back from an invoice."),
    "payment.moved_to_balance": (
        "payment",
        "The unapplied rest of a payment was moved to the customer's credit balance.",
    ),
    "payment_method.added": ("payment_method", "A payment method (card, bank account) was added."),
    "payment_method.updated": ("payment_method", "A payment method's details changed."),
    "payment_method.default_changed": (
        "payment_method",
        "The customer's default payment method changed.",
    ),
    "payment_method.detached": ("payment_method", "A payment method was removed."),
    "refund.created": ("refund", "A refund was requested (pending until the gateway answers)."),
    "refund.succeeded": ("refund", "A refund was paid out by the gateway."),
    "refund.failed": ("refund", "A refund failed; the money is back where it was taken from."),
    "retry_policy.updated": ("retry_policy", "The payment retry schedule was changed by staff."),
    # dunning
    "dunning.state_entered": (
        "customer",
        "The customer entered a dunning state (amount overdue, days past due, its actions).",
    ),
    "dunning.cleared": ("customer", "The customer left dunning (paid, or credited)."),
    "dunning_policy.created": ("dunning_policy", "A dunning policy was created."),
    "dunning_policy.updated": ("dunning_policy", "A dunning policy or its states changed."),
    "dunning_policy.deleted": ("dunning_policy", "A dunning policy was deleted."),
    # wallets (prepaid credit)
    "wallet.granted": ("customer", "Staff granted credit to the customer's wallet."),
    "wallet.topped_up": (
        "customer",
        "Purchased credit was added after its top-up invoice was paid.",
    ),
    "wallet.credit_expired": ("customer", "A credit grant's remaining amount expired."),
    "wallet.settings_changed": (
        "customer",
        "The wallet's automatic top-up settings (threshold, amount) changed.",
    ),
    # payouts
    "payee.created": ("payee", "A payee (someone the platform pays out to) was created."),
    "payee.updated": ("payee", "A payee's details changed."),
    "payee.archived": ("payee", "A payee was archived."),
    "payee.customer_added": (
        "payee",
        "A customer's payments now count towards the payee's payouts.",
    ),
    "payee.customer_removed": ("payee", "A customer no longer counts towards the payee's payouts."),
    "payout_method.added": (
        "payout_method",
        "A payout method (bank account) was added to a payee.",
    ),
    "payout_method.default_set": ("payout_method", "A payee's default payout method changed."),
    "payout_method.detached": ("payout_method", "A payout method was removed."),
    "payout_schedule.created": ("payout_schedule", "A payout schedule was created for a payee."),
    "payout_schedule.updated": ("payout_schedule", "A payout schedule changed."),
    "payout.created": ("payout", "A payout for an ended period is pending (to be sent)."),
    "payout.skipped": ("payout", "A period ended with nothing to pay out (or below the minimum)."),
    "payout.paid": ("payout", "The gateway paid the payout."),
    "payout.failed": ("payout", "The payout failed; it is retried when retryable."),
    "payout.canceled": ("payout", "Staff cancelled a payout."),
    "payout.retry_requested": ("payout", "Staff asked to retry a failed payout now."),
    # notifications (e-mail)
    "notification.sent": ("notification", "An e-mail to the customer was sent."),
    "notification.failed": ("notification", "An e-mail could not be sent (given up)."),
    "notification.skipped": (
        "notification",
        "An e-mail was not sent because it no longer applies (e.g. the customer paid).",
    ),
    "notification.resend_requested": ("notification", "Staff asked to send an e-mail again."),
    # customer portal
    "portal_session.created": (
        "portal_session",
        "A customer-portal link was issued (a session over the API, a sign-in or invitation link).",
    ),
    "portal_session.opened": ("portal_session", "A portal link was used and a session opened."),
    "portal_session.ended": ("portal_session", "A portal session ended (signed out, revoked)."),
    "portal_user.invited": ("portal_user", "A portal user was invited (or invited again)."),
    "portal_user.disabled": ("portal_user", "A portal user was disabled; their sessions ended."),
    "portal_configuration.created": (
        "portal_configuration",
        "A customer-portal configuration was created.",
    ),
    "portal_configuration.updated": (
        "portal_configuration",
        "A customer-portal configuration changed.",
    ),
    "branding.updated": (
        "branding",
        "The brand (name, logo, colours) of invoices and portal changed.",
    ),
    # catalog
    "product.created": ("product", "A product was created."),
    "product.updated": ("product", "A product changed (or was archived); `changes` says what."),
    "plan.created": ("plan", "A plan was created."),
    "plan.updated": ("plan", "A plan changed (or was archived); `changes` says what."),
    "plan_version.created": ("plan_version", "A draft price book (plan version) was created."),
    "plan_version.updated": ("plan_version", "A draft plan version changed."),
    "plan_version.published": (
        "plan_version",
        "A plan version was published: its prices apply from its effective date.",
    ),
    "plan_version.closed": (
        "plan_version",
        "A published plan version was closed by the next one's publication.",
    ),
    "plan_version.discarded": ("plan_version", "A draft plan version was discarded."),
    "plan_change_policy.created": (
        "plan_change_policy",
        "A change between two plans got its policy (immediate, end_of_term or illegal).",
    ),
    "plan_change_policy.updated": (
        "plan_change_policy",
        "The policy of a change between two plans changed; `changes` says what.",
    ),
    "plan_change_policy.deleted": (
        "plan_change_policy",
        "The policy of a change between two plans was deleted (the caller's timing decides).",
    ),
    "metric.created": ("metric", "A billable metric was created."),
    "metric.updated": ("metric", "A billable metric changed; `changes` says what."),
    "feature.created": ("feature", "A feature (entitlement) was created."),
    "feature.updated": ("feature", "A feature changed; `changes` says what."),
    "addon.created": ("addon", "An add-on was created."),
    "addon.updated": ("addon", "An add-on changed; `changes` says what."),
    "tax_rate.created": ("tax_rate", "A tax rate was created."),
    "tax_rate.updated": ("tax_rate", "A tax rate changed; `changes` says what."),
    "coupon.created": ("coupon", "A coupon was created."),
    "coupon.updated": ("coupon", "A coupon changed; `changes` says what."),
    # API keys
    "api_key.created": ("api_key", "An API key was created (the key itself is never in events)."),
    "api_key.updated": (
        "api_key",
        "An API key's name, scopes, expiry or IP allow-list changed; `changes` holds old and new.",
    ),
    "api_key.revoked": ("api_key", "An API key was revoked."),
    # test clocks
    "test_clock.created": ("test_clock", "A test clock was created at its frozen time."),
    "test_clock.advancing": (
        "test_clock",
        "A test clock is being advanced; its customers are billed up to the new time.",
    ),
    "test_clock.ready": ("test_clock", "A test clock finished advancing and is at its new time."),
    "test_clock.failed": (
        "test_clock",
        "Advancing a test clock failed; `error` says why (it may be advanced again).",
    ),
    "test_clock.deleted": (
        "test_clock",
        "A test clock was deleted and its test customers archived.",
    ),
    # back office: accounting exports and the general ledger's account codes
    "export.created": (
        "export",
        "Staff asked for an accounting export (kind, format, period, currency); a worker writes "
        "it.",
    ),
    "export.completed": (
        "export",
        "An accounting export's file is written: its rows, size, per-currency sums and warnings.",
    ),
    "export.failed": ("export", "Writing an accounting export failed; `error` says why."),
    "gl_account_code.created": (
        "gl_account_code",
        "Finance staff mapped a ledger account to its general ledger code and name.",
    ),
    "gl_account_code.updated": (
        "gl_account_code",
        "A ledger account's general ledger code or name changed; `changes` holds old and new.",
    ),
    "gl_account_code.deleted": (
        "gl_account_code",
        "A ledger account's general ledger mapping was removed (it exports with an empty code).",
    ),
    # imports of a customer's history (invoicing/services/imports.py)
    "import.completed": (
        "import",
        "A customer's history was imported: replayed at its instants and billed up to now; "
        "`import` lists its subscriptions and invoices.",
    ),
    "import.failed": (
        "import",
        "An import stopped on a refusal during its replay; `import.error` and `error_field` say "
        "where (what it did before stays).",
    ),
    # back office: bulk actions
    "bulk_action.completed": (
        "job",
        "Staff ran a bulk action from an admin list (finalize, void, retry payments, reminders, "
        "apply cash); `done`, `skipped` and `failed` count the objects, each changed by its "
        "own service and event.",
    ),
    # webhooks
    "webhook_endpoint.created": ("webhook_endpoint", "A webhook endpoint was created."),
    "webhook_endpoint.updated": (
        "webhook_endpoint",
        "A webhook endpoint's URL, description or event types changed.",
    ),
    "webhook_endpoint.secret_rotated": (
        "webhook_endpoint",
        "An endpoint's signing secret was rotated; the old one stays valid for the overlap.",
    ),
    "webhook_endpoint.enabled": ("webhook_endpoint", "A disabled webhook endpoint was enabled."),
    "webhook_endpoint.disabled": (
        "webhook_endpoint",
        "A webhook endpoint was disabled by staff, or automatically after three days of failures.",
    ),
    "webhook_endpoint.deleted": ("webhook_endpoint", "A webhook endpoint was deleted."),
    "ping": (
        "webhook_endpoint",
        "A test event sent by hand to one endpoint only (never to endpoints subscribed to all).",
    ),
}


@cache
def _examples() -> dict[str, Any]:
    return json.loads(EXAMPLES_FILE.read_text())  # type: ignore[no-any-return]


def _build() -> dict[str, EventType]:
    examples = _examples()
    out: dict[str, EventType] = {}
    for type_, (subject_type, description) in _CATALOGUE.items():
        captured = examples.get(type_, {})
        example = captured.get("example") or {}
        key_sets = [set(k.split(",")) - {""} for k in captured.get("key_sets", [])]
        optional = sorted(set().union(*key_sets) - set(example)) if key_sets else []
        out[type_] = EventType(type_, description, subject_type, example, tuple(optional))
    return out


EVENT_TYPES: dict[str, EventType] = _build()


def _compact(value: Any, limit: int = 3) -> Any:
    """The example as the README shows it: lists cut to `limit` items."""
    if isinstance(value, dict):
        return {k: _compact(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v, limit) for v in value[:limit]]
    return value


def markdown() -> str:
    """The README's "Event types" section: a table, then each type's example payload (the
    envelope's `data`)."""
    lines = [
        "### Event types",
        "",
        "Every webhook carries one journal event; its `type` is one of these, its `subject` the "
        "object it is about, and its `data` the payload shown below (real payloads captured from "
        "the test suite; ids, times and amounts vary). Keys marked optional appear on some events "
        "of the type only. New keys may be added to a payload at any time; keys are not removed "
        "or renamed within an API version. `GET /api/v1/webhook-event-types/` lists the same "
        "(with the full examples). Regenerate this section with "
        "`python -m integrations.event_types`.",
        "",
        "| Type | Subject | What happened |",
        "|---|---|---|",
    ]
    for t in EVENT_TYPES.values():
        lines.append(f"| `{t.type}` | {t.subject_type} | {t.description} |")
    lines += ["", "#### Example payloads", ""]
    for t in EVENT_TYPES.values():
        optional = (
            " Optional: " + ", ".join(f"`{k}`" for k in t.optional_keys) + "."
            if t.optional_keys
            else ""
        )
        if not t.example:
            lines += [f"`{t.type}`: no example captured yet.", ""]
            continue
        body = json.dumps(_compact(t.example), separators=(", ", ": "), ensure_ascii=False)
        lines += [f"`{t.type}`{optional}", "```json", body, "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
