"""Services of webhook endpoints: create, update, rotate the secret, enable, disable, delete,
send a test event, replay. Each is one durable transaction with its journal event and audit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings
from django.db import connection, transaction

from billing.models import JournalEvent
from billing.services.journal import journal_write
from core.audit import Actor, audit_context
from core.exceptions import NotFound, TransitionNotAllowed, ValidationFailed
from integrations import webhook_crypto, webhook_transport
from integrations.models import (
    DeliveryKind,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookSecret,
)
from integrations.models.webhooks import ALL_EVENTS
from integrations.webhook_delivery import LIVEMODE_SQL, PING, wake

MAX_OVERLAP_HOURS = 7 * 24
ENDPOINT_EVENT = "webhook_endpoint"


# ------------------------------------------------------------------------------------ validation


def validate_url(url: str) -> str:
    """An absolute https URL (http when WEBHOOK_ALLOW_HTTP) whose host resolves to public
    addresses only (unless WEBHOOK_ALLOW_PRIVATE_URLS). The URL is read by httpx, which sends
    the deliveries (IDNA 2008 host names: what passes here is what is sent to); the addresses
    are checked again at every connection (integrations/webhook_transport.py). Refusals never
    name the address a host resolved to. ValidationFailed on `url`."""
    url = url.strip()
    if len(url) > 2000:
        raise ValidationFailed("At most 2000 characters.", field="url")
    parts = urlsplit(url)
    allowed = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise ValidationFailed(
            "Must be an https URL." if parts.scheme != "https" else "Not a URL.", field="url"
        )
    if not parts.hostname:
        raise ValidationFailed("The URL has no host.", field="url")
    if parts.username or parts.password:
        raise ValidationFailed("The URL may not carry a user name or password.", field="url")
    try:
        _ = parts.port
    except ValueError:
        raise ValidationFailed("The URL's port is not valid.", field="url") from None
    if parts.fragment:
        raise ValidationFailed("The URL may not have a fragment (#...).", field="url")
    try:  # as the sender reads it (httpx: IDNA 2008, its own host and port rules)
        parsed = httpx.URL(url)
        host = parsed.raw_host.decode("ascii")
        _ = parsed.host  # decodes the IDNA name (refuses xn-- labels IDNA 2008 does not allow)
    except (httpx.InvalidURL, ValueError, UnicodeError):  # idna's errors are ValueErrors
        raise ValidationFailed(
            "The URL's host name is not valid (IDNA 2008: no symbols, no full-width letters).",
            field="url",
        ) from None
    if not host or "%" in host or parsed.scheme not in allowed:
        raise ValidationFailed("The URL's host name is not valid.", field="url")
    if not settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        try:
            addresses = webhook_transport.resolve(host, parsed.port or 443, timeout=5.0)
        except httpcore.ConnectTimeout:
            raise ValidationFailed(f"Looking up {host} took too long.", field="url") from None
        except httpcore.ConnectError:
            raise ValidationFailed(f"{host} does not resolve.", field="url") from None
        if not all(webhook_transport.is_public(a) for a in addresses):
            raise ValidationFailed(
                f"{host} resolves to a non-public address: webhooks go to public endpoints only.",
                field="url",
            )
    return url


def validate_event_types(types: Sequence[str]) -> list[str]:
    """Known event types (integrations.event_types), or ["*"] for all. Deduplicated, sorted."""
    if not types:
        raise ValidationFailed('Name at least one event type, or "*" for all.', field="event_types")
    unique = sorted(set(types))
    if ALL_EVENTS in unique:
        if len(unique) > 1:
            raise ValidationFailed('"*" (every type) goes alone.', field="event_types")
        return unique
    from integrations.event_types import EVENT_TYPES  # the catalogue (the events part's)

    unknown = [t for t in unique if t not in EVENT_TYPES]
    if unknown:
        raise ValidationFailed(
            f"Unknown event type(s): {', '.join(unknown)} (see webhook-event-types).",
            field="event_types",
        )
    return unique


def _overlap(hours: int | None) -> timedelta:
    value = settings.WEBHOOK_SECRET_OVERLAP_HOURS if hours is None else hours
    if not 0 <= value <= MAX_OVERLAP_HOURS:
        raise ValidationFailed(f"Between 0 and {MAX_OVERLAP_HOURS} hours.", field="overlap_hours")
    return timedelta(hours=value)


# -------------------------------------------------------------------------------------- helpers


def _locked(endpoint_id: int) -> WebhookEndpoint:
    endpoint = (
        WebhookEndpoint.objects.select_for_update()
        .filter(pk=endpoint_id, deleted_at__isnull=True)
        .first()
    )
    if endpoint is None:
        raise NotFound(f"No webhook endpoint {endpoint_id}.", field="endpoint")
    return endpoint


def _snapshot(endpoint: WebhookEndpoint) -> dict[str, object]:
    """What journal events (and so webhooks) say of an endpoint: its host, never its URL (a URL
    often carries a capability token: Slack, Zapier...; staff see it in the admin)."""
    return {
        "endpoint": endpoint.pk,
        "host": endpoint_host(endpoint.url),
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "enabled": endpoint.enabled,
    }


def endpoint_host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _journal(endpoint: WebhookEndpoint, what: str, actor: Actor, as_of: datetime,
             **extra: object) -> None:  # fmt: skip
    journal_write(
        type=f"{ENDPOINT_EVENT}.{what}",
        subject_type=ENDPOINT_EVENT,
        subject_id=endpoint.pk,
        payload={**_snapshot(endpoint), **extra},
        actor=actor,
        occurred_at=as_of,
    )


def _new_secret(endpoint: WebhookEndpoint, as_of: datetime) -> str:
    secret = webhook_crypto.new_secret()
    WebhookSecret.objects.create(
        endpoint=endpoint,
        secret_encrypted=webhook_crypto.encrypt(secret),
        hint=secret[-4:],
        created_at=as_of,
    )
    return secret


# ------------------------------------------------------------------------------------- services


def webhook_endpoint_create(
    *, url: str, description: str, event_types: Sequence[str], as_of: datetime, actor: Actor
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint, enabled, and its signing secret (returned once: only its encryption is
    kept)."""
    url = validate_url(url)
    types = validate_event_types(event_types)
    with (
        audit_context(actor=actor, reason="webhook endpoint created"),
        transaction.atomic(durable=True),
    ):
        endpoint = WebhookEndpoint.objects.create(
            url=url, description=description, event_types=types, enabled=True,
            created_at=as_of, updated_at=as_of,
        )  # fmt: skip
        secret = _new_secret(endpoint, as_of)
        _journal(endpoint, "created", actor, as_of)
    return endpoint, secret


