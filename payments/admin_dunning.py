"""Dunning in the admin: policies with their states inline (written through the policy
services: a refusal lands on the state row and field it names), customers' assignments with
"Re-evaluate now", the transitions (read-only), the entry actions (read-only), and the "Dunning"
part of the customer page: the state now, what is overdue, the timeline of transitions."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from billing.models import Customer
from billing.selectors import customer_as_of, customer_id_as_of, customer_read_as_of
from catalog.admin_display import instant, money
from core.admin import HistoryAdminMixin, ReadOnlyAdmin
from core.admin_services import ServiceModelAdmin, actor_of, add_service_error
from core.exceptions import ApplicationError
from invoicing.admin_customer import CustomerSection, customer_section_register
from payments.models.dunning import (
    CustomerDunning,
    DunningAction,
    DunningPolicy,
    DunningState,
    DunningTransition,
)
from payments.services import dunning as services
from payments.services import dunning_policies as policies
from payments.services.dunning_policies import STATE_FIELDS

ROW_FIELD = re.compile(r"^states\[(?P<index>\d+)\](?:\.(?P<field>\w+))?$")


class DunningStateInline(admin.TabularInline[DunningState, DunningPolicy]):
    model = DunningState
    extra = 1
    ordering = ("position",)
    fields = STATE_FIELDS
    verbose_name_plural = (
        "states (the highest position whose conditions all hold wins; at least one condition "
        "per state)"
    )


@admin.register(DunningPolicy)
class DunningPolicyAdmin(HistoryAdminMixin, ServiceModelAdmin):
    list_display = ("name", "is_default", "states_count", "updated_at")
    search_fields = ("name",)
    fields = ("name", "description", "is_default")
    inlines = (DunningStateInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[DunningPolicy]:
        return super().get_queryset(request).prefetch_related("states")

    @admin.display(description="states")
    def states_count(self, obj: DunningPolicy) -> int:
        return len(obj.states.all())

    @staticmethod
    def _kept_rows(formsets: list[Any]) -> list[Any]:
        """The state rows that stay, in position order (then as typed): the service's list."""
        rows = [
            f
            for formset in formsets
            if formset.model is DunningState
            for f in formset.forms
            if (f.has_changed() or f.instance.pk)
            and not (formset.can_delete and formset._should_delete_form(f))
        ]
        every = [f for fs in formsets for f in fs.forms]
        return sorted(rows, key=lambda f: (f.cleaned_data.get("position") or 0, every.index(f)))

    def _data(self, form: Any, formsets: list[Any]) -> dict[str, Any]:
        states = []
        for row in self._kept_rows(formsets):
            state = {f: row.cleaned_data.get(f) for f in STATE_FIELDS}
            if state["min_amount_overdue"] is not None:
                state["min_amount_overdue"] = str(state["min_amount_overdue"])
            states.append(state)
        return {**{f: form.cleaned_data.get(f) for f in self.fields}, "states": states}

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        return policies.dunning_policy_create(
            data=self._data(form, formsets), actor=actor_of(request), as_of=timezone.now(),
            reason="created in the admin",
        )  # fmt: skip

    def service_update(
        self, request: HttpRequest, obj: DunningPolicy, form: Any, formsets: list[Any]
    ) -> Any:
        return policies.dunning_policy_update(
            policy_id=obj.pk, data=self._data(form, formsets), actor=actor_of(request),
            as_of=timezone.now(), reason="changed in the admin",
        )  # fmt: skip

    def service_error(
        self, form: Any, formsets: list[Any], exc: ApplicationError | ValidationError
    ) -> None:
        """`states[1].min_days_past_due` goes to the second state row kept, on that field."""
        if isinstance(exc, ApplicationError):
            match = ROW_FIELD.match(exc.field or "")
            rows = self._kept_rows(formsets)
            if match and int(match["index"]) < len(rows):
                row = rows[int(match["index"])]
                field = match["field"] if match["field"] in row.fields else None
                row.add_error(field, exc.message)
                return
        add_service_error(form, exc)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting goes through the API's service (a policy in use is refused)


