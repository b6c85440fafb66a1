"""Issue 11, item 5: an Idempotency-Key belongs to the authenticated principal (the API key, or
the staff user of a session), not to the spelling of a header; bodies are compared as parsed
JSON, not as bytes."""

from __future__ import annotations

import json
import re
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from billing.models import Customer
from core.idempotency import request_fingerprint
from core.models import IdempotencyKey

URL = "/api/v1/customers/"
BODY = {
    "external_id": "scope-1",
    "name": "Scope",
    "currency": "USD",
    "payment_terms_days": 30,
    "metadata": {"a": "1", "b": "2"},
}
REFORMATTED = """{
  "metadata": {"b": "2",   "a": "1"},
  "payment_terms_days":30,
  "currency": "USD", "name": "Scope",
  "external_id": "scope-1"
}"""


def client_with(header: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


def post(client: APIClient, body: Any, key: str) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", ["bearer {}", "BEARER {}", "Bearer   {}  "])
def test_the_same_key_under_another_spelling_of_the_header_replays(
    api_key: Any, spelling: str
) -> None:
    first = post(client_with(f"Bearer {api_key[1]}"), BODY, "spelled")
    second = post(client_with(spelling.format(api_key[1])), BODY, "spelled")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Customer.objects.filter(external_id="scope-1").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "again",
    [REFORMATTED, REFORMATTED.replace(":30", ": 30.0"), REFORMATTED.replace(":30", ":3e1")],
)
def test_the_same_json_with_other_whitespace_and_key_order_replays(
    api: APIClient, again: str
) -> None:
    first = post(api, BODY, "reformatted")
    second = post(api, again, "reformatted")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert Customer.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "other",
    [
        {**BODY, "name": "Other"},
        {**BODY, "payment_terms_days": "30"},  # a string is not the number
        {**BODY, "metadata": {"a": "1", "b": "2", "c": "3"}},
        {**BODY, "metadata": None},
        REFORMATTED.replace(":30", ":30.000000000000000000000000000001"),  # a float's 30.0
    ],
)
def test_different_json_under_the_same_key_is_still_a_422(api: APIClient, other: Any) -> None:
    assert post(api, BODY, "changed").status_code == 201
    response = post(api, other, "changed")
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_a_staff_user_is_one_principal_across_sessions(
    staff_user: Any, django_user_model: Any
) -> None:
    first, second = APIClient(), APIClient()
    first.force_login(staff_user)
    second.force_login(staff_user)  # another session, another cookie: the same user
    assert first.cookies["sessionid"].value != second.cookies["sessionid"].value
    one = post(first, BODY, "session")
    two = post(second, BODY, "session")
    assert one.status_code == two.status_code == 201
    assert two["Idempotent-Replayed"] == "true"
    other = django_user_model.objects.create_superuser("other", "o@example.com", "pw-12345")
    third = APIClient()
    third.force_login(other)
    response = post(third, {**BODY, "external_id": "scope-2"}, "session")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Customer.objects.count() == 2


@pytest.mark.django_db
def test_the_session_user_and_an_api_key_do_not_share_keys(api: APIClient, staff_user: Any) -> None:
    session = APIClient()
    session.force_login(staff_user)
    assert post(api, BODY, "mixed").status_code == 201
    response = post(session, {**BODY, "external_id": "scope-2"}, "mixed")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


@pytest.mark.django_db
def test_requests_that_fail_authentication_are_not_recorded(api_key: Any) -> None:
    for header in ("Bearer not-a-key", "Basic Zm9vOmJhcg==", "Bearer"):
        response = post(client_with(header), BODY, "unauthenticated")
        assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()
    assert post(client_with(f"Bearer {api_key[1]}"), BODY, "unauthenticated").status_code == 201


@pytest.mark.django_db(transaction=True)
def test_two_spellings_at_once_create_one_customer(api_key: Any) -> None:
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def call(header: str, body: Any) -> None:
        client = client_with(header)
        barrier.wait()
        try:
            results.append(post(client, body, "race-spelled"))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=call, args=(f"Bearer {api_key[1]}", BODY)),
        threading.Thread(target=call, args=(f"bearer {api_key[1]}", REFORMATTED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [r.status_code for r in results] == [201, 201]
    assert results[0].json() == results[1].json()
    assert sorted(r.get("Idempotent-Replayed", "no") for r in results) == ["no", "true"]
    assert Customer.objects.filter(external_id="scope-1").count() == 1


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


def _strip_number_quotes(text: str) -> str:
    return re.sub(r'"\\u0000num:([^"]*)"', r"\1", text)


def encode(value: Any, *, pretty: bool = False, reverse: bool = False) -> bytes:
    """JSON text of a value whose numbers are written as the Decimals' literals (as a client
    would write them), indented or not, with keys in one order or the other."""

    def plain(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: plain(x) for k, x in sorted(v.items(), reverse=reverse)}
        if isinstance(v, list):
            return [plain(x) for x in v]
        if isinstance(v, bool) or v is None or isinstance(v, int | str):
            return v
        return f"\x00num:{v}"

    text = json.dumps(plain(value), indent=2 if pretty else None)
    return _strip_number_quotes(text).encode()


@settings(max_examples=200, deadline=None)
@given(value=JSON)
def test_any_json_reformatted_has_the_same_fingerprint(value: Any) -> None:
    plain = request_fingerprint("POST", "/api/v1/x/", "", encode(value))
    assert plain == request_fingerprint("POST", "/api/v1/x/", "", encode(value, pretty=True))
    assert plain == request_fingerprint("POST", "/api/v1/x/", "", encode(value, reverse=True))


@settings(max_examples=200, deadline=None)
@given(a=JSON, b=JSON)
def test_different_json_has_a_different_fingerprint(a: Any, b: Any) -> None:
    if _numbers_equal(a, b):
        return
    assert request_fingerprint("POST", "/p/", "", encode(a)) != request_fingerprint(
        "POST", "/p/", "", encode(b)
    )


def _numbers_equal(a: Any, b: Any) -> bool:
    """Equal as JSON values when numbers compare by value (1 == 1.0) but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | Decimal) and isinstance(b, int | Decimal):
        return Decimal(a) == Decimal(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_numbers_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_numbers_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def test_a_body_that_is_not_json_is_compared_as_bytes() -> None:
    assert request_fingerprint("POST", "/p/", "", b"a=1&b=2") != request_fingerprint(
        "POST", "/p/", "", b"b=2&a=1"
    )
    assert request_fingerprint("POST", "/p/", "", b"{") == request_fingerprint(
        "POST", "/p/", "", b"{"
    )
    assert request_fingerprint("POST", "/p/", "", b"[" * 100_000) != request_fingerprint(
        "POST", "/p/", "", b"[" * 99_999
    )
    assert request_fingerprint("POST", "/p/", "x=1", b"{}") != request_fingerprint(
        "POST", "/p/", "", b"{}"
    )
