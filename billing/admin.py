from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from billing import services
from billing.admin_credits import BalanceInline, RedemptionInline
from billing.admin_subscriptions import CurrentUsageMixin, EntitlementInline
from billing.models import ApiKey, Customer, JournalDelivery, JournalEvent, LedgerEntry
from billing.selectors import customer_as_of
from billing.services.apikeys import (
    UPDATABLE_FIELDS,
    Grantor,
    api_key_create,
    api_key_update,
)
from catalog.admin_display import money, short
from catalog.admin_fields import CodeFieldsMixin
from core.admin import HistoryAdminMixin
from core.admin_services import ServiceModelAdmin
from core.api.scopes import vocabulary
from core.audit import Actor
from core.exceptions import ApplicationError

# what blocking a customer's entitlements needs besides change_customer (the API asks it too)
ENTITLEMENTS_BLOCK_PERMISSION = "billing.change_customerentitlement"


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)


class ArchivedFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "archived"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "Active"), ("yes", "Archived")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "no":
            return queryset.filter(archived_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(archived_at__isnull=False)
        return queryset


class LivemodeFilter(admin.SimpleListFilter):
    """Live customers, or test customers (on a test clock: integrations/testclocks.py)."""

    title = "mode"
    parameter_name = "livemode"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("live", "Live"), ("test", "Test (on a test clock)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "live":
            return queryset.filter(test_clock__isnull=True)
        if self.value() == "test":
            return queryset.filter(test_clock__isnull=False)
        return queryset


@admin.register(Customer)
class CustomerAdmin(CodeFieldsMixin, CurrentUsageMixin, HistoryAdminMixin, ServiceModelAdmin):
    list_display = (
        "external_id",
        "customer_name",
        "currency",
        "country",
        "created_at",
        "status",
        "mode",
    )
    search_fields = ("external_id", "name", "email")
    list_filter = (ArchivedFilter, LivemodeFilter, "currency", "country", "timezone")
    list_select_related = ("test_clock",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "updated_at", "archived_at", "credit_balance")
    actions = ("archive_selected", "unarchive_selected", "block_selected", "unblock_selected")
    inlines = (EntitlementInline, RedemptionInline, BalanceInline)
    change_form_template = "admin/billing/customer/change_form.html"
    fieldsets = (
        (None, {"fields": ("external_id", "name", "email", "currency")}),
        ("Locale and time", {"fields": ("timezone", "locale")}),
        (
            "Billing address",
            {
                "fields": (
                    "address_line1",
                    "address_line2",
                    "city",
                    "postal_code",
                    "state",
                    "country",
                )
            },
        ),
        ("Terms", {"fields": ("payment_terms_days", "invoice_grace_period_days")}),
        ("Tax and credit", {"fields": ("tax_exempt", "tax_id", "credit_balance")}),
        ("Payments", {"fields": ("auto_collection",)}),
        (
            "Test clock",
            {
                "fields": ("test_clock",),
                "description": "A test customer is billed on its test clock's time, never by "
                "the live clock, and kept out of live reports and numbering. Set at creation "
                "only; leave empty for a live customer.",
            },
        ),
        ("Other", {"fields": ("metadata", "created_at", "updated_at", "archived_at")}),
    )

    @admin.display(description="mode")
    def mode(self, obj: Customer) -> str:
        clock = obj.test_clock
        if clock is None:
            return "live"
        return format_html(
            '<span style="background:#f5a623;color:#000;padding:1px 6px;border-radius:3px">'
            "TEST</span> {}",
            short(clock.name),
        )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "test_clock":  # new customers join clocks not deleted
            from billing.models import TestClock

            kwargs["queryset"] = TestClock.objects.filter(deleted_at__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="name", ordering="name")
    def customer_name(self, obj: Customer) -> str:
        return format_html("{}<br><small>{}</small>", short(obj.name), short(obj.email))

    @admin.display(description="credit balance")
    def credit_balance(self, obj: Customer) -> str:
        return money(obj.balance, obj.currency)

    @admin.display(description="Status")
    def status(self, obj: Customer) -> str:
        return "archived" if obj.is_archived else "active"

    def get_readonly_fields(self, request: HttpRequest, obj: Customer | None = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "external_id", "test_clock") if obj is not None else fields

    def has_delete_permission(self, request: HttpRequest, obj: Customer | None = None) -> bool:
        return False  # customers are archived, never deleted

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> Customer:
        data = {f: form.cleaned_data[f] for f in services.CUSTOMER_FIELDS if f in form.cleaned_data}
        clock = form.cleaned_data.get("test_clock")
        return services.customer_create(
            actor=_actor(request),
            as_of=timezone.now(),
            data=data,
            reason="created in the admin",
            test_clock_id=clock.pk if clock is not None else None,
        )

    def service_update(
        self, request: HttpRequest, obj: Customer, form: Any, formsets: list[Any]
    ) -> Customer:
        changes = {
            f: form.cleaned_data[f] for f in form.changed_data if f in services.CUSTOMER_FIELDS
        }
        return services.customer_update(
            customer_id=obj.pk,
            actor=_actor(request),
            as_of=customer_as_of(obj, timezone.now()),
            changes=changes,
            reason="edited in the admin",
        )

    def _set_archived(
        self, request: HttpRequest, queryset: QuerySet[Customer], archive: bool
    ) -> None:
        service = services.customer_archive if archive else services.customer_unarchive
        self.each(
            request,
            queryset,
            lambda c: service(
                customer_id=c.pk, actor=_actor(request), as_of=customer_as_of(c, timezone.now()),
                reason="admin action",
            ),
            f"customer(s) {'archived' if archive else 'restored'}.",
        )  # fmt: skip

    def has_block_permission(self, request: HttpRequest) -> bool:
        """Blocking or unblocking a customer's entitlements is a collections lever (what dunning
        does): it needs the customer entitlements' change permission too (back office roles:
        finance managers, not support)."""
        return self.has_change_permission(request) and bool(
            request.user.has_perm(ENTITLEMENTS_BLOCK_PERMISSION)
        )

    @admin.action(description="Block entitlements of selected customers", permissions=["block"])
    def block_selected(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        self._block(request, queryset, True)

    def _block(self, request: HttpRequest, queryset: QuerySet[Customer], blocked: bool) -> None:
        state = "blocked" if blocked else "unblocked"
        self.each(
            request,
            queryset,
            lambda c: services.entitlements_block(
                customer_id=c.pk, blocked=blocked, actor=_actor(request),
                as_of=customer_as_of(c, timezone.now()),
                reason=f"{state} in the admin",
            ),
            f"customer(s): entitlements {state}.",
        )  # fmt: skip

    @admin.action(description="Unblock entitlements of selected customers", permissions=["block"])
    def unblock_selected(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        self._block(request, queryset, False)

    @admin.action(description="Archive selected customers")
    def archive_selected(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        self._set_archived(request, queryset, True)

    @admin.action(description="Restore selected archived customers")
    def unarchive_selected(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        self._set_archived(request, queryset, False)


class ApiKeyForm(ModelForm[ApiKey]):
    """Scopes as checkboxes (core/api/scopes.py), the allow-list one entry a line; the service
    checks them (an unknown scope, `full` with others, an entry that is not an address or CIDR
    network, an expiry in the past) and its refusal shows on the field."""

    scopes = forms.MultipleChoiceField(
        choices=[(s, s) for s in vocabulary()],
        widget=forms.CheckboxSelectMultiple,
        help_text="`full`: everything, including API keys (only superusers grant it); `read`: "
        "every read; `<resource>:write` includes `<resource>:read`. You grant only what your "
        "own permissions allow: view of the resource's models for a read, view, add, change and "
        "delete for a write.",
    )
    allowed_ips = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
        required=False,
        label="Allowed IPs",
        help_text="One IP address or CIDR network a line (203.0.113.7, 10.0.0.0/8, "
        "2001:db8::/32); empty: from anywhere.",
    )

    class Meta:
        model = ApiKey
        fields = ("name", "scopes", "expires_at", "allowed_ips")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["allowed_ips"] = "\n".join(self.instance.allowed_ips)

    def clean_allowed_ips(self) -> list[str]:
        text: str = self.cleaned_data.get("allowed_ips") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


@admin.register(ApiKey)
class ApiKeyAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = ApiKeyForm
    list_display = (
        "name", "prefix", "scope_list", "expires_at", "created_at", "created_by",
        "last_used_at", "revoked_at",
    )  # fmt: skip
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    actions = ("revoke_selected",)

    @admin.display(description="Scopes")
    def scope_list(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def has_change_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        if obj is not None and obj.revoked_at is not None:
            return False  # a revoked key is history: it no longer changes
        return super().has_change_permission(request, obj)

    def service_error(
        self, form: Any, formsets: list[Any], exc: ApplicationError | ValidationError
    ) -> None:
        """`scopes[2]` and `allowed_ips[1]` (the service's fields) on the form's fields."""
        if isinstance(exc, ApplicationError) and exc.field and "[" in exc.field:
            exc.field = exc.field.split("[", 1)[0]
        super().service_error(form, formsets, exc)

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> ApiKey:
        data = form.cleaned_data
        key, raw = api_key_create(
            name=data["name"],
            scopes=data["scopes"],
            expires_at=data["expires_at"],
            allowed_ips=data["allowed_ips"],
            actor=_actor(request),
            as_of=timezone.now(),
            created_by_id=request.user.pk,
            granted_by=cast(Grantor, request.user),
        )
        self.message_user(
            request,
            format_html(
                "API key created. Copy it now, it will not be shown again: "
                "<code id='new-api-key'>{}</code>",
                raw,
            ),
            messages.SUCCESS,
        )
        return key

    def service_update(
        self, request: HttpRequest, obj: ApiKey, form: Any, formsets: list[Any]
    ) -> ApiKey:
        return api_key_update(
            api_key_id=obj.pk,
            changes={f: form.cleaned_data[f] for f in form.changed_data if f in UPDATABLE_FIELDS},
            actor=_actor(request),
            as_of=timezone.now(),
            reason="edited in the admin",
            granted_by=cast(Grantor, request.user),
        )

    @admin.action(description="Revoke selected API keys")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        self.each(
            request,
            queryset.filter(revoked_at__isnull=True),
            lambda k: services.api_key_revoke(
                api_key_id=k.pk, actor=_actor(request), as_of=timezone.now(),
                reason="revoked in the admin",
            ),
            "key(s) revoked.",
        )  # fmt: skip


class JournalDeliveryInline(admin.TabularInline[JournalDelivery, JournalEvent]):
    model = JournalDelivery
    extra = 0
    can_delete = False
    fields = ("handler", "status", "attempts", "delivered_at", "next_attempt_at", "last_error")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(JournalEvent)
class JournalEventAdmin(admin.ModelAdmin[JournalEvent]):
    list_display = ("id", "type", "subject_type", "subject_id", "occurred_at", "actor_label")
    list_filter = ("type", "subject_type")
    search_fields = ("=subject_id", "type")
    date_hierarchy = "occurred_at"
    inlines = (JournalDeliveryInline,)

    @admin.display(description="Actor")
    def actor_label(self, obj: JournalEvent) -> str:
        return str(obj.actor.get("label", ""))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(JournalDelivery)
class JournalDeliveryAdmin(admin.ModelAdmin[JournalDelivery]):
    list_display = ("event", "handler", "status", "attempts", "delivered_at", "next_attempt_at")
    list_filter = ("status", "handler")
    readonly_fields = (
        "event",
        "handler",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "delivered_at",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the dispatcher's record: retried by the dispatcher, not edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin[LedgerEntry]):
    """The double-entry ledger, read-only: postings are written with their documents."""

    list_display = ("posted_at", "account", "customer", "debit_", "credit_", "document", "note")
    list_filter = ("account", "currency", "document_type")
    search_fields = ("=customer__external_id", "memo")
    list_select_related = ("customer",)
    date_hierarchy = "posted_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="debit", ordering="debit")
    def debit_(self, obj: LedgerEntry) -> str:
        return money(obj.debit, obj.currency) if obj.debit else ""

    @admin.display(description="credit", ordering="credit")
    def credit_(self, obj: LedgerEntry) -> str:
        return money(obj.credit, obj.currency) if obj.credit else ""

    @admin.display(description="document")
    def document(self, obj: LedgerEntry) -> str:
        return f"{obj.document_type} #{obj.document_id}" if obj.document_type else ""

    @admin.display(description="memo")
    def note(self, obj: LedgerEntry) -> str:
        return short(obj.memo)
