"""Webhook endpoints, deliveries and event types. Views validate and call one service
(integrations/webhook_services.py); nothing more.

Staff sessions need the models' permissions, as in the admin: WebhookEndpoint's for endpoints
(`add` to create, `change` to update, rotate, enable, disable, test and replay, `delete` to
delete), WebhookDelivery's `view` for deliveries. API keys need `webhooks:read|write`, and
subscribe, change, test and replay only for event types they may read (403 `missing_scope`
naming the scope and the type: core/api/scopes.py event_types_scope_check)."""

from __future__ import annotations

import json
from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from billing.models import JournalEvent
from core.api.actors import request_actor
from core.api.errors import json_error
from core.api.pagination import CursorPagination
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.api.scopes import event_types_scope_check
from core.exceptions import NotFound, ValidationFailed
from integrations.api.webhooks_serializers import (
    DeliveryDetailOut,
    DeliveryOut,
    DisableIn,
    EndpointCreatedOut,
    EndpointIn,
    EndpointOut,
    EndpointPatchIn,
    EventTypeOut,
    ReplayIn,
    ReplayOut,
    RotatedOut,
    RotateIn,
)
from integrations.event_types import EVENT_TYPES
from integrations.models import (
    DeliveryKind,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookSecret,
)
from integrations.webhook_services import (
    parse_event_id,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_disable,
    webhook_endpoint_enable,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_test,
    webhook_endpoint_update,
    webhook_replay,
)

ENDPOINTS = ["webhook-endpoints"]
DELIVERIES = ["webhook-deliveries"]

SECRET_SHOWN_ONCE = OpenApiParameter(
    name="Idempotency-Key",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "The request runs once per key, but the secret in its answer is never stored: the same "
        "key with the same body again answers **409** `secret_shown_once` (marked "
        "`Idempotent-Replayed: true`) naming the endpoint; rotate its secret for a new one."
    ),
)


def _endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(deleted_at__isnull=True).prefetch_related(
        Prefetch("secrets", queryset=WebhookSecret.objects.filter(expires_at__isnull=True))
    )


def _endpoint(pk: int) -> WebhookEndpoint:
    found = _endpoints().filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No webhook endpoint {pk}.")
    return found


def _secret_replay(response: HttpResponse) -> HttpResponse:
    created = json.loads(response.content)
    return json_error(
        409,
        "secret_shown_once",
        f"This Idempotency-Key already answered with the signing secret of webhook endpoint "
        f"{created['id']}; secrets are shown once and not stored. Rotate the endpoint's secret "
        "for a new one.",
        "Idempotency-Key",
    )


class EndpointFilter(django_filters.FilterSet):  # type: ignore[misc]
    enabled = django_filters.BooleanFilter()

    class Meta:
        model = WebhookEndpoint
        fields: list[str] = []


class EndpointView(generics.GenericAPIView[Any]):
    scope_resource = "webhooks"
    permission_model = WebhookEndpoint
    serializer_class = EndpointOut

    def get_queryset(self) -> Any:
        return _endpoints()


