"""Portal configurations in the admin: what the customers of each may do in the portal, with the
plans they may switch to as an ordered inline (autocomplete; the position orders them), and the
customers' assignments (autocomplete; "back to the default" as a list action). Every write goes
through portal/services/configuration.py; a refusal shows on its field (a plan's on its row)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin, actor_of, add_service_error
from core.exceptions import ApplicationError
from portal.models import PortalConfiguration, PortalConfigurationPlan, PortalCustomerConfiguration
from portal.services import configuration as services

ROW_FIELD = re.compile(r"^plans\[(?P<index>\d+)\]$")


class PortalConfigurationPlanInline(admin.TabularInline[PortalConfigurationPlan, Any]):
    model = PortalConfigurationPlan
    extra = 1
    fields = ("plan", "position")
    autocomplete_fields = ("plan",)
    ordering = ("position", "id")
    verbose_name = "plan offered"
    verbose_name_plural = (
        "plans customers may switch to (in this order; each customer is offered those in its "
        "own currency; none listed: no plan is offered)"
    )


class PortalConfigurationForm(forms.ModelForm[PortalConfiguration]):
    """The form does not check "one default" (portal_one_default_configuration): checking
    "is default" on another configuration makes it the default, the service moving the mark."""

    def _get_validation_exclusions(self) -> set[str]:
        # the fields Django's model validation skips (constraints on them included)
        found = super()._get_validation_exclusions()  # type: ignore[misc]  # not in the stubs
        return {*found, "is_default"}


@admin.register(PortalConfiguration)
class PortalConfigurationAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = PortalConfigurationForm
    list_display = (
        "name", "is_default", "allow_plan_change", "plans_count", "allow_cancel",
        "allow_payment_method_update", "allow_billing_details_update", "customers_count",
    )  # fmt: skip
    search_fields = ("name",)
    fields = ("name", "is_default", *services.FLAGS)
    inlines = (PortalConfigurationPlanInline,)
    actions = ("make_default",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PortalConfiguration]:
        queryset: QuerySet[PortalConfiguration] = super().get_queryset(request)
        return queryset.annotate(
            plan_count=Count("plan_rows", distinct=True),
            customer_count=Count("customer_rows", distinct=True),
        )

    @admin.display(description="plans")
    def plans_count(self, obj: Any) -> int:
        return int(obj.plan_count)

    @admin.display(description="customers assigned")
    def customers_count(self, obj: Any) -> int:
        return int(obj.customer_count)

    @staticmethod
    def _rows(formsets: list[Any]) -> list[Any]:
        """The plan rows kept, by position (then as listed): the service's ordered list."""
        rows = [
            f
            for formset in formsets
            for f in formset.forms
            if f.cleaned_data.get("plan") is not None
            and not (formset.can_delete and formset._should_delete_form(f))
        ]
        every = [f for fs in formsets for f in fs.forms]
        return sorted(rows, key=lambda f: (f.cleaned_data.get("position") or 0, every.index(f)))

    def _data(self, form: Any, formsets: list[Any]) -> dict[str, Any]:
        return {
            **{f: form.cleaned_data.get(f) for f in self.fields},
            "plans": [row.cleaned_data["plan"].pk for row in self._rows(formsets)],
        }

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        return services.portal_configuration_create(
            data=self._data(form, formsets), as_of=timezone.now(), actor=actor_of(request),
            reason="created in the admin",
        )  # fmt: skip

    def service_update(
        self, request: HttpRequest, obj: PortalConfiguration, form: Any, formsets: list[Any]
    ) -> Any:
        return services.portal_configuration_update(
            configuration_id=obj.pk, data=self._data(form, formsets), as_of=timezone.now(),
            actor=actor_of(request), reason="changed in the admin",
        )  # fmt: skip

    def service_error(
        self, form: Any, formsets: list[Any], exc: ApplicationError | ValidationError
    ) -> None:
        """`plans[1]` goes to the second plan row kept, on its plan field."""
        if isinstance(exc, ApplicationError):
            match = ROW_FIELD.match(exc.field or "")
            rows = self._rows(formsets)
            if match and int(match["index"]) < len(rows):
                rows[int(match["index"])].add_error("plan", exc.message)
                return
        add_service_error(form, exc)

    @admin.action(description="Make the selected configuration the default")
    def make_default(self, request: HttpRequest, queryset: QuerySet[PortalConfiguration]) -> None:
        self.each(
            request,
            queryset[:1],
            lambda c: services.portal_configuration_set_default(
                configuration_id=c.pk, as_of=timezone.now(), actor=actor_of(request),
                reason="made the default in the admin",
            ),
            "configuration made the default.",
        )  # fmt: skip


@admin.register(PortalCustomerConfiguration)
class PortalCustomerConfigurationAdmin(HistoryAdminMixin, ServiceModelAdmin):
    """A customer's own configuration (customers without one use the default)."""

    list_display = ("customer", "configuration")
    list_filter = ("configuration",)
    search_fields = ("customer__external_id", "customer__name")
    list_select_related = ("customer", "configuration")
    autocomplete_fields = ("customer", "configuration")
    fields = ("customer", "configuration")
    actions = ("back_to_default",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("customer",) if obj is not None else ()

    def _set(self, request: HttpRequest, customer_id: int, configuration: Any) -> Any:
        return services.portal_customer_configuration_set(
            customer_id=customer_id, configuration_id=configuration.pk, as_of=timezone.now(),
            actor=actor_of(request), reason="assigned in the admin",
        )  # fmt: skip

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        return self._set(
            request, form.cleaned_data["customer"].pk, form.cleaned_data["configuration"]
        )

    def service_update(
        self, request: HttpRequest, obj: PortalCustomerConfiguration, form: Any, formsets: Any
    ) -> Any:
        return self._set(request, obj.customer_id, form.cleaned_data["configuration"])

    @admin.action(description="Back to the default configuration")
    def back_to_default(
        self, request: HttpRequest, queryset: QuerySet[PortalCustomerConfiguration]
    ) -> None:
        self.each(
            request,
            queryset,
            lambda r: services.portal_customer_configuration_clear(
                customer_id=r.customer_id, as_of=timezone.now(), actor=actor_of(request),
                reason="back to the default in the admin",
            ),
            "customer(s) back to the default configuration.",
        )  # fmt: skip
