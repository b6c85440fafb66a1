"""Webhook delivery: the journal handler that records what to send, and the sender.

1. `on_events` (a batch journal handler) records, in the dispatcher's transaction and with one
   INSERT for the batch, a delivery for every event and every enabled endpoint subscribed to its
   type (exactly once: the dispatcher commits it with its own delivery record; a unique index
   (endpoint, event) backs it). An event whose payload says `"publish": false` (dunning states
   whose policy does not publish) is not delivered. After commit, delivery tasks are queued.
2. `webhook_deliveries_send_due` claims due deliveries (one UPDATE ... FOR UPDATE SKIP LOCKED:
   workers share the work), keeping per-subject order: a delivery is claimed only when no earlier
   pending delivery of its endpoint and subject exists outside the claimed batch. Each
   endpoint+subject chain is sent in order by one thread (a thread pool, keep-alive connections);
   a chain stops at its first failure. Outcomes are recorded set-based: one INSERT of attempts,
   one UPDATE of deliveries, one UPDATE of endpoint health, per batch.
3. A failure is retried after 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h, until three days
   after the delivery was created: then it is given up (`failed`). An endpoint whose deliveries
   have all failed for three days is disabled (journal `webhook_endpoint.disabled`) and the
   staff who may change endpoints are e-mailed.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from billing.models import JournalEvent
from billing.services.journal import journal_write
from core.audit import Actor, audit_context
from integrations import webhook_crypto
from integrations.models import DeliveryStatus, WebhookEndpoint, WebhookSecret

logger = logging.getLogger(__name__)

HANDLER = "integrations.webhooks"
PING = "ping"
SYSTEM = Actor.system("webhooks")
RETRY_SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
RETRY_WINDOW = timedelta(days=3)  # a delivery is given up this long after it was created
DISABLE_AFTER = timedelta(days=3)  # an endpoint failing this long is disabled
LEASE = timedelta(minutes=5)  # a claimed delivery is someone's for this long
EXCERPT_BYTES = 1024
USER_AGENT = "billing-platform-webhooks/1"
WAKE_DEBOUNCE_MS = 250

_D = "integrations_webhookdelivery"
_E = "integrations_webhookendpoint"


def next_attempt_delay(failed_attempts: int) -> timedelta:
    """The wait after the n-th failed attempt (n >= 1)."""
    return RETRY_SCHEDULE[min(failed_attempts, len(RETRY_SCHEDULE)) - 1]


# ---------------------------------------------------------------------------- the journal handler

_FAN_OUT = f"""
INSERT INTO {_D} (endpoint_id, event_id, event_type, subject, kind, status, attempts,
                  next_attempt_at, locked_until, last_status_code, last_error, created_at,
                  requested_by, finished_at)
SELECT ep.id, ev.id, ev.type, ev.subject_type || ':' || ev.subject_id, 'event', 'pending', 0,
       %(now)s, NULL, NULL, '', %(now)s, '', NULL
FROM billing_journalevent ev
JOIN {_E} ep ON ep.enabled AND ep.deleted_at IS NULL
            AND ('*' = ANY(ep.event_types) OR ev.type = ANY(ep.event_types))
WHERE ev.id = ANY(%(ids)s) AND ev.type <> %(ping)s
  AND NOT (jsonb_typeof(ev.payload) = 'object' AND ev.payload @> '{{"publish": false}}')
