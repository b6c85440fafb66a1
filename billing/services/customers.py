"""Customers: create, update, archive. Each service is one transaction with its journal event
and audit context."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from billing.models import Customer, TestClock
from billing.services.journal import journal_write
from core.audit import Actor, audit_context
from core.exceptions import Conflict, NotFound, ValidationFailed

CUSTOMER_FIELDS = (
    "external_id",
    "name",
    "email",
    "currency",
    "timezone",
    "locale",
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
    "state",
    "country",
    "tax_exempt",
    "tax_id",
    "auto_collection",
    "payment_terms_days",
    "invoice_grace_period_days",
    "metadata",
)
IMMUTABLE_CUSTOMER_FIELDS = ("external_id",)

# What holds a customer to its currency once it exists: (reverse accessor on Customer, filter,
# what to call it). Invoices (and the credit notes, which belong to an invoice) live in
# invoicing, a higher layer that billing may not import: they are reached by the reverse
# relation's name through the app registry, a query and not an import. A test fails when a
# model of any layer with a customer and a currency is missing here.
CURRENCY_BOUND: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("subscriptions", {}, "subscriptions"),
    ("invoices", {}, "invoices or credit notes"),
    ("balance_transactions", {}, "balance transactions"),
    ("redemptions", {"coupon__kind": "fixed"}, "fixed-amount coupon redemptions"),
    ("payments", {}, "payments"),
    ("credit_grants", {}, "credit grants"),
    ("dunning_transitions", {}, "dunning transitions"),
    ("payee_links", {}, "payee links"),  # its payments count for a payee paid in its currency
)


def customer_snapshot(customer: Customer) -> dict[str, Any]:
    data: dict[str, Any] = {field: getattr(customer, field) for field in CUSTOMER_FIELDS}
    data["id"] = customer.pk
    data["archived_at"] = customer.archived_at.isoformat() if customer.archived_at else None
    return data


def _check_fields(values: Mapping[str, Any]) -> None:
    unknown = sorted(set(values) - set(CUSTOMER_FIELDS))
    if unknown:
        raise ValidationFailed(f"Unknown customer field {unknown[0]!r}.", field=unknown[0])


def _normalise(values: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(values)
    if isinstance(data.get("currency"), str):
        data["currency"] = data["currency"].upper()
    if isinstance(data.get("country"), str):
        data["country"] = data["country"].upper()
    return data


def _save_customer(customer: Customer, *, creating: bool) -> None:
    customer.full_clean(validate_unique=False)  # field errors surface as HTTP 400 / form errors
    try:
        with transaction.atomic():
            customer.save(force_insert=creating)
    except IntegrityError as exc:
        if "external_id" in str(exc):
            raise ValidationFailed(
                f"A customer with external id {customer.external_id!r} already exists.",
                field="external_id",
                code="unique",
            ) from None
        raise


def customer_create(
    *,
    actor: Actor,
    as_of: datetime,
    data: Mapping[str, Any],
    reason: str = "",
    test_clock_id: int | None = None,
) -> Customer:
    """A new customer; with `test_clock_id`, a test customer of that clock (for good: a
    customer never moves between clocks), created at the clock's frozen time."""
    _check_fields(data)
    customer = Customer(**_normalise(data), created_at=as_of, updated_at=as_of)
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        if test_clock_id is not None:
            clock = _test_clock_of_new_customer(test_clock_id)
            customer.test_clock = clock
            as_of = customer.created_at = customer.updated_at = clock.frozen_time
        _save_customer(customer, creating=True)
        journal_write(
            type="customer.created",
            subject_type="customer",
            subject_id=customer.pk,
            payload={"customer": customer_snapshot(customer)},
            actor=actor,
            occurred_at=as_of,
        )
    return customer


