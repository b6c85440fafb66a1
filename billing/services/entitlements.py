"""Entitlements: what a customer may use, from the price books of its live subscriptions, its
per-customer overrides, and the block that dunning sets.

Rules: a feature is granted by every trialing, active or past-due subscription whose price book
lists it (paused, pending and ended ones grant nothing, nor does one blocked by dunning: a
feature that only blocked subscriptions grant is kept, refused, with the source
`blocked_by_dunning`). Across subscriptions, a boolean feature is
on when any grants it, and a limit is the highest granted (no limit, when one grants it without a
limit, wins). An override replaces the result for its feature. A blocked customer is refused every
feature. The result is kept in CustomerEntitlement, recomputed in the transaction of every change,
so that a check is one indexed read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from billing.enums import ENTITLED
from billing.models import Customer, CustomerEntitlement, EntitlementOverride
from billing.services.customers import locked_customer
from billing.services.journal import journal_write
from catalog.models import Feature, VersionFeature
from core.audit import Actor, audit_context
from core.exceptions import NotFound

BLOCKED_BY_DUNNING = "blocked_by_dunning"


@dataclass
class Grant:
    feature: Feature
    enabled: bool
    limit: Decimal | None
    source: str


def entitlements_recompute(*, customer: Customer, as_of: datetime) -> list[CustomerEntitlement]:
    """Rebuild the customer's entitlements. Runs inside the caller's transaction."""
    grants: dict[int, Grant] = {}
    entries = (
        VersionFeature.objects.filter(
            plan_version__subscriptions__customer=customer,
            plan_version__subscriptions__status__in=ENTITLED,
        )
        .annotate(sub_blocked=F("plan_version__subscriptions__dunning_blocked"))
        .select_related("feature", "plan_version__plan")
    )
    withheld: dict[int, Feature] = {}
    for entry in entries:
        if entry.sub_blocked:
            withheld[entry.feature_id] = entry.feature
            continue
        source = f"plan:{entry.plan_version.label}"
        current = grants.get(entry.feature_id)
        if current is None:
            grants[entry.feature_id] = Grant(entry.feature, entry.enabled, entry.limit, source)
            continue
        if (entry.enabled and not current.enabled) or (
            entry.enabled
            and current.enabled
            and current.limit is not None
            and (entry.limit is None or entry.limit > current.limit)
        ):
            grants[entry.feature_id] = Grant(entry.feature, True, entry.limit, source)
    for feature_id, feature in withheld.items():
        grants.setdefault(feature_id, Grant(feature, False, None, BLOCKED_BY_DUNNING))
    for override in EntitlementOverride.objects.filter(customer=customer).select_related("feature"):
        grants[override.feature_id] = Grant(
            override.feature, override.enabled, override.limit, "override"
        )
    CustomerEntitlement.objects.filter(customer=customer).delete()
    return CustomerEntitlement.objects.bulk_create(
        CustomerEntitlement(
            customer=customer,
            feature=grant.feature,
            feature_code=grant.feature.code,
            enabled=grant.enabled,
            limit=grant.limit,
            source=grant.source,
            updated_at=as_of,
        )
        for grant in grants.values()
    )


def entitlement_override_set(
    *,
    customer_id: int,
    feature_id: int,
    actor: Actor,
    as_of: datetime,
    enabled: bool = True,
    limit: Decimal | None = None,
    reason: str = "",
) -> EntitlementOverride:
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        customer = locked_customer(customer_id)
        override, _ = EntitlementOverride.objects.update_or_create(
            customer=customer,
            feature_id=feature_id,
            defaults={"enabled": enabled, "limit": limit, "reason": reason, "updated_at": as_of},
            create_defaults={
                "enabled": enabled, "limit": limit, "reason": reason,
                "created_at": as_of, "updated_at": as_of,
            },
        )  # fmt: skip
        entitlements_recompute(customer=customer, as_of=as_of)
        journal_write(
            type="customer.entitlements_changed",
            subject_type="customer",
            subject_id=customer.pk,
            payload={"feature": override.feature.code, "enabled": enabled,
                     "limit": None if limit is None else str(limit), "reason": reason},
            actor=actor,
            occurred_at=as_of,
        )  # fmt: skip
    return override


def entitlement_override_remove(
    *, customer_id: int, feature_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> None:
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        customer = locked_customer(customer_id)
        deleted, _ = EntitlementOverride.objects.filter(
            customer=customer, feature_id=feature_id
        ).delete()
        if not deleted:
            raise NotFound("There is no override of that feature for this customer.")
        entitlements_recompute(customer=customer, as_of=as_of)


def entitlements_block(
    *, customer_id: int, blocked: bool, actor: Actor, as_of: datetime, reason: str = ""
) -> Customer:
    """Block (dunning) or unblock every feature of a customer."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        customer = locked_customer(customer_id)
        customer.entitlements_blocked = blocked
        customer.entitlements_blocked_reason = reason if blocked else ""
        customer.updated_at = as_of
        customer.save(update_fields=["entitlements_blocked", "entitlements_blocked_reason",
                                     "updated_at"])  # fmt: skip
        journal_write(
            type="customer.entitlements_blocked" if blocked else "customer.entitlements_unblocked",
            subject_type="customer",
            subject_id=customer.pk,
            payload={"reason": reason},
            actor=actor,
            occurred_at=as_of,
        )
    return customer
