"""Reads of the billing app."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Q, QuerySet

from billing.models import Customer, ProrationLine, Subscription


def customer_list(*, include_archived: bool = True) -> QuerySet[Customer]:
    qs = Customer.objects.all()
    return qs if include_archived else qs.filter(archived_at__isnull=True)


def customer_get(*, customer_id: int | None = None, external_id: str | None = None) -> Customer:
    """By our id or by the integrator's external id. Raises Customer.DoesNotExist."""
    query = Q(pk=customer_id) if customer_id is not None else Q(external_id=external_id)
    return Customer.objects.get(query)


def subscription_list() -> QuerySet[Subscription]:
    return Subscription.objects.select_related("customer", "plan", "plan_version__plan")


def proration_lines_pending(*, subscription: Subscription) -> QuerySet[ProrationLine]:
    return subscription.proration_lines.filter(invoiced_at__isnull=True)


@dataclass(frozen=True)
class Check:
    customer_found: bool
    feature_found: bool
    allowed: bool
    limit: Decimal | None
    reason: str
    source: str | None


_CHECK_SQL = """
SELECT c.entitlements_blocked, e.enabled, e."limit", e.source,
       (e.id IS NOT NULL OR EXISTS (SELECT 1 FROM catalog_feature f WHERE f.code = %s))
FROM billing_customer c
LEFT JOIN billing_customerentitlement e ON e.customer_id = c.id AND e.feature_code = %s
WHERE c.external_id = %s
"""


def entitlement_check(*, customer_external_id: str, feature_code: str) -> Check:
    """May this customer use this feature, and up to what limit? One indexed query."""
    with connection.cursor() as cursor:
        cursor.execute(_CHECK_SQL, [feature_code, feature_code, customer_external_id])
        row = cursor.fetchone()
    if row is None:
        return Check(False, False, False, None, "unknown_customer", None)
    blocked, enabled, limit, source, feature_found = row
    if not feature_found:
        return Check(True, False, False, None, "unknown_feature", None)
    if blocked:
        return Check(True, True, False, None, "blocked", source)
    if enabled is None:
        return Check(True, True, False, None, "not_in_plan", None)
    if not enabled:
        if source == "blocked_by_dunning":  # only subscriptions blocked by dunning grant it
            return Check(True, True, False, None, "blocked_by_dunning", None)
        return Check(True, True, False, None, "disabled", source)
    return Check(True, True, True, limit, "granted", source)
