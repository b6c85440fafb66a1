"""The webhook defects of the review: a failing endpoint does not starve the others; an error of
one endpoint (an URL httpx refuses, an unreadable secret) fails that endpoint's attempt only;
addresses are checked when connecting (DNS rebinding reaches nothing) and never echoed; a claim
is fenced by its token; a lone delivery given up disables its failing endpoint; replays are
capped and skip unpublished events; livemode; timestamps at send time; the fan-out's time."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import JournalEvent
from billing.services import customer_create
from billing.services import testclocks as clocks
from core.exceptions import ValidationFailed
from integrations import webhook_crypto
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookSecret
from integrations.webhook_delivery import (
    Outcome,
    _claim,
    _load,
    _record,
    _send,
    retries_due,
    webhook_deliveries_send_due,
)
from integrations.webhook_services import (
    validate_url,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_replay,
)
from tests.conftest import TEST_ACTOR
from tests.integrations import webhook_helpers as h
from tests.integrations.receiver import Receiver
from tests.integrations.webhook_helpers import STAFF, TYPE, dispatch, endpoint_for, events, send_all

loopback, receiver, only_webhooks = h.loopback, h.receiver, h.only_webhooks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_webhooks")]

PUBLIC = "93.184.215.14"  # a global address (never connected to in these tests)


@pytest.fixture
def second() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def attempts_of(endpoint: WebhookEndpoint) -> list[WebhookAttempt]:
    return list(WebhookAttempt.objects.filter(delivery__endpoint=endpoint).order_by("id"))


# ------------------------------------------------------------------------- 1. no starvation


def test_a_failing_endpoint_does_not_starve_a_healthy_one(
    receiver: Receiver, second: Receiver
) -> None:
    dead = endpoint_for(receiver)
    receiver.mode = "503"
    # 30 deliveries to the failing endpoint over 3 subjects: more than a batch (10)
    events(*[("invoice", f"i{n % 3}") for n in range(30)])
    dispatch()
    start = timezone.now()
    [first] = send_all(start)[:1]
    assert (first["retrying"], first["waiting"]) == (3, 27)
    healthy = endpoint_for(second, as_of=start + timedelta(seconds=1))
    events(*[("customer", f"c{n}") for n in range(4)])  # to both endpoints
    dispatch()
    # before the dead endpoint's retries are due: its 27 waiting deliveries are not candidates
    at = start + timedelta(seconds=2)
    with CaptureQueriesContext(connection) as queries:
        report = webhook_deliveries_send_due(as_of=at, limit=10)
    assert len(queries.captured_queries) <= 12
    assert sorted(r.json["subject"]["id"] for r in second.accepted) == ["c0", "c1", "c2", "c3"]
    assert report["succeeded"] == 4
    assert WebhookDelivery.objects.filter(endpoint=healthy, status="pending").count() == 0
    # the waiting ones are due with their failing head, and the tick does not count them
    waiting = WebhookDelivery.objects.filter(endpoint=dead, status="pending", attempts=0,
                                             subject__startswith="invoice")  # fmt: skip
    heads = WebhookDelivery.objects.filter(endpoint=dead, status="pending", attempts=1,
                                           subject__startswith="invoice")  # fmt: skip
    assert waiting.count() == 27
    retry = {h.next_attempt_at for h in heads}
    assert len(retry) == 1
    assert {w.next_attempt_at for w in waiting.filter(pk__lt=min(h.pk for h in heads) + 10)} <= (
        retry | {None}
    )
    assert retries_due(at + timedelta(seconds=1))["webhook_deliveries_due"] == 0
    # the dead endpoint's retries, when due, are one attempt per subject again
    [again] = send_all(start + timedelta(seconds=6))
    # (and the healthy endpoint's created event, failed at +1 s)
    assert (again["retrying"], again["waiting"]) == (3 + 1, 27)


# ------------------------------------------------------------------ 2. one endpoint's errors


@pytest.mark.parametrize(
    "url",
    [
        "https://☃.net/",
        "https://" + "\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25" + ".com/",
        "https://xn--n3h.net/",
    ],
)
def test_urls_httpx_refuses_are_refused_on_create(url: str, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True  # no DNS: the URL itself is refused
    with pytest.raises(ValidationFailed) as refused:
        validate_url(url)
    assert refused.value.field == "url"


def test_a_bad_url_fails_its_own_attempt_only(receiver: Receiver, second: Receiver) -> None:
    healthy = endpoint_for(second)
    now = timezone.now()
    bad = WebhookEndpoint.objects.create(  # saved before the check agreed with httpx
        url="https://☃.net/", event_types=["*"], created_at=now, updated_at=now
    )
    WebhookSecret.objects.create(endpoint=bad, secret_encrypted=webhook_crypto.encrypt(
        webhook_crypto.new_secret()), hint="x", created_at=now)  # fmt: skip
    events(("customer", "c1"))
    dispatch()
    [report] = send_all()
    assert (report["succeeded"], report["retrying"]) == (1, 1)
    assert [r.json["subject"]["id"] for r in second.accepted] == ["c1"]
    [attempt] = attempts_of(bad)
    assert attempt.status_code is None
    assert attempt.error.startswith("InvalidURL")
    assert WebhookDelivery.objects.get(endpoint=bad).next_attempt_at is not None
    assert WebhookDelivery.objects.get(endpoint=healthy, event_type=TYPE).status == "succeeded"


def test_an_unreadable_secret_fails_its_own_endpoint_only(
    receiver: Receiver, second: Receiver
) -> None:
    broken = endpoint_for(receiver)
    endpoint_for(second)
    receiver.clear()  # the second endpoint's created event went to both
    WebhookSecret.objects.filter(endpoint=broken).update(secret_encrypted="fernet:not-a-token")
    events(("customer", "c1"))
    dispatch()
    [report] = send_all()
    assert (report["succeeded"], report["retrying"]) == (1, 1)
    assert receiver.requests == []
    assert len(second.accepted) == 1
    [attempt] = [a for a in attempts_of(broken) if a.delivery.event_type == TYPE]
    assert attempt.error.startswith("refused: secret unreadable")


# ------------------------------------------------------------------------------ 3. addresses


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names of `.example` answered from this table (each answer used once, the last kept)."""
    table: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".example"):
            answers = table[host]
            address = answers.pop(0) if len(answers) > 1 else answers[0]
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