def webhook_endpoint_update(
    *,
    endpoint_id: int,
    url: str | None = None,
    description: str | None = None,
    event_types: Sequence[str] | None = None,
    as_of: datetime,
    actor: Actor,
) -> WebhookEndpoint:
    """Change the URL, description or event types (None: unchanged)."""
    new_url = validate_url(url) if url is not None else None
    new_types = validate_event_types(event_types) if event_types is not None else None
    with (
        audit_context(actor=actor, reason="webhook endpoint updated"),
        transaction.atomic(durable=True),
    ):
        endpoint = _locked(endpoint_id)
        changed = []
        for name, value in (("url", new_url), ("description", description),
                            ("event_types", new_types)):  # fmt: skip
            if value is not None and getattr(endpoint, name) != value:
                setattr(endpoint, name, value)
                changed.append(name)
        if changed:
            endpoint.updated_at = as_of
            endpoint.save(update_fields=[*changed, "updated_at"])
            _journal(endpoint, "updated", actor, as_of, changed=changed)
    return endpoint


def webhook_endpoint_rotate_secret(
    *, endpoint_id: int, overlap_hours: int | None, as_of: datetime, actor: Actor
) -> tuple[WebhookEndpoint, str]:
    """A new signing secret (returned once). The previous one keeps signing too (both
    signatures in `webhook-signature`) for `overlap_hours` (default
    WEBHOOK_SECRET_OVERLAP_HOURS, at most 7 days; 0: at once no longer)."""
    overlap = _overlap(overlap_hours)
    with (
        audit_context(actor=actor, reason="webhook secret rotated"),
        transaction.atomic(durable=True),
    ):
        endpoint = _locked(endpoint_id)
        expires = as_of + overlap
        # earlier rotated secrets end no later than the new overlap
        WebhookSecret.objects.filter(endpoint=endpoint, expires_at__gt=expires).update(
            expires_at=expires
        )
        WebhookSecret.objects.filter(endpoint=endpoint, expires_at__isnull=True).update(
            expires_at=expires
        )
        secret = _new_secret(endpoint, as_of)
        endpoint.updated_at = as_of
        endpoint.save(update_fields=["updated_at"])
        _journal(endpoint, "secret_rotated", actor, as_of,
                 previous_secret_expires_at=expires.isoformat())  # fmt: skip
    return endpoint, secret


ALLOWED_TRANSITIONS = {"enable": {False}, "disable": {True}}  # from `enabled`


