"""Groundwork of the invoicing issue: billing a period onto a draft, idempotently, and gapless
numbering at finalization. The standard workload's customer i = 1 is billed 58.20."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from billing.models import Customer, JournalEvent
from billing.services import subscription_create, usage_ingest
from catalog import services as catalog
from catalog.models import Plan
from core.exceptions import TransitionNotAllowed
from invoicing.models import Invoice, InvoiceLine
from invoicing.services import invoice_finalize, invoice_line_add, subscriptions_bill
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import metric
from tests.conftest import TEST_ACTOR

JAN, FEB = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)


def workload_plan() -> Plan:
    # negative calls: a client's late correction of what it over-reported
    calls = metric("api_calls", aggregation="sum", field_name="calls", allow_negative=True)
    storage = metric("storage_gb", aggregation="sum", field_name="gb")
    pro = catalog.plan_create(
        actor=TEST_ACTOR,
        as_of=JAN,
        data={"code": "pro", "name": "Pro", "currency": "USD", "interval_unit": "month"},
    )
    version = catalog.plan_version_create(
        plan_id=pro.pk,
        actor=TEST_ACTOR,
        as_of=JAN,
        data={"effective_from": JAN, "fixed_fee": Decimal("49.00"), "fee_timing": "arrears"},
        charges=[
            {
                "metric": calls,
                "pricing_model": "graduated",
                "params": {
                    "tiers": [
                        {"from": "0", "to": "10000", "unit_price": "0"},
                        {"from": "10000", "to": None, "unit_price": "0.002"},
                    ]
                },
            },
            {"metric": storage, "pricing_model": "per_unit", "params": {"unit_price": "0.10"}},
        ],
    )
    catalog.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=JAN)
    return pro


def bill_to_draft(sub: Any, as_of: datetime = FEB) -> Invoice:
    """The billing writer for one subscription (a chunk of one) up to `as_of`, without the
    clock's finalization: the customer's draft for that date."""
    subscriptions_bill(subscription_ids=[sub.pk], as_of=as_of, actor=TEST_ACTOR)
    return Invoice.objects.get(customer_id=sub.customer_id, billing_date=as_of, kind="billing")


def workload_customer(i: int, plan: Plan) -> Customer:
    customer = CustomerFactory(external_id=f"w{i}")
    subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN)
    calls = 5 * ((i * 7919) % 5000)
    gb = Decimal(i % 200) / 10
    events = [
        {
            "event_id": f"c{i}-{n}",
            "customer": f"w{i}",
            "metric": "api_calls",
            "event_time": (JAN + timedelta(hours=n * 7)).isoformat(),
            "properties": {"calls": calls // 50 + (calls % 50 if n == 49 else 0)},
        }
        for n in range(50)
    ] + [
        {
            "event_id": f"g{i}-{n}",
            "customer": f"w{i}",
            "metric": "storage_gb",
            "event_time": (JAN + timedelta(hours=n * 7 + 3)).isoformat(),
            "properties": {"gb": str(gb) if n == 49 else "0"},
        }
        for n in range(50)
    ]
    report = usage_ingest(events=events, actor=TEST_ACTOR, as_of=FEB)
    assert report.count("accepted") == 100
    return customer


@pytest.mark.django_db
def test_a_period_is_billed_onto_a_draft_once_with_explained_lines() -> None:
    plan = workload_plan()
    customer = workload_customer(1, plan)
    sub = customer.subscriptions.get()
    invoice = bill_to_draft(sub)
    lines = list(invoice.lines.values_list("kind", "amount"))
    # api_calls(1) = 5 x (7919 mod 5000) = 14,595: 4,595 above the free 10,000 at 0.002 = 9.19
    assert lines == [
        ("fixed_fee", Decimal("49.00")),
        ("usage", Decimal("9.19")),
        ("usage", Decimal("0.01")),
    ]
    assert invoice.total == Decimal("58.20")
    usage = invoice.lines.get(metric_code="api_calls")
    assert usage.explanation["formula"] == "10000 x 0 + 4595 x 0.002 = 9.19"
    assert usage.explanation["event_count"] == 50
    assert usage.explanation["price_version"] == "pro@v1"
    again = bill_to_draft(sub)
    assert again.pk == invoice.pk
    assert InvoiceLine.objects.count() == 3
    assert JournalEvent.objects.filter(type="invoice.created").count() == 1


@pytest.mark.django_db
def test_finalize_numbers_freezes_and_marks_usage_invoiced() -> None:
    plan = workload_plan()
    customer = workload_customer(2, plan)
    sub = customer.subscriptions.get()
    draft = bill_to_draft(sub)
    final = invoice_finalize(invoice_id=draft.pk, as_of=FEB + timedelta(hours=1), actor=TEST_ACTOR)
    assert final.number == "INV-2026-000001"
    assert final.status == "open"
    assert final.due_at == FEB + timedelta(hours=1, days=customer.payment_terms_days)
    assert final.customer_snapshot["external_id"] == "w2"
    with pytest.raises(TransitionNotAllowed):
        invoice_finalize(invoice_id=draft.pk, as_of=FEB, actor=TEST_ACTOR)
    customer.refresh_from_db()
    assert customer.usage_billed_until == FEB  # moved by billing the window, not by finalizing
    late = usage_ingest(
        events=[
            {
                "event_id": "late-1",
                "customer": "w2",
                "metric": "api_calls",
                "event_time": "2026-01-20T00:00:00Z",
                "properties": {"calls": 5},
            }
        ],
        actor=TEST_ACTOR,
        as_of=FEB,
    )
    assert late.outcomes[0].late is True


@pytest.mark.django_db
def test_a_zero_total_invoice_is_paid_at_once() -> None:
    customer = CustomerFactory(external_id="free")
    invoice = Invoice.objects.create(
        customer=customer,
        currency="USD",
        billing_date=FEB,
        grace_until=FEB,
        created_at=FEB,
        updated_at=FEB,
    )
    for amount in ("10.00", "-10.00"):  # a setup fee, waived
        invoice_line_add(invoice_id=invoice.pk, description="Setup", amount=Decimal(amount),
                         quantity=Decimal(1), as_of=FEB, actor=TEST_ACTOR)  # fmt: skip
    final = invoice_finalize(invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR)
    assert (final.status, final.total, final.paid_at) == ("paid", Decimal(0), FEB)


@pytest.mark.django_db(transaction=True)
def test_numbers_stay_gapless_under_concurrent_finalization() -> None:
    invoices = []
    for i in range(6):
        customer = CustomerFactory(external_id=f"n{i}")
        invoices.append(
            Invoice.objects.create(
                customer=customer,
                currency="USD",
                billing_date=FEB,
                grace_until=FEB,
                created_at=FEB,
                updated_at=FEB,
            )
        )
        invoice_line_add(invoice_id=invoices[-1].pk, description="Setup", amount=Decimal(1),
                         quantity=Decimal(1), as_of=FEB, actor=TEST_ACTOR)  # fmt: skip
    barrier = threading.Barrier(3)
    errors: list[Any] = []

    def finalize(chunk: list[Invoice]) -> None:
        barrier.wait()
        try:
            for invoice in chunk:
                invoice_finalize(invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=finalize, args=(invoices[k::3],)) for k in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-2026-{n:06d}" for n in range(1, 7)]


def run_tick(as_of: datetime) -> dict[str, Any]:
    """The clock's path, with the Celery tasks run in this process."""
    from invoicing.services import clock_tick_work
    from invoicing.tasks import invoices_finalize_task, subscriptions_bill_task

    return clock_tick_work(
        as_of=as_of,
        enqueue=lambda ids, at, lease: subscriptions_bill_task(ids, at.isoformat(), lease),
        enqueue_finalize=lambda ids, at, lease: invoices_finalize_task(ids, at.isoformat(), lease),
    )


