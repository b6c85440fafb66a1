"""The catalog back office: products, plans and their price timeline, price books built on one
screen (version, charges with their tiers, features), copy and publish, and a price preview."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from catalog import selectors, services
from catalog.admin_charges import ChargeInline
from catalog.models import (
    AddOn,
    BillableMetric,
    Charge,
    Coupon,
    Feature,
    Plan,
    PlanVersion,
    Product,
    TaxRate,
    VersionFeature,
    VersionStatus,
)
from catalog.pricing import PricingError, plain
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceChangeFormMixin
from core.audit import Actor, audit_context
from core.exceptions import ApplicationError


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)


class CatalogAdmin(ServiceChangeFormMixin, HistoryAdminMixin, admin.ModelAdmin[Any]):
    """Adds go through the app's create service; edits are saved with their audit context."""

    create_service: Callable[..., models.Model] | None = None
    create_fields: tuple[str, ...] = ()
    readonly_fields = ("created_at", "updated_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        now = timezone.now()
        if change or type(self).create_service is None:
            with transaction.atomic(), audit_context(actor=_actor(request), reason="admin edit"):
                obj.updated_at = now
                if not change:
                    obj.created_at = now
                obj.save()
            return
        data = {f: form.cleaned_data[f] for f in self.create_fields if f in form.cleaned_data}
        service = type(self).create_service
        assert service is not None
        created = service(actor=_actor(request), as_of=now, data=data, reason="admin")
        obj.pk = created.pk
        obj.created_at = created.created_at  # type: ignore[attr-defined]
        obj.updated_at = created.updated_at  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        with transaction.atomic(), audit_context(actor=_actor(request), reason="admin edit"):
            super().save_related(request, form, formsets, change)


@admin.register(Product)
class ProductAdmin(CatalogAdmin):
    list_display = ("code", "name", "created_at", "archived_at")
    search_fields = ("code", "name")
    create_service = staticmethod(services.product_create)
    create_fields = services.PRODUCT_FIELDS


class VersionRowInline(admin.TabularInline[PlanVersion, Plan]):
    """The plan's price timeline: its versions in the order they take effect."""

    model = PlanVersion
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("effective_from", "number")
    fields = ("number", "status", "effective_from", "effective_until", "fixed_fee", "fee_timing")
    readonly_fields = fields
    verbose_name_plural = "price timeline (versions in the order they take effect)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(CatalogAdmin):
    list_display = ("code", "name", "currency", "interval", "version_in_force", "archived_at")
    list_filter = ("currency", "interval_unit")
    search_fields = ("code", "name")
    inlines = (VersionRowInline,)
    create_service = staticmethod(services.plan_create)
    create_fields = services.PLAN_FIELDS

    @admin.display(description="interval")
    def interval(self, obj: Plan) -> str:
        return obj.interval_label

    @admin.display(description="in force now")
    def version_in_force(self, obj: Plan) -> str:
        try:
            return selectors.plan_version_at(plan=obj, at=timezone.now()).label
        except selectors.NoPriceInForce:
            return "—"

    def get_readonly_fields(self, request: HttpRequest, obj: Plan | None = None) -> Any:
        fields = ("created_at", "updated_at")
        if obj is not None and obj.versions.filter(status=VersionStatus.PUBLISHED).exists():
            # what a published price book was sold in never changes
            return (*fields, "code", "currency", "interval_unit", "interval_count")
        return fields


class VersionFeatureInline(admin.TabularInline[VersionFeature, PlanVersion]):
    model = VersionFeature
    extra = 0


class PublishedFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("draft", "Draft"), ("published", "Published")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(status=self.value()) if self.value() else queryset


class PreviewForm(forms.Form):
    charge = forms.ModelChoiceField(queryset=Charge.objects.none())
    quantity = forms.DecimalField(min_value=Decimal(0), max_digits=30, decimal_places=12)
    transactions = forms.CharField(
        required=False,
        help_text="Percentage charges with per-transaction fees: amounts separated by commas.",
    )

    def __init__(self, *args: Any, version: PlanVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["charge"].queryset = version.charges.select_related("metric")  # type: ignore[attr-defined]
        self.fields["quantity"].required = False

    def clean_transactions(self) -> list[Decimal]:
        raw = self.cleaned_data.get("transactions") or ""
        try:
            return [Decimal(x.strip()) for x in raw.split(",") if x.strip()]
        except InvalidOperation:
            raise forms.ValidationError("Amounts must be numbers separated by commas.") from None


@admin.register(PlanVersion)
class PlanVersionAdmin(HistoryAdminMixin, admin.ModelAdmin[PlanVersion]):
    """One screen for a price book: its fee and trial, its charges (with tiers) and features."""

    list_display = ("__str__", "plan", "status", "effective_from", "effective_until", "fixed_fee")
    list_filter = (PublishedFilter, "plan")
    search_fields = ("plan__code", "plan__name", "note")
    list_select_related = ("plan",)
    inlines = (ChargeInline, VersionFeatureInline)
    actions = ("publish_selected", "copy_selected")
    fields = (
        "plan", "effective_from", "effective_until", "fixed_fee", "fee_timing", "trial_days",
        "note", "number", "status", "published_at", "copied_from", "created_at", "updated_at",
    )  # fmt: skip
    change_form_template = "admin/catalog/planversion/change_form.html"

    def get_readonly_fields(self, request: HttpRequest, obj: PlanVersion | None = None) -> Any:
        base = ("number", "status", "published_at", "copied_from", "created_at", "updated_at")
        return (*base, "plan") if obj is not None else base

    def has_change_permission(self, request: HttpRequest, obj: PlanVersion | None = None) -> bool:
        if obj is not None and obj.is_published:
            return False  # published price books are read-only; copy to change a price
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: PlanVersion | None = None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: PlanVersion, form: Any, change: bool) -> None:
        now = timezone.now()
        with audit_context(actor=_actor(request), reason="admin edit of a draft"):
            if not change:
                Plan.objects.select_for_update().get(pk=obj.plan_id)
                obj.number = (obj.plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
                obj.created_at = now
                obj.status = VersionStatus.DRAFT
            obj.updated_at = now
            obj.save()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        with audit_context(actor=_actor(request), reason="admin edit of a draft"):
            super().save_related(request, form, formsets, change)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="catalog_planversion_preview",
            ),
            path(
                "<int:pk>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="catalog_planversion_publish",
            ),
            path(
                "<int:pk>/copy/",
                self.admin_site.admin_view(self.copy_view),
                name="catalog_planversion_copy",
            ),
        ]
        return own + super().get_urls()

    def _run(self, request: HttpRequest, label: str, call: Callable[[], Any]) -> Any:
        try:
            result = call()
        except ApplicationError as exc:
            self.message_user(request, f"{label}: {exc.message}", messages.ERROR)
            return None
        return result

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(PlanVersion, pk=pk)
        if request.method == "POST":
            done = self._run(
                request,
                str(version),
                lambda: services.plan_version_publish(
                    version_id=pk, actor=_actor(request), as_of=timezone.now(), reason="admin"
                ),
            )
            if done is not None:
                self.message_user(request, f"{version} is published.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:catalog_planversion_change", args=[pk]))

    def copy_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method == "POST":
            copy = self._run(
                request,
                "copy",
                lambda: services.plan_version_copy(
                    version_id=pk, actor=_actor(request), as_of=timezone.now(), reason="admin"
                ),
            )
            if copy is not None:
                self.message_user(
                    request, f"Draft {copy} created: edit it, then publish.", messages.SUCCESS
                )
                return HttpResponseRedirect(
                    reverse("admin:catalog_planversion_change", args=[copy.pk])
                )
        return HttpResponseRedirect(reverse("admin:catalog_planversion_change", args=[pk]))

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(PlanVersion.objects.select_related("plan"), pk=pk)
        form = PreviewForm(request.POST or None, version=version)
        rating = explanation = None
        details: dict[str, Any] = {}
        if request.method == "POST" and form.is_valid():
            charge = form.cleaned_data["charge"]
            charge.plan_version = version
            rater = selectors.charge_rater(charge=charge)
            try:
                transactions = form.cleaned_data["transactions"]
                if transactions:
                    if not hasattr(rater, "rate_transactions"):
                        raise PricingError("Transactions apply to percentage charges only.")
                    rating = rater.rate_transactions(transactions)
                elif form.cleaned_data["quantity"] is None:
                    raise PricingError("Give a quantity.")
                else:
                    rating = rater.rate(form.cleaned_data["quantity"])
                details = rating.explanation()
                explanation = json.dumps(details, indent=2)
            except PricingError as exc:
                form.add_error(None, exc.message)
                rating = None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Price preview: {version}",
            "version": version,
            "form": form,
            "rating": rating,
            "explanation": explanation,
            "formula": details.get("formula", ""),
            "tiers": details.get("tiers", []),
        }
        return TemplateResponse(request, "admin/catalog/planversion/preview.html", context)

    @admin.action(description="Publish selected drafts")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[PlanVersion]) -> None:
        for version in queryset.order_by("effective_from"):
            if self._run(
                request,
                str(version),
                lambda v=version: services.plan_version_publish(  # type: ignore[misc]
                    version_id=v.pk, actor=_actor(request), as_of=timezone.now(), reason="admin"
                ),
            ):
                self.message_user(request, f"{version} is published.")

    @admin.action(description="Copy as a new draft version")
    def copy_selected(self, request: HttpRequest, queryset: QuerySet[PlanVersion]) -> None:
        for version in queryset:
            copy = self._run(
                request,
                str(version),
                lambda v=version: services.plan_version_copy(  # type: ignore[misc]
                    version_id=v.pk, actor=_actor(request), as_of=timezone.now(), reason="admin"
                ),
            )
            if copy is not None:
                self.message_user(request, f"Draft {copy} created from {version}.")


