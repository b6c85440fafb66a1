"""Webhook delivery: the journal handler that records what to send, and the sender.

1. `on_events` (a batch journal handler) records, in the dispatcher's transaction and with one
   INSERT for the batch, a delivery for every event and every enabled endpoint subscribed to its
   type (exactly once: the dispatcher commits it with its own delivery record; a unique index
   (endpoint, event) backs it), with `livemode` (false for an event about a customer on a test
   clock). An event whose payload says `"publish": false` (dunning states whose policy does not
   publish) is not delivered. After commit, delivery tasks are queued.
2. `webhook_deliveries_send_due` claims due deliveries (one UPDATE ... FOR UPDATE SKIP LOCKED:
   workers share the work) keeping per-subject order: a delivery is a candidate only when every
   earlier pending delivery of its endpoint and subject is due and unclaimed too (so a failing
   endpoint's waiting deliveries never fill a batch), and is claimed only when none of those is
   outside the claimed batch. Each claim has a token and a lease; each endpoint+subject chain is
   sent in order by one thread (a thread pool, keep-alive connections, addresses checked at
   connect time: integrations/webhook_transport.py); a chain stops at its first failure, and
   every request ends before the lease does. Outcomes are recorded set-based (one UPDATE of
   deliveries, one INSERT of attempts, one UPDATE of endpoint health, per batch) and only where
   the claim is still the one holding the delivery.
3. A failure is retried after 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h, the last retry at
   three days after the delivery was created; then it is given up (`failed`). An endpoint is
   disabled (journal `webhook_endpoint.disabled`, staff who may change endpoints e-mailed) when
   a failure finds it failing for three days, or when a delivery is given up while the endpoint
   has not succeeded since that delivery's first attempt.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction

from billing import journal
from billing.models import JournalEvent
from billing.services.journal import journal_write
from core.audit import Actor, audit_context
from integrations import webhook_crypto, webhook_transport
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
RETRY_WINDOW = timedelta(days=3)  # the last retry is this long after the delivery was created
DISABLE_AFTER = timedelta(days=3)  # an endpoint failing this long is disabled
LEASE = timedelta(minutes=5)  # a claimed delivery is its claim's for this long
LEASE_MARGIN_SECONDS = 10.0  # every request of a claim ends this long before its lease
EXCERPT_BYTES = 1024
USER_AGENT = "billing-platform-webhooks/1"
WAKE_DEBOUNCE_MS = 250
DISABLED_REASON = "Every delivery failed for three days."
SECRET_UNREADABLE = (
    "secret unreadable (encrypted with another SECRET_KEY?): rotate the endpoint's secret"  # noqa: S105
)

_D = "integrations_webhookdelivery"
_E = "integrations_webhookendpoint"


def next_attempt_delay(failed_attempts: int) -> timedelta:
    """The wait after the n-th failed attempt (n >= 1)."""
    return RETRY_SCHEDULE[min(failed_attempts, len(RETRY_SCHEDULE)) - 1]


def request_budget_seconds() -> float:
    """A request's total time (connect, send, headers, body), whatever its pace."""
    return 2 * float(settings.WEBHOOK_TIMEOUT_SECONDS)


# ---------------------------------------------------------------------------- the journal handler

