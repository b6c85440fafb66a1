"""Admin of webhook endpoints and deliveries. Every write calls the services of
integrations/webhook_services.py (as the API does):

- endpoints: add (the secret shown once), change (URL, description, event types), list actions
  enable / disable / send a test event, and on the endpoint's page "Rotate secret" and
  "Replay" (one event, one delivery, or every event since a time) pages; history;
- deliveries: read-only with their attempts, filters by endpoint, status, type and kind, and
  the action "Send the selected deliveries again" (a replay of their events)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core.admin import HistoryAdminMixin, ReadOnlyAdmin
from core.admin_services import ServiceModelAdmin, actor_of
from core.exceptions import ApplicationError
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.webhook_services import (
    MAX_OVERLAP_HOURS,
    parse_event_id,
    webhook_endpoint_create,
    webhook_endpoint_disable,
    webhook_endpoint_enable,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_test,
    webhook_endpoint_update,
    webhook_replay,
)


def event_type_choices() -> list[tuple[str, str]]:
    from integrations.event_types import EVENT_TYPES

    return [("*", "* (every event type)")] + [(t, t) for t in sorted(EVENT_TYPES)]


class EndpointForm(forms.ModelForm[WebhookEndpoint]):
    """The URL, a description and the event types (checkboxes); the service checks the URL
    (https, a public address) and shows its refusal on the field."""

    url = forms.CharField(max_length=2000, label="URL", help_text="https, a public address")
    event_types = forms.MultipleChoiceField(
        choices=event_type_choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["*"],
        help_text='"*": every type (alone).',
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "event_types")


class RotateForm(forms.Form):
    overlap_hours = forms.IntegerField(
        min_value=0,
        max_value=MAX_OVERLAP_HOURS,
        initial=24,
        help_text="How long the previous secret keeps signing too (both signatures are sent).",
    )


class ReplayForm(forms.Form):
    event = forms.CharField(required=False, help_text="an event id: evt_123")
    since = forms.DateTimeField(
        required=False, help_text="or: every event of the endpoint's types since (UTC)"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("event")) == bool(data.get("since")):
            raise ValidationError("Give an event id or a time, not both.")
        return data


class AttemptInline(admin.TabularInline[WebhookAttempt, WebhookDelivery]):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("attempted_at", "status_code", "error", "latency_ms", "duration_ms",
              "response_excerpt")  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = EndpointForm
    list_display = ("id", "url", "types", "enabled", "failing_since", "disabled_at",
                    "created_at")  # fmt: skip
    list_filter = ("enabled",)
    search_fields = ("url", "description")
    actions = ("enable_selected", "disable_selected", "test_selected")
    change_form_template = "admin/integrations/webhookendpoint/change_form.html"
    readonly = ("enabled", "disabled_reason", "disabled_at", "failing_since", "secret",
                "created_at", "updated_at")  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookEndpoint]:
        return super().get_queryset(request).filter(deleted_at__isnull=True)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        base = ("url", "description", "event_types")
        return base + self.readonly if obj is not None else base

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly if obj is not None else ()

    @admin.display(description="event types")
    def types(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.event_types)

    @admin.display(description="signing secret")
    def secret(self, obj: WebhookEndpoint) -> str:
        rows = [
            f"whsec_…{s.hint}" + (f" (signs too until {s.expires_at:%Y-%m-%d %H:%M} UTC)"
                                  if s.expires_at else " (current)")
            for s in obj.secrets.order_by("-created_at")
            if s.expires_at is None or s.expires_at > timezone.now()
        ]  # fmt: skip
        return "; ".join(rows)

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Any:
        data = form.cleaned_data
        endpoint, secret = webhook_endpoint_create(
            url=data["url"], description=data["description"], event_types=data["event_types"],
            as_of=timezone.now(), actor=actor_of(request),
        )  # fmt: skip
        self._show_secret(request, "Webhook endpoint created.", secret)
        return endpoint

    def service_update(self, request: HttpRequest, obj: Any, form: Any, formsets: list[Any]) -> Any:
        data = form.cleaned_data
        return webhook_endpoint_update(
            endpoint_id=obj.pk, url=data["url"], description=data["description"],
            event_types=data["event_types"], as_of=timezone.now(), actor=actor_of(request),
        )  # fmt: skip

    def _show_secret(self, request: HttpRequest, done: str, secret: str) -> None:
        self.message_user(
            request,
            format_html(
                "{} Its signing secret — copy it now, it will not be shown again: "
                "<code id='new-webhook-secret'>{}</code>",
                done,
                secret,
            ),
            messages.SUCCESS,
        )

    # ------------------------------------------------------------------------- list actions
    @admin.action(description="Enable the selected endpoints")
    def enable_selected(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        self.each(
            request, queryset.filter(enabled=False),
            lambda e: webhook_endpoint_enable(
                endpoint_id=e.pk, as_of=timezone.now(), actor=actor_of(request)
            ),
            "endpoint(s) enabled.",
        )  # fmt: skip

    @admin.action(description="Disable the selected endpoints")
    def disable_selected(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        self.each(
            request, queryset.filter(enabled=True),
            lambda e: webhook_endpoint_disable(
                endpoint_id=e.pk, reason="", as_of=timezone.now(), actor=actor_of(request)
            ),
            "endpoint(s) disabled.",
        )  # fmt: skip

    @admin.action(description="Send a test event (ping) to the selected endpoints")
    def test_selected(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        self.each(
            request, queryset,
            lambda e: webhook_endpoint_test(
                endpoint_id=e.pk, as_of=timezone.now(), actor=actor_of(request)
            ),
            "test event(s) queued.",
        )  # fmt: skip

    # -------------------------------------------------------------------- the endpoint's pages
    def get_urls(self) -> list[URLPattern]:
        own = [
            path("<int:pk>/rotate-secret/", self.admin_site.admin_view(self.rotate_view),
                 name="integrations_webhookendpoint_rotate"),
            path("<int:pk>/replay/", self.admin_site.admin_view(self.replay_view),
                 name="integrations_webhookendpoint_replay"),
        ]  # fmt: skip
        return own + super().get_urls()

    def _page(self, request: HttpRequest, endpoint: WebhookEndpoint, title: str,
              form: forms.Form, button: str) -> HttpResponse:  # fmt: skip
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "original": endpoint,
            "form": form,
            "button": button,
        }
        return TemplateResponse(request, "admin/integrations/webhookendpoint/action.html", context)

    def _back(self, endpoint: WebhookEndpoint) -> HttpResponse:
        return HttpResponseRedirect(
            reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk])
        )

    def rotate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint = get_object_or_404(self.get_queryset(request), pk=pk)
        self.require(request, "change", endpoint)
        form = RotateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                _, secret = webhook_endpoint_rotate_secret(
                    endpoint_id=endpoint.pk, overlap_hours=form.cleaned_data["overlap_hours"],
                    as_of=timezone.now(), actor=actor_of(request),
                )  # fmt: skip
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                self._show_secret(request, "Signing secret rotated.", secret)
                return self._back(endpoint)
        return self._page(request, endpoint, f"Rotate the signing secret of {endpoint}", form,
                          "Rotate")  # fmt: skip

    def replay_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint = get_object_or_404(self.get_queryset(request), pk=pk)
        self.require(request, "change", endpoint)
        form = ReplayForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                count = webhook_replay(
                    endpoint_id=endpoint.pk,
                    event_id=parse_event_id(data["event"]) if data.get("event") else None,
                    since=data.get("since"),
                    as_of=timezone.now(),
                    actor=actor_of(request),
                )
            except ApplicationError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
            else:
                self.message_user(request, f"{count} deliveries queued.", messages.SUCCESS)
                return self._back(endpoint)
        return self._page(request, endpoint, f"Replay events to {endpoint}", form, "Replay")


class EventTypeFilter(admin.SimpleListFilter):
    """The catalogue's event types (a fixed list: no SELECT DISTINCT over the deliveries)."""

    title = "event type"
    parameter_name = "event_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        from integrations.event_types import EVENT_TYPES

        return [(t, t) for t in sorted(EVENT_TYPES)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(event_type=value) if value else queryset


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "endpoint", "event_type", "subject", "kind", "status", "attempts",
                    "last_status_code", "next_attempt_at", "created_at")  # fmt: skip
    list_filter = ("status", "kind", EventTypeFilter, "livemode", "endpoint")
    search_fields = ("subject", "event_type")
    show_full_result_count = False  # no second count(*) over the whole table
    list_select_related = ("endpoint",)
    inlines = (AttemptInline,)
    actions = ("replay_selected",)
    fields = ("endpoint", "event", "event_type", "subject", "livemode", "kind", "status",
              "attempts", "next_attempt_at", "last_status_code", "last_error", "requested_by",
              "created_at", "finished_at")  # fmt: skip
    readonly_fields = fields

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("integrations.change_webhookendpoint"))

    @admin.action(description="Send the selected deliveries again", permissions=["replay"])
    def replay_selected(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        done = 0
        for delivery in queryset.select_related("endpoint"):
            try:
                done += webhook_replay(
                    endpoint_id=delivery.endpoint_id, delivery_id=delivery.pk,
                    as_of=timezone.now(), actor=actor_of(request),
                )  # fmt: skip
            except ApplicationError as exc:
                self.message_user(request, f"{delivery}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{done} deliveries queued again.")
