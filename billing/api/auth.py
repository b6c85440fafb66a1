"""API authentication: `Authorization: Bearer <api key>`, or a staff user's admin session."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from billing.models import ApiKey
from billing.services.apikeys import ApiKeyExpired, IpNotAllowed, api_key_authenticate
from core.api.permissions import API_KEY_PRINCIPAL
from core.request_ips import client_ip


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>`. An unknown, revoked or expired key: 401; a key used from an
    address outside its allow-list: 403 `ip_not_allowed`. What the key may then do is its
    scopes' business (core/api/permissions.py)."""

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
        try:
            key = api_key_authenticate(
                raw_key=raw.strip(), as_of=timezone.now(), client_ip=client_ip(request._request)
            )
        except ApiKeyExpired as exc:
            raise exceptions.AuthenticationFailed(exc.message, code=exc.code) from None
        except IpNotAllowed as exc:
            raise exceptions.PermissionDenied(exc.message, code=exc.code) from None
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
