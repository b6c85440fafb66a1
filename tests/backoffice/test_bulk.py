"""Bulk actions of the admin's lists (backoffice/bulk.py, backoffice/admin_bulk.py): each action's
confirmation page lists what will be done and what is skipped and why; confirming does each
object through its service and shows the summary; a refusal of one object leaves the others
done; a void needs a reason; users without the permission get neither the action nor the view
(403); over BULK_SYNC_MAX the work is a job run by a real Celery worker.

Figures by hand:
- finalize: drafts made on Jan 12, 11 and 13 after INV-2026-000001 are numbered in billing-date
  order: the Jan 11 draft 000002, Jan 12 000003, Jan 13 000004;
- apply cash: invoices of 100.00, 50.00 and 30.00 USD issued (due) on Jan 1, 2 and 3; payments
  of 70.00 (received Jan 5) and 60.00 (Jan 6) held unapplied. The 70.00 goes to the first
  invoice (100.00 -> 30.00 due); the 60.00 pays its 30.00 and 30.00 of the second (50.00 ->
  20.00 due): 130.00 applied, nothing left; the third still owes 30.00;
- reminder: an invoice of 40.00 issued Jan 10 09:00 with 30 days' terms is due Feb 9 09:00; on
  Feb 20 12:00 it is 11 days past due."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from billing.models import Customer, JournalEvent
from billing.services import journal_dispatch
from core.models import Job
from invoicing.models import Invoice
from invoicing.services import invoice_draft_create, invoice_line_add
from notifications.models import Notification
from payments.models import Allocation, Payment
from payments.services import AllocationRequest, payment_record
from tests.conftest import TEST_ACTOR
from tests.payments.helpers import a_customer, assert_trial_balance_zero, open_invoice
from tests.payments.test_retries import attempts, card, charge_pending, sandbox

pytestmark = pytest.mark.django_db
__all__ = ["sandbox"]  # the fixture

D = Decimal
JAN = datetime(2026, 1, 1, 9, tzinfo=UTC)
NOW = datetime(2026, 2, 20, 12, tzinfo=UTC)
INVOICES = "/admin/invoicing/invoice/"
CUSTOMERS = "/admin/billing/customer/"


@pytest.fixture
def at_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def draft(customer: Customer, amount: str, at: datetime, *, lines: bool = True) -> Invoice:
    made = invoice_draft_create(customer_id=customer.pk, as_of=at, actor=TEST_ACTOR)
    if lines:
        invoice_line_add(
            invoice_id=made.pk, description="services", amount=D(amount), quantity=D(1),
            as_of=at, actor=TEST_ACTOR,
        )  # fmt: skip
    return made


def choose(client: Client, changelist: str, action: str, objects: list[Any]) -> Any:
    """Pick `action` for `objects` in the list: the confirmation page."""
    return client.post(
        changelist, {"action": action, "_selected_action": [o.pk for o in objects], "index": 0}
    )


def confirm(client: Client, page: Any, *, follow: bool = True, **data: str) -> Any:
    """Submit the confirmation page's form as it is (plus `data`); the redirect to the job's
    summary followed (`follow`)."""
    html = page.content.decode()
    url = re.search(r'<form method="post" action="([^"]+)" id="bulk-form"', html)
    selection = re.search(r'name="selection" value="([^"]+)"', html)
    assert url, html
    assert selection, html
    return client.post(url[1], {"selection": selection[1], **data}, follow=follow)


def rows(page: Any) -> dict[Any, tuple[str, str]]:
    """The page's object rows: label -> (status, what / detail)."""
    html = page.content.decode()
    found = re.findall(
        r'<tr class="bulk-[\w-]+" data-pk="\d+">\s*<td>(?:<a href="[^"]*">)?([^<]+)(?:</a>)?</td>'
        r"(?:\s*<td>[^<]*</td>)?\s*<td>([^<]+)</td>\s*<td>([^<]*)</td>",
        html,
    )
    return {unescape(label): (status, unescape(detail)) for label, status, detail in found}


