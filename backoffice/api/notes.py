"""Customer notes over REST: `GET/POST /customers/{id}/notes/`, `PATCH/DELETE
/customers/{id}/notes/{note_id}/`. Views validate and call one service (backoffice/services/
notes.py); the key scope is `customers` (the model backoffice.customernote maps to it)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from backoffice.models import CustomerNote
from backoffice.services.notes import NOTE_MAX_LENGTH, note_create, note_delete, note_update
from billing.models import Customer
from billing.selectors import customer_as_of
from core.api.actors import request_actor
from core.api.pagination import CursorPagination
from core.api.permissions import is_staff_session
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.exceptions import NotFound

TAGS = ["customers"]


class TextField(serializers.CharField):
    """A string, never a number or a boolean turned into one."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class NoteIn(serializers.Serializer[Any]):
    body = TextField(
        max_length=NOTE_MAX_LENGTH, help_text="the note's text (kept as typed, trimmed)"
    )


class NoteOut(serializers.ModelSerializer[CustomerNote]):
    author = serializers.CharField(
        source="author_label", help_text="who wrote it: a staff user's name or an API key"
    )

    class Meta:
        model = CustomerNote
        fields = ("id", "customer", "body", "author", "created_at", "updated_at")
        read_only_fields = fields


class NotePages(CursorPagination):
    ordering = ("-created_at", "-id")


def _customer(customer_id: int) -> Customer:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(f"No customer with id {customer_id}.")
    return customer


def _note(customer: Customer, note_id: int) -> CustomerNote:
    note = CustomerNote.objects.filter(pk=note_id, customer=customer).first()
    if note is None:
        raise NotFound(f"No note with id {note_id} on this customer.")
    return note


class CustomerNoteCollection(generics.GenericAPIView[Any]):
    serializer_class = NoteOut
    queryset = CustomerNote.objects.none()  # the schema's model; rows: the customer's
    pagination_class = NotePages

    @extend_schema(
        operation_id="customers_notes_list",
        responses={200: NoteOut(many=True), **error_responses(401, 404)},
        tags=TAGS,
        description="The customer's notes, the latest first.",
    )
    def get(self, request: Request, customer_id: int) -> Response:
        customer = _customer(customer_id)
        page = self.paginate_queryset(CustomerNote.objects.filter(customer=customer))
        return self.get_paginated_response(NoteOut(page, many=True).data)

    @extend_schema(
        operation_id="customers_notes_create",
        request=NoteIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: NoteOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Add a note on the customer, written by the caller (journal event "
        "`customer_note.created`). 400 on `body`: empty, or over 10,000 characters.",
    )
    def post(self, request: Request, customer_id: int) -> Response:
        customer = _customer(customer_id)
        data = NoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user if is_staff_session(request) else None
        note = note_create(
            customer_id=customer.pk,
            body=data.validated_data["body"],
            actor=request_actor(request),
            as_of=customer_as_of(customer, timezone.now()),
            author_id=getattr(user, "pk", None),
        )
        return Response(NoteOut(note).data, status=status.HTTP_201_CREATED)


class CustomerNoteDetail(generics.GenericAPIView[Any]):
    serializer_class = NoteOut
    queryset = CustomerNote.objects.none()
    permission_actions = {"DELETE": "delete"}

    @extend_schema(
        operation_id="customers_notes_retrieve",
        responses={200: NoteOut, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, customer_id: int, pk: int) -> Response:
        return Response(NoteOut(_note(_customer(customer_id), pk)).data)

    @extend_schema(
        operation_id="customers_notes_partial_update",
        request=NoteIn,
        responses={200: NoteOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Change the note's text (journal event `customer_note.updated` with the "
        "old and new text; its author stays who wrote it).",
    )
    def patch(self, request: Request, customer_id: int, pk: int) -> Response:
        customer = _customer(customer_id)
        _note(customer, pk)
        data = NoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        note = note_update(
            note_id=pk,
            customer_id=customer.pk,
            body=data.validated_data["body"],
            actor=request_actor(request),
            as_of=customer_as_of(customer, timezone.now()),
        )
        return Response(NoteOut(note).data)

    @extend_schema(
        operation_id="customers_notes_delete",
        request=None,
        responses={204: None, **error_responses(401, 404, 409)},
        tags=TAGS,
        description="Delete the note (its text stays in the audit history and in the journal "
        "event `customer_note.deleted`).",
    )
    def delete(self, request: Request, customer_id: int, pk: int) -> Response:
        customer = _customer(customer_id)
        _note(customer, pk)
        note_delete(
            note_id=pk,
            customer_id=customer.pk,
            actor=request_actor(request),
            as_of=customer_as_of(customer, timezone.now()),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
