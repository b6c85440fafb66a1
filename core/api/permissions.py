"""Who may call what.

- An API key: the operations its scopes grant (core/api/scopes.py): `full` every one; else the
  view's resource and access (`invoices:read`...), refused with 403 `missing_scope` naming it.
- A staff user's admin session: the Django model permissions the admin asks for. A view names its
  model by its queryset, or by `permission_model` where it has none (or acts on another model);
  a safe method needs `view_<model>`, a POST on a collection `add_<model>`, any other write
  (PATCH, PUT, DELETE, and a POST action on one object: archive, credit, void...) `change_<model>`.
  `permission_actions = {"POST": "add"}` overrides the action for a method. A view whose model
  cannot be told refuses sessions.
- Anything else (no credentials, an unknown authenticator): refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Model
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from core.api.scopes import FULL, MissingScope, required_scope, scopes_grant

if TYPE_CHECKING:  # rest_framework.views imports the authentication classes, which import this
    from rest_framework.views import APIView

API_KEY_PRINCIPAL = "api_key"


def is_api_key(request: Request) -> bool:
    authenticator = request.successful_authenticator
    return getattr(authenticator, "principal", None) == API_KEY_PRINCIPAL and bool(request.auth)


def is_staff_session(request: Request) -> bool:
    user = request.user
    return (
        isinstance(request.successful_authenticator, SessionAuthentication)
        and user is not None
        and bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False))
    )


def permission_model(view: APIView) -> type[Model] | None:
    """The model a view reads or acts on: `permission_model`, else its queryset's model."""
    model: type[Model] | None = getattr(view, "permission_model", None)
    if model is not None:
        return model
    from rest_framework.generics import GenericAPIView

    queryset = getattr(view, "queryset", None)
    overridden = getattr(type(view), "get_queryset", None) is not GenericAPIView.get_queryset
    if queryset is None and isinstance(view, GenericAPIView) and overridden:
        queryset = view.get_queryset()
    return getattr(queryset, "model", None)


def permission_action(view: APIView, method: str) -> str:
    overrides: dict[str, str] = getattr(view, "permission_actions", {})
    if method in overrides:
        return overrides[method]
    if method in SAFE_METHODS:
        return "view"
    if method == "POST" and not getattr(view, "kwargs", {}).get("pk"):
        return "add"
    return "change"


def required_permission(view: APIView, method: str) -> str | None:
    """`app_label.<action>_<model>`, or None when the view's model cannot be told."""
    model = permission_model(view)
    if model is None:
        return None
    opts = model._meta
    return f"{opts.app_label}.{permission_action(view, method)}_{opts.model_name}"


class ModelPermissions(BasePermission):
    """API keys: their scopes. Staff sessions: the admin's model permissions. Else: refused."""

    message = "Your staff account lacks the permission this operation needs."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if is_api_key(request):
            held: list[str] = list(getattr(request.auth, "scopes", None) or [])
            if FULL in held:
                return True
            required = required_scope(view, request.method or "GET")
            if not scopes_grant(held, required):
                raise MissingScope(required, held)
            return True
        if not is_staff_session(request):
            return False
        perm = required_permission(view, request.method or "GET")
        if perm is None:
            return False
        return bool(request.user.has_perm(perm))


class DocsPermission(BasePermission):
    """The OpenAPI schema and the docs pages: public when `API_DOCS_PUBLIC` is on (as under
    `make run`), else for an API key or a staff session only."""

    message = "The API docs are for staff and API keys: log into the admin first."

    def has_permission(self, request: Request, view: Any) -> bool:
        if settings.API_DOCS_PUBLIC:
            return True
        return is_api_key(request) or is_staff_session(request)
