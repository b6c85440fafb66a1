"""Admin pieces shared by every app: the audit history page of an object, the read-only admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from core.audit import history_rows
from core.models import IdempotencyKey


class HistoryAdminMixin:
    """Replaces the admin's "History" page with the pghistory audit trail of the object."""

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        model_admin: admin.ModelAdmin[Any] = self  # type: ignore[assignment]
        obj = model_admin.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such object.")
        if not model_admin.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        opts = model_admin.model._meta
        context = {
            **model_admin.admin_site.each_context(request),
            "title": f"History: {obj}",
            "subtitle": None,
            "object": obj,
            "opts": opts,
            "rows": history_rows(obj),
            "preserved_filters": model_admin.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = model_admin.admin_site.name
        return TemplateResponse(request, "admin/audit_history.html", context)


class ReadOnlyAdmin(HistoryAdminMixin, admin.ModelAdmin[Any]):
    """A record staff read and never write (rows written by services only): no add, change or
    delete, its audit history shown."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin[IdempotencyKey]):
    list_display = ("key", "method", "path", "status_code", "created_at", "expires_at")
    search_fields = ("key", "path")
    list_filter = ("status_code", "method")
    date_hierarchy = "created_at"
    exclude = ("response_body", "scope")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
