"""Interim billings shown (issue 17 items 5 and 6a): an invoice issued before its period's end
says why in the API (`interim_billings`) and the admin, and the admin lists the billings
(read only, filtered by subscription and reason). Amounts computed by hand in the comments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from billing.models import Subscription
from core.audit import CLOCK
from invoicing.models import InterimBilling
from invoicing.services.interim import customer_interim_bill
from tests.billing.test_proration_by_day import utc
from tests.invoicing.test_interim_billing import THRESHOLDS, book, calls, customer_on, invoices
from tests.invoicing.test_interim_billing import upload as one_upload

pytestmark = pytest.mark.django_db
D = Decimal
V1 = "/api/v1/"


def billed_twice(name: str = "shown", plan: Any = None) -> tuple[Any, int]:
    """Thresholds 50 then every 100 (50, 150, ...), 0.10 a call, uploads 2.00 paid in advance
    on their own invoice: 600 calls on Apr 10 (60.00 >= 50: a threshold invoice of 60.00), one
    upload on Apr 12 (an invoice of 2.00)."""
    plan = plan or book(thresholds=THRESHOLDS, advance="own")
    customer, sid = customer_on(plan, name)
    calls(customer, 600, utc(2025, 4, 10), f"{name}1")
    customer_interim_bill(customer_id=customer.pk, as_of=utc(2025, 4, 10, 12), actor=CLOCK)
    one_upload(customer, utc(2025, 4, 12), f"{name}2")
    customer_interim_bill(customer_id=customer.pk, as_of=utc(2025, 4, 12, 1), actor=CLOCK)
    return customer, sid


def test_an_interim_invoice_says_why_in_the_api(api: APIClient) -> None:
    customer, sid = billed_twice()
    threshold, advance = invoices(customer)
    body = api.get(f"{V1}invoices/{threshold.pk}/").json()
    assert D(body["total"]) == D("60.00")  # 600 x 0.10 - 0 billed before
    (why,) = body["interim_billings"]
    assert why["reason"] == "threshold"
    assert D(why["threshold"]) == D("50")
    assert (why["metric"], why["subscription_id"]) == ("api_calls", sid)
    assert (D(why["amount"]), D(why["billed_to"]), D(why["quantity"])) == (
        D("60.00"), D("60.00"), D("600"),
    )  # fmt: skip
    assert why["period_start"].startswith("2025-04-01T00:00:00")
    assert why["usage_until"].startswith("2025-04-10T12:00:00")
    (paid,) = api.get(f"{V1}invoices/{advance.pk}/").json()["interim_billings"]
    # 1 upload x 2.00, billed at once: no threshold
    assert (paid["reason"], paid["threshold"], paid["metric"]) == ("in_advance", None, "uploads")
    assert D(paid["amount"]) == D("2.00")
    listed = api.get(f"{V1}invoices/", {"customer": customer.external_id}).json()["results"]
    assert sorted(len(i["interim_billings"]) for i in listed) == [1, 1]
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    parts = schema["components"]["schemas"]
    assert "interim_billings" in parts["InvoiceOut"]["properties"]
    assert "reason" in parts["InterimBillingOut"]["properties"]


def test_the_admin_shows_why_and_lists_the_billings(staff_client: Any) -> None:
    customer, sid = billed_twice()
    threshold, advance = invoices(customer)
    page = staff_client.get(reverse("admin:invoicing_invoice_change", args=[threshold.pk]))
    html = page.content.decode()
    assert "Billed before its period" in html
    assert (
        "Api Calls: usage threshold 50.00 USD reached; usage so far 60.00 USD, billed here "
        "60.00 USD" in html
    )
    page = staff_client.get(reverse("admin:invoicing_invoice_change", args=[advance.pk]))
    assert "Uploads: charge paid in advance" in page.content.decode()
    # another subscription of the plan, with its two billings
    _, other = billed_twice("other", Subscription.objects.get(pk=sid).plan)
    changelist = reverse("admin:invoicing_interimbilling_changelist")
    every = staff_client.get(changelist)
    assert every.status_code == 200
    assert every.context["cl"].result_count == 4

    def listed(**query: Any) -> list[tuple[int, str]]:
        found = staff_client.get(changelist, query).context["cl"].result_list
        return sorted((r.subscription_id, r.reason) for r in found)

    assert listed(reason="threshold") == [(sid, "threshold"), (other, "threshold")]
    assert listed(subscription__id__exact=sid) == [(sid, "in_advance"), (sid, "threshold")]
    assert listed(subscription__id__exact=other, reason="in_advance") == [(other, "in_advance")]
    row = InterimBilling.objects.get(reason="threshold", subscription_id=sid)
    detail = staff_client.get(reverse("admin:invoicing_interimbilling_change", args=[row.pk]))
    assert detail.status_code == 200
    assert 'name="amount"' not in detail.content.decode()  # read only
    assert staff_client.get(reverse("admin:invoicing_interimbilling_add")).status_code == 403
