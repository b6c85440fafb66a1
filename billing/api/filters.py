import django_filters
from django.db.models import Q, QuerySet

from billing.models import Customer


class CustomerFilter(django_filters.FilterSet):  # type: ignore[misc]
    external_id = django_filters.CharFilter()
    email = django_filters.CharFilter(lookup_expr="iexact")
    currency = django_filters.CharFilter(method="filter_upper")
    country = django_filters.CharFilter(method="filter_upper")
    archived = django_filters.BooleanFilter(
        field_name="archived_at", lookup_expr="isnull", exclude=True, label="Archived"
    )
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    q = django_filters.CharFilter(method="search", label="Search name, e-mail or external id")

    class Meta:
        model = Customer
        fields: list[str] = []

    def filter_upper(self, qs: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return qs.filter(**{name: value.upper()})

    def search(self, qs: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return qs.filter(
            Q(name__icontains=value) | Q(email__icontains=value) | Q(external_id__icontains=value)
        )
