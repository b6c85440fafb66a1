"""A customer's whole story on its page (backoffice/admin_customer.py): every part with its
hand-computed amounts, a fixed number of queries whatever the length of the history, and no
write button for view-only staff.

The story (customer "story", Europe/Berlin, invoices due 10 days after issue, paid by hand):
- Jan 1: subscribes to Basic (19.00 a month); Jan 10 changes to Pro at once (no proration);
  paused Jan 15 09:00 UTC, resumed Jan 20 09:00 UTC.
- Jan 5: invoice A, 100.00; Jan 6: invoice B, 50.00 (due Jan 16).
- Jan 12: a bank transfer of 150.00: 100.00 to A (paid), 20.00 to B; 30.00 stays unapplied.
- Jan 13: a credit note of 10.00 on B: B owes 50.00 - 20.00 - 10.00 = 20.00.
- Jan 20 12:00: dunning: B is 4 days past due: the default policy's "reminder" (its e-mail).
- Jan 21: 12,000 API calls: Pro's graduated price, 10,000 free then 0.002: 2,000 x 0.002 = 4.00.
- Jan 21: a wallet grant of 25.00 ("goodwill"); Jan 22: a note.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from backoffice.roles import FINANCE_VIEWER, SUPPORT
from backoffice.services.notes import note_create
from billing.models import Customer
from billing.services import (
    journal_dispatch,
    subscription_change,
    subscription_create,
    subscription_pause,
    subscription_resume,
    usage_ingest,
)
from catalog import services as catalog
from invoicing.models import Invoice
from invoicing.services import credit_note_issue
from payments.services.cash import AllocationRequest, payment_record
from payments.services.dunning import dunning_evaluate
from payments.services.wallets import wallet_grant
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_invoices import workload_plan
from tests.payments.helpers import a_customer, open_invoice
from tests.payments.test_retries import attempts, card, charge_pending, sandbox

pytestmark = pytest.mark.django_db
__all__ = ["sandbox"]  # the fixture
D = Decimal


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


JAN = at(1, 1)
PAGE_TIME = at(1, 25, 12)


def basic_plan() -> Any:
    basic = catalog.plan_create(
        actor=TEST_ACTOR, as_of=JAN,
        data={"code": "basic", "name": "Basic", "currency": "USD", "interval_unit": "month"},
    )  # fmt: skip
    version = catalog.plan_version_create(
        plan_id=basic.pk, actor=TEST_ACTOR, as_of=JAN,
        data={"effective_from": JAN, "fixed_fee": D("19.00"), "fee_timing": "arrears"},
        charges=[],
    )  # fmt: skip
    catalog.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=JAN)
    return basic


def a_story() -> dict[str, Any]:
    pro = workload_plan()
    basic = basic_plan()
    who = CustomerFactory(
        external_id="story", name="Story GmbH", currency="USD", timezone="Europe/Berlin",
        payment_terms_days=10, auto_collection=False,
    )  # fmt: skip
    sub = subscription_create(customer_id=who.pk, plan_id=basic.pk, actor=TEST_ACTOR, as_of=JAN)
    subscription_change(subscription_id=sub.pk, plan_id=pro.pk, when="now", prorate=False,
                        actor=TEST_ACTOR, as_of=at(1, 10), reason="upgrade")  # fmt: skip
    invoice_a = open_invoice(who, "100.00", at(1, 5))
    invoice_b = open_invoice(who, "50.00", at(1, 6))
    payment = payment_record(
        customer_id=who.pk, amount=D("150.00"), currency="USD", received_at=at(1, 12),
        reference="wire 0112", actor=TEST_ACTOR, as_of=at(1, 12),
        allocations=[AllocationRequest(invoice_id=invoice_a.pk, amount=D("100.00")),
                     AllocationRequest(invoice_id=invoice_b.pk, amount=D("20.00"))],
    )  # fmt: skip
    line = invoice_b.lines.get()
    note = credit_note_issue(invoice_id=invoice_b.pk, as_of=at(1, 13), actor=TEST_ACTOR,
                             reason="a day of downtime", lines=[(line.pk, D("10.00"))])  # fmt: skip
    subscription_pause(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=at(1, 15, 9))
    subscription_resume(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=at(1, 20, 9))
    transition = dunning_evaluate(customer_id=who.pk, as_of=at(1, 20, 12), actor=TEST_ACTOR)
    journal_dispatch(as_of=at(1, 20, 12))  # the reminder's e-mail is recorded
    report = usage_ingest(
        events=[{"event_id": "calls-1", "customer": "story", "metric": "api_calls",
                 "event_time": at(1, 21).isoformat(), "properties": {"calls": 12000}}],
        actor=TEST_ACTOR, as_of=at(1, 21),
    )  # fmt: skip
    assert report.count("accepted") == 1
    wallet_grant(customer_id=who.pk, amount=D("25.00"), reason="goodwill", actor=TEST_ACTOR,
                 as_of=at(1, 21))  # fmt: skip
    written = note_create(customer_id=who.pk, body="Called Anna: B paid next week.",
                          actor=TEST_ACTOR, as_of=at(1, 22))  # fmt: skip
    journal_dispatch(as_of=at(1, 22))
    return {"customer": who, "sub": sub, "a": invoice_a, "b": invoice_b, "payment": payment,
            "credit_note": note, "transition": transition, "note": written}  # fmt: skip


def page_of(client: Client, customer: Customer) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/admin/billing/customer/{customer.pk}/change/")
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def part(page: str, element_id: str) -> str:
    """The text of the element with that id (tags dropped, spaces squeezed)."""
    start = page.index(f'id="{element_id}"')
    start = page.rindex("<", 0, start)
    tag = page[start + 1 : page.index(" ", start)]
    depth, pos = 0, start
    while True:
        opening = page.find(f"<{tag}", pos)
        closing = page.find(f"</{tag}>", pos)
        if opening != -1 and opening < closing:
            depth, pos = depth + 1, opening + 1
            continue
        depth, pos = depth - 1, closing + 1
        if depth == 0:
            break
    text = re.sub(r"<[^>]+>", " ", page[start:closing])
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def test_the_page_tells_the_whole_story_with_its_amounts(staff_client: Client) -> None:
    story = a_story()
    who, a, b = story["customer"], story["a"], story["b"]
    with time_machine.travel(PAGE_TIME, tick=False):
        page, _ = page_of(staff_client, who)
    # details (the form) and invoicing's parts, in the customer's zone (Berlin: UTC+1)
    assert 'value="Story GmbH"' in page
    invoices = part(page, "overview-invoices")
    assert f"{a.number} manual paid 2026-01-05 01:00 Europe/Berlin 100.00 USD 0.00 USD" in invoices
    # B: 50.00 - 20.00 paid - 10.00 credited = 20.00
    assert (
        f"{b.number} manual partially_paid 2026-01-06 01:00 Europe/Berlin 50.00 USD 20.00 USD"
        in invoices
    )
    assert "CN-2026-000001" in part(page, "overview-credit-notes")
    assert "10.00 USD" in part(page, "overview-credit-notes")
    # cash: 150.00 received, 120.00 applied, 30.00 unapplied; the allocations
    assert part(page, "customer-unapplied") == "30.00 USD"
    assert "150.00 USD 120.00 USD 30.00 USD" in part(page, "overview-payments")
    allocations = part(page, "story-allocations")
    assert (
        f"#{story['payment'].pk} {b.number} 20.00 USD 2026-01-12 01:00 Europe/Berlin" in allocations
    )
    assert (
        f"#{story['payment'].pk} {a.number} 100.00 USD 2026-01-12 01:00 Europe/Berlin"
        in allocations
    )
    # the wallet; the dunning timeline: B 4 days past due, 20.00 overdue
    assert part(page, "customer-wallet-balance") == "25.00 USD"
    assert part(page, "customer-dunning-state") == "Reminder"
    assert "2026-01-20 13:00 Europe/Berlin — Reminder 4 20.00 USD 0 dunning_reminder" in part(
        page, "dunning-timeline"
    )
    # usage this period: 12,000 calls, 2,000 over the free 10,000 at 0.002 = 4.00
    assert "Api Calls (api_calls) 12000 1 4.00 USD" in part(page, "overview-usage")
    # e-mails sent (recorded): the dunning reminder among them
    assert "dunning reminder" in part(page, "overview-emails")
    # the subscription's timeline
    timeline = part(page, "story-timelines")
    for expected in (
        "2026-01-01 01:00 Europe/Berlin started on basic@v1",
        "2026-01-10 01:00 Europe/Berlin plan change: plan basic@v1 → pro@v1 — upgrade",
        "2026-01-15 10:00 Europe/Berlin paused",
        "2026-01-20 10:00 Europe/Berlin resumed",
    ):
        assert expected in timeline, (expected, timeline)
    # the note, the journal (about the customer and what it owns), the audit history
    notes = part(page, "story-notes")
    assert "Notes (1)" in notes
    assert "system:tests · 2026-01-22 01:00 Europe/Berlin" in notes
    assert "Called Anna: B paid next week." in notes
    journal = part(page, "story-journal")
    for expected in ("customer_note.created customer:", "wallet.granted", "dunning.state_entered",
                     f"payment.applied payment:{story['payment'].pk}",
                     f"invoice.paid invoice:{a.pk}", "credit_note.created",
                     f"subscription.updated subscription:{story['sub'].pk}"):  # fmt: skip
        assert expected in journal, expected
    # the audit part: the latest SHOWN rows and a link to the rest. Which rows make the window is
    # not this test's to pin: the story is written in the test's one transaction, so every row
    # has the same pgh_created_at and the window falls to pgh_id, a sequence of each event table
    # that earlier tests move on (sequences are not rolled back). The rows are found on the
    # audit history's own page, all of the story on its first page.
    assert page.count('class="story-audit-row"') == 20
    assert 'id="all-audit"' in page
    audit = staff_client.get(f"/admin/billing/customer/{who.pk}/audit/").content.decode()
    audit = part(audit, "story-list")
    assert f"Invoice #{b.pk} update system:tests a day of downtime amount_due: 30.0 → 20.0" in audit
    assert "status: active → paused" in audit
    # the actions of a superuser
    for key in ("new-draft-invoice", "record-payment-action", "grant-credit", "portal-invite",
                "archive-customer", "note-form", "record-payment", "wallet-grant",
                "dunning-evaluate"):  # fmt: skip
        assert f'id="{key}"' in page, key


def _more_history(who: Customer, n: int) -> None:
    """n more invoices, each paid by its own payment, n more notes and n credit notes."""
    for i in range(n):
        invoice = open_invoice(who, f"{100 + i}.00", at(1, 7, i % 24))
        payment_record(
            customer_id=who.pk, amount=D(f"{100 + i}.00"), currency="USD",
            received_at=at(1, 8), reference=f"wire {i}", actor=TEST_ACTOR, as_of=at(1, 8),
            allocations=[AllocationRequest(invoice_id=invoice.pk, amount=D("5.00"))],
        )  # fmt: skip
        credit_note_issue(invoice_id=invoice.pk, as_of=at(1, 9), actor=TEST_ACTOR, reason="r",
                          lines=[(invoice.lines.get().pk, D("1.00"))])  # fmt: skip
        note_create(customer_id=who.pk, body=f"note {i}", actor=TEST_ACTOR, as_of=at(1, 23))


def test_the_page_costs_the_same_queries_however_long_the_history(
    staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    story = a_story()
    who = story["customer"]
    with time_machine.travel(PAGE_TIME, tick=False):
        page_of(staff_client, who)  # caches warmed (content types, permissions)
        _, few = page_of(staff_client, who)
    _more_history(who, 25)
    with time_machine.travel(PAGE_TIME, tick=False):
        page, many = page_of(staff_client, who)
        with django_assert_max_num_queries(few):
            staff_client.get(f"/admin/billing/customer/{who.pk}/change/")
    assert many == few, (few, many)
    assert Invoice.objects.filter(customer=who).count() == 27
    # long lists capped, with a link to the rest
    assert page.count('class="overview-invoice"') == 20
    assert page.count('class="story-note"') == 20
    assert page.count('class="story-allocation"') == 20
    assert page.count('class="story-journal-event"') == 20
    assert page.count('class="story-audit-row"') == 20
    assert part(page, "all-notes") == "All 26 notes"
    journal = staff_client.get(f"/admin/billing/customer/{who.pk}/journal/").content.decode()
    assert journal.count('class="story-journal-event"') == 100  # page 1 of the journal
    assert "next-page" in journal
    audit = staff_client.get(f"/admin/billing/customer/{who.pk}/audit/").content.decode()
    assert audit.count('class="story-audit-row"') == 100


WRITE_KEYS = ("new-draft-invoice", "record-payment-action", "grant-credit", "adjust-balance",
              "portal-invite", "archive-customer", "note-form", "add-note", "record-payment",
              "wallet-grant", "wallet-top-up", "dunning-evaluate", "edit-customer")  # fmt: skip


def test_view_only_staff_see_no_write_buttons(client: Client, django_user_model: Any) -> None:
    story = a_story()
    who = story["customer"]
    viewer = django_user_model.objects.create_user("viewer", "v@example.com", "pw-12345",
                                                   is_staff=True)  # fmt: skip
    viewer.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(viewer)
    with time_machine.travel(PAGE_TIME, tick=False):
        page, _ = page_of(client, who)
    for key in WRITE_KEYS:
        assert f'id="{key}"' not in page, key
    assert 'name="_save"' not in page
    assert "Called Anna: B paid next week." in page  # reads everything
    assert part(page, "customer-unapplied") == "30.00 USD"
    # and its POSTs are refused
    refused = client.post(f"/admin/billing/customer/{who.pk}/notes/add/", {"body": "x"})
    assert refused.status_code == 403
    assert client.post(f"/admin/billing/customer/{who.pk}/archive/").status_code == 403
    # a user who may add notes gets the form, and only that
    viewer.user_permissions.add(Permission.objects.get(codename="add_customernote"))
    viewer = django_user_model.objects.get(pk=viewer.pk)
    client.force_login(viewer)
    with time_machine.travel(PAGE_TIME, tick=False):
        page, _ = page_of(client, who)
    assert 'id="note-form"' in page
    assert 'id="record-payment"' not in page


def test_archive_and_restore_from_the_page(staff_client: Client) -> None:
    who = CustomerFactory(external_id="arch")
    url = f"/admin/billing/customer/{who.pk}/archive/"
    assert staff_client.post(url).status_code == 302
    who.refresh_from_db()
    assert who.is_archived
    page = staff_client.get(f"/admin/billing/customer/{who.pk}/change/").content.decode()
    assert 'id="unarchive-customer"' in page
    staff_client.post(url)
    who.refresh_from_db()
    assert not who.is_archived


# ---------------------------------------------------------------------------- review fixes


def role_user(role: Any, django_user_model: Any) -> Any:
    """A staff user in the role's group only (as tests/backoffice/test_roles.py makes them)."""
    user = django_user_model.objects.create_user(f"story-{role.key}", is_staff=True)
    user.groups.add(Group.objects.get(name=role.name))
    return user


