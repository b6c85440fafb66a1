"""Importing one customer's history from another system (issue 17, item 16): the customer, its
subscriptions started in the past and their changes, pauses, cancellations and end dates at past
instants, replayed in time order through the subscription services and billed up to now by the
billing clock's own writer, so that a team moving to us can compare the invoices.

The document (JSON; `import_validate` refuses anything else with 400 and the path of the field):

    {"key": "acme-2026-04",                      # the idempotency key (a retry does nothing)
     "customer": {"external_id": "acme", "name": "Acme", "currency": "USD", ...},
     "subscriptions": [
        {"plan": "starter", "start_at": "2026-01-20T00:00:00Z", "quantity": 1,
         "events": [
            {"type": "change", "at": "2026-03-06T00:00:00Z", "plan": "pro"},
            {"type": "cancel", "at": "2026-04-10T00:00:00Z"}]}]}

- `customer`: a new customer (the fields of `POST /customers/`, flat), created at the earliest
  start of its subscriptions; or an existing one given by `external_id` alone (a live customer,
  not a test clock's).
- a subscription: `plan` (code), `start_at` (in the past), `quantity`, `trial_days`,
  `billing_anchor`, `metadata`; or `{"subscription": <id>, "events": [...]}`, events for an
  existing subscription of that customer.
- events, in time order within their subscription, each at an instant `at` after the start and
  not in the future: `change` (`plan` and/or `quantity`, `when`: `now` (at `at`) or
  `period_end`, `prorate`), `pause`, `resume`, `cancel` (`at_period_end`, `prorate`), `end`
  (`ends_at`, on or after `at`). Every event may carry a `reason`.

Validation reads everything first and writes nothing: unknown plans, no price version in force
at an instant, instants out of order, in the future or before the start, transitions that cannot
happen (a resume without a pause, anything after a cancellation). An event on an existing
subscription whose instant lies in a period already billed on a finalized invoice is refused
with 409 `finalized_period` naming the invoice (issued documents never change), or before its
current period with 409 `before_current_period` (its history from there on is recorded).

The replay: every subscription's start and every event, in time order (a start before the
events at its instant), is done by the service that does it live (`subscription_create`,
`subscription_change`, `subscription_pause`, ...) with `as_of` set to its instant: for them the
instant is "now", so none of them needs a way around its refusal of past instants. Before each,
and at the end up to the import's `as_of` (now), the import's subscriptions are billed the way
the billing clock bills them: at every instant something falls due (a period end, a start, a
trial end, a scheduled change, an end date, a draft's grace period), the writer bills what is
due (`bill_locked`) and the drafts past their grace period that are complete are finalized at
that instant (`drafts_finalize_locked`): the invoices are dated, numbered and finalized as the
live clock would have done then (a test clock stops at the same instants: the same history
entered through the services with a test clock gives the same invoices). Only the import's
subscriptions and their drafts are billed and finalized. While the replay runs they are leased
(the live clock's leases) so that the live tick leaves them to it.

Options of the document (issue 17 item 16, follow-up):
- `notify` (default false): the journal events the replay writes carry `"imported": {"run",
  "key", "notify"}` in their payload (billing.journal.payload_marked, around the replay only);
  the notifications handler records no customer e-mail for those marked `"notify": false`
  (invoice finalized, receipt, credit note...). Webhooks are delivered as for any event (the
  journal is the truth), with the mark. `true`: the customer is e-mailed as live.
- `settle` (default `paid_outside`): every invoice the replay finalizes with something due is
  paid, in the transaction that finalizes it, by a manual payment received at that instant
  ("paid in the previous system", payments.services.cash), so neither collection nor dunning
  ever sees it due. `open`: they stay due; collection (an existing customer's default payment
  method) and dunning act on them as on any open invoice.
- A history is a fact: changes and cancellations are replayed with `override_policy` (a plan
  pair's change policy or a plan's cancellation policy that would time or refuse them
  otherwise is overridden, the change records `override`); the run's job result and its
  `import.completed` payload list each override (`policy_overrides`).
- A document that bills more periods than IMPORT_SYNC_MAX_STEPS is replayed by a Celery task
  (`invoicing.import_run`, the run's job queued until it starts): the API answers 202 with the
  run `running`; the same service either way (`import_run_queued` runs the task's body).

Each step is its own transaction (the services are): a replay that a service refuses halfway
leaves what it did, the run `failed` with the error and its path; the run is never resumed
(a retry with the same key returns it): fix the history and import it with a new key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min

from billing import journal, periods
from billing.enums import TERMINAL, ChangeStatus, ChangeTiming
from billing.models import Customer, Subscription, SubscriptionChange
from billing.services import journal_write
from billing.services.customers import CUSTOMER_FIELDS, customer_create, locked_customer
from billing.services.policies import cancel_policy_timing
from billing.services.subscriptions import (
    subscription_cancel,
    subscription_change,
    subscription_create,
    subscription_end,
    subscription_pause,
    subscription_resume,
)
from catalog.models import Plan
from catalog.selectors import NoPriceInForce, plan_version_at
from core.audit import Actor, audit_context
from core.exceptions import ApplicationError, Conflict, ValidationFailed
from core.jobs import Progress, job_create, tracked
from core.models import Job, JobStatus
from invoicing.models import BilledPeriod, ImportRun, ImportStatus, Invoice, InvoiceStatus
from invoicing.services.clock import drafts_finalize_locked, leases_claim, leases_release
from invoicing.services.writer import bill_locked, locked_subscriptions, totals_update

EVENT_TYPES = ("change", "pause", "resume", "cancel", "end")
LEASE = timedelta(hours=1)  # the live tick leaves the import's subscriptions alone this long
TASK_LEASE = timedelta(seconds=settings.EXPORT_TIME_LIMIT_SECONDS + 300)  # the task's replay
JOB_KIND = "import"
SETTLE = ("paid_outside", "open")
DEFAULTS: dict[str, Any] = {"notify": False, "settle": "paid_outside"}

_EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "change": ("plan", "quantity", "when", "prorate"),
    "pause": (),
    "resume": (),
    "cancel": ("at_period_end", "prorate"),
    "end": ("ends_at",),
}


# ------------------------------------------------------------------------------ the document


@dataclass(frozen=True)
class Action:
    """One step of the replay: a subscription's start (`event` None) or one of its events."""

    at: datetime
    sub: int  # the subscription's index in the document
    event: int  # the event's index, -1 for the start
    kind: str  # start, change, pause, resume, cancel, end
    path: str
    data: Mapping[str, Any]