# The customer an event is about, from its subject (the subjects whose rows name a customer),
# else from the payload's `customer` (an id, the customer's object, or its external id): false
# when that customer is on a test clock. Used where deliveries are recorded (fan-out, replays).
_DIGITS = "'^[0-9]{1,18}$'"
_SUBJECT_TABLES = {
    "subscription": "billing_subscription",
    "invoice": "invoicing_invoice",
    "payment": "payments_payment",
    "payment_method": "payments_paymentmethod",
    "portal_session": "portal_portallink",
    "portal_user": "portal_portaluser",
    "notification": "notifications_notification",
}
_SUBJECT_CUSTOMER = " ".join(
    [
        "CASE ev.subject_type WHEN 'customer' THEN ev.subject_id::bigint",
        *(
            f"WHEN '{kind}' THEN (SELECT x.customer_id FROM {table} x "  # noqa: S608
            "WHERE x.id = ev.subject_id::bigint)"
            for kind, table in _SUBJECT_TABLES.items()
        ),
        "END",
    ]
)
LIVEMODE_SQL = f"""(ev.subject_type <> 'test_clock' AND NOT EXISTS (
    SELECT 1 FROM billing_customer c
    WHERE c.test_clock_id IS NOT NULL AND c.id = COALESCE(
        CASE WHEN ev.subject_id ~ {_DIGITS} THEN {_SUBJECT_CUSTOMER} END,
        CASE WHEN jsonb_typeof(ev.payload) <> 'object' THEN NULL
             WHEN jsonb_typeof(ev.payload->'customer') = 'number'
              AND ev.payload->>'customer' ~ {_DIGITS} THEN (ev.payload->>'customer')::bigint
             WHEN jsonb_typeof(ev.payload->'customer') = 'object'
              AND ev.payload->'customer'->>'id' ~ {_DIGITS}
                  THEN (ev.payload->'customer'->>'id')::bigint
             WHEN jsonb_typeof(ev.payload->'customer') = 'string'
                  THEN (SELECT x.id FROM billing_customer x
                        WHERE x.external_id = ev.payload->>'customer')
        END)))"""  # noqa: S608 - table names are constants

_FAN_OUT = f"""
INSERT INTO {_D} (endpoint_id, event_id, event_type, subject, kind, status, attempts,
                  next_attempt_at, locked_until, claim_token, livemode, last_status_code,
                  last_error, created_at, requested_by, finished_at)
SELECT ep.id, ev.id, ev.type, ev.subject_type || ':' || ev.subject_id, 'event', 'pending', 0,
       %(now)s, NULL, NULL, ev.livemode, NULL, '', %(now)s, '', NULL
FROM (SELECT ev.*, {LIVEMODE_SQL} AS livemode
      FROM billing_journalevent ev
      WHERE ev.id = ANY(%(ids)s::bigint[]) AND ev.type <> %(ping)s
        AND NOT (jsonb_typeof(ev.payload) = 'object' AND ev.payload @> '{{"publish": false}}')
     ) ev
JOIN {_E} ep ON ep.enabled AND ep.deleted_at IS NULL
            AND ('*' = ANY(ep.event_types) OR ev.type = ANY(ep.event_types))
ORDER BY ev.id, ep.id
ON CONFLICT (endpoint_id, event_id) WHERE kind = 'event' DO NOTHING
"""  # noqa: S608 - table names are constants; values are parameters


def on_events(events: list[JournalEvent]) -> None:
    """The batch journal handler: one INSERT for every (event, subscribed endpoint) of the
    batch, in the dispatcher's transaction, due at the dispatcher's time (its `as_of`; the
    latest of the events' times when called outside a dispatch); the delivery tasks are queued
    after its commit."""
    ids = [e.pk for e in events if e.type != PING]
    if not ids:
        return
    now = journal.dispatch_as_of.get() or max(e.occurred_at for e in events)
    with connection.cursor() as cursor:
        cursor.execute(_FAN_OUT, {"now": now, "ids": ids, "ping": PING})
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
    except SoftTimeLimitExceeded:
        raise
    except Exception:  # the broker or Redis is down: the tick hook finds the due deliveries
        logger.exception("webhooks: could not queue the delivery tasks")


# ------------------------------------------------------------------------------------ claiming

# Due and unclaimed (or its claim's lease is over)
_DUE = """d.status = 'pending' AND d.next_attempt_at <= %(as_of)s
      AND (d.locked_until IS NULL OR d.locked_until <= %(as_of)s)"""
# ... and no earlier pending delivery of its endpoint and subject is waiting for a retry or
# claimed by someone else (probed through the (endpoint, subject, id) partial index)
_UNBLOCKED = f"""NOT EXISTS (
        SELECT 1 FROM {_D} p
        WHERE p.endpoint_id = d.endpoint_id AND p.subject = d.subject AND p.status = 'pending'
          AND p.id < d.id AND (p.next_attempt_at > %(as_of)s OR p.locked_until > %(as_of)s))"""  # noqa: S608

