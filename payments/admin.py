from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from billing.selectors import customer_as_of, customer_id_as_of
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin, actor_of
from payments.models import PaymentMethod, SubscriptionPaymentMethod
from payments.services import methods as services

ADD_FIELDS = ("customer", *services.ADD_FIELDS)


@admin.register(PaymentMethod)
class PaymentMethodAdmin(HistoryAdminMixin, ServiceModelAdmin):
    list_display = (
        "__str__", "customer", "gateway", "kind", "state", "is_default", "created_at",
        "detached_at",
    )  # fmt: skip
    list_filter = ("gateway", "kind", "state", "is_default")
    search_fields = ("customer__external_id", "customer__name", "token", "last4")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
    date_hierarchy = "created_at"
    actions = ("make_default_selected", "detach_selected")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ADD_FIELDS
        return (
            *ADD_FIELDS, "gateway_customer", "state", "is_default", "created_at", "updated_at",
            "detached_at",
        )  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        editable = set(services.UPDATE_FIELDS) if obj.detached_at is None else set()
        return tuple(f for f in self.get_fields(request, obj) if f not in editable)

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        data = {f: form.cleaned_data.get(f) for f in services.ADD_FIELDS}
        return services.payment_method_add(
            customer_id=form.cleaned_data["customer"].pk, actor=actor_of(request),
            as_of=customer_as_of(form.cleaned_data["customer"], timezone.now()),
            data=data, reason="added in the admin",
        )  # fmt: skip

    def service_update(
        self, request: HttpRequest, obj: PaymentMethod, form: Any, formsets: list[Any]
    ) -> Any:
        changes = {
            f: form.cleaned_data[f] for f in form.changed_data if f in services.UPDATE_FIELDS
        }
        return services.payment_method_update(
            payment_method_id=obj.pk, actor=actor_of(request),
            as_of=customer_id_as_of(obj.customer_id, timezone.now()),
            changes=changes, reason="edited in the admin",
        )  # fmt: skip

    def _each(self, request: HttpRequest, queryset: QuerySet[PaymentMethod], service: Any) -> None:
        self.each(
            request,
            queryset,
            lambda m: service(payment_method_id=m.pk, actor=actor_of(request),
                              as_of=customer_id_as_of(m.customer_id, timezone.now()),
                              reason="in the admin"),
            "payment method(s) done.",
        )  # fmt: skip

    @admin.action(description="Make the selected method its customer's default")
    def make_default_selected(
        self, request: HttpRequest, queryset: QuerySet[PaymentMethod]
    ) -> None:
        self._each(request, queryset, services.payment_method_set_default)

    @admin.action(description="Detach the selected payment methods")
    def detach_selected(self, request: HttpRequest, queryset: QuerySet[PaymentMethod]) -> None:
        self._each(request, queryset, services.payment_method_detach)


@admin.register(SubscriptionPaymentMethod)
class SubscriptionPaymentMethodAdmin(HistoryAdminMixin, ServiceModelAdmin):
    """A subscription's own method, read here; set and cleared through the API's services."""

    list_display = ("subscription", "payment_method", "updated_at")
    list_select_related = ("subscription__customer", "subscription__plan", "payment_method")
    readonly_fields = ("subscription", "payment_method", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# the cash application, refunds, collection and wallet screens register themselves
from payments import (  # noqa: E402, F401
    admin_cash,
    admin_collection,
    admin_dunning,
    admin_payouts,
    admin_refunds,
    admin_wallets,
)