def _test_clock_of_new_customer(test_clock_id: int) -> TestClock:
    """The clock a new customer joins, locked: 404 (on `test_clock`) when unknown, 409 when
    deleted."""
    try:
        clock = TestClock.objects.select_for_update().get(pk=test_clock_id)
    except TestClock.DoesNotExist:
        raise NotFound(f"No test clock with id {test_clock_id}.", field="test_clock") from None
    if clock.is_deleted:
        raise Conflict(
            "This test clock was deleted.", field="test_clock", code="test_clock_deleted"
        )
    return clock


def locked_customer(customer_id: int, *, field: str | None = None) -> Customer:
    """The customer, row-locked (the first lock of every service that changes it); NotFound,
    on `field` when given, for an unknown id."""
    try:
        return Customer.objects.select_for_update().get(pk=customer_id)
    except Customer.DoesNotExist:
        raise NotFound(f"No customer with id {customer_id}.", field=field) from None


def _check_currency_free(customer: Customer, new: str) -> None:
    """Refuse a new currency once anything was priced in the current one. Called with the
    customer's row locked: the services that create these documents lock it first."""
    held = [
        label
        for accessor, filters, label in CURRENCY_BOUND
        if getattr(customer, accessor).filter(**filters).exists()
    ]
    if held:
        raise Conflict(
            f"The currency cannot change from {customer.currency} to {new}: the customer has "
            f"{', '.join(held)} in {customer.currency}. Create a new customer for {new}.",
            field="currency",
            code="currency_in_use",
        )


def customer_update(
    *,
    customer_id: int,
    actor: Actor,
    as_of: datetime,
    changes: Mapping[str, Any],
    reason: str = "",
) -> Customer:
    _check_fields(changes)
    changes = _normalise(changes)
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        customer = locked_customer(customer_id)
        before = customer_snapshot(customer)
        for field in IMMUTABLE_CUSTOMER_FIELDS:
            if field in changes and changes[field] != before[field]:
                raise ValidationFailed(
                    f"{field} cannot change once the customer exists.",
                    field=field,
                    code="immutable",
                )
        diff = {
            field: [before[field], value]
            for field, value in changes.items()
            if before[field] != value
        }
        if not diff:
            return customer
        if "currency" in diff:
            _check_currency_free(customer, changes["currency"])
        for field in diff:
            setattr(customer, field, changes[field])
        customer.updated_at = as_of
        _save_customer(customer, creating=False)
        journal_write(
            type="customer.updated",
            subject_type="customer",
            subject_id=customer.pk,
            payload={"customer": customer_snapshot(customer), "changes": diff},
            actor=actor,
            occurred_at=as_of,
        )
    return customer


def _set_archived(
    *, customer_id: int, archived: bool, actor: Actor, as_of: datetime, reason: str
) -> Customer:
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        customer = locked_customer(customer_id)
        if customer.is_archived == archived:
            state = "archived" if archived else "not archived"
            raise Conflict(f"Customer {customer.external_id} is already {state}.")
        if not archived and customer.test_clock_id is not None:
            clock = TestClock.objects.get(pk=customer.test_clock_id)
            if clock.is_deleted:  # its clock's time is gone: nothing could bill it again
                raise Conflict("The customer's test clock was deleted.", code="test_clock_deleted")
        customer.archived_at = as_of if archived else None
        customer.updated_at = as_of
        customer.save(update_fields=["archived_at", "updated_at"])
        journal_write(
            type="customer.archived" if archived else "customer.unarchived",
            subject_type="customer",
            subject_id=customer.pk,
            payload={"customer": customer_snapshot(customer), "reason": reason},
            actor=actor,
            occurred_at=as_of,
        )
    return customer


def customer_archive(
    *, customer_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> Customer:
    """Archive instead of delete: the customer keeps its documents and history, and new
    subscriptions and usage are refused for it."""
    return _set_archived(
        customer_id=customer_id, archived=True, actor=actor, as_of=as_of, reason=reason
    )


def customer_unarchive(
    *, customer_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> Customer:
    return _set_archived(
        customer_id=customer_id, archived=False, actor=actor, as_of=as_of, reason=reason
    )
