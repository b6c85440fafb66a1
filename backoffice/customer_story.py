"""The reads of a customer's whole story (the customer page of the back office), each in a fixed
number of queries whatever the length of the customer's history: its subscriptions' timelines,
the allocations of its latest payments, the journal events about it and what it owns, the audit
history of it and its documents, its notes, and the actions the user may take from there.

The parts below invoicing's (details, invoices, credit notes, usage, upcoming invoice) and the
parts payments and notifications add (cash, wallet, dunning, e-mails) are read by their own apps
(`invoicing.admin_customer.customer_overview`); this module reads what they do not show."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import CharField, Count, Exists, F, Model, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Cast, RowNumber
from django.urls import reverse
from pghistory.models import Events

from backoffice.bulk import ACTIONS
from backoffice.models import CustomerNote
from billing.models import (
    Customer,
    JournalEvent,
    Subscription,
    SubscriptionChange,
    SubscriptionPause,
    SubscriptionPriceMove,
)
from invoicing.admin_display import instant, money, short
from invoicing.models import CreditNote, Invoice, InvoiceStatus
from notifications.models import Notification
from payments.models import Allocation, Payment, PaymentMethod, PaymentState, Refund
from portal.models import PortalUser

SHOWN = 20  # rows of each list on the page; the rest are a "see all" link away
TIMELINE_SHOWN = 12  # changes and pauses per subscription
OPEN_STATES = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)  # what is still collected


# ---------------------------------------------------------------------------------------------
# subscriptions' timelines


def _ranked(rows: QuerySet[Any], order: Sequence[Any], limit: int) -> QuerySet[Any]:
    """At most `limit` rows per subscription (the latest by `order`), in one query."""
    ranked: QuerySet[Any] = rows.annotate(
        _rank=Window(RowNumber(), partition_by=[F("subscription_id")], order_by=list(order))
    ).filter(_rank__lte=limit)
    return ranked


def _change_text(change: SubscriptionChange) -> str:
    parts = []
    if change.applied_plan_version is not None:
        target = change.applied_plan_version.label
    elif change.new_plan is not None:
        target = change.new_plan.code
    else:
        target = ""
    source = change.from_plan_version.label if change.from_plan_version else "?"
    if target and target != source:  # a quantity change keeps the version: no "plan x → x"
        parts.append(f"plan {source} → {target}")
    if change.new_quantity is not None and change.new_quantity != change.from_quantity:
        parts.append(f"quantity {change.from_quantity} → {change.new_quantity}")
    text = f"{change.get_kind_display()}: {', '.join(parts) or 'no change'}"
    status = change.status
    if status != "applied":
        text += f" ({status})"
    if change.reason:
        text += f" — {change.reason}"
    return text


def _starting_versions(ids: Sequence[int]) -> dict[int, tuple[datetime, str]]:
    """subscription id -> (when, the label of the plan version it started on): the first
    change's `from_plan_version` (the version before any change; the timeline shows only the
    latest changes). One query for all the subscriptions (DISTINCT ON the subscription)."""
    first = (
        SubscriptionChange.objects.filter(subscription_id__in=list(ids))
        .exclude(from_plan_version=None)
        .select_related("from_plan_version__plan")
        .order_by("subscription_id", "id")
        .distinct("subscription_id")
    )
    return {
        c.subscription_id: (c.effective_at, c.from_plan_version.label)
        for c in first
        if c.from_plan_version
    }


def _price_moves(
    ids: Sequence[int],
) -> tuple[list[SubscriptionPriceMove], dict[int, SubscriptionPriceMove]]:
    """The latest TIMELINE_SHOWN price moves at renewals of each subscription, and each one's
    first (what it started on when it moved before any change). One query."""
    rows = (
        SubscriptionPriceMove.objects.filter(subscription_id__in=list(ids))
        .select_related("from_plan_version__plan", "to_plan_version__plan")
        .annotate(
            _latest=Window(
                RowNumber(),
                partition_by=[F("subscription_id")],
                order_by=[F("effective_at").desc(), F("id").desc()],
            ),
            _first=Window(
                RowNumber(),
                partition_by=[F("subscription_id")],
                order_by=[F("effective_at").asc(), F("id").asc()],
            ),
        )
        .filter(Q(_latest__lte=TIMELINE_SHOWN) | Q(_first=1))
    )
    shown: list[SubscriptionPriceMove] = []
    first: dict[int, SubscriptionPriceMove] = {}
    for move in rows:
        if move._latest <= TIMELINE_SHOWN:
            shown.append(move)
        if move._first == 1:
            first[move.subscription_id] = move
    return shown, first


def subscription_timelines(
    subscriptions: Iterable[Subscription], zone: str, as_of: datetime
) -> dict[int, list[dict[str, str]]]:
    """Each subscription's timeline, oldest first: start, trial, changes of plan or quantity
    (applied, scheduled or cancelled), price moves at renewals, pauses and resumptions,
    cancellation, end. Four queries (changes, the first change's version, price moves, pauses)
    for all the subscriptions, at most TIMELINE_SHOWN changes, moves and pauses per
    subscription (the latest)."""
    subs = list(subscriptions)
    ids = [s.pk for s in subs]
    events: dict[int, list[tuple[datetime, int, str]]] = {pk: [] for pk in ids}
    if not ids:
        return {}
    changes = _ranked(
        SubscriptionChange.objects.filter(subscription_id__in=ids).select_related(
            "from_plan_version__plan", "applied_plan_version__plan", "new_plan"
        ),
        [F("effective_at").desc(), F("id").desc()],
        TIMELINE_SHOWN,
    )
    for change in changes:
        events[change.subscription_id].append((change.effective_at, 2, _change_text(change)))
    first_version = _starting_versions(ids)
    moves, first_moves = _price_moves(ids)
    for move in moves:
        text = (
            f"price version {move.from_plan_version.label} → {move.to_plan_version.label} "
            "(at renewal)"
        )
        events[move.subscription_id].append((move.effective_at, 2, text))
    pauses = _ranked(
        SubscriptionPause.objects.filter(subscription_id__in=ids),
        [F("paused_at").desc(), F("id").desc()],
        TIMELINE_SHOWN,
    )
    for pause in pauses:
        events[pause.subscription_id].append((pause.paused_at, 3, "paused"))
        if pause.resumed_at is not None:
            events[pause.subscription_id].append((pause.resumed_at, 3, "resumed"))
    for sub in subs:
        own = events[sub.pk]
        started_on = sub.plan_version.label
        changed, moved = first_version.get(sub.pk), first_moves.get(sub.pk)
        if moved is not None and (changed is None or moved.effective_at < changed[0]):
            started_on = moved.from_plan_version.label  # it moved to a new version first
        elif changed is not None:
            started_on = changed[1]
        verb = "started" if sub.start_at <= as_of else "starts"
        own.append((sub.start_at, 0, f"{verb} on {started_on}"))
        if sub.trial_end is not None:
            own.append((sub.trial_end, 1, "trial ends"))
        if sub.cancel_requested_at is not None:
            own.append((sub.cancel_requested_at, 4, "cancellation requested"))
        if sub.canceled_at is not None:
            own.append((sub.canceled_at, 5, "canceled"))
        if sub.cancel_at_period_end and sub.ended_at is None:
            own.append((sub.current_period_end, 6, "ends at the period's end"))
        elif sub.ends_at is not None and sub.ended_at is None:
            own.append((sub.ends_at, 6, "ends (end date set)"))
        if sub.ended_at is not None:
            own.append((sub.ended_at, 7, "ended"))
    return {
        pk: [{"at": instant(at, zone), "what": what} for at, _, what in sorted(rows)]
        for pk, rows in events.items()
    }


# ---------------------------------------------------------------------------------------------
# payments' allocations


def payment_allocations(customer: Customer, zone: str) -> list[dict[str, str]]:
    """The latest allocations of the customer's payments to its invoices (also those taken
    back), one query."""
    rows = (
        Allocation.objects.filter(payment__customer=customer)
        .select_related("payment", "invoice")
        .order_by("-created_at", "-id")[:SHOWN]
    )
    return [
        {
            "payment": f"#{a.payment_id}",
            "payment_url": reverse("admin:payments_payment_change", args=[a.payment_id]),
            "invoice": a.invoice.number or f"draft #{a.invoice_id}",
            "invoice_url": reverse("admin:invoicing_invoice_change", args=[a.invoice_id]),
            "amount": money(a.amount, a.payment.currency),
            "at": instant(a.created_at, zone),
            "by": a.created_by,
            "taken_back": (
                f"{instant(a.unapplied_at, zone)} ({a.unapply_reason})" if a.unapplied_at else ""
            ),
        }
        for a in rows
    ]


# ---------------------------------------------------------------------------------------------
# the journal


def _ids(model: type[Model], **filters: Any) -> QuerySet[Any]:
    rows: QuerySet[Any] = model._default_manager.filter(**filters)
    found: QuerySet[Any] = rows.annotate(_id=Cast("pk", CharField())).values("_id")
    return found


def customer_journal_events(customer_id: int) -> QuerySet[JournalEvent]:
    """The journal's events about the customer (subject `customer`: its details, balance,
    wallet, dunning, notes...) and about what it owns (subscriptions, invoices, credit notes,
    payments, refunds, payment methods, e-mails, portal users), the latest first. Each subject
    is probed through the journal's (subject type, subject id) index."""
    owned: dict[str, QuerySet[Any]] = {
        "subscription": _ids(Subscription, customer_id=customer_id),
        "invoice": _ids(Invoice, customer_id=customer_id),
        "credit_note": _ids(CreditNote, invoice__customer_id=customer_id),
        "payment": _ids(Payment, customer_id=customer_id),
        "refund": _ids(Refund, payment__customer_id=customer_id),
        "payment_method": _ids(PaymentMethod, customer_id=customer_id),
        "notification": _ids(Notification, customer_id=customer_id),
        "portal_user": _ids(PortalUser, customer_id=customer_id),
    }
    q = Q(subject_type="customer", subject_id=str(customer_id))
    for subject_type, ids in owned.items():
        q |= Q(subject_type=subject_type, subject_id__in=ids)
    return JournalEvent.objects.filter(q).order_by("-id")


