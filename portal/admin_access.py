"""Portal users and sessions in the admin.

Portal users are invited through `portal_user_invite` (the add page), disabled and invited
again by list actions; their pages are read-only otherwise. Sessions and links are read-only
(a link's token hash is never shown); "End the selected sessions" calls `portal_session_end`.
Each page's History is the pghistory audit trail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from core.admin import HistoryAdminMixin, ReadOnlyAdmin
from core.admin_services import ServiceModelAdmin, actor_of
from portal.models import PortalLink, PortalSession, PortalUser
from portal.services import (
    portal_session_end,
    portal_user_disable,
    portal_user_invite,
    portal_user_invite_again,
)


class PortalUserForm(forms.ModelForm[PortalUser]):
    class Meta:
        model = PortalUser
        fields = ("customer", "email", "name")

    def _post_clean(self) -> None:
        """No model validation here: the service checks the e-mail per customer (whatever the
        case) and says so on the field; the form's fields check the rest."""


@admin.register(PortalUser)
class PortalUserAdmin(HistoryAdminMixin, ServiceModelAdmin):
    form = PortalUserForm
    list_display = ("email", "name", "customer", "state", "invited_at", "last_login_at")
    list_filter = ("state",)
    search_fields = ("email", "name", "customer__external_id", "customer__name")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
    actions = ("disable_selected", "invite_again_selected")
    readonly_fields = (
        "customer", "email", "name", "state", "invited_by", "invited_at", "last_login_at",
        "disabled_at",
    )  # fmt: skip

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("customer", "email", "name") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def service_create(self, request: HttpRequest, form: Any, formsets: list[Any]) -> PortalUser:
        return portal_user_invite(
            customer_id=form.cleaned_data["customer"].pk,
            email=form.cleaned_data["email"],
            name=form.cleaned_data.get("name", ""),
            base_url=request.build_absolute_uri("/"),
            as_of=timezone.now(),
            actor=actor_of(request),
        )

    @admin.action(description="Disable the selected portal users (ends their sessions)")
    def disable_selected(self, request: HttpRequest, queryset: QuerySet[PortalUser]) -> None:
        self.each(
            request,
            queryset,
            lambda u: portal_user_disable(
                user_id=u.pk, reason="disabled in the admin", as_of=timezone.now(),
                actor=actor_of(request),
            ),
            "portal user(s) disabled.",
        )  # fmt: skip

    @admin.action(description="Invite the selected portal users again (a new e-mail)")
    def invite_again_selected(self, request: HttpRequest, queryset: QuerySet[PortalUser]) -> None:
        self.each(
            request,
            queryset,
            lambda u: portal_user_invite_again(
                user_id=u.pk, base_url=request.build_absolute_uri("/"), as_of=timezone.now(),
                actor=actor_of(request),
            ),
            "invitation(s) sent.",
        )  # fmt: skip


@admin.register(PortalSession)
class PortalSessionAdmin(HistoryAdminMixin, ServiceModelAdmin):
    list_display = (
        "id", "customer", "user", "created_at", "expires_at", "ended_at", "end_reason",
        "return_url",
    )  # fmt: skip
    list_filter = (("ended_at", admin.EmptyFieldListFilter), "end_reason")
    search_fields = ("customer__external_id", "customer__name", "user__email")
    list_select_related = ("customer", "user")
    date_hierarchy = "created_at"
    actions = ("end_selected",)
    fields = (
        "link", "customer", "user", "configuration", "return_url", "locale", "created_at",
        "expires_at", "ended_at", "end_reason",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_end_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("portal.change_portalsession"))

    @admin.action(description="End the selected sessions", permissions=["end"])
    def end_selected(self, request: HttpRequest, queryset: QuerySet[PortalSession]) -> None:
        self.each(
            request,
            queryset.filter(ended_at__isnull=True),
            lambda s: portal_session_end(
                session_id=s.pk, reason="ended by staff", as_of=timezone.now(),
                actor=actor_of(request),
            ),
            "session(s) ended.",
        )  # fmt: skip


@admin.register(PortalLink)
class PortalLinkAdmin(ReadOnlyAdmin):
    """Read-only; the token's hash is never shown."""

    list_display = ("id", "kind", "customer", "user", "created_by", "created_at", "expires_at",
                    "used_at")  # fmt: skip
    list_filter = ("kind", ("used_at", admin.EmptyFieldListFilter))
    search_fields = ("customer__external_id", "customer__name", "user__email")
    list_select_related = ("customer", "user")
    date_hierarchy = "created_at"
    fields = (
        "kind", "customer", "user", "configuration", "return_url", "locale", "created_by",
        "created_at", "expires_at", "used_at",
    )  # fmt: skip
    readonly_fields = fields
