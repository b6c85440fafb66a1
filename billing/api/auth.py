"""API authentication: `Authorization: Bearer <api key>`, or a staff user's admin session."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from billing.models import ApiKey
from billing.services import api_key_authenticate
from core.api.permissions import API_KEY_PRINCIPAL


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """A key has full access for now (core/api/permissions.py); scopes come with integration."""

    keyword = "Bearer"
    principal = API_KEY_PRINCIPAL

    def authenticate(self, request: Request) -> tuple[ApiKey, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise exceptions.AuthenticationFailed(
                "Use the header 'Authorization: Bearer <api key>'."
            )
        key = api_key_authenticate(raw_key=raw.strip(), as_of=timezone.now())
        if key is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        return key, key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class StaffSessionAuthentication(authentication.SessionAuthentication):
    """The admin's session, for staff trying the API from /api/docs/. CSRF is enforced, and the
    user's Django model permissions apply as in the admin (core/api/permissions.py)."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None or not result[0].is_staff:
            return None
        return result