def counts(page: Any) -> dict[str, int]:
    html = page.content.decode()
    return {
        name: int(n)
        for name, n in re.findall(r'class="bulk-count-(\w+)"><th>\w+</th><td>(\d+)</td>', html)
    }


# --------------------------------------------------------------------------------- finalize


def test_finalize_drafts_numbers_them_gaplessly_in_billing_order(
    staff_client: Client, at_now: None
) -> None:
    who = a_customer()
    first = open_invoice(who, "10.00", JAN)
    assert first.number == "INV-2026-000001"
    a = draft(who, "20.00", JAN + timedelta(days=11))
    b = draft(who, "30.00", JAN + timedelta(days=10))
    c = draft(who, "40.00", JAN + timedelta(days=12))

    page = choose(staff_client, INVOICES, "bulk_finalize", [a, first, b, c])
    assert page.status_code == 200
    listed = rows(page)
    assert listed[f"draft #{a.pk}"] == ("to do", "Numbered and issued: total 20.00 USD.")
    assert listed["INV-2026-000001"] == (
        "skipped", "It is open, not a draft: only drafts are finalized."
    )  # fmt: skip
    assert "<strong>4</strong> invoices selected" in page.content.decode()
    assert Invoice.objects.filter(status="draft").count() == 3  # the page wrote nothing

    done = confirm(staff_client, page)
    assert done.status_code == 200
    assert counts(done) == {"done": 3, "skipped": 1, "failed": 0, "total": 4}
    numbers = {i.pk: i.number for i in Invoice.objects.all()}
    assert (numbers[b.pk], numbers[a.pk], numbers[c.pk]) == (
        "INV-2026-000002", "INV-2026-000003", "INV-2026-000004"
    )  # fmt: skip
    result = rows(done)
    assert result[f"draft #{b.pk}"] == (
        "done", "Finalized as INV-2026-000002 (open): total 30.00 USD, amount due 30.00 USD."
    )  # fmt: skip
    assert result["INV-2026-000001"][0] == "skipped"
    job = Job.objects.get(kind="bulk_finalize")
    assert (job.status, job.total, job.done, job.failed) == ("succeeded", 4, 4, 0)
    assert job.result["counts"] == {"done": 3, "skipped": 1, "failed": 0}
    event = JournalEvent.objects.get(type="bulk_action.completed")
    assert event.subject == f"job:{job.pk}"
    assert (event.payload["done"], event.payload["skipped"], event.payload["failed"]) == (3, 1, 0)
    assert event.actor["label"] == "finance"
    finalized = JournalEvent.objects.filter(type="invoice.finalized").count()
    assert finalized == 4  # the first one's, and each draft's own


def test_one_refusal_leaves_the_others_done(staff_client: Client, at_now: None) -> None:
    """An empty draft is refused by invoice_finalize (never numbered): its row says why; the
    drafts before and after it are finalized."""
    who = a_customer()
    before = draft(who, "20.00", JAN)
    empty = draft(who, "0", JAN + timedelta(days=1), lines=False)
    after = draft(who, "30.00", JAN + timedelta(days=2))
    page = choose(staff_client, INVOICES, "bulk_finalize", [before, empty, after])
    done = confirm(staff_client, page)
    assert done.status_code == 200
    assert counts(done) == {"done": 2, "skipped": 0, "failed": 1, "total": 3}
    status, detail = rows(done)[f"draft #{empty.pk}"]
    assert status == "failed"
    assert detail.startswith("The draft has no lines: a document with nothing on it is never")
    assert [i.status for i in Invoice.objects.order_by("pk")] == ["open", "draft", "open"]
    job = Job.objects.get(kind="bulk_finalize")
    assert (job.done, job.failed) == (3, 1)
    assert job.errors[0].startswith(f"draft #{empty.pk}: The draft has no lines")


