"""Payouts: payees, their payout methods and customers, schedules, and what staff do to a payout
(cancel, retry now, run a schedule to date). The clock's side — payouts created for ended
periods, sent through the gateway exactly once, answers recorded, retries and the reconciler —
is in payments/services/payouts_run.py.

Every service is one durable transaction with its audit context and journal event. Locks: the
payee, then its schedule, then the payout.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import IntegrityError, transaction

from billing import periods
from billing.models import Customer, LedgerAccount
from billing.services import journal_write, journal_write_many, ledger_post_many
from catalog.money import UnknownCurrencyError, get_currency, quantize
from core.audit import Actor, audit_context
from core.exceptions import Conflict, NotFound, TransitionNotAllowed, ValidationFailed
from invoicing.clock_hooks import register_tick_hook
from invoicing.services.drafts import MAX_INVOICE_TOTAL
from payments.gateways.base import GatewayError
from payments.gateways.sandbox import behaviour_of
from payments.models.payouts import (
    PAYOUT_TRANSITIONS,
    AmountKind,
    Payee,
    PayeeCustomer,
    PayeeState,
    Payout,
    PayoutGateway,
    PayoutMethod,
    PayoutMethodState,
    PayoutSchedule,
    PayoutState,
)
from payments.services.payouts_run import (
    CLOCK_HOOK,
    executions_schedule,
    payout_event,
    payout_posting,
    payouts_create_due,
    payouts_create_ended,
    payouts_due,
    schedule_period,
)

PAYEE_FIELDS = ("external_id", "name", "email", "currency", "timezone")
PAYEE_UPDATE_FIELDS = ("name", "email")
SCHEDULE_UPDATE_FIELDS = ("fixed_amount", "percentage", "active")
# The longest interval of each unit: a day to a year in days, up to a year in weeks, two years
# in months, five years in years (longer periods are not a payout schedule).
MAX_INTERVAL_COUNT = {"day": 366, "week": 52, "month": 24, "year": 5}
MAX_ANCHOR_AGE = timedelta(days=366)  # how far back a schedule's anchor may be
MAX_ANCHOR_AHEAD = timedelta(days=366)  # how far ahead


def _event(kind: str, subject: str, pk: int, payload: Mapping[str, Any], actor: Actor,
           as_of: datetime) -> None:  # fmt: skip
    journal_write(
        type=kind, subject_type=subject, subject_id=pk, payload=payload, actor=actor,
        occurred_at=as_of,
    )  # fmt: skip


def _required(value: Any, field: str) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValidationFailed("This field is required.", field=field, code="required")
    return text


def _payee_payload(payee: Payee) -> dict[str, Any]:
    return {
        "payee": payee.external_id, "name": payee.name, "email": payee.email,
        "currency": payee.currency, "timezone": payee.timezone, "state": payee.state,
    }  # fmt: skip


def locked_payee(payee_id: int, *, field: str = "payee") -> Payee:
    payee = Payee.objects.select_for_update().filter(pk=payee_id).first()
    if payee is None:
        raise NotFound(f"No payee with id {payee_id}.", field=field)
    return payee


# ---------------------------------------------------------------------------------------------
# payees


def payee_create(
    *, data: Mapping[str, Any], actor: Actor, as_of: datetime, reason: str = ""
) -> Payee:
    """A payee: external id (unique), name, e-mail, currency (ISO 4217) and time zone."""
    unknown = sorted(set(data) - set(PAYEE_FIELDS))
    if unknown:
        raise ValidationFailed(f"Unknown payee field {unknown[0]!r}.", field=unknown[0])
    external_id = _required(data.get("external_id"), "external_id")
    name = _required(data.get("name"), "name")
    try:
        currency = get_currency(_required(data.get("currency"), "currency")).code
    except UnknownCurrencyError:
        raise ValidationFailed(
            f"Unknown currency {data.get('currency')!r}.", field="currency", code="invalid_choice"
        ) from None
    zone = str(data.get("timezone") or "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            f"Unknown time zone {zone!r}.", field="timezone", code="invalid_choice"
        ) from None
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        if Payee.objects.filter(external_id=external_id).exists():
            raise ValidationFailed(
                f"A payee {external_id!r} exists already.", field="external_id", code="unique"
            )
        payee = Payee.objects.create(
            external_id=external_id, name=name, email=str(data.get("email") or ""),
            currency=currency, timezone=zone, created_at=as_of, updated_at=as_of,
        )  # fmt: skip
        _event("payee.created", "payee", payee.pk, _payee_payload(payee), actor, as_of)
    return payee


def payee_update(
    *, payee_id: int, changes: Mapping[str, Any], actor: Actor, as_of: datetime, reason: str = ""
) -> Payee:
    """Change a payee's name or e-mail (its currency and zone decide its payouts: fixed)."""
    for key in changes:
        if key not in PAYEE_UPDATE_FIELDS:
            raise ValidationFailed(
                f"{key!r} cannot be changed (only {', '.join(PAYEE_UPDATE_FIELDS)}).",
                field=key,
                code="read_only",
            )
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        payee = locked_payee(payee_id)
        if "name" in changes:
            payee.name = _required(changes["name"], "name")
        if "email" in changes:
            payee.email = str(changes["email"] or "")
        payee.updated_at = as_of
        payee.save(update_fields=["name", "email", "updated_at"])
        _event("payee.updated", "payee", payee.pk, _payee_payload(payee), actor, as_of)
    return payee


