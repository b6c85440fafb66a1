"""Interim billings in the admin (Invoicing > Interim billings): usage billed before its period's
end (invoicing/services/interim.py), by a usage threshold reached (progressive billing) or by a
charge paid in advance. Read only: the rows are written by the interim service, one per charge
and billing. Filter by subscription and reason; an invoice's page says why it was issued
(`interim_summary`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from invoicing.admin_display import instant, money
from invoicing.models import InterimBilling, Invoice


def interim_why(row: InterimBilling, currency: str) -> str:
    """Why a charge's usage was billed before its period's end, in words."""
    name = row.charge.display_name or row.charge.metric.name
    if row.reason == InterimBilling.Reason.THRESHOLD:
        level = money(row.threshold, currency) if row.threshold is not None else "?"
        why = f"usage threshold {level} reached"
    else:
        why = "charge paid in advance"
    return (
        f"{name}: {why}; usage so far {money(row.billed_to, currency)}, "
        f"billed here {money(row.amount, currency)}"
    )


def interim_summary(invoice: Invoice) -> SafeString | str:
    """The interim billings on an invoice, one per line of text (none: "-")."""
    rows = list(
        InterimBilling.objects.filter(invoice=invoice)
        .select_related("charge__metric")
        .order_by("id")
    )
    if not rows:
        return "-"
    return format_html_join(
        mark_safe("<br>"), "{}", ((interim_why(row, invoice.currency),) for row in rows)
    )


@admin.register(InterimBilling)
class InterimBillingAdmin(admin.ModelAdmin[InterimBilling]):
    list_display = (
        "id", "subscription_link", "period_start_shown", "charge_shown", "reason",
        "threshold_shown", "billed_to_shown", "amount_shown", "usage_until_shown", "invoice_link",
    )  # fmt: skip
    list_filter = (("subscription", admin.RelatedOnlyFieldListFilter), "reason")
    search_fields = ("invoice__number", "subscription__customer__external_id")
    list_select_related = ("subscription__customer", "charge__metric", "invoice")
    fields = readonly_fields = (
        "subscription_link", "period_start_shown", "charge_shown", "reason", "threshold_shown",
        "quantity", "billed_to_shown", "amount_shown", "usage_until_shown", "invoice_link",
        "created_at",
    )  # fmt: skip
    date_hierarchy = "usage_until"

    def get_queryset(self, request: HttpRequest) -> QuerySet[InterimBilling]:
        return (
            super()
            .get_queryset(request)
            .select_related("subscription__customer", "charge__metric", "invoice")
        )

    @admin.display(description="subscription", ordering="subscription")
    def subscription_link(self, obj: InterimBilling) -> SafeString:
        return format_html(
            '<a href="{}">#{} {}</a>',
            reverse("admin:billing_subscription_change", args=[obj.subscription_id]),
            obj.subscription_id,
            obj.subscription.customer.external_id,
        )

    @admin.display(description="period start", ordering="period_start")
    def period_start_shown(self, obj: InterimBilling) -> str:
        return instant(obj.period_start)

    @admin.display(description="usage up to", ordering="usage_until")
    def usage_until_shown(self, obj: InterimBilling) -> str:
        return instant(obj.usage_until)

    @admin.display(description="charge")
    def charge_shown(self, obj: InterimBilling) -> str:
        return f"{obj.charge.display_name or obj.charge.metric.name} ({obj.charge.metric.code})"

    @admin.display(description="threshold", ordering="threshold")
    def threshold_shown(self, obj: InterimBilling) -> str:
        return "-" if obj.threshold is None else money(obj.threshold, obj.invoice.currency)

    @admin.display(description="usage so far (rated)")
    def billed_to_shown(self, obj: InterimBilling) -> str:
        return money(obj.billed_to, obj.invoice.currency)

    @admin.display(description="billed here", ordering="amount")
    def amount_shown(self, obj: InterimBilling) -> str:
        return money(obj.amount, obj.invoice.currency)

    @admin.display(description="invoice", ordering="invoice")
    def invoice_link(self, obj: InterimBilling) -> SafeString:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:invoicing_invoice_change", args=[obj.invoice_id]),
            obj.invoice.number or f"draft #{obj.invoice_id}",
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
