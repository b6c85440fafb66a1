"""Admin for a customer's credit balance and coupons: finance staff grant or take back credit
and redeem or remove coupons through the services (checked, audited, posted to the ledger)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from billing import services
from billing.models import (
    BalanceKind,
    CouponRedemption,
    Customer,
    CustomerBalanceTransaction,
    Subscription,
)
from billing.selectors import customer_as_of, customer_id_as_of
from catalog.admin_display import money, short
from catalog.models import Coupon
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin
from core.audit import Actor
from core.exceptions import ApplicationError


class BalanceForm(forms.ModelForm[CustomerBalanceTransaction]):
    kind = forms.ChoiceField(
        choices=[
            (k.value, k.label)
            for k in (BalanceKind.GRANT, BalanceKind.ADJUSTMENT, BalanceKind.PREPAID)
        ]
    )
    amount = forms.DecimalField(
        max_digits=20, decimal_places=4, help_text="positive: credit added; negative: taken back"
    )

    class Meta:
        model = CustomerBalanceTransaction
        fields = ("customer", "kind", "amount", "reason")


def balance_adjust(request: HttpRequest, form: BalanceForm) -> CustomerBalanceTransaction:
    d = form.cleaned_data
    return services.customer_balance_adjust(
        customer_id=d["customer"].pk,
        amount=d["amount"],
        kind=d["kind"],
        reason=d.get("reason") or "",
        actor=Actor.for_user(request.user),
        as_of=customer_as_of(d["customer"], timezone.now()),
    )


class ServiceAddAdmin(HistoryAdminMixin, ServiceModelAdmin):
    """Rows added through a service (`create`), then read-only and never deleted."""

    create: Any = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else [f.name for f in self.model._meta.fields]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        return type(self).create(request, form)


@admin.register(CustomerBalanceTransaction)
class BalanceTransactionAdmin(ServiceAddAdmin):
    form = BalanceForm
    list_display = ("customer", "kind", "moved", "balance", "why", "created_at")
    list_filter = ("kind", "currency")
    search_fields = ("customer__external_id", "customer__name", "reason")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)

    @admin.display(description="amount", ordering="amount")
    def moved(self, obj: CustomerBalanceTransaction) -> str:
        return money(obj.amount, obj.currency)

    @admin.display(description="reason")
    def why(self, obj: CustomerBalanceTransaction) -> str:
        by = f" ({obj.created_by})" if obj.created_by else ""
        return short(obj.reason) + by

    @admin.display(description="balance after")
    def balance(self, obj: CustomerBalanceTransaction) -> str:
        return money(obj.balance_after, obj.currency)

    @staticmethod
    def create(request: HttpRequest, form: Any) -> CustomerBalanceTransaction:
        created = balance_adjust(request, form)
        messages.success(
            request,
            f"Balance of {created.customer} is now "
            f"{money(created.balance_after, created.currency)}.",
        )
        return created


class RedeemForm(forms.ModelForm[CouponRedemption]):
    class Meta:
        model = CouponRedemption
        fields = ("customer", "coupon", "subscription")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = dict(self.fields)
        fields["coupon"].queryset = Coupon.objects.filter(archived_at__isnull=True)
        fields["subscription"].queryset = Subscription.objects.select_related("customer", "plan")


def coupon_redeem(request: HttpRequest, form: RedeemForm) -> CouponRedemption:
    d = form.cleaned_data
    sub = d.get("subscription")
    return services.coupon_redeem(
        customer_id=d["customer"].pk,
        coupon_code=d["coupon"].code,
        subscription_id=sub.pk if sub else None,
        actor=Actor.for_user(request.user),
        as_of=customer_as_of(d["customer"], timezone.now()),
    )


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(ServiceAddAdmin):
    form = RedeemForm
    list_display = (
        "coupon",
        "customer",
        "subscription",
        "status",
        "periods_applied",
        "amount_discounted",
        "redeemed_at",
    )
    list_filter = ("status", "coupon")
    search_fields = ("customer__external_id", "coupon__code")
    list_select_related = ("customer", "coupon")
    autocomplete_fields = ("customer", "subscription")
    actions = ("remove_selected",)
    create = staticmethod(coupon_redeem)

    @admin.action(description="Remove selected coupons (no further discounts)")
    def remove_selected(self, request: HttpRequest, queryset: QuerySet[CouponRedemption]) -> None:
        for redemption in queryset:
            try:
                services.coupon_redemption_remove(
                    redemption_id=redemption.pk,
                    actor=Actor.for_user(request.user),
                    as_of=customer_id_as_of(redemption.customer_id, timezone.now()),
                    reason="removed in the admin",
                )
            except ApplicationError as exc:
                self.message_user(request, f"{redemption}: {exc.message}", messages.WARNING)


class BalanceInline(admin.TabularInline[CustomerBalanceTransaction, Customer]):
    model = CustomerBalanceTransaction
    extra = 0
    can_delete = False
    max_num = 0
    fields = ("created_at", "kind", "moved", "balance", "reason", "created_by")
    readonly_fields = fields

    @admin.display(description="amount")
    def moved(self, obj: CustomerBalanceTransaction) -> str:
        return money(obj.amount, obj.currency)

    @admin.display(description="balance after")
    def balance(self, obj: CustomerBalanceTransaction) -> str:
        return money(obj.balance_after, obj.currency)

    ordering = ("-created_at", "-id")
    verbose_name_plural = "credit balance (add through Balance transactions)"


class RedemptionInline(admin.TabularInline[CouponRedemption, Customer]):
    model = CouponRedemption
    extra = 0
    can_delete = False
    max_num = 0
    fields = (
        "coupon",
        "subscription",
        "status",
        "periods_applied",
        "amount_discounted",
        "redeemed_at",
    )
    readonly_fields = fields
    verbose_name_plural = "coupons (redeem through Coupon redemptions)"
