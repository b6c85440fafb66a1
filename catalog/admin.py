"""The catalog back office: products, plans and their price timeline, price books built on one
screen (version, charges with their tiers, features), copy and publish, and a price preview."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from catalog import selectors, services
from catalog.admin_charges import ChargeInline
from catalog.admin_display import money
from catalog.admin_fields import CodeFieldsMixin
from catalog.admin_policies import ChangePolicyInline
from catalog.models import (
    AddOn,
    BillableMetric,
    Charge,
    Coupon,
    Feature,
    OneTimeFee,
    Plan,
    PlanPhase,
    PlanVersion,
    Product,
    TaxCategory,
    TaxRate,
    UsageThreshold,
    VersionFeature,
    VersionStatus,
)
from catalog.pricing import PricingError, plain
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin, add_service_error
from core.audit import Actor
from core.exceptions import ApplicationError


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)


def _discard(version_id: int, request: HttpRequest) -> bool:
    services.plan_version_discard(
        version_id=version_id, actor=_actor(request), as_of=timezone.now(), reason="admin"
    )
    return True


class CatalogAdmin(CodeFieldsMixin, HistoryAdminMixin, ServiceModelAdmin):
    """Adds go through the model's create service and edits through its update service (only
    the fields that changed are sent); a refusal is an error on its field. The code, and what
    the update service keeps frozen, are read-only once the object exists."""

    create_service: Callable[..., models.Model] | None = None
    create_fields: tuple[str, ...] = ()
    update_service: Callable[..., models.Model] | None = None
    update_id: str = ""
    frozen_on_change: tuple[str, ...] = ("code",)
    base_readonly: tuple[str, ...] = ("created_at", "updated_at", "archived_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(f for f in self.base_readonly if hasattr(self.model, f))
        return (*self.frozen_on_change, *fields) if obj is not None else fields

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not hasattr(self.model, "archived_at") or type(self).update_service is None:
            actions.pop("archive_selected", None)
            actions.pop("restore_selected", None)
        return actions

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        service = type(self).create_service
        assert service is not None
        data = {f: form.cleaned_data[f] for f in self.create_fields if f in form.cleaned_data}
        return service(actor=_actor(request), as_of=timezone.now(), data=data, reason="admin")

    def update_changes(self, form: Any) -> dict[str, Any]:
        return {f: form.cleaned_data[f] for f in form.changed_data if f in form.cleaned_data}

    def service_update(self, request: HttpRequest, obj: Any, form: Any, formsets: list[Any]) -> Any:
        return self._update(request, obj.pk, self.update_changes(form), "edited in the admin")

    def _update(self, request: HttpRequest, pk: int, changes: dict[str, Any], reason: str) -> Any:
        service = type(self).update_service
        if service is None:
            raise PermissionDenied
        return service(
            **{self.update_id: pk}, actor=_actor(request), as_of=timezone.now(),
            changes=changes, reason=reason,
        )  # fmt: skip

    def _archive(self, request: HttpRequest, queryset: QuerySet[Any], archived: bool) -> None:
        what = "archived (no new sales)" if archived else "restored"
        self.each(
            request,
            queryset,
            lambda obj: self._update(request, obj.pk, {"archived": archived}, "admin action"),
            f"{self.opts.verbose_name_plural} {what}.",
        )

    @admin.action(description="Archive selected (kept for what was sold; no new sales)")
    def archive_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._archive(request, queryset, True)

    @admin.action(description="Restore selected archived")
    def restore_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._archive(request, queryset, False)

    actions = ("archive_selected", "restore_selected")


@admin.register(Product)
class ProductAdmin(CatalogAdmin):
    list_display = ("code", "name", "tax_rate", "created_at", "archived_at")
    list_select_related = ("tax_rate",)
    search_fields = ("code", "name")
    create_service = staticmethod(services.product_create)
    create_fields = services.PRODUCT_FIELDS
    update_service = staticmethod(services.product_update)
    update_id = "product_id"


class VersionRowInline(admin.TabularInline[PlanVersion, Plan]):
    """The plan's price timeline: its versions in the order they take effect."""

    model = PlanVersion
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("effective_from", "number")
    fields = ("number", "status", "effective_from", "effective_until", "fee", "fee_timing")
    readonly_fields = fields
    verbose_name_plural = "price timeline (versions in the order they take effect)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="fixed fee")
    def fee(self, obj: PlanVersion) -> str:
        return money(obj.fixed_fee, obj.plan.currency)