@dataclass
class SubscriptionPlan:
    path: str
    plan: Plan | None = None
    version: str = ""
    start_at: datetime | None = None
    existing: Subscription | None = None
    data: dict[str, Any] = field(default_factory=dict)
    ends: datetime | None = None  # when it is canceled or ended, as far as the document says


@dataclass
class ImportPlan:
    """A validated document: what the replay will create and do, in time order."""

    key: str
    digest: str
    document: dict[str, Any]
    as_of: datetime
    customer: Customer | None  # an existing customer
    customer_data: dict[str, Any] | None  # a new one
    customer_at: datetime
    subscriptions: list[SubscriptionPlan]
    actions: list[Action]
    notify: bool = False  # e-mail the customer about what the replay produces
    settle: str = "paid_outside"  # or "open"

    def periods_billed(self) -> int:
        """The billing periods the replay bills up to now (its new subscriptions')."""
        return sum(len(self._periods(s)) for s in self.subscriptions if s.existing is None)

    def preview(self) -> dict[str, Any]:
        """What a run would create and do (the dry run's answer): the customer, the
        subscriptions with the periods the replay bills up to now, and the steps in order."""
        subs = []
        for sub in self.subscriptions:
            if sub.existing is not None:
                subs.append({"path": sub.path, "subscription": sub.existing.pk,
                             "plan": sub.existing.plan.code, "periods": []})  # fmt: skip
                continue
            assert sub.plan is not None
            assert sub.start_at is not None
            subs.append(
                {
                    "path": sub.path,
                    "plan": sub.plan.code,
                    "plan_version": sub.version,
                    "start_at": sub.start_at.isoformat(),
                    "quantity": sub.data.get("quantity", 1),
                    "periods": [
                        [p.start.isoformat(), p.end.isoformat()] for p in self._periods(sub)
                    ],
                }
            )
        return {
            "key": self.key,
            "as_of": self.as_of.isoformat(),
            "notify": self.notify,
            "settle": self.settle,
            "periods_billed": self.periods_billed(),
            "runs_in_background": self.periods_billed() > settings.IMPORT_SYNC_MAX_STEPS,
            "customer": {
                "external_id": self.customer.external_id
                if self.customer
                else (self.customer_data or {}).get("external_id"),
                "existing": self.customer is not None,
                "id": self.customer.pk if self.customer else None,
                "created_at": None if self.customer else self.customer_at.isoformat(),
            },
            "subscriptions": subs,
            "steps": [
                {"at": a.at.isoformat(), "action": a.kind, "path": a.path} for a in self.actions
            ],
        }

    def _periods(self, sub: SubscriptionPlan) -> list[periods.Period]:
        """The billing periods from its start (its first paid one) up to its end or now, by the
        anchor rule of `subscription_create` (a preview: the replay's periods are the
        subscription's own)."""
        assert sub.plan is not None
        assert sub.start_at is not None
        zone = self.customer.timezone if self.customer else self.customer_data_zone
        plan = sub.plan
        interval = periods.Interval(plan.interval_unit, plan.interval_count)
        start = sub.start_at
        days = sub.data.get("trial_days")
        if days is None:
            days = plan_version_at(plan=plan, at=start).trial_days
        if days:
            start = periods.local_midnight(periods.local_date(start, zone) + timedelta(days), zone)
        anchor = sub.data.get("billing_anchor")
        if anchor is None:
            anchor = (
                periods.calendar_anchor(start, interval, zone)
                if plan.calendar_aligned
                else periods.local_date(start, zone)
            )
        until = min(sub.ends or self.as_of, self.as_of)
        found: list[periods.Period] = []
        at = start
        while at < until and len(found) < 1000:
            period = periods.period_at(anchor, interval, at, zone)
            found.append(period)
            at = period.end
        return found

    @property
    def customer_data_zone(self) -> str:
        return str((self.customer_data or {}).get("timezone") or "UTC")