_CLAIM = f"""
WITH cand AS MATERIALIZED (
    SELECT d.id, d.endpoint_id, d.subject
    FROM {_D} d JOIN {_E} e ON e.id = d.endpoint_id
    WHERE {_DUE} AND e.enabled AND {_UNBLOCKED}
    ORDER BY d.id
    LIMIT %(limit)s
    FOR UPDATE OF d SKIP LOCKED
), pairs AS MATERIALIZED (
    SELECT endpoint_id, subject, max(id) AS last_id FROM cand GROUP BY endpoint_id, subject
), blocks AS MATERIALIZED (
    -- an earlier pending delivery skipped by SKIP LOCKED (another claim is taking it right
    -- now): the later ones of its subject wait
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
), claimed AS (
    UPDATE {_D} d SET locked_until = %(lease)s, claim_token = %(token)s
    FROM ok WHERE d.id = ok.id
    RETURNING d.id, d.endpoint_id, d.event_id, d.subject, d.attempts, d.created_at, d.livemode
)
SELECT id, endpoint_id, event_id, subject, attempts, created_at, livemode FROM claimed
UNION ALL  -- the last row: how many candidates there were (some may have been held back)
SELECT NULL, NULL, NULL, NULL, (SELECT count(*) FROM cand)::integer, NULL, NULL
"""  # noqa: S608 - table names are constants; values are parameters


def retries_due(as_of: datetime) -> dict[str, int]:
    """The clock's tick hook: queue delivery tasks when deliveries can be sent (retries whose
    wake-up was lost, deliveries of a re-enabled endpoint); those waiting behind an earlier
    delivery of their subject are not counted."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*) FROM (
                    SELECT 1 FROM {_D} d JOIN {_E} e ON e.id = d.endpoint_id
                    WHERE {_DUE} AND e.enabled AND {_UNBLOCKED} LIMIT 10000) due""",  # noqa: S608
            {"as_of": as_of},
        )
        due = int(cursor.fetchone()[0])
    if due:
        wake()
    return {"webhook_deliveries_due": due}


@dataclass
class Claimed:
    id: int
    endpoint_id: int
    event_id: int
    subject: str
    attempts: int
    created_at: datetime
    livemode: bool
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


@dataclass
class Claim:
    token: uuid.UUID
    as_of: datetime  # the claim's time (the lease runs from it)
    started: float  # time.monotonic() at the claim
    rows: list[Claimed]
    candidates: int  # due and unblocked when claimed (more than rows: some were held back)

    @property
    def lease_deadline(self) -> float:
        """time.monotonic() by which every request of this claim has ended."""
        return self.started + LEASE.total_seconds() - LEASE_MARGIN_SECONDS

    def now(self) -> datetime:
        """The claim's time plus the time spent since (no wall clock read in here)."""
        return self.as_of + timedelta(seconds=time.monotonic() - self.started)


def _claim(as_of: datetime, limit: int) -> Claim:
    """Lease up to `limit` due deliveries (one statement, committed at once: other workers skip
    them) under a new token; a delivery behind an earlier pending one of its endpoint and
    subject stays."""
    token = uuid.uuid4()
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            _CLAIM, {"as_of": as_of, "limit": limit, "lease": as_of + LEASE, "token": token}
        )
        rows = cursor.fetchall()
    candidates = int(rows[-1][4])
    claimed = sorted((Claimed(*row) for row in rows[:-1]), key=lambda c: c.id)
    return Claim(token, as_of, started, claimed, candidates)


# -------------------------------------------------------------------------------------- sending


@dataclass
class Target:
    url: str
    keys: list[bytes]  # the current secret's, then the rotated ones still in their overlap
    refused: str = ""  # why it is not sent to (its secret is unreadable)


@dataclass
class Batch:
    claim: Claim
    bodies: dict[int, bytes] = field(default_factory=dict)  # by event id
    targets: dict[int, Target] = field(default_factory=dict)  # by endpoint id