@pytest.mark.django_db
def test_the_clock_bills_ended_periods_then_finalizes_them() -> None:
    plan = workload_plan()
    customers = [workload_customer(i, plan) for i in (1, 2, 3)]
    run_tick(FEB + timedelta(minutes=5))
    expected = {
        # 49.00 + max(0, api_calls(i) - 10,000) x 0.002 + storage_gb(i) x 0.10
        "w1": Decimal("58.20"),
        "w2": Decimal("49.00") + Decimal("0.02"),  # api_calls(2) = 5 x 838 = 4,190: all free
        "w3": Decimal("49.00") + Decimal("17.57") + Decimal("0.03"),  # 5 x 3757: 8,785 above
    }
    invoices = {i.customer.external_id: i for i in Invoice.objects.select_related("customer")}
    assert {k: v.total for k, v in invoices.items()} == expected
    assert {i.status for i in invoices.values()} == {"open"}  # grace 0: finalized the same tick
    assert sorted(i.number for i in invoices.values()) == [
        "INV-2026-000001",
        "INV-2026-000002",
        "INV-2026-000003",
    ]
    for customer in customers:
        sub = customer.subscriptions.get()
        assert (sub.current_period_start, sub.current_period_end) == (
            FEB,
            datetime(2026, 3, 1, tzinfo=UTC),
        )
    # the same tick again, and a missed one later, bill nothing twice
    run_tick(FEB + timedelta(minutes=5))
    run_tick(FEB + timedelta(hours=6))
    assert Invoice.objects.count() == 3
    assert InvoiceLine.objects.count() == 9