ORDER BY ev.id, ep.id
ON CONFLICT (endpoint_id, event_id) WHERE kind = 'event' DO NOTHING
"""  # noqa: S608 - table names are constants; values are parameters


def on_events(events: list[JournalEvent]) -> None:
    """The batch journal handler: one INSERT for every (event, subscribed endpoint) of the
    batch, in the dispatcher's transaction; the delivery tasks are queued after its commit.
    It runs inside the dispatch task, which reads the wall clock for `created_at`."""
    ids = [e.pk for e in events if e.type != PING]
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(_FAN_OUT, {"now": timezone.now(), "ids": ids, "ping": PING})
        created = cursor.rowcount
    if created:
        transaction.on_commit(wake, robust=True)


@cache
def _redis() -> Any:
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)


def wake(countdown: float | None = None) -> None:
    """Queue WEBHOOK_DELIVERY_TASKS delivery tasks, at most once per WAKE_DEBOUNCE_MS (they
    start after the window, so they see every delivery committed in it), or at `countdown`
    seconds (a retry's due time; once per due second). If the broker is down, the clock's
    tick hook catches up."""
    from integrations.webhook_tasks import webhook_deliver_task

    if countdown is None:
        key, ttl_ms, delay = "integrations:webhooks-wake", WAKE_DEBOUNCE_MS, WAKE_DEBOUNCE_MS / 1000
    else:
        due = int(time.time() + countdown)
        key, ttl_ms, delay = f"integrations:webhooks-wake:{due}", 60_000, max(countdown, 0.0)
    try:
        if _redis().set(key, 1, nx=True, px=ttl_ms):
            for _ in range(max(1, settings.WEBHOOK_DELIVERY_TASKS)):
                webhook_deliver_task.apply_async(countdown=delay)
    except Exception:  # the broker or Redis is down: the tick hook finds the due deliveries
        logger.exception("webhooks: could not queue the delivery tasks")


def retries_due(as_of: datetime) -> dict[str, int]:
    """The clock's tick hook: queue delivery tasks when deliveries are due (retries whose
    wake-up was lost, deliveries of a re-enabled endpoint)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*) FROM {_D} d JOIN {_E} e ON e.id = d.endpoint_id
                WHERE d.status = 'pending' AND d.next_attempt_at <= %s AND e.enabled
                  AND (d.locked_until IS NULL OR d.locked_until <= %s)""",  # noqa: S608
            [as_of, as_of],
        )
        due = int(cursor.fetchone()[0])
    if due:
        wake()
    return {"webhook_deliveries_due": due}


# ------------------------------------------------------------------------------------ claiming

_CLAIM = f"""
WITH cand AS (
    SELECT d.id, d.endpoint_id, d.subject
    FROM {_D} d JOIN {_E} e ON e.id = d.endpoint_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= %(as_of)s
      AND (d.locked_until IS NULL OR d.locked_until <= %(as_of)s) AND e.enabled
    ORDER BY d.id
    LIMIT %(limit)s
    FOR UPDATE OF d SKIP LOCKED
), pairs AS MATERIALIZED (
    SELECT endpoint_id, subject, max(id) AS last_id FROM cand GROUP BY endpoint_id, subject
), blocks AS MATERIALIZED (
    SELECT p.endpoint_id, p.subject, min(d.id) AS block_id
    FROM pairs p JOIN {_D} d
      ON d.endpoint_id = p.endpoint_id AND d.subject = p.subject AND d.status = 'pending'
     AND d.id < p.last_id
    WHERE NOT EXISTS (SELECT 1 FROM cand c WHERE c.id = d.id)
    GROUP BY p.endpoint_id, p.subject
), ok AS (
    SELECT c.id FROM cand c
    LEFT JOIN blocks b ON b.endpoint_id = c.endpoint_id AND b.subject = c.subject
    WHERE b.block_id IS NULL OR c.id < b.block_id
)
UPDATE {_D} d SET locked_until = %(lease)s FROM ok WHERE d.id = ok.id
RETURNING d.id, d.endpoint_id, d.event_id, d.subject, d.attempts, d.created_at
"""  # noqa: S608 - table names are constants; values are parameters


@dataclass
class Claimed:
    id: int
    endpoint_id: int
    event_id: int
    subject: str
    attempts: int
    created_at: datetime
    outcome: Outcome | None = None


@dataclass
class Outcome:
    attempted_at: datetime
    status_code: int | None
    error: str
    latency_ms: int
    duration_ms: int
    excerpt: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _claim(as_of: datetime, limit: int) -> list[Claimed]:
    """Lease up to `limit` due deliveries (one statement, committed at once: other workers skip
    them); a delivery behind an earlier pending one of its endpoint and subject stays."""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, {"as_of": as_of, "limit": limit, "lease": as_of + LEASE})
        rows = cursor.fetchall()
    return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)


# -------------------------------------------------------------------------------------- sending


@dataclass
class Target:
    url: str
    keys: list[bytes]  # the current secret's, then the rotated ones still in their overlap
    refused: str = ""  # why it is not sent to (a private address)


@dataclass
class Batch:
    as_of: datetime  # the send time: webhook-timestamp, the attempts' time
    bodies: dict[int, bytes] = field(default_factory=dict)  # by event id
    targets: dict[int, Target] = field(default_factory=dict)  # by endpoint id


def envelope(event_id: int, type_: str, subject_type: str, subject_id: str,
             occurred_at: datetime, payload_json: str) -> bytes:  # fmt: skip
    """The body: id, type, created (ISO 8601 UTC), api_version, subject, data (the payload)."""
    created = occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return orjson.dumps(
        {
            "id": f"evt_{event_id}",
            "type": type_,
            "created": created,
            "api_version": settings.WEBHOOK_API_VERSION,
            "subject": {"type": subject_type, "id": subject_id},
            "data": orjson.Fragment(payload_json),
        }
    )


def _load(claimed: Sequence[Claimed], as_of: datetime) -> Batch:
    batch = Batch(as_of=as_of)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT id, type, subject_type, subject_id, occurred_at, payload::text
               FROM billing_journalevent WHERE id = ANY(%s)""",
            [sorted({c.event_id for c in claimed})],
        )
        for row in cursor.fetchall():
            batch.bodies[row[0]] = envelope(*row)
    endpoint_ids = sorted({c.endpoint_id for c in claimed})
    secrets: dict[int, list[tuple[datetime | None, str]]] = {}
    for endpoint_id, expires_at, stored in WebhookSecret.objects.filter(
        endpoint_id__in=endpoint_ids
    ).values_list("endpoint_id", "expires_at", "secret_encrypted"):
        if expires_at is None or expires_at > as_of:
            secrets.setdefault(endpoint_id, []).append((expires_at, stored))
    for endpoint_id, url in WebhookEndpoint.objects.filter(pk__in=endpoint_ids).values_list(
        "id", "url"
    ):
        # the current secret first (no expiry), then the rotated ones, newest first
        found = sorted(
            secrets.get(endpoint_id, []),
            key=lambda s: (s[0] is not None, -(s[0].timestamp() if s[0] else 0)),
        )
        keys = [webhook_crypto.secret_bytes(_decrypt(stored)) for _, stored in found]
        batch.targets[endpoint_id] = Target(url=url, keys=keys, refused=_refusal(url))
    return batch