def payee_archive(*, payee_id: int, actor: Actor, as_of: datetime, reason: str = "") -> Payee:
    """Archive a payee: the payouts of its periods ended by `as_of` are created first (as the
    clock would), then its schedules stop (payouts made stay, to pay or cancel)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        payee = locked_payee(payee_id)
        if payee.state == PayeeState.ARCHIVED:
            raise TransitionNotAllowed("The payee is archived already.", field="payee")
        schedules = list(
            PayoutSchedule.objects.select_for_update()
            .filter(payee=payee, active=True)
            .order_by("pk")
        )
        for schedule in schedules:
            schedule.payee = payee
        payouts_create_ended(schedules, as_of=as_of, actor=actor)
        payee.state, payee.archived_at, payee.updated_at = PayeeState.ARCHIVED, as_of, as_of
        payee.save(update_fields=["state", "archived_at", "updated_at"])
        for schedule in schedules:
            schedule.active, schedule.switched_off_at, schedule.updated_at = False, as_of, as_of
            schedule.save(update_fields=["active", "switched_off_at", "updated_at"])
        _event("payee.archived", "payee", payee.pk, _payee_payload(payee), actor, as_of)
    return payee


# ---------------------------------------------------------------------------------------------
# payout methods


def _method_payload(method: PayoutMethod) -> dict[str, Any]:
    return {
        "payout_method": method.pk, "payee": method.payee.external_id, "gateway": method.gateway,
        "label": method.label, "is_default": method.is_default, "state": method.state,
    }  # fmt: skip


def payout_method_add(
    *,
    payee_id: int,
    gateway: str,
    token: str,
    label: str = "",
    actor: Actor,
    as_of: datetime,
    reason: str = "",
) -> PayoutMethod:
    """Where a payee is paid: a sandbox token (its payout outcomes: payments/gateways/sandbox.py)
    or, for the manual gateway, the bank account staff pay by hand. The payee's first active
    method is its default."""
    if gateway not in PayoutGateway.values:
        raise ValidationFailed(
            f"Payouts go through {' or '.join(PayoutGateway.values)}, not {gateway!r}.",
            field="gateway",
            code="invalid_choice",
        )
    if gateway not in settings.PAYMENT_GATEWAYS:
        raise ValidationFailed(
            f"The {gateway} gateway is not enabled here (PAYMENT_GATEWAYS).",
            field="gateway",
            code="gateway_disabled",
        )
    token = _required(token, "token")
    if gateway == PayoutGateway.SANDBOX:
        try:
            behaviour_of(token)
        except GatewayError as error:
            raise ValidationFailed(error.message, field="token", code=error.code) from None
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        payee = locked_payee(payee_id)
        if payee.state != PayeeState.ACTIVE:
            raise Conflict("The payee is archived.", field="payee", code="archived")
        first = not PayoutMethod.objects.filter(payee=payee, is_default=True).exists()
        method = PayoutMethod.objects.create(
            payee=payee, gateway=gateway, token=token, label=str(label or ""), is_default=first,
            created_at=as_of, updated_at=as_of,
        )  # fmt: skip
        _event("payout_method.added", "payout_method", method.pk, _method_payload(method),
               actor, as_of)  # fmt: skip
    return method


def _locked_method(payout_method_id: int) -> tuple[Payee, PayoutMethod]:
    payee_id = (
        PayoutMethod.objects.filter(pk=payout_method_id).values_list("payee_id", flat=True).first()
    )
    if payee_id is None:
        raise NotFound(f"No payout method with id {payout_method_id}.")
    payee = locked_payee(payee_id)
    return payee, PayoutMethod.objects.select_for_update().get(pk=payout_method_id)


def payout_method_set_default(
    *, payout_method_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> PayoutMethod:
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        payee, method = _locked_method(payout_method_id)
        if method.state != PayoutMethodState.ACTIVE:
            raise Conflict("A detached method cannot be the default.", code="detached")
        PayoutMethod.objects.filter(payee=payee, is_default=True).exclude(pk=method.pk).update(
            is_default=False, updated_at=as_of
        )
        method.is_default, method.updated_at = True, as_of
        method.save(update_fields=["is_default", "updated_at"])
        _event("payout_method.default_set", "payout_method", method.pk, _method_payload(method),
               actor, as_of)  # fmt: skip
    return method


def payout_method_detach(
    *, payout_method_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> PayoutMethod:
    """A method no longer used; the payee's payouts wait (retried) until another is default."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        _, method = _locked_method(payout_method_id)
        if method.state == PayoutMethodState.DETACHED:
            raise TransitionNotAllowed("The payout method is detached already.")
        method.state, method.is_default = PayoutMethodState.DETACHED, False
        method.detached_at = method.updated_at = as_of
        method.save(update_fields=["state", "is_default", "detached_at", "updated_at"])
        _event("payout_method.detached", "payout_method", method.pk, _method_payload(method),
               actor, as_of)  # fmt: skip
    return method