@pytest.mark.django_db
def test_advance_fees_are_billed_at_the_start_of_each_period() -> None:
    pro = catalog.plan_create(
        actor=TEST_ACTOR,
        as_of=JAN,
        data={"code": "adv", "name": "Advance", "currency": "USD", "interval_unit": "month"},
    )
    version = catalog.plan_version_create(
        plan_id=pro.pk,
        actor=TEST_ACTOR,
        as_of=JAN,
        data={"effective_from": JAN, "fixed_fee": Decimal("30"), "fee_timing": "advance"},
    )
    catalog.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=JAN)
    customer = CustomerFactory(external_id="adv", invoice_grace_period_days=2)
    subscription_create(customer_id=customer.pk, plan_id=pro.pk, actor=TEST_ACTOR, as_of=JAN)
    run_tick(JAN + timedelta(minutes=5))
    first = Invoice.objects.get()
    assert (first.billing_date, first.total, first.status) == (JAN, Decimal("30.00"), "draft")
    run_tick(JAN + timedelta(days=2, minutes=5))
    first.refresh_from_db()
    assert first.status == "open"  # finalized after its 2-day grace period
    run_tick(FEB + timedelta(minutes=5))
    second = Invoice.objects.get(billing_date=FEB)
    assert [line.kind for line in second.lines.all()] == ["fixed_fee"]
    assert second.total == Decimal("30.00")
    assert second.status == "draft"


@pytest.mark.django_db
def test_invoices_in_the_api_and_the_admin(api: Any, staff_client: Any) -> None:
    plan = workload_plan()
    customer = workload_customer(1, plan)
    sub = customer.subscriptions.get()
    draft = bill_to_draft(sub)
    body = api.get(f"/api/v1/invoices/{draft.pk}/").json()
    assert (body["status"], body["total"], body["number"]) == ("draft", "58.2000", None)
    assert body["lines"][1]["explanation"]["formula"] == "10000 x 0 + 4595 x 0.002 = 9.19"
    listing = api.get("/api/v1/invoices/", {"customer": "w1"}).json()
    assert [i["id"] for i in listing["results"]] == [draft.pk]
    final = api.post(f"/api/v1/invoices/{draft.pk}/finalize/").json()
    assert final["number"] == "INV-2026-000001"
    assert api.post(f"/api/v1/invoices/{draft.pk}/finalize/").status_code == 409
    page = staff_client.get(f"/admin/invoicing/invoice/{draft.pk}/change/").content.decode()
    assert "INV-2026-000001" in page
    assert "4595 x 0.002 = 9.19" in page
    assert staff_client.get("/admin/invoicing/invoice/").status_code == 200


def finalized_workload_invoice(i: int = 1) -> Invoice:
    plan = workload_plan()
    customer = workload_customer(i, plan)
    sub = customer.subscriptions.get()
    draft = bill_to_draft(sub)
    return invoice_finalize(invoice_id=draft.pk, as_of=FEB, actor=TEST_ACTOR)


@pytest.mark.django_db
def test_ledger_postings_balance_through_finalize_credit_and_write_off() -> None:
    from billing.services import account_balances, trial_balance
    from invoicing.services import credit_note_issue, invoice_mark_uncollectible

    invoice = finalized_workload_invoice()
    assert trial_balance() == {"USD": Decimal(0)}
    balances = account_balances(customer_id=invoice.customer_id)
    assert balances[("receivable", "USD")] == Decimal("58.20")
    assert balances[("revenue", "USD")] == Decimal("-58.20")
    usage = invoice.lines.get(metric_code="api_calls")
    note = credit_note_issue(
        invoice_id=invoice.pk,
        as_of=FEB,
        actor=TEST_ACTOR,
        reason="outage on Jan 12",
        lines=[(usage.pk, Decimal("4.00"))],
    )
    assert (note.number, note.total) == ("CN-2026-000001", Decimal("4.00"))
    invoice_mark_uncollectible(
        invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="customer insolvent"
    )
    balances = account_balances(customer_id=invoice.customer_id)
    assert balances[("receivable", "USD")] == Decimal(0)
    assert balances[("bad_debt", "USD")] == Decimal("54.20")
    assert trial_balance() == {"USD": Decimal(0)}
    types = set(JournalEvent.objects.values_list("type", flat=True))
    assert {"invoice.finalized", "credit_note.created", "invoice.marked_uncollectible"} <= types


