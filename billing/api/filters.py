from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django_filters.fields import IsoDateTimeField

from billing.enums import SubscriptionStatus
from billing.models import Customer, Subscription, UsageEvent


class UtcIsoDateTimeField(IsoDateTimeField):  # type: ignore[misc]
    """An ISO 8601 instant, queried in UTC: PostgreSQL refuses offsets beyond ±15:59 (+22:59 was
    a 500), and an instant with no UTC time (year 1 at +14:00) is a 400, not an overflow."""

    def to_python(self, value: Any) -> datetime | None:
        parsed: datetime | None = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("This instant is out of range.", code="invalid") from None


class InstantFilter(django_filters.IsoDateTimeFilter):  # type: ignore[misc]
    field_class = UtcIsoDateTimeField


class CustomerFilter(django_filters.FilterSet):  # type: ignore[misc]
    external_id = django_filters.CharFilter()
    email = django_filters.CharFilter(lookup_expr="iexact")
    currency = django_filters.CharFilter(method="filter_upper")
    country = django_filters.CharFilter(method="filter_upper")
    archived = django_filters.BooleanFilter(
        field_name="archived_at", lookup_expr="isnull", exclude=True, label="Archived"
    )
    created_after = InstantFilter(field_name="created_at", lookup_expr="gte")
    created_before = InstantFilter(field_name="created_at", lookup_expr="lt")
    q = django_filters.CharFilter(method="search", label="Search name, e-mail or external id")
    livemode = django_filters.BooleanFilter(
        field_name="test_clock", lookup_expr="isnull", label="Live (true) or test customers"
    )
    test_clock = django_filters.NumberFilter(field_name="test_clock", label="A test clock's id")

    class Meta:
        model = Customer
        fields: list[str] = []

    def filter_upper(self, qs: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return qs.filter(**{name: value.upper()})

    def search(self, qs: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return qs.filter(
            Q(name__icontains=value) | Q(email__icontains=value) | Q(external_id__icontains=value)
        )


class SubscriptionFilter(django_filters.FilterSet):  # type: ignore[misc]
    status = django_filters.ChoiceFilter(choices=SubscriptionStatus.choices)
    customer = django_filters.CharFilter(
        field_name="customer__external_id", label="the customer's external id"
    )
    plan = django_filters.CharFilter(field_name="plan__code", label="the plan's code")

    class Meta:
        model = Subscription
        fields: list[str] = []


class UsageEventFilter(django_filters.FilterSet):  # type: ignore[misc]
    customer = django_filters.CharFilter(
        field_name="customer__external_id", label="the customer's external id"
    )
    metric = django_filters.CharFilter(field_name="metric__code", label="the metric's code")
    late = django_filters.BooleanFilter(label="true: late events (awaiting a correction)")
    event_time__gte = InstantFilter(
        field_name="event_time", lookup_expr="gte", label="events at or after this instant"
    )
    event_time__lt = InstantFilter(
        field_name="event_time", lookup_expr="lt", label="events before this instant"
    )

    class Meta:
        model = UsageEvent
        fields: list[str] = []
