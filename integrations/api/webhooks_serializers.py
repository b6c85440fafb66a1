"""Input and output of the webhook endpoints, deliveries and event types."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from integrations.models import DeliveryKind, DeliveryStatus

MAX_ID = 2**63 - 1


class EndpointIn(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=2000, help_text="https (public address)")
    description = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=100),
        min_length=1,
        max_length=200,
        help_text='Event types (see webhook-event-types), or ["*"] for every type.',
    )


class EndpointPatchIn(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=2000, required=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=100), min_length=1, max_length=200, required=False
    )


class EndpointOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    url = serializers.CharField()
    description = serializers.CharField()
    event_types = serializers.ListField(child=serializers.CharField())
    enabled = serializers.BooleanField()
    disabled_reason = serializers.CharField()
    disabled_at = serializers.DateTimeField(allow_null=True)
    failing_since = serializers.DateTimeField(
        allow_null=True, help_text="deliveries failing without a success since then"
    )
    secret_hint = serializers.SerializerMethodField(
        help_text="the current signing secret's last characters"
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_secret_hint(self, endpoint: Any) -> str:
        current = [s for s in endpoint.secrets.all() if s.expires_at is None]
        return f"…{current[0].hint}" if current else ""


class EndpointCreatedOut(EndpointOut):
    secret = serializers.CharField(
        help_text="The signing secret (whsec_...): shown only in this answer; store it now."
    )


class RotateIn(serializers.Serializer[Any]):
    overlap_hours = serializers.IntegerField(
        min_value=0,
        max_value=168,
        required=False,
        allow_null=True,
        default=None,
        help_text="How long the previous secret keeps signing too (default "
        "WEBHOOK_SECRET_OVERLAP_HOURS, 24; at most 168 = 7 days; 0: no overlap).",
    )


class RotatedOut(EndpointOut):
    secret = serializers.CharField(help_text="The new signing secret: shown only in this answer.")
    previous_secret_expires_at = serializers.DateTimeField()


class DisableIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReplayIn(serializers.Serializer[Any]):
    event = serializers.CharField(
        max_length=40, required=False, help_text="an event id (evt_123): deliver it again"
    )
    delivery = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="a delivery's id: send again"
    )
    since = serializers.DateTimeField(
        required=False,
        help_text="every event of the endpoint's types that occurred since then",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if len(attrs) != 1:
            raise serializers.ValidationError(
                {"event": "Give exactly one of event, delivery or since."}
            )
        return attrs


class ReplayOut(serializers.Serializer[Any]):
    deliveries = serializers.IntegerField(help_text="how many deliveries were queued")


class AttemptOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    attempted_at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True, help_text="empty: no HTTP answer")
    error = serializers.CharField()
    latency_ms = serializers.IntegerField(help_text="until the answer's headers")
    duration_ms = serializers.IntegerField(help_text="until the answer's body was read")
    response_excerpt = serializers.CharField(help_text="the answer's first 1 KB")
    succeeded = serializers.BooleanField()


class DeliveryOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    endpoint = serializers.IntegerField(source="endpoint_id")
    event = serializers.CharField(source="webhook_id", help_text="the event's id = webhook-id")
    event_type = serializers.CharField()
    subject = serializers.CharField()
    kind = serializers.ChoiceField(choices=DeliveryKind.choices)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    requested_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class DeliveryDetailOut(DeliveryOut):
    attempt_log = AttemptOut(many=True, help_text="every attempt, oldest first")


class EventTypeOut(serializers.Serializer[Any]):
    type = serializers.CharField()
    description = serializers.CharField()
    subject_type = serializers.CharField()
    example = serializers.DictField(help_text="an example of the envelope's data")