@lru_cache(maxsize=4096)
def _decrypt_cached(stored: str, secret_key: str) -> str:
    return webhook_crypto.decrypt(stored)


def _decrypt(stored: str) -> str:
    return _decrypt_cached(stored, settings.SECRET_KEY)


def _refusal(url: str) -> str:
    """Why not to send to `url` now (it resolves to a private address; checked per batch, so a
    DNS change after the endpoint was saved is caught), or ''."""
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return ""
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return f"{host} does not resolve"
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return f"{host} resolves to a non-public address ({address})"
    return ""


_local = threading.local()
_pool_lock = threading.Lock()
_pools: dict[int, tuple[ThreadPoolExecutor, httpx.Client]] = {}


def _pool() -> tuple[ThreadPoolExecutor, httpx.Client]:
    """This process's thread pool and HTTP client (keep-alive connections), made after a fork."""
    import os

    pid = os.getpid()
    with _pool_lock:
        if pid not in _pools:
            # httpx logs every request at INFO: thousands of lines a second at full speed (the
            # attempts are recorded in the database instead)
            logging.getLogger("httpx").setLevel(logging.WARNING)
            size = max(1, settings.WEBHOOK_CONCURRENCY)
            client = httpx.Client(
                timeout=httpx.Timeout(settings.WEBHOOK_TIMEOUT_SECONDS),
                limits=httpx.Limits(max_connections=size * 2, max_keepalive_connections=size * 2),
                follow_redirects=False,
                headers={"User-Agent": USER_AGENT, "Content-Type": "application/json"},
            )
            _pools[pid] = (ThreadPoolExecutor(size, thread_name_prefix="webhooks"), client)
        return _pools[pid]


