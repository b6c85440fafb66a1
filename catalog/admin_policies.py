"""Plan change policies in the back office (Kill Bill's IMMEDIATE / END_OF_TERM / ILLEGAL per
pair of plans): their own list and form, written through the catalog services (a refusal is an
error on its field), deleted by a list action through the delete service; and, on a plan's page,
the policies of the changes from it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import construct_instance
from django.http import HttpRequest
from django.utils import timezone

from catalog import services
from catalog.models import Plan, PlanChangePolicy
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin, actor_of


class ChangePolicyInline(admin.TabularInline[PlanChangePolicy, Plan]):
    """On a plan's page: when a change from this plan to another takes effect."""

    model = PlanChangePolicy
    fk_name = "from_plan"
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("to_plan", "policy", "updated_at")
    readonly_fields = fields
    verbose_name_plural = (
        "change policies from this plan (edited under Plan change policies; a pair without "
        "one is timed as asked, or upgrades now and downgrades at period end)"
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PlanChangePolicyForm(forms.ModelForm[PlanChangePolicy]):
    class Meta:
        model = PlanChangePolicy
        fields = ("from_plan", "to_plan", "policy")
        help_texts = {
            "policy": "immediate: the change takes effect at once (prorated); end of term: at "
            "the end of the current period; refused: the change is not allowed. It replaces the "
            "price heuristic of a change asked automatic; a timing asked that contradicts it is "
            "refused.",
        }

    def validate_unique(self) -> None:
        """The pair's uniqueness is the service's (an error on to_plan), not a second check."""

    def _post_clean(self) -> None:
        """The model's own checks (two plans, one policy per pair) are the service's: its
        refusal is placed on its field (`to_plan`), never raised from the form."""
        opts = self._meta
        self.instance = construct_instance(self, self.instance, opts.fields)


@admin.register(PlanChangePolicy)
class PlanChangePolicyAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = PlanChangePolicyForm
    list_display = ("from_plan", "to_plan", "policy", "updated_at")
    list_filter = ("policy", "from_plan", "to_plan")
    search_fields = ("from_plan__code", "to_plan__code")
    list_select_related = ("from_plan", "to_plan")
    actions = ("delete_policies",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        stamps = ("created_at", "updated_at")
        return ("from_plan", "to_plan", *stamps) if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        base = ("from_plan", "to_plan", "policy")
        return (*base, "created_at", "updated_at") if obj is not None else base

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        data = {f: form.cleaned_data[f] for f in services.CHANGE_POLICY_FIELDS}
        return services.plan_change_policy_create(
            actor=actor_of(request), as_of=timezone.now(), data=data, reason="admin"
        )

    def service_update(self, request: HttpRequest, obj: Any, form: Any, formsets: list[Any]) -> Any:
        return services.plan_change_policy_update(
            policy_id=obj.pk, actor=actor_of(request), as_of=timezone.now(),
            changes={"policy": form.cleaned_data["policy"]}, reason="edited in the admin",
        )  # fmt: skip

    @admin.action(description="Delete the selected policies (the pairs are then timed as asked)")
    def delete_policies(self, request: HttpRequest, queryset: QuerySet[PlanChangePolicy]) -> None:
        self.each(
            request,
            queryset.select_related("from_plan", "to_plan"),
            lambda item: services.plan_change_policy_delete(
                policy_id=item.pk, actor=actor_of(request), as_of=timezone.now(), reason="admin"
            ),
            "plan change policies deleted.",
        )
