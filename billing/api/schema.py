"""OpenAPI descriptions of our authentication classes (loaded by BillingConfig.ready)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from core.api.scopes import security_description


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "billing.api.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": security_description(),  # the scopes' vocabulary
        }


class StaffSessionScheme(OpenApiAuthenticationExtension):
    target_class = "billing.api.auth.StaffSessionAuthentication"
    name = "StaffSession"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
