"""The admin's sign-in against brute force (django-axes, configured by AXES_* in settings).

After AXES_FAILURE_LIMIT failed sign-ins of one username from one client address, that pair is
locked out for AXES_COOLOFF_TIME: even the right password is refused with this module's page (429,
in the admin's look, with `Retry-After`). A successful sign-in resets the count. The client address
is core.request_ips.client_ip's (AXES_CLIENT_IP_CALLABLE; TRUSTED_PROXY_COUNT), as everywhere.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if minutes and rest:
        return f"{minutes} min {rest} s"
    if minutes:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{rest} second{'s' if rest != 1 else ''}"


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the lockout page (axes passes the original response and the
    credentials too: not needed)."""
    cool_off: timedelta = settings.AXES_COOLOFF_TIME
    seconds = max(1, int(cool_off.total_seconds()))
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed sign-ins",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": max(1, seconds // 60),
        "retry_after_text": _duration(seconds),
        "extends_on_failure": getattr(
            settings, "AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT", True
        ),  # axes' default
    }
    response = render(request, "admin/lockout.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