def test_support_sees_no_journal_events_it_could_not_open(
    client: Client, django_user_model: Any
) -> None:
    """The journal's page needs billing.view_journalevent, which support does not hold: the
    section and its links are not shown to it. The audit page needs what the customer's page
    needs (support gets both)."""
    who = a_story()["customer"]
    client.force_login(role_user(SUPPORT, django_user_model))
    with time_machine.travel(PAGE_TIME, tick=False):
        page, _ = page_of(client, who)
    assert 'id="story-journal"' not in page
    assert 'id="all-journal"' not in page
    assert "/admin/billing/journalevent/" not in page
    assert client.get(f"/admin/billing/customer/{who.pk}/journal/").status_code == 403
    # the audit history: shown, and its page opens (the row is looked for there: on the
    # customer's page the window of the latest rows, all at the test transaction's one instant,
    # depends on the event tables' sequences, see test_the_page_tells_the_whole_story...)
    assert 'id="story-audit"' in page
    assert 'class="story-audit-row"' in page
    assert 'id="all-audit"' in page
    audit = client.get(f"/admin/billing/customer/{who.pk}/audit/")
    assert audit.status_code == 200
    assert "status: active → paused" in part(audit.content.decode(), "story-list")
    # a finance viewer holds the journal's permission: it gets the section
    viewer = Client()
    viewer.force_login(role_user(FINANCE_VIEWER, django_user_model))
    with time_machine.travel(PAGE_TIME, tick=False):
        page, _ = page_of(viewer, who)
    assert "wallet.granted" in part(page, "story-journal")
    assert viewer.get(f"/admin/billing/customer/{who.pk}/journal/").status_code == 200