@admin.register(Plan)
class PlanAdmin(CatalogAdmin):
    list_display = ("code", "name", "currency", "interval", "version_in_force", "archived_at")
    list_filter = ("currency", "interval_unit")
    search_fields = ("code", "name")
    inlines = (VersionRowInline, ChangePolicyInline)
    create_service = staticmethod(services.plan_create)
    create_fields = services.PLAN_FIELDS
    update_service = staticmethod(services.plan_update)
    update_id = "plan_id"

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
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.versions.filter(status=VersionStatus.PUBLISHED).exists():
            return (*fields, *services.SOLD_PLAN_FIELDS)  # what a price book was sold in
        return fields


class VersionFeatureInline(admin.TabularInline[VersionFeature, PlanVersion]):
    model = VersionFeature
    extra = 0


class OneTimeFeeInline(admin.TabularInline[OneTimeFee, PlanVersion]):
    """A price book's one-time fees (a setup fee): billed once, on a subscription's invoice at
    its start; prorated (a share of its first paid period, when that is a stub) or in full."""

    model = OneTimeFee
    extra = 0
    fields = ("name", "amount", "prorate", "tax_rate", "position")
    verbose_name_plural = "one-time fees (billed once, at the subscription's start)"


ONE_TIME_FEE_SPEC = ("name", "amount", "prorate", "tax_rate")


class PhaseFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    """A form posted without the phases' rows (its management form) keeps the version's phases
    (`omitted`). The rows' order (position, then as typed) is the phases' order: the catalog
    service numbers them 0, 1, ... and checks them (not the rows' own unique positions)."""

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        prefix = kwargs.get("prefix") or self.get_default_prefix()
        self.omitted = data is not None and f"{prefix}-TOTAL_FORMS" not in data
        if self.omitted:
            data = data.copy()
            data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
        super().__init__(data, *args, **kwargs)

    def validate_unique(self) -> None:
        return  # the service renumbers the phases in their order


class PhaseForm(forms.ModelForm[PlanPhase]):
    class Meta:
        model = PlanPhase
        fields = ("position", "name", "kind", "periods", "fixed_fee")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "position" in self.fields:  # not on a published version's read-only rows
            self.fields["position"].required = False  # empty: after the rows above it

    def validate_unique(self) -> None:
        return  # positions are the service's (PhaseFormSet)


class PhaseInline(admin.TabularInline[PlanPhase, PlanVersion]):
    """A price book's plan phases, in order (trial, discount, fixed term, evergreen): a
    subscription walks through them from its first paid period, each lasting `periods` whole
    billing periods (empty: open-ended, the last one only) at its own fixed fee, which
    replaces the version's. Saved through the catalog service with the rest of the book."""

    model = PlanPhase
    form = PhaseForm
    formset = PhaseFormSet
    extra = 0
    fields = ("position", "name", "kind", "periods", "fixed_fee")
    verbose_name = "plan phase"
    verbose_name_plural = (
        "plan phases (walked in order from the first paid period; each phase's fixed fee "
        "replaces the version's; periods empty: open-ended, the last phase only)"
    )

    def _editable(self, request: HttpRequest, obj: PlanVersion | None) -> bool:
        return obj is None or not obj.is_published

    def get_fields(self, request: HttpRequest, obj: PlanVersion | None = None) -> Any:
        if self._editable(request, obj):
            return self.fields
        return ("position", "name", "kind", "length", "fee")

    def get_readonly_fields(self, request: HttpRequest, obj: PlanVersion | None = None) -> Any:
        if self._editable(request, obj):
            return ()
        return ("position", "name", "kind", "length", "fee")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj) and super().has_delete_permission(request, obj)

    @admin.display(description="periods")
    def length(self, obj: PlanPhase) -> str:
        return "open-ended" if obj.periods is None else str(obj.periods)

    @admin.display(description="fixed fee")
    def fee(self, obj: PlanPhase) -> str:
        return money(obj.fixed_fee, obj.plan_version.plan.currency)


PHASE_SPEC = ("name", "kind", "periods", "fixed_fee")


class ThresholdFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    """A form posted without the thresholds' rows (its management form) keeps the version's
    thresholds (`omitted`), as a version field not posted keeps its value."""

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        prefix = kwargs.get("prefix") or self.get_default_prefix()
        self.omitted = data is not None and f"{prefix}-TOTAL_FORMS" not in data
        if self.omitted:
            data = data.copy()
            data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
        super().__init__(data, *args, **kwargs)


class ThresholdForm(forms.ModelForm[UsageThreshold]):
    class Meta:
        model = UsageThreshold
        fields = ("amount", "recurring", "name")

    def clean_amount(self) -> Decimal | None:
        amount: Decimal | None = self.cleaned_data.get("amount")
        if amount is not None and amount <= 0:
            raise forms.ValidationError("A usage threshold is above 0.")
        return amount


class UsageThresholdInline(admin.TabularInline[UsageThreshold, PlanVersion]):
    """A price book's usage thresholds (progressive billing): when the period's usage of its
    charges in arrears reaches one, an invoice bills it at once; the period's end bills the
    rest. Several one-off amounts, at most one recurring (every amount more)."""

    model = UsageThreshold
    form = ThresholdForm
    formset = ThresholdFormSet
    extra = 0
    fields = ("amount", "recurring", "name")
    verbose_name = "usage threshold"
    verbose_name_plural = (
        "usage thresholds (progressive billing: usage invoiced at once when it reaches one)"
    )


THRESHOLD_SPEC = ("amount", "recurring", "name")


