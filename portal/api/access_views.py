"""Portal sessions (links into a customer's portal for the integrator's backend) and portal
users (people finance staff invite). Views validate and call one service (portal.services).

Staff sessions need the models' permissions, as in the admin: PortalLink's for portal sessions
(`add_portallink` to create, `change_portallink` to end), PortalUser's for portal users."""

from __future__ import annotations

import json
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from billing.models import Customer
from core.api.actors import request_actor
from core.api.errors import json_error
from core.api.pagination import CursorPagination
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.exceptions import NotFound
from portal.api.access_serializers import (
    PortalSessionCreatedOut,
    PortalSessionIn,
    PortalSessionOut,
    PortalUserDisableIn,
    PortalUserIn,
    PortalUserOut,
)
from portal.models import LinkKind, PortalLink, PortalUser, PortalUserState
from portal.services import (
    portal_link_end,
    portal_session_create,
    portal_user_disable,
    portal_user_invite,
    portal_user_invite_again,
)
from portal.services.access import absolute_url, link_path

SESSIONS = ["portal-sessions"]
USERS = ["portal-users"]


LINK_SHOWN_ONCE = OpenApiParameter(
    name="Idempotency-Key",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "The request runs once per key, but its link is never stored (only a hash of it is): the "
        "same key with the same body again answers **409** `link_shown_once` (marked "
        "`Idempotent-Replayed: true`, naming the session created) instead of the link; ask "
        "again with a new key for a new link (links are single-use and cheap; an unused one "
        "expires on its own). The same key with another body: 422."
    ),
)


def _customer(external_id: str) -> Customer:
    customer = Customer.objects.filter(external_id=external_id).first()
    if customer is None:
        raise NotFound(f"No customer {external_id!r}.", field="customer")
    return customer


def _sessions() -> QuerySet[PortalLink]:
    return PortalLink.objects.filter(kind=LinkKind.SESSION).select_related("customer", "session")


def _session_out(link: PortalLink, **extra: Any) -> dict[str, Any]:
    """A portal session as the API shows it (`extra`: the url, on creation only)."""
    return {**PortalSessionOut(link, context={"as_of": timezone.now()}).data, **extra}


class PortalSessionFilter(django_filters.FilterSet):  # type: ignore[misc]
    customer = django_filters.CharFilter(
        field_name="customer__external_id", label="the customer's external id"
    )

    class Meta:
        model = PortalLink
        fields: list[str] = []


class PortalSessionCollection(generics.GenericAPIView[Any]):
    serializer_class = PortalSessionOut
    filterset_class = PortalSessionFilter
    permission_model = PortalLink

    def get_queryset(self) -> Any:
        return _sessions()

    @extend_schema(
        operation_id="portal_sessions_list",
        responses={200: PortalSessionOut(many=True), **error_responses(400, 401)},
        tags=SESSIONS,
        description="The portal session links asked for, newest first, with their state "
        "(`pending`: not opened yet; `expired`: never opened in time; `active`; `ended`; "
        "`timed_out`). Never the link itself: it is shown once, when created.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        now = timezone.now()
        return self.get_paginated_response(
            PortalSessionOut(page, many=True, context={"as_of": now}).data
        )

    @staticmethod
    def idempotent_replay(response: HttpResponse) -> HttpResponse:
        """What an Idempotency-Key keeps of a 201 (core/idempotency.py): not the link, which is
        shown once, but a 409 naming the session it created."""
        created = json.loads(response.content)
        return json_error(
            409,
            "link_shown_once",
            f"This Idempotency-Key already created portal session {created['id']}; its link is "
            "shown only once and is not stored. Ask again with a new Idempotency-Key for a new "
            "link.",
            "Idempotency-Key",
        )

    @extend_schema(
        operation_id="portal_sessions_create",
        request=PortalSessionIn,
        parameters=[LINK_SHOWN_ONCE],
        responses={201: PortalSessionCreatedOut, **error_responses(400, 401, 404, 409, 422)},
        tags=SESSIONS,
        description="A single-use link into the customer's billing portal, valid 5 minutes: "
        "redirect the customer's browser to `url`. Opened, it starts a session of one hour. "
        '`return_url` (an absolute http(s) URL) is the portal\'s "Back" link and where '
        "sign-out goes. 404 on `customer` when unknown, 409 when archived; 400 on "
        "`return_url`, `locale` or `configuration` when invalid. The link is shown once and "
        "never stored: a retry with the same Idempotency-Key answers 409 `link_shown_once`; "
        "post again with a new key for a new link.",
    )
    def post(self, request: Request) -> Response:
        data = PortalSessionIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        link, token = portal_session_create(
            customer_id=_customer(v["customer"]).pk,
            return_url=v["return_url"],
            locale=v["locale"],
            configuration_id=v["configuration"],
            as_of=timezone.now(),
            actor=request_actor(request),
        )
        link = _sessions().get(pk=link.pk)
        url = absolute_url(request.build_absolute_uri("/"), link_path(token))
        return Response(_session_out(link, url=url), status=status.HTTP_201_CREATED)


class PortalSessionDetail(generics.GenericAPIView[Any]):
    serializer_class = PortalSessionOut
    permission_model = PortalLink

    def get_queryset(self) -> Any:
        return _sessions()

    @extend_schema(
        operation_id="portal_sessions_retrieve",
        responses={200: PortalSessionOut, **error_responses(401, 404)},
        tags=SESSIONS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_session_out(self.get_object()))


class PortalSessionEnd(generics.GenericAPIView[Any]):
    serializer_class = PortalSessionOut
    permission_model = PortalLink

    def get_queryset(self) -> Any:
        return _sessions()

    @extend_schema(
        operation_id="portal_sessions_end",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: PortalSessionOut, **error_responses(401, 404)},
        tags=SESSIONS,
        description="End the session now (the customer's next page is the sign-in page); a "
        "link not opened yet can no longer be. Ending an ended session changes nothing.",
    )
    def post(self, request: Request, pk: int) -> Response:
        link = self.get_object()
        portal_link_end(link_id=link.pk, as_of=timezone.now(), actor=request_actor(request))
        return Response(_session_out(_sessions().get(pk=link.pk)))


