"""The dashboard's revenue figures on the cases a review found wrong, computed by hand through
the real services: prepaid top-ups (not revenue when sold), failed payments counted per invoice,
void invoices in the month they were voided."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backoffice import selectors
from payments.services.wallets import wallet_top_up
from tests.backoffice.test_dashboard import pay, sandbox  # noqa: F401 (a fixture)
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
