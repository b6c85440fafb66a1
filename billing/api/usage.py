"""Usage endpoints: POST /events (one), POST /events/batch (up to USAGE_MAX_BATCH), current usage,
and late events. The event endpoints parse the body themselves (decimals exact, no per-event
serializer) to keep ingestion fast."""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.aggregation import current_usage
from billing.api.filters import UsageEventFilter
from billing.models import Customer, UsageEvent
from billing.selectors import customer_read_as_of
from billing.services.usage import parse_json_body, usage_ingest
from core.api.actors import request_actor
from core.api.errors import error_item
from core.api.schema import error_responses

TAGS = ["usage"]

EventIn = inline_serializer(
    name="UsageEventIn",
    fields={
        "event_id": serializers.CharField(max_length=255, help_text="idempotency key per customer"),
        "customer": serializers.CharField(help_text="the customer's external id"),
        "metric": serializers.CharField(help_text="a billable metric's code"),
        "event_time": serializers.DateTimeField(required=False, help_text="default: now"),
        "properties": serializers.DictField(required=False),
        "operation": serializers.ChoiceField(
            choices=["add", "remove"],
            required=False,
            help_text='default "add". "remove" takes the value of properties.<field> away from a '
            "unique count metric (the only kind it applies to; any other metric: 400 on "
            "`operation`): the window counts the distinct values added and not removed by its "
            "end (for a recurring metric, over all of the customer's events up to the end).",
        ),
    },
)
Outcome = inline_serializer(
    name="UsageEventOutcome",
    fields={
        "index": serializers.IntegerField(),
        "event_id": serializers.CharField(allow_null=True),
        "status": serializers.ChoiceField(choices=["accepted", "duplicate", "rejected"]),
        "late": serializers.BooleanField(required=False),
        "errors": serializers.ListField(child=serializers.DictField(), required=False),
    },
)
BatchOut = inline_serializer(
    name="UsageBatchResult",
    fields={
        "accepted": serializers.IntegerField(),
        "duplicates": serializers.IntegerField(),
        "rejected": serializers.IntegerField(),
        "events": Outcome.__class__(many=True),
    },
)


_UNREAD = object()


class _ParsedOnce(APIView):
    # the body parsed once (decimals exact), for the strict input check (core/api/strict.py)
    # and the view alike (a comment: drf-spectacular would take a docstring as a description)

    _json: Any = _UNREAD

    def json_body(self, request: Request) -> Any:
        if self._json is _UNREAD:
            self._json = parse_json_body(request.body)
        return self._json

    def _parse(self, request: Request) -> Any:
        try:
            return self.json_body(request)
        except (ValueError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            return Response(
                {"errors": [error_item(None, "parse_error", f"Malformed JSON: {reason}")]},
                status=status.HTTP_400_BAD_REQUEST,
            )


class EventView(_ParsedOnce):
    permission_model = UsageEvent
    rate_class = "ingestion"  # its own rate limit (core/api/throttling.py)

    @extend_schema(
        operation_id="events_create",
        request=EventIn,
        responses={201: Outcome, 200: Outcome, **error_responses(400, 401)},
        tags=TAGS,
        description="One usage event: 201 accepted, 200 duplicate (already stored), 400 rejected.",
        examples=[
            OpenApiExample(
                "API calls",
                value={"event_id": "evt_1", "customer": "acme", "metric": "api_calls",
                       "event_time": "2026-01-15T10:00:00Z", "properties": {"calls": 42}},
                request_only=True,
            )
        ],
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        body = self._parse(request)
        if isinstance(body, Response):
            return body
        report = usage_ingest(events=[body], actor=request_actor(request), as_of=timezone.now())
        outcome = report.outcomes[0]
        if outcome.status == "rejected":
            return Response({"errors": outcome.errors}, status=status.HTTP_400_BAD_REQUEST)
        code = status.HTTP_201_CREATED if outcome.status == "accepted" else status.HTTP_200_OK
        return Response(outcome.as_dict(), status=code)


class EventBatchView(_ParsedOnce):
    strict_input_top_level_only = True  # an event's unknown field: that event's rejection
    permission_model = UsageEvent
    rate_class = "ingestion"  # its own rate limit (core/api/throttling.py)

    @extend_schema(
        operation_id="events_batch",
        request=inline_serializer(
            name="UsageBatchIn", fields={"events": EventIn.__class__(many=True)}
        ),
        responses={200: BatchOut, **error_responses(400, 401, 413)},
        tags=TAGS,
        description="Up to USAGE_MAX_BATCH (10,000) events. Each is reported accepted, duplicate "
        "or rejected (with the field and the reason); every accepted event is stored when the "
        "response is a 2xx. Resending the same batch stores nothing twice.",
    )
    def post(self, request: Request) -> Response | HttpResponse:
        body = self._parse(request)
        if isinstance(body, Response):
            return body
        events = body.get("events") if isinstance(body, dict) else body
        if not isinstance(events, list):
            return Response(
                {"errors": [error_item("events", "invalid",
                                       'Send {"events": [...]} or a JSON array of events.')]},
                status=status.HTTP_400_BAD_REQUEST,
            )  # fmt: skip
        limit = settings.USAGE_MAX_BATCH
        if len(events) > limit:
            return Response(
                {"errors": [error_item("events", "too_many",
                                       f"{len(events)} events: a batch holds at most {limit}.")]},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )  # fmt: skip
        report = usage_ingest(events=events, actor=request_actor(request), as_of=timezone.now())
        # a 10,000-event report is large: serialized with orjson, the body DRF would render
        return HttpResponse(orjson.dumps(report.as_dict()), content_type="application/json")


class CurrentUsageView(APIView):
    permission_model = Customer  # as the admin's current-usage page
    scope_resource = "events"  # usage reads are events:read (core/api/scopes.py)

    @extend_schema(
        operation_id="customers_current_usage",
        responses={200: inline_serializer(name="CurrentUsage", fields={
            "customer": serializers.CharField(),
            "subscriptions": serializers.ListField(child=serializers.DictField())}),
            **error_responses(404)},
        tags=TAGS,
        description="For the customer's current periods: the quantity per metric so far and the "
        "estimated charge through the rating engine, with its explanation.",
    )  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        customer = get_object_or_404(Customer, pk=pk)
        return Response(
            {
                "customer": customer.external_id,
                "subscriptions": current_usage(
                    customer_id=customer.pk, as_of=customer_read_as_of(customer, timezone.now())
                ),
            }
        )


class UsageEventOut(serializers.ModelSerializer[UsageEvent]):
    customer: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="external_id", read_only=True
    )
    metric: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = UsageEvent
        fields = ("id", "event_id", "customer", "metric", "event_time", "received_at", "value",
                  "properties", "late", "operation")  # fmt: skip


class UsageEventList(generics.GenericAPIView[Any]):
    serializer_class = UsageEventOut
    filterset_class = UsageEventFilter

    def get_queryset(self) -> Any:
        return UsageEvent.objects.select_related("customer", "metric").order_by(
            "-event_time", "-id"
        )

    def paginate_queryset(self, queryset: Any) -> Any:
        self.paginator.ordering = ("-event_time", "-id")  # type: ignore[union-attr]
        return super().paginate_queryset(queryset)

    @extend_schema(
        operation_id="events_list",
        responses={200: UsageEventOut(many=True)},
        tags=TAGS,
        description="Stored events, newest first; `late=true` lists those awaiting a correction.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(UsageEventOut(page, many=True).data)
