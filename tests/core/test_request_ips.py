"""The client's address behind reverse proxies (core/request_ips.py, issue 15 review item 8):
X-Forwarded-For is read from the right only while each hop is a trusted proxy, starting from the
connection's address; ports and brackets are stripped."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from billing.services import api_key_create
from core.request_ips import client_ip, host_of, trusted_proxy_networks
from tests.conftest import TEST_ACTOR


def ip_of(remote: str, forwarded: str | None = None) -> str | None:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(request)


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert ip_of("10.0.0.1", "203.0.113.9") == "10.0.0.1"
    assert ip_of("2001:DB8::0:1") == "2001:db8::1"


@override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXIES=["10.0.0.0/8", "::1/128"])
def test_the_header_counts_only_when_the_connection_is_a_trusted_proxy() -> None:
    # a client connecting directly, writing an address of its choice: its own address
    assert ip_of("198.51.100.9", "203.0.113.9") == "198.51.100.9"
    # through the proxy: what the proxy appended
    assert ip_of("10.0.0.1", "203.0.113.9") == "203.0.113.9"
    assert ip_of("::1", "203.0.113.9") == "203.0.113.9"
    # the client's own entries further left are not read
    assert ip_of("10.0.0.1", "192.0.2.1, 203.0.113.9") == "203.0.113.9"
    # an IPv4-mapped connection address is the IPv4 proxy
    assert ip_of("::ffff:10.0.0.1", "203.0.113.9") == "203.0.113.9"


@override_settings(TRUSTED_PROXY_COUNT=3, TRUSTED_PROXIES=["10.0.0.0/8"])
def test_the_walk_stops_at_the_first_hop_that_is_not_a_trusted_proxy() -> None:
    # client 203.0.113.9 -> proxy 10.0.0.3 -> proxy 10.0.0.2 -> us
    assert ip_of("10.0.0.2", "203.0.113.9, 10.0.0.3") == "203.0.113.9"
    # a forged entry left of a public hop is never read, whatever the count
    assert ip_of("10.0.0.2", "10.9.9.9, 192.0.2.1, 198.51.100.7") == "198.51.100.7"
    # at most TRUSTED_PROXY_COUNT hops
    assert ip_of("10.0.0.1", "192.0.2.5, 10.0.0.4, 10.0.0.3, 10.0.0.2") == "10.0.0.4"
    # fewer entries than hops: the left-most (every one written by a trusted proxy)
    assert ip_of("10.0.0.1", "198.51.100.4") == "198.51.100.4"
    # a trusted proxy passing something that is not an address: the last hop known
    assert ip_of("10.0.0.1", "not-an-ip, 10.0.0.7") == "10.0.0.7"
    assert ip_of("10.0.0.1", "") == "10.0.0.1"
    assert ip_of("10.0.0.1", " , ") == "10.0.0.1"


@override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXIES=["10.0.0.0/8"])
@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("203.0.113.9:4711", "203.0.113.9"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("[2001:db8::7]", "2001:db8::7"),
        ("2001:DB8::7", "2001:db8::7"),
        (" 203.0.113.9 ", "203.0.113.9"),
        ('"203.0.113.9"', "203.0.113.9"),
        ("unknown", "10.0.0.1"),
        ("203.0.113.9:port", "10.0.0.1"),
        ("[203.0.113.9", "10.0.0.1"),
    ],
)
def test_ports_and_brackets_are_stripped(entry: str, expected: str) -> None:
    assert ip_of("10.0.0.1", entry) == expected


def test_host_of() -> None:
    assert host_of("203.0.113.9:80") == "203.0.113.9"
    assert host_of("[::1]:80") == "::1"
    assert host_of("::1") == "::1"
    assert host_of("nonsense") is None


def test_the_default_trusted_proxies_are_loopback_and_private_networks(settings: Any) -> None:
    from config.settings import DEFAULT_TRUSTED_PROXIES

    settings.TRUSTED_PROXIES = DEFAULT_TRUSTED_PROXIES
    networks = [str(n) for n in trusted_proxy_networks()]
    for network in ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                    "fc00::/7"):  # fmt: skip
        assert network in networks
    settings.TRUSTED_PROXY_COUNT = 1
    assert ip_of("192.168.1.10", "203.0.113.9") == "203.0.113.9"
    assert ip_of("198.51.100.9", "203.0.113.9") == "198.51.100.9"


def test_a_bad_trusted_proxies_entry_is_refused(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.internal"]
    with pytest.raises(ImproperlyConfigured, match=r"proxy\.internal"):
        trusted_proxy_networks()


@pytest.mark.django_db
def test_a_spoofed_header_does_not_pass_an_api_key_allow_list(settings: Any) -> None:
    """The review's case: REMOTE_ADDR 198.51.100.9 is no proxy; its X-Forwarded-For naming an
    allowed address is its own word, so the allow-list sees 198.51.100.9."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    _, raw = api_key_create(
        name="k", scopes=["read"], allowed_ips=["203.0.113.0/24"], actor=TEST_ACTOR,
        as_of=timezone.now(),
    )  # fmt: skip
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    spoofed = client.get(
        "/api/v1/customers/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert spoofed.status_code == 403
    [error] = spoofed.json()["errors"]
    assert error["code"] == "ip_not_allowed"
    assert "198.51.100.9" in error["message"]
    through = client.get(
        "/api/v1/customers/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9:51234"
    )
    assert through.status_code == 200