@pytest.mark.django_db
def test_credit_notes_whole_by_line_and_never_more_than_the_invoice() -> None:
    from core.exceptions import ValidationFailed
    from invoicing.services import credit_note_issue

    invoice = finalized_workload_invoice()
    fee = invoice.lines.get(kind="fixed_fee")
    with pytest.raises(ValidationFailed) as too_much:
        credit_note_issue(
            invoice_id=invoice.pk,
            as_of=FEB,
            actor=TEST_ACTOR,
            reason="x",
            lines=[(fee.pk, Decimal("49.01"))],
        )
    assert too_much.value.code == "exceeds_invoice"
    with pytest.raises(ValidationFailed, match="decimals"):
        credit_note_issue(
            invoice_id=invoice.pk,
            as_of=FEB,
            actor=TEST_ACTOR,
            reason="x",
            lines=[(fee.pk, Decimal("1.005"))],
        )
    with pytest.raises(ValidationFailed, match="reason"):
        credit_note_issue(invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason=" ")
    part = credit_note_issue(
        invoice_id=invoice.pk,
        as_of=FEB,
        actor=TEST_ACTOR,
        reason="goodwill",
        lines=[(fee.pk, Decimal("9.00"))],
    )
    rest = credit_note_issue(invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="churn")
    assert (part.total, rest.total) == (Decimal("9.00"), Decimal("49.20"))
    with pytest.raises(ValidationFailed, match="Nothing is left"):
        credit_note_issue(invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="again")
    invoice.refresh_from_db()
    assert invoice.total == Decimal("58.20")  # the invoice itself never changes


@pytest.mark.django_db
def test_void_reverses_the_posting_and_drafts_cannot_be_credited() -> None:
    from billing.services import account_balances, trial_balance
    from invoicing.services import credit_note_issue, invoice_void

    invoice = finalized_workload_invoice()
    voided = invoice_void(invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="duplicate")
    assert (voided.status, voided.number) == ("void", "INV-2026-000001")
    assert account_balances(customer_id=invoice.customer_id)[("receivable", "USD")] == 0
    assert trial_balance() == {"USD": Decimal(0)}
    with pytest.raises(TransitionNotAllowed):
        invoice_void(invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="again")
    with pytest.raises(TransitionNotAllowed):
        credit_note_issue(invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="x")


