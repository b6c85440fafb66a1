"""Issue 11, item 3: cursor pages over rows that share their first ordering value.

The invariant: walking a list by its `next` links shows every row exactly once, in the list's
order, for any page size and however many rows share a timestamp; walking back by `previous`
links shows the same rows. A cursor that is not one of ours is a 404 in the one error shape.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from billing.models import Customer, UsageEvent
from billing.services import usage_ingest
from catalog.models import BillableMetric
from core.api.pagination import CursorPagination, unique_ordering
from invoicing.models import Invoice
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import metric
from tests.conftest import TEST_ACTOR

MAX_PAGE = CursorPagination.max_page_size
PAGE_SIZES = st.one_of(st.sampled_from([1, 2, MAX_PAGE]), st.integers(1, 40))
# Sizes of groups of rows that share their timestamp: many ties, some long runs.
TIE_GROUPS = st.lists(st.integers(1, 25), min_size=1, max_size=5)
HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


def walk(client: APIClient, url: str, limit: int, expected: int) -> tuple[list[int], str | None]:
    """The ids of every page, following `next`; the last page's `previous` link."""
    ids: list[int] = []
    previous: str | None = None
    next_url: str | None = f"{url}?limit={limit}"
    pages = 0
    while next_url is not None:
        pages += 1
        assert pages <= expected // limit + 2, "the cursor does not advance"
        response = client.get(next_url)
        assert response.status_code == 200, response.content
        body = response.json()
        ids.extend(row["id"] for row in body["results"])
        previous, next_url = body["previous"], body["next"]
    return ids, previous


def walk_back(
    client: APIClient, previous: str | None, last_page: list[int], limit: int
) -> list[int]:
    """The ids seen going back from the last page by `previous` links, in list order."""
    ids = list(last_page)
    pages = 0
    while previous is not None:
        pages += 1
        assert pages <= len(ids) + 2, "the cursor does not move back"
        body = client.get(previous).json()
        ids[:0] = [row["id"] for row in body["results"]]
        previous = body["previous"]
    return ids


def check_invariant(client: APIClient, url: str, limit: int, expected: list[int]) -> None:
    ids, previous = walk(client, url, limit, len(expected))
    assert len(ids) == len(set(ids)), "a row was shown twice"
    assert ids == expected  # every row once, in the list's order
    last_page = ids[-(len(ids) % limit or limit) :] if ids else []
    assert walk_back(client, previous, last_page, limit) == expected


@pytest.fixture
def usage(db: None) -> dict[str, Any]:
    return {
        "customer": CustomerFactory(external_id="pager"),
        "metric": metric("pages", aggregation="count", field_name=""),
    }


def event_rows(customer: Customer, code: BillableMetric, groups: list[int], at: datetime) -> None:
    """Rows stored directly (test data): group i shares the timestamp `at - i seconds`."""
    rows = [
        UsageEvent(
            customer=customer,
            metric=code,
            event_id=f"e-{i}-{j}",
            event_time=at - timedelta(seconds=i),
            received_at=at,
        )
        for i, size in enumerate(groups)
        for j in range(size)
    ]
    UsageEvent.objects.bulk_create(rows)


def rolled_back(body: Callable[[], None]) -> None:
    """Each hypothesis example in its own savepoint, so examples do not see each other's rows."""
    with transaction.atomic():
        body()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_more_ties_than_the_offset_cap_are_each_seen_once(api: APIClient, usage: Any) -> None:
    """The probe: 1,100 events at one instant; DRF's cursor repeated its page after 1,000."""
    at = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    events = [
        {
            "event_id": f"tie-{n}",
            "customer": "pager",
            "metric": "pages",
            "event_time": at.isoformat(),
        }
        for n in range(1100)
    ]
    report = usage_ingest(events=events, actor=TEST_ACTOR, as_of=timezone.now())
    assert report.count("accepted") == 1100
    expected = list(UsageEvent.objects.order_by("-event_time", "-id").values_list("id", flat=True))
    for limit in (MAX_PAGE, 100):
        check_invariant(api, "/api/v1/events/", limit, expected)


@pytest.mark.django_db
@HYPOTHESIS
@given(groups=TIE_GROUPS, limit=PAGE_SIZES)
@example(groups=[25, 1, 25, 2], limit=1)  # the smallest page over long runs of ties
@example(groups=[25] * 5, limit=MAX_PAGE)  # the largest
def test_events_every_row_once_for_any_page_size(
    api: APIClient, usage: Any, groups: list[int], limit: int
) -> None:
    def body() -> None:
        event_rows(usage["customer"], usage["metric"], groups, timezone.now())
        expected = list(
            UsageEvent.objects.order_by("-event_time", "-id").values_list("id", flat=True)
        )
        check_invariant(api, "/api/v1/events/", limit, expected)

    rolled_back(body)


@pytest.mark.django_db
@HYPOTHESIS
@given(groups=TIE_GROUPS, limit=PAGE_SIZES)
@example(groups=[25, 1, 25, 2], limit=1)  # the smallest page over long runs of ties
@example(groups=[25] * 5, limit=MAX_PAGE)  # the largest
def test_customers_every_row_once_for_any_page_size(
    api: APIClient, groups: list[int], limit: int
) -> None:
    def body() -> None:
        at = timezone.now()
        Customer.objects.bulk_create(
            Customer(
                external_id=f"c-{i}-{j}",
                name="Tie",
                currency="USD",
                created_at=at - timedelta(seconds=i),
                updated_at=at,
            )
            for i, size in enumerate(groups)
            for j in range(size)
        )
        expected = list(
            Customer.objects.order_by("-created_at", "-id").values_list("id", flat=True)
        )
        check_invariant(api, "/api/v1/customers/", limit, expected)

    rolled_back(body)