def document_digest(document: Mapping[str, Any]) -> str:
    """The document's digest, its options' defaults filled in (leaving `notify` out or giving
    its default is the same document)."""
    text = json.dumps({**DEFAULTS, **document}, sort_keys=True, separators=(",", ":"),
                      default=str)  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()


def _object(value: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
            ) -> dict[str, Any]:  # fmt: skip
    if not isinstance(value, dict):
        raise ValidationFailed("An object.", field=path or None, code="invalid")
    for key in value:
        if key not in allowed:
            where = f"{path}.{key}" if path else key
            raise ValidationFailed(f"Unknown field {key!r}.", field=where, code="unknown_field")
    for key in required:
        if value.get(key) in (None, ""):
            where = f"{path}.{key}" if path else key
            raise ValidationFailed("This field is required.", field=where, code="required")
    return value


def _instant(value: Any, path: str, as_of: datetime) -> datetime:
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None:
        raise ValidationFailed("An ISO 8601 instant.", field=path, code="invalid")
    if at.tzinfo is None:
        raise ValidationFailed("Give the instant with its UTC offset.", field=path, code="invalid")
    if at > as_of:
        raise ValidationFailed(
            f"{at.isoformat()} is in the future (the import bills up to {as_of.isoformat()}): "
            "an import replays the past; enter what comes later through the services.",
            field=path,
            code="in_future",
        )
    return at