def journal_rows(events: Iterable[JournalEvent], zone: str) -> list[dict[str, str]]:
    return [
        {
            "id": str(e.pk),
            "url": reverse("admin:billing_journalevent_change", args=[e.pk]),
            "type": e.type,
            "subject": e.subject,
            "at": instant(e.occurred_at, zone),
            "actor": str(e.actor.get("label", "")),
        }
        for e in events
    ]


# ---------------------------------------------------------------------------------------------
# the audit history


def customer_audit_events(customer: Customer) -> Any:
    """pghistory's events of the customer and of every tracked row that references it (its
    subscriptions, invoices, balance transactions, coupon redemptions, entitlement overrides,
    notes...), the latest first: one query (a union over the event tables, each probed by its
    customer index)."""
    return Events.objects.references(customer).order_by("-pgh_created_at", "-pgh_id")


def _value(value: Any) -> str:
    return short("∅" if value is None else str(value), 60)


def audit_rows(events: Iterable[Any], zone: str, fields: int = 6) -> list[dict[str, Any]]:
    """Who changed what and why, each change's fields (at most `fields` of them)."""
    rows = []
    for event in events:
        context = event.pgh_context or {}
        who = context.get("actor") or (
            f"user #{context['user']}" if context.get("user") else "database (no context)"
        )
        if event.pgh_label == "insert":
            data = event.pgh_data or {}
            changes = [f"{k}: {_value(v)}" for k, v in sorted(data.items()) if v not in ("", None)]
        else:
            diff = event.pgh_diff or {}
            changes = [
                f"{k}: {_value(old)} → {_value(new)}" for k, (old, new) in sorted(diff.items())
            ]
        rows.append(
            {
                "at": instant(event.pgh_created_at, zone),
                "object": f"{event.pgh_obj_model.split('.')[-1]} #{event.pgh_obj_id}",
                "label": event.pgh_label,
                "who": who,
                "why": context.get("reason", ""),
                "changes": changes[:fields],
                "more": max(0, len(changes) - fields),
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# notes


def customer_notes(customer_id: int, limit: int = SHOWN) -> tuple[list[CustomerNote], int]:
    """The customer's latest notes and how many it has: one query."""
    rows = list(
        CustomerNote.objects.filter(customer_id=customer_id)
        .annotate(_total=Window(Count("id")))
        .order_by("-created_at", "-id")[:limit]
    )
    total = int(rows[0]._total) if rows else 0
    return list[CustomerNote](rows), total


def note_rows(notes: Iterable[CustomerNote], zone: str) -> list[dict[str, Any]]:
    return [
        {
            "id": n.pk,
            "body": n.body,
            "author": n.author_label or "unknown",
            "at": instant(n.created_at, zone),
            "edited": instant(n.updated_at, zone) if n.updated_at != n.created_at else "",
            "url": reverse("admin:backoffice_customernote_change", args=[n.pk]),
        }
        for n in notes
    ]


# ---------------------------------------------------------------------------------------------
# what to do next: open invoices whose automatic payment failed (a retry is offered)


def invoices_to_retry(customer_id: int, limit: int = 5) -> list[Invoice]:
    """Open or partially paid invoices with something due and a failed automatic payment: one
    query."""
    failed = Payment.objects.filter(invoice=OuterRef("pk"), state=PaymentState.FAILED)
    return list(
        Invoice.objects.filter(customer_id=customer_id, status__in=OPEN_STATES, amount_due__gt=0)
        .filter(Exists(failed))
        .order_by("due_at", "id")[:limit]
    )


@dataclass(frozen=True)
class Action:
    """A button or link of the page: `method` POST is a form posting to `url` (with the CSRF
    token), GET a link."""

    key: str
    label: str
    url: str
    permission: str
    method: str = "GET"
    group: str = "customer"


def story_actions(
    user: Any, customer: Customer, retry: Sequence[Invoice], archived: bool
) -> list[Action]:
    """The actions finance staff take from the page, each only when `user` holds the
    permission the view behind it asks for (view-only staff get none)."""
    pk = customer.pk
    q = f"?customer={pk}"
    candidates = [
        Action("new-draft-invoice", "New draft invoice",
               reverse("admin:invoicing_invoice_new_draft", args=[pk]),
               "invoicing.change_invoice", "POST", "invoices"),
        Action("record-payment-action", "Record a payment",
               reverse("admin:payments_payment_add") + q, "payments.add_payment", group="cash"),
        Action("grant-credit", "Grant credit",
               reverse("admin:payments_creditgrant_add") + q, "payments.add_creditgrant",
               group="cash"),
        Action("adjust-balance", "Adjust the credit balance",
               reverse("admin:billing_customerbalancetransaction_add") + q,
               "billing.add_customerbalancetransaction", group="cash"),
        Action("portal-invite", "Send a portal invitation",
               reverse("admin:portal_portaluser_add") + q, "portal.add_portaluser"),
        Action("add-note", "Add a note", "#story-notes", "backoffice.add_customernote"),
        Action("edit-customer", "Edit details", "#customer_form", "billing.change_customer"),
        Action(
            "unarchive-customer" if archived else "archive-customer",
            "Restore" if archived else "Archive",
            reverse("admin:billing_customer_archive", args=[pk]),
            "billing.change_customer", "POST",
        ),
    ]  # fmt: skip
    for invoice in retry:
        candidates.append(
            Action(
                f"retry-{invoice.pk}",
                f"Retry payment of {invoice.number}",
                reverse("admin:payments_retry_now", args=[invoice.pk]),
                "payments.add_payment",
                group="cash",
            )
        )
    return [a for a in candidates if user.has_perm(a.permission)]


# ---------------------------------------------------------------------------------------------
# the list's bulk actions for this one customer (backoffice/admin_bulk.py's confirmation pages)

REMIND_SHOWN = 100  # overdue invoices selected for the reminder (the form's fields stay few)


@dataclass(frozen=True)
class BulkButton:
    """A form posting the list action `action` for `selected` to the list `url`: the bulk
    action's confirmation page (nothing is done before it is confirmed there)."""

    key: str
    label: str
    url: str
    action: str
    selected: tuple[int, ...]


def _may_bulk(user: Any, name: str, model_perms: tuple[str, ...]) -> bool:
    """What the list and the action ask for: the list's view or change permission, and the
    action's permission."""
    return ACTIONS[name].allowed(user) and any(user.has_perm(p) for p in model_perms)


def bulk_buttons(user: Any, customer_id: int, as_of: datetime) -> list[BulkButton]:
    """*Apply unapplied cash* when the customer holds unapplied cash and owes on open invoices,
    *Send a payment reminder* when it has overdue open invoices (at `as_of`), each only for a
    user the bulk action is offered to: at most one query each."""
    buttons = []
    owing = Invoice.objects.filter(
        customer_id=customer_id, status__in=OPEN_STATES, amount_due__gt=0
    )
    if _may_bulk(user, "apply_cash", ("billing.view_customer", "billing.change_customer")):
        cash = Payment.objects.filter(
            customer_id=customer_id, state=PaymentState.SUCCEEDED, unapplied__gt=0
        )
        found = (
            Customer.objects.filter(pk=customer_id)
            .annotate(cash=Exists(cash), owing=Exists(owing))
            .values_list("cash", "owing")
            .first()
        )
        if found is not None and all(found):
            buttons.append(
                BulkButton(
                    "bulk-apply-cash",
                    "Apply unapplied cash (oldest first)…",
                    reverse("admin:billing_customer_changelist"),
                    "bulk_apply_cash",
                    (customer_id,),
                )
            )
    if _may_bulk(user, "remind", ("invoicing.view_invoice", "invoicing.change_invoice")):
        overdue = tuple(
            owing.filter(due_at__lt=as_of)
            .order_by("due_at", "id")
            .values_list("pk", flat=True)[:REMIND_SHOWN]
        )
        if overdue:
            buttons.append(
                BulkButton(
                    "bulk-remind",
                    "Send a payment reminder…",
                    reverse("admin:invoicing_invoice_changelist"),
                    "bulk_remind",
                    overdue,
                )
            )
    return buttons


def all_links(customer_id: int) -> dict[str, str]:
    """The filtered lists behind the page's capped lists."""
    changelist = "admin:{}_changelist"
    return {
        "allocations": reverse(changelist.format("payments_payment"))
        + f"?customer__id__exact={customer_id}",
        "notes": reverse(changelist.format("backoffice_customernote"))
        + f"?customer__id__exact={customer_id}",
        "journal": reverse("admin:billing_customer_journal", args=[customer_id]),
        "audit": reverse("admin:billing_customer_audit", args=[customer_id]),
        "subscriptions": reverse(changelist.format("billing_subscription"))
        + f"?customer__id__exact={customer_id}",
    }