@admin.register(CustomerDunning)
class CustomerDunningAdmin(HistoryAdminMixin, ServiceModelAdmin):
    """A customer's policy (empty: the default); its state is dunning's to move."""

    list_display = ("customer", "policy_shown", "state", "entered_at", "evaluated_at")
    list_filter = ("state__policy", "state__code")
    search_fields = ("customer__external_id", "customer__name")
    list_select_related = ("customer", "policy", "state")
    autocomplete_fields = ("customer",)
    actions = ("evaluate_selected",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("customer", "policy")
        return ("customer", "policy", "state", "entered_at", "evaluated_at", "next_check_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return ("customer", "state", "entered_at", "evaluated_at", "next_check_at")

    @admin.display(description="policy")
    def policy_shown(self, obj: CustomerDunning) -> str:
        return obj.policy.name if obj.policy is not None else "(default)"

    def _assign(self, request: HttpRequest, customer_id: int, policy: Any) -> CustomerDunning:
        return policies.customer_dunning_assign(
            customer_id=customer_id, policy_id=policy.pk if policy else None,
            actor=actor_of(request),
            as_of=customer_id_as_of(customer_id, timezone.now()),
            reason="assigned in the admin",
        )  # fmt: skip

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        return self._assign(request, form.cleaned_data["customer"].pk, form.cleaned_data["policy"])

    def service_update(
        self, request: HttpRequest, obj: CustomerDunning, form: Any, formsets: list[Any]
    ) -> Any:
        return self._assign(request, obj.customer_id, form.cleaned_data["policy"])

    @admin.action(description="Re-evaluate the selected customers now")
    def evaluate_selected(self, request: HttpRequest, queryset: QuerySet[CustomerDunning]) -> None:
        self.each(
            request,
            queryset,
            lambda r: services.dunning_evaluate(
                customer_id=r.customer_id,
                as_of=customer_id_as_of(r.customer_id, timezone.now()),
                actor=actor_of(request),
                cause="re-evaluated in the admin",
            ),
            "customer(s) evaluated.",
        )  # fmt: skip

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "customer/<int:customer_id>/evaluate/",
                self.admin_site.admin_view(self.evaluate_view),
                name="payments_customerdunning_evaluate",
            )
        ]
        return own + super().get_urls()

    def evaluate_view(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        """The customer page's "Re-evaluate now": a confirmation page, then (POST) the
        evaluation; back to the customer page."""
        customer = get_object_or_404(Customer, pk=customer_id)
        if not self.has_change_permission(request):
            raise PermissionDenied
        back = reverse("admin:billing_customer_change", args=[customer.pk])
        if request.method != "POST":
            context = {
                **self.admin_site.each_context(request),
                "title": f"Re-evaluate the dunning of {customer}",
                "customer": customer,
                "back": back,
                "section": customer_dunning(
                    customer, customer_read_as_of(customer, timezone.now())
                ),
                "opts": self.opts,
            }
            return TemplateResponse(request, "admin/payments/dunning_evaluate.html", context)
        try:
            moved = services.dunning_evaluate(
                customer_id=customer.pk,
                as_of=customer_as_of(customer, timezone.now()),
                actor=actor_of(request),
                cause="re-evaluated in the admin",
            )  # fmt: skip
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            if moved is None:
                self.message_user(request, "Evaluated: the dunning state did not change.")
            else:
                to = moved.to_name or "no state (cleared)"
                self.message_user(request, f"Evaluated: {moved.from_name or 'none'} -> {to}.")
        return HttpResponseRedirect(back)


@admin.register(DunningTransition)
class DunningTransitionAdmin(ReadOnlyAdmin):
    list_display = (
        "as_of", "customer", "direction", "from_name", "to_name", "days_past_due",
        "amount_overdue", "currency", "failed_attempts", "email_template", "actor",
    )  # fmt: skip
    list_filter = ("direction", "to_code", "policy_name")
    search_fields = ("customer__external_id", "customer__name", "reason")
    list_select_related = ("customer",)
    date_hierarchy = "as_of"


@admin.register(DunningAction)
class DunningActionAdmin(ReadOnlyAdmin):
    list_display = ("due_at", "customer", "kind", "subscription", "invoice", "status", "outcome")
    list_filter = ("kind", "status")
    search_fields = ("customer__external_id",)
    list_select_related = ("customer", "subscription__customer", "subscription__plan", "invoice")


# ---------------------------------------------------------------------------------------------
# the customer page

TIMELINE_SHOWN = 20


def customer_dunning(customer: Customer, as_of: Any) -> dict[str, Any]:
    """The customer page's "Dunning" part, in a fixed number of queries."""
    found = services.customer_dunning_status(customer, as_of, transitions=TIMELINE_SHOWN)
    situation = found["situation"]
    zone = customer.timezone or "UTC"
    policy = found["policy"]
    return {
        "policy": policy["name"] if policy is not None else "none (no default policy)",
        "assigned": found["assigned"],
        "state": found["state"].name if found["state"] is not None else "",
        "entered_at": instant(found["entered_at"], zone) if found["entered_at"] else "",
        "days_past_due": situation.days_past_due,
        "amount_overdue": money(situation.amount_overdue, situation.currency),
        "failed_attempts": situation.failed_attempts,
        "overdue": situation.overdue,
        "evaluate_url": reverse("admin:payments_customerdunning_evaluate", args=[customer.pk]),
        "assign_url": (
            reverse("admin:payments_customerdunning_change", args=[found["record"].pk])
            if found["record"] is not None
            else reverse("admin:payments_customerdunning_add") + f"?customer={customer.pk}"
        ),
        "transitions_url": reverse("admin:payments_dunningtransition_changelist")
        + f"?customer__id__exact={customer.pk}",
        "timeline": [
            {
                "at": instant(t.as_of, zone),
                "direction": t.direction,
                "from": t.from_name or "—",
                "to": t.to_name or "none (cleared)",
                "days": t.days_past_due,
                "amount": money(t.amount_overdue, t.currency),
                "attempts": t.failed_attempts,
                "email": t.email_template,
                "reason": t.reason,
                "actor": t.actor,
            }
            for t in found["transitions"]
        ],
    }


customer_section_register(
    CustomerSection(
        key="payments.dunning",
        template="admin/payments/dunning_customer.html",
        read=customer_dunning,
        order=30,
    )
)
