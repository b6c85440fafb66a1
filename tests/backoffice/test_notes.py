"""Customer notes: the services (one transaction, journal event, audit history with the actor),
the REST routes (bad input a 400 naming the field, another customer's note a 404, a session's
permissions), the customer page's form and the notes' admin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from pghistory.models import Events
from rest_framework.test import APIClient

from backoffice.models import CustomerNote
from backoffice.services.notes import note_create, note_delete, note_update
from billing.models import JournalEvent
from core.audit import Actor
from core.exceptions import NotFound, ValidationFailed
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
ANNA = Actor(kind="user", id="7", label="anna")


def events_of(customer_id: int) -> list[tuple[str, dict[str, Any]]]:
    return [
        (e.type, e.payload)
        for e in JournalEvent.objects.filter(
            subject_type="customer", subject_id=str(customer_id), type__startswith="customer_note."
        ).order_by("id")
    ]


def test_create_update_delete_write_the_journal_and_the_audit_history() -> None:
    who = CustomerFactory()
    note = note_create(customer_id=who.pk, body="  Promised to pay on Friday.  ", actor=ANNA,
                       as_of=AT)  # fmt: skip
    assert (note.body, note.author_label, note.created_at) == ("Promised to pay on Friday.",
                                                               "anna", AT)  # fmt: skip
    note_update(note_id=note.pk, body="Paid on Monday instead.", actor=TEST_ACTOR, as_of=AT,
                customer_id=who.pk)  # fmt: skip
    note.refresh_from_db()
    assert (note.body, note.author_label, note.updated_at) == ("Paid on Monday instead.",
                                                               "anna", AT)  # fmt: skip
    # the same text again changes nothing and writes nothing
    note_update(note_id=note.pk, body="Paid on Monday instead.", actor=ANNA, as_of=AT)
    note_delete(note_id=note.pk, actor=ANNA, as_of=AT, customer_id=who.pk)
    assert not CustomerNote.objects.exists()
    events = events_of(who.pk)
    assert [t for t, _ in events] == ["customer_note.created", "customer_note.updated",
                                      "customer_note.deleted"]  # fmt: skip
    assert events[0][1]["note"]["body"] == "Promised to pay on Friday."
    assert events[1][1]["changes"] == {"body": ["Promised to pay on Friday.",
                                                "Paid on Monday instead."]}  # fmt: skip
    assert events[2][1]["note"]["id"] == note.pk
    history = Events.objects.filter(pgh_obj_model="backoffice.CustomerNote").order_by("pgh_id")
    rows = [(e.pgh_label, e.pgh_context["actor"], e.pgh_context.get("reason")) for e in history]
    assert rows == [("insert", "anna", "note added"), ("update", "system:tests", "note edited"),
                    ("delete", "anna", "note deleted")]  # fmt: skip


def test_bad_input_is_refused_on_its_field_and_nothing_is_written() -> None:
    who = CustomerFactory()
    other = CustomerFactory()
    for body, code in (("   ", "blank"), ("x" * 10_001, "max_length"), (None, "invalid")):
        with pytest.raises(ValidationFailed) as refused:
            note_create(customer_id=who.pk, body=body, actor=ANNA, as_of=AT)
        assert (refused.value.field, refused.value.code) == ("body", code)
    with pytest.raises(NotFound) as unknown:
        note_create(customer_id=999_999, body="hi", actor=ANNA, as_of=AT)
    assert unknown.value.field == "customer"
    note = note_create(customer_id=who.pk, body="hi", actor=ANNA, as_of=AT)
    with pytest.raises(NotFound):
        note_update(note_id=note.pk, body="x", actor=ANNA, as_of=AT, customer_id=other.pk)
    with pytest.raises(NotFound):
        note_delete(note_id=note.pk, actor=ANNA, as_of=AT, customer_id=other.pk)
    assert CustomerNote.objects.get().body == "hi"
    assert len(events_of(who.pk)) == 1


def test_the_api_lists_adds_changes_and_deletes_notes(api: APIClient) -> None:
    who = CustomerFactory()
    url = f"/api/v1/customers/{who.pk}/notes/"
    made = api.post(url, {"body": "Called the CFO."}, format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["body"], body["customer"]) == ("Called the CFO.", who.pk)
    assert body["author"].startswith("api_key:tests")
    api.post(url, {"body": "Second call."}, format="json")
    listed = api.get(url).json()
    assert [n["body"] for n in listed["results"]] == ["Second call.", "Called the CFO."]
    one = f"{url}{body['id']}/"
    changed = api.patch(one, {"body": "Called the CFO twice."}, format="json")
    assert changed.status_code == 200
    assert changed.json()["body"] == "Called the CFO twice."
    assert api.get(one).json()["body"] == "Called the CFO twice."
    assert api.delete(one).status_code == 204
    assert api.get(one).status_code == 404
    kinds = ["created", "created", "updated", "deleted"]
    assert [t for t, _ in events_of(who.pk)] == [f"customer_note.{k}" for k in kinds]


def test_the_api_refuses_bad_input_with_a_400_naming_the_field(api: APIClient) -> None:
    who = CustomerFactory()
    other = CustomerFactory()
    url = f"/api/v1/customers/{who.pk}/notes/"
    for payload in ({}, {"body": ""}, {"body": "   "}, {"body": "x" * 10_001}, {"body": 12}):
        refused = api.post(url, payload, format="json")
        assert refused.status_code == 400, (payload, refused.content)
        assert "body" in refused.content.decode(), refused.content
    assert (
        api.post("/api/v1/customers/999999/notes/", {"body": "x"}, format="json").status_code == 404
    )
    note = note_create(customer_id=who.pk, body="mine", actor=ANNA, as_of=AT)
    # another customer's note is not found through this customer
    assert api.patch(f"/api/v1/customers/{other.pk}/notes/{note.pk}/", {"body": "x"},
                     format="json").status_code == 404  # fmt: skip
    assert api.delete(f"/api/v1/customers/{other.pk}/notes/{note.pk}/").status_code == 404
    assert CustomerNote.objects.get().body == "mine"


def test_a_staff_session_needs_the_notes_permissions(
    client: Client, django_user_model: Any
) -> None:
    who = CustomerFactory()
    note = note_create(customer_id=who.pk, body="mine", actor=ANNA, as_of=AT)
    viewer = django_user_model.objects.create_user("viewer", "v@example.com", "pw-12345",
                                                   is_staff=True)  # fmt: skip
    viewer.user_permissions.set(Permission.objects.filter(codename="view_customernote"))
    client.force_login(viewer)
    url = f"/api/v1/customers/{who.pk}/notes/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"body": "x"}, content_type="application/json").status_code == 403
    assert client.delete(f"{url}{note.pk}/").status_code == 403
    viewer.user_permissions.add(Permission.objects.get(codename="add_customernote"))
    client.force_login(django_user_model.objects.get(pk=viewer.pk))
    made = client.post(url, {"body": "from the session"}, content_type="application/json")
    assert made.status_code == 201
    assert made.json()["author"] == "viewer"
    assert CustomerNote.objects.get(body="from the session").author_id == viewer.pk


def test_the_customer_page_adds_a_note_and_shows_refusals_as_form_errors(
    staff_client: Client,
) -> None:
    who = CustomerFactory()
    url = f"/admin/billing/customer/{who.pk}/notes/add/"
    done = staff_client.post(url, {"body": "Asked for a copy of INV-7."})
    assert done.status_code == 302
    assert done["Location"].endswith(f"/admin/billing/customer/{who.pk}/change/#story-notes")
    note = CustomerNote.objects.get()
    assert (note.body, note.author_label) == ("Asked for a copy of INV-7.", "finance")
    page = staff_client.get(f"/admin/billing/customer/{who.pk}/change/").content.decode()
    assert "Asked for a copy of INV-7." in page
    empty = staff_client.post(url, {"body": "   "})
    assert empty.status_code == 200
    assert "This field is required." in empty.content.decode()
    assert 'class="errorlist' in empty.content.decode()
    assert CustomerNote.objects.count() == 1
    assert (
        staff_client.post("/admin/billing/customer/999999/notes/add/", {"body": "x"}).status_code
        == 404
    )


def test_the_notes_admin_writes_through_the_services(staff_client: Client) -> None:
    who = CustomerFactory()
    added = staff_client.post("/admin/backoffice/customernote/add/",
                              {"customer": who.pk, "body": "From the notes admin."})  # fmt: skip
    assert added.status_code == 302, added.content.decode()[-2000:]
    note = CustomerNote.objects.get()
    assert note.author_label == "finance"
    changed = staff_client.post(f"/admin/backoffice/customernote/{note.pk}/change/",
                                {"body": "Edited in the admin."})  # fmt: skip
    assert changed.status_code == 302, changed.content.decode()[-2000:]
    note.refresh_from_db()
    assert note.body == "Edited in the admin."
    blank = staff_client.post(f"/admin/backoffice/customernote/{note.pk}/change/", {"body": ""})
    assert blank.status_code == 200
    listing = staff_client.get(f"/admin/backoffice/customernote/?customer__id__exact={who.pk}")
    assert "Edited in the admin." in listing.content.decode()
    history = staff_client.get(f"/admin/backoffice/customernote/{note.pk}/history/")
    assert "note edited" in history.content.decode()
    deleted = staff_client.post(
        "/admin/backoffice/customernote/", {"action": "delete_notes", "_selected_action": [note.pk]}
    )
    assert deleted.status_code == 302
    assert not CustomerNote.objects.exists()
    assert [t for t, _ in events_of(who.pk)] == ["customer_note.created", "customer_note.updated",
                                                 "customer_note.deleted"]  # fmt: skip
