"""API keys over REST: what they show (never a secret, except the new key's, once) and take."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.models import ApiKey
from core.api.scopes import vocabulary

SCOPES_HELP = (
    "`full` (everything, including API keys), `read` (every read), or per resource "
    "`<resource>:read` / `<resource>:write` (write includes read), e.g. `events:write` for a "
    "metering pipeline. The security scheme's description lists the resources."
)
IPS_HELP = (
    "Client addresses or CIDR networks (IPv4 or IPv6) the key is accepted from; empty: anywhere."
)


@extend_schema_field({"type": "string", "enum": vocabulary()})
class ScopeField(serializers.CharField):
    """A scope, checked by the service (400 `unknown_scope` naming it, with the vocabulary)."""


def key_state(key: ApiKey, as_of: datetime) -> str:
    if key.revoked_at is not None:
        return "revoked"
    if key.expires_at is not None and key.expires_at <= as_of:
        return "expired"
    return "active"


OUT_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "prefix",
    "state",
    "scopes",
    "expires_at",
    "allowed_ips",
    "created_at",
    "created_by",
    "last_used_at",
    "revoked_at",
)


class ApiKeyOut(serializers.ModelSerializer[ApiKey]):
    state = serializers.SerializerMethodField(
        help_text="`active`, `expired` (past `expires_at`) or `revoked`."
    )
    scopes = serializers.ListField(child=ScopeField(), help_text=SCOPES_HELP)
    allowed_ips = serializers.ListField(child=serializers.CharField(), help_text=IPS_HELP)
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="the staff user who created it; null: created by an API key or a command",
    )

    class Meta:
        model = ApiKey
        fields = OUT_FIELDS
        read_only_fields = OUT_FIELDS

    def get_state(self, key: ApiKey) -> str:
        as_of: datetime = self.context["as_of"]
        return key_state(key, as_of)


class ApiKeyCreatedOut(ApiKeyOut):
    secret = serializers.SerializerMethodField(
        help_text="The key: `Authorization: Bearer <secret>`. Shown once, never stored (only "
        "its SHA-256 is): copy it now."
    )

    class Meta(ApiKeyOut.Meta):
        fields = (*OUT_FIELDS, "secret")
        read_only_fields = fields

    def get_secret(self, key: ApiKey) -> str:
        secret: str = self.context["secret"]
        return secret


class ApiKeyIn(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(
        child=ScopeField(), help_text=f"{SCOPES_HELP} Required: no default."
    )
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Refused from then on (401); in the future."
    )
    allowed_ips = serializers.ListField(
        child=serializers.CharField(max_length=49), required=False, default=list, help_text=IPS_HELP
    )


class ApiKeyPatchIn(serializers.Serializer[Any]):
    """Only the fields given change."""

    name = serializers.CharField(max_length=100, required=False)
    scopes = serializers.ListField(child=ScopeField(), required=False, help_text=SCOPES_HELP)
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="null: never expires; else in the future."
    )
    allowed_ips = serializers.ListField(
        child=serializers.CharField(max_length=49), required=False, help_text=IPS_HELP
    )


class ApiKeyRevokeIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