# -------------------------------------------------------------------------------------- void


def test_void_needs_a_reason_and_skips_what_cannot_be_voided(
    staff_client: Client, at_now: None
) -> None:
    who = a_customer()
    x = open_invoice(who, "10.00", JAN)
    y = open_invoice(who, "20.00", JAN + timedelta(days=1))
    paid = open_invoice(who, "30.00", JAN + timedelta(days=2))
    payment_record(
        customer_id=who.pk, amount=D("30.00"), currency="USD", received_at=JAN + timedelta(days=3),
        reference="wire", actor=TEST_ACTOR, as_of=JAN + timedelta(days=3),
        allocations=[AllocationRequest(paid.pk)],
    )  # fmt: skip
    drafted = draft(who, "5.00", JAN)

    page = choose(staff_client, INVOICES, "bulk_void", [x, y, paid, drafted])
    listed = rows(page)
    assert listed[x.number] == ("to do", "Void; its posting of 10.00 USD reversed.")
    assert listed[paid.number] == (
        "skipped", "It is paid: a paid invoice cannot be voided (credit or refund it)."
    )  # fmt: skip
    assert listed[f"draft #{drafted.pk}"][0] == "skipped"

    missing = confirm(staff_client, page, reason="   ")
    assert missing.status_code == 200
    assert "This field is required." in missing.content.decode()
    assert not Invoice.objects.filter(status="void").exists()

    done = confirm(staff_client, page, reason="duplicates of the March order")
    assert counts(done) == {"done": 2, "skipped": 2, "failed": 0, "total": 4}
    statuses = dict(Invoice.objects.values_list("pk", "status"))
    assert (statuses[x.pk], statuses[y.pk], statuses[paid.pk], statuses[drafted.pk]) == (
        "void", "void", "paid", "draft"
    )  # fmt: skip
    reasons = JournalEvent.objects.filter(type="invoice.voided").values_list("payload", flat=True)
    assert [p["reason"] for p in reasons] == ["duplicates of the March order"] * 2
    assert_trial_balance_zero()


def test_a_tampered_selection_is_a_400(staff_client: Client, at_now: None) -> None:
    who = a_customer()
    x = open_invoice(who, "10.00", JAN)
    page = choose(staff_client, INVOICES, "bulk_void", [x])
    html = page.content.decode().replace('name="selection" value="', 'name="selection" value="x')
    page.content = html.encode()
    refused = confirm(staff_client, page, reason="r")
    assert refused.status_code == 400
    assert b"selection" in refused.content
    assert Invoice.objects.get(pk=x.pk).status == "open"


# ------------------------------------------------------------------------------------- retry


def test_retry_payments_makes_the_next_attempt(
    staff_client: Client, sandbox: Any, at_now: None
) -> None:
    jan10 = datetime(2026, 1, 10, 9, tzinfo=UTC)
    who = a_customer()
    card(who, "tok_declined")
    failing = open_invoice(who, "40.00", jan10)
    journal_dispatch(as_of=jan10)
    charge_pending(jan10)
    assert attempts(failing) == [(1, "failed")]
    no_card = open_invoice(a_customer(), "15.00", jan10)
    paid = open_invoice(who, "5.00", jan10)
    payment_record(
        customer_id=who.pk, amount=D("5.00"), currency="USD", received_at=jan10,
        reference="cash", actor=TEST_ACTOR, as_of=jan10, allocations=[AllocationRequest(paid.pk)],
    )  # fmt: skip

    page = choose(staff_client, INVOICES, "bulk_retry", [failing, no_card, paid])
    listed = rows(page)
    assert listed[failing.number] == ("to do", "Attempt 2 for 40.00 USD (attempt 1 failed).")
    assert listed[paid.number] == ("skipped", "It is paid: there is nothing to collect.")
    done = confirm(staff_client, page)
    assert counts(done) == {"done": 1, "skipped": 1, "failed": 1, "total": 3}
    result = rows(done)
    retry = Payment.objects.get(invoice=failing, attempt=2)
    assert result[failing.number] == (
        "done",
        f"Attempt 2 (payment #{retry.pk}) of 40.00 USD to {retry.method}: charged by a worker now.",
    )
    status, detail = result[no_card.number]
    assert status == "failed"
    assert detail.startswith(f"Invoice {no_card.number} has no usable payment method")
    assert attempts(failing) == [(1, "failed"), (2, "pending")]