def test_the_timeline_names_the_starting_plan_after_many_changes(staff_client: Client) -> None:
    """14 changes (basic -> pro, then 13 quantity changes): the page shows the latest 12, but
    the start still names basic, the first change's plan version."""
    pro = workload_plan()
    basic = basic_plan()
    who = a_customer(external_id="many", currency="USD", timezone="UTC")
    sub = subscription_create(customer_id=who.pk, plan_id=basic.pk, actor=TEST_ACTOR, as_of=JAN)
    subscription_change(subscription_id=sub.pk, plan_id=pro.pk, when="now", prorate=False,
                        actor=TEST_ACTOR, as_of=at(1, 2))  # fmt: skip
    for i in range(13):
        subscription_change(subscription_id=sub.pk, quantity=i + 2, when="now", prorate=False,
                            actor=TEST_ACTOR, as_of=at(1, 3 + i))  # fmt: skip
    with time_machine.travel(PAGE_TIME, tick=False):
        page, _ = page_of(staff_client, who)
    timeline = part(page, "story-timelines")
    assert "2026-01-01 00:00 UTC started on basic@v1" in timeline, timeline
    assert "plan basic@v1 → pro@v1" not in timeline  # the 2nd of 14: beyond the latest 12
    assert "2026-01-04 00:00 UTC quantity change: quantity 2 → 3" in timeline  # no "plan x → x"
    assert "2026-01-15 00:00 UTC quantity change: quantity 13 → 14" in timeline


