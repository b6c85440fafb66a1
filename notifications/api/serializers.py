"""Output of the notification endpoints (they take no body: resend acts on the path's id)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from notifications.models import Notification


class NotificationOut(serializers.ModelSerializer[Notification]):
    customer: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="external_id", read_only=True, help_text="the customer's external id"
    )
    customer_id = serializers.IntegerField(read_only=True)
    event = serializers.IntegerField(
        source="event_id", allow_null=True, read_only=True,
        help_text="the journal event it tells about (null: a clock notice such as a renewal)",
    )  # fmt: skip
    resend_of = serializers.IntegerField(
        source="resend_of_id", allow_null=True, read_only=True,
        help_text="the notification this one sends again",
    )  # fmt: skip

    class Meta:
        model = Notification
        fields: tuple[str, ...] = (
            "id",
            "customer",
            "customer_id",
            "template",
            "state",
            "recipient",
            "subject",
            "locale",
            "event",
            "resend_of",
            "requested_by",
            "attempts",
            "last_error",
            "next_attempt_at",
            "sent_at",
            "message_id",
            "created_at",
        )
        read_only_fields: tuple[str, ...] = fields
        extra_kwargs = {
            "recipient": {"help_text": "the address it goes to (empty: the customer had none)"},
            "subject": {"help_text": "the subject as sent (empty until it is sent)"},
            "locale": {"help_text": "the language it was written in (en, de)"},
            "last_error": {"help_text": "why the last attempt failed, or why it was skipped"},
            "message_id": {"help_text": "the Message-ID header it was sent with"},
        }


class NotificationDetailOut(NotificationOut):
    facts = serializers.JSONField(
        source="data", read_only=True, help_text="what it is about: ids and frozen facts"
    )

    class Meta(NotificationOut.Meta):
        fields = (*NotificationOut.Meta.fields, "facts")
        read_only_fields = fields
