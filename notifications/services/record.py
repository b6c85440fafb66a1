"""Recording notifications: from journal events (one batch handler), from the renewal clock
hook, set-based, once per cause.

Which events, which e-mail:
- `invoice.finalized` -> `invoice_finalized` (the invoice's PDF attached);
- `payment.succeeded` (automatic charges, payments recorded by staff, Stripe) and
  `payment.late_success` (a failed charge found paid) -> `payment_receipt`;
- `payment.failed` -> `payment_failed` with the next retry date the failure scheduled
  (`retry_at` of the event; none: the retries are used up). Not for an attempt that was never
  charged because its invoice no longer needed it (`not_needed`);
- `credit_note.created` -> `credit_note_issued` (the credit note's PDF attached);
- `subscription.trial_will_end` (billing's clock, TRIAL_WILL_END_NOTICE before the trial ends)
  -> `trial_ending`;
- `dunning.state_entered` -> the `template` its payload names (`dunning_reminder`,
  `dunning_warning`, `dunning_suspension`, `dunning_cancellation`; "" sends nothing);
- the renewal clock hook -> `upcoming_renewal` (see `renewals_due`).

Not for the events an import's replay wrote with `"notify": false` (their payload's
`imported.notify`): a history brought from another system does not e-mail its customers again.

Once: every notification has a unique `key` ('<template>:event:<event id>',
'payment_receipt:payment:<payment id>' (one receipt per payment: a failed charge found paid
writes `payment.late_success` and `payment.succeeded` for it),
'upcoming_renewal:<subscription>:<renewal epoch seconds>'); rows are inserted with ON CONFLICT
DO NOTHING, so a cause delivered twice records one e-mail. A customer without an e-mail address
gets the row too, `skipped`, with the reason."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, CharField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat, Extract

from billing.enums import SubscriptionStatus
from billing.models import Customer, JournalEvent, Subscription
from billing.selectors import clock_scope
from core.audit import Actor, audit_context
from notifications.models import Notification, State, Template
from payments.selectors import event_customers

logger = logging.getLogger(__name__)

ACTOR = Actor.system("notifications")
HANDLER = "notifications.email"
RENEWAL_HOOK = "notifications.renewals"
NO_ADDRESS = "The customer has no e-mail address."
NOT_NEEDED = "not_needed"  # payments' failure code of an attempt its invoice no longer needed
DUNNING_TEMPLATES = frozenset(
    {
        Template.DUNNING_REMINDER,
        Template.DUNNING_WARNING,
        Template.DUNNING_SUSPENSION,
        Template.DUNNING_CANCELLATION,
    }
)
EVENT_TYPES = frozenset(
    {
        "invoice.finalized",
        "payment.succeeded",
        "payment.late_success",
        "payment.failed",
        "credit_note.created",
        "subscription.trial_will_end",
        "dunning.state_entered",
    }
)


@dataclass(frozen=True)
class Wanted:
    """A notification to record: for `customer_id`, once per `key`."""

    customer_id: int
    template: str
    key: str
    data: dict[str, Any] = field(default_factory=dict)
    event_id: int | None = None
    at: datetime | None = None  # the instant of its cause (a journal event's), when it has one


def notifications_record(wanted: Sequence[Wanted], *, as_of: datetime) -> list[int]:
    """Insert the notifications not recorded yet (their key is new), inside the caller's
    transaction, and queue the send of the pending ones after its commit. Returns the ids of
    the pending notifications of these keys. Three queries, whatever the number.

    Each is recorded at `as_of`, except those with causes of their own (`at`): at the latest
    cause of their clock scope, so a test customer's notification is at its test clock's time
    and a live one's at the real time, never one at the other's (billing.selectors)."""
    if not wanted:
        return []
    customers = Customer.objects.only("pk", "email", "test_clock_id").in_bulk(
        {w.customer_id for w in wanted}
    )
    latest: dict[int | None, datetime] = {}
    for w in wanted:
        if w.at is not None:
            scope = customers[w.customer_id].test_clock_id
            latest[scope] = max(w.at, latest.get(scope, w.at))
    rows = []
    for w in wanted:
        address = customers[w.customer_id].email.strip()
        at = latest.get(customers[w.customer_id].test_clock_id, as_of)
        rows.append(
            Notification(
                customer_id=w.customer_id,
                template=w.template,
                key=w.key,
                event_id=w.event_id,
                data=w.data,
                recipient=address,
                state=State.PENDING if address else State.SKIPPED,
                last_error="" if address else NO_ADDRESS,
                next_attempt_at=at if address else None,
                created_at=at,
                updated_at=at,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    pending = list(
        Notification.objects.filter(
            key__in=[w.key for w in wanted], state=State.PENDING, attempts=0
        ).values_list("pk", flat=True)
    )
    send_soon(pending)
    return pending


def send_soon(notification_ids: Iterable[int]) -> None:
    """After the current transaction commits, one send task per notification."""
    ids = sorted(notification_ids)
    if ids:
        transaction.on_commit(partial(_enqueue, ids), robust=True)


def _enqueue(ids: list[int]) -> None:
    from notifications.tasks import notification_send_task

    for notification_id in ids:
        notification_send_task.delay(notification_id)


# ---------------------------------------------------------------------------------------------
# the journal handler


def _wanted(event: JournalEvent, customer_id: int) -> Wanted | None:
    p: dict[str, Any] = event.payload or {}
    if silent_import(p):
        return None  # an import's replay asked not to e-mail the customer about its past
    subject = int(event.subject_id)
    template: str
    data: dict[str, Any]
    if event.type == "invoice.finalized":
        template, data = Template.INVOICE_FINALIZED, {"invoice": subject}
    elif event.type in ("payment.succeeded", "payment.late_success"):
        # one receipt per payment, whichever events (and how many) say it was received
        data = {"payment": subject}
        return Wanted(customer_id, Template.PAYMENT_RECEIPT, receipt_key(subject), data, event.pk)
    elif event.type == "payment.failed":
        if NOT_NEEDED in (p.get("reason"), p.get("failure_code")):
            return None  # never charged: its invoice no longer needed it
        template = Template.PAYMENT_FAILED
        data = {
            "payment": subject,
            "retry_at": p.get("retry_at"),
            "failure_message": p.get("failure_message") or "",
        }
    elif event.type == "credit_note.created":
        template = Template.CREDIT_NOTE_ISSUED
        data = {"invoice": subject, "credit_note": p.get("credit_note")}
    elif event.type == "subscription.trial_will_end":
        template = Template.TRIAL_ENDING
        data = {
            "subscription": subject,
            "trial_end": (p.get("subscription") or {}).get("trial_end"),
        }
    elif event.type == "dunning.state_entered":
        template = str(p.get("template") or "")
        if not template:
            return None  # a dunning state without an e-mail
        if template not in DUNNING_TEMPLATES:
            logger.warning("dunning event %s names no known e-mail template %r", event, template)
            return None
        keep = ("state", "policy", "days_past_due", "amount_overdue", "currency", "invoices")
        data = {k: p.get(k) for k in keep}
    else:
        return None
    return Wanted(customer_id, template, f"{template}:event:{event.pk}", data, event.pk)


def silent_import(payload: dict[str, Any]) -> bool:
    """An event written by an import's replay (invoicing/services/imports.py) run with
    `"notify": false`: its payload carries `"imported": {"run": ..., "notify": false}`."""
    imported = payload.get("imported")
    return isinstance(imported, dict) and imported.get("notify") is False


def receipt_key(payment_id: int) -> str:
    return f"{Template.PAYMENT_RECEIPT}:payment:{payment_id}"


def on_events(events: list[JournalEvent]) -> None:
    """The batch handler `notifications.email`: in the dispatcher's transaction, with the
    events' delivery records, a fixed number of queries for the whole batch."""
    subjects = event_customers(events)
    wanted = []
    for event in events:
        customer_id = subjects.get((event.subject_type, event.subject_id))
        if customer_id is None:
            logger.warning("journal event %s: no customer found for its subject", event)
            continue
        w = _wanted(event, customer_id)
        if w is not None:
            wanted.append(replace(w, at=event.occurred_at))
    if wanted:
        with audit_context(actor=ACTOR, reason="journal event"):
            notifications_record(wanted, as_of=max(e.occurred_at for e in events))


