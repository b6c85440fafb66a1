"""Back office for subscriptions: the timeline (periods, changes, scheduled changes, pauses,
proration lines) and the actions (change plan, cancel, pause, resume, activate, end), each
calling the same services as the API; and entitlement overrides."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets as admin_widgets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from billing import services
from billing.change_signing import change_request_read, change_request_sign
from billing.enums import TERMINAL
from billing.models import (
    Customer,
    CustomerEntitlement,
    EntitlementOverride,
    ProrationLine,
    Subscription,
    SubscriptionChange,
    UsageEvent,
)
from billing.selectors import customer_as_of, customer_id_as_of, customer_read_as_of
from billing.services.subscriptions import subscription_phase
from catalog.admin_display import instant, instant_both, money, period_days, short
from catalog.models import BillingPolicy, Plan
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin, add_service_error
from core.admin_widgets import SafeAutocompleteSelect
from core.audit import Actor
from core.exceptions import ApplicationError


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)


def in_zone(value: datetime | None, zone: str) -> datetime | None:
    """A date and time typed as a wall-clock time of `zone` (the admin's widgets read it in
    the server's zone): the same wall-clock time, in `zone`. A time that does not exist there
    (skipped by a DST change) or exists twice is refused, never guessed."""
    if value is None:
        return None
    naive = timezone.make_naive(value) if timezone.is_aware(value) else value
    tz = ZoneInfo(zone)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        moments = sorted({first.astimezone(UTC), second.astimezone(UTC)})
        skipped = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive
        raise forms.ValidationError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {zone} (the clocks skip it)."
            if skipped
            else f"{naive:%Y-%m-%d %H:%M} happens twice in {zone} (at "
            f"{moments[0]:%H:%M} and {moments[1]:%H:%M} UTC): pick another minute."
        )
    return first


class WallClockField(forms.SplitDateTimeField):
    """A date and a time as typed, naive: `in_zone` places it in the customer's zone. (Django's
    own field would first place it in the server's zone, and refuse a time that zone skips.)"""

    def compress(self, data_list: Any) -> datetime | None:
        if data_list and all(part is not None for part in data_list[:2]):
            return datetime.combine(data_list[0], data_list[1])
        return None


def picker(field: str) -> SafeAutocompleteSelect:
    """A picker that searches as you type (customers by external id, name or e-mail; plans by
    code or name), instead of a list of every row."""
    return SafeAutocompleteSelect(Subscription._meta.get_field(field), admin.site)


class SubscriptionAddForm(forms.ModelForm[Subscription]):
    start_at = WallClockField(
        required=False,
        widget=admin_widgets.AdminSplitDateTime,
        label="Start (customer's time zone)",
        help_text="A date and time in the customer's own time zone (see its page). Empty: now.",
    )
    trial_days = forms.IntegerField(
        required=False, min_value=0, max_value=730, help_text="Empty: the price book's trial."
    )
    billing_anchor = forms.DateField(
        required=False, widget=admin_widgets.AdminDateWidget, help_text="Empty: from the start."
    )

    class Meta:
        model = Subscription
        fields = ("customer", "plan", "quantity")
        widgets = {"customer": picker("customer"), "plan": picker("plan")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        customer = data.get("customer")
        if customer is not None and data.get("start_at") is not None:
            try:
                data["start_at"] = in_zone(data["start_at"], customer.timezone)
            except forms.ValidationError as exc:
                self.add_error("start_at", exc)
        return data


class InZoneForm(forms.Form):
    """A form whose date-time fields are typed in the customer's time zone, labelled so."""

    zoned: tuple[str, ...] = ()

    def __init__(self, *args: Any, zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        for name in self.zoned:
            self.fields[name].help_text = f"In the customer's time zone, {zone}."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.zoned:
            try:
                data[name] = in_zone(data.get(name), self.zone)
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        return data


class ChangePlanForm(InZoneForm):
    zoned = ("on",)
    plan = forms.ModelChoiceField(queryset=Plan.objects.filter(archived_at__isnull=True))
    quantity = forms.IntegerField(min_value=1)
    when = forms.ChoiceField(
        choices=[
            (
                "auto",
                "Automatic: the plan pair's change policy, else upgrade now and downgrade "
                "at period end",
            ),
            ("now", "Now (prorated)"),
            ("period_end", "At the end of the current period"),
            ("date", "On a date"),
        ]
    )
    on = WallClockField(required=False, widget=admin_widgets.AdminSplitDateTime)
    prorate = forms.BooleanField(required=False, initial=True)
    phase = forms.ChoiceField(
        required=False,
        label="Plan phases",
        choices=[
            ("", "Default: the same phase of the new plan (a change of plan)"),
            ("same", "Same: the same phase of the new plan, as many periods into it"),
            ("restart", "Restart: the new plan's phases start over with the change's period"),
        ],
        help_text="A change of plan only (a change of quantity keeps the phase). Same is "
        "refused when the new plan has phases but fewer than the subscription's current one.",
    )
    override_policy = forms.BooleanField(
        required=False,
        label="Override the change policy",
        help_text="Staff only: a timing asked that contradicts the plan pair's change policy "
        "(or a refused pair) is carried out as asked instead of refused. Give the reason.",
    )
    reason = forms.CharField(required=False, max_length=255)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("when") == "date" and not data.get("on") and "on" not in self.errors:
            self.add_error("on", "Give the date and time of the change.")
        return data


class CancelForm(forms.Form):
    mode = forms.ChoiceField(
        choices=[
            ("policy", "As the plan's cancellation policy says (without one: now)"),
            ("period_end", "At the end of the current period"),
            ("now", "Now"),
        ]
    )
    prorate = forms.BooleanField(
        required=False, initial=True, help_text="Now: credit the unused part of the fixed fee."
    )
    override_policy = forms.BooleanField(
        required=False,
        label="Override the cancellation policy",
        help_text="Staff only: a timing that contradicts the plan's cancellation policy (or a "
        "refused cancellation) is carried out as asked instead of refused. Give the reason.",
    )
    reason = forms.CharField(required=False, max_length=255)

    def __init__(self, *args: Any, plan: Plan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        policy = plan.cancellation_policy if plan is not None else ""
        words = dict(BillingPolicy.choices).get(policy, "")
        self.fields["mode"].initial = "policy" if policy else "period_end"
        self.fields["mode"].help_text = (
            f"The cancellation policy of plan {plan.code}: {policy} ({words})."
            if plan is not None and policy
            else "The plan has no cancellation policy: the cancellation takes effect as asked."
        )

    @property
    def at_period_end(self) -> bool | None:
        mode = self.cleaned_data["mode"]
        return None if mode == "policy" else mode == "period_end"


class EndForm(InZoneForm):
    zoned = ("ends_at",)

    ends_at = WallClockField(widget=admin_widgets.AdminSplitDateTime)
    reason = forms.CharField(required=False, max_length=255)


class ChangeInline(admin.TabularInline[SubscriptionChange, Subscription]):
    model = SubscriptionChange
    extra = 0
    can_delete = False
    fields = (
        "kind",
        "status",
        "effective_at",
        "from_plan_version",
        "new_plan",
        "from_quantity",
        "new_quantity",
        "prorate",
        "phase",
        "timing",
        "policy",
        "requested_by",
        "reason",
    )
    readonly_fields = fields
    verbose_name_plural = "changes (applied, scheduled and canceled)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProrationInline(admin.TabularInline[ProrationLine, Subscription]):
    model = ProrationLine
    extra = 0
    can_delete = False
    fields = (
        "kind",
        "description",
        "amount",
        "period_start",
        "period_end",
        "formula",
        "invoiced_at",
    )
    readonly_fields = fields

    @admin.display(description="amount")
    def amount(self, obj: ProrationLine) -> str:
        return money(obj.amount_rounded, obj.currency)

    verbose_name_plural = "proration lines (for the next invoice)"

    @admin.display(description="formula")
    def formula(self, obj: ProrationLine) -> str:
        return str(obj.explanation.get("formula", ""))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AddItemForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.filter(archived_at__isnull=True))
    quantity = forms.IntegerField(min_value=1, max_value=1_000_000, initial=1)
    prorate = forms.BooleanField(
        required=False,
        initial=True,
        help_text="Checked: it starts now, its first fee the share of the period left. "
        "Unchecked: it starts at the current period's end.",
    )
    reason = forms.CharField(required=False, max_length=255)


class ItemInline(admin.TabularInline[Subscription, Subscription]):
    """A subscription's items: each is a subscription page of its own (change its quantity or
    plan with "Change plan", remove it with "Cancel" there)."""

    model = Subscription
    fk_name = "parent"
    verbose_name = "item"
    verbose_name_plural = "items (other plans billed on this subscription's cycle)"
    fields = ("plan", "quantity", "status", "start_at", "ended_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(HistoryAdminMixin, ServiceModelAdmin):
    list_display = ("id", "customer", "plan_version", "quantity", "status", "period", "renews")
    list_filter = ("status", "plan", "cancel_at_period_end", "dunning_blocked")
    search_fields = ("customer__external_id", "customer__name", "plan__code")
    list_select_related = ("customer", "plan", "plan_version__plan__product")
    inlines = (ItemInline, ChangeInline, ProrationInline)
    actions = ("cancel_at_period_end_selected", "pause_selected", "resume_selected")
    change_form_template = "admin/billing/subscription/change_form.html"
    readonly_fields = (
        "customer",
        "parent",
        "plan",
        "plan_version",
        "current_phase",
        "quantity",
        "status",
        "start_at",
        "billing_anchor",
        "trial_end",
        "current_period_start",
        "current_period_end",
        "fee_since",
        "cancel_at_period_end",
        "canceled_at",
        "ends_at",
        "ended_at",
        "paused_at",
        "dunning_blocked",
        "dunning_blocked_from",
        "dunning_block_reason",
        "metadata",
        "created_at",
        "updated_at",
    )

    @admin.display(description="current period", ordering="current_period_start")
    def period(self, obj: Subscription) -> str:
        """The period as the customer reads it: its days, in its time zone (end inclusive)."""
        if obj.current_period_start is None or obj.current_period_end is None:
            return "-"
        return period_days(obj.current_period_start, obj.current_period_end, obj.customer.timezone)

    @admin.display(description="plan phase")
    def current_phase(self, obj: Subscription) -> str:
        """The phase of its price book its current period is in, and when the next starts."""
        if not obj.plan_version.phase_count:
            return "-"  # a price book without phases
        found = subscription_phase(obj)
        if found is None:
            return "-"
        length = ", open-ended" if found["periods"] is None else f" of {found['periods']}"
        shown = (
            f"{found['position']}: {found['name'] or 'phase'} (period {found['period_of_phase']}"
            f"{length}), fixed fee {money(Decimal(found['fixed_fee']), obj.plan.currency)}"
        )
        if found["next_phase_at"] is None:
            return f"{shown}; the last phase"
        following = datetime.fromisoformat(found["next_phase_at"])
        return f"{shown}; the next phase starts {instant_both(following, obj.customer.timezone)}"

    @admin.display(description="at period end", ordering="cancel_at_period_end")
    def renews(self, obj: Subscription) -> str:
        return "cancels" if obj.cancel_at_period_end else "renews"

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = SubscriptionAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.inlines if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("customer", "plan", "quantity", "start_at", "trial_days", "billing_anchor")
        return self.readonly_fields

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """New subscription: the form, then the service; a refusal of the service (a plan in
        another currency, a start before the plan's first price book) is a form error."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SubscriptionAddForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                created = services.subscription_create(
                    customer_id=data["customer"].pk,
                    plan_id=data["plan"].pk,
                    actor=_actor(request),
                    as_of=customer_as_of(data["customer"], timezone.now()),
                    start_at=data.get("start_at"),
                    quantity=data["quantity"],
                    trial_days=data.get("trial_days"),
                    billing_anchor=data.get("billing_anchor"),
                    reason="created in the admin",
                )
            except (ApplicationError, ValidationError) as exc:
                add_service_error(form, exc)
            else:
                self.message_user(request, f"{created} created.", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:billing_subscription_change", args=[created.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Add subscription",
            "form": form,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/billing/subscription/action_form.html", context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        sub = get_object_or_404(
            Subscription.objects.select_related("customer", "plan"), pk=object_id
        )
        periods = services.subscription_periods(subscription=sub, count=6)
        context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "periods": periods,
            "current_index": sub.current_period_index,
            "terminal": sub.status in TERMINAL,
            "sub": sub,
        }
        return super().change_view(request, object_id, form_url, context)

    # ----------------------------------------------------------------------- actions (pages)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        own = [
            path(
                "<int:pk>/change-plan/",
                view(self.change_plan_view),
                name="billing_subscription_change_plan",
            ),
            path("<int:pk>/cancel/", view(self.cancel_view), name="billing_subscription_cancel"),
            path("<int:pk>/end/", view(self.end_view), name="billing_subscription_end"),
            path(
                "<int:pk>/add-item/", view(self.add_item_view), name="billing_subscription_add_item"
            ),
            path(
                "<int:pk>/do/<slug:action>/",
                view(self.simple_action_view),
                name="billing_subscription_do",
            ),
        ]
        return own + super().get_urls()

    def _back(self, pk: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:billing_subscription_change", args=[pk]))

    def _on_form(
        self, request: HttpRequest, form: forms.Form, call: Callable[[], Any], done: str
    ) -> bool:
        """Call the service; its refusal becomes an error on the form's field it names."""
        try:
            call()
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
            return False
        self.message_user(request, done, messages.SUCCESS)
        return True

    def _try(self, request: HttpRequest, call: Callable[[], Any], done: str) -> bool:
        try:
            call()
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return False
        self.message_user(request, done, messages.SUCCESS)
        return True

    def _form_page(
        self,
        request: HttpRequest,
        sub: Subscription,
        form: forms.Form,
        title: str,
        preview: services.ChangePreview | None = None,
        preview_first: bool = False,
        previewed: str = "",
    ) -> HttpResponse:
        zone = sub.customer.timezone
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "original": sub,
            "form": form,
            "preview": preview,
            "preview_first": preview_first,
            "previewed": previewed,
            "preview_effective": instant_both(preview.effective_at, zone) if preview else "",
            "preview_rows": [
                {
                    "line": line,
                    "amount": money(line.rounded, preview.currency),
                    "formula": line.explanation.get("formula", ""),
                    "covers": f"{instant(line.start, zone)} to {instant(line.end, zone)}",
                }
                for line in preview.lines
            ]
            if preview is not None
            else [],
            "preview_total": money(preview.total, preview.currency) if preview else "",
        }
        return TemplateResponse(request, "admin/billing/subscription/action_form.html", context)

    def change_plan_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """First the proration preview (what the change will charge and credit, computed by the
        change's own rules), then the change once confirmed."""
        sub = get_object_or_404(Subscription.objects.select_related("customer"), pk=pk)
        self.require(request, "change", sub)
        form = ChangePlanForm(
            request.POST or None,
            initial={"plan": sub.plan_id, "quantity": sub.quantity},
            zone=sub.customer.timezone,
        )
        preview = None
        previewed = ""
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            when: str | datetime = d["on"] if d["when"] == "date" else d["when"]
            request_args = {
                "subscription_id": pk,
                "as_of": customer_read_as_of(sub.customer, timezone.now()),  # the preview's
                "plan_id": d["plan"].pk if d["plan"].pk != sub.plan_id else None,
                "quantity": d["quantity"] if d["quantity"] != sub.quantity else None,
                "when": when,
                "prorate": d["prorate"],
                "phase": d.get("phase") or None,
                "override_policy": d["override_policy"],
                "reason": d["reason"],
            }
            wanted = {k: str(v) for k, v in request_args.items() if k != "as_of"}
            asked = change_request_sign(wanted)  # signed, and time-stamped
            try:
                shown: dict[str, Any] | None = change_request_read(
                    request.POST.get("previewed", "")
                )
            except ApplicationError:
                shown = None
            confirmed = "_confirm" in request.POST and shown == wanted
            if "_confirm" in request.POST and not confirmed:
                form.add_error(None, "The change differs from its preview: check this preview.")
            try:
                if confirmed:
                    change = services.subscription_change(
                        **{**request_args, "as_of": customer_as_of(sub.customer, timezone.now())},
                        actor=_actor(request),
                    )
                    # "Change recorded." first, as every admin action's message; then what
                    # decided its timing (and the plan pair's change policy when one applied)
                    decided = (
                        f" Timing: {change.get_timing_display()}"
                        + (f" ({change.policy})" if change.policy else "")
                        + "."
                        if change.timing
                        else ""
                    )
                    self.message_user(request, "Change recorded." + decided, messages.SUCCESS)
                    return self._back(pk)
                preview = services.subscription_change_preview(**request_args)
            except (ApplicationError, ValidationError) as exc:
                add_service_error(form, exc)
            else:
                previewed = asked
        return self._form_page(
            request, sub, form, f"Change plan or quantity: {sub}", preview, preview_first=True,
            previewed=previewed,
        )  # fmt: skip

    def cancel_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        sub = get_object_or_404(Subscription.objects.select_related("customer"), pk=pk)
        self.require(request, "change", sub)
        form = CancelForm(request.POST or None, plan=sub.plan)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            policy = sub.plan.cancellation_policy
            if self._on_form(
                request,
                form,
                lambda: services.subscription_cancel(
                    subscription_id=pk,
                    actor=_actor(request),
                    as_of=customer_as_of(sub.customer, timezone.now()),
                    at_period_end=form.at_period_end,
                    prorate=d["prorate"],
                    reason=d["reason"],
                    override_policy=d["override_policy"],
                ),
                "Cancellation recorded"
                + (
                    f" (the plan's cancellation policy: {policy}"
                    + (", overridden)." if d["override_policy"] else ").")
                    if policy
                    else "."
                ),
            ):
                return self._back(pk)
        return self._form_page(request, sub, form, f"Cancel: {sub}")

    def end_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        sub = get_object_or_404(Subscription.objects.select_related("customer"), pk=pk)
        self.require(request, "change", sub)
        form = EndForm(request.POST or None, zone=sub.customer.timezone)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            if self._on_form(
                request,
                form,
                lambda: services.subscription_end(
                    subscription_id=pk,
                    actor=_actor(request),
                    as_of=customer_as_of(sub.customer, timezone.now()),
                    ends_at=d["ends_at"],
                    reason=d["reason"],
                    override_policy=True,  # staff may set an end date (policies.end_policy_check)
                ),
                "End date set.",
            ):
                return self._back(pk)
        return self._form_page(request, sub, form, f"End on a date: {sub}")

    def add_item_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Add an item (another plan on this subscription's cycle) through the service; its
        refusals (another interval or currency, an item of an item) are errors on the form."""
        sub = get_object_or_404(Subscription.objects.select_related("customer"), pk=pk)
        self.require(request, "change", sub)
        form = AddItemForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            if self._on_form(
                request,
                form,
                lambda: services.subscription_item_add(
                    subscription_id=pk,
                    plan_id=d["plan"].pk,
                    quantity=d["quantity"],
                    prorate=d["prorate"],
                    reason=d["reason"],
                    actor=_actor(request),
                    as_of=customer_as_of(sub.customer, timezone.now()),
                ),
                "Item added.",
            ):
                return self._back(pk)
        return self._form_page(request, sub, form, f"Add an item: {sub}")

    SIMPLE = {
        "pause": services.subscription_pause,
        "resume": services.subscription_resume,
        "undo-cancel": services.subscription_undo_cancel,
        "activate": services.subscription_activate,
    }

    def simple_action_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        service = self.SIMPLE.get(action)
        if service is None or request.method != "POST":
            return self._back(pk)
        found = get_object_or_404(Subscription, pk=pk)
        self.require(request, "change", found)
        owner = found.customer_id
        self._try(
            request,
            lambda: service(
                subscription_id=pk,
                actor=_actor(request),
                as_of=customer_id_as_of(owner, timezone.now()),
                reason="admin",
            ),
            f"{action.replace('-', ' ').capitalize()}: done.",
        )
        return self._back(pk)

    # ----------------------------------------------------------------------- list actions

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Subscription],
        call: Callable[[Subscription], Any],
    ) -> None:
        self.each(request, queryset, call, "subscription(s) updated.")

    @admin.action(description="Cancel at period end")
    def cancel_at_period_end_selected(
        self, request: HttpRequest, queryset: QuerySet[Subscription]
    ) -> None:
        self._each(
            request,
            queryset,
            lambda s: services.subscription_cancel(
                subscription_id=s.pk,
                actor=_actor(request),
                as_of=customer_id_as_of(s.customer_id, timezone.now()),
                at_period_end=True,
                reason="admin action",
            ),
        )

    @admin.action(description="Pause")
    def pause_selected(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        self._each(
            request,
            queryset,
            lambda s: services.subscription_pause(
                subscription_id=s.pk,
                actor=_actor(request),
                as_of=customer_id_as_of(s.customer_id, timezone.now()),
                reason="admin action",
            ),
        )

    @admin.action(description="Resume")
    def resume_selected(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        self._each(
            request,
            queryset,
            lambda s: services.subscription_resume(
                subscription_id=s.pk,
                actor=_actor(request),
                as_of=customer_id_as_of(s.customer_id, timezone.now()),
                reason="admin action",
            ),
        )


@admin.register(EntitlementOverride)
class EntitlementOverrideAdmin(HistoryAdminMixin, ServiceModelAdmin):
    list_display = ("customer", "feature", "enabled", "limit", "reason", "updated_at")
    search_fields = ("customer__external_id", "feature__code")
    list_select_related = ("customer", "feature")
    fields = ("customer", "feature", "enabled", "limit", "reason")
    autocomplete_fields = ("customer",)
    actions = ("remove_selected",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("customer", "feature") if obj is not None else ()

    def _set(self, request: HttpRequest, customer_id: int, feature_id: int, form: Any) -> Any:
        d = form.cleaned_data
        return services.entitlement_override_set(
            customer_id=customer_id,
            feature_id=feature_id,
            actor=_actor(request),
            as_of=customer_id_as_of(customer_id, timezone.now()),
            enabled=d["enabled"],
            limit=d.get("limit"),
            reason=d.get("reason") or "",
        )

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        d = form.cleaned_data
        return self._set(request, d["customer"].pk, d["feature"].pk, form)

    def service_update(
        self, request: HttpRequest, obj: EntitlementOverride, form: Any, formsets: list[Any]
    ) -> Any:
        return self._set(request, obj.customer_id, obj.feature_id, form)

    @admin.action(description="Remove selected overrides (back to the plan's entitlements)")
    def remove_selected(
        self, request: HttpRequest, queryset: QuerySet[EntitlementOverride]
    ) -> None:
        self.each(
            request,
            queryset,
            lambda o: services.entitlement_override_remove(
                customer_id=o.customer_id, feature_id=o.feature_id, actor=_actor(request),
                as_of=customer_id_as_of(o.customer_id, timezone.now()),
                reason="removed in the admin",
            ),
            "override(s) removed.",
        )  # fmt: skip


class EntitlementInline(admin.TabularInline[CustomerEntitlement, Customer]):
    model = CustomerEntitlement
    extra = 0
    can_delete = False
    fields = ("feature_code", "enabled", "limit", "source", "updated_at")
    readonly_fields = fields
    verbose_name_plural = "entitlements now (from plans and overrides)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(UsageEvent)
class UsageEventAdmin(admin.ModelAdmin[UsageEvent]):
    """Stored usage, read-only; `late` events wait for a correction."""

    list_display = ("event", "customer", "metric", "event_time", "received_at", "value", "late")
    list_filter = ("late", "operation", "metric")
    search_fields = ("=event_id", "=customer__external_id")
    list_select_related = ("customer", "metric")
    date_hierarchy = "event_time"
    show_full_result_count = False
    readonly_fields = (
        "event_id", "customer", "metric", "event_time", "received_at", "value", "operation",
        "late", "properties",
    )  # fmt: skip

    @admin.display(description="event id", ordering="event_id")
    def event(self, obj: UsageEvent) -> str:
        # a remove (unique counts) is marked beside its id; the list stays within a 1440 px screen
        name = short(obj.event_id, 24)
        return name if obj.operation == "add" else f"{name} ({obj.operation})"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CurrentUsageMixin:
    """A customer's current usage page: quantities so far and estimated charges, explained."""

    def get_urls(self) -> list[URLPattern]:
        model_admin: Any = self
        view = model_admin.admin_site.admin_view(self.current_usage_view)
        return [
            path("<int:pk>/usage/", view, name="billing_customer_usage"),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def current_usage_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        from billing.aggregation import current_usage

        model_admin: Any = self
        customer = get_object_or_404(Customer, pk=pk)
        if not model_admin.has_view_or_change_permission(request, customer):
            raise PermissionDenied
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": Customer._meta,
            "title": f"Current usage: {customer}",
            "original": customer,
            "subscriptions": current_usage(
                customer_id=pk, as_of=customer_read_as_of(customer, timezone.now())
            ),
        }
        return TemplateResponse(request, "admin/billing/customer/usage.html", context)
