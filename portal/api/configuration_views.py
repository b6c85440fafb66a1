"""Portal configuration endpoints: configurations with their plans, and a customer's own
configuration (`/customers/{id}/portal-configuration/`, as billing names a customer's
sub-resources). Views validate input and call one service."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from billing.models import Customer
from core.api.actors import request_actor
from core.api.pagination import CursorPagination
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.exceptions import NotFound
from portal.api.configuration_serializers import (
    CustomerPortalConfigurationIn,
    CustomerPortalConfigurationOut,
    PortalConfigurationIn,
    PortalConfigurationOut,
    PortalConfigurationPatchIn,
)
from portal.models import PortalConfiguration, PortalConfigurationPlan, PortalCustomerConfiguration
from portal.services import configuration as services

TAGS = ["portal"]


def _configurations() -> Any:
    rows = PortalConfigurationPlan.objects.select_related("plan").order_by("position", "id")
    return PortalConfiguration.objects.prefetch_related(
        Prefetch("plan_rows", queryset=rows)
    ).order_by("name", "id")


def _out(configuration_id: int) -> dict[str, Any]:
    return PortalConfigurationOut(_configurations().get(pk=configuration_id)).data


class ConfigurationPages(CursorPagination):
    ordering = ("name", "id")


class PortalConfigurationCollection(generics.GenericAPIView[Any]):
    serializer_class = PortalConfigurationOut
    pagination_class = ConfigurationPages

    def get_queryset(self) -> Any:
        return _configurations()

    @extend_schema(
        operation_id="portal_configurations_list",
        responses={200: PortalConfigurationOut(many=True), **error_responses(401)},
        tags=TAGS,
        description="Portal configurations, by name: what their customers may do in the "
        "portal and the plans they may switch to.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PortalConfigurationOut(page, many=True).data)

    @extend_schema(
        operation_id="portal_configurations_create",
        request=PortalConfigurationIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: PortalConfigurationOut, **error_responses(400, 401, 409)},
        tags=TAGS,
        description="A new configuration. Refused (400, naming the field): an unknown plan "
        "(`plans[1]`, `unknown_plan`), an archived one (`plan_archived`), a plan listed twice. "
        "409: the name is taken.",
    )
    def post(self, request: Request) -> Response:
        data = PortalConfigurationIn(data=request.data)
        data.is_valid(raise_exception=True)
        configuration = services.portal_configuration_create(
            data=data.validated_data, as_of=timezone.now(), actor=request_actor(request)
        )
        return Response(_out(configuration.pk), status=status.HTTP_201_CREATED)


class PortalConfigurationDetail(generics.GenericAPIView[Any]):
    serializer_class = PortalConfigurationOut

    def get_queryset(self) -> Any:
        return _configurations()

    @extend_schema(
        operation_id="portal_configurations_retrieve",
        responses={200: PortalConfigurationOut, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(PortalConfigurationOut(self.get_object()).data)

    @extend_schema(
        operation_id="portal_configurations_partial_update",
        request=PortalConfigurationPatchIn,
        responses={200: PortalConfigurationOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Change the fields given; `plans`, when given, is the full new list in "
        "order. `is_default: false` on the default is refused (`default_required`): make "
        "another one the default instead.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        self.get_object()
        data = PortalConfigurationPatchIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.portal_configuration_update(
            configuration_id=pk, data=data.validated_data, as_of=timezone.now(),
            actor=request_actor(request),
        )  # fmt: skip
        return Response(_out(pk))


def _customer(pk: int) -> Customer:
    customer = Customer.objects.filter(pk=pk).first()
    if customer is None:
        raise NotFound(f"No customer with id {pk}.")
    return customer


def _assignment(customer: Customer) -> dict[str, Any]:
    own = (
        PortalCustomerConfiguration.objects.filter(customer=customer)
        .values_list("configuration_id", flat=True)
        .first()
    )
    applies = (
        own
        if own is not None
        else PortalConfiguration.objects.filter(is_default=True)
        .values_list("pk", flat=True)
        .first()
    )
    return CustomerPortalConfigurationOut(
        {
            "customer": customer.pk,
            "configuration": own,
            "applies": _configurations().get(pk=applies) if applies is not None else None,
        }
    ).data


class CustomerPortalConfigurationView(generics.GenericAPIView[Any]):
    serializer_class = CustomerPortalConfigurationOut
    permission_model = PortalCustomerConfiguration
    pagination_class = None

    @extend_schema(
        operation_id="customers_portal_configuration_retrieve",
        responses={200: CustomerPortalConfigurationOut, **error_responses(401, 404)},
        tags=TAGS,
        description="The customer's own portal configuration (null: none) and the one that "
        "applies to its portal sessions (its own, else the default; a portal session may name "
        "another).",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_assignment(_customer(pk)))

    @extend_schema(
        operation_id="customers_portal_configuration_set",
        request=CustomerPortalConfigurationIn,
        responses={200: CustomerPortalConfigurationOut, **error_responses(400, 401, 404)},
        tags=TAGS,
        description="Give the customer its own configuration (400 `unknown_configuration` "
        "for an unknown id).",
    )
    def put(self, request: Request, pk: int) -> Response:
        customer = _customer(pk)
        data = CustomerPortalConfigurationIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.portal_customer_configuration_set(
            customer_id=customer.pk, configuration_id=data.validated_data["configuration"],
            as_of=timezone.now(), actor=request_actor(request),
        )  # fmt: skip
        return Response(_assignment(customer))

    @extend_schema(
        operation_id="customers_portal_configuration_clear",
        request=None,
        responses={204: None, **error_responses(401, 404)},
        tags=TAGS,
        description="The customer goes back to the default configuration.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        customer = _customer(pk)
        services.portal_customer_configuration_clear(
            customer_id=customer.pk, as_of=timezone.now(), actor=request_actor(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
