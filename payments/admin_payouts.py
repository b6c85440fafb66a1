"""Admin: payees (with their payout methods, customers and schedules shown inline, each added on
its own page), payout schedules ("run to date now"), and payouts (filters, the timeline of every
gateway call, "retry now" and "cancel"). Every write goes through payments.services.payouts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from catalog.admin_display import money
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin, actor_of
from payments.models.payouts import (
    Payee,
    PayeeCustomer,
    Payout,
    PayoutMethod,
    PayoutSchedule,
)
from payments.services import payouts as services


class _ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PayoutMethodInline(_ReadOnlyInline):
    model = PayoutMethod
    fields = readonly_fields = ("gateway", "label", "token", "is_default", "state")


class PayeeCustomerInline(_ReadOnlyInline):
    model = PayeeCustomer
    fields = readonly_fields = ("customer", "created_at", "unlinked_at")


class PayoutScheduleInline(_ReadOnlyInline):
    model = PayoutSchedule
    fields = readonly_fields = (
        "interval_unit",
        "interval_count",
        "anchor",
        "amount_kind",
        "fixed_amount",
        "percentage",
        "active",
        "next_period_end",
    )


@admin.register(Payee)
class PayeeAdmin(HistoryAdminMixin, ServiceModelAdmin):
    list_display = ("external_id", "name", "currency", "timezone", "state", "created_at")
    list_filter = ("state", "currency")
    search_fields = ("external_id", "name", "email")
    actions = ("archive_selected",)
    inlines = (PayoutMethodInline, PayeeCustomerInline, PayoutScheduleInline)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return services.PAYEE_FIELDS
        return (*services.PAYEE_FIELDS, "state", "created_at", "archived_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return tuple(
            f for f in self.get_fields(request, obj) if f not in services.PAYEE_UPDATE_FIELDS
        )

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        data = {f: form.cleaned_data.get(f) for f in services.PAYEE_FIELDS}
        return services.payee_create(
            data=data, actor=actor_of(request), as_of=timezone.now(), reason="added in the admin"
        )

    def service_update(
        self, request: HttpRequest, obj: Payee, form: Any, formsets: list[Any]
    ) -> Any:
        changes = {
            f: form.cleaned_data[f] for f in form.changed_data if f in services.PAYEE_UPDATE_FIELDS
        }
        return services.payee_update(
            payee_id=obj.pk,
            changes=changes,
            actor=actor_of(request),
            as_of=timezone.now(),
            reason="edited in the admin",
        )

    @admin.action(description="Archive the selected payees (their schedules stop)")
    def archive_selected(self, request: HttpRequest, queryset: QuerySet[Payee]) -> None:
        self.each(
            request,
            queryset,
            lambda p: services.payee_archive(
                payee_id=p.pk,
                actor=actor_of(request),
                as_of=timezone.now(),
                reason="archived in the admin",
            ),
            "payee(s) archived.",
        )


@admin.register(PayoutMethod)
class PayoutMethodAdmin(HistoryAdminMixin, ServiceModelAdmin):
    list_display = ("__str__", "payee", "gateway", "is_default", "state", "created_at")
    list_filter = ("gateway", "state", "is_default")
    search_fields = ("payee__external_id", "payee__name", "label", "token")
    list_select_related = ("payee",)
    fields = ("payee", "gateway", "token", "label")
    actions = ("make_default_selected", "detach_selected")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.fields

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        d = form.cleaned_data
        return services.payout_method_add(
            payee_id=d["payee"].pk,
            gateway=d["gateway"],
            token=d["token"],
            label=d["label"],
            actor=actor_of(request),
            as_of=timezone.now(),
            reason="added in the admin",
        )

    @admin.action(description="Make the selected method its payee's default")
    def make_default_selected(self, request: HttpRequest, queryset: QuerySet[PayoutMethod]) -> None:
        self.each(
            request,
            queryset,
            lambda m: services.payout_method_set_default(
                payout_method_id=m.pk,
                actor=actor_of(request),
                as_of=timezone.now(),
                reason="in the admin",
            ),
            "payout method(s) made default.",
        )

    @admin.action(description="Detach the selected payout methods")
    def detach_selected(self, request: HttpRequest, queryset: QuerySet[PayoutMethod]) -> None:
        self.each(
            request,
            queryset,
            lambda m: services.payout_method_detach(
                payout_method_id=m.pk,
                actor=actor_of(request),
                as_of=timezone.now(),
                reason="in the admin",
            ),
            "payout method(s) detached.",
        )


@admin.register(PayeeCustomer)
class PayeeCustomerAdmin(HistoryAdminMixin, ServiceModelAdmin):
    list_display = ("__str__", "payee", "customer", "created_at", "unlinked_at")
    list_select_related = ("payee", "customer")
    list_filter = (("unlinked_at", admin.EmptyFieldListFilter),)
    search_fields = ("payee__external_id", "customer__external_id")
    autocomplete_fields = ("customer",)
    fields = ("payee", "customer")
    actions = ("remove_selected",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields if obj is None else (*self.fields, "created_at", "unlinked_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.get_fields(request, obj)

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        return services.payee_customer_add(
            payee_id=form.cleaned_data["payee"].pk,
            customer_id=form.cleaned_data["customer"].pk,
            actor=actor_of(request),
            as_of=timezone.now(),
            reason="added in the admin",
        )

    @admin.action(description="Stop counting the selected customers for their payees")
    def remove_selected(self, request: HttpRequest, queryset: QuerySet[PayeeCustomer]) -> None:
        self.each(
            request,
            queryset,
            lambda link: services.payee_customer_remove(
                link_id=link.pk,
                actor=actor_of(request),
                as_of=timezone.now(),
                reason="removed in the admin",
            ),
            "customer(s) removed.",
        )


class PayoutScheduleForm(forms.ModelForm[PayoutSchedule]):
    def _post_clean(self) -> None:
        """No model validation here (its constraint would refuse a bad amount on no field):
        the form never saves; the service refuses bad input on its field, and the row's
        constraints stand behind it."""

    class Meta:
        model = PayoutSchedule
        fields = (
            "payee",
            "interval_unit",
            "interval_count",
            "anchor",
            "amount_kind",
            "fixed_amount",
            "percentage",
            "active",
        )


@admin.register(PayoutSchedule)
class PayoutScheduleAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = PayoutScheduleForm
    list_display = (
        "__str__",
        "payee",
        "amount_kind",
        "active",
        "next_period_start",
        "next_period_end",
    )
    list_filter = ("active", "interval_unit", "amount_kind", "currency")
    search_fields = ("payee__external_id", "payee__name")
    list_select_related = ("payee",)
    actions = ("run_selected",)
    create_fields = (
        "payee",
        "interval_unit",
        "interval_count",
        "anchor",
        "amount_kind",
        "fixed_amount",
        "percentage",
    )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.create_fields
        return (
            *self.create_fields, "active", "currency", "next_period_start", "next_period_end",
            "switched_off_at", "counts_from",
        )  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        editable = set(services.SCHEDULE_UPDATE_FIELDS)
        return tuple(f for f in self.get_fields(request, obj) if f not in editable)

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        d = form.cleaned_data
        return services.payout_schedule_create(
            payee_id=d["payee"].pk,
            interval_unit=d["interval_unit"],
            interval_count=d["interval_count"],
            anchor=d["anchor"],
            amount_kind=d["amount_kind"],
            fixed_amount=d.get("fixed_amount"),
            percentage=d.get("percentage"),
            actor=actor_of(request),
            as_of=timezone.now(),
            reason="added in the admin",
        )

    def service_update(
        self, request: HttpRequest, obj: PayoutSchedule, form: Any, formsets: list[Any]
    ) -> Any:
        changes = {
            f: form.cleaned_data[f]
            for f in form.changed_data
            if f in services.SCHEDULE_UPDATE_FIELDS
        }
        return services.payout_schedule_update(
            schedule_id=obj.pk,
            changes=changes,
            actor=actor_of(request),
            as_of=timezone.now(),
            reason="edited in the admin",
        )

    @admin.action(description="Run the selected schedules to date now (pay ended periods)")
    def run_selected(self, request: HttpRequest, queryset: QuerySet[PayoutSchedule]) -> None:
        self.each(
            request,
            queryset,
            lambda sch: services.payout_schedule_run(
                schedule_id=sch.pk, actor=actor_of(request), as_of=timezone.now()
            ),
            "schedule(s) run to date.",
        )


def payout_timeline(payout: Payout) -> SafeString:
    """Every gateway call of the payout, oldest first."""
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                f"{c.at:%Y-%m-%d %H:%M:%S}",
                c.attempt,
                c.action,
                c.gateway or "-",
                c.outcome,
                c.reason or c.reference,
                c.message,
            )
            for c in payout.calls.all()
        ),
    )
    if not rows:
        return format_html("<p>{}</p>", "Nothing was sent yet.")
    return format_html(
        "<table><tr><th>at</th><th>attempt</th><th>call</th><th>gateway</th><th>outcome</th>"
        "<th>reason / reference</th><th>message</th></tr>{}</table>",
        rows,
    )


@admin.register(Payout)
class PayoutAdmin(HistoryAdminMixin, ServiceModelAdmin):
    list_display = (
        "__str__",
        "payee",
        "period_start",
        "period_end",
        "shown_amount",
        "state",
        "attempts",
        "next_retry_at",
        "paid_at",
    )
    list_filter = ("state", "currency", "amount_kind", "gateway")
    search_fields = ("payee__external_id", "payee__name", "gateway_reference", "idempotency_key")
    list_select_related = ("payee",)
    date_hierarchy = "period_start"
    actions = ("retry_selected", "cancel_selected")
    shown = (
        "payee",
        "schedule",
        "period_start",
        "period_end",
        "amount_kind",
        "shown_amount",
        "percentage",
        "payments_total",
        "refunds_total",
        "carried_in",
        "carried_out",
        "basis",
        "state",
        "method",
        "gateway",
        "gateway_reference",
        "idempotency_key",
        "attempts",
        "requested_at",
        "next_retry_at",
        "failure_code",
        "failure_message",
        "paid_at",
        "canceled_at",
        "cancel_reason",
        "created_by",
        "created_at",
        "timeline",
    )
    fields = readonly_fields = shown

    @admin.display(description="amount")
    def shown_amount(self, obj: Payout) -> str:
        return money(obj.amount, obj.currency)

    @admin.display(description="what it counted")
    def basis(self, obj: Payout) -> SafeString | str:
        items = list(obj.basis_items.order_by("id")[: self.BASIS_SHOWN + 1])
        if not items:
            return "-"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"payment #{i.payment_id}" if i.payment_id else f"refund #{i.refund_id}",
                    money(i.amount, obj.currency),
                )
                for i in items[: self.BASIS_SHOWN]
            ),
        )
        more = "<tr><td colspan=2>…</td></tr>" if len(items) > self.BASIS_SHOWN else ""
        return format_html("<table>{}{}</table>", rows, SafeString(more))

    BASIS_SHOWN = 200

    @admin.display(description="gateway calls")
    def timeline(self, obj: Payout) -> SafeString:
        return payout_timeline(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the clock makes payouts (or "run to date" on a schedule)

    @admin.action(description="Retry the selected payouts now", permissions=["change"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[Payout]) -> None:
        self.each(
            request,
            queryset,
            lambda p: services.payout_retry_now(
                payout_id=p.pk, actor=actor_of(request), as_of=timezone.now()
            ),
            "payout(s) queued to be sent again.",
        )

    @admin.action(
        description="Cancel the selected payouts (no longer owed)", permissions=["change"]
    )
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Payout]) -> None:
        who = getattr(request.user, "get_username", lambda: "staff")()
        self.each(
            request,
            queryset,
            lambda p: services.payout_cancel(
                payout_id=p.pk,
                reason=f"canceled in the admin by {who}",
                actor=actor_of(request),
                as_of=timezone.now(),
            ),
            "payout(s) canceled.",
        )
