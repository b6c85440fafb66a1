"""Customer notes: what finance or support staff keep on a customer (a call, a promise to
pay...). Each service is one durable transaction: the note's row (its pghistory trail carries
the actor) and a journal event on the customer (`customer_note.created`, `.updated`,
`.deleted`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from backoffice.models import CustomerNote
from billing.services import journal_write, locked_customer
from core.audit import Actor, audit_context
from core.exceptions import NotFound, ValidationFailed

NOTE_MAX_LENGTH = 10_000


def note_snapshot(note: CustomerNote) -> dict[str, Any]:
    return {
        "id": note.pk,
        "customer": note.customer_id,
        "body": note.body,
        "author": note.author_label,
        "created_at": note.created_at.isoformat(),
        "updated_at": note.updated_at.isoformat(),
    }


def _clean_body(body: Any) -> str:
    if not isinstance(body, str):
        raise ValidationFailed("A note is text.", field="body", code="invalid")
    text = body.strip()
    if not text:
        raise ValidationFailed("A note cannot be empty.", field="body", code="blank")
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationFailed(
            f"A note holds at most {NOTE_MAX_LENGTH:,} characters ({len(text):,} given).",
            field="body",
            code="max_length",
        )
    return text


def _journal(type: str, note: CustomerNote, actor: Actor, as_of: datetime, **extra: Any) -> None:
    journal_write(
        type=type,
        subject_type="customer",
        subject_id=note.customer_id,
        payload={"note": note_snapshot(note), **extra},
        actor=actor,
        occurred_at=as_of,
    )


def _locked_note(note_id: int, customer_id: int | None) -> CustomerNote:
    """The note, row-locked after its customer (the fixed lock order); NotFound when unknown
    or (with `customer_id`) another customer's."""
    found = CustomerNote.objects.filter(pk=note_id).values_list("customer_id", flat=True).first()
    if found is None or (customer_id is not None and found != customer_id):
        raise NotFound(f"No note with id {note_id} on this customer.", field="note")
    locked_customer(found)
    return CustomerNote.objects.select_for_update().get(pk=note_id)


def note_create(
    *,
    customer_id: int,
    body: Any,
    actor: Actor,
    as_of: datetime,
    author_id: int | None = None,
) -> CustomerNote:
    """A new note on the customer, by `actor` (its label kept as the note's author)."""
    text = _clean_body(body)
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="note added"):
        customer = locked_customer(customer_id, field="customer")
        note = CustomerNote.objects.create(
            customer=customer,
            body=text,
            author_id=author_id,
            author_label=actor.label,
            created_at=as_of,
            updated_at=as_of,
        )
        _journal("customer_note.created", note, actor, as_of)
    return note


def note_update(
    *,
    note_id: int,
    body: Any,
    actor: Actor,
    as_of: datetime,
    customer_id: int | None = None,
) -> CustomerNote:
    """The note's new text (its author stays who wrote it; the history keeps the old text)."""
    text = _clean_body(body)
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="note edited"):
        note = _locked_note(note_id, customer_id)
        if note.body == text:
            return note
        before = note.body
        note.body = text
        note.updated_at = as_of
        note.save(update_fields=["body", "updated_at"])
        _journal("customer_note.updated", note, actor, as_of, changes={"body": [before, text]})
    return note


def note_delete(
    *,
    note_id: int,
    actor: Actor,
    as_of: datetime,
    customer_id: int | None = None,
) -> None:
    """Remove the note (its text stays in the audit history and the journal event)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="note deleted"):
        note = _locked_note(note_id, customer_id)
        _journal("customer_note.deleted", note, actor, as_of)
        note.delete()