# ---------------------------------------------------------------------------------- reminders


def test_reminders_for_overdue_open_invoices_once_a_day(staff_client: Client, at_now: None) -> None:
    jan10 = datetime(2026, 1, 10, 9, tzinfo=UTC)
    who = a_customer()
    overdue = open_invoice(who, "40.00", jan10)
    assert overdue.due_at == datetime(2026, 2, 9, 9, tzinfo=UTC)
    recent = open_invoice(who, "25.00", datetime(2026, 2, 1, 9, tzinfo=UTC))  # due Mar 3
    silent = a_customer(email="")
    no_address = open_invoice(silent, "12.00", jan10)

    page = choose(staff_client, INVOICES, "bulk_remind", [overdue, recent, no_address])
    listed = rows(page)
    assert listed[overdue.number] == (
        "to do", f"Reminder to {who.email}: 40.00 USD overdue for 11 days."
    )  # fmt: skip
    assert listed[recent.number] == ("skipped", "It is not overdue.")
    assert listed[no_address.number] == ("skipped", "The customer has no e-mail address.")
    done = confirm(staff_client, page)
    assert counts(done) == {"done": 1, "skipped": 2, "failed": 0, "total": 3}
    sent = Notification.objects.get(template="dunning_reminder")
    assert (sent.customer_id, sent.recipient, sent.state) == (who.pk, who.email, "pending")
    assert sent.data == {
        "state": "manual", "policy": None, "days_past_due": 11, "amount_overdue": "40.0000",
        "currency": "USD", "invoices": [overdue.pk],
    }  # fmt: skip
    event = JournalEvent.objects.get(type="invoice.reminder_requested")
    assert (event.subject, event.payload["notification"]) == (f"invoice:{overdue.pk}", sent.pk)

    again = choose(staff_client, INVOICES, "bulk_remind", [overdue])
    assert rows(again)[overdue.number] == ("skipped", "A reminder of it was sent today already.")
    assert "Nothing to do" in again.content.decode()
    assert Notification.objects.count() == 1


# --------------------------------------------------------------------------------- apply cash


def test_apply_cash_oldest_invoice_first(staff_client: Client, at_now: None) -> None:
    who = a_customer()
    first, second, third = (
        open_invoice(who, amount, JAN + timedelta(days=i))
        for i, amount in enumerate(("100.00", "50.00", "30.00"))
    )
    for amount, day in (("70.00", 4), ("60.00", 5)):
        at = JAN + timedelta(days=day)
        payment_record(
            customer_id=who.pk, amount=D(amount), currency="USD", received_at=at,
            reference=f"wire {amount}", actor=TEST_ACTOR, as_of=at,
        )  # fmt: skip
    penniless = a_customer()
    open_invoice(penniless, "10.00", JAN)
    settled = a_customer()
    payment_record(
        customer_id=settled.pk, amount=D("25.00"), currency="USD", received_at=JAN,
        reference="early", actor=TEST_ACTOR, as_of=JAN,
    )  # fmt: skip

    page = choose(staff_client, CUSTOMERS, "bulk_apply_cash", [who, penniless, settled])
    assert page.status_code == 200
    listed = rows(page)
    label = f"{who.name} ({who.external_id})"
    assert listed[label] == (
        "to do",
        "130.00 USD of its 130.00 USD unapplied applied to 3 open invoices owing 180.00 USD, "
        "oldest due first.",
    )
    assert listed[f"{penniless.name} ({penniless.external_id})"] == (
        "skipped", "It has no unapplied cash."
    )  # fmt: skip
    assert listed[f"{settled.name} ({settled.external_id})"] == (
        "skipped", "No open invoice to apply its 25.00 USD to."
    )  # fmt: skip

    done = confirm(staff_client, page)
    assert counts(done) == {"done": 1, "skipped": 2, "failed": 0, "total": 3}
    assert rows(done)[label] == (
        "done",
        f"Applied 130.00 USD: {first.number} 70.00 USD, {first.number} 30.00 USD, "
        f"{second.number} 30.00 USD; 0.00 USD left unapplied.",
    )
    due = {i.pk: (i.status, i.amount_due) for i in Invoice.objects.filter(customer=who)}
    assert due == {
        first.pk: ("paid", D("0")), second.pk: ("partially_paid", D("20.00")),
        third.pk: ("open", D("30.00")),
    }  # fmt: skip
    split = list(
        Allocation.objects.filter(payment__customer=who)
        .order_by("pk")
        .values_list("payment__amount", "invoice_id", "amount")
    )
    assert split == [
        (D("70.00"), first.pk, D("70.00")),
        (D("60.00"), first.pk, D("30.00")),
        (D("60.00"), second.pk, D("30.00")),
    ]
    assert_trial_balance_zero()