# ---------------------------------------------------------------------------------------------
# upcoming renewals (a clock hook)


def renewal_key(subscription_id: int, renews_at: datetime) -> str:
    return f"{Template.UPCOMING_RENEWAL}:{subscription_id}:{int(renews_at.timestamp())}"


def renewals_due(as_of: datetime, *, test_clock: int | None = None) -> dict[str, int]:
    """Record an `upcoming_renewal` e-mail for every active (or past due) subscription whose
    current period ends, and renews, within NOTIFICATIONS_RENEWAL_NOTICE_DAYS after `as_of`, on
    a plan billed by one of NOTIFICATIONS_RENEWAL_INTERVALS (default: yearly plans, 7 days
    ahead, like Stripe's upcoming-renewal reminder): not canceled at the period's end, no end
    date by then, not in a trial. Once per subscription and renewal instant (the key);
    set-based: one query finds those without their notice yet, three record them. In one
    clock scope (live customers' by default, or a test clock's)."""
    days = settings.NOTIFICATIONS_RENEWAL_NOTICE_DAYS
    units = list(settings.NOTIFICATIONS_RENEWAL_INTERVALS)
    if days <= 0 or not units:
        return {"renewal_notices": 0}
    key = Concat(
        Value(f"{Template.UPCOMING_RENEWAL}:"),
        Cast("pk", CharField()),
        Value(":"),
        Cast(Cast(Extract("current_period_end", "epoch"), BigIntegerField()), CharField()),
        output_field=CharField(),
    )
    due = (
        Subscription.objects.filter(
            clock_scope(test_clock),
            status__in=(SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE),
            cancel_at_period_end=False,
            plan__interval_unit__in=units,
            current_period_end__gt=as_of,
            current_period_end__lte=as_of + timedelta(days=days),
        )
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=F("current_period_end")))
        .annotate(notice_key=key)
        .exclude(Exists(Notification.objects.filter(key=OuterRef("notice_key"))))
        .values_list("pk", "customer_id", "current_period_end")
        .order_by("pk")
    )
    wanted = [
        Wanted(
            customer_id,
            Template.UPCOMING_RENEWAL,
            renewal_key(pk, renews_at),
            {"subscription": pk, "renews_at": renews_at.isoformat()},
        )
        for pk, customer_id, renews_at in due
    ]
    if wanted:
        with transaction.atomic(), audit_context(actor=ACTOR, reason="upcoming renewal"):
            notifications_record(wanted, as_of=as_of)
    return {"renewal_notices": len(wanted)}
