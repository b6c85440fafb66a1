"""API keys: only the SHA-256 of a key is stored; the key is shown once."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from billing.models import ApiKey
from billing.services.journal import journal_write
from core.audit import Actor, audit_context
from core.exceptions import Conflict, NotFound, ValidationFailed

API_KEY_PATTERN = re.compile(r"^bk_([0-9a-f]{12})_([A-Za-z0-9_-]{32,128})$")
# the demo data set's key, printed in the README: it authenticates only when DEBUG is on
DEMO_API_KEY = "bk_000000000000_demo-key-for-local-use-only-never-in-production"
LAST_USED_RESOLUTION = timedelta(seconds=60)


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_create(
    *,
    name: str,
    actor: Actor,
    as_of: datetime,
    created_by_id: int | None = None,
    raw_key: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never stored nor shown again.

    `raw_key` lets the demo data set use a documented key; real keys are random."""
    name = name.strip()
    if not name:
        raise ValidationFailed("An API key needs a name.", field="name", code="required")
    if raw_key is None:
        raw_key = f"bk_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"
    match = API_KEY_PATTERN.match(raw_key)
    if match is None:
        raise ValidationFailed("Malformed API key.", field="raw_key")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="API key created"):
        key = ApiKey.objects.create(
            name=name[:100],
            prefix=match.group(1),
            secret_hash=_hash_key(raw_key),
            created_at=as_of,
            created_by_id=created_by_id,
        )
        journal_write(
            type="api_key.created",
            subject_type="api_key",
            subject_id=key.pk,
            payload={"name": key.name, "prefix": key.prefix},
            actor=actor,
            occurred_at=as_of,
        )
    return key, raw_key


def api_key_revoke(*, api_key_id: int, actor: Actor, as_of: datetime, reason: str = "") -> ApiKey:
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason or "revoked"):
        try:
            key = ApiKey.objects.select_for_update().get(pk=api_key_id)
        except ApiKey.DoesNotExist:
            raise NotFound(f"No API key with id {api_key_id}.") from None
        if key.revoked_at is not None:
            raise Conflict(f"API key {key} is already revoked.")
        key.revoked_at = as_of
        key.save(update_fields=["revoked_at"])
        journal_write(
            type="api_key.revoked",
            subject_type="api_key",
            subject_id=key.pk,
            payload={"name": key.name, "prefix": key.prefix, "reason": reason},
            actor=actor,
            occurred_at=as_of,
        )
    return key


def api_key_authenticate(*, raw_key: str, as_of: datetime) -> ApiKey | None:
    """The active key matching `raw_key`, or None. Records its last use (to the minute).
    The published demo key is refused unless DEBUG is on (a development machine)."""
    match = API_KEY_PATTERN.match(raw_key)
    if match is None:
        return None
    if not settings.DEBUG and secrets.compare_digest(raw_key, DEMO_API_KEY):
        return None
    key = ApiKey.objects.filter(prefix=match.group(1), revoked_at__isnull=True).first()
    if key is None or not secrets.compare_digest(key.secret_hash, _hash_key(raw_key)):
        return None
    if key.last_used_at is None or as_of - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(
            last_used_at=as_of
        )  # not audited: usage, not change
        key.last_used_at = as_of
    return key
