"""The admin's sign-in against brute force (django-axes; core/login_throttling.py, AXES_* settings):
5 failures of one username from one address lock that pair for 15 minutes, even against the
right password; a success resets the count. Time moves with time-machine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client, override_settings

LOGIN = "/admin/login/"
START = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
PASSWORD = "pw-correct-horse-1"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def finance(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser("finance", "f@example.com", PASSWORD)


def sign_in(password: str, username: str = "finance", ip: str = "203.0.113.7", **extra: Any) -> Any:
    return Client(REMOTE_ADDR=ip).post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra
    )


def signed_in(response: Any) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def fail(times: int, **kwargs: Any) -> list[int]:
    return [sign_in("wrong", **kwargs).status_code for _ in range(times)]


@pytest.mark.django_db
def test_five_failures_lock_even_the_right_password_out(clock: Any, finance: Any) -> None:
    assert fail(4) == [200, 200, 200, 200]  # the form again, "enter a correct username..."
    locked = sign_in("wrong")
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    page = " ".join(locked.content.decode().split())
    assert "Too many failed sign-ins" in page
    assert "Billing back office" in page  # the admin's look (its header)
    assert "so it is locked for 15 minutes" in page

    right = sign_in(PASSWORD)
    assert right.status_code == 429
    assert not signed_in(right)
    attempt = AccessAttempt.objects.get(username="finance", ip_address="203.0.113.7")
    assert attempt.failures_since_start >= 5
    assert AccessFailureLog.objects.filter(username="finance").count() >= 5


@pytest.mark.django_db
def test_the_cool_off_passes(clock: time_machine.Traveller, finance: Any) -> None:
    fail(5)
    clock.shift(timedelta(minutes=14, seconds=59))
    assert sign_in(PASSWORD).status_code == 429  # and the wait starts again from here
    clock.shift(timedelta(minutes=15, seconds=1))
    response = sign_in(PASSWORD)
    assert signed_in(response)
    assert response["Location"] == "/admin/"


@pytest.mark.django_db
def test_a_success_resets_the_count(clock: Any, finance: Any) -> None:
    assert fail(4) == [200] * 4
    assert signed_in(sign_in(PASSWORD))
    assert not AccessAttempt.objects.filter(username="finance").exists()
    assert fail(4) == [200] * 4
    assert sign_in("wrong").status_code == 429


@pytest.mark.django_db
def test_the_lock_is_per_username_and_address(
    clock: Any, finance: Any, django_user_model: Any
) -> None:
    django_user_model.objects.create_superuser("audit", "a@example.com", PASSWORD)
    fail(5)
    assert signed_in(sign_in(PASSWORD, ip="198.51.100.9"))  # the same user elsewhere
    assert signed_in(sign_in(PASSWORD, username="audit"))  # another user from that address


@pytest.mark.django_db
def test_the_address_honours_the_trusted_proxy_count(clock: Any, finance: Any) -> None:
    """Behind one proxy: the address it appended, not the connection's (the proxy's) and not
    what the client wrote further left; without a trusted proxy the header is ignored."""
    proxy = "10.0.0.2"
    with override_settings(TRUSTED_PROXY_COUNT=1):
        fail(5, ip=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.50")
        assert AccessAttempt.objects.get().ip_address == "203.0.113.50"
        refused = sign_in(PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.50")
        assert refused.status_code == 429  # a forged left-most entry does not help
        other = sign_in(PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.51")
        assert signed_in(other)  # another client behind the same proxy
    with override_settings(TRUSTED_PROXY_COUNT=0):
        assert signed_in(sign_in(PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.50"))
