"""Notification endpoints: every e-mail sent to customers (filtered), one customer's, one
notification, and "send again". Staff sessions need the Notification model's permissions:
`view_notification` to read, `add_notification` to resend."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from billing.api.filters import InstantFilter
from billing.models import Customer
from billing.selectors import customer_id_as_of
from core.api.actors import request_actor
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.exceptions import NotFound
from notifications import selectors
from notifications.api.serializers import NotificationDetailOut, NotificationOut
from notifications.models import Notification, State, Template
from notifications.services import notification_resend

TAGS = ["notifications"]
MAX_ID = 2**63 - 1


class CustomerNotificationFilter(django_filters.FilterSet):  # type: ignore[misc]
    template = django_filters.ChoiceFilter(choices=Template.choices)
    state = django_filters.ChoiceFilter(choices=State.choices)
    event = django_filters.NumberFilter(method="filter_event", label="a journal event's id")
    created_after = InstantFilter(
        field_name="created_at", lookup_expr="gte", label="recorded at or after this instant"
    )
    created_before = InstantFilter(
        field_name="created_at", lookup_expr="lt", label="recorded before this instant"
    )

    class Meta:
        model = Notification
        fields: list[str] = []

    @extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
    def filter_event(
        self, qs: QuerySet[Notification], name: str, value: Any
    ) -> QuerySet[Notification]:
        # the schema's bounds are checked before (core/api/strict.py): `value` is a whole id
        return qs.filter(event_id=int(value))


class NotificationFilter(CustomerNotificationFilter):
    customer = django_filters.CharFilter(
        field_name="customer__external_id", label="the customer's external id"
    )


LIST = (
    "Newest first. `state`: `pending` (waiting for its send or its next attempt after an "
    "SMTP error, `last_error` says which), `sending`, `sent` (`sent_at`, `message_id`), "
    "`failed` (given up), `skipped` (never sent: the customer had no e-mail address)."
)


class NotificationCollection(generics.GenericAPIView[Any]):
    serializer_class = NotificationOut
    filterset_class = NotificationFilter

    def get_queryset(self) -> Any:
        return selectors.notification_list()

    @extend_schema(
        operation_id="notifications_list",
        responses={200: NotificationOut(many=True), **error_responses(400, 401)},
        tags=TAGS,
        description="The e-mails sent (or to be sent) to customers. " + LIST,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(NotificationOut(page, many=True).data)


class CustomerNotifications(generics.GenericAPIView[Any]):
    serializer_class = NotificationOut
    filterset_class = CustomerNotificationFilter
    permission_model = Notification

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema's generation
            return Notification.objects.none()
        customer = Customer.objects.filter(pk=self.kwargs["pk"]).first()
        if customer is None:
            raise NotFound(f"No customer with id {self.kwargs['pk']}.")
        return selectors.notification_list().filter(customer=customer)

    @extend_schema(
        operation_id="customers_notifications_list",
        responses={200: NotificationOut(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
        description="The e-mails of one customer. " + LIST,
    )
    def get(self, request: Request, pk: int) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(NotificationOut(page, many=True).data)


class NotificationDetail(generics.GenericAPIView[Any]):
    serializer_class = NotificationDetailOut

    def get_queryset(self) -> Any:
        return selectors.notification_list()

    @extend_schema(
        operation_id="notifications_retrieve",
        responses={200: NotificationDetailOut, **error_responses(401, 404)},
        tags=TAGS,
        description="One notification, with what it is about (`data`).",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(NotificationDetailOut(self.get_object()).data)


class NotificationResend(generics.GenericAPIView[Any]):
    serializer_class = NotificationDetailOut
    permission_model = Notification
    permission_actions = {"POST": "add"}  # it records a new notification

    @extend_schema(
        operation_id="notifications_resend",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: NotificationDetailOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Send the e-mail again: a new notification (`resend_of` the original, "
        "`requested_by` who asked) with the same content, to the customer's e-mail address "
        "as it is now, sent after the commit. Refused while the original is still being sent "
        "(409 `still_sending`) and for a customer without an e-mail address (400 `no_email` "
        "on `customer`).",
    )
    def post(self, request: Request, pk: int) -> Response:
        owner = Notification.objects.filter(pk=pk).values_list("customer_id", flat=True).first()
        now = timezone.now()
        copy = notification_resend(
            notification_id=pk,
            actor=request_actor(request),
            as_of=customer_id_as_of(owner, now) if owner else now,  # a test clock's time
        )
        fresh = selectors.notification_list().get(pk=copy.pk)
        return Response(NotificationDetailOut(fresh).data, status=status.HTTP_201_CREATED)