def _send_one(client: httpx.Client, target: Target, msg_id: str, body: bytes,
              attempted_at: datetime) -> Outcome:  # fmt: skip
    timestamp = int(attempted_at.timestamp())
    started = time.monotonic()
    if target.refused:
        return Outcome(attempted_at, None, f"refused: {target.refused}"[:500], 0, 0, "")
    if not target.keys:
        return Outcome(attempted_at, None, "no signing secret", 0, 0, "")
    signature = " ".join(webhook_crypto.sign(k, msg_id, timestamp, body) for k in target.keys)
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }
    latency = 0
    try:
        with client.stream("POST", target.url, content=body, headers=headers) as response:
            latency = int((time.monotonic() - started) * 1000)
            excerpt = b""
            for chunk in response.iter_bytes():
                excerpt += chunk
                if len(excerpt) >= EXCERPT_BYTES:
                    break
            code = response.status_code
        duration = int((time.monotonic() - started) * 1000)
        text = excerpt[:EXCERPT_BYTES].decode("utf-8", "replace").replace("\x00", "")
        error = "" if 200 <= code < 300 else f"HTTP {code}"
        return Outcome(attempted_at, code, error, latency, duration, text)
    except httpx.TimeoutException as exc:
        error = f"timeout: {type(exc).__name__}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    duration = int((time.monotonic() - started) * 1000)
    return Outcome(attempted_at, None, error[:500], latency or duration, duration, "")


def _send_chain(client: httpx.Client, batch: Batch, chain: list[Claimed], deadline: float) -> None:
    """One endpoint+subject's deliveries, in order; stops at the first failure (the rest wait
    for it) and when the lease is nearly over."""
    for claimed in chain:
        if time.monotonic() > deadline:
            return
        target = batch.targets[claimed.endpoint_id]
        body = batch.bodies[claimed.event_id]
        claimed.outcome = _send_one(client, target, f"evt_{claimed.event_id}", body,
                                    batch.as_of)  # fmt: skip
        if not claimed.outcome.ok:
            return


def _send(batch: Batch, claimed: list[Claimed]) -> None:
    chains: dict[tuple[int, str], list[Claimed]] = {}
    for c in claimed:  # in id order: journal order within a chain
        chains.setdefault((c.endpoint_id, c.subject), []).append(c)
    pool, client = _pool()
    deadline = time.monotonic() + LEASE.total_seconds() - 2 * settings.WEBHOOK_TIMEOUT_SECONDS - 5
    futures = [
        pool.submit(_send_chain, client, batch, chain, deadline) for chain in chains.values()
    ]
    for future in futures:
        future.result()


# ------------------------------------------------------------------------------------ recording

_ATTEMPTS = """
INSERT INTO integrations_webhookattempt (delivery_id, attempted_at, status_code, error,
                                         latency_ms, duration_ms, response_excerpt, succeeded)
SELECT * FROM unnest(%s::bigint[], %s::timestamptz[], %s::integer[], %s::text[], %s::integer[],
                     %s::integer[], %s::text[], %s::boolean[])
"""

_DELIVERIES = f"""
UPDATE {_D} d SET
    locked_until = NULL,
    status = u.status,
    attempts = d.attempts + u.tried,
    next_attempt_at = CASE WHEN u.tried = 1 THEN u.next_at ELSE d.next_attempt_at END,
    last_status_code = CASE WHEN u.tried = 1 THEN u.code ELSE d.last_status_code END,
    last_error = CASE WHEN u.tried = 1 THEN u.error ELSE d.last_error END,
    finished_at = u.finished_at
FROM unnest(%s::bigint[], %s::text[], %s::integer[], %s::timestamptz[], %s::integer[],
            %s::text[], %s::timestamptz[]) AS u(id, status, tried, next_at, code, error,
                                                 finished_at)
WHERE d.id = u.id
"""  # noqa: S608 - table names are constants; values are parameters

_HEALTH = f"""
UPDATE {_E} e SET failing_since = CASE WHEN u.ok THEN NULL ELSE %s END
FROM unnest(%s::bigint[], %s::boolean[]) AS u(id, ok)
WHERE e.id = u.id AND (e.failing_since IS NULL) <> u.ok
"""  # noqa: S608 - table names are constants; values are parameters

_DISABLE = f"""
UPDATE {_E} SET enabled = false, disabled_at = %(as_of)s, disabled_reason = %(reason)s,
                updated_at = %(as_of)s
WHERE id = ANY(%(ids)s) AND enabled AND failing_since <= %(since)s
RETURNING id, url, description, event_types, failing_since
"""  # noqa: S608 - table names are constants; values are parameters


