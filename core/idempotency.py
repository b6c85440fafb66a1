"""`Idempotency-Key` for every POST under /api/.

The first request with a key runs and its response is stored in PostgreSQL; a later request with
the same key (from the same credentials) and the same body gets that response again, marked
`Idempotent-Replayed: true`, without running anything. The same key with a different body is
refused with 422. Concurrent requests with one key are serialised by a PostgreSQL advisory lock,
so the second waits for the first and then replays it. Keys expire after
IDEMPOTENCY_KEY_TTL_HOURS; expired rows are purged hourly.

Responses with 5xx, 401, 403, 409 and 429 are not stored: such a request may be retried with the
same key. A crash between the view's commit and the storing of its response leaves the key free;
the retry then meets the business constraints (a duplicate external id is refused, say).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.api.errors import json_error
from core.db import advisory_lock
from core.models import IdempotencyKey

HEADER = "Idempotency-Key"
NOT_STORED = {401, 403, 409, 429}
MAX_KEY_LENGTH = 255


def _sha256(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
        digest.update(b"\x00")
    return digest.hexdigest()


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body), status=record.status_code, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def idempotency_keys_purge(*, as_of: datetime) -> int:
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=as_of).delete()
    return deleted


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            return json_error(
                400, "invalid", f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.", HEADER
            )
        credentials = (
            request.headers.get("Authorization", "") or request.COOKIES.get("sessionid", "")
        ).encode()
        scope = _sha256(credentials)
        fingerprint = _sha256(request.method.encode(), request.path.encode(), request.body)
        now = timezone.now()
        with advisory_lock(f"idempotency:{scope}:{key}"):
            record = IdempotencyKey.objects.filter(scope=scope, key=key, expires_at__gt=now).first()
            if record is not None:
                if record.request_fingerprint != fingerprint:
                    return json_error(
                        422,
                        "idempotency_key_reused",
                        f"This {HEADER} was used with a different request; use a new key.",
                        HEADER,
                    )
                return _replay(record)
            response = self.get_response(request)
            if response.status_code < 500 and response.status_code not in NOT_STORED:
                self._store(request, response, scope, key, fingerprint, now)
            return response

    @staticmethod
    def _store(
        request: HttpRequest,
        response: HttpResponse,
        scope: str,
        key: str,
        fingerprint: str,
        now: datetime,
    ) -> None:
        ttl = timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
        values = {
            "request_fingerprint": fingerprint,
            "method": request.method or "POST",
            "path": request.path[:500],
            "status_code": response.status_code,
            "response_body": response.content,
            "content_type": response.get("Content-Type", "application/json"),
            "created_at": now,
            "expires_at": now + ttl,
        }
        # An expired row for the same key is replaced; the advisory lock excludes a live one.
        with transaction.atomic():
            IdempotencyKey.objects.update_or_create(scope=scope, key=key, defaults=values)
