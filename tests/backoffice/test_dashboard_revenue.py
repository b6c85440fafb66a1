"""The dashboard's revenue figures on the cases a review found wrong, computed by hand through
the real services: prepaid top-ups (not revenue when sold), failed payments counted per invoice,
void invoices in the month they were voided."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from backoffice import selectors
from payments.services.wallets import wallet_top_up
from tests.backoffice.test_dashboard import pay
from tests.backoffice.test_dashboard import sandbox as sandbox  # a fixture
from tests.billing.subs import customer, utc
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import open_invoice

pytestmark = pytest.mark.django_db
D = Decimal
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


def test_a_prepaid_top_up_is_not_invoiced_revenue_its_use_is() -> None:
    """X buys 100.00 of prepaid credit (a top-up invoice, paid), then is invoiced 40.00 (its
    credit pays it): invoiced 40.00 in one invoice, not 140.00 (the 100.00 would count twice:
    when sold, and as the 40.00 invoices it pays). Collected: the 100.00 received."""
    x = customer()
    top_up = wallet_top_up(customer_id=x.pk, amount=D("100.00"), actor=ACTOR,
                           as_of=utc(2026, 1, 5))  # fmt: skip
    assert top_up.status == "open"
    pay(x, "100.00", utc(2026, 1, 6))
    open_invoice(x, "40.00", utc(2026, 1, 10))
    [jan] = selectors.revenue_by_month(currency="USD", first=JAN, last=JAN)
    assert (jan.invoiced, jan.invoice_count) == (D("40.00"), 1)
    assert (jan.collected, jan.payment_count) == (D("100.00"), 1)


def test_failed_payments_and_their_recovery_count_invoices_not_attempts(sandbox: Any) -> None:
    """Three invoices of 40.00 whose card charge fails on Jan 10 (the clock retries 3, 5 and 7
    days after the first failure):
        A  soft declines 3 times (Jan 10, 13, 15), paid by the retry of Jan 17: recovered
        B  soft declines at every attempt (Jan 10, 13, 15, 17: the schedule's end), unpaid
        C  declined once (Jan 10), then cleared by a credit note of 40.00 on Jan 11: not
           recovered (no payment paid it)
    January: 3 invoices failed, 120.00 (each once), 1 recovered: 1 / 3 = 33.33 %.
    February: nothing failed (a retry is not a new failed invoice)."""
    from invoicing.services import credit_note_issue
    from tests.payments.test_retries import JAN10, attempts, charge_pending, failing_invoice, tick

    a = failing_invoice("tok_soft_decline_4")
    b = failing_invoice("tok_soft_decline_9")
    c = failing_invoice("tok_declined")
    credit_note_issue(invoice_id=c.pk, as_of=JAN10 + timedelta(days=1), actor=ACTOR,
                      reason="goodwill", lines=[(c.lines.get().pk, D("40.00"))])  # fmt: skip
    for day in (3, 5, 7):
        at = JAN10 + timedelta(days=day, minutes=5)
        tick(at)
        charge_pending(at)
    assert [s for _, s in attempts(a)] == ["failed", "failed", "failed", "succeeded"]
    assert [s for _, s in attempts(b)] == ["failed"] * 4
    assert [s for _, s in attempts(c)] == ["failed"]
    a.refresh_from_db()
    c.refresh_from_db()
    assert (a.status, c.amount_due) == ("paid", D(0))
    jan, feb = selectors.revenue_by_month(currency="USD", first=JAN, last=FEB)
    assert (jan.failed_count, jan.failed_amount, jan.recovered_count) == (3, D("120.00"), 1)
    assert jan.recovery_rate == D("0.3333")
    assert (feb.failed_count, feb.failed_amount, feb.recovery_rate) == (0, D(0), None)


def test_a_void_invoice_stays_in_its_month_and_is_taken_off_in_the_month_it_was_voided() -> None:
    """X: 100.00 and 50.00 finalized in January; the 50.00 voided on Feb 3. January's figure
    does not change afterwards (150.00, 2 invoices, net 150.00); February: nothing invoiced,
    50.00 voided (1), net -50.00. A void draft was never finalized: it never counts."""
    from invoicing.services import invoice_draft_create, invoice_void

    x = customer()
    open_invoice(x, "100.00", utc(2026, 1, 5))
    wrong = open_invoice(x, "50.00", utc(2026, 1, 6))
    invoice_void(invoice_id=wrong.pk, as_of=utc(2026, 2, 3), actor=ACTOR, reason="wrong")
    draft = invoice_draft_create(customer_id=x.pk, as_of=utc(2026, 2, 4), actor=ACTOR)
    assert draft.finalized_at is None
    jan, feb = selectors.revenue_by_month(currency="USD", first=JAN, last=FEB)
    assert (jan.invoiced, jan.invoice_count, jan.voided, jan.net_invoiced) == (
        D("150.00"), 2, D(0), D("150.00"),
    )  # fmt: skip
    assert (feb.invoiced, feb.voided, feb.void_count, feb.net_invoiced) == (
        D(0), D("50.00"), 1, D("-50.00"),
    )  # fmt: skip


def test_a_renewal_is_priced_with_the_version_in_force_then_and_the_change_due_then() -> None:
    """On Jun 25: starter is 30.00/month, 40.00 from Jul 1 (v2); pro is 100.00/month.
        one    from May 28, renews Jun 28: v1 still in force then            30.00
        two    from Jun 10, renews Jul 10: v2 then                           40.00
        three  from Jun 5, 3 seats from its period's end (Jul 5), v2: 3 x 40 120.00
        four   from Jun 8, onto pro at its period's end (Jul 8)             100.00
    4 renewals, 290.00."""
    from billing.services import subscription_change, subscription_create
    from catalog import services as catalog
    from tests.billing.subs import priced_plan

    starter, pro = priced_plan("starter", "30.00"), priced_plan("pro", "100.00")
    may = utc(2026, 5, 1)
    draft = catalog.plan_version_copy(version_id=starter.versions.get().pk, actor=ACTOR,
                                      as_of=may, effective_from=utc(2026, 7, 1))  # fmt: skip
    catalog.plan_version_update(version_id=draft.pk, actor=ACTOR, as_of=may,
                                data={"fixed_fee": D("40.00")})  # fmt: skip
    catalog.plan_version_publish(version_id=draft.pk, actor=ACTOR, as_of=may)

    def sub(day: Any) -> Any:
        return subscription_create(customer_id=customer().pk, plan_id=starter.pk, actor=ACTOR,
                                   as_of=day)  # fmt: skip

    one, two = sub(utc(2026, 5, 28)), sub(utc(2026, 6, 10))
    three, four = sub(utc(2026, 6, 5)), sub(utc(2026, 6, 8))
    subscription_change(subscription_id=three.pk, quantity=3, when="period_end", actor=ACTOR,
                        as_of=utc(2026, 6, 20))  # fmt: skip
    subscription_change(subscription_id=four.pk, plan_id=pro.pk, when="period_end", actor=ACTOR,
                        as_of=utc(2026, 6, 20))  # fmt: skip
    found = selectors.renewals(currency="USD", as_of=utc(2026, 6, 25))
    assert [(r.subscription_id, r.plan, r.amount) for r in found.rows] == [
        (one.pk, "starter", D("30.00")),
        (three.pk, "starter", D("120.00")),
        (four.pk, "pro", D("100.00")),
        (two.pk, "starter", D("40.00")),
    ]
    assert (found.count, found.total) == (4, D("290.00"))