# ---------------------------------------------------------------------------------------------
# the customers whose payments count


def payee_customer_add(
    *, payee_id: int, customer_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> PayeeCustomer:
    """Count a customer's payments for the payee's percentage payouts from `as_of` on (payments
    recorded before the link do not count for it). A customer counts for one payee at a time,
    and is billed in the payee's currency."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        payee = locked_payee(payee_id)
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None:
            raise NotFound(f"No customer with id {customer_id}.", field="customer")
        if customer.currency != payee.currency:
            raise ValidationFailed(
                f"The customer is billed in {customer.currency}; the payee is paid in "
                f"{payee.currency}.",
                field="customer",
                code="currency_mismatch",
            )
        latest = (
            PayeeCustomer.objects.filter(customer=customer, unlinked_at__isnull=False)
            .order_by("-unlinked_at")
            .values_list("unlinked_at", flat=True)
            .first()
        )
        if latest is not None and latest > as_of:
            raise ValidationFailed(
                "The customer's previous link ended later than this one would start.",
                field="customer",
                code="overlap",
            )
        try:
            with transaction.atomic():
                link = PayeeCustomer.objects.create(
                    payee=payee, customer=customer, created_at=as_of
                )
        except IntegrityError:
            raise ValidationFailed(
                f"The customer {customer.external_id} counts for a payee already.",
                field="customer",
                code="unique",
            ) from None
        payload = {"payee": payee.external_id, "customer": customer.external_id}
        _event("payee.customer_added", "payee", payee.pk, payload, actor, as_of)
    return link


def payee_customer_remove(*, link_id: int, actor: Actor, as_of: datetime, reason: str = "") -> None:
    """Stop counting a customer for its payee: its payments recorded from `as_of` on no longer
    count for it (those recorded while linked still do, even in a period computed later). The
    link is kept, with `unlinked_at`."""
    payee_id = PayeeCustomer.objects.filter(pk=link_id).values_list("payee_id", flat=True).first()
    if payee_id is None:
        raise NotFound(f"No payee customer with id {link_id}.")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        payee = locked_payee(payee_id)
        link = (
            PayeeCustomer.objects.select_for_update(of=("self",))
            .select_related("customer")
            .filter(pk=link_id)
            .first()
        )
        if link is None:
            raise NotFound(f"No payee customer with id {link_id}.")
        if link.unlinked_at is not None:
            raise TransitionNotAllowed("The customer was removed already.", field="link")
        if as_of < link.created_at:
            raise ValidationFailed(
                "A link is removed after it was made.", field="link", code="before_linked"
            )
        external_id = link.customer.external_id
        link.unlinked_at = as_of
        link.save(update_fields=["unlinked_at"])
        payload = {"payee": payee.external_id, "customer": external_id}
        _event("payee.customer_removed", "payee", payee.pk, payload, actor, as_of)


# ---------------------------------------------------------------------------------------------
# schedules


def _check_fixed(value: Any, currency: str) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed("Not a number.", field="fixed_amount") from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed(
            "The amount must be above zero.", field="fixed_amount", code="not_positive"
        )
    if amount >= MAX_INVOICE_TOTAL:
        raise ValidationFailed(
            f"An amount is below {MAX_INVOICE_TOTAL:,.0f} {currency}.",
            field="fixed_amount",
            code="max_value",
        )
    if quantize(amount, currency) != amount:
        raise ValidationFailed(
            f"{amount} has more decimals than {currency} allows.",
            field="fixed_amount",
            code="too_many_decimals",
        )
    return amount


def _check_percentage(value: Any) -> Decimal:
    try:
        p = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed("Not a number.", field="percentage") from None
    if not p.is_finite() or p <= 0 or p > 100:
        raise ValidationFailed(
            "A percentage is above 0 and at most 100.", field="percentage", code="out_of_range"
        )
    if p != p.quantize(Decimal("0.0001")):
        raise ValidationFailed(
            "A percentage has at most 4 decimals.", field="percentage", code="too_many_decimals"
        )
    return p


def _amounts(kind: str, fixed: Any, percentage: Any, currency: str) -> tuple[Any, Any]:
    if kind == AmountKind.FIXED:
        if percentage is not None:
            raise ValidationFailed(
                "A fixed schedule has no percentage.", field="percentage", code="not_allowed"
            )
        if fixed is None:
            raise ValidationFailed("The amount is required.", field="fixed_amount", code="required")
        return _check_fixed(fixed, currency), None
    if kind == AmountKind.PERCENTAGE:
        if fixed is not None:
            raise ValidationFailed(
                "A percentage schedule has no fixed amount.",
                field="fixed_amount",
                code="not_allowed",
            )
        if percentage is None:
            raise ValidationFailed(
                "The percentage is required.", field="percentage", code="required"
            )
        return None, _check_percentage(percentage)
    raise ValidationFailed(
        f"The amount is {' or '.join(AmountKind.values)}, not {kind!r}.",
        field="amount_kind",
        code="invalid_choice",
    )


def _schedule_payload(s: PayoutSchedule) -> dict[str, Any]:
    return {
        "schedule": s.pk, "payee": s.payee.external_id, "interval_unit": s.interval_unit,
        "interval_count": s.interval_count, "anchor": s.anchor.isoformat(),
        "amount_kind": s.amount_kind,
        "fixed_amount": None if s.fixed_amount is None else str(s.fixed_amount),
        "percentage": None if s.percentage is None else str(s.percentage),
        "currency": s.currency, "active": s.active,
        "next_period_start": s.next_period_start.isoformat(),
    }  # fmt: skip


def _period_math(field: str) -> ValidationFailed:
    return ValidationFailed(
        "The schedule's periods fall outside the calendar.", field=field, code="out_of_range"
    )


def _set_cursor(schedule: PayoutSchedule, payee: Payee, n: int, *, field: str = "anchor") -> None:
    try:
        p = schedule_period(schedule, payee, n)
        schedule_period(schedule, payee, n + 1)  # the clock computes the following one too
    except (OverflowError, ValueError):
        raise _period_math(field) from None
    schedule.next_index, schedule.next_period_start, schedule.next_period_end = n, p.start, p.end


def payout_schedule_create(
    *,
    payee_id: int,
    interval_unit: str,
    interval_count: int,
    anchor: date,
    amount_kind: str,
    fixed_amount: Decimal | None = None,
    percentage: Decimal | None = None,
    actor: Actor,
    as_of: datetime,
    reason: str = "",
) -> PayoutSchedule:
    """A payee's schedule: periods of `interval_count` x `interval_unit` from `anchor` (a local
    date in the payee's zone, its first period starting at its midnight; at most a year back —
    the clock then pays the periods already ended at its next tick — and at most a year ahead;
    `interval_count` at most MAX_INTERVAL_COUNT[unit]). The amount is fixed (in
    the payee's currency) or a percentage (0 < p <= 100) of its customers' payments less
    refunds in each period."""
    if interval_unit not in periods.UNITS:
        raise ValidationFailed(
            f"The interval is one of {', '.join(periods.UNITS)}.",
            field="interval_unit",
            code="invalid_choice",
        )
    most = MAX_INTERVAL_COUNT[interval_unit]
    if (
        not isinstance(interval_count, int)
        or isinstance(interval_count, bool)
        or not 1 <= interval_count <= most
    ):
        raise ValidationFailed(
            f"An interval counts 1 to {most} {interval_unit}s.",
            field="interval_count",
            code="out_of_range",
        )
    if not isinstance(anchor, date) or isinstance(anchor, datetime):
        raise ValidationFailed("The anchor is a date.", field="anchor")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        payee = locked_payee(payee_id)
        if payee.state != PayeeState.ACTIVE:
            raise Conflict("The payee is archived.", field="payee", code="archived")
        if anchor < periods.local_date(as_of - MAX_ANCHOR_AGE, payee.timezone):
            raise ValidationFailed(
                "The anchor is at most a year back.", field="anchor", code="too_old"
            )
        if anchor > periods.local_date(as_of + MAX_ANCHOR_AHEAD, payee.timezone):
            raise ValidationFailed(
                "The anchor is at most a year ahead.", field="anchor", code="too_far"
            )
        fixed, pct = _amounts(amount_kind, fixed_amount, percentage, payee.currency)
        schedule = PayoutSchedule(
            payee=payee, interval_unit=interval_unit, interval_count=interval_count,
            anchor=anchor, amount_kind=amount_kind, fixed_amount=fixed, percentage=pct,
            currency=payee.currency, created_at=as_of, updated_at=as_of,
        )  # fmt: skip
        _set_cursor(schedule, payee, 0)
        schedule.save(force_insert=True)
        _event("payout_schedule.created", "payout_schedule", schedule.pk,
               _schedule_payload(schedule), actor, as_of)  # fmt: skip
    return schedule


def payout_schedule_update(
    *,
    schedule_id: int,
    changes: Mapping[str, Any],
    actor: Actor,
    as_of: datetime,
    reason: str = "",
) -> PayoutSchedule:
    """Change a schedule's amount (periods not yet paid out use it) or switch it off and on.
    Switched off, the payouts of its periods ended by `as_of` are created first (as the clock
    would, under the same lock). Switched on again, it resumes with the first period not
    entirely off: the one it was switched off in, when that had started before; else the period
    containing `as_of`, the periods entirely off being skipped (and the payments recorded in
    them not counted: `counts_from` moves to the resumed period's start)."""
    for key in changes:
        if key not in SCHEDULE_UPDATE_FIELDS:
            raise ValidationFailed(
                f"{key!r} cannot be changed (only {', '.join(SCHEDULE_UPDATE_FIELDS)}).",
                field=key,
                code="read_only",
            )
    schedule_payee = (
        PayoutSchedule.objects.filter(pk=schedule_id).values_list("payee_id", flat=True).first()
    )
    if schedule_payee is None:
        raise NotFound(f"No payout schedule with id {schedule_id}.")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        payee = locked_payee(schedule_payee)
        schedule = PayoutSchedule.objects.select_for_update().get(pk=schedule_id)
        schedule.payee = payee
        fixed = changes.get("fixed_amount", schedule.fixed_amount)
        pct = changes.get("percentage", schedule.percentage)
        schedule.fixed_amount, schedule.percentage = _amounts(
            schedule.amount_kind, fixed, pct, schedule.currency
        )
        if "active" in changes and bool(changes["active"]) != schedule.active:
            if changes["active"]:
                if payee.state != PayeeState.ACTIVE:
                    raise Conflict("The payee is archived.", field="active", code="archived")
                _resume(schedule, payee, as_of)
            else:
                if payee.state == PayeeState.ACTIVE:
                    payouts_create_ended([schedule], as_of=as_of, actor=actor)
                schedule.switched_off_at = as_of
            schedule.active = bool(changes["active"])
        schedule.updated_at = as_of
        schedule.save()
        _event("payout_schedule.updated", "payout_schedule", schedule.pk,
               _schedule_payload(schedule), actor, as_of)  # fmt: skip
    return schedule


def _resume(schedule: PayoutSchedule, payee: Payee, as_of: datetime) -> None:
    """Where a schedule switched on again resumes (see `payout_schedule_update`)."""
    off = schedule.switched_off_at or as_of
    if schedule.next_period_start < off or schedule.next_period_end > as_of:
        return  # its next period was on for a while, or has not ended: nothing skipped
    interval = periods.Interval(schedule.interval_unit, schedule.interval_count)
    try:
        now = periods.period_at(schedule.anchor, interval, as_of, payee.timezone)
    except (OverflowError, ValueError):
        raise _period_math("active") from None
    n = max(now.index, schedule.next_index)
    _set_cursor(schedule, payee, n, field="active")
    schedule.counts_from = schedule.next_period_start


def payout_schedule_run(*, schedule_id: int, actor: Actor, as_of: datetime) -> dict[str, int]:
    """Run a schedule to date now (what the clock's next tick would do for it): its ended
    periods' payouts, queued for execution after the commit."""
    schedule = PayoutSchedule.objects.filter(pk=schedule_id).first()
    if schedule is None:
        raise NotFound(f"No payout schedule with id {schedule_id}.")
    if not schedule.active:
        raise Conflict("The schedule is switched off.", code="inactive")
    return payouts_create_due(as_of=as_of, actor=actor, schedule_ids=[schedule_id])


# ---------------------------------------------------------------------------------------------
# a payout: cancel, retry now


def _locked_payout(payout_id: int) -> Payout:
    payout = (
        Payout.objects.select_for_update(of=("self",))
        .select_related("payee")
        .filter(pk=payout_id)
        .first()
    )
    if payout is None:
        raise NotFound(f"No payout with id {payout_id}.")
    return payout


def payout_cancel(*, payout_id: int, reason: str, actor: Actor, as_of: datetime) -> Payout:
    """Cancel a payout not sent (pending, or failed for staff): it is no longer owed — the
    payable is reversed (Dr payouts payable / Cr payout expense), `payout.canceled`. A payout
    being sent (processing) waits for its answer first."""
    reason = _required(reason, "reason")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        payout = _locked_payout(payout_id)
        if PayoutState.CANCELED not in PAYOUT_TRANSITIONS[payout.state]:
            raise TransitionNotAllowed(
                f"Payout #{payout.pk} is {payout.state}: only a pending or failed payout is "
                "canceled.",
                field="payout",
            )
        payout.state, payout.canceled_at, payout.cancel_reason = (
            PayoutState.CANCELED, as_of, reason[:255],
        )  # fmt: skip
        payout.next_retry_at, payout.updated_at = None, as_of
        payout.save(
            update_fields=["state", "canceled_at", "cancel_reason", "next_retry_at", "updated_at"]
        )
        ledger_post_many(
            [
                payout_posting(
                    payout,
                    [(LedgerAccount.PAYOUTS_PAYABLE, payout.amount),
                     (LedgerAccount.PAYOUT_EXPENSE, -payout.amount)],
                    f"canceled: {reason}",
                    as_of,
                )
            ]
        )  # fmt: skip
        journal_write_many([payout_event("payout.canceled", payout, as_of, reason=reason)],
                           actor=actor)  # fmt: skip
    return payout


def payout_retry_now(*, payout_id: int, actor: Actor, as_of: datetime) -> Payout:
    """Send a payout again now: a failed one (staff fixed the method), or a pending one waiting
    for its retry. Its next attempt is queued after the commit (a new key: the last attempt's
    answer was a failure, so nothing of it was paid)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="retry now"):
        payout = _locked_payout(payout_id)
        if payout.state not in (PayoutState.FAILED, PayoutState.PENDING):
            raise TransitionNotAllowed(
                f"Payout #{payout.pk} is {payout.state}: only a failed or pending payout is "
                "retried.",
                field="payout",
            )
        payout.state, payout.next_retry_at, payout.updated_at = PayoutState.PENDING, None, as_of
        payout.save(update_fields=["state", "next_retry_at", "updated_at"])
        journal_write_many([payout_event("payout.retry_requested", payout, as_of)], actor=actor)
        executions_schedule([payout.pk])
    return payout


def register() -> None:
    """Journal handlers and clock hooks of payouts."""
    register_tick_hook(CLOCK_HOOK, payouts_due)