class PortalUserFilter(django_filters.FilterSet):  # type: ignore[misc]
    customer = django_filters.CharFilter(
        field_name="customer__external_id", label="the customer's external id"
    )
    state = django_filters.ChoiceFilter(choices=PortalUserState.choices)
    email = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = PortalUser
        fields: list[str] = []


def _users() -> QuerySet[PortalUser]:
    return PortalUser.objects.select_related("customer")


class UserPages(CursorPagination):
    ordering = ("-invited_at", "-id")


class PortalUserCollection(generics.GenericAPIView[Any]):
    serializer_class = PortalUserOut
    filterset_class = PortalUserFilter
    permission_model = PortalUser
    pagination_class = UserPages

    def get_queryset(self) -> Any:
        return _users()

    @extend_schema(
        operation_id="portal_users_list",
        responses={200: PortalUserOut(many=True), **error_responses(400, 401)},
        tags=USERS,
        description="The people invited to customers' portals (`invited`: not signed in yet; "
        "`active`; `disabled`).",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(PortalUserOut(page, many=True).data)

    @extend_schema(
        operation_id="portal_users_invite",
        request=PortalUserIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: PortalUserOut, **error_responses(400, 401, 404, 409, 422)},
        tags=USERS,
        description="Invite a person to the customer's portal: an e-mail with a link valid 7 "
        "days. One portal user per e-mail address per customer (case does not matter): 400 "
        "`unique` on `email`. 404 on `customer` when unknown, 409 when archived.",
    )
    def post(self, request: Request) -> Response:
        data = PortalUserIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        user = portal_user_invite(
            customer_id=_customer(v["customer"]).pk,
            email=v["email"],
            name=v["name"],
            base_url=request.build_absolute_uri("/"),
            as_of=timezone.now(),
            actor=request_actor(request),
        )
        return Response(PortalUserOut(_users().get(pk=user.pk)).data, status=201)


class PortalUserDetail(generics.GenericAPIView[Any]):
    serializer_class = PortalUserOut
    permission_model = PortalUser

    def get_queryset(self) -> Any:
        return _users()

    @extend_schema(
        operation_id="portal_users_retrieve",
        responses={200: PortalUserOut, **error_responses(401, 404)},
        tags=USERS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(PortalUserOut(self.get_object()).data)


class PortalUserDisable(generics.GenericAPIView[Any]):
    serializer_class = PortalUserOut
    permission_model = PortalUser

    def get_queryset(self) -> Any:
        return _users()

    @extend_schema(
        operation_id="portal_users_disable",
        request=PortalUserDisableIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: PortalUserOut, **error_responses(400, 401, 404)},
        tags=USERS,
        description="The user may no longer sign in; their open sessions end now and their "
        "links stop working. Invite them again to give access back.",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = self.get_object()
        data = PortalUserDisableIn(data=request.data)
        data.is_valid(raise_exception=True)
        portal_user_disable(
            user_id=user.pk,
            reason=data.validated_data["reason"],
            as_of=timezone.now(),
            actor=request_actor(request),
        )
        return Response(PortalUserOut(_users().get(pk=user.pk)).data)


class PortalUserInviteAgain(generics.GenericAPIView[Any]):
    serializer_class = PortalUserOut
    permission_model = PortalUser

    def get_queryset(self) -> Any:
        return _users()

    @extend_schema(
        operation_id="portal_users_invite_again",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: PortalUserOut, **error_responses(401, 404, 409)},
        tags=USERS,
        description="A new invitation e-mail (earlier invitation links stop working). A "
        "disabled user is `invited` again. 409 `already_active` for a user who has signed in: "
        "they ask for a login link on the sign-in page.",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = self.get_object()
        portal_user_invite_again(
            user_id=user.pk,
            base_url=request.build_absolute_uri("/"),
            as_of=timezone.now(),
            actor=request_actor(request),
        )
        return Response(PortalUserOut(_users().get(pk=user.pk)).data)
