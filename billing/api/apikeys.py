"""API keys over REST: list, create (the secret shown once), retrieve, change, revoke.

Only a `full` key manages keys (the `api_keys` resource asks for `full`, core/api/scopes.py): a
key can never make one with scopes it lacks, nor an expiry or allow-list wider than its own.
Staff sessions need the ApiKey model permissions, as in the admin (`view_apikey`, `add_apikey`,
`change_apikey` to change or revoke), and grant only what their permissions allow
(billing/services/apikeys.py `api_key_grant_check`)."""

from __future__ import annotations

import json
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from billing.api.apikeys_serializers import (
    ApiKeyCreatedOut,
    ApiKeyIn,
    ApiKeyOut,
    ApiKeyPatchIn,
    ApiKeyRevokeIn,
)
from billing.models import ApiKey
from billing.services.apikeys import api_key_create, api_key_revoke, api_key_update
from core.api.actors import request_actor
from core.api.errors import json_error
from core.api.permissions import is_api_key, is_staff_session
from core.api.schema import IDEMPOTENCY_KEY, error_responses

TAGS = ["api-keys"]


def _keys() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("created_by")


def _grantor(request: Request) -> Any:
    """Who grants: the calling API key, or the staff user (billing/services/apikeys.py
    api_key_grant_check bounds what either may give)."""
    return request.auth if is_api_key(request) else request.user


def _out(key: ApiKey) -> dict[str, Any]:
    return dict(ApiKeyOut(key, context={"as_of": timezone.now()}).data)


class ApiKeyFilter(django_filters.FilterSet):  # type: ignore[misc]
    revoked = django_filters.BooleanFilter(
        field_name="revoked_at", lookup_expr="isnull", exclude=True, label="revoked or not"
    )

    class Meta:
        model = ApiKey
        fields: list[str] = []


class ApiKeyCollection(generics.GenericAPIView[Any]):
    serializer_class = ApiKeyOut
    filterset_class = ApiKeyFilter
    permission_model = ApiKey
    scope_resource = "api_keys"

    def get_queryset(self) -> Any:
        return _keys()

    @extend_schema(
        operation_id="api_keys_list",
        responses={200: ApiKeyOut(many=True), **error_responses(400, 401)},
        tags=TAGS,
        description="The API keys, newest first, with their scopes, expiry, allow-list and "
        "state; never their secrets.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        now = timezone.now()
        return self.get_paginated_response(ApiKeyOut(page, many=True, context={"as_of": now}).data)

    @staticmethod
    def idempotent_replay(response: HttpResponse) -> HttpResponse:
        """What an Idempotency-Key keeps of a 201 (core/idempotency.py): not the secret, which is
        shown once, but a 409 naming the key it created."""
        created = json.loads(response.content)
        return json_error(
            409,
            "secret_shown_once",
            f"This Idempotency-Key already created API key {created['id']} "
            f"({created['prefix']}); its secret is shown only once and is not stored. Revoke it "
            "if it was lost, and create another with a new Idempotency-Key.",
            "Idempotency-Key",
        )

    @extend_schema(
        operation_id="api_keys_create",
        request=ApiKeyIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ApiKeyCreatedOut, **error_responses(400, 401, 409, 422)},
        tags=TAGS,
        description="A new API key; its `secret` is in this answer only (a retry with the same "
        "Idempotency-Key answers 409 `secret_shown_once`). 400 naming the field: no scopes "
        "(`required`), an unknown scope (`unknown_scope`), `full` with other scopes, an expiry "
        "not in the future, an allow-list entry that is not an address or CIDR network "
        "(`invalid_ip`). 403 `cannot_grant` naming the field: more than the caller may grant "
        "(a key: an expiry later than its own, or none when it has one; an allow-list outside "
        "its own; a staff user: `full` without being a superuser, another scope without the "
        "model permissions it gives).",
    )
    def post(self, request: Request) -> Response:
        data = ApiKeyIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        key, secret = api_key_create(
            name=v["name"],
            scopes=v["scopes"],
            expires_at=v.get("expires_at"),
            allowed_ips=v["allowed_ips"],
            created_by_id=request.user.pk if is_staff_session(request) else None,
            granted_by=_grantor(request),
            actor=request_actor(request),
            as_of=timezone.now(),
        )
        body = ApiKeyCreatedOut(
            _keys().get(pk=key.pk), context={"as_of": timezone.now(), "secret": secret}
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


class ApiKeyDetail(generics.GenericAPIView[Any]):
    serializer_class = ApiKeyOut
    permission_model = ApiKey
    scope_resource = "api_keys"

    def get_queryset(self) -> Any:
        return _keys()

    @extend_schema(
        operation_id="api_keys_retrieve",
        responses={200: ApiKeyOut, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_out(self.get_object()))

    @extend_schema(
        operation_id="api_keys_update",
        request=ApiKeyPatchIn,
        responses={200: ApiKeyOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Change a key's name, scopes, expiry (null: never) or IP allow-list (empty: "
        "anywhere); only the fields given. A revoked key: 409 `revoked`. The same 400s and "
        "403 `cannot_grant` as the creation: a change of scopes, expiry or allow-list is a "
        "grant, and a key cannot widen itself. Takes effect on the key's next request.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        key = self.get_object()
        data = ApiKeyPatchIn(data=request.data)
        data.is_valid(raise_exception=True)
        api_key_update(
            api_key_id=key.pk,
            changes=dict(data.validated_data),
            granted_by=_grantor(request),
            actor=request_actor(request),
            as_of=timezone.now(),
        )
        return Response(_out(_keys().get(pk=key.pk)))


class ApiKeyRevoke(generics.GenericAPIView[Any]):
    serializer_class = ApiKeyOut
    permission_model = ApiKey
    scope_resource = "api_keys"

    def get_queryset(self) -> Any:
        return _keys()

    @extend_schema(
        operation_id="api_keys_revoke",
        request=ApiKeyRevokeIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ApiKeyOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Revoke the key now: its next request is a 401. Already revoked: 409.",
    )
    def post(self, request: Request, pk: int) -> Response:
        key = self.get_object()
        data = ApiKeyRevokeIn(data=request.data)
        data.is_valid(raise_exception=True)
        api_key_revoke(
            api_key_id=key.pk,
            reason=data.validated_data["reason"],
            actor=request_actor(request),
            as_of=timezone.now(),
        )
        return Response(_out(_keys().get(pk=key.pk)))