class WebhookEndpointCollection(EndpointView):
    filterset_class = EndpointFilter

    @extend_schema(
        operation_id="webhook_endpoints_list",
        responses={200: EndpointOut(many=True), **error_responses(400, 401)},
        tags=ENDPOINTS,
        description="The webhook endpoints (deleted ones are not listed), newest first.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(EndpointOut(page, many=True).data)

    idempotent_replay = staticmethod(_secret_replay)

    @extend_schema(
        operation_id="webhook_endpoints_create",
        request=EndpointIn,
        parameters=[SECRET_SHOWN_ONCE],
        responses={201: EndpointCreatedOut, **error_responses(400, 401, 409, 422)},
        tags=ENDPOINTS,
        description="A new endpoint, enabled. Its signing secret (`whsec_...`) is in this "
        "answer only. `url` must be https and resolve to public addresses (400 on `url`); "
        '`event_types` are types of webhook-event-types or `["*"]` (400 on `event_types`).',
    )
    def post(self, request: Request) -> Response:
        data = EndpointIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        event_types_scope_check(request, v["event_types"], EVENT_TYPES)  # only what it may read
        endpoint, secret = webhook_endpoint_create(
            url=v["url"],
            description=v["description"],
            event_types=v["event_types"],
            as_of=timezone.now(),
            actor=request_actor(request),
        )
        out = {**EndpointOut(_endpoint(endpoint.pk)).data, "secret": secret}
        return Response(out, status=status.HTTP_201_CREATED)


class WebhookEndpointDetail(EndpointView):
    permission_actions = {"DELETE": "delete"}

    @extend_schema(
        operation_id="webhook_endpoints_retrieve",
        responses={200: EndpointOut, **error_responses(401, 404)},
        tags=ENDPOINTS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(EndpointOut(_endpoint(pk)).data)

    @extend_schema(
        operation_id="webhook_endpoints_update",
        request=EndpointPatchIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: EndpointOut, **error_responses(400, 401, 404)},
        tags=ENDPOINTS,
        description="Change the URL, description or event types (the fields given).",
    )
    def patch(self, request: Request, pk: int) -> Response:
        endpoint = _endpoint(pk)
        data = EndpointPatchIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        event_types_scope_check(
            request, v.get("event_types", endpoint.event_types), EVENT_TYPES,
            indexed="event_types" in v,
        )  # fmt: skip
        webhook_endpoint_update(
            endpoint_id=endpoint.pk,
            url=v.get("url"),
            description=v.get("description"),
            event_types=v.get("event_types"),
            as_of=timezone.now(),
            actor=request_actor(request),
        )
        return Response(EndpointOut(_endpoint(pk)).data)

    @extend_schema(
        operation_id="webhook_endpoints_delete",
        responses={204: None, **error_responses(401, 404)},
        tags=ENDPOINTS,
        description="Delete the endpoint: nothing more is sent to it, its pending deliveries are "
        "given up; its deliveries and attempts stay readable.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        webhook_endpoint_delete(
            endpoint_id=_endpoint(pk).pk, as_of=timezone.now(), actor=request_actor(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookEndpointRotateSecret(EndpointView):
    idempotent_replay = staticmethod(_secret_replay)

    @extend_schema(
        operation_id="webhook_endpoints_rotate_secret",
        request=RotateIn,
        parameters=[SECRET_SHOWN_ONCE],
        responses={200: RotatedOut, **error_responses(400, 401, 404, 409, 422)},
        tags=ENDPOINTS,
        description="A new signing secret, in this answer only. The previous one keeps signing "
        "too (both signatures in `webhook-signature`) until `previous_secret_expires_at`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        endpoint = _endpoint(pk)
        data = RotateIn(data=request.data)
        data.is_valid(raise_exception=True)
        now = timezone.now()
        _, secret = webhook_endpoint_rotate_secret(
            endpoint_id=endpoint.pk,
            overlap_hours=data.validated_data["overlap_hours"],
            as_of=now,
            actor=request_actor(request),
        )
        previous = (
            WebhookSecret.objects.filter(endpoint_id=endpoint.pk, expires_at__isnull=False)
            .order_by("-expires_at")
            .values_list("expires_at", flat=True)
            .first()
        )
        out = {
            **EndpointOut(_endpoint(pk)).data,
            "secret": secret,
            "previous_secret_expires_at": previous.isoformat().replace("+00:00", "Z")
            if previous
            else None,
        }
        return Response(out)


class WebhookEndpointEnable(EndpointView):
    @extend_schema(
        operation_id="webhook_endpoints_enable",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: EndpointOut, **error_responses(401, 404, 409)},
        tags=ENDPOINTS,
        description="Turn a disabled endpoint on: its pending deliveries go at once. 409 "
        "`transition_not_allowed` when it is enabled.",
    )
    def post(self, request: Request, pk: int) -> Response:
        webhook_endpoint_enable(
            endpoint_id=_endpoint(pk).pk, as_of=timezone.now(), actor=request_actor(request)
        )
        return Response(EndpointOut(_endpoint(pk)).data)


class WebhookEndpointDisable(EndpointView):
    @extend_schema(
        operation_id="webhook_endpoints_disable",
        request=DisableIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: EndpointOut, **error_responses(400, 401, 404, 409)},
        tags=ENDPOINTS,
        description="Turn the endpoint off: no deliveries are recorded for it; its pending ones "
        "wait. 409 `transition_not_allowed` when it is disabled.",
    )
    def post(self, request: Request, pk: int) -> Response:
        endpoint = _endpoint(pk)
        data = DisableIn(data=request.data)
        data.is_valid(raise_exception=True)
        webhook_endpoint_disable(
            endpoint_id=endpoint.pk,
            reason=data.validated_data["reason"],
            as_of=timezone.now(),
            actor=request_actor(request),
        )
        return Response(EndpointOut(_endpoint(pk)).data)


def _delivery(pk: int) -> WebhookDelivery:
    found = (
        WebhookDelivery.objects.prefetch_related(
            Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("id"))
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(f"No webhook delivery {pk}.")
    return found


class WebhookEndpointTest(EndpointView):
    @extend_schema(
        operation_id="webhook_endpoints_test",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={202: DeliveryDetailOut, **error_responses(401, 404, 409)},
        tags=ENDPOINTS,
        description="Send a `ping` event to this endpoint only (it is sent in the background; "
        "follow it at webhook-deliveries/{id}). 409 when the endpoint is disabled.",
    )
    def post(self, request: Request, pk: int) -> Response:
        endpoint = _endpoint(pk)
        event_types_scope_check(request, endpoint.event_types, EVENT_TYPES, indexed=False)
        delivery = webhook_endpoint_test(
            endpoint_id=endpoint.pk, as_of=timezone.now(), actor=request_actor(request)
        )
        return Response(DeliveryDetailOut(_delivery(delivery.pk)).data, status=202)


class WebhookEndpointReplay(EndpointView):
    @extend_schema(
        operation_id="webhook_endpoints_replay",
        request=ReplayIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={202: ReplayOut, **error_responses(400, 401, 404, 409)},
        tags=ENDPOINTS,
        description="Deliver again to this endpoint: one event (`event`: evt_123), the event of "
        "one delivery (`delivery`), or every event of its types that occurred `since` a time. "
        "New deliveries of the same events: the same `webhook-id`, so receivers dedupe. 404 on "
        "`event` / `delivery` when unknown; 409 when the endpoint is disabled.",
    )
    def post(self, request: Request, pk: int) -> Response:
        endpoint = _endpoint(pk)
        data = ReplayIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        _replay_scope_check(request, endpoint, v)
        now = timezone.now()
        count = webhook_replay(
            endpoint_id=endpoint.pk,
            event_id=parse_event_id(v["event"]) if "event" in v else None,
            delivery_id=v.get("delivery"),
            since=v.get("since"),
            as_of=now,
            actor=request_actor(request),
        )
        return Response(ReplayOut({"deliveries": count}).data, status=202)


def _replay_scope_check(request: Request, endpoint: WebhookEndpoint, v: dict[str, Any]) -> None:
    """An API key replays only events it may read (core/api/scopes.py): the endpoint's types, and
    the one event asked for (by id, or a delivery's, from when the types may have been wider)."""
    event_types_scope_check(request, endpoint.event_types, EVENT_TYPES, indexed=False)
    source: JournalEvent | None = None
    if "event" in v:
        source = JournalEvent.objects.filter(pk=parse_event_id(v["event"])).first()
    elif "delivery" in v:
        found = WebhookDelivery.objects.filter(pk=v["delivery"], endpoint_id=endpoint.pk).first()
        source = found.event if found is not None else None
    if source is not None:
        field = "event" if "event" in v else "delivery"
        event_types_scope_check(
            request, [source.type], {source.type: source}, field=field, indexed=False
        )


class DeliveryFilter(django_filters.FilterSet):  # type: ignore[misc]
    endpoint = django_filters.NumberFilter(field_name="endpoint_id", min_value=1)
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    kind = django_filters.ChoiceFilter(choices=DeliveryKind.choices)
    event_type = django_filters.CharFilter()
    subject = django_filters.CharFilter(help_text="subject_type:subject_id")
    event = django_filters.CharFilter(method="by_event", label="an event id (evt_123)")

    class Meta:
        model = WebhookDelivery
        fields: list[str] = []

    def by_event(self, queryset: Any, name: str, value: str) -> Any:
        try:
            return queryset.filter(event_id=parse_event_id(value))
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, field="event") from None


class DeliveryPages(CursorPagination):
    ordering = ("-id",)


class DeliveryView(generics.GenericAPIView[Any]):
    scope_resource = "webhooks"
    permission_model = WebhookDelivery
    serializer_class = DeliveryOut

    def get_queryset(self) -> Any:
        return WebhookDelivery.objects.all()


class WebhookDeliveryCollection(DeliveryView):
    filterset_class = DeliveryFilter
    pagination_class = DeliveryPages

    @extend_schema(
        operation_id="webhook_deliveries_list",
        responses={200: DeliveryOut(many=True), **error_responses(400, 401)},
        tags=DELIVERIES,
        description="Deliveries, newest first (`pending`: to be sent or retried; `succeeded`; "
        "`failed`: given up after three days of retries).",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(DeliveryOut(page, many=True).data)


class WebhookDeliveryDetail(DeliveryView):
    serializer_class = DeliveryDetailOut

    @extend_schema(
        operation_id="webhook_deliveries_retrieve",
        responses={200: DeliveryDetailOut, **error_responses(401, 404)},
        tags=DELIVERIES,
        description="A delivery with each attempt: time, HTTP status or error, latency, the "
        "answer's first 1 KB.",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(DeliveryDetailOut(_delivery(pk)).data)


class WebhookEventTypes(generics.GenericAPIView[Any]):
    scope_resource = "webhooks"
    permission_model = WebhookEndpoint
    queryset = WebhookEndpoint.objects.none()  # a catalogue, not rows
    serializer_class = EventTypeOut
    pagination_class = None

    @extend_schema(
        operation_id="webhook_event_types_list",
        responses={200: EventTypeOut(many=True), **error_responses(401)},
        tags=ENDPOINTS,
        description="Every event type an endpoint may subscribe to, with its subject and an "
        "example of its data.",
    )
    def get(self, request: Request) -> Response:
        from integrations.event_types import EVENT_TYPES

        rows = [
            {"type": t.type, "description": t.description, "subject_type": t.subject_type,
             "example": t.example}
            for _, t in sorted(EVENT_TYPES.items())
        ]  # fmt: skip
        return Response(EventTypeOut(rows, many=True).data)
