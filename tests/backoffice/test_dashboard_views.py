"""The dashboard as staff see it (the admin's index) and as the API returns it: the figures of
the hand-computed MRR scenario (tests/backoffice/test_dashboard.py), every figure's link answers
with its rows, bad input is a form error or a 400 naming the field, the statements are bounded,
and who may see it."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone

from billing.services import api_key_create
from tests.backoffice.test_dashboard import AS_OF, build_mrr_scenario, customer, utc
from tests.conftest import TEST_ACTOR
from tests.payments.helpers import open_invoice

pytestmark = pytest.mark.django_db
PERIOD = "?currency=USD&from=2026-01&to=2026-06"
MAX_STATEMENTS = 20  # the session and user, about a dozen figures' queries, the savepoints


def text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def dashboard_links(page: str) -> list[str]:
    start = page.index('id="finance-dashboard"')
    end = page.index('id="all-models"')
    return sorted({unescape(h) for h in re.findall(r'href="(/admin/[^"#]*)"', page[start:end])})


@pytest.fixture
def scenario() -> dict[str, Any]:
    who = build_mrr_scenario()
    open_invoice(who["a"], "25.00", utc(2026, 3, 2))
    return who


def test_the_index_shows_the_figures_linked_to_their_rows_and_keeps_the_app_list(
    staff_client: Any, scenario: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    with time_machine.travel(AS_OF, tick=False):
        with django_assert_max_num_queries(MAX_STATEMENTS):
            page = text(staff_client.get("/admin/" + PERIOD))
        assert 'id="finance-dashboard"' in page
        rows = dict(re.findall(r'data-month="(2026-\d\d)"><td>[^<]*</td><td class="num">'
                               r'<a href="[^"]*" class="dash-mrr">([^<]*)</a>', page))  # fmt: skip
        assert rows == {
            "2026-01": "360.00 USD", "2026-02": "460.00 USD", "2026-03": "573.33 USD",
            "2026-04": "373.33 USD", "2026-05": "343.33 USD", "2026-06": "403.33 USD",
        }  # fmt: skip
        assert 'id="card-mrr"' in page
        assert "403.33 USD" in page
        # the charts: inline SVG without script (the CSP)
        for chart in ("chart-movements", "chart-revenue", "chart-mrr"):
            block = page[page.index(f'id="{chart}"') :][:200]
            assert "<svg" in block
        start, end = page.index('id="finance-dashboard"'), page.index('id="all-models"')
        assert "<script" not in page[start:end]
        # Django's app list is still there, below
        assert 'href="/admin/billing/customer/"' in page[end:]
        links = dashboard_links(page)
        assert any("invoicing/invoice/" in u for u in links)
        assert any("dashboard/mrr/" in u and "kind=churn" in u for u in links)
        for url in links:
            response = staff_client.get(url)
            # a lookup the admin refuses is a 400 or a redirect to ?e=1: every link answers
            assert response.status_code == 200, url
        expansion = text(staff_client.get(
            "/admin/dashboard/mrr/?currency=USD&month=2026-03&kind=expansion"
        ))  # fmt: skip
        assert scenario["a"].external_id in expansion
        assert "30.00 USD" in expansion
        assert "100.00 USD" in expansion
        invoices = text(staff_client.get(
            "/admin/invoicing/invoice/?currency=USD&status__in=open,partially_paid,paid,"
            "uncollectible&finalized_at__gte=2026-03-01T00:00:00%2B00:00"
            "&finalized_at__lt=2026-04-01T00:00:00%2B00:00"
        ))  # fmt: skip
        assert "1 invoice" in invoices


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?from=2026-13", "from", "is not a month"),
        ("?from=soon", "from", "is not a month"),
        ("?to=2027-01", "to", "after the current month"),
        ("?from=2026-06&to=2026-01", "from", "comes after"),
        ("?from=2020-01&to=2026-06", "from", "At most 36 months"),
        ("?currency=ZZZ", "currency", "not an ISO 4217"),
        ("?currency=" + "X" * 40, "currency", "at most 3"),
    ],
)
def test_bad_input_is_a_form_error_on_its_field(
    staff_client: Any, query: str, field: str, message: str
) -> None:
    with time_machine.travel(AS_OF, tick=False):
        page = text(staff_client.get("/admin/" + query))
    assert 'id="dashboard-errors"' in page
    error = re.search(rf'<li data-field="{field}"><strong>{field}</strong>: ([^<]*)</li>', page)
    assert error is not None, page
    assert message in unescape(error.group(1))
    assert 'href="/admin/billing/customer/"' in page  # the app list still shows


@pytest.mark.parametrize(
    "query",
    ["?currency=USD&month=2026-13&kind=new", "?currency=USD&month=2026-03&kind=bogus",
     "?currency=U&month=2026-03", "?currency=USD&month=2030-01", "?currency=USD"],
)  # fmt: skip
def test_bad_drill_down_input_is_an_error_not_a_500(staff_client: Any, query: str) -> None:
    with time_machine.travel(AS_OF, tick=False):
        page = text(staff_client.get("/admin/dashboard/mrr/" + query))
    assert 'id="dash-error"' in page
    assert 'id="dash-error"' in text(
        staff_client.get("/admin/dashboard/dunning/?state=x&currency=USD")
    )
    assert 'id="dash-error"' in text(staff_client.get("/admin/dashboard/renewals/?currency=1"))


def test_the_default_is_the_currency_with_most_invoices_and_the_last_12_months(
    staff_client: Any,
) -> None:
    open_invoice(customer(currency="EUR"), "5.00", utc(2026, 1, 2))
    with time_machine.travel(AS_OF, tick=False):
        page = text(staff_client.get("/admin/"))
    assert '<option value="EUR" selected>' in page
    assert 'value="2025-07"' in page
    assert 'value="2026-06"' in page


def test_staff_without_the_permission_see_the_app_list_only(
    client: Any, django_user_model: Any
) -> None:
    clerk = django_user_model.objects.create_user("clerk", "c@example.com", "pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_customer"))
    client.force_login(clerk)
    page = text(client.get("/admin/"))
    assert 'id="finance-dashboard"' not in page
    assert 'href="/admin/billing/customer/"' in page
    assert client.get("/admin/dashboard/mrr/?currency=USD&month=2026-03").status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="view_export"))
    clerk = django_user_model.objects.get(pk=clerk.pk)
    client.force_login(clerk)
    assert 'id="finance-dashboard"' in text(client.get("/admin/"))


# ------------------------------------------------------------------------------------ API


def test_the_api_returns_the_same_figures(api: Any, scenario: dict[str, Any]) -> None:
    with time_machine.travel(AS_OF, tick=False):
        response = api.get("/api/v1/dashboard/" + PERIOD)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["currency"], body["period_from"], body["period_to"]) == (
        "USD",
        "2026-01",
        "2026-06",
    )
    # amounts in the currency's decimals, not the column's four
    assert [m["mrr"] for m in body["mrr"]] == [
        "360.00", "460.00", "573.33", "373.33", "343.33", "403.33",
    ]  # fmt: skip
    march = body["mrr"][2]
    assert march["expansion"] == {"count": 1, "amount": "70.00"}
    assert march["new"] == {"count": 1, "amount": "43.33"}
    assert body["mrr"][3]["churn"] == {"count": 1, "amount": "-100.00"}
    assert body["revenue"][2]["invoiced"] == "25.00"
    assert body["ar_aging"]["total"] == "25.00"
    assert set(body["ar_aging"]["buckets"].values()) <= {"0.00", "25.00"}
    assert set(body) >= {"failed_payments", "dunning", "usage", "renewals"}
    # yen have no decimals: "0", never "0.0000"
    with time_machine.travel(AS_OF, tick=False):
        yen = api.get("/api/v1/dashboard/" + PERIOD.replace("USD", "JPY")).json()
    assert yen["currency"] == "JPY"
    assert {m["mrr"] for m in yen["mrr"]} == {"0"}
    assert yen["ar_aging"]["total"] == "0"
    assert yen["renewals"]["total"] == "0"


@pytest.mark.parametrize(
    ("query", "field"),
    [("?from=2026-13", "from"), ("?to=2027-01", "to"), ("?from=2026-06&to=2026-01", "from"),
     ("?currency=ZZZ", "currency"), ("?bogus=1", "bogus")],
)  # fmt: skip
def test_the_api_refuses_bad_parameters_naming_the_field(api: Any, query: str, field: str) -> None:
    with time_machine.travel(AS_OF, tick=False):
        response = api.get("/api/v1/dashboard/" + query)
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_the_api_needs_the_reports_scope_or_the_permission(
    client: Any, django_user_model: Any
) -> None:
    from rest_framework.test import APIClient

    now = timezone.now()
    for scopes, status in ((["reports:read"], 200), (["read"], 200), (["invoices:read"], 403)):
        _, secret = api_key_create(name=f"k{scopes}", actor=TEST_ACTOR, as_of=now, scopes=scopes)
        key_client = APIClient()
        key_client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert key_client.get("/api/v1/dashboard/").status_code == status, scopes
    clerk = django_user_model.objects.create_user("clerk", "c@example.com", "pw", is_staff=True)
    client.force_login(clerk)
    assert client.get("/api/v1/dashboard/").status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="view_export"))
    client.force_login(django_user_model.objects.get(pk=clerk.pk))
    assert client.get("/api/v1/dashboard/").status_code == 200
    assert timedelta(0) <= timezone.now() - now
