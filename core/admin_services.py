"""Admin plumbing for models whose writes go through services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse


class ServiceChangeFormMixin:
    """Django wraps the admin change form in a transaction; our services open their own durable
    transaction, so the form runs outside one and `save_model` calls the service."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return self._changeform_view(  # type: ignore[attr-defined,no-any-return]
            request, object_id, form_url, extra_context
        )
