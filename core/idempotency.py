"""`Idempotency-Key` for every POST under /api/.

The first request with a key runs and its response is stored in PostgreSQL; a later request with
the same key from the same principal and the same request gets that response again, marked
`Idempotent-Replayed: true`, without running anything. The same key with a different request is
refused with 422.

The principal is who the API's authentication says the caller is: the API key (by id), or the
staff user of an admin session (by id), found by the same authenticators the view runs, so
`Bearer` and `bearer`, or two sessions of one user, are one key space. A request that does not
authenticate is not recorded (its view answers 401 or 403). "The same request" is the same method,
path, query string and body, where a JSON body is compared parsed: whitespace and the order of an
object's keys do not matter, numbers compare by exact value (1, 1.0 and 1e0 are one number; no
float rounding), and true is not 1. Any other body is compared byte for byte.

Before a replay, the view's authentication and permissions run again (not its handler): a
caller no longer allowed to make the request (an API key whose scopes were reduced, a staff user
who lost a permission) gets the view's refusal (403 `missing_scope`...), not the stored answer.

Concurrent requests with one key are serialised by a PostgreSQL advisory lock, so the second
waits for the first and then replays it. Keys expire after IDEMPOTENCY_KEY_TTL_HOURS; expired
rows are purged hourly.

Responses with 5xx, 401, 403, 409 and 429 are not stored: such a request may be retried with the
same key. A crash between the view's commit and the storing of its response leaves the key free;
the retry then meets the business constraints (a duplicate external id is refused, say).

A view whose success answer holds a secret shown once (a portal session's single-use link: only
hashes of link tokens are stored) defines `idempotent_replay(response) -> HttpResponse`: that is
stored and replayed in place of its 2xx answer (a 409 saying the request was done and how to get
a new one), so the secret never reaches `core_idempotencykey`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.settings import api_settings

from core.api.errors import json_error
from core.db import advisory_lock
from core.exceptions import ApplicationError
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


def _number(value: Decimal) -> str:
    """An exact canonical form of a number: digits without trailing zeros and an exponent (no
    context rounding, so 2.0000000000000000000000000000001 stays apart from 2)."""
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN, Infinity (Python's json accepts them)
        return str(value)
    kept = list(digits)
    while len(kept) > 1 and kept[-1] == 0:
        kept.pop()
        exponent += 1
    if kept == [0]:
        return "0"
    return f"{'-' if sign else ''}{''.join(map(str, kept))}e{exponent}"


def _canonical(value: Any) -> str:
    if isinstance(value, dict):
        items = sorted((json.dumps(k), _canonical(v)) for k, v in value.items())
        return "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return _number(value)
    return json.dumps(value)  # str (ASCII-escaped), true, false, null


def canonical_body(body: bytes) -> bytes:
    """A JSON body re-encoded canonically; any other body as it is (each marked apart)."""
    try:
        value = json.loads(body, parse_float=Decimal, parse_int=Decimal, parse_constant=Decimal)
        return b"json:" + _canonical(value).encode("ascii")
    except (ValueError, RecursionError):  # not JSON (UnicodeDecodeError is a ValueError)
        return b"raw:" + body


def request_fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    return _sha256(method.encode(), path.encode(), query.encode(), canonical_body(body))


def view_class(request: HttpRequest) -> type | None:
    """The class of the view the request's path resolves to (None: no class-based view)."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    found = getattr(match.func, "view_class", None) or getattr(match.func, "cls", None)
    return found if isinstance(found, type) else None


def request_principal(request: HttpRequest, view: type | None = None) -> str | None:
    """Who the view's authenticators say the caller is (`billing.apikey:7`, `auth.user:3`), or
    None when the request does not authenticate (no credentials, a bad key, a CSRF failure)."""
    if view is None:
        view = view_class(request)
    classes: Sequence[type[BaseAuthentication]] | None = getattr(
        view, "authentication_classes", None
    )
    if classes is None:  # DRF's settings import the dotted paths (the stubs type them as str)
        classes = cast(Any, api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    drf_request = Request(request)
    for authenticator in classes:
        try:
            result = authenticator().authenticate(drf_request)
        except APIException:
            return None
        if result is None:
            continue
        user, auth = result
        who = auth if isinstance(auth, Model) else user
        if isinstance(who, Model) and who.pk is not None:
            return f"{who._meta.label_lower}:{who.pk}"
        return None
    return None


def view_refusal(request: HttpRequest, view: type | None) -> HttpResponse | None:
    """The view's own refusal when its authentication or permissions refuse the caller now (an
    API key whose scopes were reduced, a staff user who lost a permission), else None: a stored
    answer is replayed only to a caller still allowed to make the request. Never runs the view's
    handler: what else goes wrong here propagates (a 500), it is not a reason to run it again."""
    from rest_framework.views import APIView

    if view is None or not issubclass(view, APIView):
        return None
    match = resolve(request.path_info, getattr(request, "urlconf", None))
    instance = view(**getattr(match.func, "view_initkwargs", {}))
    instance.setup(request, *match.args, **match.kwargs)
    drf_request = instance.initialize_request(request, *match.args, **match.kwargs)
    instance.request = drf_request
    instance.format_kwarg = None
    instance.headers = {}
    try:
        instance.perform_authentication(drf_request)
        instance.check_permissions(drf_request)
    except (APIException, ApplicationError) as exc:  # MissingScope, PermissionDenied...
        response = instance.finalize_response(
            drf_request, instance.handle_exception(exc), *match.args, **match.kwargs
        )
        response.render()
        return cast(HttpResponse, response)
    return None


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
        view = view_class(request)
        principal = request_principal(request, view)
        if principal is None:
            return self.get_response(request)  # refused by the view: nothing to record
        scope = _sha256(principal.encode())
        fingerprint = request_fingerprint(
            request.method, request.path, request.META.get("QUERY_STRING", ""), request.body
        )
        now = timezone.now()
        with advisory_lock(f"idempotency:{scope}:{key}"):
            record = IdempotencyKey.objects.filter(scope=scope, key=key, expires_at__gt=now).first()
            if record is not None:
                refusal = view_refusal(request, view)
                if refusal is not None:
                    return refusal  # not allowed any more: no replay, no hint of the record
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
                stored = response
                replay: Callable[[HttpResponse], HttpResponse] | None = getattr(
                    view, "idempotent_replay", None
                )
                if replay is not None and 200 <= response.status_code < 300:
                    stored = replay(response)  # the answer holds a secret shown once
                self._store(request, stored, scope, key, fingerprint, now)
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