@pytest.mark.django_db
@HYPOTHESIS
@given(groups=TIE_GROUPS, limit=PAGE_SIZES)
@example(groups=[25, 1, 25, 2], limit=1)  # the smallest page over long runs of ties
@example(groups=[25] * 5, limit=MAX_PAGE)  # the largest
def test_invoices_every_row_once_for_any_page_size(
    api: APIClient, usage: Any, groups: list[int], limit: int
) -> None:
    def body() -> None:
        at = timezone.now()
        Invoice.objects.bulk_create(
            Invoice(
                customer=usage["customer"],
                currency="USD",
                status="void",
                billing_date=at,
                grace_until=at,
                created_at=at - timedelta(seconds=i),
                updated_at=at,
            )
            for i, size in enumerate(groups)
            for _ in range(size)
        )
        expected = list(Invoice.objects.order_by("-created_at", "-id").values_list("id", flat=True))
        check_invariant(api, "/api/v1/invoices/", limit, expected)

    rolled_back(body)


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        _cursor("not json"),
        _cursor('{"v": ["2026-01-01T00:00:00+00:00"], "r": false}'),  # too few values
        _cursor('{"v": ["yesterday", 1], "r": false}'),
        _cursor('{"v": ["2026-01-01T00:00:00", 1], "r": false}'),  # naive
        _cursor('{"v": ["2026-01-01T00:00:00+00:00", 99999999999999999999999], "r": false}'),
        _cursor('{"v": ["2026-01-01T00:00:00+00:00", "1\\u0000"], "r": false}'),
        _cursor('{"v": ["2026-01-01T00:00:00+00:00", 1], "r": "sideways"}'),
        _cursor("[1, 2]"),
        "cD0yMDI2LTAxLTAx",  # a cursor of DRF's own format (p=2026-01-01)
        "A" * 5000,
    ],
)
def test_a_cursor_that_is_not_ours_is_a_404_in_the_error_shape(
    api: APIClient, usage: Any, cursor: str
) -> None:
    response = api.get("/api/v1/events/", {"cursor": cursor})
    assert response.status_code == 404
    assert response.json()["errors"] == [
        {
            "field": None,
            "code": "invalid_cursor",
            "message": "This cursor is not valid for this list; start again without it.",
        }
    ]


@pytest.mark.django_db
def test_a_cursor_of_another_list_is_refused(api: APIClient, usage: Any) -> None:
    CustomerFactory(external_id="second")
    page = api.get("/api/v1/customers/", {"limit": 1}).json()
    cursor = page["next"].split("cursor=")[1].split("&")[0]
    response = api.get("/api/v1/billing-failures/", {"cursor": cursor})
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    ("ordering", "accepted"),
    [
        (("-created_at", "-id"), True),
        (("created_at", "pk"), True),
        (("-external_id",), True),  # unique and not null
        (("-created_at",), False),
        (("-id", "-created_at"), False),
        (("currency", "-created_at"), False),
        (("customer__id",), False),
        (("nope", "id"), False),
    ],
)
def test_the_paginator_refuses_an_ordering_that_does_not_end_in_a_unique_field(
    ordering: tuple[str, ...], accepted: bool
) -> None:
    if accepted:
        assert unique_ordering(Customer, ordering)
        return
    with pytest.raises(ImproperlyConfigured):
        unique_ordering(Customer, ordering)


@pytest.mark.django_db
def test_a_view_with_a_non_unique_ordering_fails_loudly() -> None:
    class Tied(CursorPagination):
        ordering = ("-created_at",)

    request = APIRequestFactory().get("/api/v1/customers/")
    with pytest.raises(ImproperlyConfigured, match="unique"):
        Tied().paginate_queryset(Customer.objects.all(), Request(request))


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _get_routes() -> list[str]:
    """Every GET route of a DRF view with a paginator (lists and details alike)."""
    routes = []
    for route, callback in _routes(get_resolver().url_patterns):
        view = getattr(callback, "view_class", None)
        if view is None or not issubclass(view, GenericAPIView) or not hasattr(view, "get"):
            continue
        if view.pagination_class is not None and route.replace("<int:pk>", "").count("<") == 0:
            routes.append(route)
    return routes


@pytest.mark.django_db
def test_every_list_endpoint_pages_by_a_unique_ordering(api: APIClient) -> None:
    """Each list's ordering passes the paginator's check, and its cursor moves on by one row."""
    customer = CustomerFactory(external_id="lists")
    CustomerFactory(external_id="lists-2")
    lists = []
    for route in _get_routes():
        url = "/" + route.replace("<int:pk>", str(customer.pk))
        response = api.get(url, {"limit": 1})
        body = response.json()
        if response.status_code != 200 or not isinstance(body, dict) or "next" not in body:
            continue  # a detail (or a pk that is not one of its objects)
        lists.append(route)
        if body["next"] is not None:
            second = api.get(body["next"])
            assert second.status_code == 200, (route, second.content)
            assert second.json()["results"][0]["id"] != body["results"][0]["id"], route
    assert {"api/v1/events/", "api/v1/invoices/", "api/v1/customers/"} <= set(lists)
    assert len(lists) >= 17, lists