def envelope(event_id: int, type_: str, subject_type: str, subject_id: str,
             occurred_at: datetime, payload_json: str, livemode: bool = True) -> bytes:  # fmt: skip
    """The body: id, type, created (ISO 8601 UTC), api_version, livemode, subject, data."""
    created = occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return orjson.dumps(
        {
            "id": f"evt_{event_id}",
            "type": type_,
            "created": created,
            "api_version": settings.WEBHOOK_API_VERSION,
            "livemode": livemode,
            "subject": {"type": subject_type, "id": subject_id},
            "data": orjson.Fragment(payload_json),
        }
    )


def _load(claim: Claim) -> Batch:
    batch = Batch(claim=claim)
    livemode = {c.event_id: c.livemode for c in claim.rows}
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT id, type, subject_type, subject_id, occurred_at, payload::text
               FROM billing_journalevent WHERE id = ANY(%s::bigint[])""",
            [sorted(livemode)],
        )
        for event_id, type_, subject_type, subject_id, occurred_at, data in cursor.fetchall():
            batch.bodies[event_id] = envelope(event_id, type_, subject_type, subject_id,
                                              occurred_at, data, livemode[event_id])  # fmt: skip
    endpoint_ids = sorted({c.endpoint_id for c in claim.rows})
    secrets: dict[int, list[tuple[datetime | None, str]]] = {}
    for endpoint_id, expires_at, stored in WebhookSecret.objects.filter(
        endpoint_id__in=endpoint_ids
    ).values_list("endpoint_id", "expires_at", "secret_encrypted"):
        if expires_at is None or expires_at > claim.as_of:
            secrets.setdefault(endpoint_id, []).append((expires_at, stored))
    for endpoint_id, url in WebhookEndpoint.objects.filter(pk__in=endpoint_ids).values_list(
        "id", "url"
    ):
        # the current secret first (no expiry), then the rotated ones, newest first
        found = sorted(
            secrets.get(endpoint_id, []),
            key=lambda s: (s[0] is not None, -(s[0].timestamp() if s[0] else 0)),
        )
        try:
            keys = [webhook_crypto.secret_bytes(_decrypt(stored)) for _, stored in found]
        except SoftTimeLimitExceeded:
            raise
        except Exception:  # SecretUnreadable, or a value that is not a secret: this endpoint only
            logger.warning("webhook endpoint %s: its signing secret is unreadable", endpoint_id)
            batch.targets[endpoint_id] = Target(url=url, keys=[], refused=SECRET_UNREADABLE)
            continue
        batch.targets[endpoint_id] = Target(url=url, keys=keys)
    return batch


@lru_cache(maxsize=4096)
def _decrypt_cached(stored: str, secret_key: str, fallbacks: tuple[str, ...]) -> str:
    return webhook_crypto.decrypt(stored)


def _decrypt(stored: str) -> str:
    fallbacks = tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ()))
    return _decrypt_cached(stored, settings.SECRET_KEY, fallbacks)


_pool_lock = threading.Lock()
_pools: dict[tuple[Any, ...], tuple[ThreadPoolExecutor, httpx.Client]] = {}


def _pool() -> tuple[ThreadPoolExecutor, httpx.Client]:
    """This process's thread pool and HTTP client (keep-alive connections), made after a fork
    and again when the settings it was made with change."""
    size = max(1, settings.WEBHOOK_CONCURRENCY)
    key = (os.getpid(), size, settings.WEBHOOK_TIMEOUT_SECONDS,
           settings.WEBHOOK_ALLOW_PRIVATE_URLS)  # fmt: skip
    with _pool_lock:
        if key not in _pools:
            # httpx logs every request at INFO: thousands of lines a second at full speed (the
            # attempts are recorded in the database instead)
            logging.getLogger("httpx").setLevel(logging.WARNING)
            client = webhook_transport.client(
                size=size, timeout=settings.WEBHOOK_TIMEOUT_SECONDS, user_agent=USER_AGENT
            )
            _pools[key] = (ThreadPoolExecutor(size, thread_name_prefix="webhooks"), client)
        return _pools[key]


def _send_one(client: httpx.Client, target: Target, msg_id: str, body: bytes,
              claim: Claim) -> Outcome:  # fmt: skip
    """One request, signed and timestamped when it is sent, ending by its total deadline (and
    by the claim's lease). Every error is a failed attempt."""
    attempted_at = claim.now()
    if target.refused:
        return Outcome(attempted_at, None, f"refused: {target.refused}"[:500], 0, 0, "")
    if not target.keys:
        return Outcome(attempted_at, None, "no signing secret", 0, 0, "")
    started = time.monotonic()
    latency = 0
    ends = min(started + request_budget_seconds(), claim.lease_deadline)
    try:
        timestamp = int(attempted_at.timestamp())
        signature = " ".join(webhook_crypto.sign(k, msg_id, timestamp, body) for k in target.keys)
        headers = {
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature,
        }
        with (
            webhook_transport.deadline(ends),
            client.stream("POST", target.url, content=body, headers=headers) as response,
        ):
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
    except SoftTimeLimitExceeded:
        raise
    except httpx.TimeoutException as exc:
        error = f"timeout: {type(exc).__name__}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # an URL httpx refuses (InvalidURL), anything else: this one fails
        error = f"{type(exc).__name__}: {exc}"
    duration = int((time.monotonic() - started) * 1000)
    return Outcome(attempted_at, None, error[:500], latency or duration, duration, "")


def _send_chain(client: httpx.Client, batch: Batch, chain: list[Claimed]) -> None:
    """One endpoint+subject's deliveries, in order; stops at the first failure (the rest wait
    for it) and when too little of the lease is left for another request."""
    claim = batch.claim
    for claimed in chain:
        if claim.lease_deadline - time.monotonic() < 1.0:
            return
        target = batch.targets.get(claimed.endpoint_id)
        body = batch.bodies.get(claimed.event_id)
        if target is None or body is None:  # removed since the claim: a failed attempt
            claimed.outcome = Outcome(claim.now(), None, "the endpoint or event is gone", 0, 0, "")
        else:
            claimed.outcome = _send_one(client, target, f"evt_{claimed.event_id}", body, claim)
        if not claimed.outcome.ok:
            return


def _send(batch: Batch) -> None:
    chains: dict[tuple[int, str], list[Claimed]] = {}
    for c in batch.claim.rows:  # in id order: journal order within a chain
        chains.setdefault((c.endpoint_id, c.subject), []).append(c)
    pool, client = _pool()
    futures = [pool.submit(_send_chain, client, batch, chain) for chain in chains.values()]
    for future in futures:
        future.result()  # _send_chain records every error as an outcome: only a time limit


# ------------------------------------------------------------------------------------ recording

# Only rows still held by this claim and pending: a claim whose lease ran out and was taken by
# another, or a delivery given up meanwhile (the endpoint deleted), is left as it is.
_DELIVERIES = f"""
UPDATE {_D} d SET
    locked_until = NULL,
    claim_token = NULL,
    status = u.status,
    attempts = d.attempts + u.tried,
    next_attempt_at = CASE WHEN u.status <> 'pending' THEN NULL
                           WHEN u.next_at IS NOT NULL THEN u.next_at
                           ELSE d.next_attempt_at END,
    last_status_code = CASE WHEN u.tried = 1 THEN u.code ELSE d.last_status_code END,
    last_error = CASE WHEN u.tried = 1 THEN u.error ELSE d.last_error END,
    finished_at = u.finished_at
FROM unnest(%s::bigint[], %s::text[], %s::integer[], %s::timestamptz[], %s::integer[],
            %s::text[], %s::timestamptz[]) AS u(id, status, tried, next_at, code, error,
                                                 finished_at)
WHERE d.id = u.id AND d.claim_token = %s AND d.status = 'pending'
RETURNING d.id
"""  # noqa: S608 - table names are constants; values are parameters

_ATTEMPTS = """
INSERT INTO integrations_webhookattempt (delivery_id, attempted_at, status_code, error,
                                         latency_ms, duration_ms, response_excerpt, succeeded)
SELECT * FROM unnest(%s::bigint[], %s::timestamptz[], %s::integer[], %s::text[], %s::integer[],
                     %s::integer[], %s::text[], %s::boolean[])
              AS a(delivery_id, attempted_at, status_code, error, latency_ms, duration_ms,
                   response_excerpt, succeeded)
WHERE a.delivery_id = ANY(%s::bigint[])
"""

_HEALTH = f"""
UPDATE {_E} e SET failing_since = CASE WHEN u.ok THEN NULL ELSE %s END
FROM unnest(%s::bigint[], %s::boolean[]) AS u(id, ok)
WHERE e.id = u.id AND (e.failing_since IS NULL) <> u.ok
"""  # noqa: S608 - table names are constants; values are parameters

# Failing for three days; or a delivery given up (all its attempts failed, the last three days
# after it was created) while the endpoint has not succeeded since that delivery's first attempt
_DISABLE = f"""
UPDATE {_E} e SET enabled = false, disabled_at = %(as_of)s, disabled_reason = %(reason)s,
                  updated_at = %(as_of)s
WHERE e.id = ANY(%(ids)s::bigint[]) AND e.enabled AND e.failing_since IS NOT NULL
  AND (e.failing_since <= %(since)s
       OR e.failing_since <= (SELECT min(a.attempted_at)
                              FROM {_D} d JOIN integrations_webhookattempt a ON a.delivery_id = d.id
                              WHERE d.id = ANY(%(given_up)s::bigint[]) AND d.endpoint_id = e.id))
RETURNING e.id, e.url, e.description, e.event_types, e.failing_since
"""  # noqa: S608 - table names are constants; values are parameters


def _retry_at(c: Claimed, as_of: datetime) -> datetime | None:
    """When to try a delivery that failed in the claim of `as_of` again: the schedule (from the
    claim's time), the last retry clamped to three days after the delivery was created; None:
    give up."""
    end = c.created_at + RETRY_WINDOW
    if as_of >= end:
        return None
    return min(as_of + next_attempt_delay(c.attempts + 1), end)


def _record(claim: Claim, as_of: datetime) -> dict[str, int]:
    report = {"succeeded": 0, "retrying": 0, "failed": 0, "waiting": 0, "lost": 0}
    a_cols: list[list[Any]] = [[] for _ in range(8)]
    d_cols: list[list[Any]] = [[] for _ in range(7)]
    stopped: dict[tuple[int, str], datetime | None] = {}  # a chain's failed head: its retry time
    outcome_of: dict[int, str] = {}
    for c in claim.rows:  # in id order: a chain's head before the deliveries waiting behind it
        o = c.outcome
        if o is None:  # not tried: behind a failure of its chain (or the lease ran short)
            outcome_of[c.id] = "waiting"
            # due again with its failed head (a given-up head no longer holds it: due now)
            row: list[Any] = [c.id, DeliveryStatus.PENDING, 0,
                              stopped.get((c.endpoint_id, c.subject)), None, "", None]  # fmt: skip
        else:
            for col, value in zip(a_cols, [c.id, o.attempted_at, o.status_code, o.error,
                                           o.latency_ms, o.duration_ms, o.excerpt, o.ok],
                                  strict=True):  # fmt: skip
                col.append(value)
            if o.ok:
                outcome_of[c.id] = "succeeded"
                row = [c.id, DeliveryStatus.SUCCEEDED, 1, None, o.status_code, "", o.attempted_at]
            else:
                retry_at = _retry_at(c, claim.as_of)
                stopped[(c.endpoint_id, c.subject)] = retry_at
                if retry_at is None:
                    outcome_of[c.id] = "failed"
                    row = [c.id, DeliveryStatus.FAILED, 1, None, o.status_code, o.error,
                           o.attempted_at]  # fmt: skip
                else:
                    outcome_of[c.id] = "retrying"
                    row = [c.id, DeliveryStatus.PENDING, 1, retry_at, o.status_code, o.error,
                           None]  # fmt: skip
        for col, value in zip(d_cols, row, strict=True):
            col.append(value)
    disabled: list[tuple[int, str, str, list[str], datetime]] = []
    with audit_context(actor=SYSTEM, reason="webhook delivery"), transaction.atomic(durable=True):
        with connection.cursor() as cursor:
            cursor.execute(_DELIVERIES, [*d_cols, claim.token])
            applied = {row[0] for row in cursor.fetchall()}
            if a_cols[0]:
                cursor.execute(_ATTEMPTS, [*a_cols, sorted(applied)])
            health: dict[int, bool] = {}  # endpoint: any success in this batch
            given_up: list[int] = []
            for c in claim.rows:
                if c.id not in applied:
                    continue
                report[outcome_of[c.id]] += 1
                if c.outcome is None:
                    continue
                health[c.endpoint_id] = health.get(c.endpoint_id, False) or c.outcome.ok
                if outcome_of[c.id] == "failed":
                    given_up.append(c.id)
            report["lost"] = len(claim.rows) - len(applied)
            if health:
                ids = sorted(health)
                cursor.execute(_HEALTH, [claim.as_of, ids, [health[i] for i in ids]])
                failing = [i for i in ids if not health[i]]
                if failing:
                    cursor.execute(
                        _DISABLE,
                        {"as_of": as_of, "ids": failing, "since": as_of - DISABLE_AFTER,
                         "given_up": given_up, "reason": DISABLED_REASON},
                    )  # fmt: skip
                    disabled = list(cursor.fetchall())
        for gone in disabled:
            _disabled_event(*gone, as_of=as_of)
        retries = [
            claim.as_of + next_attempt_delay(c.attempts + 1)
            for c in claim.rows
            if c.id in applied and outcome_of[c.id] == "retrying"
        ]
        if retries:  # a task for the soonest retry (the tick hook is the safety net)
            countdown = max(0.0, (min(retries) - as_of).total_seconds())
            transaction.on_commit(lambda: wake(countdown), robust=True)
    report["disabled"] = len(disabled)
    return report


def _disabled_event(endpoint_id: int, url: str, description: str, event_types: list[str],
                    failing_since: datetime, *, as_of: datetime) -> None:  # fmt: skip
    """The journal event (the same shape as a disabling by hand) and, after commit, the staff
    e-mail (queued robustly: a broker error does not undo the disabling)."""
    from integrations.webhook_tasks import webhook_endpoint_disabled_email_task

    journal_write(
        type="webhook_endpoint.disabled",
        subject_type="webhook_endpoint",
        subject_id=endpoint_id,
        payload={
            "endpoint": endpoint_id,
            "host": urlsplit(url).hostname or "",
            "description": description,
            "event_types": list(event_types),
            "enabled": False,
            "automatic": True,
            "reason": DISABLED_REASON,
            "failing_since": failing_since.isoformat(),
        },
        actor=SYSTEM,
        occurred_at=as_of,
    )
    transaction.on_commit(
        lambda: webhook_endpoint_disabled_email_task.delay(endpoint_id), robust=True
    )


def webhook_deliveries_send_due(*, as_of: datetime, limit: int | None = None) -> dict[str, int]:
    """Claim up to `limit` due deliveries, send them, record how it went (one batch).
    `as_of` is the claim's time (the lease, the retry schedule); each request is signed and
    timestamped when it is sent (as_of plus the time spent since). `candidates` counts what
    was due and unblocked: more than `claimed` when some were held back by another worker's
    concurrent claim (then claim again)."""
    claim = _claim(as_of, limit or settings.WEBHOOK_BATCH_SIZE)
    if not claim.rows:
        return {"claimed": 0, "candidates": claim.candidates}
    batch = _load(claim)
    _send(batch)
    return {"claimed": len(claim.rows), "candidates": claim.candidates,
            **_record(claim, claim.now())}  # fmt: skip