CHARGE_SPEC = (
    "metric", "pricing_model", "params", "display_name", "minimum_amount", "tax_rate", "phase",
)  # fmt: skip
ROW_FIELD = re.compile(
    r"^(?P<list>charges|features|one_time_fees|usage_thresholds|phases)"
    r"\[(?P<index>\d+)\]\.(?P<field>\w+)(?P<rest>.*)$"
)


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
class PlanVersionAdmin(HistoryAdminMixin, ServiceModelAdmin):
    """One screen for a price book: its fee and trial, its charges (with tiers) and features.
    Created by `plan_version_create` and edited by `plan_version_update` (the form and its rows
    are the service's input); published after a confirmation; discarded while a draft."""

    list_display = ("__str__", "plan", "status", "effective_from", "effective_until", "fee")
    list_filter = (PublishedFilter, "plan")
    search_fields = ("plan__code", "plan__name", "note")
    list_select_related = ("plan",)
    inlines = (
        PhaseInline, ChargeInline, VersionFeatureInline, OneTimeFeeInline, UsageThresholdInline,
    )  # fmt: skip
    actions = ("publish_selected", "copy_selected", "discard_selected")
    fields = (
        "plan", "effective_from", "effective_until", "fixed_fee", "fee_timing", "trial_days",
        "trial_invoice", "cancellation_credit",
        "proration_unit", "proration_change_day", "minimum_commitment",
        "note", "number", "status", "published_at", "copied_from", "created_at", "updated_at",
    )  # fmt: skip
    change_form_template = "admin/catalog/planversion/change_form.html"

    DEFAULTED = (  # not posted: the default, or kept
        "proration_unit", "proration_change_day", "cancellation_credit",
    )  # fmt: skip

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        for name in self.DEFAULTED:
            if name in form.base_fields:
                form.base_fields[name].required = False
        return form

    def get_readonly_fields(self, request: HttpRequest, obj: PlanVersion | None = None) -> Any:
        base = ("number", "status", "published_at", "copied_from", "created_at", "updated_at")
        return (*base, "plan") if obj is not None else base

    def get_fields(self, request: HttpRequest, obj: PlanVersion | None = None) -> Any:
        if obj is not None and obj.is_published:  # shown, not edited: money in its currency
            shown = {"fixed_fee": "fee", "minimum_commitment": "commitment"}
            return tuple(shown.get(f, f) for f in self.fields)
        return self.fields

    @admin.display(description="fixed fee")
    def fee(self, obj: PlanVersion) -> str:
        return money(obj.fixed_fee, obj.plan.currency)

    @admin.display(description="minimum commitment")
    def commitment(self, obj: PlanVersion) -> str:
        if obj.minimum_commitment is None:
            return "none"
        return f"{money(obj.minimum_commitment, obj.plan.currency)} per period"

    def has_change_permission(self, request: HttpRequest, obj: PlanVersion | None = None) -> bool:
        if obj is not None and obj.is_published:
            return False  # published price books are read-only; copy to change a price
        return super().has_change_permission(request, obj)

    @staticmethod
    def _kept_rows(formset: Any) -> list[Any]:
        """The rows that stay, in their order (position, then as typed): the service's list."""
        rows = [
            f for f in formset.forms
            if f.has_changed() or f.instance.pk
            if not (formset.can_delete and formset._should_delete_form(f))
        ]  # fmt: skip
        return sorted(
            rows, key=lambda f: (f.cleaned_data.get("position") or 0, formset.forms.index(f))
        )

    def _specs(self, formsets: list[Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        charges: list[dict[str, Any]] = []
        features: list[dict[str, Any]] = []
        for formset in formsets:
            if formset.model is Charge:
                charges = [
                    {k: f.cleaned_data.get(k) for k in CHARGE_SPEC}
                    for f in self._kept_rows(formset)
                ]
            elif formset.model is VersionFeature:
                features = [
                    {k: f.cleaned_data.get(k) for k in ("feature", "enabled", "limit")}
                    for f in self._kept_rows(formset)
                ]
        for spec in charges:
            spec["display_name"] = spec.get("display_name") or ""
        return charges, features

    def _fee_specs(self, formsets: list[Any]) -> list[dict[str, Any]]:
        """The one-time fee rows kept, in their order: the service's `one_time_fees`."""
        for formset in formsets:
            if formset.model is OneTimeFee:
                return [
                    {k: f.cleaned_data.get(k) for k in ONE_TIME_FEE_SPEC}
                    for f in self._kept_rows(formset)
                ]
        return []

    def _threshold_specs(self, formsets: list[Any]) -> list[dict[str, Any]] | None:
        """The usage threshold rows kept: the service's `usage_thresholds` (None: not posted,
        kept)."""
        for formset in formsets:
            if formset.model is UsageThreshold:
                if formset.omitted:
                    return None
                return [
                    {k: f.cleaned_data.get(k) for k in THRESHOLD_SPEC}
                    for f in self._kept_rows(formset)
                ]
        return None

    def _phase_specs(self, formsets: list[Any]) -> list[dict[str, Any]] | None:
        """The phase rows kept, in their order: the service's `phases` (None: not posted, kept)."""
        for formset in formsets:
            if formset.model is PlanPhase:
                if formset.omitted:
                    return None
                return [
                    {k: f.cleaned_data.get(k) for k in PHASE_SPEC} for f in self._kept_rows(formset)
                ]
        return None

    def _data(self, form: Any) -> dict[str, Any]:
        data = {f: form.cleaned_data[f] for f in services.VERSION_FIELDS if f in form.cleaned_data}
        for name in self.DEFAULTED:  # a select always posts one; a form posted without it
            if data.get(name) in ("", None):  # keeps the version's (the default when added)
                data.pop(name, None)
        return data

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        charges, features = self._specs(formsets)
        return services.plan_version_create(
            plan_id=form.cleaned_data["plan"].pk, actor=_actor(request), as_of=timezone.now(),
            data=self._data(form), charges=charges, features=features,
            one_time_fees=self._fee_specs(formsets), reason="created in the admin",
            usage_thresholds=self._threshold_specs(formsets) or [],
            phases=self._phase_specs(formsets) or [],
        )  # fmt: skip

    def service_update(self, request: HttpRequest, obj: Any, form: Any, formsets: list[Any]) -> Any:
        charges, features = self._specs(formsets)
        return services.plan_version_update(
            version_id=obj.pk, actor=_actor(request), as_of=timezone.now(),
            data=self._data(form), charges=charges, features=features,
            one_time_fees=self._fee_specs(formsets), reason="edited in the admin",
            usage_thresholds=self._threshold_specs(formsets),
            phases=self._phase_specs(formsets),
        )  # fmt: skip

    def service_error(
        self, form: Any, formsets: list[Any], exc: ApplicationError | ValidationError
    ) -> None:
        """`charges[1].params.tiers[0].to` goes to the second charge row kept, and so on."""
        if isinstance(exc, ValidationError):
            add_service_error(form, exc)
            return
        match = ROW_FIELD.match(exc.field or "")
        if match:
            model = {
                "charges": Charge, "features": VersionFeature, "usage_thresholds": UsageThreshold,
                "phases": PlanPhase,
            }.get(match["list"], OneTimeFee)  # fmt: skip
            for formset in formsets:
                rows = self._kept_rows(formset) if formset.model is model else []
                if int(match["index"]) < len(rows):
                    row = rows[int(match["index"])]
                    if match["field"] == "params" and hasattr(row, "add_pricing_error"):
                        pricing = row.cleaned_data.get("pricing_model") or ""
                        path = (match["rest"] or "").lstrip(".") or None
                        row.add_pricing_error(pricing, PricingError(exc.message, field=path))
                        return
                    field = match["field"] if match["field"] in row.fields else None
                    detail = match["rest"] or ""
                    row.add_error(field, f"{detail.lstrip('.')}: {exc.message}".lstrip(": "))
                    return
        add_service_error(form, exc)

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
        except ValidationError as exc:
            self.message_user(request, f"{label}: {'; '.join(exc.messages)}", messages.ERROR)
            return None
        return result

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """GET: what publishing will do (confirm); POST: publish."""
        version = get_object_or_404(PlanVersion.objects.select_related("plan"), pk=pk)
        self.require(request, "change", version)
        if request.method == "POST" and request.POST.get("confirm") == "yes":
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
        return self._confirm_publish(
            request, [version], reverse("admin:catalog_planversion_publish", args=[pk])
        )

    def _confirm_publish(
        self, request: HttpRequest, versions: list[PlanVersion], post_url: str = ""
    ) -> HttpResponse:
        context = {
            "post_url": post_url,
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Publish price books?",
            "rows": [
                {"version": v, "effects": selectors.publish_effects(version=v)} for v in versions
            ],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/catalog/planversion/publish_confirm.html", context)

    def copy_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.require(request, "add")
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
        if not self.has_view_or_change_permission(request, version):
            raise PermissionDenied
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

    @admin.action(description="Publish selected drafts…")
    def publish_selected(
        self, request: HttpRequest, queryset: QuerySet[PlanVersion]
    ) -> HttpResponse | None:
        versions = list(queryset.select_related("plan").order_by("effective_from"))
        if request.POST.get("confirm") != "yes":
            return self._confirm_publish(request, versions)
        for version in versions:
            if self._run(
                request,
                str(version),
                lambda v=version: services.plan_version_publish(  # type: ignore[misc]
                    version_id=v.pk, actor=_actor(request), as_of=timezone.now(), reason="admin"
                ),
            ):
                self.message_user(request, f"{version} is published.")
        return None

    @admin.action(description="Discard selected drafts")
    def discard_selected(self, request: HttpRequest, queryset: QuerySet[PlanVersion]) -> None:
        for version in queryset:
            label = str(version)
            if self._run(
                request,
                label,
                lambda v=version: _discard(v.pk, request),  # type: ignore[misc]
            ):
                self.message_user(request, f"{label} discarded.")

    @admin.action(description="Copy as a new draft version", permissions=["add"])
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
    list_display = ("code", "name", "aggregation", "field_name", "recurring", "archived_at")
    list_filter = ("aggregation", "recurring")
    search_fields = ("code", "name")
    create_service = staticmethod(services.metric_create)
    create_fields = services.METRIC_FIELDS
    update_service = staticmethod(services.metric_update)
    update_id = "metric_id"
    frozen_on_change = ()  # the service refuses what a published price book depends on


@admin.register(Feature)
class FeatureAdmin(CatalogAdmin):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    create_service = staticmethod(services.feature_create)
    create_fields = services.FEATURE_FIELDS
    update_service = staticmethod(services.feature_update)
    update_id = "feature_id"


class CouponForm(forms.ModelForm[Coupon]):
    """The service's duration rules as errors on their fields (before the table's check
    constraints, which would only name themselves)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and "duration" in data:
            try:
                services.coupon_duration_check(
                    data.get("duration"), data.get("duration_periods"), data.get("duration_months")
                )
            except ApplicationError as exc:
                add_service_error(self, exc)
        return data


@admin.register(Coupon)
class CouponAdmin(CatalogAdmin):
    form = CouponForm
    list_display = (
        "code", "name", "kind", "discount", "duration", "limits", "redeem_by", "archived_at",
    )  # fmt: skip
    list_filter = ("kind", "duration")
    search_fields = ("code", "name")
    filter_horizontal = ("plans", "metrics", "charges")
    update_service = staticmethod(services.coupon_update)
    update_id = "coupon_id"
    frozen_on_change = (
        "code", "kind", "percent_off", "amount_off", "currency", "duration", "duration_periods",
        "duration_months",
    )  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).prefetch_related("metrics", "charges")

    def formfield_for_manytomany(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "charges":  # a charge by its plan and price book
            field: Any = super().formfield_for_manytomany(db_field, request, **kwargs)
            field.queryset = Charge.objects.select_related("plan_version__plan", "metric")
            field.label_from_instance = lambda c: f"{c.plan_version.label}: {c} [id {c.pk}]"
            return field
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="limited to")
    def limits(self, obj: Coupon) -> str:
        metrics = [m.code for m in obj.metrics.all()]
        charges = [f"charge {c.pk}" for c in obj.charges.all()]
        return ", ".join(metrics + charges) or "-"

    @admin.display(description="discount")
    def discount(self, obj: Coupon) -> str:
        if obj.kind == Coupon.Kind.PERCENT and obj.percent_off is not None:
            return f"{plain(obj.percent_off)}%"
        return money(obj.amount_off, obj.currency)

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        data = {f: form.cleaned_data.get(f) for f in services.COUPON_FIELDS}
        data["currency"] = data.get("currency") or ""
        return services.coupon_create(
            actor=_actor(request), as_of=timezone.now(), data=data,
            plan_ids=[p.pk for p in form.cleaned_data.get("plans", [])],
            metric_ids=[m.pk for m in form.cleaned_data.get("metrics", [])],
            charge_ids=[c.pk for c in form.cleaned_data.get("charges", [])], reason="admin",
        )  # fmt: skip

    def service_update(self, request: HttpRequest, obj: Any, form: Any, formsets: list[Any]) -> Any:
        related = ("plans", "metrics", "charges")
        changes = {k: v for k, v in self.update_changes(form).items() if k not in related}
        return services.coupon_update(
            coupon_id=obj.pk, actor=_actor(request), as_of=timezone.now(), changes=changes,
            plan_ids=[p.pk for p in form.cleaned_data.get("plans", [])],
            metric_ids=[m.pk for m in form.cleaned_data.get("metrics", [])],
            charge_ids=[c.pk for c in form.cleaned_data.get("charges", [])],
            reason="edited in the admin",
        )  # fmt: skip


@admin.register(AddOn)
class AddOnAdmin(CatalogAdmin):
    list_display = ("code", "name", "price", "tax_rate", "archived_at")
    list_select_related = ("tax_rate",)
    list_filter = ("currency",)
    search_fields = ("code", "name")
    create_service = staticmethod(services.addon_create)
    create_fields = services.ADDON_FIELDS
    update_service = staticmethod(services.addon_update)
    update_id = "addon_id"
    frozen_on_change = ("code", "currency")

    @admin.display(description="amount", ordering="amount")
    def price(self, obj: AddOn) -> str:
        return money(obj.amount, obj.currency)


class TaxRateForm(forms.ModelForm[TaxRate]):
    """A new rate is standard unless a category is picked (as the API's default)."""

    class Meta:
        model = TaxRate
        fields = (*services.TAX_FIELDS, "archived_at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "category" in self.fields:
            self.fields["category"].required = False

    def clean_category(self) -> str:
        return str(self.cleaned_data.get("category") or TaxCategory.STANDARD)


@admin.register(TaxRate)
class TaxRateAdmin(CatalogAdmin):
    form = TaxRateForm
    list_display = (
        "code", "name", "rate", "inclusive", "category", "country", "region", "archived_at",
    )  # fmt: skip
    list_filter = ("inclusive", "category", "country")
    search_fields = ("code", "name")
    create_service = staticmethod(services.tax_rate_create)
    create_fields = services.TAX_FIELDS
    update_service = staticmethod(services.tax_rate_update)
    update_id = "tax_rate_id"
    frozen_on_change = ("code", "percentage", "inclusive", "category", "legal_mention")

    @admin.display(description="rate", ordering="percentage")
    def rate(self, obj: TaxRate) -> str:
        return f"{plain(obj.percentage)}%"
