"""The portal-sessions and portal-users endpoints' input and output."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.models import PortalLink, PortalUser, PortalUserState

MAX_ID = 2**63 - 1


class PortalSessionIn(serializers.Serializer[Any]):
    customer = serializers.CharField(max_length=255, help_text="the customer's external id")
    return_url = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text='an absolute http(s) URL: the portal\'s "Back" link and where sign-out goes',
    )
    locale = serializers.ChoiceField(
        choices=[code for code, _ in settings.LANGUAGES],
        required=False,
        allow_blank=True,
        default="",
        help_text="the portal's language; empty: the customer's",
    )
    configuration = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="a portal configuration's id, instead of the customer's",
    )


def session_state(link: PortalLink, as_of: datetime) -> str:
    """pending (the link not opened yet), expired (never opened in time), active, ended (signed
    out, ended by staff or the API, the user disabled), timed_out (the session's lifetime
    passed)."""
    session = getattr(link, "session", None)
    if session is None:
        return "pending" if link.expires_at > as_of else "expired"
    if session.ended_at is not None:
        return "ended"
    return "active" if session.expires_at > as_of else "timed_out"


STATES = ["pending", "expired", "active", "ended", "timed_out"]


class PortalSessionOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    customer = serializers.CharField(
        source="customer.external_id", help_text="the customer's external id"
    )
    return_url = serializers.CharField()
    locale = serializers.CharField()
    configuration = serializers.IntegerField(source="configuration_id", allow_null=True)
    state = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField(help_text="the link may be opened until then")
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField()
    opened_at = serializers.DateTimeField(source="used_at", allow_null=True)
    session_expires_at = serializers.SerializerMethodField()
    ended_at = serializers.SerializerMethodField()
    end_reason = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=STATES))
    def get_state(self, link: PortalLink) -> str:
        return session_state(link, self.context["as_of"])

    def _session(self, link: PortalLink) -> Any:
        return getattr(link, "session", None)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_session_expires_at(self, link: PortalLink) -> str | None:
        s = self._session(link)
        return serializers.DateTimeField().to_representation(s.expires_at) if s else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_ended_at(self, link: PortalLink) -> str | None:
        s = self._session(link)
        return (
            serializers.DateTimeField().to_representation(s.ended_at) if s and s.ended_at else None
        )

    @extend_schema_field(serializers.CharField())
    def get_end_reason(self, link: PortalLink) -> str:
        s = self._session(link)
        return str(s.end_reason) if s else ""


class PortalSessionCreatedOut(PortalSessionOut):
    url = serializers.CharField(
        help_text="the single-use link to send the customer's browser to (shown once)"
    )


class PortalUserIn(serializers.Serializer[Any]):
    customer = serializers.CharField(max_length=255, help_text="the customer's external id")
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class PortalUserOut(serializers.ModelSerializer[PortalUser]):
    customer: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="external_id", read_only=True, help_text="the customer's external id"
    )
    state = serializers.ChoiceField(choices=PortalUserState.choices)

    class Meta:
        model = PortalUser
        fields = (
            "id",
            "customer",
            "email",
            "name",
            "state",
            "invited_by",
            "invited_at",
            "last_login_at",
            "disabled_at",
        )


class PortalUserDisableIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class EmptyIn(serializers.Serializer[Any]):
    """No fields."""