@admin.register(BillableMetric)
class BillableMetricAdmin(CatalogAdmin):
    list_display = ("code", "name", "aggregation", "field_name", "archived_at")
    list_filter = ("aggregation",)
    search_fields = ("code", "name")
    create_service = staticmethod(services.metric_create)
    create_fields = services.METRIC_FIELDS

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            changes = {f: form.cleaned_data[f] for f in form.changed_data}
            try:
                services.metric_update(
                    metric_id=obj.pk, actor=_actor(request), as_of=timezone.now(),
                    changes=changes, reason="admin edit",
                )  # fmt: skip
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            return
        super().save_model(request, obj, form, change)


@admin.register(Feature)
class FeatureAdmin(CatalogAdmin):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    create_service = staticmethod(services.feature_create)
    create_fields = services.FEATURE_FIELDS


@admin.register(Coupon)
class CouponAdmin(CatalogAdmin):
    list_display = ("code", "name", "kind", "discount", "duration", "redeem_by", "archived_at")
    list_filter = ("kind", "duration")
    search_fields = ("code", "name")
    filter_horizontal = ("plans",)

    @admin.display(description="discount")
    def discount(self, obj: Coupon) -> str:
        if obj.kind == Coupon.Kind.PERCENT and obj.percent_off is not None:
            return f"{plain(obj.percent_off)}%"
        return f"{obj.amount_off} {obj.currency}"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = {f: form.cleaned_data.get(f) for f in services.COUPON_FIELDS}
        data["currency"] = data.get("currency") or ""
        created = services.coupon_create(
            actor=_actor(request), as_of=timezone.now(), data=data,
            plan_ids=[p.pk for p in form.cleaned_data.get("plans", [])], reason="admin",
        )  # fmt: skip
        obj.pk, obj.created_at, obj.updated_at = created.pk, created.created_at, created.updated_at

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)


@admin.register(AddOn)
class AddOnAdmin(CatalogAdmin):
    list_display = ("code", "name", "amount", "currency", "archived_at")
    list_filter = ("currency",)
    search_fields = ("code", "name")
    create_service = staticmethod(services.addon_create)
    create_fields = services.ADDON_FIELDS


@admin.register(TaxRate)
class TaxRateAdmin(CatalogAdmin):
    list_display = ("code", "name", "percentage", "inclusive", "country", "region")
    list_filter = ("inclusive", "country")
    search_fields = ("code", "name")
    create_service = staticmethod(services.tax_rate_create)
    create_fields = services.TAX_FIELDS