def webhook_endpoint_enable(*, endpoint_id: int, as_of: datetime, actor: Actor) -> WebhookEndpoint:
    """Turn a disabled endpoint on again: its pending deliveries are due at once (those given up
    stay so: replay them)."""
    with (
        audit_context(actor=actor, reason="webhook endpoint enabled"),
        transaction.atomic(durable=True),
    ):
        endpoint = _locked(endpoint_id)
        if endpoint.enabled not in ALLOWED_TRANSITIONS["enable"]:
            raise TransitionNotAllowed("The endpoint is enabled already.", field="enabled")
        endpoint.enabled = True
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
        endpoint.failing_since = None
        endpoint.updated_at = as_of
        endpoint.save(update_fields=["enabled", "disabled_at", "disabled_reason",
                                     "failing_since", "updated_at"])  # fmt: skip
        WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
            next_attempt_at=as_of
        )
        _journal(endpoint, "enabled", actor, as_of)
        transaction.on_commit(wake, robust=True)
    return endpoint


def webhook_endpoint_disable(
    *, endpoint_id: int, reason: str, as_of: datetime, actor: Actor
) -> WebhookEndpoint:
    """Turn an endpoint off: no new deliveries are recorded for it and its pending ones wait
    (until it is enabled again)."""
    with (
        audit_context(actor=actor, reason=reason or "webhook endpoint disabled"),
        transaction.atomic(durable=True),
    ):
        endpoint = _locked(endpoint_id)
        if endpoint.enabled not in ALLOWED_TRANSITIONS["disable"]:
            raise TransitionNotAllowed("The endpoint is disabled already.", field="enabled")
        endpoint.enabled = False
        endpoint.disabled_at = as_of
        endpoint.disabled_reason = reason[:500] or f"Disabled by {actor.label}."
        endpoint.updated_at = as_of
        endpoint.save(update_fields=["enabled", "disabled_at", "disabled_reason", "updated_at"])
        _journal(endpoint, "disabled", actor, as_of, automatic=False,
                 reason=endpoint.disabled_reason,
                 failing_since=endpoint.failing_since.isoformat()
                 if endpoint.failing_since else None)  # fmt: skip
    return endpoint


def webhook_endpoint_delete(*, endpoint_id: int, as_of: datetime, actor: Actor) -> None:
    """Delete an endpoint: it is gone from the lists and gets nothing more; its deliveries and
    attempts are kept (the log), the pending ones given up."""
    with (
        audit_context(actor=actor, reason="webhook endpoint deleted"),
        transaction.atomic(durable=True),
    ):
        endpoint = _locked(endpoint_id)
        endpoint.enabled = False
        endpoint.deleted_at = as_of
        endpoint.disabled_at = endpoint.disabled_at or as_of
        endpoint.updated_at = as_of
        endpoint.save(update_fields=["enabled", "deleted_at", "disabled_at", "updated_at"])
        WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED,
            next_attempt_at=None,
            last_error="The endpoint was deleted.",
            finished_at=as_of,
        )
        WebhookSecret.objects.filter(endpoint=endpoint, expires_at__isnull=True).update(
            expires_at=as_of
        )
        _journal(endpoint, "deleted", actor, as_of)


def webhook_endpoint_test(*, endpoint_id: int, as_of: datetime, actor: Actor) -> WebhookDelivery:
    """Send a `ping` event to this endpoint only (a disabled endpoint is refused: enable it
    first). Its delivery is retried like any other."""
    with audit_context(actor=actor, reason="webhook test event"), transaction.atomic(durable=True):
        endpoint = _locked(endpoint_id)
        if not endpoint.enabled:
            raise TransitionNotAllowed(
                "The endpoint is disabled: enable it to send a test event.", field="enabled"
            )
        event = journal_write(
            type=PING,
            subject_type=ENDPOINT_EVENT,
            subject_id=endpoint.pk,
            payload={"endpoint": endpoint.pk, "message": "A test event from the billing platform."},
            actor=actor,
            occurred_at=as_of,
        )
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, event_type=event.type, subject=event.subject,
            kind=DeliveryKind.TEST, status=DeliveryStatus.PENDING, next_attempt_at=as_of,
            created_at=as_of, requested_by=actor.label,
        )  # fmt: skip
        transaction.on_commit(wake, robust=True)
    return delivery


_REPLAYABLE = """
FROM billing_journalevent ev
WHERE ev.occurred_at >= %(since)s AND ev.type <> %(ping)s
  AND (%(all)s OR ev.type = ANY(%(types)s))
  AND NOT (jsonb_typeof(ev.payload) = 'object' AND ev.payload @> '{"publish": false}')
"""
_REPLAY_COUNT = f"SELECT count(*) FROM (SELECT 1 {_REPLAYABLE} LIMIT %(cap)s) n"  # noqa: S608
_REPLAY = f"""
INSERT INTO integrations_webhookdelivery (endpoint_id, event_id, event_type, subject, kind,
    status, attempts, next_attempt_at, locked_until, claim_token, livemode, last_status_code,
    last_error, created_at, requested_by, finished_at)
SELECT %(endpoint)s, ev.id, ev.type, ev.subject_type || ':' || ev.subject_id, 'replay', 'pending',
       0, %(as_of)s, NULL, NULL, {LIVEMODE_SQL}, NULL, '', %(as_of)s, %(who)s, NULL
{_REPLAYABLE}
ORDER BY ev.id
LIMIT %(cap)s
"""