@pytest.mark.django_db
def test_credit_notes_void_and_write_offs_over_the_api(api: Any) -> None:
    invoice = finalized_workload_invoice()
    fee = invoice.lines.get(kind="fixed_fee")
    bad = api.post(
        f"/api/v1/invoices/{invoice.pk}/credit-notes/",
        {"reason": "x", "lines": [{"line": fee.pk, "amount": "100"}]},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["code"] == "exceeds_invoice"
    note = api.post(
        f"/api/v1/invoices/{invoice.pk}/credit-notes/",
        {"reason": "goodwill", "lines": [{"line": fee.pk, "amount": "10.00"}]},
        format="json",
    )
    assert note.status_code == 201, note.json()
    assert (note.json()["number"], note.json()["total"]) == ("CN-2026-000001", "10.0000")
    assert (
        api.get("/api/v1/credit-notes/", {"invoice": invoice.pk}).json()["results"][0]["number"]
        == "CN-2026-000001"
    )
    void = api.post(f"/api/v1/invoices/{invoice.pk}/void/", {"reason": "dup"}, format="json")
    assert void.status_code == 409  # credited already
    off = api.post(
        f"/api/v1/invoices/{invoice.pk}/mark-uncollectible/", {"reason": "gone"}, format="json"
    )
    assert off.json()["status"] == "uncollectible"
    assert api.post(f"/api/v1/invoices/{invoice.pk}/void/", {}, format="json").status_code == 400


@pytest.mark.django_db
def test_invoice_admin_actions_and_ledger_pages(staff_client: Any) -> None:
    invoice = finalized_workload_invoice()
    response = staff_client.post(
        "/admin/invoicing/invoice/",
        {"action": "uncollectible_selected", "_selected_action": [invoice.pk]},
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "uncollectible"
    for url in (
        "/admin/billing/ledgerentry/",
        "/admin/invoicing/creditnote/",
        "/admin/invoicing/numberseries/",
    ):
        assert staff_client.get(url).status_code == 200, url
    ledger = staff_client.get("/admin/billing/ledgerentry/").content.decode()
    assert "bad_debt" in ledger or "bad debt" in ledger


@pytest.mark.django_db
def test_the_pdf_holds_number_lines_and_total_and_is_rendered_once(
    api: Any, settings: Any, tmp_path: Any
) -> None:
    import io

    import pypdf

    from invoicing.services import invoice_render_pdf

    settings.MEDIA_ROOT = tmp_path
    invoice = finalized_workload_invoice()
    rendered = invoice_render_pdf(invoice_id=invoice.pk, as_of=FEB)
    first_sha = rendered.pdf_sha256
    assert len(first_sha) == 64
    again = invoice_render_pdf(invoice_id=invoice.pk, as_of=FEB + timedelta(days=1))
    assert (again.pdf_sha256, again.pdf_rendered_at) == (first_sha, FEB)
    response = api.get(f"/api/v1/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-SHA256"] == first_sha
    data = b"".join(response.streaming_content)
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    for expected in ("INV-2026-000001", "Pro plan", "Api Calls", "$58.20", "$9.19", "w1"):
        assert expected in text, expected


@pytest.mark.django_db
def test_one_off_lines_on_drafts_only(api: Any) -> None:
    plan = workload_plan()
    customer = workload_customer(1, plan)
    sub = customer.subscriptions.get()
    draft = bill_to_draft(sub)
    added = api.post(
        f"/api/v1/invoices/{draft.pk}/lines/",
        {"description": "Onboarding", "amount": "99.999", "quantity": "2"},
        format="json",
    )
    assert added.status_code == 201, added.json()
    assert added.json()["amount"] == "200.0000"  # 2 x 99.999 = 199.998, rounded once
    draft.refresh_from_db()
    assert draft.total == Decimal("258.20")
    billed_line = draft.lines.get(kind="fixed_fee")
    refused = api.delete(f"/api/v1/invoices/{draft.pk}/lines/{billed_line.pk}/")
    assert refused.status_code == 404
    assert api.delete(f"/api/v1/invoices/{draft.pk}/lines/{added.json()['id']}/").status_code == 204
    draft.refresh_from_db()
    assert draft.total == Decimal("58.20")
    invoice_finalize(invoice_id=draft.pk, as_of=FEB, actor=TEST_ACTOR)
    late = api.post(
        f"/api/v1/invoices/{draft.pk}/lines/", {"description": "x", "amount": "1"}, format="json"
    )
    assert late.status_code == 409
    blank = api.post(f"/api/v1/invoices/{draft.pk}/lines/", {"amount": "1"}, format="json")
    assert blank.json()["errors"][0]["field"] == "description"


@pytest.mark.django_db
def test_upcoming_invoice_shows_the_period_so_far(api: Any) -> None:
    plan = workload_plan()
    customer = workload_customer(1, plan)
    from invoicing.selectors import upcoming_invoice

    mid = JAN + timedelta(days=10)
    preview = upcoming_invoice(customer_id=customer.pk, as_of=mid)
    kinds = [(line["kind"], line["amount"]) for line in preview["lines"]]
    assert kinds[0] == ("fixed_fee", Decimal("49.00"))
    calls = next(
        line
        for line in preview["lines"]
        if line.get("explanation", {}).get("metric") == "api_calls"
    )
    # the period's window: the usage stored so far (the invoice at its end, if nothing else comes)
    assert calls["explanation"]["window"]["end"] == FEB.isoformat()
    assert Invoice.objects.count() == 0  # nothing is stored
    body = api.get(f"/api/v1/customers/{customer.pk}/upcoming-invoice/").json()
    assert body["customer"] == "w1"
    assert body["lines"][0]["kind"] == "fixed_fee"


@pytest.mark.django_db
def test_events_in_the_grace_period_refresh_the_draft() -> None:
    from billing.services import journal_dispatch

    plan = workload_plan()
    customer = workload_customer(1, plan)
    sub = customer.subscriptions.get()
    draft = bill_to_draft(sub)
    assert draft.total == Decimal("58.20")
    report = usage_ingest(
        events=[
            {
                "event_id": "grace-1",
                "customer": "w1",
                "metric": "api_calls",
                "event_time": "2026-01-31T23:00:00Z",
                "properties": {"calls": 1000},
            }
        ],
        actor=TEST_ACTOR,
        as_of=FEB + timedelta(hours=2),
    )
    assert report.outcomes[0].status == "accepted"
    assert report.outcomes[0].late is True  # its window is billed: handed to invoicing
    assert JournalEvent.objects.filter(type="usage.late_received").count() == 1
    journal_dispatch(as_of=FEB + timedelta(hours=2))
    draft.refresh_from_db()
    assert draft.total == Decimal("60.20")  # 1,000 more calls at 0.002
    usage = draft.lines.get(metric_code="api_calls")
    assert usage.explanation["event_count"] == 51
    assert draft.lines.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("auto", [False, True])
def test_late_events_after_finalization_produce_linked_corrections(
    auto: bool, settings: Any
) -> None:
    from billing.services import journal_dispatch, trial_balance
    from invoicing.models import Correction
    from invoicing.services import correction_apply

    settings.CORRECTIONS_AUTO_APPLY = auto
    original = finalized_workload_invoice(1)
    later = FEB + timedelta(days=3)

    def late(event_id: str, calls: int) -> None:
        report = usage_ingest(
            events=[
                {
                    "event_id": event_id,
                    "customer": "w1",
                    "metric": "api_calls",
                    "event_time": "2026-01-20T00:00:00Z",
                    "properties": {"calls": calls},
                }
            ],
            actor=TEST_ACTOR,
            as_of=later,
        )
        assert report.outcomes[0].late is True
        journal_dispatch(as_of=later)

    late("late-up", 2000)  # 2,000 more calls at 0.002: +4.00
    correction = Correction.objects.get()
    assert (correction.invoiced, correction.recomputed, correction.difference) == (
        Decimal("9.19"),
        Decimal("13.19"),
        Decimal("4.00"),
    )
    if not auto:
        assert correction.status == "proposed"
        correction = correction_apply(correction_id=correction.pk, as_of=later, actor=TEST_ACTOR)
    assert correction.status == "applied"
    supplement = correction.supplementary_invoice
    assert supplement is not None
    assert (supplement.corrects_id, supplement.total) == (original.pk, Decimal("4.00"))
    original.refresh_from_db()
    assert original.total == Decimal("58.20")  # the original never changes

    late("late-down", -3000)  # now 13,595 calls in all: 7.19, 6.00 less than 13.19
    down = Correction.objects.order_by("-id").first()
    assert down is not None
    assert down.difference == Decimal("-6.00")
    if not auto:
        down = correction_apply(correction_id=down.pk, as_of=later, actor=TEST_ACTOR)
    assert down.credit_note is not None
    assert down.credit_note.invoice_id == original.pk
    assert down.credit_note.total == Decimal("6.00")
    assert trial_balance() == {"USD": Decimal(0)}


@contextmanager
def frozen_guard_lifted(table: str) -> Iterator[None]:
    """The database's guard of issued documents lifted for a moment, as someone with the rights
    to do so could: what reconciliation must still catch."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_frozen")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_frozen")


@pytest.mark.django_db
def test_reconciliation_passes_then_reports_each_mismatch(staff_client: Any) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from invoicing.models import ReconciliationReport
    from invoicing.reconciliation import reconcile

    invoice = finalized_workload_invoice(1)
    report = reconcile(start=JAN, end=FEB + timedelta(days=1), as_of=FEB)
    assert report.ok, report.mismatches
    assert report.checked == {"usage_lines": 2, "invoices": 1, "ledger_documents": 1}

    # a late event not corrected yet, and a line tampered with behind the services' back
    usage_ingest(
        events=[
            {
                "event_id": "late-x",
                "customer": "w1",
                "metric": "api_calls",
                "event_time": "2026-01-05T00:00:00Z",
                "properties": {"calls": 1},
            }
        ],
        actor=TEST_ACTOR,
        as_of=FEB,
    )
    from django.db import IntegrityError, transaction

    tampered = InvoiceLine.objects.filter(invoice=invoice, kind="fixed_fee")
    with pytest.raises(IntegrityError, match="is issued: its lines cannot change"), \
            transaction.atomic():  # fmt: skip
        tampered.update(amount=Decimal("50.00"))  # the database refuses it
    with frozen_guard_lifted("invoicing_invoiceline"):  # as a superuser could
        tampered.update(amount=Decimal("50.00"))
    out = StringIO()
    with pytest.raises(CommandError, match="mismatches"):
        call_command("reconcile", "--start", "2026-01-01", "--end", "2026-02-02", stdout=out)
    checks = {m["check"] for m in ReconciliationReport.objects.first().mismatches}
    assert checks == {"events->billed", "lines->totals"}
    assert "events->billed" in out.getvalue()
    page = staff_client.get("/admin/invoicing/reconciliationreport/")
    assert page.status_code == 200


@pytest.mark.django_db
def test_finance_re_rates_a_scope_over_the_api(api: Any) -> None:
    from invoicing.models import Correction

    finalized_workload_invoice(1)
    # an event stored behind the ingestion path (as a backfill fixed in SQL would be)
    usage_ingest(
        events=[
            {
                "event_id": "fix-1",
                "customer": "w1",
                "metric": "api_calls",
                "event_time": "2026-01-10T00:00:00Z",
                "properties": {"calls": 500},
            }
        ],
        actor=TEST_ACTOR,
        as_of=FEB,
    )
    Correction.objects.all().delete()  # only the explicit re-rating below
    metric("seats", field_name="n")
    unknown = {"customers": ["w1"], "metric": "nope", "start": "2026-01-01T00:00:00Z",
               "end": "2026-02-01T00:00:00Z"}  # fmt: skip
    refused = api.post("/api/v1/corrections/rerate/", unknown, format="json")
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (400, "metric")
    body = {
        "customers": ["w1"],
        "metric": "seats",  # no invoice of the window bills it: nothing re-rated
        "start": "2026-01-01T00:00:00Z",
        "end": "2026-02-01T00:00:00Z",
    }
    assert api.post("/api/v1/corrections/rerate/", body, format="json").json() == []
    # an invoice that bills storage is re-rated whole: its api calls changed
    found = api.post(
        "/api/v1/corrections/rerate/", {**body, "metric": "storage_gb"}, format="json"
    ).json()
    assert [(c["metric_code"], c["difference"], c["status"]) for c in found] == [
        ("api_calls", "1.0000", "proposed")
    ]
    bad = api.post("/api/v1/corrections/rerate/", {**body, "customers": ["ghost"]}, format="json")
    assert bad.json()["errors"][0]["field"] == "customers"


@pytest.mark.django_db
def test_a_credit_note_reduces_what_is_owed_on_the_invoice(api: Any) -> None:
    from billing.services import account_balances
    from invoicing.services import credit_note_issue

    invoice = finalized_workload_invoice()  # 58.20: fee 49.00, usage 9.19 + 0.01
    fee = invoice.lines.get(kind="fixed_fee")
    part = credit_note_issue(invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR,
                             reason="goodwill", lines=[(fee.pk, Decimal("43.46"))])  # fmt: skip
    assert part.to_balance == 0
    body = api.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert (body["status"], body["amount_due"]) == ("open", "14.7400")  # 58.20 - 43.46
    balances = account_balances(customer_id=invoice.customer_id)
    assert balances[("receivable", "USD")] == Decimal("14.74")
    rest = credit_note_issue(invoice_id=invoice.pk, as_of=FEB + timedelta(days=1),
                             actor=TEST_ACTOR, reason="churn")  # fmt: skip
    assert (rest.total, rest.to_balance) == (Decimal("14.74"), 0)
    invoice.refresh_from_db()
    # nothing is owed any more: settled by its credit notes
    assert (invoice.status, invoice.amount_due, invoice.paid_at) == (
        "paid",
        Decimal(0),
        FEB + timedelta(days=1),
    )
    assert invoice.total == Decimal("58.20")  # the document itself never changes


@pytest.mark.parametrize(
    ("zone", "number"), [("UTC", "INV-2025-000001"), ("Europe/Berlin", "INV-2026-000001")]
)
@pytest.mark.django_db
def test_numbers_take_the_year_of_the_issue_date_in_the_company_time_zone(
    settings: Any, zone: str, number: str
) -> None:
    from invoicing.services import credit_note_issue, invoice_draft_create

    settings.COMPANY = {**settings.COMPANY, "time_zone": zone}
    new_year_eve = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on Jan 1 in Berlin
    customer = CustomerFactory(external_id="nye")
    draft = invoice_draft_create(customer_id=customer.pk, as_of=new_year_eve, actor=TEST_ACTOR)
    invoice_line_add(invoice_id=draft.pk, description="Setup", amount=Decimal(5),
                     quantity=Decimal(1), as_of=new_year_eve, actor=TEST_ACTOR)  # fmt: skip
    invoice = invoice_finalize(invoice_id=draft.pk, as_of=new_year_eve, actor=TEST_ACTOR)
    assert invoice.number == number
    note = credit_note_issue(invoice_id=invoice.pk, as_of=new_year_eve, actor=TEST_ACTOR,
                             reason="x")  # fmt: skip
    assert note.number == number.replace("INV", "CN")


@pytest.mark.django_db
def test_an_invoice_of_last_year_issued_in_a_catch_up_takes_this_years_series() -> None:
    import json
    from io import StringIO

    from django.core.management import call_command

    from tests.invoicing.findings import a_customer, usage_plan

    plan = usage_plan("monthly", "30.00", unit_price=None)
    november = datetime(2025, 11, 1, tzinfo=UTC)
    for who in ("a", "b"):
        subscription_create(customer_id=a_customer(who).pk, plan_id=plan.pk, actor=TEST_ACTOR,
                            as_of=november)  # fmt: skip
    late = datetime(2026, 1, 5, 9, tzinfo=UTC)  # the clock was down from Nov 30 to Jan 5
    out = StringIO()
    call_command("bill", "--as-of", late.isoformat(), stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    finalized = list(Invoice.objects.exclude(status="draft").order_by("billing_date", "number"))
    # Dec 1 and Jan 1 for each: every one issued on Jan 5, in 2026's series, in billing order
    assert summary["finalized"] == len(finalized) == 4
    assert [i.billing_date.year for i in finalized] == [2025, 2025, 2026, 2026]
    assert [i.number for i in finalized] == [f"INV-2026-{n:06d}" for n in range(1, 5)]


@pytest.mark.django_db
def test_issued_documents_are_frozen_and_reconciliation_checks_them_against_the_ledger(
    staff_client: Any,
) -> None:
    """Issue 10, item 2: an issued credit note cannot be edited in the admin nor in the
    database; reconciliation reports nothing on a mix of documents (voided, written off,
    credited partly and wholly, tax-inclusive, negative) and reports each fault injected behind
    the guard: a credit note's tax, an invoice's total, a ledger posting."""
    from django.db import IntegrityError, transaction

    from billing.models import LedgerEntry
    from invoicing.models import CreditNote
    from invoicing.reconciliation import reconcile
    from invoicing.services import (
        credit_note_issue,
        invoice_draft_create,
        invoice_mark_uncollectible,
        invoice_void,
    )

    catalog.tax_rate_create(actor=TEST_ACTOR, as_of=JAN, data={
        "code": "fr", "name": "FR", "percentage": Decimal(20), "inclusive": True, "country": "FR",
    })  # fmt: skip
    plan = workload_plan()

    def issued(i: int, **customer: Any) -> Invoice:
        sub = workload_customer(i, plan).subscriptions.get()
        Customer.objects.filter(pk=sub.customer_id).update(**customer)
        return invoice_finalize(invoice_id=bill_to_draft(sub).pk, as_of=FEB, actor=TEST_ACTOR)

    credited, voided, written_off = issued(1), issued(2), issued(3)
    inclusive = issued(4, country="FR")
    assert inclusive.tax_total > 0
    assert inclusive.total == inclusive.subtotal  # the tax is inside the lines' amounts
    fr = CustomerFactory(external_id="fr", country="FR")
    refund = invoice_draft_create(customer_id=fr.pk, as_of=FEB, actor=TEST_ACTOR)
    for amount in ("120.00", "-150.00"):  # a tax-inclusive sale and a larger refund: negative
        invoice_line_add(invoice_id=refund.pk, description="x", amount=Decimal(amount),
                         quantity=Decimal(1), as_of=FEB, actor=TEST_ACTOR)  # fmt: skip
    negative = invoice_finalize(invoice_id=refund.pk, as_of=FEB, actor=TEST_ACTOR)
    assert negative.total == Decimal("-30.00")
    fee = credited.lines.get(kind="fixed_fee")
    part = credit_note_issue(invoice_id=credited.pk, as_of=FEB, actor=TEST_ACTOR, reason="a",
                             lines=[(fee.pk, Decimal("10.00"))])  # fmt: skip
    credit_note_issue(invoice_id=credited.pk, as_of=FEB, actor=TEST_ACTOR, reason="rest")
    invoice_void(invoice_id=voided.pk, as_of=FEB, actor=TEST_ACTOR, reason="duplicate")
    invoice_mark_uncollectible(invoice_id=written_off.pk, as_of=FEB, actor=TEST_ACTOR,
                               reason="bankrupt")  # fmt: skip

    def report() -> Any:
        return reconcile(start=JAN, end=FEB + timedelta(days=1), as_of=FEB)

    clean = report()
    assert clean.ok, clean.mismatches
    assert clean.checked["ledger_documents"] == 5 + 2  # five invoices, two credit notes

    # the admin shows an issued credit note read-only; the database refuses any change
    page = staff_client.get(f"/admin/invoicing/creditnote/{part.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    posted = staff_client.post(f"/admin/invoicing/creditnote/{part.pk}/change/", {"reason": "x"})
    assert posted.status_code == 403
    with pytest.raises(IntegrityError, match="is issued"), transaction.atomic():
        CreditNote.objects.filter(pk=part.pk).update(tax_total=Decimal("9.99"))

    # three faults behind the guard, each reported
    with frozen_guard_lifted("invoicing_creditnote"):
        CreditNote.objects.filter(pk=part.pk).update(tax_total=Decimal("1.00"))
    with frozen_guard_lifted("invoicing_invoice"):
        Invoice.objects.filter(pk=written_off.pk).update(total=Decimal("1.00"))
    # revenue posted as tax: the books still balance, the document's postings do not match it
    LedgerEntry.objects.filter(
        document_type="invoice", document_id=negative.pk, account="revenue"
    ).update(account="tax")
    found = {(m["check"], m.get("invoice") or m.get("credit_note")) for m in report().mismatches}
    assert found >= {
        ("credit note lines->totals", part.number),
        ("documents->ledger", part.number),
        ("documents->ledger", str(written_off)),
        ("lines->totals", str(written_off)),
        ("documents->ledger", str(negative)),
    }
