"""Webhook delivery to a real receiver on loopback that verifies every request with the
standardwebhooks library: signatures, the envelope, replays of captured requests refused, the
receiver down then up (every event once, in order per subject, after retries), the backoff
schedule, giving up after three days, an endpoint disabled and staff told, the SQL of a batch."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from standardwebhooks import Webhook

from billing.models import JournalEvent
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.webhook_delivery import (
    RETRY_SCHEDULE,
    next_attempt_delay,
    webhook_deliveries_send_due,
)
from integrations.webhook_tasks import staff_to_tell, webhook_endpoint_disabled_email_task
from tests.integrations import webhook_helpers as h
from tests.integrations.receiver import Receiver
from tests.integrations.webhook_helpers import TYPE, dispatch, endpoint_for, events, send_all
from tests.notifications import smtp
from tests.notifications.smtp import Mailbox

# the fixtures this module uses
loopback, receiver, only_webhooks, smtp_server = (
    h.loopback,
    h.receiver,
    h.only_webhooks,
    smtp.smtp_server,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_webhooks")]


def test_a_delivered_event_is_signed_and_enveloped(receiver: Receiver) -> None:
    endpoint = endpoint_for(receiver)
    [event] = events(("customer", "c1"), payload={"amount": "10.00", "nested": {"a": [1, 2]}})
    dispatch()
    [report] = send_all()
    assert report["succeeded"] == 1
    [got] = receiver.accepted
    assert receiver.rejected == []
    # the library itself verifies it (as the integrator's receiver does)
    body = Webhook(receiver.secrets[0]).verify(got.body, got.headers)
    assert body == {
        "id": f"evt_{event.pk}",
        "type": TYPE,
        "created": event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "api_version": "2025-01-01",
        "livemode": True,
        "subject": {"type": "customer", "id": "c1"},
        "data": {"amount": "10.00", "nested": {"a": [1, 2]}},
    }
    assert got.headers["webhook-id"] == f"evt_{event.pk}"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"].startswith("billing-platform-webhooks/")
    assert got.headers["webhook-signature"].startswith("v1,")
    [delivery] = WebhookDelivery.objects.filter(event_type=TYPE)
    assert (delivery.status, delivery.attempts, delivery.endpoint_id) == (
        "succeeded",
        1,
        endpoint.pk,
    )
    [attempt] = WebhookAttempt.objects.filter(delivery=delivery)
    assert attempt.status_code == 204
    assert attempt.succeeded
    assert attempt.error == ""
    assert attempt.latency_ms <= attempt.duration_ms


def test_a_captured_request_replayed_later_is_refused(receiver: Receiver) -> None:
    endpoint_for(receiver)
    events(("customer", "c1"))
    dispatch()
    send_all()
    [captured] = receiver.accepted
    assert receiver.replay(captured) == 204  # at once: the receiver's dedupe is its business
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert receiver.replay(captured) == 400
    assert "too old" in receiver.rejected[-1][1]
    tampered = type(captured)(dict(captured.headers), captured.body.replace(b"c1", b"c2"))
    assert receiver.replay(tampered) == 400
    assert "No matching signature" in receiver.rejected[-1][1]


def test_only_subscribed_types_and_enabled_endpoints_and_published_events(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from integrations import event_types

    monkeypatch.setitem(event_types.EVENT_TYPES, TYPE, event_types.EventType(TYPE, "", "customer"))
    wanted = endpoint_for(receiver, types=[TYPE])
    everything = endpoint_for(receiver)
    off = endpoint_for(receiver)
    WebhookEndpoint.objects.filter(pk=off.pk).update(enabled=False)
    before = WebhookDelivery.objects.count()
    events(("customer", "c1"))
    events(("customer", "c2"), type="invoice.created")
    events(("customer", "c3"), type="dunning.state_entered", payload={"publish": False})
    dispatch()
    new = WebhookDelivery.objects.order_by("id")[before:]
    assert [(d.endpoint_id, d.event_type) for d in new] == [
        (wanted.pk, TYPE), (everything.pk, TYPE), (everything.pk, "invoice.created")
    ]  # fmt: skip
    dispatch()  # dispatched again: nothing new (exactly once)
    assert WebhookDelivery.objects.count() == before + 3


def test_down_then_up_every_event_once_in_order_per_subject(receiver: Receiver) -> None:
    endpoint_for(receiver)
    subjects = [("subscription", f"s{i}") for i in range(5)]
    written = events(*(subjects * 4))  # 20 events: 4 per subject, interleaved
    dispatch()
    start = timezone.now()
    receiver.mode = "503"
    [first] = send_all(start)
    # one attempt per subject (the rest of each chain waits behind its failing head)
    assert (first["retrying"], first["waiting"]) == (5, 15)
    receiver.stop()  # now connections are refused
    [second] = send_all(start + timedelta(seconds=6))
    assert second["retrying"] == 5
    assert send_all(start + timedelta(seconds=10)) == []  # nothing due before the next retry
    receiver.mode = "close"
    receiver.start()  # up, but it drops every connection without an answer
    [third] = send_all(start + timedelta(minutes=6))
    assert third["retrying"] == 5
    receiver.mode = "ok"
    reports = send_all(start + timedelta(minutes=40))
    assert sum(r["succeeded"] for r in reports) == 20
    assert receiver.duplicates() == 0
    assert sorted(receiver.ids) == sorted(f"evt_{e.pk}" for e in written)
    by_subject: dict[str, list[int]] = {}
    for got in receiver.accepted:
        by_subject.setdefault(got.json["subject"]["id"], []).append(int(got.id[4:]))
    assert all(ids == sorted(ids) for ids in by_subject.values())
    assert len(by_subject) == 5
    heads = WebhookDelivery.objects.filter(attempts=4, event_type=TYPE)
    assert heads.count() == 5  # 503, refused, dropped, then 204
    head = heads.first()
    assert head is not None
    log = list(WebhookAttempt.objects.filter(delivery=head).values_list("status_code", "error"))
    assert log[0] == (503, "HTTP 503")
    assert log[1][0] is None
    assert "ConnectError" in log[1][1]
    assert log[2][0] is None
    assert log[2][1]
    assert log[3] == (204, "")
    assert WebhookEndpoint.objects.get().failing_since is None


def test_the_backoff_schedule() -> None:
    assert [next_attempt_delay(n) for n in range(1, 9)] == [
        timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
        timedelta(hours=5), timedelta(hours=10), timedelta(hours=10), timedelta(hours=10),
    ]  # fmt: skip
    assert RETRY_SCHEDULE[-1] == timedelta(hours=10)


def test_gives_up_after_three_days_and_disables_the_endpoint_and_tells_staff(
    receiver: Receiver, smtp_server: Mailbox, django_user_model: Any
) -> None:
    django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-12345")
    django_user_model.objects.create_user("clerk", "clerk@example.com", "pw", is_staff=True)
    endpoint = endpoint_for(receiver)
    events(("customer", "c1"), ("customer", "c1"))
    dispatch()
    start = timezone.now()
    receiver.mode = "503"
    at = start
    times = []
    head = WebhookDelivery.objects.filter(event_type=TYPE).order_by("id").first()
    assert head is not None
    while True:
        report = send_all(at)[0]
        times.append(at - start)
        head.refresh_from_db()
        if head.status != "pending":
            break
        assert head.next_attempt_at is not None
        at = head.next_attempt_at
    # 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h; the 13th at three days after the
    # delivery was created (a moment before `start`), the last
    seconds = [int(t.total_seconds()) for t in times]
    assert seconds[:12] == [0, 5, 305, 2105, 9305, 27305, 63305, 99305, 135305, 171305, 207305,
                            243305]  # fmt: skip
    assert len(seconds) == 13
    assert 259200 - 5 < (times[-1] + start - head.created_at).total_seconds() <= 259200
    assert head.status == "failed"
    assert head.attempts == 13
    assert head.finished_at is not None
    assert abs(head.finished_at - at) < timedelta(seconds=1)
    assert report["failed"] == 1
    # the endpoint failed from that delivery's first attempt to its last: disabled at once,
    # journaled, staff told after commit
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.disabled_at is not None
    assert abs(endpoint.disabled_at - at) < timedelta(seconds=1)
    assert "three days" in endpoint.disabled_reason
    assert endpoint.failing_since == start
    [disabled] = JournalEvent.objects.filter(type="webhook_endpoint.disabled")
    assert disabled.payload["endpoint"] == endpoint.pk
    assert disabled.payload["automatic"] is True
    assert staff_to_tell() == ["boss@example.com"]  # clerk lacks the permission
    assert webhook_endpoint_disabled_email_task(endpoint.pk) == "sent"
    [mail] = smtp_server.messages
    assert str(mail["To"]) == "boss@example.com"
    assert f"#{endpoint.pk}" in str(mail["Subject"])
    assert receiver.url in str(mail["Subject"])
    # a disabled endpoint's pending deliveries wait (the second one of the subject)
    second = WebhookDelivery.objects.filter(event_type=TYPE).order_by("id").last()
    assert second is not None
    assert (second.status, second.attempts) == ("pending", 0)
    assert send_all(at + timedelta(days=1)) == []


def test_a_success_clears_failing_since(receiver: Receiver) -> None:
    endpoint_for(receiver)
    events(("customer", "c1"))
    dispatch()
    start = timezone.now()
    receiver.mode = "503"
    send_all(start)
    assert WebhookEndpoint.objects.get().failing_since == start
    receiver.mode = "ok"
    send_all(start + timedelta(seconds=5))
    assert WebhookEndpoint.objects.get().failing_since is None


def test_a_batch_is_a_fixed_number_of_statements(receiver: Receiver) -> None:
    endpoint_for(receiver)
    second = Receiver()
    second.start()
    try:
        endpoint_for(second)
        events(*[("invoice", f"i{i % 7}") for i in range(40)])
        dispatch()
        with time_machine.travel(timezone.now(), tick=True):
            with CaptureQueriesContext(connection) as small:
                webhook_deliveries_send_due(as_of=timezone.now(), limit=4)
            with CaptureQueriesContext(connection) as big:
                report = webhook_deliveries_send_due(as_of=timezone.now(), limit=500)
        assert report["succeeded"] == 76
        assert len(big.captured_queries) == len(small.captured_queries) <= 10
        got = [r for r in receiver.accepted + second.accepted if r.json["type"] == TYPE]
        assert len(got) == 80
    finally:
        second.stop()


def test_two_workers_share_without_breaking_subject_order(receiver: Receiver) -> None:
    """A second claim while the first batch is out: it skips the first's rows and every
    delivery behind them (same subject), takes the others."""
    from integrations.webhook_delivery import _claim

    endpoint_for(receiver)
    events(("invoice", "a"), ("invoice", "b"), ("invoice", "a"), ("invoice", "c"))
    dispatch()
    now = timezone.now()
    first = _claim(now, 2).rows  # a#1, b#1
    second = _claim(now, 10).rows
    assert [c.subject for c in first] == ["invoice:a", "invoice:b"]
    assert [c.subject for c in second] == ["invoice:c"]  # a#2 waits behind a#1
    assert _claim(now, 10).rows == []


def test_the_staff_email_names_the_endpoint(smtp_server: Mailbox, django_user_model: Any) -> None:
    django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-12345")
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.com/x", event_types=["*"], enabled=False,
        disabled_at=datetime(2025, 3, 1, tzinfo=UTC), disabled_reason="Every delivery failed.",
        created_at=timezone.now(), updated_at=timezone.now(),
    )  # fmt: skip
    assert webhook_endpoint_disabled_email_task(endpoint.pk) == "sent"
    [mail] = smtp_server.messages
    text = mail.get_content()
    assert "2025-03-01 00:00 UTC" in text
    assert "/enable/" in text
    assert json.dumps(endpoint.pk) in str(mail["Subject"])


def test_a_url_that_now_resolves_to_a_private_address_is_not_sent_to(
    receiver: Receiver, settings: Any
) -> None:
    endpoint_for(receiver)
    events(("customer", "c1"))
    dispatch()
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False  # checked again at every connection
    [report] = send_all()
    assert report["retrying"] == 1
    assert receiver.requests == []
    attempt = WebhookAttempt.objects.filter(delivery__event_type=TYPE).get()
    assert attempt.status_code is None
    # checked when connecting: the refusal names the host, never what it resolved to
    assert attempt.error == "ConnectError: refused: 127.0.0.1 resolves to a non-public address"