def _int(value: Any, path: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationFailed(f"An integer of at least {minimum}.", field=path, code="invalid")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed("true or false.", field=path, code="invalid")
    return value


def _plan(code: Any, path: str, currency: str) -> Plan:
    plan = Plan.objects.filter(code=code).first() if isinstance(code, str) else None
    if plan is None:
        raise ValidationFailed(f"No plan with code {code!r}.", field=path, code="unknown_plan")
    if plan.archived_at is not None:
        raise ValidationFailed(f"Plan {plan.code} is archived.", field=path, code="archived")
    if plan.currency != currency:
        raise ValidationFailed(
            f"Plan {plan.code} is priced in {plan.currency}; the customer is billed in {currency}.",
            field=path,
            code="currency_mismatch",
        )
    return plan


def _version_label(plan: Plan, at: datetime, path: str) -> str:
    try:
        return plan_version_at(plan=plan, at=at).label
    except NoPriceInForce:
        raise ValidationFailed(
            f"Plan {plan.code} has no published price version in force at {at.isoformat()}.",
            field=path,
            code="no_price_in_force",
        ) from None


def import_validate(*, document: Any, as_of: datetime) -> ImportPlan:
    """Read the whole document and say what the replay would do, or refuse it (400 with the
    path of the field and the reason; 409 for a finalized period). Writes nothing."""
    doc = _object(document, "", ("key", "customer", "subscriptions", "notify", "settle"),
                  ("key", "customer", "subscriptions"))  # fmt: skip
    key = doc["key"]
    if not isinstance(key, str) or not 1 <= len(key) <= 100:
        raise ValidationFailed("A string of 1 to 100 characters.", field="key", code="invalid")
    notify = _bool(doc.get("notify", DEFAULTS["notify"]), "notify")
    settle = doc.get("settle", DEFAULTS["settle"])
    if settle not in SETTLE:
        raise ValidationFailed(f"One of {', '.join(SETTLE)}.", field="settle", code="invalid")
    customer, customer_data = _customer(doc["customer"])
    currency = customer.currency if customer else str((customer_data or {})["currency"]).upper()
    raw_subs = doc["subscriptions"]
    if not isinstance(raw_subs, list) or not raw_subs:
        raise ValidationFailed("A list of one subscription or more.", field="subscriptions",
                               code="required")  # fmt: skip
    subs: list[SubscriptionPlan] = []
    actions: list[Action] = []
    for i, raw in enumerate(raw_subs):
        sub, sub_actions = _subscription(raw, f"subscriptions[{i}]", i, customer, currency, as_of)
        subs.append(sub)
        actions += sub_actions
    starts = [s.start_at for s in subs if s.start_at is not None]
    customer_at = min(starts) if starts else as_of
    actions.sort(key=lambda a: (a.at, a.sub, a.event))
    return ImportPlan(
        key=key,
        digest=document_digest(doc),
        document=doc,
        as_of=as_of,
        customer=customer,
        customer_data=customer_data,
        customer_at=customer_at,
        subscriptions=subs,
        actions=actions,
        notify=notify,
        settle=str(settle),
    )


def _customer(raw: Any) -> tuple[Customer | None, dict[str, Any] | None]:
    data = _object(raw, "customer", CUSTOMER_FIELDS, ("external_id",))
    found = Customer.objects.filter(external_id=data["external_id"]).first()
    if found is not None:
        if set(data) != {"external_id"}:
            extra = sorted(set(data) - {"external_id"})[0]
            raise ValidationFailed(
                f"Customer {found.external_id!r} exists: give its external_id alone (its "
                "details are changed through the customers' API, not by an import).",
                field=f"customer.{extra}",
                code="customer_exists",
            )
        if found.test_clock_id is not None:
            raise ValidationFailed(
                "A test clock's customer is billed on its clock's time: an import replays "
                "history for live customers.",
                field="customer.external_id",
                code="test_customer",
            )
        if found.is_archived:
            raise ValidationFailed(f"Customer {found.external_id!r} is archived.",
                                   field="customer.external_id", code="archived")  # fmt: skip
        return found, None
    for name in ("name", "currency"):
        if not data.get(name):
            raise ValidationFailed("This field is required.", field=f"customer.{name}",
                                   code="required")  # fmt: skip
    probe = dict(data)
    if isinstance(probe.get("currency"), str):
        probe["currency"] = probe["currency"].upper()
    try:
        Customer(**probe).full_clean(exclude=["created_at", "updated_at"], validate_unique=False)
    except DjangoValidationError as exc:
        name, errors = next(iter(exc.message_dict.items()))
        where = "customer" if name == "__all__" else f"customer.{name}"
        raise ValidationFailed(errors[0], field=where, code="invalid") from None
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(str(exc), field="customer", code="invalid") from None
    return None, data


def _subscription(
    raw: Any, path: str, index: int, customer: Customer | None, currency: str, as_of: datetime
) -> tuple[SubscriptionPlan, list[Action]]:
    if isinstance(raw, dict) and "subscription" in raw:
        data = _object(raw, path, ("subscription", "events"), ("subscription", "events"))
        sub = _existing_subscription(data["subscription"], f"{path}.subscription", customer)
        plan_now, start = sub.plan, sub.start_at
        result = SubscriptionPlan(path=path, existing=sub, data=data)
        actions: list[Action] = []
    else:
        allowed = ("plan", "start_at", "quantity", "trial_days", "billing_anchor", "metadata",
                   "events")  # fmt: skip
        data = _object(raw, path, allowed, ("plan", "start_at"))
        plan_now = _plan(data["plan"], f"{path}.plan", currency)
        start = _instant(data["start_at"], f"{path}.start_at", as_of)
        version = _version_label(plan_now, start, f"{path}.plan")
        if "quantity" in data:
            _int(data["quantity"], f"{path}.quantity", 1)
        if data.get("trial_days") is not None:
            _int(data["trial_days"], f"{path}.trial_days", 0)
        if data.get("billing_anchor") is not None:
            try:
                data = {**data, "billing_anchor": date.fromisoformat(data["billing_anchor"])}
            except (TypeError, ValueError):
                raise ValidationFailed("A date (YYYY-MM-DD).", field=f"{path}.billing_anchor",
                                       code="invalid") from None  # fmt: skip
        if "metadata" in data and not isinstance(data["metadata"], dict):
            raise ValidationFailed("An object.", field=f"{path}.metadata", code="invalid")
        result = SubscriptionPlan(path=path, plan=plan_now, version=version, start_at=start,
                                  data=data)  # fmt: skip
        actions = [Action(start, index, -1, "start", path, data)]
        sub = None
    events = data.get("events", [])
    if not isinstance(events, list):
        raise ValidationFailed("A list of events.", field=f"{path}.events", code="invalid")
    state = "paused" if sub is not None and sub.status == "paused" else "active"
    pending_cancel = bool(sub is not None and sub.cancel_at_period_end)
    last = start
    for j, event in enumerate(events):
        where = f"{path}.events[{j}]"
        kind = event.get("type") if isinstance(event, dict) else None
        if kind not in EVENT_TYPES:
            raise ValidationFailed(f"type is one of {', '.join(EVENT_TYPES)}.",
                                   field=f"{where}.type", code="invalid")  # fmt: skip
        ev = _object(event, where, ("type", "at", "reason", *_EVENT_FIELDS[kind]), ("at",))
        at = _instant(ev["at"], f"{where}.at", as_of)
        if at < start:
            raise ValidationFailed(
                f"{at.isoformat()} is before the subscription's start ({start.isoformat()}).",
                field=f"{where}.at",
                code="before_start",
            )
        if at < last:
            raise ValidationFailed(
                f"{at.isoformat()} comes before the previous event ({last.isoformat()}): give "
                "a subscription's events in time order.",
                field=f"{where}.at",
                code="out_of_order",
            )
        if result.ends is not None and at >= result.ends:
            raise ValidationFailed(
                f"The subscription ends at {result.ends.isoformat()}: nothing happens to it "
                "after that.",
                field=f"{where}.at",
                code="after_end",
            )
        last = at
        if "reason" in ev and not isinstance(ev["reason"], str):
            raise ValidationFailed("A string.", field=f"{where}.reason", code="invalid")
        if sub is not None:
            _check_existing(sub, at, f"{where}.at")
        if kind == "change":
            if ev.get("plan") is None and ev.get("quantity") is None:
                raise ValidationFailed("Give a new plan or a new quantity.",
                                       field=f"{where}.plan", code="required")  # fmt: skip
            if ev.get("quantity") is not None:
                _int(ev["quantity"], f"{where}.quantity", 1)
            if ev.get("when", "now") not in ("now", "period_end"):
                raise ValidationFailed("now or period_end.", field=f"{where}.when",
                                       code="invalid")  # fmt: skip
            if "prorate" in ev:
                _bool(ev["prorate"], f"{where}.prorate")
            if ev.get("plan") is not None:
                new_plan = _plan(ev["plan"], f"{where}.plan", currency)
                if (new_plan.interval_unit, new_plan.interval_count) != (
                    plan_now.interval_unit, plan_now.interval_count,
                ):  # fmt: skip
                    raise ValidationFailed(
                        f"Plan {new_plan.code} is billed on another interval than "
                        f"{plan_now.code}: cancel and start a new subscription instead.",
                        field=f"{where}.plan",
                        code="interval_mismatch",
                    )
                if ev.get("when", "now") == "now":
                    _version_label(new_plan, at, f"{where}.plan")
                plan_now = new_plan
        elif kind == "pause":
            if state != "active":
                raise ValidationFailed("Only a running subscription can be paused.",
                                       field=f"{where}.type", code="transition")  # fmt: skip
            state = "paused"
        elif kind == "resume":
            if state != "paused":
                raise ValidationFailed("Only a paused subscription can be resumed.",
                                       field=f"{where}.type", code="transition")  # fmt: skip
            state = "active"
        elif kind == "cancel":
            at_end = _bool(ev.get("at_period_end", False), f"{where}.at_period_end")
            if "prorate" in ev:
                _bool(ev["prorate"], f"{where}.prorate")
            if at_end:
                if pending_cancel:
                    raise ValidationFailed("A cancellation at period end is already pending.",
                                           field=f"{where}.type", code="transition")  # fmt: skip
                pending_cancel = True
            else:
                result.ends = at
        elif kind == "end":
            ends_at = _end_instant(ev.get("ends_at"), f"{where}.ends_at")
            if ends_at < at:
                raise ValidationFailed("ends_at is on or after the event's instant.",
                                       field=f"{where}.ends_at", code="invalid")  # fmt: skip
            result.ends = ends_at
        actions.append(Action(at, index, j, str(kind), where, ev))
    return result, actions


def _end_instant(value: Any, path: str) -> datetime:
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise ValidationFailed("An ISO 8601 instant with its UTC offset.", field=path,
                               code="invalid")  # fmt: skip
    return at


def _existing_subscription(value: Any, path: str, customer: Customer | None) -> Subscription:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed("A subscription's id.", field=path, code="invalid")
    sub = (
        Subscription.objects.select_related("customer", "plan", "plan_version__plan")
        .filter(pk=value)
        .first()
    )
    if sub is None or customer is None or sub.customer_id != customer.pk:
        raise ValidationFailed(f"The customer has no subscription with id {value}.", field=path,
                               code="not_found")  # fmt: skip
    if sub.status in TERMINAL:
        raise ValidationFailed(f"Subscription #{sub.pk} is {sub.status}.", field=path,
                               code="transition")  # fmt: skip
    return sub


def _check_existing(sub: Subscription, at: datetime, path: str) -> None:
    """An event on an existing subscription: never inside a period billed on a finalized
    invoice (issued documents never change: 409 naming it), never before its current period
    (what it did since is recorded, 409)."""
    billed = (
        BilledPeriod.objects.filter(
            subscription=sub, period_start__lte=at, period_end__gt=at, invoice__isnull=False
        )
        .exclude(invoice__status=InvoiceStatus.DRAFT)
        .select_related("invoice")
        .order_by("period_start")
        .first()
    )
    if billed is not None and billed.invoice is not None:
        raise Conflict(
            f"{at.isoformat()} lies in the period {billed.period_start.isoformat()} - "
            f"{billed.period_end.isoformat()} of subscription #{sub.pk}, billed on invoice "
            f"{billed.invoice.number}, which is finalized: issued documents never change (a "
            "credit note or a correction does it).",
            field=path,
            code="finalized_period",
        )
    if at < sub.current_period_start:
        raise Conflict(
            f"Subscription #{sub.pk} is in its period from "
            f"{sub.current_period_start.isoformat()}: its history before that is recorded.",
            field=path,
            code="before_current_period",
        )


# --------------------------------------------------------------------------------- the run


def import_start(*, plan: ImportPlan, actor: Actor, as_of: datetime) -> tuple[ImportRun, bool]:
    """The run of this key: a new one (`running`, True), or the one that exists (False) when
    its document is the same; another document under a used key is refused (409)."""
    try:
        with transaction.atomic(durable=True), audit_context(actor=actor, reason="import"):
            found = ImportRun.objects.select_for_update().filter(key=plan.key).first()
            if found is None:
                run = ImportRun.objects.create(
                    key=plan.key,
                    digest=plan.digest,
                    document=plan.document,
                    status=ImportStatus.RUNNING,
                    customer=plan.customer,
                    steps=len(plan.actions),
                    billed_until=plan.as_of,
                    actor=actor.label[:255],
                    created_at=as_of,
                )
                return run, True
    except IntegrityError:  # the same key started at the same moment by another request
        found = ImportRun.objects.get(key=plan.key)
    return _same_document(found, plan.digest, plan.key), False


def _same_document(run: ImportRun, digest: str, key: str) -> ImportRun:
    if run.digest != digest:
        raise Conflict(
            f"The key {key!r} was used by another import (#{run.pk}) with another document: "
            "use a new key.",
            field="key",
            code="import_key_reused",
        )
    return run


def import_run(*, document: Any, actor: Actor, as_of: datetime) -> ImportRun:
    """Validate the document, then (once per key) replay and bill it up to `as_of` (see the
    module's note), as a job (core.jobs: the jobs page shows its steps done). Returns the run
    (an existing one unchanged for a key already used with the same document). A refusal
    during the replay leaves the run `failed` (`import.failed`) and is raised.

    A document billing more than IMPORT_SYNC_MAX_STEPS periods is queued instead: its job is
    created queued and the task `invoicing.import_run` replays it (`import_run_queued`); the
    run is returned `running`, nothing replayed yet."""
    key = document.get("key") if isinstance(document, dict) else None
    if isinstance(key, str):  # a retry: checked against the run, not the database it changed
        done = ImportRun.objects.filter(key=key).first()
        if done is not None:
            return _same_document(done, document_digest(document), key)
    plan = import_validate(document=document, as_of=as_of)
    run, new = import_start(plan=plan, actor=actor, as_of=as_of)
    if not new:
        return run
    if plan.periods_billed() > settings.IMPORT_SYNC_MAX_STEPS:
        return _enqueue(run, plan, actor, as_of)
    return _execute(run, plan, actor, job_id=None)


def _enqueue(run: ImportRun, plan: ImportPlan, actor: Actor, as_of: datetime) -> ImportRun:
    with transaction.atomic(durable=True):
        job = job_create(
            kind=JOB_KIND,
            label=f"import {plan.key}",
            actor=actor.label,
            params={"import": run.pk},
            total=len(plan.actions),
            as_of=as_of,
        )
        ImportRun.objects.filter(pk=run.pk).update(job=job)
        transaction.on_commit(partial(_send_task, run.pk, actor), robust=True)
    run.job = job
    return run


def _send_task(run_id: int, actor: Actor) -> None:
    from invoicing.tasks import import_run_task

    import_run_task.delay(run_id=run_id, actor=actor.as_dict())


def import_run_queued(*, run_id: int, actor: Actor, as_of: datetime) -> ImportRun | None:
    """The task's body: replay a queued run (its document validated again, at the instant the
    run bills up to, against the database as it is now; `as_of`, when the task runs, dates the
    leases that keep the live tick away). A task delivered again, whose run's job has left
    `queued`, does nothing (None)."""
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or run.job_id is None or run.status != ImportStatus.RUNNING:
        return None
    if not Job.objects.filter(pk=run.job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING
    ):
        return None  # claimed by another delivery (one statement: one of them wins)
    try:
        plan = import_validate(document=run.document, as_of=run.billed_until)
    except BaseException as exc:  # the database changed since it was queued: the run fails
        error = [f"{type(exc).__name__}: {exc}"]
        Job.objects.filter(pk=run.job_id).update(status=JobStatus.FAILED, errors=error)
        _finish(_Replay(run=run, plan=None, actor=actor), error=exc)
        if isinstance(exc, ApplicationError):
            return ImportRun.objects.get(pk=run.pk)
        raise
    try:
        return _execute(run, plan, actor, job_id=run.job_id, lease=(as_of, TASK_LEASE))
    except ApplicationError:  # a service's refusal: the run is failed with it, nothing to retry
        return ImportRun.objects.get(pk=run.pk)


def _execute(
    run: ImportRun,
    plan: ImportPlan,
    actor: Actor,
    job_id: int | None,
    lease: tuple[datetime, timedelta] | None = None,
) -> ImportRun:
    r = _Replay(run=run, plan=plan, actor=actor, lease=lease or (plan.as_of, LEASE))
    try:
        with tracked(kind=JOB_KIND, label=f"import {plan.key}", actor=actor.label,
                     total=len(plan.actions), params={"import": run.pk},
                     job_id=job_id) as progress:  # fmt: skip
            ImportRun.objects.filter(pk=run.pk).update(job_id=progress.job_id)
            run.job_id = progress.job_id
            marks = {"run": run.pk, "key": plan.key, "notify": plan.notify}
            with journal.payload_marked(imported=marks):
                _replay(r, progress)
    except BaseException as exc:  # a refusal, a time limit, a bug: recorded on the run, raised
        _finish(r, error=exc)
        raise
    return _finish(r, error=None)


@dataclass
class _Replay:
    run: ImportRun
    plan: ImportPlan | None  # None: a queued run whose document no longer validates
    actor: Actor
    customer_id: int = 0
    subs: dict[int, int] = field(default_factory=dict)  # document index -> subscription id
    at: datetime | None = None  # billed up to
    invoices: set[int] = field(default_factory=set)  # the drafts its billing wrote to
    overrides: list[dict[str, Any]] = field(default_factory=list)  # policies overridden
    lease: tuple[datetime, timedelta] | None = None  # (from, for how long) the leases hold

    @property
    def token(self) -> str:
        return f"import:{self.run.pk}"

    @property
    def reason(self) -> str:
        return f"import {self.run.key}"


def _replay(r: _Replay, progress: Progress) -> None:
    run, plan, actor = r.run, r.plan, r.actor
    assert plan is not None
    if plan.customer is not None:
        r.customer_id = plan.customer.pk
    else:
        assert plan.customer_data is not None
        customer = customer_create(
            actor=actor, as_of=plan.customer_at, data=plan.customer_data, reason=r.reason
        )
        r.customer_id = customer.pk
        ImportRun.objects.filter(pk=run.pk).update(customer=customer)
    for index, sub in enumerate(plan.subscriptions):
        if sub.existing is not None:
            r.subs[index] = sub.existing.pk
    _lease(r)
    for action in plan.actions:
        _bill_until(r, action.at)
        _apply(r, action)
        _lease(r)
        _bill_at(r, action.at)  # what the action made due at its instant (a first fee)
        ImportRun.objects.filter(pk=run.pk).update(done=run.done + 1)
        run.done += 1
        progress.advance(1)
    _bill_until(r, plan.as_of)


def _apply(r: _Replay, a: Action) -> None:
    d, at, actor, reason = a.data, a.at, r.actor, str(a.data.get("reason") or r.reason)
    try:
        assert r.plan is not None
        if a.kind == "start":
            plan = r.plan.subscriptions[a.sub].plan
            assert plan is not None
            sub = subscription_create(
                customer_id=r.customer_id,
                plan_id=plan.pk,
                actor=actor,
                as_of=at,
                start_at=at,
                quantity=d.get("quantity", 1),
                trial_days=d.get("trial_days"),
                billing_anchor=d.get("billing_anchor"),
                metadata=d.get("metadata"),
                reason=reason,
            )
            r.subs[a.sub] = sub.pk
            r.run.subscriptions.add(sub)
            return
        sid = r.subs[a.sub]
        if a.kind == "change":
            new_plan = Plan.objects.get(code=d["plan"]).pk if d.get("plan") else None
            change = subscription_change(
                subscription_id=sid,
                actor=actor,
                as_of=at,
                plan_id=new_plan,
                quantity=d.get("quantity"),
                when=d.get("when", "now"),
                prorate=d.get("prorate", True),
                reason=reason,
                override_policy=True,  # a history is a fact: replayed as it happened
            )
            if change.timing == ChangeTiming.OVERRIDE:
                _overridden(r, a, change.policy, f"change #{change.pk}")
        elif a.kind == "pause":
            subscription_pause(subscription_id=sid, actor=actor, as_of=at, reason=reason)
        elif a.kind == "resume":
            subscription_resume(subscription_id=sid, actor=actor, as_of=at, reason=reason)
        elif a.kind == "cancel":
            at_end = bool(d.get("at_period_end", False))
            current = Subscription.objects.select_related("plan").get(pk=sid)
            timing = cancel_policy_timing(current, at_end, override=True, reason=reason)[1]
            subscription_cancel(
                subscription_id=sid,
                actor=actor,
                as_of=at,
                at_period_end=at_end,
                prorate=d.get("prorate", True),
                reason=reason,
                override_policy=True,  # a history is a fact: replayed as it happened
            )
            if timing.rule == ChangeTiming.OVERRIDE:
                _overridden(r, a, timing.policy, f"cancellation of #{sid}")
        elif a.kind == "end":
            subscription_end(
                subscription_id=sid,
                actor=actor,
                as_of=at,
                ends_at=datetime.fromisoformat(d["ends_at"]),
                reason=reason,
                override_policy=True,  # a history is a fact: replayed as it happened
            )
    except ApplicationError as exc:
        # the service's own field, under the event's path
        exc.field = f"{a.path}.{exc.field}" if exc.field else a.path
        raise


def _overridden(r: _Replay, a: Action, policy: str, what: str) -> None:
    r.overrides.append({"path": a.path, "at": a.at.isoformat(), "action": a.kind,
                        "policy": policy, "what": what})  # fmt: skip


def _lease(r: _Replay) -> None:
    """Keep the live tick from the import's subscriptions and drafts while it replays them."""
    assert r.lease is not None
    now, hold = r.lease
    leases_claim("subscription", list(r.subs.values()), token=r.token, as_of=now,
                 expires_at=now + hold)  # fmt: skip
    leases_claim("invoice", _drafts(r), token=r.token, as_of=now, expires_at=now + hold)


def _drafts(r: _Replay) -> list[int]:
    return list(
        Invoice.objects.filter(
            status=InvoiceStatus.DRAFT,
            customer_id=r.customer_id,
            billed_periods__subscription__in=list(r.subs.values()),
        )
        .distinct()
        .values_list("pk", flat=True)
    )


def _next_due(r: _Replay, after: datetime, until: datetime) -> datetime:
    """The first instant in (after, until) something of the import's subscriptions falls due
    (as a test clock's advance finds it), else `until`."""
    ids = list(r.subs.values())
    window = {"gt": after, "lt": until}

    def first(qs: Any, name: str) -> datetime | None:
        found: datetime | None = qs.filter(
            **{f"{name}__{op}": v for op, v in window.items()}
        ).aggregate(m=Min(name))["m"]
        return found

    subs = Subscription.objects.filter(pk__in=ids).exclude(status__in=TERMINAL)
    due = [
        first(subs, "current_period_end"),
        first(subs.filter(status="pending"), "start_at"),
        first(subs, "trial_end"),
        first(subs, "ends_at"),
        first(
            SubscriptionChange.objects.filter(subscription__in=ids, status=ChangeStatus.SCHEDULED),
            "effective_at",
        ),
        first(Invoice.objects.filter(pk__in=_drafts(r)), "grace_until"),
    ]
    return min([until, *[d for d in due if d is not None]])


def _bill_until(r: _Replay, until: datetime) -> None:
    """Bill the import's subscriptions up to `until` as the clock would have: at each instant
    something falls due, bill what is due and finalize the complete drafts past their grace
    period (the clock's chunk: `invoicing.services.clock._bill_and_finalize`, for these
    subscriptions and their drafts only)."""
    if not r.subs or r.at is None:
        r.at = until
        return
    at = r.at
    for _ in range(100_000):  # bounded: every instant moves forward
        step = _next_due(r, at, until) if at < until else until
        _bill_at(r, step)
        at = step
        if at >= until:
            break
    r.at = until


def _bill_at(r: _Replay, at: datetime) -> None:
    with transaction.atomic(durable=True), audit_context(actor=r.actor, reason=r.reason):
        subs = locked_subscriptions(list(r.subs.values()))
        billing = bill_locked(subs, as_of=at, actor=r.actor, totals=False)
        r.invoices |= billing.drafts
        finalized = drafts_finalize_locked(
            customer_ids={r.customer_id}, as_of=at, actor=r.actor, invoice_ids=_drafts(r)
        )
        totals_update([d for d in billing.touched if d.pk not in finalized], at)
        assert r.plan is not None
        if finalized and r.plan.settle == "paid_outside":
            _paid_outside(r, finalized, at)


# Paying an invoice is the payments app's (a layer above): it registers how an invoice paid in
# the previous system is settled (payments.services.cash.paid_outside), called with the customer
# locked, the invoices, the instant, the import's key and the actor, in the caller's transaction.
SettleOutside = Callable[[Customer, Sequence[Invoice], datetime, str, Actor], None]
_settle_outside: list[SettleOutside] = []


def register_settle_outside(func: SettleOutside) -> None:
    if func not in _settle_outside:
        _settle_outside.append(func)


def _paid_outside(r: _Replay, invoice_ids: set[int], at: datetime) -> None:
    """Each invoice just finalized with something due is paid by a manual payment received
    at its finalization ("paid in the previous system"), in the finalization's transaction:
    collection and dunning never see it due. The customer is locked (first) already."""
    assert r.plan is not None
    if not _settle_outside:
        raise ImproperlyConfigured("No settlement registered for imported invoices (payments).")
    customer = locked_customer(r.customer_id)
    due = list(
        Invoice.objects.select_for_update()
        .filter(pk__in=sorted(invoice_ids), status=InvoiceStatus.OPEN, amount_due__gt=0)
        .order_by("billing_date", "pk")
    )
    for func in _settle_outside:
        func(customer, due, at, r.plan.key, r.actor)


def _finish(r: _Replay, *, error: BaseException | None) -> ImportRun:
    actor = r.actor
    ids = list(r.subs.values())
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="import"):
        run = ImportRun.objects.select_for_update().get(pk=r.run.pk)
        run.invoices.set(sorted(r.invoices))
        run.finished_at = run.billed_until
        if error is None:
            run.status = ImportStatus.SUCCEEDED
        else:
            run.status = ImportStatus.FAILED
            run.error = str(error)[:4000] or type(error).__name__
            run.error_field = (getattr(error, "field", None) or "")[:255]
            run.error_code = str(getattr(error, "code", "") or type(error).__name__)[:64]
        run.save()
        if run.job_id is not None:  # what the run overrode, kept with its job
            result = {
                "policy_overrides": r.overrides,
                "settle": import_option(run, "settle"),
                "notify": import_option(run, "notify"),
            }
            Job.objects.filter(pk=run.job_id).update(result=result)
        journal_write(
            type="import.completed" if error is None else "import.failed",
            subject_type="import",
            subject_id=run.pk,
            payload={"import": import_payload(run)},
            actor=actor,
            occurred_at=run.billed_until,
        )
    leases_release("subscription", ids, token=r.token)
    leases_release("invoice", sorted(r.invoices), token=r.token)
    return run


def import_option(run: ImportRun, name: str) -> Any:
    return run.document.get(name, DEFAULTS[name]) if isinstance(run.document, dict) else None


def policy_overrides(run: ImportRun) -> list[dict[str, Any]]:
    """The policies the run's replay overrode (its job's result)."""
    result = run.job.result if run.job_id is not None and run.job is not None else None
    found = (result or {}).get("policy_overrides", []) if isinstance(result, dict) else []
    return list(found)


def import_payload(run: ImportRun) -> dict[str, Any]:
    invoices = list(run.invoices.order_by("billing_date", "pk"))
    return {
        "id": run.pk,
        "key": run.key,
        "status": run.status,
        "customer": run.customer_id,
        "subscriptions": sorted(run.subscriptions.values_list("pk", flat=True)),
        "invoices": [
            {
                "id": i.pk,
                "number": i.number,
                "status": i.status,
                "total": str(i.total),
                "currency": i.currency,
                "billing_date": i.billing_date.isoformat(),
            }
            for i in invoices
        ],
        "steps": run.steps,
        "done": run.done,
        "notify": import_option(run, "notify"),
        "settle": import_option(run, "settle"),
        "policy_overrides": policy_overrides(run),
        "error": run.error,
        "error_field": run.error_field,
    }