# -------------------------------------------------------------------------------- permissions


def user_with(django_user_model: Any, name: str, *codenames: str) -> Client:
    user = django_user_model.objects.create_user(name, password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__startswith="view_")
        | Permission.objects.filter(codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


def offered(client: Client, url: str) -> set[str]:
    html = client.get(url).content.decode()
    return set(re.findall(r'<option value="(bulk_\w+)"', html))


def test_actions_follow_the_permissions_and_a_forged_post_is_403(
    staff_client: Client, django_user_model: Any, at_now: None
) -> None:
    who = a_customer()
    x = open_invoice(who, "10.00", JAN)
    viewer = user_with(django_user_model, "viewer")
    clerk = user_with(django_user_model, "clerk", "change_invoice", "change_customer")
    collector = user_with(django_user_model, "collector", "add_payment", "change_payment")

    assert offered(staff_client, INVOICES) == {
        "bulk_finalize", "bulk_void", "bulk_retry", "bulk_remind"
    }  # fmt: skip
    assert offered(staff_client, CUSTOMERS) == {"bulk_apply_cash"}
    assert offered(viewer, INVOICES) == offered(viewer, CUSTOMERS) == set()
    assert offered(clerk, INVOICES) == {"bulk_finalize", "bulk_void"}
    assert offered(clerk, CUSTOMERS) == set()
    assert offered(collector, INVOICES) == {"bulk_retry"}
    assert offered(collector, CUSTOMERS) == {"bulk_apply_cash"}
    # the superseded actions of the invoice list are gone (no confirmation, a fixed reason)
    names = set(admin.site._registry[Invoice].get_actions(staff_client.get(INVOICES).wsgi_request))
    assert not names & {"finalize_selected", "void_selected"}

    page = choose(staff_client, INVOICES, "bulk_void", [x])  # a real page, as the admin's
    assert choose(viewer, INVOICES, "bulk_void", [x]).status_code == 403
    assert choose(collector, INVOICES, "bulk_void", [x]).status_code == 403
    assert confirm(viewer, page, reason="forged").status_code == 403
    assert confirm(collector, page, reason="forged").status_code == 403
    assert choose(clerk, CUSTOMERS, "bulk_apply_cash", [who]).status_code == 403
    assert (
        viewer.post(reverse("admin:billing_customer_bulk", args=["apply_cash"])).status_code == 403
    )
    # a selection signed for another user is refused too
    assert confirm(clerk, page, reason="not mine").status_code == 400
    assert Invoice.objects.get(pk=x.pk).status == "open"
    assert not Job.objects.exists()


def test_the_confirmation_page_reads_in_a_fixed_number_of_queries(
    staff_client: Client, at_now: None, django_assert_num_queries: Any
) -> None:
    """3 or 450 invoices (more than one chunk of 200): the same statements; only the preview
    rows are planned."""
    who = a_customer()
    few = [open_invoice(who, "10.00", JAN + timedelta(hours=i)) for i in range(3)]
    many = few + [draft(who, "0", JAN, lines=False) for _ in range(447)]
    with django_assert_num_queries(8) as captured:
        choose(staff_client, INVOICES, "bulk_void", few)
    baseline = len(captured.captured_queries)
    with django_assert_num_queries(baseline):
        page = choose(staff_client, INVOICES, "bulk_void", many)
    assert len(rows(page)) == 450
    assert "<strong>450</strong> invoices selected" in page.content.decode()
    assert "<strong>3</strong> to do, <strong>447</strong> skipped" in page.content.decode()


# ------------------------------------------------------------------------------ as a job


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_over_bulk_sync_max_the_work_is_a_job_on_a_worker(settings: Any) -> None:
    from django.contrib.auth import get_user_model

    from tests.worker import celery_worker, wait_for

    user = get_user_model().objects.create_superuser("finance", "f@example.com", "pw-12345")
    client = Client()
    client.force_login(user)
    who = a_customer()
    open_ones = [open_invoice(who, f"{10 + i}.00", JAN + timedelta(days=i)) for i in range(3)]
    paid = open_invoice(who, "7.00", JAN + timedelta(days=5))
    payment_record(
        customer_id=who.pk, amount=D("7.00"), currency="USD", received_at=JAN + timedelta(days=6),
        reference="wire", actor=TEST_ACTOR, as_of=JAN + timedelta(days=6),
        allocations=[AllocationRequest(paid.pk)],
    )  # fmt: skip
    settings.BULK_SYNC_MAX = 2
    settings.BULK_TASK_CHUNK = 3  # two chunk tasks: 3 invoices, then 1
    with celery_worker(concurrency=1) as worker:
        settings.BULK_QUEUE = worker.queue
        page = choose(client, INVOICES, "bulk_void", [*open_ones, paid])
        assert "runs as a background job" in page.content.decode()
        queued = confirm(client, page, follow=False, reason="billed twice")
        assert queued.status_code == 302
        job = Job.objects.get(kind="bulk_void")
        assert queued["Location"].startswith(
            reverse("admin:invoicing_invoice_bulk_job", args=[job.pk])
        )
        assert wait_for(lambda: Job.objects.get(pk=job.pk).status == "succeeded", timeout=120), (
            Job.objects.get(pk=job.pk).errors
        )
    job.refresh_from_db()
    assert (job.total, job.done, job.failed) == (4, 4, 0)
    assert job.result["counts"] == {"done": 3, "skipped": 1, "failed": 0}
    assert sorted(Invoice.objects.filter(status="void").values_list("pk", flat=True)) == sorted(
        i.pk for i in open_ones
    )
    summary = client.get(queued["Location"])
    assert summary.status_code == 200
    assert counts(summary) == {"done": 3, "skipped": 1, "failed": 0, "total": 4}
    assert rows(summary)[paid.number][0] == "skipped"
    event = JournalEvent.objects.get(type="bulk_action.completed")
    assert (event.subject, event.payload["done"], event.payload["reason"]) == (
        f"job:{job.pk}", 3, "billed twice"
    )  # fmt: skip
    assert event.payload["skipped"] == 1
    assert JournalEvent.objects.filter(type="bulk_action.completed").count() == 1


# ----------------------------------------------------------------- once, and the job's page


def test_a_confirmation_is_done_once_and_the_summary_is_a_get(
    staff_client: Client, sandbox: Any, at_now: None
) -> None:
    """Confirming redirects to the job's summary (a refresh reads it again); the same
    confirmation posted again (a double submit, the back button) runs nothing: it is sent to
    the first run's summary. A declined invoice gets one retry, not two."""
    jan10 = datetime(2026, 1, 10, 9, tzinfo=UTC)
    who = a_customer()
    card(who, "tok_declined")
    failing = open_invoice(who, "40.00", jan10)
    journal_dispatch(as_of=jan10)
    charge_pending(jan10)
    page = choose(staff_client, INVOICES, "bulk_retry", [failing])

    first = confirm(staff_client, page, follow=False)
    job = Job.objects.get(kind="bulk_retry")
    summary_url = reverse("admin:invoicing_invoice_bulk_job", args=[job.pk])
    assert first.status_code == 302
    assert first["Location"].startswith(summary_url)
    shown = staff_client.get(first["Location"])
    assert counts(shown) == {"done": 1, "skipped": 0, "failed": 0, "total": 1}
    assert counts(staff_client.get(first["Location"])) == counts(shown)  # a refresh: a read

    again = confirm(staff_client, page, follow=False)
    assert again.status_code == 302
    assert again["Location"].startswith(summary_url)
    followed = staff_client.get(again["Location"])
    assert f"This confirmation was submitted already (job #{job.pk})" in unescape(
        followed.content.decode()
    )
    assert attempts(failing) == [(1, "failed"), (2, "pending")]
    assert Job.objects.filter(kind="bulk_retry").count() == 1
    assert JournalEvent.objects.filter(type="bulk_action.completed").count() == 1


def test_a_bulk_job_is_read_by_its_actor_or_with_view_job(
    staff_client: Client, django_user_model: Any, at_now: None
) -> None:
    who = a_customer()
    x = draft(who, "10.00", JAN)
    clerk = user_with(django_user_model, "clerk", "change_invoice")
    other = user_with(django_user_model, "other", "change_invoice")
    view_job = Permission.objects.get(codename="view_job")
    for name in ("clerk", "other"):
        django_user_model.objects.get(username=name).user_permissions.remove(view_job)
    page = choose(clerk, INVOICES, "bulk_finalize", [x])
    done = confirm(clerk, page)
    assert counts(done) == {"done": 1, "skipped": 0, "failed": 0, "total": 1}
    job = Job.objects.get(kind="bulk_finalize")
    url = reverse("admin:invoicing_invoice_bulk_job", args=[job.pk])
    assert clerk.get(url).status_code == 200  # its actor
    assert other.get(url).status_code == 403  # neither its actor nor core.view_job
    assert staff_client.get(url).status_code == 200  # core.view_job


def test_a_running_job_shows_processed_not_done(staff_client: Client, at_now: None) -> None:
    """While a job runs its page counts the objects processed (done, skipped or failed) and
    the failures: the skipped ones are not shown as done."""
    from core.jobs import job_attach, job_create

    job = job_create(
        kind="bulk_void", label="Void invoices (5 invoices)", actor="finance", total=5,
        params={"action": "void"}, as_of=NOW,
    )  # fmt: skip
    Job.objects.filter(pk=job.pk).update(status="running")
    progress = job_attach(job.pk, finish_at_total=False)
    progress.advance(3, failed=1, error="INV-1: refused")
    progress.flush()
    page = staff_client.get(reverse("admin:invoicing_invoice_bulk_job", args=[job.pk]))
    assert counts(page) == {"processed": 3, "failed": 1, "total": 5}


# ------------------------------------------------------------------------------ chunks


def test_chunks_of_a_job_complete_it_once_whatever_their_order(
    staff_client: Client, at_now: None, settings: Any
) -> None:
    """A job split in chunks of 2 (5 objects: 3 chunks) whose chunk tasks run out of order,
    one of them twice (a redelivery): the job succeeds when the last one is recorded, its
    summary lists every object in the action's order, bulk_action.completed is written once."""
    from backoffice.bulk import bulk_chunk, bulk_claim, bulk_split
    from core.audit import Actor

    settings.BULK_TASK_CHUNK = 2
    who = a_customer()
    invoices = [open_invoice(who, f"{10 + i}.00", JAN + timedelta(days=i)) for i in range(4)]
    drafted = draft(who, "5.00", JAN + timedelta(days=9))
    ids = [i.pk for i in [drafted, *invoices]]
    actor = Actor.for_user(django_user(staff_client))
    job, created = bulk_claim(
        action_name="void", nonce="n-1", ids=ids, actor=actor, params={"reason": "r"}, as_of=NOW
    )
    assert created
    assert bulk_claim(
        action_name="void", nonce="n-1", ids=ids, actor=actor, params={"reason": "r"}, as_of=NOW
    ) == (job, False)
    chunks = bulk_split("void", ids)
    assert chunks == [[invoices[0].pk, invoices[1].pk], [invoices[2].pk, invoices[3].pk],
                      [drafted.pk]]  # fmt: skip
    run = {"job_id": job.pk, "action_name": "void", "chunks": 3, "actor": actor,
           "params": {"reason": "r"}, "now": NOW}  # fmt: skip
    bulk_chunk(index=2, ids=chunks[2], **run)
    bulk_chunk(index=0, ids=chunks[0], **run)
    job.refresh_from_db()
    assert (job.status, job.done) == ("running", 3)
    assert not JournalEvent.objects.filter(type="bulk_action.completed").exists()
    bulk_chunk(index=1, ids=chunks[1], **run)
    bulk_chunk(index=1, ids=chunks[1], **run)  # redelivered: does nothing
    job.refresh_from_db()
    assert (job.status, job.total, job.done, job.failed) == ("succeeded", 5, 5, 0)
    assert job.result["counts"] == {"done": 4, "skipped": 1, "failed": 0}
    assert [row["pk"] for row in job.result["rows"]] == [i.pk for i in invoices] + [drafted.pk]
    event = JournalEvent.objects.get(type="bulk_action.completed")
    assert (event.payload["done"], event.payload["skipped"], event.payload["total"]) == (4, 1, 5)
    page = staff_client.get(reverse("admin:invoicing_invoice_bulk_job", args=[job.pk]))
    assert counts(page) == {"done": 4, "skipped": 1, "failed": 0, "total": 5}
    assert rows(page)[f"draft #{drafted.pk}"][0] == "skipped"


def django_user(client: Client) -> Any:
    return client.get("/admin/").wsgi_request.user


# --------------------------------------------------------------------- apply cash, refused


def test_apply_cash_goes_on_after_a_payment_is_refused(staff_client: Client, at_now: None) -> None:
    """The older payment (40.00, from before the customer's currency was USD: EUR) is refused;
    the next one (25.00) is still applied to the open invoice."""
    who = a_customer()
    invoice = open_invoice(who, "60.00", JAN)
    made = []
    for amount, day in (("40.00", 2), ("25.00", 3)):
        at = JAN + timedelta(days=day)
        made.append(
            payment_record(
                customer_id=who.pk,
                amount=D(amount),
                currency="USD",
                received_at=at,
                reference=f"wire {amount}",
                actor=TEST_ACTOR,
                as_of=at,
            )
        )
    Payment.objects.filter(pk=made[0].pk).update(currency="EUR")
    page = choose(staff_client, CUSTOMERS, "bulk_apply_cash", [who])
    done = confirm(staff_client, page)
    assert counts(done) == {"done": 1, "skipped": 0, "failed": 0, "total": 1}
    status, detail = rows(done)[f"{who.name} ({who.external_id})"]
    assert status == "done"
    assert detail == (
        f"Applied 25.00 USD: {invoice.number} 25.00 USD; 0.00 USD left unapplied. "
        f"Payment #{made[0].pk} refused: Invoice {invoice.number} is in USD, the payment in EUR."
    )
    assert Invoice.objects.get(pk=invoice.pk).amount_due == D("35.00")
