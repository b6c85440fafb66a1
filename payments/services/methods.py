"""Payment methods: add, update, make default, detach; a subscription's own method.

Each service is one durable transaction with its audit context and journal event. Locks are
taken in the fixed order: the customer, then its subscription, then its payment methods.

The default: the first method a customer adds becomes its default; `payment_method_set_default`
moves it (the old default is cleared before the new one is set, in one transaction, behind a
partial unique constraint). Detaching the default while the customer has other active methods
makes the newest of them the default; with none, the customer has no default until one is
added or chosen. Detaching a method also ends the subscription overrides that named it (those
subscriptions fall back to the customer's default).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from billing.models import Subscription
from billing.services import journal_write, locked_customer
from core.audit import Actor, audit_context
from core.exceptions import Conflict, NotFound, ValidationFailed
from payments.gateways.registry import (
    GATEWAY_CUSTOMER_IDS,
    GATEWAY_NAMES,
    TEST_MODE_GATEWAY,
    refusal_for_test_customer,
)
from payments.models import (
    PaymentMethod,
    PaymentMethodKind,
    PaymentMethodState,
    SubscriptionPaymentMethod,
)

ADD_FIELDS = (
    "gateway",
    "token",
    "kind",
    "brand",
    "last4",
    "exp_month",
    "exp_year",
    "holder_name",
)
UPDATE_FIELDS = ("holder_name", "exp_month", "exp_year", "state")

ONLY_TOKENS = (
    "Only the gateway's token is stored here, never a card number or an IBAN: send the token "
    "the gateway gave for it (and last4 for display)."
)
_SEPARATORS = re.compile(r"[\s-]")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_ok(text: str) -> bool:
    """An IBAN by its shape and its ISO 7064 mod-97 check digits."""
    if not _IBAN.match(text):
        return False
    moved = text[4:] + text[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def looks_like_account_number(token: str) -> bool:
    """A full card number (12 to 19 digits passing Luhn, spaces and dashes ignored) or an IBAN."""
    compact = _SEPARATORS.sub("", token)
    if compact.isascii() and compact.isdigit() and 12 <= len(compact) <= 19 and luhn_ok(compact):
        return True
    return iban_ok(compact.upper())


def payment_method_snapshot(method: PaymentMethod) -> dict[str, Any]:
    return {
        "id": method.pk,
        "customer": method.customer_id,
        "gateway": method.gateway,
        "kind": method.kind,
        "brand": method.brand,
        "last4": method.last4,
        "exp_month": method.exp_month,
        "exp_year": method.exp_year,
        "holder_name": method.holder_name,
        "state": method.state,
        "is_default": method.is_default,
        "detached_at": method.detached_at.isoformat() if method.detached_at else None,
    }


def _journal(type: str, method: PaymentMethod, actor: Actor, as_of: datetime, **extra: Any) -> None:
    journal_write(
        type=type,
        subject_type="payment_method",
        subject_id=method.pk,
        payload={"payment_method": payment_method_snapshot(method), **extra},
        actor=actor,
        occurred_at=as_of,
    )


def _expired(method: PaymentMethod, as_of: datetime) -> bool:
    """A card is valid to the end of its expiry month (UTC)."""
    if method.exp_month is None or method.exp_year is None:
        return False
    return (method.exp_year, method.exp_month) < (as_of.year, as_of.month)


def _check_gateway_mode(gateway: str, *, test: bool) -> None:
    """A live customer's method on a gateway of PAYMENT_GATEWAYS; a test customer's (one on a
    test clock) on one that never moves real money: the sandbox (enabled for test customers
    even when PAYMENT_GATEWAYS leaves it out), the manual gateway if enabled, Stripe only with a
    test key (`payments.gateways.registry.refusal_for_test_customer`)."""
    if test:
        refusal = refusal_for_test_customer(gateway)
        if refusal is not None:
            raise ValidationFailed(refusal, field="gateway", code=TEST_MODE_GATEWAY)
        if gateway == "sandbox":
            return
    if gateway not in settings.PAYMENT_GATEWAYS:
        raise ValidationFailed(
            f"The {gateway} gateway is not enabled here (PAYMENT_GATEWAYS).",
            field="gateway",
            code="gateway_disabled",
        )


def _check_gateway_customer(gateway: str, gateway_customer: str) -> None:
    if not gateway_customer:
        return
    pattern = GATEWAY_CUSTOMER_IDS.get(gateway)
    if pattern is None:
        raise ValidationFailed(
            f"The {gateway} gateway has no customers: leave gateway_customer empty.",
            field="gateway_customer",
        )
    if not pattern.match(gateway_customer):
        raise ValidationFailed(
            f"Not a {gateway} customer id (Stripe's look like cus_...).",
            field="gateway_customer",
        )


def _check(method: PaymentMethod) -> None:
    if (method.exp_month is None) != (method.exp_year is None):
        missing = "exp_year" if method.exp_year is None else "exp_month"
        raise ValidationFailed(
            "An expiry needs both its month and its year.", field=missing, code="required"
        )
    if method.kind == PaymentMethodKind.CARD and method.exp_month is None:
        raise ValidationFailed("A card needs its expiry month and year.", field="exp_month",
                               code="required")  # fmt: skip
    try:
        method.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(messages[0], field=field) from None


def _locked_method(method_id: int, *, field: str | None = None) -> PaymentMethod:
    """The method, its customer locked first (the fixed lock order), then the method."""
    customer_id = (
        PaymentMethod.objects.filter(pk=method_id).values_list("customer_id", flat=True).first()
    )
    if customer_id is None:
        raise NotFound(f"No payment method with id {method_id}.", field=field)
    locked_customer(customer_id, field="customer")
    return PaymentMethod.objects.select_for_update().get(pk=method_id)


def _refuse_detached(method: PaymentMethod, field: str | None = None) -> None:
    if method.is_detached:
        raise Conflict(
            f"Payment method {method.pk} is detached.", field=field, code="payment_method_detached"
        )


def payment_method_add(
    *,
    customer_id: int,
    actor: Actor,
    as_of: datetime,
    data: Mapping[str, Any],
    reason: str = "",
    gateway_customer: str = "",
) -> PaymentMethod:
    """Store a method (`data`: ADD_FIELDS). `gateway_customer`: the gateway's customer the
    method is attached to (Stripe's `cus_...`; charges send it), for gateways that have them."""
    unknown = sorted(set(data) - set(ADD_FIELDS))
    if unknown:
        raise ValidationFailed(f"Unknown payment method field {unknown[0]!r}.", field=unknown[0])
    values = {k: ("" if v is None and k in ("brand", "last4", "holder_name") else v)
              for k, v in data.items()}  # fmt: skip
    token = str(values.get("token") or "")
    if not token.strip():
        raise ValidationFailed("The gateway's token is required.", field="token", code="required")
    if looks_like_account_number(token):
        raise ValidationFailed(ONLY_TOKENS, field="token", code="not_a_token")
    gateway = values.get("gateway")
    if gateway not in GATEWAY_NAMES:
        raise ValidationFailed(
            f"Unknown gateway {gateway!r}: one of {', '.join(GATEWAY_NAMES)}.", field="gateway"
        )
    _check_gateway_customer(str(gateway), gateway_customer)
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        customer = locked_customer(customer_id, field="customer")
        if customer.archived_at is not None:
            raise Conflict("The customer is archived.", field="customer", code="archived")
        _check_gateway_mode(str(gateway), test=customer.is_test)
        method = PaymentMethod(customer=customer, **values, gateway_customer=gateway_customer,
                               created_at=as_of, updated_at=as_of)  # fmt: skip
        _check(method)
        if _expired(method, as_of):
            method.state = PaymentMethodState.EXPIRED
        method.is_default = not PaymentMethod.objects.filter(
            customer=customer, is_default=True
        ).exists()
        if PaymentMethod.objects.filter(gateway=method.gateway, token=method.token).exists():
            raise ValidationFailed(
                f"This {method.gateway} token is already stored.", field="token", code="unique"
            )
        try:
            with transaction.atomic():
                method.save(force_insert=True)
        except IntegrityError as exc:
            if "token_unique" in str(exc):
                raise ValidationFailed(
                    f"This {method.gateway} token is already stored.", field="token", code="unique"
                ) from None
            raise
        _journal("payment_method.added", method, actor, as_of)
    return method


def payment_method_update(
    *,
    payment_method_id: int,
    actor: Actor,
    as_of: datetime,
    changes: Mapping[str, Any],
    reason: str = "",
) -> PaymentMethod:
    """The holder's name, the expiry and the state. A card whose new expiry has passed is
    expired; one made `active` again needs an expiry that has not."""
    unknown = sorted(set(changes) - set(UPDATE_FIELDS))
    if unknown:
        raise ValidationFailed(f"This field cannot change: {unknown[0]!r}.", field=unknown[0])
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        method = _locked_method(payment_method_id)
        _refuse_detached(method)
        before = payment_method_snapshot(method)
        for name, value in changes.items():
            if name == "holder_name" and value is None:
                value = ""
            setattr(method, name, value)
        if "state" in changes and method.state not in PaymentMethodState.values:
            raise ValidationFailed(f"Unknown state {method.state!r}.", field="state")
        _check(method)
        if _expired(method, as_of):
            if changes.get("state") == PaymentMethodState.ACTIVE:
                raise ValidationFailed(
                    "The card's expiry has passed: it cannot be active.",
                    field="state",
                    code="expired",
                )
            method.state = PaymentMethodState.EXPIRED
        elif (
            before["state"] == PaymentMethodState.EXPIRED
            and "state" not in changes
            and ("exp_month" in changes or "exp_year" in changes)
        ):
            method.state = PaymentMethodState.ACTIVE  # a renewed card
        after = payment_method_snapshot(method)
        changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if not changed:
            return method
        method.updated_at = as_of
        method.save()
        _journal("payment_method.updated", method, actor, as_of, changes=changed)
    return method


def _make_default(method: PaymentMethod, as_of: datetime) -> PaymentMethod | None:
    """Clear the customer's current default, then set this one. Inside the caller's
    transaction, the customer locked. Returns the previous default."""
    previous = (
        PaymentMethod.objects.select_for_update()
        .filter(customer_id=method.customer_id, is_default=True)
        .exclude(pk=method.pk)
        .first()
    )
    if previous is not None:
        previous.is_default = False
        previous.updated_at = as_of
        previous.save(update_fields=("is_default", "updated_at"))
    method.is_default = True
    method.updated_at = as_of
    method.save(update_fields=("is_default", "updated_at"))
    return previous


def payment_method_set_default(
    *, payment_method_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> PaymentMethod:
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        method = _locked_method(payment_method_id)
        _refuse_detached(method)
        if method.state != PaymentMethodState.ACTIVE:
            raise Conflict(
                f"Only an active method can be the default (this one is {method.state}).",
                code="payment_method_not_active",
            )
        if method.is_default:
            return method
        previous = _make_default(method, as_of)
        _journal(
            "payment_method.default_changed", method, actor, as_of,
            previous_default=previous.pk if previous else None,
        )  # fmt: skip
    return method


def payment_method_detach(
    *, payment_method_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> PaymentMethod:
    """Detach (never delete): see the module's docstring for the default and the overrides."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        method = _locked_method(payment_method_id)
        _refuse_detached(method)
        was_default = method.is_default
        method.is_default = False
        method.detached_at = as_of
        method.updated_at = as_of
        method.save()
        _journal("payment_method.detached", method, actor, as_of)
        for override in SubscriptionPaymentMethod.objects.select_for_update().filter(
            payment_method=method
        ):
            subscription_id = override.subscription_id
            override.delete()
            _journal_override(subscription_id, None, method.pk, actor, as_of)
        if was_default:
            successor = (
                PaymentMethod.objects.select_for_update()
                .filter(
                    customer_id=method.customer_id,
                    detached_at__isnull=True,
                    state=PaymentMethodState.ACTIVE,
                )
                .order_by("-created_at", "-id")
                .first()
            )
            if successor is not None:
                _make_default(successor, as_of)
                _journal(
                    "payment_method.default_changed", successor, actor, as_of,
                    previous_default=method.pk,
                )  # fmt: skip
    return method


# ------------------------------------------------------------------ a subscription's own method


def _journal_override(
    subscription_id: int, new: int | None, previous: int | None, actor: Actor, as_of: datetime
) -> None:
    journal_write(
        type="subscription.payment_method_changed",
        subject_type="subscription",
        subject_id=subscription_id,
        payload={"subscription": subscription_id, "payment_method": new,
                 "previous_payment_method": previous},
        actor=actor,
        occurred_at=as_of,
    )  # fmt: skip


def _locked_subscription(subscription_id: int) -> Subscription:
    customer_id = (
        Subscription.objects.filter(pk=subscription_id)
        .values_list("customer_id", flat=True)
        .first()
    )
    if customer_id is None:
        raise NotFound(f"No subscription with id {subscription_id}.")
    locked_customer(customer_id, field="customer")
    return Subscription.objects.select_for_update().get(pk=subscription_id)


def subscription_payment_method_set(
    *,
    subscription_id: int,
    payment_method_id: int,
    actor: Actor,
    as_of: datetime,
    reason: str = "",
) -> SubscriptionPaymentMethod:
    """The subscription pays with this method of its own customer, an active one."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        subscription = _locked_subscription(subscription_id)
        method = PaymentMethod.objects.select_for_update().filter(pk=payment_method_id).first()
        if method is None:
            raise ValidationFailed(
                f"No payment method with id {payment_method_id}.",
                field="payment_method",
                code="not_found",
            )
        if method.customer_id != subscription.customer_id:
            raise ValidationFailed(
                "This payment method belongs to another customer than the subscription's.",
                field="payment_method",
                code="other_customer",
            )
        if method.is_detached or method.state != PaymentMethodState.ACTIVE:
            state = "detached" if method.is_detached else method.state
            raise ValidationFailed(
                f"Only an active payment method can pay a subscription (this one is {state}).",
                field="payment_method",
                code="payment_method_not_active",
            )
        override = (
            SubscriptionPaymentMethod.objects.select_for_update()
            .filter(subscription=subscription)
            .first()
        )
        previous = override.payment_method_id if override else None
        if override is None:
            override = SubscriptionPaymentMethod(
                subscription=subscription, payment_method=method, created_at=as_of,
                updated_at=as_of,
            )  # fmt: skip
            override.save(force_insert=True)
        elif previous != method.pk:
            override.payment_method = method
            override.updated_at = as_of
            override.save()
        if previous != method.pk:
            _journal_override(subscription.pk, method.pk, previous, actor, as_of)
    return override


def subscription_payment_method_clear(
    *, subscription_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> None:
    """The subscription pays with its customer's default again."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        subscription = _locked_subscription(subscription_id)
        override = (
            SubscriptionPaymentMethod.objects.select_for_update()
            .filter(subscription=subscription)
            .first()
        )
        if override is None:
            return
        previous = override.payment_method_id
        override.delete()
        _journal_override(subscription.pk, None, previous, actor, as_of)