def _record(claimed: list[Claimed], as_of: datetime) -> dict[str, int]:
    report = {"succeeded": 0, "retrying": 0, "failed": 0, "waiting": 0}
    a_cols: list[list[Any]] = [[] for _ in range(8)]
    d_cols: list[list[Any]] = [[] for _ in range(7)]
    health: dict[int, bool] = {}
    for c in claimed:
        o = c.outcome
        if o is None:  # not tried: behind a failure of its chain
            report["waiting"] += 1
            row: list[Any] = [c.id, DeliveryStatus.PENDING, 0, None, None, "", None]
        else:
            for col, value in zip(a_cols, [c.id, o.attempted_at, o.status_code, o.error,
                                           o.latency_ms, o.duration_ms, o.excerpt, o.ok],
                                  strict=True):  # fmt: skip
                col.append(value)
            health[c.endpoint_id] = health.get(c.endpoint_id, False) or o.ok
            if o.ok:
                report["succeeded"] += 1
                row = [c.id, DeliveryStatus.SUCCEEDED, 1, None, o.status_code, "", as_of]
            else:
                retry_at = as_of + next_attempt_delay(c.attempts + 1)
                if retry_at > c.created_at + RETRY_WINDOW:
                    report["failed"] += 1
                    row = [c.id, DeliveryStatus.FAILED, 1, None, o.status_code, o.error, as_of]
                else:
                    report["retrying"] += 1
                    row = [c.id, DeliveryStatus.PENDING, 1, retry_at, o.status_code, o.error, None]
        for col, value in zip(d_cols, row, strict=True):
            col.append(value)
    disabled: list[tuple[int, str, str, list[str], datetime]] = []
    with audit_context(actor=SYSTEM, reason="webhook delivery"), transaction.atomic(durable=True):
        with connection.cursor() as cursor:
            if a_cols[0]:
                cursor.execute(_ATTEMPTS, a_cols)
            cursor.execute(_DELIVERIES, d_cols)
            if health:
                ids = sorted(health)
                cursor.execute(_HEALTH, [as_of, ids, [health[i] for i in ids]])
                failing = [i for i in ids if not health[i]]
                if failing:
                    cursor.execute(
                        _DISABLE,
                        {"as_of": as_of, "ids": failing, "since": as_of - DISABLE_AFTER,
                         "reason": "Every delivery failed for three days."},
                    )  # fmt: skip
                    disabled = list(cursor.fetchall())
        for gone in disabled:
            _disabled_event(*gone, as_of=as_of)
        if report["retrying"]:  # a task for the soonest retry (the tick hook is the safety net)
            soonest = min(
                as_of + next_attempt_delay(c.attempts + 1)
                for c in claimed
                if c.outcome is not None and not c.outcome.ok
            )
            countdown = max(0.0, (soonest - as_of).total_seconds())
            transaction.on_commit(lambda: wake(countdown), robust=True)
    report["disabled"] = len(disabled)
    return report


def _disabled_event(endpoint_id: int, url: str, description: str, event_types: list[str],
                    failing_since: datetime, *, as_of: datetime) -> None:  # fmt: skip
    """The journal event (the same shape as a disabling by hand) and, after commit, the staff
    e-mail."""
    from integrations.webhook_tasks import webhook_endpoint_disabled_email_task

    journal_write(
        type="webhook_endpoint.disabled",
        subject_type="webhook_endpoint",
        subject_id=endpoint_id,
        payload={
            "endpoint": endpoint_id,
            "url": url,
            "description": description,
            "event_types": list(event_types),
            "enabled": False,
            "automatic": True,
            "reason": "Every delivery failed for three days.",
            "failing_since": failing_since.isoformat(),
        },
        actor=SYSTEM,
        occurred_at=as_of,
    )
    transaction.on_commit(lambda: webhook_endpoint_disabled_email_task.delay(endpoint_id))


def webhook_deliveries_send_due(*, as_of: datetime, limit: int | None = None) -> dict[str, int]:
    """Claim up to `limit` due deliveries, send them, record how it went (one batch).
    `as_of` is the send time (the webhook-timestamp) and the clock of the retry schedule."""
    claimed = _claim(as_of, limit or settings.WEBHOOK_BATCH_SIZE)
    if not claimed:
        return {"claimed": 0}
    batch = _load(claimed, as_of)
    _send(batch, claimed)
    return {"claimed": len(claimed), **_record(claimed, as_of)}