def test_a_partly_paid_invoice_whose_payment_failed_gets_a_retry_button(
    staff_client: Client, sandbox: Any
) -> None:
    """An invoice of 40.00 whose automatic payment was declined, then 15.00 paid by hand:
    partially paid, 25.00 due: retry offered."""
    jan10 = datetime(2026, 1, 10, 9, tzinfo=UTC)
    who = a_customer(external_id="retry", currency="USD", timezone="UTC")
    card(who, "tok_declined")
    invoice = open_invoice(who, "40.00", jan10)
    journal_dispatch(as_of=jan10)
    charge_pending(jan10)
    assert attempts(invoice) == [(1, "failed")]
    payment_record(
        customer_id=who.pk, amount=D("15.00"), currency="USD", received_at=jan10,
        reference="cash", actor=TEST_ACTOR, as_of=jan10,
        allocations=[AllocationRequest(invoice_id=invoice.pk, amount=D("15.00"))],
    )  # fmt: skip
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("partially_paid", D("25.00"))
    with time_machine.travel(at(1, 11), tick=False):
        page, _ = page_of(staff_client, who)
    assert f'id="retry-{invoice.pk}"' in page
    assert f"Retry payment of {invoice.number}" in part(page, "story-actions")


def form_of(page: str, form_id: str) -> tuple[str, list[tuple[str, str]]]:
    """The form's action and its hidden inputs (name, value), the CSRF token left out."""
    start = page.index(f'id="{form_id}"')
    start = page.rindex("<form", 0, start)
    html_form = page[start : page.index("</form>", start)]
    action = re.search(r'action="([^"]+)"', html_form)
    assert action, html_form
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html_form)
    return html.unescape(action[1]), [
        (name, html.unescape(value)) for name, value in fields if name != "csrfmiddlewaretoken"
    ]


