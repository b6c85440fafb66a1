"""Admin of test clocks (billing.TestClock: its advance lives in integrations): create one, see
its status and customers, advance it with a form, delete it (archives its customers); history."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from billing.models import Customer, TestClock
from billing.services import testclocks
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin, actor_of, add_service_error
from core.exceptions import ApplicationError
from integrations.testclocks import clock_advance


class TestClockForm(forms.ModelForm[TestClock]):
    __test__ = False

    class Meta:
        model = TestClock
        fields = ("name", "frozen_time")


class AdvanceForm(forms.Form):
    frozen_time = forms.DateTimeField(
        label="Advance to",
        help_text="A time after the clock's, within its advance limit (UTC unless an offset is "
        "given: 2026-02-20 00:00).",
    )


class TestClockCustomerInline(admin.TabularInline[Customer, TestClock]):
    __test__ = False

    model = Customer
    fk_name = "test_clock"
    fields = ("customer_link", "name", "currency", "archived_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name = "test customer"
    verbose_name_plural = "test customers"

    @admin.display(description="customer")
    def customer_link(self, obj: Customer) -> str:
        url = reverse("admin:billing_customer_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.external_id)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # customers join a clock when created (the customer's page)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TestClock)
class TestClockAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = TestClockForm
    list_display = ("name", "frozen_time", "status", "advancing_to", "customer_count", "deleted")
    list_filter = ("status", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("name",)
    inlines = (TestClockCustomerInline,)
    actions = ("delete_selected_clocks",)
    change_form_template = "admin/integrations/testclock/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[TestClock]:
        found: QuerySet[TestClock] = super().get_queryset(request)
        return found.annotate(customer_total=Count("customers"))

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.inlines if obj is not None else ()  # customers join an existing clock

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return ("name", "frozen_time", "status", "advancing_to", "last_error", "limit",
                "created_at", "updated_at", "deleted_at")  # fmt: skip

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("name", "frozen_time") if obj is None else self.get_readonly_fields(request, obj)

    @admin.display(description="customers", ordering="customer_total")
    def customer_count(self, obj: TestClock) -> int:
        return int(getattr(obj, "customer_total", 0))

    @admin.display(description="deleted", boolean=True)
    def deleted(self, obj: TestClock) -> bool:
        return obj.is_deleted

    @admin.display(description="advance limit")
    def limit(self, obj: TestClock) -> str:
        if obj.is_deleted:
            return "-"
        at, label = testclocks.advance_limit(obj)
        return f"{at:%Y-%m-%d %H:%M:%S} UTC ({label})"

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> TestClock:
        return testclocks.clock_create(
            name=form.cleaned_data["name"],
            frozen_time=form.cleaned_data["frozen_time"],
            actor=actor_of(request),
            as_of=timezone.now(),
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # "delete" archives (the action below); nothing is hard-deleted

    @admin.action(description="Delete selected test clocks (archive their customers)")
    def delete_selected_clocks(self, request: HttpRequest, queryset: QuerySet[TestClock]) -> None:
        self.require(request, "change")
        self.each(
            request,
            queryset,
            lambda c: testclocks.clock_delete(
                test_clock_id=c.pk, actor=actor_of(request), as_of=timezone.now()
            ),
            "test clock(s) deleted; their customers archived.",
        )

    # advancing: its own page

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:pk>/advance/",
                self.admin_site.admin_view(self.advance_view),
                name="billing_testclock_advance",
            )
        ]
        return own + super().get_urls()

    def advance_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Advance the clock: the form, then `clock_advance` (the clock is `advancing` while a
        task runs the billing clock for its customers)."""
        clock = self.get_object(request, str(pk))
        if clock is None:
            return HttpResponseRedirect(reverse("admin:billing_testclock_changelist"))
        self.require(request, "change", clock)
        form = AdvanceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                clock_advance(
                    test_clock_id=clock.pk,
                    frozen_time=form.cleaned_data["frozen_time"],
                    actor=actor_of(request),
                    as_of=timezone.now(),
                )
            except (ApplicationError, ValidationError) as exc:
                add_service_error(form, exc)
            else:
                target = form.cleaned_data["frozen_time"]
                self.message_user(
                    request,
                    f"{clock.name} is advancing to {target.isoformat()}: it is ready when its "
                    "customers' billing has run.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:billing_testclock_change", args=[clock.pk])
                )
        limit, label = testclocks.advance_limit(clock)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": clock,
            "title": f"Advance {clock.name}",
            "form": form,
            "clock": clock,
            "limit": limit,
            "limit_label": label,
        }
        return TemplateResponse(request, "admin/integrations/testclock/advance.html", context)