def replay_max() -> int:
    return int(settings.WEBHOOK_REPLAY_MAX)


def _livemode(event_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {LIVEMODE_SQL} FROM billing_journalevent ev WHERE ev.id = %s",  # noqa: S608
            [event_id],
        )
        row = cursor.fetchone()
    return bool(row[0]) if row else True


def webhook_replay(
    *,
    endpoint_id: int,
    event_id: int | None = None,
    delivery_id: int | None = None,
    since: datetime | None = None,
    as_of: datetime,
    actor: Actor,
) -> int:
    """Deliver again, to one endpoint, one event (`event_id`, or the event of `delivery_id`) or
    every event of its types that occurred since `since` (at most WEBHOOK_REPLAY_MAX events:
    more is refused on `since`, naming the cap): new deliveries of the same events (the same
    `webhook-id`, so receivers dedupe), recorded with who asked. Events that are not published
    (`"publish": false`) are not replayed. Returns how many."""
    given = [v is not None for v in (event_id, delivery_id, since)]
    if sum(given) != 1:
        raise ValidationFailed("Give one of event, delivery or since.", field="event")
    if since is not None and since > as_of:
        raise ValidationFailed("In the future.", field="since")
    cap = replay_max()
    params: dict[str, Any] = {}
    if since is not None:
        # counted before the endpoint is locked (the journal may be long), at most cap + 1 rows
        current = WebhookEndpoint.objects.filter(pk=endpoint_id, deleted_at__isnull=True).first()
        if current is None:
            raise NotFound(f"No webhook endpoint {endpoint_id}.", field="endpoint")
        params = {"since": since, "ping": PING, "all": ALL_EVENTS in current.event_types,
                  "types": list(current.event_types), "cap": cap + 1}  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(_REPLAY_COUNT, params)
            if int(cursor.fetchone()[0]) > cap:
                raise ValidationFailed(
                    f"More than {cap} events occurred since then: replay a later time, or "
                    "several shorter spans one after the other (oldest first).",
                    field="since",
                )
    with audit_context(actor=actor, reason="webhook replay"), transaction.atomic(durable=True):
        endpoint = _locked(endpoint_id)
        if not endpoint.enabled:
            raise TransitionNotAllowed(
                "The endpoint is disabled: enable it to replay events.", field="enabled"
            )
        if since is not None:
            params.update(
                endpoint=endpoint.pk, as_of=as_of, who=actor.label,
                all=ALL_EVENTS in endpoint.event_types, types=list(endpoint.event_types),
            )  # fmt: skip
            with connection.cursor() as cursor:
                cursor.execute(_REPLAY, params)
                count = int(cursor.rowcount)
            if count > cap:  # the journal grew, or the types changed, since it was counted
                raise ValidationFailed(
                    f"More than {cap} events occurred since then: replay a later time.",
                    field="since",
                )
        else:
            field = "event"
            if delivery_id is not None:
                field = "delivery"
                source = WebhookDelivery.objects.filter(pk=delivery_id, endpoint=endpoint).first()
                if source is None:
                    raise NotFound(
                        f"No delivery {delivery_id} of endpoint {endpoint.pk}.", field="delivery"
                    )
                event_id = source.event_id
            event = JournalEvent.objects.filter(pk=event_id or 0).first()
            if event is None:
                raise NotFound(f"No event {event_id}.", field="event")
            if delivery_id is None and not endpoint.wants(event.type):
                raise ValidationFailed(
                    f"The endpoint is not subscribed to {event.type}.", field="event"
                )
            if isinstance(event.payload, dict) and event.payload.get("publish") is False:
                raise ValidationFailed(
                    f"Event evt_{event.pk} is not published (its payload says "
                    '"publish": false): it is not delivered, nor replayed.',
                    field=field,
                )
            WebhookDelivery.objects.create(
                endpoint=endpoint, event=event, event_type=event.type, subject=event.subject,
                kind=DeliveryKind.REPLAY, status=DeliveryStatus.PENDING, next_attempt_at=as_of,
                created_at=as_of, requested_by=actor.label, livemode=_livemode(event.pk),
            )  # fmt: skip
            count = 1
        if count:
            transaction.on_commit(wake, robust=True)
    return count


def parse_event_id(value: str) -> int:
    """`evt_123` or `123` -> 123; ValidationFailed on `event`."""
    raw = value.strip().removeprefix("evt_")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise ValidationFailed("An event id: evt_<number>.", field="event")
    return int(raw)