def post_form(client: Client, page: str, form_id: str) -> Any:
    url, fields = form_of(page, form_id)
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return client.post(url, data)


def test_bulk_buttons_for_this_customer_with_their_permissions(
    client: Client, django_user_model: Any
) -> None:
    """30.00 unapplied and B owing 20.00 (due Jan 16, 9 days overdue on Jan 25): *Apply
    unapplied cash* (payments.change_payment) and *Send a payment reminder* (notifications'
    add_notification) open the bulk actions' confirmation pages for this customer only."""
    story = a_story()
    who, b = story["customer"], story["b"]
    CustomerFactory(external_id="other")  # never listed
    viewer = django_user_model.objects.create_user("bulk", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(viewer)
    with time_machine.travel(PAGE_TIME, tick=False):
        page, _ = page_of(client, who)
    assert 'id="bulk-apply-cash"' not in page
    assert 'id="bulk-remind"' not in page
    viewer.user_permissions.add(
        Permission.objects.get(codename="change_payment", content_type__app_label="payments"),
        Permission.objects.get(codename="add_notification"),
    )
    viewer = django_user_model.objects.get(pk=viewer.pk)
    client.force_login(viewer)
    with time_machine.travel(PAGE_TIME, tick=False):
        page, _ = page_of(client, who)
        assert part(page, "bulk-apply-cash") == "Apply unapplied cash (oldest first)…"
        assert part(page, "bulk-remind") == "Send a payment reminder…"
        cash = post_form(client, page, "bulk-apply-cash")
        remind = post_form(client, page, "bulk-remind")
    assert cash.status_code == 200
    text = part(cash.content.decode(), "bulk-objects")
    assert (
        "Story GmbH (story) Story GmbH (story) to do 20.00 USD of its 30.00 USD unapplied "
        "applied to 1 open invoice owing 20.00 USD, oldest due first." in text
    ), text
    assert "(other)" not in text
    assert part(cash.content.decode(), "bulk-counts") == "1 customer selected: 1 to do, 0 skipped."
    assert remind.status_code == 200
    text = part(remind.content.decode(), "bulk-objects")
    assert f"{b.number} Story GmbH (story) to do Reminder to {who.email}: 20.00 USD overdue " in (
        text
    )
    assert str(story["a"].number) not in text  # paid: not selected
    assert part(remind.content.decode(), "bulk-counts") == "1 invoice selected: 1 to do, 0 skipped."