def test_dns_rebinding_reaches_nothing(
    receiver: Receiver, settings: Any, dns: dict[str, list[str]]
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    dns["hooks.example"] = [PUBLIC, "127.0.0.1"]  # checked when saved, loopback when sent
    url = f"http://hooks.example:{receiver.port}/hooks"
    endpoint, _ = webhook_endpoint_create(url=url, description="", event_types=["*"],
                                          as_of=timezone.now(), actor=STAFF)  # fmt: skip
    events(("customer", "c1"))
    dispatch()
    reports = send_all()
    assert sum(r["retrying"] for r in reports) == 2  # its created event and c1's
    assert receiver.requests == []
    for attempt in attempts_of(endpoint):
        assert attempt.error == (
            "ConnectError: refused: hooks.example resolves to a non-public address"
        )
        assert "127.0.0.1" not in attempt.error


def test_the_connection_goes_to_the_checked_address(
    receiver: Receiver, dns: dict[str, list[str]]
) -> None:
    dns["hooks.example"] = ["127.0.0.1"]  # private addresses allowed here (loopback fixture)
    _, secret = webhook_endpoint_create(
        url=f"http://hooks.example:{receiver.port}/hooks", description="", event_types=["*"],
        as_of=timezone.now(), actor=STAFF,
    )  # fmt: skip
    receiver.secrets.append(secret)
    dispatch()
    send_all()
    [got] = receiver.accepted
    assert got.headers["host"] == f"hooks.example:{receiver.port}"


def test_refusals_do_not_name_the_address(settings: Any, dns: dict[str, list[str]]) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    dns["inside.example"] = ["10.1.2.3"]
    with pytest.raises(ValidationFailed) as refused:
        validate_url("https://inside.example/hooks")
    assert "10.1.2.3" not in refused.value.message
    assert "non-public" in refused.value.message


def test_a_receiver_answering_a_byte_at_a_time_is_cut_at_the_total_deadline(
    settings: Any,
) -> None:
    """Each byte comes before the read timeout; the request's total time still ends it."""
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"  # 38 bytes: 7.6 s
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5  # a request: 1 s in all
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    stop = threading.Event()
    sent: list[int] = []

    def trickle() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            conn.recv(65536)
            for byte in answer:
                if stop.is_set():
                    break
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    break
                sent.append(byte)
                time.sleep(0.2)
            conn.close()

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        endpoint, _ = webhook_endpoint_create(
            url=f"http://127.0.0.1:{port}/", description="", event_types=["*"],
            as_of=timezone.now(), actor=STAFF,
        )  # fmt: skip
        dispatch()
        [report] = send_all()
        # cut before the receiver could finish its answer (a byte every 0.2 s)
        assert len(sent) < len(answer)
        assert report["retrying"] == 1
        [attempt] = attempts_of(endpoint)
        assert attempt.error.startswith("timeout")
    finally:
        stop.set()
        server.close()
        thread.join(5)


# ----------------------------------------------------------------------------- 6. the lease


def test_a_claim_is_fenced_by_its_token(receiver: Receiver) -> None:
    endpoint_for(receiver)
    events(("invoice", "a"), ("invoice", "b"))
    dispatch()
    now = timezone.now()
    stale = _claim(now, 10)
    assert len(stale.rows) == 2
    assert _claim(now + timedelta(minutes=4), 10).rows == []  # leased: not claimed again
    # the stale worker is slow: its lease ends, another claims and sends the same deliveries
    later = now + timedelta(minutes=6)
    with time_machine.travel(later, tick=True):  # the receiver's clock agrees with the claim's
        fresh = _claim(later, 10)
        assert [c.id for c in fresh.rows] == [c.id for c in stale.rows]
        _send(_load(fresh))
        assert _record(fresh, later)["succeeded"] == 2
    # the stale worker's outcomes come last: not recorded
    for c in stale.rows:
        c.outcome = Outcome(now, 503, "HTTP 503", 1, 1, "")
    report = _record(stale, later + timedelta(seconds=1))
    assert (report["lost"], report["retrying"]) == (2, 0)
    rows = WebhookDelivery.objects.filter(event_type=TYPE)
    assert {(d.status, d.attempts) for d in rows} == {("succeeded", 1)}
    assert WebhookAttempt.objects.filter(delivery__in=rows).count() == 2


def test_a_delivery_given_up_while_claimed_stays_given_up(receiver: Receiver) -> None:
    endpoint = endpoint_for(receiver)
    events(("invoice", "a"))
    dispatch()
    now = timezone.now()
    claim = _claim(now, 10)
    webhook_endpoint_delete(endpoint_id=endpoint.pk, as_of=now, actor=STAFF)
    _send(_load(claim))
    assert _record(claim, now)["lost"] == 1
    delivery = WebhookDelivery.objects.get(event_type=TYPE)
    assert (delivery.status, delivery.last_error) == ("failed", "The endpoint was deleted.")


# ------------------------------------------------------------------- 7. a lone delivery given up


def test_a_lone_delivery_given_up_disables_its_failing_endpoint(
    receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint = endpoint_for(receiver)
    [event] = events(("customer", "c1"))
    dispatch()
    delivery = WebhookDelivery.objects.get(event=event)
    receiver.mode = "503"
    at = timezone.now()
    tries = 0
    while delivery.status == "pending":
        with django_capture_on_commit_callbacks() as callbacks:
            send_all(at)
        tries += 1
        delivery.refresh_from_db()
        if delivery.next_attempt_at is not None:
            at = delivery.next_attempt_at
    # the last retry is three days after the delivery was created, then it is given up ...
    assert tries == 13
    assert delivery.finished_at is not None
    assert abs(delivery.finished_at - (delivery.created_at + timedelta(days=3))) < timedelta(
        seconds=2
    )
    # ... and the endpoint, failing since that delivery's first attempt, is disabled
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    [disabled] = JournalEvent.objects.filter(type="webhook_endpoint.disabled")
    assert disabled.payload["automatic"] is True
    # staff e-mail queued after the commit (and the retry wake-up none: it was given up)
    assert len(callbacks) == 1


# -------------------------------------------------------------------------------- 9. replays


def test_replay_since_is_capped_and_unpublished_events_are_not_replayed(
    receiver: Receiver, settings: Any, api: APIClient
) -> None:
    endpoint = endpoint_for(receiver)
    since = timezone.now()
    events(*[("customer", f"c{n}") for n in range(4)])
    [hidden] = events(("customer", "c9"), type="dunning.state_entered",
                      payload={"publish": False})  # fmt: skip
    settings.WEBHOOK_REPLAY_MAX = 3
    with pytest.raises(ValidationFailed) as refused:
        webhook_replay(endpoint_id=endpoint.pk, since=since, as_of=timezone.now(), actor=STAFF)
    assert refused.value.field == "since"
    assert "3" in refused.value.message
    settings.WEBHOOK_REPLAY_MAX = 4  # the unpublished one is not counted
    assert webhook_replay(endpoint_id=endpoint.pk, since=since, as_of=timezone.now(),
                          actor=STAFF) == 4  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        webhook_replay(endpoint_id=endpoint.pk, event_id=hidden.pk, as_of=timezone.now(),
                       actor=STAFF)  # fmt: skip
    assert refused.value.field == "event"
    settings.WEBHOOK_REPLAY_MAX = 2
    response = api.post(f"/api/v1/webhook-endpoints/{endpoint.pk}/replay/",
                        {"since": since.isoformat()}, format="json")  # fmt: skip
    assert response.status_code == 400
    assert "since" in response.content.decode()
    response = api.post(f"/api/v1/webhook-endpoints/{endpoint.pk}/replay/",
                        {"event": f"evt_{hidden.pk}"}, format="json")  # fmt: skip
    assert response.status_code == 400


# ------------------------------------------------------------------------------- 10. livemode


def test_events_of_test_clock_customers_are_marked_livemode_false(receiver: Receiver) -> None:
    endpoint_for(receiver)
    now = timezone.now()
    clock = clocks.clock_create(name="c", frozen_time=now, actor=TEST_ACTOR, as_of=now)
    test = customer_create(actor=TEST_ACTOR, as_of=now, test_clock_id=clock.pk,
                           data={"external_id": "t-1", "name": "T", "currency": "USD"})  # fmt: skip
    live = customer_create(actor=TEST_ACTOR, as_of=now,
                           data={"external_id": "l-1", "name": "L", "currency": "USD"})  # fmt: skip
    # the payload names the customer by external id only (the subject is no row of ours)
    events(("invoice", "0"), payload={"customer": "t-1"})
    events(("invoice", "0"), payload={"customer": "l-1"})
    dispatch()
    send_all()
    got: dict[tuple[str, str, str], bool] = {}
    for r in receiver.accepted:
        customer = r.json["data"].get("customer")
        got[(r.json["type"], r.json["subject"]["id"],
             customer if isinstance(customer, str) else "")] = r.json["livemode"]  # fmt: skip
    assert got[("customer.created", str(test.pk), "")] is False
    assert got[("customer.created", str(live.pk), "")] is True
    assert got[(TYPE, "0", "t-1")] is False
    assert got[(TYPE, "0", "l-1")] is True
    assert got[("test_clock.created", str(clock.pk), "")] is False
    assert set(WebhookDelivery.objects.filter(event__subject_id=str(test.pk))
               .values_list("livemode", flat=True)) == {False}  # fmt: skip


# ------------------------------------------------------------------- 11. timestamps at send


def test_each_request_is_timestamped_when_it_is_sent(receiver: Receiver) -> None:
    endpoint = endpoint_for(receiver)
    events(("invoice", "a"), ("invoice", "a"))  # one chain: one after the other
    dispatch()
    receiver.delay = 1.1
    send_all()
    first, second_ = receiver.accepted
    assert int(second_.headers["webhook-timestamp"]) >= int(first.headers["webhook-timestamp"]) + 1
    a, b = [a for a in attempts_of(endpoint) if a.delivery.event_type == TYPE]
    assert b.attempted_at - a.attempted_at >= timedelta(seconds=1)


# --------------------------------------------------------------------- 15. the fan-out's time


def test_deliveries_are_recorded_at_the_dispatchers_time(receiver: Receiver) -> None:
    endpoint_for(receiver)
    [event] = events(("invoice", "a"))
    at = timezone.now() + timedelta(minutes=3)
    dispatch(at)
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.created_at == at
    assert delivery.next_attempt_at == at


# -------------------------------------------------------------------------------- 16. admin


def test_the_delivery_list_filters_by_type_without_distinct(
    staff_client: Any, receiver: Receiver
) -> None:
    endpoint_for(receiver)
    events(("invoice", "a"))
    dispatch()
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(
            "/admin/integrations/webhookdelivery/", {"event_type": "invoice.finalized"}
        )
    assert response.status_code == 200
    assert "invoice.finalized" in response.content.decode()
    assert not [q for q in queries.captured_queries if "DISTINCT" in q["sql"].upper()
                and "event_type" in q["sql"]]  # fmt: skip
