"""Dunning endpoints: policies with their states, a customer's assignment, status and
transitions, and "evaluate now". Views validate input and call one service; nothing more."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from billing.models import Customer
from billing.selectors import customer_as_of, customer_read_as_of
from core.api.actors import request_actor
from core.api.pagination import CursorPagination
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.exceptions import NotFound
from payments.api.dunning_serializers import (
    AssignmentIn,
    DunningPolicyIn,
    DunningPolicyOut,
    DunningPolicyPatchIn,
    DunningStatusOut,
    DunningTransitionOut,
)
from payments.models.dunning import CustomerDunning, DunningPolicy, DunningState, DunningTransition
from payments.services import dunning, dunning_policies

TAGS = ["dunning"]
RULES = (
    "A customer with something overdue is in the state of highest position whose conditions "
    "(those set) all hold: days past due of the oldest overdue invoice (customer's time zone), "
    "amount overdue (customer's currency; a state naming a currency holds it only for "
    "customers billed in it), failed automatic payment attempts of the overdue invoices."
)


def _policies() -> Any:
    return DunningPolicy.objects.prefetch_related(
        Prefetch("states", queryset=DunningState.objects.order_by("position"))
    ).order_by("name", "id")


def _policy_out(policy_id: int) -> dict[str, Any]:
    return DunningPolicyOut(_policies().get(pk=policy_id)).data


def _payload(data: dict[str, Any]) -> dict[str, Any]:
    """Validated input as the service takes it (decimals as strings, states as dicts)."""
    out = dict(data)
    if "states" in out:
        out["states"] = [
            {k: str(v) if k == "min_amount_overdue" and v is not None else v
             for k, v in state.items()}
            for state in out["states"]
        ]  # fmt: skip
    return out


class PolicyPages(CursorPagination):
    ordering = ("name", "id")


class TransitionPages(CursorPagination):
    ordering = ("-as_of", "-id")


class DunningPolicyCollection(generics.GenericAPIView[Any]):
    serializer_class = DunningPolicyOut
    pagination_class = PolicyPages

    def get_queryset(self) -> Any:
        return _policies()

    @extend_schema(
        operation_id="dunning_policies_list",
        responses={200: DunningPolicyOut(many=True), **error_responses(401)},
        tags=TAGS,
        description="Dunning policies with their states, by name. " + RULES,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DunningPolicyOut(page, many=True).data)

    @extend_schema(
        operation_id="dunning_policies_create",
        request=DunningPolicyIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: DunningPolicyOut, **error_responses(400, 401, 409, 422)},
        tags=TAGS,
        description="A new policy and its states (in the order of their positions). "
        "`is_default: true` makes it the default policy (the previous default stops being "
        "it). Refused (400, naming the field, e.g. `states[1].min_days_past_due`): a state "
        "without any condition, two states with one position or code, an unknown template, "
        "an amount with more decimals than its currency. 409: the name is taken. " + RULES,
    )
    def post(self, request: Request) -> Response:
        data = DunningPolicyIn(data=request.data)
        data.is_valid(raise_exception=True)
        policy = dunning_policies.dunning_policy_create(
            data=_payload(data.validated_data), actor=request_actor(request),
            as_of=timezone.now(),
        )  # fmt: skip
        return Response(_policy_out(policy.pk), status=status.HTTP_201_CREATED)


class DunningPolicyDetail(generics.GenericAPIView[Any]):
    serializer_class = DunningPolicyOut

    def get_queryset(self) -> Any:
        return _policies()

    @extend_schema(
        operation_id="dunning_policies_retrieve",
        responses={200: DunningPolicyOut, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(DunningPolicyOut(self.get_object()).data)

    def _update(self, request: Request, pk: int, partial: bool) -> Response:
        self.get_object()
        serializer = DunningPolicyPatchIn if partial else DunningPolicyIn
        data = serializer(data=request.data)
        data.is_valid(raise_exception=True)
        dunning_policies.dunning_policy_update(
            policy_id=pk, data=_payload(data.validated_data), actor=request_actor(request),
            as_of=timezone.now(),
        )  # fmt: skip
        return Response(_policy_out(pk))

    @extend_schema(
        operation_id="dunning_policies_update",
        request=DunningPolicyIn,
        responses={200: DunningPolicyOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Replace the policy and its list of states. States are matched by `code`: "
        "a kept code keeps the customers in it, a new code adds a state, a code left out "
        "removes its state (409 `state_in_use` while customers are in it). Past transitions "
        "keep their own copies of names and actions.",
    )
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        operation_id="dunning_policies_partial_update",
        request=DunningPolicyPatchIn,
        responses={200: DunningPolicyOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Change the fields given; `states`, when given, is the full new list.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=True)

    @extend_schema(
        operation_id="dunning_policies_delete",
        request=None,
        responses={204: None, **error_responses(401, 404, 409)},
        tags=TAGS,
        description="Remove a policy no customer is assigned to nor in a state of (409 "
        "`policy_in_use`). Its past transitions stay, with their copies of its names.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        self.get_object()
        dunning_policies.dunning_policy_delete(
            policy_id=pk, actor=request_actor(request), as_of=timezone.now()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _customer(pk: int) -> Customer:
    customer = Customer.objects.filter(pk=pk).first()
    if customer is None:
        raise NotFound(f"No customer with id {pk}.")
    return customer


def _status(customer: Customer) -> dict[str, Any]:
    found = dunning.customer_dunning_status(customer, customer_read_as_of(customer, timezone.now()))
    prefetch_related_objects(found["transitions"], "invoices")
    return DunningStatusOut(found).data


class CustomerDunningView(generics.GenericAPIView[Any]):
    serializer_class = DunningStatusOut
    permission_model = CustomerDunning
    pagination_class = None

    @extend_schema(
        operation_id="customers_dunning_retrieve",
        responses={200: DunningStatusOut, **error_responses(401, 404)},
        tags=TAGS,
        description="The customer's dunning: the policy that applies (its own, else the "
        "default), the state it is in, what is overdue now, its latest transitions.",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_status(_customer(pk)))

    @extend_schema(
        operation_id="customers_dunning_assign",
        request=AssignmentIn,
        responses={200: DunningStatusOut, **error_responses(400, 401, 404)},
        tags=TAGS,
        description="Give the customer its own policy (`policy: null`: the default again). The "
        "customer is evaluated at once under it (a state of the old policy is left or moved, "
        "with its transition).",
    )
    def put(self, request: Request, pk: int) -> Response:
        customer = _customer(pk)
        data = AssignmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        dunning_policies.customer_dunning_assign(
            customer_id=customer.pk, policy_id=data.validated_data["policy"],
            actor=request_actor(request), as_of=customer_as_of(customer, timezone.now()),
        )  # fmt: skip
        return Response(_status(customer))


class CustomerDunningTransitions(generics.GenericAPIView[Any]):
    serializer_class = DunningTransitionOut
    queryset = DunningTransition.objects.none()  # the schema's model; rows: the customer's
    permission_model = DunningTransition
    pagination_class = TransitionPages

    @extend_schema(
        operation_id="customers_dunning_transitions",
        responses={200: DunningTransitionOut(many=True), **error_responses(401, 404)},
        tags=TAGS,
        description="The customer's dunning transitions, the latest first: each with its "
        "reason, the amounts that caused it and copies of the states' names and actions.",
    )
    def get(self, request: Request, pk: int) -> Response:
        customer = _customer(pk)
        rows = DunningTransition.objects.filter(customer=customer).prefetch_related("invoices")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(DunningTransitionOut(page, many=True).data)


class CustomerDunningEvaluate(generics.GenericAPIView[Any]):
    serializer_class = DunningStatusOut
    permission_model = CustomerDunning
    permission_actions = {"POST": "change"}
    pagination_class = None

    @extend_schema(
        operation_id="customers_dunning_evaluate",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: DunningStatusOut, **error_responses(401, 404, 422)},
        tags=TAGS,
        description="Evaluate the customer now (as the clock would): a transition is written "
        "only when its state changes. Returns its dunning afterwards.",
    )
    def post(self, request: Request, pk: int) -> Response:
        customer = _customer(pk)
        dunning.dunning_evaluate(
            customer_id=customer.pk,
            as_of=customer_as_of(customer, timezone.now()),
            actor=request_actor(request),
            cause="evaluate now",
        )  # fmt: skip
        return Response(_status(customer))
