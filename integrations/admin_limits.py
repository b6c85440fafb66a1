"""The admin sign-in's attempts and lockouts (django-axes' models, AXES_ENABLE_ADMIN off): read
only, with compact lists; deleting an attempt (the delete permission) unlocks its username and
address before the cool-off ends."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest


class _ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessAttempt)
class AccessAttemptAdmin(_ReadOnly):
    """A username and address with failed sign-ins; locked out at AXES_FAILURE_LIMIT."""

    list_display = ("username", "ip_address", "failures_since_start", "locked", "attempt_time")
    search_fields = ("username", "ip_address")
    date_hierarchy = "attempt_time"
    exclude = ("get_data", "post_data")

    @admin.display(boolean=True, description="Locked")
    def locked(self, obj: AccessAttempt) -> bool:
        return bool(obj.failures_since_start >= settings.AXES_FAILURE_LIMIT)


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(_ReadOnly):
    list_display = ("username", "ip_address", "locked_out", "attempt_time")
    search_fields = ("username", "ip_address")
    date_hierarchy = "attempt_time"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessLog)
class AccessLogAdmin(_ReadOnly):
    """Successful sign-ins (and sign-outs)."""

    list_display = ("username", "ip_address", "attempt_time", "logout_time")
    search_fields = ("username", "ip_address")
    date_hierarchy = "attempt_time"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
