"""Reads of the billing app."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from billing.models import Customer, ProrationLine, Subscription, TestClock, TestClockStatus
from core.exceptions import Conflict


def customer_list(*, include_archived: bool = True) -> QuerySet[Customer]:
    qs = Customer.objects.all()
    return qs if include_archived else qs.filter(archived_at__isnull=True)


def customer_get(*, customer_id: int | None = None, external_id: str | None = None) -> Customer:
    """By our id or by the integrator's external id. Raises Customer.DoesNotExist."""
    query = Q(pk=customer_id) if customer_id is not None else Q(external_id=external_id)
    return Customer.objects.get(query)


# ---------------------------------------------------------------------------------- test clocks
# A customer lives on the real clock (`test_clock` empty: a live customer) or on a test clock's
# frozen time (a test customer). The billing clock and its hooks work in one *scope* at a time:
# `test_clock=None` (the default: live customers only) or a test clock's id (its customers only).


def clock_scope(test_clock: int | None, *, customer: str = "customer") -> Q:
    """The rows of one clock scope: `customer` is the lookup path to the customer ("" when the
    rows are customers)."""
    field = f"{customer}__test_clock" if customer else "test_clock"
    if test_clock is None:
        return Q(**{f"{field}__isnull": True})
    return Q(**{f"{field}": test_clock})


def customer_as_of(customer: Customer, now: datetime) -> datetime:
    """The instant a request's write on a customer happens at: `now` (the wall clock, read by
    the request handler) for a live customer, its test clock's frozen time for a test customer.
    Conflict 409 `test_clock_advancing` while that clock advances: a write dated at the step
    it read would land behind what the advance bills next (Stripe refuses them too). Reads
    take `customer_read_as_of`."""
    if customer.test_clock_id is None:
        return now
    frozen, status = TestClock.objects.values_list("frozen_time", "status").get(
        pk=customer.test_clock_id
    )
    _refuse_while_advancing(status)
    return frozen


def customer_read_as_of(customer: Customer, now: datetime) -> datetime:
    """`customer_as_of` for what a request shows (never refused): the clock's time."""
    if customer.test_clock_id is None:
        return now
    return TestClock.objects.values_list("frozen_time", flat=True).get(pk=customer.test_clock_id)


def _refuse_while_advancing(status: str | None) -> None:
    if status == TestClockStatus.ADVANCING:
        raise Conflict(
            "The customer's test clock is advancing: try again when it is ready.",
            code="test_clock_advancing",
        )


def customer_clock_clamp(customer: Customer, as_of: datetime) -> datetime:
    """`as_of`, but never past a test customer's clock: services a request may reach with the
    wall clock's time (dunning's evaluation, a correction's document) act at most at the
    clock's frozen time for a test customer. No query for a live customer, one for a test one.
    Never refused (the advance itself calls these services)."""
    if customer.test_clock_id is None:
        return as_of
    return min(as_of, customer_read_as_of(customer, as_of))


def customer_id_as_of(customer_id: int, now: datetime) -> datetime:
    """`customer_as_of` by the customer's id (one query): `now` for a live customer (or an
    unknown id: the service refuses it), its test clock's time for a test customer; 409
    `test_clock_advancing` while that clock advances."""
    row = (
        Customer.objects.filter(pk=customer_id)
        .values_list("test_clock__frozen_time", "test_clock__status")
        .first()
    )
    if row is None or row[0] is None:
        return now
    _refuse_while_advancing(row[1])
    return row[0]


def customer_times(customer_ids: Iterable[int], now: datetime) -> dict[int, datetime]:
    """`customer_as_of` of many customers in one query: customer id -> its instant."""
    rows = Customer.objects.filter(pk__in=set(customer_ids)).values_list(
        "pk", "test_clock__frozen_time"
    )
    return {pk: frozen or now for pk, frozen in rows}


def group_by_time(times: dict[int, datetime]) -> list[tuple[datetime, list[int]]]:
    """The keys of `times` grouped by their instant, in time order (keys sorted within)."""
    groups: dict[datetime, list[int]] = defaultdict(list)
    for pk in sorted(times):
        groups[times[pk]].append(pk)
    return sorted(groups.items())


def subscription_list() -> QuerySet[Subscription]:
    """With its items (and their plans): one query more for the page."""
    items = Subscription.objects.select_related("plan").order_by("created_at", "id")
    return Subscription.objects.select_related(
        "customer", "plan", "plan_version__plan__product"
    ).prefetch_related(Prefetch("items", queryset=items))


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
